/* One OpenAPI operation per HTTP route of a method: parameters, bodies, responses. */
#include "oas_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

static bool v2(const oas_ctx *c)
{
    return c->opts->format == OAS_FORMAT_2_0;
}

static const char stream_note[] =
    "A stream of messages. As application/x-ndjson: one JSON object per line, "
    "{\"result\": <message>} for each message and {\"error\": <google.rpc.Status>} when "
    "the call fails after the first one. As text/event-stream (Accept: text/event-stream): "
    "one event per message, its data the message; a failure is an `error` event whose "
    "data is the google.rpc.Status.";
static const char raw_note[] = "The data of the google.api.HttpBody reply, served with "
                               "its content type.";
static const char raw_stream_note[] =
    "The data of the google.api.HttpBody messages one after the other, served with the "
    "first message's content type.";
static const char client_stream_note[] =
    "A stream of request messages: JSON objects one after the other (newline-delimited); "
    "the end of the body ends the stream.";

static bool has_key(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

/* Keys a Swagger 2.0 non-body parameter (and its items) may carry. */
static void copy_v2_keys(oas_ctx *c, cJSON *dst, const cJSON *schema)
{
    static const char *const keys[] = {"type", "format", "enum", "pattern"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(schema, keys[i]);
        if (v != NULL)
            oas_set(c, dst, keys[i], cJSON_Duplicate(v, true));
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
    if (items != NULL)
        copy_v2_keys(c, oas_obj(c, dst, "items"), items);
}

/* A path or query parameter; takes |schema|. */
static void add_param(oas_ctx *c, cJSON *params, const char *name, bool in_path, cJSON *schema,
                      const pbd_field *leaf)
{
    cJSON *p = cJSON_CreateObject();
    oas_push(c, params, p);
    oas_str(c, p, "name", name);
    oas_str(c, p, "in", in_path ? "path" : "query");
    oas_str_take(c, p, "description", oas_comment_text(leaf->comment));
    oas_set(c, p, "required", cJSON_CreateBool(in_path));
    if (leaf->deprecated)
        oas_true(c, p, v2(c) ? "x-deprecated" : "deprecated");
    bool array = cJSON_GetObjectItemCaseSensitive(schema, "items") != NULL;
    if (v2(c)) {
        copy_v2_keys(c, p, schema);
        if (array)
            oas_str(c, p, "collectionFormat", "multi");
        cJSON_Delete(schema);
        return;
    }
    oas_set(c, p, "schema", schema);
    if (array) {
        oas_str(c, p, "style", "form");
        oas_true(c, p, "explode");
    }
}

/* The field a dotted proto-name path leads to from |m|, or NULL. */
static const pbd_field *resolve(const pbd_message *m, const char *path, size_t len)
{
    const pbd_field *f = NULL;
    while (m != NULL) {
        const char *dot = memchr(path, '.', len);
        size_t seg = dot ? (size_t)(dot - path) : len;
        f = pbd_message_field_by_name(m, path, seg);
        if (f == NULL || dot == NULL)
            return f;
        m = f->message;
        path += seg + 1;
        len -= seg + 1;
    }
    return NULL;
}

static int path_params(oas_ctx *c, cJSON *params, const pbd_method *m, const oas_path_var *vars,
                       size_t n_vars)
{
    for (size_t i = 0; i < n_vars; i++) {
        const oas_path_var *v = &vars[i];
        const pbd_field *f = resolve(m->input, v->field, v->field_len);
        cJSON *schema = f != NULL ? oas_schema_param(c, f) : NULL;
        if (schema == NULL) {
            if (c->nomem)
                return OAS_ERR_NOMEM;
            return gb_err_set(c->err, OAS_ERR_POOL, "%s: path variable %.*s: no scalar field",
                              m->full_name, (int)v->field_len, v->field);
        }
        gb_buf re;
        gb_buf_init(&re, 0);
        if (oas_var_pattern(v, &re) != 0)
            c->nomem = true;
        else if (re.n > 0)
            oas_str(c, schema, "pattern", (const char *)re.p);
        gb_buf_free(&re);
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)v->field_len, v->field);
        add_param(c, params, name, true, schema, f);
    }
    return 0;
}

/* Query parameters: every field the path and body leave unbound, nested messages as
 * dotted names, stopping where a message recurses. */
