/*
 * JSON -> protobuf wire: the node array is walked with the descriptors and wire bytes
 * are written straight into the output. Fields go out in field-number order (as
 * protobuf's own serializers write them), so the bytes equal python's
 * json_format.Parse(...).SerializeToString(). Nested lengths get a one-byte placeholder;
 * the few of 128 bytes or more are widened in one pass at the end (pbd_enc_expand), so
 * no byte moves more than once however deep the nesting.
 */
#include "json_int.h"

#include <base/base64.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { SLOTS_ON_STACK = 64 };

static const pbd_jnode *node(const pbd_enc *e, uint32_t j)
{
    return &e->doc->nodes[j];
}

static const char *text(const pbd_enc *e, const pbd_jnode *n)
{
    return e->doc->src + n->off;
}

/* "got string \"abc\"" / "got number 1.5" / "got object" for error messages. */
static int type_err(pbd_enc *e, const pbd_jpath *p, const char *want, const pbd_jnode *n)
{
    pbd_jtype t = (pbd_jtype)n->type;
    int len = pbd_clip(text(e, n), n->len, 40);
    if (t == PBD_J_STRING)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_TYPE, "expected %s, got string \"%.*s%s\"",
                             want, len, text(e, n), n->len > 40 ? "..." : "");
    if (t == PBD_J_NUMBER)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_TYPE, "expected %s, got number %.*s", want,
                             len, text(e, n));
    return pbd_jpath_err(e->err, p, PBD_ERR_JSON_TYPE, "expected %s, got %s", want,
                         pbd_jtype_name(t));
}

/* The text of a string node, unescaped into the scratch buffer when needed. */
static int string_text(pbd_enc *e, const pbd_jnode *n, const pbd_jpath *p, const char **s,
                       size_t *len)
{
    if (!n->escape) {
        *s = text(e, n);
        *len = n->len;
        return 0;
    }
    gb_buf_reset(&e->scratch);
    int rv = pbd_jstr_decode(e->doc, n, &e->scratch);
    if (rv == PBD_ERR_JSON_VALUE)
        return pbd_jpath_err(e->err, p, rv, "unpaired surrogate in string");
    if (rv != 0)
        return pbd_jpath_err(e->err, p, rv, "%s", gb_strerror(rv));
    *s = (const char *)e->scratch.p;
    *len = e->scratch.n;
    return 0;
}

static int int_value(pbd_enc *e, const pbd_field *f, const pbd_jnode *n, const pbd_jpath *p,
                     uint64_t *u)
{
    const char *s = text(e, n);
    size_t len = n->len;
    int rv;
    if (n->type == PBD_J_STRING && (rv = string_text(e, n, p, &s, &len)) != 0)
        return rv;
    const char *want = pbd_type_name(f->type);
    bool neg;
    uint64_t mag;
    rv = pbd_num_parse_int(s, len, &neg, &mag);
    if (rv == PBD_ERR_JSON_TYPE)
        return type_err(e, p, want, n);
    if (rv == 0)
        rv = pbd_num_fit(f->type == PBD_TYPE_ENUM ? PBD_TYPE_INT32 : f->type, neg, mag, u);
    if (rv != 0)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_RANGE,
                             "%s out of range or not an integer: %.*s", want, pbd_clip(s, len, 40),
                             s);
    return 0;
}

static int float_value(pbd_enc *e, const pbd_field *f, const pbd_jnode *n, const pbd_jpath *p,
                       uint64_t *u)
{
    const char *s = text(e, n);
    size_t len = n->len;
    int rv;
    double v = 0;
    bool is_float = f->type == PBD_TYPE_FLOAT;
    if (n->type == PBD_J_STRING && (rv = string_text(e, n, p, &s, &len)) != 0)
        return rv;
    if (n->type == PBD_J_STRING && len == 3 && memcmp(s, "NaN", 3) == 0)
        v = NAN;
    else if (n->type == PBD_J_STRING && len == 8 && memcmp(s, "Infinity", 8) == 0)
        v = INFINITY;
    else if (n->type == PBD_J_STRING && len == 9 && memcmp(s, "-Infinity", 9) == 0)
        v = -INFINITY;
    else if ((rv = pbd_num_parse_double(s, len, &v)) != 0) {
        if (rv == PBD_ERR_JSON_TYPE)
            return type_err(e, p, pbd_type_name(f->type), n);
        return pbd_jpath_err(e->err, p, rv, "%s out of range: %.*s", pbd_type_name(f->type),
                             pbd_clip(s, len, 40), s);
    }
    /* Beyond FLT_MAX, but only what does not round to it: the shortest text of FLT_MAX,
     * 3.4028235e+38, is a little larger and must read back. */
    if (is_float && isfinite(v) && fabs(v) >= 0x1.ffffffp+127)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_RANGE, "float out of range: %.*s",
                             pbd_clip(s, len, 40), s);
    if (is_float) {
        float fv = (float)v;
        uint32_t bits;
        memcpy(&bits, &fv, 4);
        *u = bits;
    } else {
        memcpy(u, &v, 8);
    }
    return 0;
}

