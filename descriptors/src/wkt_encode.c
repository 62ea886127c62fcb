/*
 * JSON -> wire for the well-known types with a JSON form of their own: Any, Timestamp,
 * Duration, FieldMask, Struct, Value, ListValue and the nine wrappers. Struct and
 * ListValue levels count towards the nesting limit like messages do.
 */
#include "json_int.h"

#include <string.h>

static const pbd_jnode *node(const pbd_enc *e, uint32_t j)
{
    return &e->doc->nodes[j];
}

static int kind_err(pbd_enc *e, const pbd_jpath *p, const char *want, uint32_t j)
{
    return pbd_jpath_err(e->err, p, PBD_ERR_JSON_TYPE, "expected %s, got %s", want,
                         pbd_jtype_name((pbd_jtype)node(e, j)->type));
}

/* The field |number| of |m| must be a message field: the descriptors of Struct, Value
 * and ListValue lead to one another through their fields. */
static const pbd_field *sub(const pbd_message *m, uint32_t number)
{
    return pbd_message_field_by_number(m, number);
}

static int enc_value(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p)
{
    const pbd_jnode *n = node(e, j);
    double d;
    int rv;
    switch ((pbd_jtype)n->type) {
    case PBD_J_NULL:
        rv = pbd_wire_tag(e->out, 1, PBD_WT_VARINT);
        return rv != 0 ? rv : pbd_wire_varint(e->out, 0);
    case PBD_J_TRUE:
    case PBD_J_FALSE:
        rv = pbd_wire_tag(e->out, 4, PBD_WT_VARINT);
        return rv != 0 ? rv : pbd_wire_varint(e->out, n->type == PBD_J_TRUE);
    case PBD_J_NUMBER: {
        rv = pbd_num_parse_double(e->doc->src + n->off, n->len, &d);
        if (rv != 0)
            return pbd_jpath_err(e->err, p, PBD_ERR_JSON_RANGE, "number out of range: %.*s",
                                 pbd_clip(e->doc->src + n->off, n->len, 40), e->doc->src + n->off);
        uint64_t bits;
        memcpy(&bits, &d, 8);
        rv = pbd_wire_tag(e->out, 2, PBD_WT_I64);
        return rv != 0 ? rv : pbd_wire_fixed64(e->out, bits);
    }
    case PBD_J_STRING: {
        gb_buf_reset(&e->scratch);
        rv = pbd_jstr_decode(e->doc, n, &e->scratch);
        if (rv == PBD_ERR_JSON_VALUE)
            return pbd_jpath_err(e->err, p, rv, "unpaired surrogate in string");
        return rv != 0 ? rv : pbd_wire_bytes(e->out, 3, e->scratch.p, e->scratch.n);
    }
    case PBD_J_OBJECT:
        return pbd_enc_nested(e, sub(m, 5), j, p);
    default:
        return pbd_enc_nested(e, sub(m, 6), j, p);
    }
}

static int enc_struct(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p)
{
    const pbd_jnode *obj = node(e, j);
    if (obj->type != PBD_J_OBJECT)
        return kind_err(e, p, "object (Struct)", j);
    const pbd_field *entry = sub(m, 1);
    const pbd_field *value = sub(entry->message, 2);
    uint32_t k = j + 1;
    for (size_t i = 0; i < obj->len; i++, k = node(e, k + 1)->end) {
        const pbd_jnode *key = node(e, k);
        pbd_jpath kp = {.up = p, .key = e->doc->src + key->off, .key_len = key->len};
        int rv = pbd_wire_tag(e->out, 1, PBD_WT_LEN);
        pbd_lenmark mark = {0, 0};
        if (rv == 0)
            rv = pbd_enc_len_begin(e, &mark);
        if (rv != 0)
            return rv;
        gb_buf_reset(&e->scratch);
        rv = pbd_jstr_decode(e->doc, key, &e->scratch);
        if (rv == PBD_ERR_JSON_VALUE)
            return pbd_jpath_err(e->err, &kp, rv, "unpaired surrogate in key");
        if (rv == 0)
            rv = pbd_wire_bytes(e->out, 1, e->scratch.p, e->scratch.n);
        if (rv == 0)
            rv = pbd_enc_nested(e, value, k + 1, &kp);
        if (rv == 0)
            rv = pbd_enc_len_end(e, &mark);
        if (rv != 0)
            return rv;
    }
    return 0;
}

static int enc_list(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p)
{
    const pbd_jnode *arr = node(e, j);
    if (arr->type != PBD_J_ARRAY)
        return kind_err(e, p, "array (ListValue)", j);
    const pbd_field *values = sub(m, 1);
    uint32_t k = j + 1;
    for (size_t i = 0; i < arr->len; i++, k = node(e, k)->end) {
        pbd_jpath ip = {.up = p, .index = i};
        int rv = pbd_enc_nested(e, values, k, &ip);
        if (rv != 0)
            return rv;
    }
    return 0;
}