typedef struct query_walk {
    oas_ctx *c;
    cJSON *params;
    const oas_path_var *vars;
    size_t n_vars;
    const char *body_field;
    const pbd_message *stack[MAX_DEPTH];
    size_t depth;
    char proto[512]; /* dotted proto-name path of the current prefix */
    char name[512];  /* the same with the output names */
} query_walk;

static bool bound_by_path(const query_walk *w, const char *proto)
{
    for (size_t i = 0; i < w->n_vars; i++) {
        if (strlen(proto) == w->vars[i].field_len &&
            memcmp(proto, w->vars[i].field, w->vars[i].field_len) == 0)
            return true;
    }
    return false;
}

static bool on_stack(const query_walk *w, const pbd_message *m)
{
    for (size_t i = 0; i < w->depth; i++) {
        if (w->stack[i] == m)
            return true;
    }
    return false;
}

static void query_field(query_walk *w, const pbd_field *f);

static void query_message(query_walk *w, const pbd_message *m)
{
    if (w->depth == MAX_DEPTH || on_stack(w, m))
        return;
    w->stack[w->depth++] = m;
    size_t proto_len = strlen(w->proto), name_len = strlen(w->name);
    for (size_t i = 0; i < m->n_fields; i++) {
        const pbd_field *f = &m->fields[i];
        snprintf(w->proto + proto_len, sizeof(w->proto) - proto_len, "%s%s", proto_len ? "." : "",
                 f->name);
        snprintf(w->name + name_len, sizeof(w->name) - name_len, "%s%s", name_len ? "." : "",
                 oas_field_name(w->c, f));
        if (w->depth == 1 && w->body_field != NULL && strcmp(f->name, w->body_field) == 0)
            continue;
        if (!bound_by_path(w, w->proto))
            query_field(w, f);
    }
    w->proto[proto_len] = '\0';
    w->name[name_len] = '\0';
    w->depth--;
}

static void query_field(query_walk *w, const pbd_field *f)
{
    oas_ctx *c = w->c;
    if (f->message != NULL && f->message->wkt == PBD_WKT_NONE && !f->is_map) {
        if (f->label != PBD_LABEL_REPEATED)
            query_message(w, f->message);
        return;
    }
    cJSON *schema = oas_schema_param(c, f);
    if (schema == NULL)
        return;
    if (f->label == PBD_LABEL_REPEATED) {
        cJSON *arr = cJSON_CreateObject();
        oas_str(c, arr, "type", "array");
        oas_set(c, arr, "items", schema);
        schema = arr;
    }
    add_param(c, w->params, w->name, false, schema, f);
}

/* The schema of the request body into |*out| (NULL for none). */
static int body_schema(oas_ctx *c, const pbd_method *m, const char *body, const oas_path_var *vars,
                       size_t n_vars, cJSON **out)
{
    *out = NULL;
    if (body == NULL)
        return 0;
    if (strcmp(body, "*") == 0) {
        *out = oas_schema_message_without(c, m->input, vars, n_vars);
    } else {
        const pbd_field *f = pbd_message_field_by_name(m->input, body, strlen(body));
        if (f == NULL)
            return gb_err_set(c->err, OAS_ERR_POOL, "%s: body field %s: no such field",
                              m->full_name, body);
        *out = oas_schema_field(c, f);
    }
    return *out == NULL ? OAS_ERR_NOMEM : 0;
}

static void add_body(oas_ctx *c, cJSON *op, cJSON *params, const pbd_method *m, cJSON *schema)
{
    const char *note = m->client_streaming ? client_stream_note : NULL;
    if (v2(c)) {
        cJSON *p = cJSON_CreateObject();
        oas_push(c, params, p);
        oas_str(c, p, "name", "body");
        oas_str(c, p, "in", "body");
        if (note != NULL)
            oas_str(c, p, "description", note);
        oas_true(c, p, "required");
        oas_set(c, p, "schema", schema);
        if (m->client_streaming) {
            cJSON *consumes = oas_arr(c, op, "consumes");
            oas_push(c, consumes, cJSON_CreateString("application/json"));
            oas_push(c, consumes, cJSON_CreateString("application/x-ndjson"));
        }
        return;
    }
    cJSON *rb = oas_obj(c, op, "requestBody");
    if (note != NULL)
        oas_str(c, rb, "description", note);
    oas_true(c, rb, "required");
    cJSON *content = oas_obj(c, rb, "content");
    if (m->client_streaming)
        oas_set(c, oas_obj(c, content, "application/x-ndjson"), "schema",
                cJSON_Duplicate(schema, true));
    oas_set(c, oas_obj(c, content, "application/json"), "schema", schema);
}

