/* Reply mapping (see reply_grpc.h). */
#include "reply_grpc.h"

#include "headers.h"
#include "log.h"
#include "server.h"
#include "status_map.h"
#include "wire_scan.h"

#include <base/base64.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HTTPBODY[] = "google.api.HttpBody";

/* Concatenates the payloads of every record of field |number| (merge semantics). */
static int field_payloads(gb_slice msg, uint32_t number, bool records, gb_buf *out)
{
    gw_wire_field f;
    int rc;
    while ((rc = gw_wire_next(&msg, &f)) == 1) {
        if (f.number != number)
            continue;
        gb_slice s = records ? f.record : f.payload;
        if (!records && f.type != GW_WIRE_LEN)
            return -1;
        if (gb_buf_append(out, s.p, s.n) != 0)
            return -1;
    }
    return rc;
}

static int http_body(gb_slice msg, gb_buf *out, char ctype[GW_CTYPE_MAX])
{
    gw_wire_field f;
    int rc;
    snprintf(ctype, GW_CTYPE_MAX, "application/octet-stream");
    while ((rc = gw_wire_next(&msg, &f)) == 1) {
        if (f.type != GW_WIRE_LEN)
            continue;
        if (f.number == 2 && gb_buf_append(out, f.payload.p, f.payload.n) != 0)
            return -1;
        if (f.number == 1 && f.payload.n > 0 && f.payload.n < GW_CTYPE_MAX &&
            memchr(f.payload.p, 0, f.payload.n) == NULL) {
            memcpy(ctype, f.payload.p, f.payload.n);
            ctype[f.payload.n] = '\0';
        }
    }
    return rc;
}

int gw_message_json(const gw_schema *schema, const pbd_method *m, const pbd_http_rule *rule,
                    gb_slice msg, bool pretty, gb_buf *out, char ctype[GW_CTYPE_MAX], gb_err *err)
{
    const pbd_message *type = m->output;
    gb_buf sub;
    int rc = 0;
    gb_buf_init(&sub, 0);
    ctype[0] = '\0';
    const pbd_field *f = NULL;
    if (rule != NULL && rule->response_body != NULL)
        f = pbd_message_field_by_name(type, rule->response_body, strlen(rule->response_body));
    if (f != NULL && f->type == PBD_TYPE_MESSAGE && f->label != PBD_LABEL_REPEATED) {
        rc = field_payloads(msg, f->number, false, &sub) < 0 ? PBD_ERR_WIRE : 0;
        msg = gb_slice_of(sub.p, sub.n);
        type = f->message;
        f = NULL;
    }
    if (rc != 0) {
        gb_err_set(err, rc, "reply: malformed %s", type->full_name);
    } else if (strcmp(type->full_name, HTTPBODY) == 0) {
        rc = http_body(msg, out, ctype) < 0 ? PBD_ERR_WIRE : 0;
        if (rc != 0)
            gb_err_set(err, rc, "reply: malformed %s", HTTPBODY);
    } else if (f != NULL) { /* a scalar, repeated or map response_body */
        pbd_json_opts o = schema->out;
        o.indent = pretty ? 2 : 0;
        rc = pbd_wire_to_json_field(type, f->name, msg, &o, out, err);
    } else {
        pbd_json_opts o = schema->out;
        o.indent = pretty ? 2 : 0;
        rc = pbd_wire_to_json(type, msg, &o, out, err);
    }
    gb_buf_free(&sub);
    return rc;
}

/* An Any the pool cannot decode: {"@type":url,"value":"<base64>"}. */
static int any_fallback(gb_slice any, gb_buf *out)
{
    gw_wire_field f;
    gb_slice url = {0}, value = {0};
    while (gw_wire_next(&any, &f) == 1) {
        if (f.number == 1 && f.type == GW_WIRE_LEN)
            url = f.payload;
        else if (f.number == 2 && f.type == GW_WIRE_LEN)
            value = f.payload;
    }
    int rc = gb_buf_append_str(out, "{\"@type\":");
    if (rc == 0)
        rc = gw_json_quote(out, (const char *)url.p, url.n);
    if (rc == 0)
        rc = gb_buf_append_str(out, ",\"value\":\"");
    if (rc == 0)
        rc = gb_buf_reserve(out, gb_base64_encoded_len(value.n) + 2);
    if (rc == 0)
        out->n += gb_base64_encode(value.p, value.n, (char *)out->p + out->n);
    return rc == 0 ? gb_buf_append_str(out, "\"}") : rc;
}

static int details_json(const gw_schema *schema, gb_slice status, gb_buf *out)
{
    gw_wire_field f;
    bool first = true;
    int rc = 0;
    pbd_json_opts o = schema->out;
    o.indent = 0;
    while (rc == 0 && gw_wire_next(&status, &f) == 1) {
        if (f.number != 3 || f.type != GW_WIRE_LEN)
            continue;
        if (!first && (rc = gb_buf_putc(out, ',')) != 0)
            break;
        first = false;
        size_t mark = out->n;
        gb_err err = {0};
        if (schema->any_type != NULL &&
            pbd_wire_to_json(schema->any_type, f.payload, &o, out, &err) == 0)
            continue;
        out->n = mark;
        rc = any_fallback(f.payload, out);
    }
    return rc;
}