/* The member |name| of object |j|, the last one if repeated; 0 when absent. */
static uint32_t member(const pbd_enc *e, uint32_t j, const char *name)
{
    uint32_t k = j + 1, found = 0;
    size_t len = strlen(name);
    for (size_t i = 0; i < node(e, j)->len; i++, k = node(e, k + 1)->end) {
        const pbd_jnode *key = node(e, k);
        if (key->len == len && memcmp(e->doc->src + key->off, name, len) == 0)
            found = k + 1;
    }
    return found;
}

static int enc_any_payload(pbd_enc *e, const pbd_message *pm, uint32_t j, const pbd_jpath *p)
{
    if (pm->wkt == PBD_WKT_NONE || pm->wkt == PBD_WKT_EMPTY) {
        if (++e->depth > e->o.max_depth) {
            e->depth--;
            return pbd_jpath_err(e->err, p, PBD_ERR_DEPTH, "nested deeper than %d levels",
                                 e->o.max_depth);
        }
        int rv = pbd_enc_fields(e, pm, j, p, "@type");
        e->depth--;
        return rv;
    }
    uint32_t v = member(e, j, "value");
    if (v == 0)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_TYPE,
                             "an Any holding %s needs a \"value\" member", pm->full_name);
    pbd_jpath vp = {.up = p, .key = "value", .key_len = 5};
    return pbd_enc_message(e, pm, v, &vp);
}

static int enc_any(pbd_enc *e, uint32_t j, const pbd_jpath *p)
{
    const pbd_jnode *obj = node(e, j);
    if (obj->type != PBD_J_OBJECT)
        return kind_err(e, p, "object (Any)", j);
    if (obj->len == 0)
        return 0;
    uint32_t t = member(e, j, "@type");
    if (t == 0 || node(e, t)->type != PBD_J_STRING)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_TYPE, "an Any needs a string \"@type\"");
    gb_buf_reset(&e->scratch);
    int rv = pbd_jstr_decode(e->doc, node(e, t), &e->scratch);
    if (rv != 0)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_VALUE, "bad \"@type\"");
    const char *url = (const char *)e->scratch.p, *slash = memchr(url, '/', e->scratch.n);
    size_t url_n = e->scratch.n;
    while (slash != NULL && memchr(slash + 1, '/', url_n - (size_t)(slash + 1 - url)) != NULL)
        slash = memchr(slash + 1, '/', url_n - (size_t)(slash + 1 - url));
    char name[256];
    size_t off = slash != NULL ? (size_t)(slash + 1 - url) : 0;
    if (url_n - off >= sizeof(name))
        return pbd_jpath_err(e->err, p, PBD_ERR_ANY_TYPE, "type URL too long");
    memcpy(name, url + off, url_n - off);
    name[url_n - off] = '\0';
    const pbd_message *pm = e->o.pool != NULL ? pbd_pool_find_message(e->o.pool, name) : NULL;
    if (pm == NULL)
        return pbd_jpath_err(e->err, p, PBD_ERR_ANY_TYPE, "cannot resolve Any type \"%.*s\"",
                             pbd_clip(url, url_n, 100), url);
    if ((rv = pbd_wire_bytes(e->out, 1, url, url_n)) != 0)
        return rv;
    size_t start = e->out->n;
    rv = pbd_wire_tag(e->out, 2, PBD_WT_LEN);
    pbd_lenmark mark = {0, 0};
    if (rv == 0)
        rv = pbd_enc_len_begin(e, &mark);
    if (rv == 0)
        rv = enc_any_payload(e, pm, j, p);
    if (rv != 0)
        return rv;
    if (e->out->n == mark.pos + 1) {
        e->out->n = start; /* an empty payload: bytes at their default are not written */
        return 0;
    }
    return pbd_enc_len_end(e, &mark);
}

static int enc_text_form(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p)
{
    const pbd_jnode *n = node(e, j);
    if (n->type != PBD_J_STRING)
        return kind_err(e, p, m->name, j);
    gb_buf_reset(&e->scratch);
    int rv = pbd_jstr_decode(e->doc, n, &e->scratch);
    if (rv != 0)
        return pbd_jpath_err(e->err, p, PBD_ERR_JSON_VALUE, "unpaired surrogate in string");
    rv = pbd_wkt_from_text(m, (const char *)e->scratch.p, e->scratch.n, e->out, e->err);
    if (rv == PBD_ERR_JSON_VALUE || rv == PBD_ERR_JSON_RANGE)
        return pbd_jpath_prefix(e->err, p, rv);
    return rv;
}

int pbd_enc_wkt(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p)
{
    switch (m->wkt) {
    case PBD_WKT_ANY:
        return enc_any(e, j, p);
    case PBD_WKT_TIMESTAMP:
    case PBD_WKT_DURATION:
    case PBD_WKT_FIELD_MASK:
        return enc_text_form(e, m, j, p);
    case PBD_WKT_STRUCT:
        return enc_struct(e, m, j, p);
    case PBD_WKT_VALUE:
        return enc_value(e, m, j, p);
    case PBD_WKT_LIST_VALUE:
        return enc_list(e, m, j, p);
    default: /* wrappers: the bare value of field 1 */
        if (node(e, j)->type == PBD_J_NULL)
            return pbd_jpath_err(e->err, p, PBD_ERR_JSON_TYPE, "expected %s, got null", m->name);
        return pbd_enc_field(e, &m->fields[0], j, p);
    }
}
