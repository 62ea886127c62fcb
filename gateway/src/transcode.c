/*
 * Request mapping (google/api/http.proto) and the three handlers: unary, server
 * streaming, client (and bidi) streaming. Replies are built when the call hands the
 * request back (on_resume), on the worker thread that serves the connection.
 */
#include "transcode.h"

#include "log.h"
#include "reply_grpc.h"
#include "schema.h"
#include "server.h"
#include "status_map.h"
#include "wire_merge.h"

#include <cjson/cJSON.h>

#include <string.h>

static int codec_error(gw_req *req, int rc, const gb_err *err)
{
    if (rc == GB_ERR_LIMIT)
        gw_req_reply_error(req, 413, GW_CODE_RESOURCE_EXHAUSTED, "request message too large");
    else if (rc == PBD_ERR_NOMEM || rc == GB_ERR_NOMEM)
        gw_req_reply_error(req, 500, GW_CODE_INTERNAL, "out of memory");
    else
        gw_req_reply_error(req, 400, GW_CODE_INVALID_ARGUMENT, err->msg);
    return rc;
}

static bool only_blanks(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return false;
    }
    return true;
}

/* Whether query key |key| names field |f| or a field inside it. */
static bool names_field(const char *key, const pbd_field *f)
{
    const char *names[2] = {f->name, f->json_name};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(key, names[i], n) == 0 && (key[n] == '\0' || key[n] == '.'))
            return true;
    }
    return false;
}

static const pbd_field *body_field(const gw_tx *tx)
{
    if (tx->body_field == NULL || strcmp(tx->body_field, "*") == 0)
        return NULL;
    return pbd_message_field_by_name(tx->method->input, tx->body_field, strlen(tx->body_field));
}

/* Refuses a query parameter that the path or the body sets already. Returns 0, or 1
 * to skip it, or an error code. */
static int check_param(gw_tx *tx, const gw_query_param *q, bool discard, gb_err *err)
{
    const pbd_field *bf = body_field(tx);
    if (tx->body_field != NULL && strcmp(tx->body_field, "*") == 0)
        return discard ? 1
                       : gb_err_set(err, GW_ERR_REQUEST,
                                    "query parameter %s: the body sets every field", q->key);
    if (bf != NULL && names_field(q->key, bf))
        return gb_err_set(err, GW_ERR_REQUEST, "query parameter %s: the body sets this field",
                          q->key);
    for (size_t i = 0; i < tx->route.n_captures; i++) {
        if (strcmp(tx->route.captures[i].field_path, q->key) == 0)
            return gb_err_set(err, GW_ERR_REQUEST, "query parameter %s: the path sets this field",
                              q->key);
    }
    return 0;
}

static int encode_params(gw_req *req, gw_tx *tx, gb_buf *wire, gb_err *err)
{
    const pbd_message *in = tx->method->input;
    bool discard = req->srv->cfg->discard_unknown;
    for (size_t i = 0; i < tx->route.n_captures; i++) {
        const pbd_capture *c = &tx->route.captures[i];
        int rc = pbd_text_to_wire(in, c->field_path, c->value, c->len, wire, err);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < req->params.n; i++) {
        const gw_query_param *q = &req->params.v[i];
        if (strcmp(q->key, "pretty") == 0)
            continue;
        int rc = check_param(tx, q, discard, err);
        if (rc == 1)
            continue;
        if (rc == 0)
            rc = pbd_text_to_wire(in, q->key, q->value, q->value_len, wire, err);
        if (rc == PBD_ERR_FIELD_PATH && discard)
            continue;
        if (rc == PBD_ERR_FIELD_PATH)
            gb_err_prefix(err, "unknown query parameter");
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The one FieldMask field of the input, if there is exactly one. */
static const pbd_field *mask_field(const pbd_message *in)
{
    const pbd_field *found = NULL;
    for (size_t i = 0; i < in->n_fields; i++) {
        const pbd_field *f = &in->fields[i];
        if (f->type == PBD_TYPE_MESSAGE && f->message->wkt == PBD_WKT_FIELD_MASK &&
            f->label != PBD_LABEL_REPEATED) {
            if (found != NULL)
                return NULL;
            found = f;
        }
    }
    return found;
}

/* "a,b.c": the JSON keys of |obj| as field paths of |m|, nested messages expanded. */
static int mask_paths(const cJSON *obj, const pbd_message *m, const char *prefix, gb_buf *out)
{
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        size_t n = strlen(it->string);
        const pbd_field *f = pbd_message_field_by_json_name(m, it->string, n);
        if (f == NULL)
            f = pbd_message_field_by_name(m, it->string, n);
        if (f == NULL)
            continue;
        char path[256];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->json_name);
        if (cJSON_IsObject(it) && f->type == PBD_TYPE_MESSAGE && !f->is_map &&
            f->message->wkt == PBD_WKT_NONE && f->label != PBD_LABEL_REPEATED && it->child) {
            if (mask_paths(it, f->message, path, out) != 0)
                return -1;
            continue;
        }
        if ((out->n != 0 && gb_buf_putc(out, ',') != 0) || gb_buf_append_str(out, path) != 0)
            return -1;
    }
    return 0;
}