/* One media type of a response and its schema; 2.0 has one schema per response, the
 * first given, and lists the media types in the operation's "produces". */
static void add_media(oas_ctx *c, cJSON *op, cJSON *resp, const char *media, cJSON *schema)
{
    if (!v2(c)) {
        cJSON *content = cJSON_GetObjectItemCaseSensitive(resp, "content");
        content = content != NULL ? content : oas_obj(c, resp, "content");
        oas_set(c, oas_obj(c, content, media), "schema", schema);
        return;
    }
    if (has_key(resp, "schema"))
        cJSON_Delete(schema);
    else
        oas_set(c, resp, "schema", schema);
    if (strcmp(media, "application/json") == 0)
        return;
    cJSON *produces = cJSON_GetObjectItemCaseSensitive(op, "produces");
    produces = produces != NULL ? produces : oas_arr(c, op, "produces");
    oas_push(c, produces, cJSON_CreateString(media));
}

static cJSON *binary_schema(oas_ctx *c)
{
    cJSON *s = cJSON_CreateObject();
    oas_str(c, s, "type", "string");
    oas_str(c, s, "format", "binary");
    return s;
}

/* The message the reply body is made of, NULL for a scalar or repeated response_body. */
static const pbd_message *reply_message(const pbd_method *m, const pbd_field *f)
{
    if (f == NULL)
        return m->output;
    return f->label == PBD_LABEL_REPEATED ? NULL : f->message;
}

/* 200: the reply (a google.api.HttpBody is written raw, with its own content type),
 * a stream of replies, or one JSON reply; default: the error. */
static int add_responses(oas_ctx *c, cJSON *op, const pbd_method *m, const char *response_body)
{
    const pbd_field *f = NULL;
    if (response_body != NULL) {
        f = pbd_message_field_by_name(m->output, response_body, strlen(response_body));
        if (f == NULL)
            return gb_err_set(c->err, OAS_ERR_POOL, "%s: response_body %s: no such field",
                              m->full_name, response_body);
    }
    const pbd_message *reply = reply_message(m, f);
    bool raw = reply != NULL && strcmp(reply->full_name, "google.api.HttpBody") == 0 &&
               (!m->server_streaming || f == NULL);
    cJSON *responses = oas_obj(c, op, "responses");
    cJSON *ok = oas_obj(c, responses, "200");
    if (raw) {
        oas_str(c, ok, "description", m->server_streaming ? raw_stream_note : raw_note);
        add_media(c, op, ok, "*/*", binary_schema(c));
    } else {
        cJSON *schema = f != NULL ? oas_schema_field(c, f) : oas_schema_message(c, m->output);
        if (m->server_streaming) {
            cJSON *wrap = cJSON_CreateObject();
            oas_str(c, wrap, "type", "object");
            cJSON *props = oas_obj(c, wrap, "properties");
            oas_set(c, props, "result", cJSON_Duplicate(schema, true));
            oas_set(c, props, "error", oas_schema_status_ref(c));
            oas_str(c, ok, "description", stream_note);
            add_media(c, op, ok, "application/x-ndjson", wrap);
            add_media(c, op, ok, "text/event-stream", schema);
        } else {
            oas_str(c, ok, "description", "A successful response.");
            add_media(c, op, ok, "application/json", schema);
        }
    }
    cJSON *fail = oas_obj(c, responses, "default");
    oas_str(c, fail, "description", "An error response (google.rpc.Status).");
    add_media(c, op, fail, "application/json", oas_schema_status_ref(c));
    return 0;
}

/* "Greeter_SayHello", "Greeter_SayHello2" for the second binding, then "_2", "_3"...
 * until unused in the document. */
static void operation_id(oas_ctx *c, const pbd_method *m, size_t binding, char *out, size_t size)
{
    char base[256];
    if (binding == 0)
        snprintf(base, sizeof(base), "%s_%s", m->service->name, m->name);
    else
        snprintf(base, sizeof(base), "%s_%s%zu", m->service->name, m->name, binding + 1);
    snprintf(out, size, "%s", base);
    for (int k = 2; cJSON_GetObjectItemCaseSensitive(c->op_ids, out) != NULL; k++)
        snprintf(out, size, "%s_%d", base, k);
    oas_true(c, c->op_ids, out);
}