static int enum_value(pbd_enc *e, const pbd_field *f, const pbd_jnode *n, const pbd_jpath *p,
                      uint64_t *u, bool *skip)
{
    const pbd_enum *en = f->enumeration;
    if (n->type == PBD_J_STRING) {
        const char *s;
        size_t len;
        int rv = string_text(e, n, p, &s, &len);
        if (rv != 0)
            return rv;
        const pbd_enum_value *ev = pbd_enum_value_by_name(en, s, len);
        if (ev != NULL) {
            *u = (uint64_t)(int64_t)ev->number;
            return 0;
        }
        bool neg;
        uint64_t mag;
        if (pbd_num_parse_int(s, len, &neg, &mag) != 0) {
            if (e->o.ignore_unknown) {
                *skip = true;
                return 0;
            }
            return pbd_jpath_err(e->err, p, PBD_ERR_JSON_ENUM, "unknown value \"%.*s\" of enum %s",
                                 pbd_clip(s, len, 60), s, en->full_name);
        }
    } else if (n->type != PBD_J_NUMBER) {
        return type_err(e, p, en->full_name, n);
    }
    int rv = int_value(e, f, n, p, u);
    if (rv != 0)
        return rv;
    if (en->closed && pbd_enum_value_by_number(en, (int32_t)*u) == NULL) {
        if (e->o.ignore_unknown) {
            *skip = true;
            return 0;
        }
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_ENUM, "unknown number %d of enum %s",
                             (int)(int32_t)*u, en->full_name);
    }
    return 0;
}

/* A bool in a URL: what grpc-gateway's strconv.ParseBool accepts. */
static int text_bool(pbd_enc *e, const pbd_jnode *n, const pbd_jpath *p, uint64_t *u)
{
    static const char *const words[] = {"true",  "True",  "TRUE",  "t", "T", "1",
                                        "false", "False", "FALSE", "f", "F", "0"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (n->len == strlen(words[i]) && memcmp(text(e, n), words[i], n->len) == 0) {
            *u = i < 6;
            return 0;
        }
    }
    return type_err(e, p, "bool", n);
}

int pbd_enc_scalar(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p, bool is_key,
                   uint64_t *u, bool *skip)
{
    const pbd_jnode *n = node(e, j);
    *skip = false;
    switch (f->type) {
    case PBD_TYPE_BOOL:
        if (e->text_mode && n->type == PBD_J_STRING)
            return text_bool(e, n, p, u);
        if (is_key && n->len == 4 && memcmp(text(e, n), "true", 4) == 0)
            *u = 1;
        else if (is_key && n->len == 5 && memcmp(text(e, n), "false", 5) == 0)
            *u = 0;
        else if (!is_key && (n->type == PBD_J_TRUE || n->type == PBD_J_FALSE))
            *u = n->type == PBD_J_TRUE;
        else
            return type_err(e, p, "bool", n);
        return 0;
    case PBD_TYPE_FLOAT:
    case PBD_TYPE_DOUBLE:
        if (n->type != PBD_J_NUMBER && n->type != PBD_J_STRING)
            return type_err(e, p, pbd_type_name(f->type), n);
        return float_value(e, f, n, p, u);
    case PBD_TYPE_ENUM:
        return enum_value(e, f, n, p, u, skip);
    default:
        if (n->type != PBD_J_NUMBER && n->type != PBD_J_STRING)
            return type_err(e, p, pbd_type_name(f->type), n);
        return int_value(e, f, n, p, u);
    }
}

static bool is_scalar(pbd_type t)
{
    return t != PBD_TYPE_STRING && t != PBD_TYPE_BYTES && t != PBD_TYPE_MESSAGE &&
           t != PBD_TYPE_GROUP;
}

/* The length base64 text of |len| characters decodes to, when it is valid. */
static size_t base64_len(const char *s, size_t len)
{
    for (int pad = 0; pad < 2 && len > 0 && s[len - 1] == '='; pad++)
        len--;
    return len / 4 * 3 + (len % 4 > 1 ? len % 4 - 1 : 0);
}

/* Decodes straight into the output after the tag and length: a megabyte `bytes` field
 * is not held twice. */