/* PATCH with a body field and one FieldMask the client left empty: the mask lists the
 * fields the body sets (grpc-gateway's behaviour). */
static int fill_mask(gw_req *req, gw_tx *tx, const char *json, size_t n, gb_buf *wire, gb_err *err)
{
    const pbd_field *bf = body_field(tx);
    const pbd_field *mf = mask_field(tx->method->input);
    if (strcmp(req->method, "PATCH") != 0 || bf == NULL || mf == NULL ||
        bf->type != PBD_TYPE_MESSAGE || only_blanks(json, n))
        return 0;
    for (size_t i = 0; i < req->params.n; i++) {
        if (names_field(req->params.v[i].key, mf))
            return 0;
    }
    cJSON *root = cJSON_ParseWithLength(json, n);
    gb_buf paths;
    gb_buf_init(&paths, 64 * 1024);
    int rc = 0;
    if (cJSON_IsObject(root) && mask_paths(root, bf->message, "", &paths) == 0 && paths.n != 0)
        rc = pbd_text_to_wire(tx->method->input, mf->name, (const char *)paths.p, paths.n, wire,
                              err);
    cJSON_Delete(root);
    gb_buf_free(&paths);
    return rc;
}

/* Body, path and query parts as one record per embedded message (wire_merge.h). */
static int merge_parts(gw_tx *tx, gb_buf *wire, gb_err *err)
{
    gb_buf merged;
    gb_buf_init(&merged, wire->limit);
    int rc = gw_wire_merge(tx->method->input, gb_slice_of(wire->p, wire->n), &merged, 0);
    if (rc != 0) {
        gb_buf_free(&merged);
        return gb_err_set(err, rc, "request: %s", gb_strerror(rc));
    }
    gb_buf_free(wire);
    *wire = merged;
    return 0;
}

int gw_tx_encode(gw_req *req, gw_tx *tx, const char *json, size_t n, gb_buf *wire)
{
    const gw_schema *schema = req->schema;
    gb_err err = {0};
    int rc = 0;
    const char *bf = tx->body_field;
    if (bf != NULL && !only_blanks(json, n)) {
        if (strcmp(bf, "*") == 0)
            rc = pbd_json_to_wire(tx->method->input, json, n, &schema->in, wire, &err);
        else
            rc = pbd_json_to_wire_field(tx->method->input, bf, json, n, &schema->in, wire, &err);
    }
    if (rc == 0)
        rc = encode_params(req, tx, wire, &err);
    if (rc == 0)
        rc = fill_mask(req, tx, json, n, wire, &err);
    if (rc == 0 && tx->route.n_captures + req->params.n != 0)
        rc = merge_parts(tx, wire, &err);
    return rc != 0 ? codec_error(req, rc, &err) : 0;
}

