/*
 * google.api.http rules: read from the MethodOptions extension 72295728 (which
 * protobuf-c keeps among the options' unknown fields), compiled and checked against
 * the method's types as google/api/http.proto prescribes.
 */
#include "pool_int.h"

#include <descriptors/path_template.h>

#include "google/api/http.pb-c.h"

#include <string.h>

#define HTTP_EXTENSION 72295728u

typedef Google__Api__HttpRule http_rule;

typedef struct rule_ctx {
    pbd_builder *b;
    const pbd_raw_file *rf;
    pbd_method *m;
} rule_ctx;

static int nomem(pbd_builder *b)
{
    return gb_err_set(b->err, PBD_ERR_NOMEM, "out of memory");
}

/*
 * The extension's payload; protobuf-c stores a length-delimited unknown field with its
 * length prefix, and a field repeated on the wire is merged, so the payloads join.
 */
static int extension_bytes(const Google__Protobuf__MethodOptions *o, gb_buf *out)
{
    for (unsigned i = 0; o != NULL && i < o->base.n_unknown_fields; i++) {
        const ProtobufCMessageUnknownField *u = &o->base.unknown_fields[i];
        if (u->tag != HTTP_EXTENSION)
            continue;
        if (u->wire_type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED)
            return -1;
        size_t at = 0, len = 0;
        for (unsigned shift = 0; at < u->len && shift < 64; shift += 7) {
            len |= (size_t)(u->data[at] & 0x7f) << shift;
            if ((u->data[at++] & 0x80) == 0)
                break;
        }
        if (at > u->len || u->len - at != len || gb_buf_append(out, u->data + at, len) != 0)
            return -1;
    }
    return 0;
}

static int fail(rule_ctx *c, int code, const char *what, const char *detail)
{
    return pbd_build_fail(c->b, c->rf, code, c->m->full_name, "google.api.http: %s%s", what,
                          detail);
}

/* The message of the field at |path| ("a.b.c"): singular messages along the way, and a
 * singular non-message field at the end (http.proto: no repeated or map fields). */
static int check_variable(rule_ctx *c, const char *path)
{
    const pbd_message *msg = c->m->input;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
        const pbd_field *f = pbd_message_field_by_name(msg, p, n);
        if (f == NULL)
            return fail(c, PBD_ERR_RULE, "path variable names no field: ", path);
        if (f->label == PBD_LABEL_REPEATED)
            return fail(c, PBD_ERR_RULE, "path variable names a repeated field: ", path);
        if (dot == NULL) {
            if (f->type == PBD_TYPE_MESSAGE)
                return fail(c, PBD_ERR_RULE, "path variable names a message field: ", path);
            return 0;
        }
        if (f->type != PBD_TYPE_MESSAGE)
            return fail(c, PBD_ERR_RULE, "path variable goes through a non-message field: ", path);
        msg = f->message;
        p = dot + 1;
    }
}

static int check_top_field(rule_ctx *c, const pbd_message *msg, const char *name, bool request)
{
    const pbd_field *f = pbd_message_field_by_name(msg, name, strlen(name));
    if (f == NULL)
        return fail(c, PBD_ERR_RULE,
                    request ? "body names no top-level request field: "
                            : "response_body names no top-level response field: ",
                    name);
    if (request && f->label == PBD_LABEL_REPEATED)
        return fail(c, PBD_ERR_RULE, "body names a repeated field: ", name);
    return 0;
}

static const char *pattern_of(const http_rule *r, const char **path)
{
    switch (r->pattern_case) {
    case GOOGLE__API__HTTP_RULE__PATTERN_GET:
        *path = r->get;
        return "GET";
    case GOOGLE__API__HTTP_RULE__PATTERN_PUT:
        *path = r->put;
        return "PUT";
    case GOOGLE__API__HTTP_RULE__PATTERN_POST:
        *path = r->post;
        return "POST";
    case GOOGLE__API__HTTP_RULE__PATTERN_DELETE:
        *path = r->delete_;
        return "DELETE";
    case GOOGLE__API__HTTP_RULE__PATTERN_PATCH:
        *path = r->patch;
        return "PATCH";
    case GOOGLE__API__HTTP_RULE__PATTERN_CUSTOM:
        *path = r->custom != NULL ? r->custom->path : NULL;
        return r->custom != NULL && r->custom->kind != NULL && r->custom->kind[0] != '\0'
                   ? r->custom->kind
                   : NULL;
    default:
        return NULL;
    }
}