static int put_base64(pbd_enc *e, const pbd_field *f, const char *s, size_t len, const pbd_jpath *p,
                      bool implicit)
{
    size_t start = e->out->n, want = base64_len(s, len), got = 0;
    int rv = pbd_wire_tag(e->out, f->number, PBD_WT_LEN);
    if (rv == 0)
        rv = pbd_wire_varint(e->out, want);
    if (rv == 0)
        rv = gb_buf_reserve(e->out, gb_base64_decoded_max(len));
    if (rv != 0)
        return rv;
    if (gb_base64_decode(s, len, e->out->p + e->out->n, &got) != 0) {
        e->out->n = start;
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_VALUE, "invalid base64 \"%.*s%s\"",
                             pbd_clip(s, len, 40), s, len > 40 ? "..." : "");
    }
    e->out->n = implicit && got == 0 ? start : e->out->n + got;
    return 0;
}

static int put_bytes(pbd_enc *e, const pbd_field *f, const pbd_jnode *n, const pbd_jpath *p,
                     bool implicit)
{
    const char *s = NULL;
    size_t len = 0;
    if (n->type != PBD_J_STRING)
        return type_err(e, p, f->type == PBD_TYPE_STRING ? "string" : "base64 bytes", n);
    int rv = string_text(e, n, p, &s, &len);
    if (rv != 0)
        return rv;
    if (f->type == PBD_TYPE_STRING)
        return implicit && len == 0 ? 0 : pbd_wire_bytes(e->out, f->number, s, len);
    return put_base64(e, f, s, len, p, implicit);
}

int pbd_enc_nested(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p)
{
    int rv = pbd_wire_tag(e->out, f->number, PBD_WT_LEN);
    pbd_lenmark mark = {0, 0};
    if (rv == 0)
        rv = pbd_enc_len_begin(e, &mark);
    if (rv == 0)
        rv = pbd_enc_message(e, f->message, j, p);
    return rv != 0 ? rv : pbd_enc_len_end(e, &mark);
}

int pbd_enc_value(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p, bool implicit)
{
    const pbd_jnode *n = node(e, j);
    if (f->type == PBD_TYPE_GROUP)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_INTERNAL, "groups are not supported");
    if (n->type == PBD_J_NULL && !(f->type == PBD_TYPE_MESSAGE && f->message->wkt == PBD_WKT_VALUE))
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_TYPE, "null is not allowed here");
    if (f->type == PBD_TYPE_MESSAGE)
        return pbd_enc_nested(e, f, j, p);
    if (!is_scalar(f->type))
        return put_bytes(e, f, n, p, implicit);
    uint64_t u;
    bool skip;
    int rv = pbd_enc_scalar(e, f, j, p, false, &u, &skip);
    if (rv != 0 || skip || (implicit && u == 0))
        return rv;
    rv = pbd_wire_tag(e->out, f->number, pbd_wire_type_of(f->type));
    return rv != 0 ? rv : pbd_wire_scalar(e->out, f->type, u);
}

static int put_packed(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p)
{
    const pbd_jnode *arr = node(e, j);
    size_t start = e->out->n;
    int rv = pbd_wire_tag(e->out, f->number, PBD_WT_LEN);
    pbd_lenmark mark = {0, 0};
    if (rv == 0)
        rv = pbd_enc_len_begin(e, &mark);
    uint32_t k = j + 1;
    for (size_t i = 0; rv == 0 && i < arr->len; i++, k = node(e, k)->end) {
        pbd_jpath ep = {.up = p, .index = i};
        uint64_t u;
        bool skip;
        if (node(e, k)->type == PBD_J_NULL)
            return pbd_jpath_err(e->err, &ep, PBD_ERR_JSON_TYPE, "null is not allowed here");
        rv = pbd_enc_scalar(e, f, k, &ep, false, &u, &skip);
        if (rv == 0 && !skip)
            rv = pbd_wire_scalar(e->out, f->type, u);
    }
    if (rv == 0 && e->out->n == mark.pos + 1) {
        e->out->n = start; /* every element was an unknown enum name, skipped */
        return 0;
    }
    return rv != 0 ? rv : pbd_enc_len_end(e, &mark);
}