/* ---- unary and server streaming: the body is buffered, then one message goes ---- */

static int send_whole(gw_req *req, bool first_message)
{
    gw_tx *tx = req->hstate;
    gb_buf wire;
    gb_buf_init(&wire, req->srv->cfg->max_body * 2);
    int rc = gw_tx_encode(req, tx, (const char *)req->body.p, req->body.n, &wire);
    /* The JSON is not needed again: a large body is not kept beside its wire bytes. */
    gb_buf_free(&req->body);
    if (rc == 0 && gw_call_start(tx->gc, req) != 0)
        rc = GW_ERR_UPSTREAM;
    if (rc == 0 && gcore_call_send_buf(tx->gc->call, &wire, true) != 0)
        rc = gw_req_reply_error(req, 503, GW_CODE_UNAVAILABLE, "the call could not be sent");
    gb_buf_free(&wire);
    if (rc != 0)
        return GW_REPLY_NOW;
    return gw_call_wait(tx->gc, first_message) ? GW_REPLY_NOW : GW_REPLY_LATER;
}

static int unary_complete(gw_req *req)
{
    return send_whole(req, false);
}

static int stream_complete(gw_req *req)
{
    return send_whole(req, true);
}

static void unary_resume(gw_req *req)
{
    gw_tx *tx = req->hstate;
    if (req->reply.status == 0)
        gw_reply_from_call(req, tx->gc);
}

/* The first message or the end is in: an error before any message is a plain error
 * reply with its mapped status; anything else starts the chunked stream. */
static void stream_resume(gw_req *req)
{
    gw_tx *tx = req->hstate;
    gw_call *gc = tx->gc;
    if (req->reply.status != 0)
        return;
    bool failed = gc->done && gc->head == NULL && gc->status.code != GCORE_STATUS_OK;
    if (failed) {
        gw_reply_from_call(req, gc);
        return;
    }
    gw_stream_begin(req, tx);
}

static void tx_finish(gw_req *req, bool ok)
{
    gw_tx *tx = req->hstate;
    if (tx->split_on)
        gw_split_free(&tx->split);
    gb_buf_free(&tx->out);
    if (tx->gc != NULL)
        gw_call_detach(tx->gc, ok);
    tx->gc = NULL;
}

static const gw_handler unary = {"unary", NULL, unary_complete, unary_resume, tx_finish};
static const gw_handler server_stream = {"server-stream", NULL, stream_complete, stream_resume,
                                         tx_finish};

/* ---- client and bidi streaming: each object is sent as soon as it is read ---- */

static int send_one(void *user_data, const char *json, size_t n)
{
    gw_req *req = user_data;
    gw_tx *tx = req->hstate;
    gb_buf wire;
    gb_buf_init(&wire, req->srv->cfg->max_body * 2);
    int rc = gw_tx_encode(req, tx, json, n, &wire);
    if (rc == 0 && gcore_call_send_buf(tx->gc->call, &wire, false) != 0)
        rc = gw_req_reply_error(req, 503, GW_CODE_UNAVAILABLE, "the call could not be sent");
    gb_buf_free(&wire);
    return rc != 0 ? GW_ERR_REQUEST : 0;
}

static int split_error(gw_req *req, int rc, const gb_err *err)
{
    if (req->reply.status != 0) /* send_one replied already */
        return rc;
    if (rc == GB_ERR_LIMIT)
        gw_req_reply_error(req, 413, GW_CODE_RESOURCE_EXHAUSTED, err->msg);
    else
        gw_req_reply_error(req, 400, GW_CODE_INVALID_ARGUMENT, err->msg);
    return rc;
}

static int client_body(gw_req *req, const char *data, size_t n)
{
    gw_tx *tx = req->hstate;
    gb_err err = {0};
    int rc = gw_split_feed(&tx->split, data, n, send_one, req, &err);
    return rc != 0 ? split_error(req, rc, &err) : 0;
}