static const char *opt_str(pbd_builder *b, const char *s)
{
    return s == NULL || s[0] == '\0' ? NULL : pbd_build_str(b, s);
}

static int build_rule(rule_ctx *c, const http_rule *r, pbd_http_rule *out, bool additional)
{
    pbd_builder *b = c->b;
    const char *path = NULL;
    const char *verb = pattern_of(r, &path);
    if (verb == NULL)
        return fail(c, PBD_ERR_RULE, "no HTTP method (get, put, post, delete, patch, custom)", "");
    if (additional && r->n_additional_bindings > 0)
        return fail(c, PBD_ERR_RULE, "additional_bindings nested in additional_bindings", "");
    gb_err terr = {0};
    if (pbd_template_parse(path != NULL ? path : "", SIZE_MAX, &b->pool->arena, &out->tmpl,
                           &terr) != 0)
        return terr.code == PBD_ERR_NOMEM ? nomem(b) : fail(c, PBD_ERR_TEMPLATE, "", terr.msg);
    out->verb = pbd_build_str(b, verb);
    out->path = out->tmpl->text;
    out->body = opt_str(b, r->body);
    out->response_body = opt_str(b, r->response_body);
    out->method = c->m;
    out->additional = additional;
    if (out->verb == NULL || (r->body != NULL && r->body[0] != '\0' && out->body == NULL) ||
        (r->response_body != NULL && r->response_body[0] != '\0' && out->response_body == NULL))
        return nomem(b);
    for (size_t i = 0; i < out->tmpl->n_vars; i++) {
        int rc = check_variable(c, out->tmpl->vars[i].field_path);
        if (rc != 0)
            return rc;
    }
    if (out->body != NULL && strcmp(out->body, "*") != 0) {
        int rc = check_top_field(c, c->m->input, out->body, true);
        if (rc != 0)
            return rc;
    }
    return out->response_body == NULL ? 0
                                      : check_top_field(c, c->m->output, out->response_body, false);
}

/* Methods without the option (or with an empty one) stay unbound: n_rules == 0. */
static int method_rules(rule_ctx *c, const Google__Protobuf__MethodOptions *o)
{
    gb_buf bytes;
    gb_buf_init(&bytes, 0);
    http_rule *r = NULL;
    int rc = 0;
    if (extension_bytes(o, &bytes) != 0) {
        rc = fail(c, PBD_ERR_RULE, "malformed option", "");
        goto out;
    }
    if (bytes.n == 0)
        goto out;
    r = google__api__http_rule__unpack(NULL, bytes.n, bytes.p);
    if (r == NULL) {
        rc = fail(c, PBD_ERR_RULE, "malformed option", "");
        goto out;
    }
    size_t n = 1 + r->n_additional_bindings;
    pbd_http_rule *rules = gb_arena_calloc(&c->b->pool->arena, n, sizeof(*rules));
    if (rules == NULL) {
        rc = nomem(c->b);
        goto out;
    }
    rc = build_rule(c, r, &rules[0], false);
    for (size_t i = 1; rc == 0 && i < n; i++)
        rc = build_rule(c, r->additional_bindings[i - 1], &rules[i], true);
    if (rc == 0) {
        c->m->rules = rules;
        c->m->n_rules = n;
    }
out:
    if (r != NULL)
        google__api__http_rule__free_unpacked(r, NULL);
    gb_buf_free(&bytes);
    return rc;
}

int pbd_build_http_rules(pbd_builder *b)
{
    for (size_t i = 0; i < b->n_svcs; i++) {
        const pbd_svc_rec *s = &b->svcs[i];
        for (size_t j = 0; j < s->s->n_methods; j++) {
            rule_ctx c = {b, s->rf, &s->methods[j]};
            int rc = method_rules(&c, s->sp->method[j]->options);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}