/* The operation key of a verb, or NULL for custom verbs OpenAPI has no place for. */
static const char *verb_key(const oas_ctx *c, const char *verb, char *buf, size_t size)
{
    static const char *const verbs[] = {"get",     "put",  "post",  "delete",
                                        "options", "head", "patch", "trace"};
    size_t n = strnlen(verb, size);
    if (n == size)
        return NULL;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)verb[i]);
    buf[n] = '\0';
    size_t known = sizeof(verbs) / sizeof(verbs[0]) - (v2(c) ? 1 : 0);
    for (size_t i = 0; i < known; i++) {
        if (strcmp(buf, verbs[i]) == 0)
            return buf;
    }
    return NULL;
}

static void describe(oas_ctx *c, cJSON *op, const pbd_method *m, const char *tag, size_t binding)
{
    cJSON *tags = oas_arr(c, op, "tags");
    oas_push(c, tags, cJSON_CreateString(tag));
    char *summary, *description;
    if (oas_comment_split(m->comment, &summary, &description) != 0)
        c->nomem = true;
    oas_str_take(c, op, "summary", summary);
    oas_str_take(c, op, "description", description);
    char id[300];
    operation_id(c, m, binding, id, sizeof(id));
    oas_str(c, op, "operationId", id);
    if (m->deprecated || m->service->deprecated)
        oas_true(c, op, "deprecated");
}

/* The route of |rule| (NULL: the method's own POST /pkg.Service/Method). */
static int add_route(oas_ctx *c, cJSON *paths, const pbd_method *m, const char *tag,
                     const pbd_http_rule *rule, size_t binding)
{
    oas_path_var vars[OAS_MAX_PATH_VARS];
    size_t n_vars = 0;
    gb_buf path;
    gb_buf_init(&path, 0);
    int rc = rule != NULL ? oas_rule_vars(c, rule, vars, &n_vars, &path)
                          : gb_buf_append(&path, m->path, strlen(m->path) + 1);
    char vbuf[16];
    const char *verb = verb_key(c, rule != NULL ? rule->verb : "POST", vbuf, sizeof(vbuf));
    cJSON *item = NULL;
    if (rc == 0 && verb != NULL) {
        item = cJSON_GetObjectItemCaseSensitive(paths, (const char *)path.p);
        item = item != NULL ? item : oas_obj(c, paths, (const char *)path.p);
    }
    gb_buf_free(&path);
    /* A verb OpenAPI lacks, or a route an earlier method took: not reachable as such. */
    if (rc != 0 || item == NULL || cJSON_GetObjectItemCaseSensitive(item, verb) != NULL)
        return c->nomem ? OAS_ERR_NOMEM : rc;
    cJSON *op = oas_obj(c, item, verb);
    describe(c, op, m, tag, binding);
    cJSON *params = oas_arr(c, op, "parameters");
    rc = path_params(c, params, m, vars, n_vars);
    const char *body = rule != NULL ? rule->body : "*";
    if (rc == 0 && (body == NULL || strcmp(body, "*") != 0)) {
        query_walk w = {
            .c = c, .params = params, .vars = vars, .n_vars = n_vars, .body_field = body};
        query_message(&w, m->input);
    }
    cJSON *schema = NULL;
    if (rc == 0)
        rc = body_schema(c, m, body, vars, n_vars, &schema);
    if (schema != NULL)
        add_body(c, op, params, m, schema);
    if (rc == 0)
        rc = add_responses(c, op, m, rule != NULL ? rule->response_body : NULL);
    if (params != NULL && params->child == NULL)
        cJSON_DeleteItemFromObjectCaseSensitive(op, "parameters");
    return rc;
}

int oas_add_service_paths(oas_ctx *c, cJSON *paths, const pbd_service *s, const char *tag)
{
    for (size_t i = 0; i < s->n_methods; i++) {
        const pbd_method *m = &s->methods[i];
        int rc = 0;
        if (m->n_rules == 0)
            rc = add_route(c, paths, m, tag, NULL, 0);
        for (size_t r = 0; rc == 0 && r < m->n_rules; r++)
            rc = add_route(c, paths, m, tag, &m->rules[r], r);
        if (rc != 0)
            return rc;
    }
    return c->nomem ? OAS_ERR_NOMEM : 0;
}