static int put_map_entry(pbd_enc *e, const pbd_field *f, uint32_t key, const pbd_jpath *p)
{
    const pbd_field *kf = &f->message->fields[0], *vf = &f->message->fields[1];
    const pbd_jnode *kn = node(e, key);
    pbd_jpath kp = {.up = p, .key = text(e, kn), .key_len = kn->len, .map_key = true};
    size_t start = e->out->n;
    int rv = pbd_wire_tag(e->out, f->number, PBD_WT_LEN);
    pbd_lenmark mark = {0, 0};
    if (rv == 0)
        rv = pbd_enc_len_begin(e, &mark);
    if (rv != 0)
        return rv;
    if (kf->type == PBD_TYPE_STRING) {
        rv = put_bytes(e, kf, kn, &kp, false);
    } else {
        uint64_t u;
        bool skip;
        rv = pbd_enc_scalar(e, kf, key, &kp, true, &u, &skip);
        if (rv == 0)
            rv = pbd_wire_tag(e->out, kf->number, pbd_wire_type_of(kf->type));
        if (rv == 0)
            rv = pbd_wire_scalar(e->out, kf->type, u);
    }
    size_t before_value = e->out->n;
    if (rv == 0)
        rv = pbd_enc_value(e, vf, key + 1, &kp, false);
    if (rv == 0 && e->out->n == before_value && is_scalar(vf->type)) {
        e->out->n = start; /* an unknown enum name skipped under ignore_unknown */
        return 0;
    }
    return rv != 0 ? rv : pbd_enc_len_end(e, &mark);
}

static int put_map(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p)
{
    const pbd_jnode *obj = node(e, j);
    if (obj->type != PBD_J_OBJECT)
        return type_err(e, p, "object (map)", obj);
    uint32_t k = j + 1;
    for (size_t i = 0; i < obj->len; i++) {
        int rv = put_map_entry(e, f, k, p);
        if (rv != 0)
            return rv;
        k = node(e, k + 1)->end;
    }
    return 0;
}

int pbd_enc_field(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p)
{
    const pbd_jnode *n = node(e, j);
    if (n->type == PBD_J_NULL) {
        if (f->type == PBD_TYPE_MESSAGE && f->label != PBD_LABEL_REPEATED &&
            f->message->wkt == PBD_WKT_VALUE)
            return pbd_enc_nested(e, f, j, p);
        if (f->type == PBD_TYPE_ENUM && f->has_presence &&
            strcmp(f->enumeration->full_name, "google.protobuf.NullValue") == 0) {
            int rv = pbd_wire_tag(e->out, f->number, PBD_WT_VARINT);
            return rv != 0 ? rv : pbd_wire_varint(e->out, 0);
        }
        return 0; /* the default: nothing on the wire */
    }
    if (f->is_map)
        return put_map(e, f, j, p);
    if (f->label != PBD_LABEL_REPEATED)
        return pbd_enc_value(e, f, j, p, !f->has_presence);
    if (n->type != PBD_J_ARRAY)
        return type_err(e, p, "array", n);
    if (n->len == 0)
        return 0;
    if (f->packed && is_scalar(f->type))
        return put_packed(e, f, j, p);
    uint32_t k = j + 1;
    for (size_t i = 0; i < n->len; i++, k = node(e, k)->end) {
        pbd_jpath ep = {.up = p, .index = i};
        int rv = pbd_enc_value(e, f, k, &ep, false);
        if (rv != 0)
            return rv;
    }
    return 0;
}

/* Finds the field a member key names: json_name first, then the proto name. */
static int member_field(pbd_enc *e, const pbd_message *m, const pbd_jnode *key, const pbd_jpath *p,
                        const pbd_field **f)
{
    const char *s;
    size_t len;
    int rv = string_text(e, key, p, &s, &len);
    if (rv != 0)
        return rv;
    *f = pbd_field_named(m, s, len);
    return 0;
}

static int check_oneofs(pbd_enc *e, const pbd_message *m, const uint32_t *slot, const pbd_jpath *p)
{
    for (size_t o = 0; o < m->n_oneofs; o++) {
        const pbd_field *set = NULL;
        for (size_t k = 0; k < m->oneofs[o].n_fields; k++) {
            const pbd_field *f = m->oneofs[o].fields[k];
            uint32_t v = slot[f - m->fields];
            if (v == 0 || node(e, v)->type == PBD_J_NULL)
                continue;
            if (set != NULL)
                return pbd_jpath_err(e->err, p, PBD_ERR_JSON_ONEOF,
                                     "fields \"%s\" and \"%s\" of oneof %s are both set",
                                     set->json_name, f->json_name, m->oneofs[o].name);
            set = f;
        }
    }
    return 0;
}