static int client_complete(gw_req *req)
{
    gw_tx *tx = req->hstate;
    gb_err err = {0};
    int rc = gw_split_finish(&tx->split, &err);
    if (rc != 0) {
        split_error(req, rc, &err);
        return GW_REPLY_NOW;
    }
    gcore_call_half_close(tx->gc->call);
    return gw_call_wait(tx->gc, tx->method->server_streaming) ? GW_REPLY_NOW : GW_REPLY_LATER;
}

static const gw_handler client_stream = {"client-stream", client_body, client_complete,
                                         unary_resume, tx_finish};
static const gw_handler bidi_stream = {"bidi-stream", client_body, client_complete, stream_resume,
                                       tx_finish};

/* ---- routing ---- */

static const char *join_allowed(gw_req *req, const pbd_route *r)
{
    gb_buf b;
    gb_buf_init(&b, 4096);
    for (size_t i = 0; i < r->n_allowed; i++) {
        if (i != 0)
            gb_buf_append_str(&b, ", ");
        gb_buf_append_str(&b, r->allowed[i]);
    }
    const char *s = gb_arena_strndup(&req->arena, (const char *)b.p, b.n);
    gb_buf_free(&b);
    return s != NULL ? s : "";
}

int gw_app_allowed(gw_req *req, const char **allow)
{
    const gw_schema *schema = req->schema;
    pbd_route r;
    int rc = pbd_router_match(schema->router, "OPTIONS", req->raw_path, strlen(req->raw_path),
                              &req->arena, &r);
    if (rc == PBD_ERR_METHOD) {
        *allow = join_allowed(req, &r);
        return 0;
    }
    *allow = "OPTIONS";
    return rc == 0 ? 0 : GW_ERR_NO_ROUTE;
}

static int out_of_memory(gw_req *req)
{
    gw_req_reply_error(req, 500, GW_CODE_INTERNAL, "out of memory");
    return GW_ERR_NOMEM;
}

static const gw_handler *pick(const pbd_method *m)
{
    if (m->client_streaming)
        return m->server_streaming ? &bidi_stream : &client_stream;
    return m->server_streaming ? &server_stream : &unary;
}

int gw_app_route(gw_req *req, const gw_handler **h, const char **allow)
{
    const gw_schema *schema = req->schema;
    gb_err err = {0};
    gw_tx *tx = gb_arena_calloc(&req->arena, 1, sizeof *tx);
    if (tx == NULL)
        return out_of_memory(req);
    int rc = pbd_router_match(schema->router, req->method, req->raw_path, strlen(req->raw_path),
                              &req->arena, &tx->route);
    if (rc == PBD_ERR_METHOD) {
        *allow = join_allowed(req, &tx->route);
        return GW_ERR_METHOD;
    }
    if (rc != 0)
        return GW_ERR_NO_ROUTE;
    if (gw_query_parse(req->query, &req->arena, &req->params, &err) != 0) {
        gw_req_reply_error(req, 400, GW_CODE_INVALID_ARGUMENT, err.msg);
        return GW_ERR_REQUEST;
    }
    req->pretty = gw_query_find(&req->params, "pretty") != NULL;
    tx->method = tx->route.rule->method;
    tx->body_field = tx->route.unbound ? "*" : tx->route.rule->body;
    gb_buf_init(&tx->out, 0);
    req->rpc = tx->method->path;
    tx->gc = gw_call_new(req->srv->app, req, tx->method, tx->route.unbound ? NULL : tx->route.rule);
    if (tx->gc == NULL)
        return out_of_memory(req);
    req->hstate = tx;
    *h = pick(tx->method);
    if (tx->method->client_streaming) {
        gw_split_init(&tx->split, req->srv->cfg->max_body);
        tx->split_on = true;
        if (gw_call_start(tx->gc, req) != 0) {
            gw_call_detach(tx->gc, false);
            tx->gc = NULL;
            gw_split_free(&tx->split);
            return GW_ERR_UPSTREAM;
        }
    }
    return 0;
}