int gw_status_json(const gw_schema *schema, const gcore_status *st, gb_buf *out)
{
    int rc = gb_buf_printf(out, "{\"code\":%d,\"message\":", (int)st->code);
    if (rc == 0)
        rc = gw_json_quote(out, st->message, strlen(st->message));
    if (rc == 0)
        rc = gb_buf_append_str(out, ",\"details\":[");
    if (rc == 0 && st->details != NULL)
        rc = details_json(schema, gb_slice_of(st->details, st->details_len), out);
    return rc == 0 ? gb_buf_append_str(out, "]}") : rc;
}

void gw_reply_status(gw_req *req, const gw_schema *schema, const gcore_status *st)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    int status = gw_status_http_from_grpc((int)st->code);
    /* A backend that ends a reply without grpc-status is broken, not the client: 502. */
    if (st->no_grpc_status)
        status = 502;
    if (gw_status_json(schema, st, &b) == 0)
        gw_req_reply_json(req, status, (const char *)b.p, b.n);
    else
        gw_req_reply_error(req, status, (int)st->code, st->message);
    gb_buf_free(&b);
    if (status == 401)
        gw_req_add_header(req, "WWW-Authenticate", st->message[0] ? st->message : "Bearer");
    req->grpc_status = (int)st->code;
}

static void add_metadata(gw_req *req, const gcore_metadata *md, bool trailer)
{
    for (size_t i = 0; i < md->n; i++) {
        const char *name, *value;
        if (gw_headers_map_response(md->v[i].key, md->v[i].value, md->v[i].value_len, trailer,
                                    &req->arena, &name, &value) == 0 &&
            name != NULL)
            gw_req_add_header(req, name, value);
    }
}

void gw_reply_metadata(gw_req *req, gw_call *gc, bool trailers)
{
    add_metadata(req, &gc->headers, false);
    if (trailers)
        add_metadata(req, &gc->trailers, true);
}

/* UNAVAILABLE from the transport says what failed; the reply also names the backend. */
static void name_backend(gw_call *gc, gcore_status *st)
{
    const char *target = gw_schema_target(gc->schema, gc->method->service);
    bool unreachable = gc->unreachable;
    if (!unreachable || target == NULL || strstr(st->message, target))
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "backend %s: %s", target,
             st->message[0] ? st->message : "unavailable");
    gcore_status_set(st, st->code, msg);
}

/* Whether |n| more bytes fit under the request arena's cap. */
static bool arena_room(const gb_arena *a, size_t n)
{
    return a->cap == 0 || (a->reserved <= a->cap && n <= a->cap - a->reserved);
}

/* The JSON of |m| is the reply body as it was written: the arena takes the buffer
 * (within its cap) instead of a copy, so a large reply is not held twice. */
static void reply_message(gw_req *req, gw_call *gc, const gw_msg *m)
{
    gb_buf b;
    char ctype[GW_CTYPE_MAX];
    gb_err err = {0};
    gb_buf_init(&b, 0);
    if (gw_message_json(gc->schema, gc->method, gc->rule, gb_slice_of(m->data, m->len), req->pretty,
                        &b, ctype, &err) != 0) {
        GW_LOG(GW_LOG_WARN, "%s: %s", gc->method->path, err.msg);
        gw_req_reply_error(req, 502, GW_CODE_INTERNAL, err.msg);
    } else if (!arena_room(&req->arena, b.n) ||
               (b.p != NULL && gb_arena_defer(&req->arena, free, b.p) != 0)) {
        gw_req_reply_error(req, 502, GW_CODE_RESOURCE_EXHAUSTED, "reply too large");
    } else {
        char *ct = ctype[0] ? gb_arena_strndup(&req->arena, ctype, strlen(ctype)) : NULL;
        gw_req_reply_raw(req, 200, ct != NULL ? ct : "application/json",
                         b.p != NULL ? (const void *)b.p : "", b.n);
        return; /* the arena frees |b| */
    }
    gb_buf_free(&b);
}

void gw_reply_from_call(gw_req *req, gw_call *gc)
{
    gcore_status st;
    gcore_status_init(&st);
    gcore_status_copy(&st, &gc->status);
    gw_msg *m = st.code == GCORE_STATUS_OK ? gw_call_pop(gc) : NULL;
    if (st.code == GCORE_STATUS_OK && m == NULL)
        gcore_status_set(&st, GCORE_STATUS_INTERNAL, "the backend sent no reply message");
    req->grpc_status = (int)st.code;
    if (st.code != GCORE_STATUS_OK) {
        name_backend(gc, &st);
        gw_reply_status(req, gc->schema, &st);
    } else {
        reply_message(req, gc, m);
    }
    free(m);
    gcore_status_clear(&st);
    gw_reply_metadata(req, gc, true);
}