/* Member value index per field (0: absent; the last duplicate wins). */
static int collect_members(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p,
                           const char *skip, uint32_t *slot)
{
    const pbd_jnode *obj = node(e, j);
    uint32_t k = j + 1;
    for (size_t i = 0; i < obj->len; i++, k = node(e, k + 1)->end) {
        const pbd_jnode *key = node(e, k);
        const pbd_field *f;
        pbd_jpath kp = {.up = p, .key = text(e, key), .key_len = key->len};
        if (skip != NULL && key->len == strlen(skip) && memcmp(text(e, key), skip, key->len) == 0)
            continue;
        int rv = member_field(e, m, key, &kp, &f);
        if (rv != 0)
            return rv;
        if (f != NULL) {
            slot[f - m->fields] = k + 1;
            continue;
        }
        if (!e->o.ignore_unknown)
            return pbd_jpath_err(e->err, &kp, PBD_ERR_JSON_FIELD, "no such field in %s",
                                 m->full_name);
    }
    return 0;
}

int pbd_enc_fields(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p,
                   const char *skip)
{
    if (node(e, j)->type != PBD_J_OBJECT)
        return type_err(e, p, m->full_name, node(e, j));
    uint32_t local[SLOTS_ON_STACK];
    uint32_t *slot = m->n_fields <= SLOTS_ON_STACK ? local : calloc(m->n_fields, sizeof(*slot));
    if (slot == NULL)
        return pbd_jpath_err(e->err, p, PBD_ERR_NOMEM, "out of memory");
    if (slot == local)
        memset(local, 0, sizeof(local));
    int rv = collect_members(e, m, j, p, skip, slot);
    if (rv == 0)
        rv = check_oneofs(e, m, slot, p);
    for (size_t i = 0; rv == 0 && i < m->n_fields; i++) {
        if (slot[i] == 0)
            continue;
        const pbd_jnode *key = node(e, slot[i] - 1);
        pbd_jpath kp = {.up = p, .key = text(e, key), .key_len = key->len};
        rv = pbd_enc_field(e, &m->fields[i], slot[i], &kp);
    }
    if (slot != local)
        free(slot);
    return rv;
}

int pbd_enc_message(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p)
{
    if (++e->depth > e->o.max_depth) {
        e->depth--;
        return pbd_jpath_err(e->err, p, PBD_ERR_DEPTH, "nested deeper than %d levels",
                             e->o.max_depth);
    }
    int rv = m->wkt != PBD_WKT_NONE && m->wkt != PBD_WKT_EMPTY ? pbd_enc_wkt(e, m, j, p)
                                                               : pbd_enc_fields(e, m, j, p, NULL);
    e->depth--;
    return rv;
}

void pbd_json_opts_init(pbd_json_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->max_depth = 100;
}

static int encode_doc(const pbd_message *m, const pbd_field *f, const char *json, size_t len,
                      const pbd_json_opts *o, gb_buf *out, gb_err *err)
{
    pbd_enc e = {.out = out, .err = err};
    pbd_jdoc doc;
    if (o != NULL)
        e.o = *o;
    else
        pbd_json_opts_init(&e.o);
    if (e.o.max_depth <= 0)
        e.o.max_depth = 100;
    /* Containers per message level: an object, and an array or map object around it. */
    int rv = pbd_jdoc_parse(&doc, json, len, 2 * e.o.max_depth + 2, err);
    if (rv != 0)
        return rv;
    e.doc = &doc;
    gb_buf_init(&e.scratch, 0);
    /* Decoded strings are never at a NULL pointer, even empty ones. */
    rv = gb_buf_reserve(&e.scratch, 64);
    size_t before = out->n;
    if (rv == 0 && f == NULL) {
        rv = pbd_enc_message(&e, m, 0, NULL);
    } else if (rv == 0) {
        pbd_jpath fp = {.key = f->json_name, .key_len = strlen(f->json_name)};
        e.depth = 1;
        rv = pbd_enc_field(&e, f, 0, &fp);
    }
    if (rv == 0)
        rv = pbd_enc_expand(&e);
    rv = pbd_finish(rv, out, before, err);
    free(e.patches);
    gb_buf_free(&e.scratch);
    pbd_jdoc_free(&doc);
    return rv;
}

int pbd_json_to_wire(const pbd_message *m, const char *json, size_t len, const pbd_json_opts *o,
                     gb_buf *out, gb_err *err)
{
    return encode_doc(m, NULL, json, len, o, out, err);
}

int pbd_json_to_wire_field(const pbd_message *m, const char *field, const char *json, size_t len,
                           const pbd_json_opts *o, gb_buf *out, gb_err *err)
{
    const pbd_field *f = pbd_field_named(m, field, strlen(field));
    if (f == NULL)
        return gb_err_set(err, PBD_ERR_FIELD_PATH, "%s has no field \"%s\"", m->full_name, field);
    return encode_doc(m, f, json, len, o, out, err);
}
