/*
 * Protobuf wire -> JSON. Serializers write fields in field-number order with the
 * occurrences of a repeated field together, so a message is first printed straight from
 * the wire in one pass. When its wire shows a field out of order, a singular field twice
 * or two members of a oneof, its output is dropped and it is printed the general way:
 * scanned once into a list of field occurrences (validated: tags, varints, lengths,
 * wire types), sorted by field number, then printed straight into the output: occurrences of a
 * repeated field are grouped into one array whether packed or not, a singular scalar keeps its last
 * value, a singular message merges all its occurrences (it is printed from the list of their byte
 * ranges), and a oneof keeps the member set last. The occurrence list is one stack shared by all
 * nesting levels, so decoding allocates only when it grows.
 */
#include "json_int.h"

#include <base/base64.h>

#include <stdlib.h>
#include <string.h>

enum { SMALL = 16 };

static int wire_err(pbd_dec *d, const pbd_jpath *p, const char *what)
{
    return pbd_jpath_err(d->err, p, PBD_ERR_WIRE, "%s", what);
}

static int push(pbd_dec *d, const pbd_dent *ent)
{
    if (d->n_ents == d->cap_ents) {
        size_t cap = d->cap_ents != 0 ? d->cap_ents * 2 : 64;
        pbd_dent *ents = realloc(d->ents, cap * sizeof(*ents));
        if (ents == NULL)
            return PBD_ERR_NOMEM;
        d->ents = ents;
        d->cap_ents = cap;
    }
    d->ents[d->n_ents++] = *ent;
    return 0;
}

static bool wire_type_ok(const pbd_field *f, int wt)
{
    int want = pbd_wire_type_of(f->type);
    return wt == want || (wt == PBD_WT_LEN && f->label == PBD_LABEL_REPEATED && want != PBD_WT_LEN);
}

/* Reads one field occurrence at |*q|; |*ent| gets the value's bytes. */
static int read_one(pbd_dec *d, const uint8_t **q, const uint8_t *end, const pbd_jpath *p,
                    pbd_dent *ent, uint32_t *number)
{
    uint64_t tag, len;
    if (!pbd_wire_read_varint(q, end, &tag) || tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
        return wire_err(d, p, "malformed tag");
    *number = (uint32_t)(tag >> 3);
    ent->wt = (uint8_t)(tag & 7);
    ent->p = *q;
    switch (ent->wt) {
    case PBD_WT_VARINT:
        if (!pbd_wire_read_varint(q, end, &len))
            return wire_err(d, p, "malformed varint");
        break;
    case PBD_WT_I64:
    case PBD_WT_I32: {
        size_t k = ent->wt == PBD_WT_I64 ? 8 : 4;
        if ((size_t)(end - *q) < k)
            return wire_err(d, p, "truncated fixed-size value");
        *q += k;
        break;
    }
    case PBD_WT_LEN:
        if (!pbd_wire_read_varint(q, end, &len) || len > (uint64_t)(end - *q))
            return wire_err(d, p, "length past the end of the message");
        ent->p = *q;
        *q += len;
        break;
    case 3:
    case 4:
        return wire_err(d, p, "groups are not supported");
    default:
        return wire_err(d, p, "invalid wire type");
    }
    ent->n = (uint32_t)(*q - ent->p);
    return 0;
}

/* Fields numbered 1..n without gaps sit at index number - 1: no search for them. */
static const pbd_field *field_by_number(const pbd_message *m, uint32_t number)
{
    if (number - 1 < m->n_fields && m->fields[number - 1].number == number)
        return &m->fields[number - 1];
    return pbd_message_field_by_number(m, number);
}

/* Reads the next occurrence at |*q| and its field of |m|, checking the wire type; |*f|
 * is NULL for an unknown field (skipped). */
static int read_known(pbd_dec *d, const pbd_message *m, const uint8_t **q, const uint8_t *end,
                      const pbd_jpath *p, pbd_dent *ent, const pbd_field **f)
{
    uint32_t number = 0;
    int rv = read_one(d, q, end, p, ent, &number);
    *f = NULL;
    if (rv != 0)
        return rv;
    const pbd_field *known = field_by_number(m, number);
    if (known == NULL)
        return 0;
    if (!wire_type_ok(known, ent->wt)) {
        pbd_jpath fp = {.up = p, .key = known->json_name, .key_len = PBD_JPATH_CSTR};
        return wire_err(d, &fp, "wrong wire type for the field");
    }
    ent->fidx = (uint32_t)(known - m->fields);
    ent->seq = 0;
    *f = known;
    return 0;
}

static int cmp_dent(const void *a, const void *b)
{
    const pbd_dent *x = a, *y = b;
    if (x->fidx != y->fidx)
        return x->fidx < y->fidx ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int pbd_dec_scan(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                 const pbd_jpath *p, size_t *base)
{
    *base = d->n_ents;
    uint32_t seq = 0;
    bool sorted = true;
    for (size_t s = 0; s < nsegs; s++) {
        if (segs[s].n == 0)
            continue; /* an empty message may come as a NULL pointer */
        const uint8_t *q = segs[s].p, *end = q + segs[s].n;
        while (q < end) {
            pbd_dent ent;
            const pbd_field *f;
            int rv = read_known(d, m, &q, end, p, &ent, &f);
            if (rv != 0)
                return rv;
            if (f == NULL)
                continue;
            ent.seq = seq++;
            if (d->n_ents > *base && d->ents[d->n_ents - 1].fidx > ent.fidx)
                sorted = false;
            if ((rv = push(d, &ent)) != 0)
                return rv;
        }
    }
    if (!sorted)
        qsort(d->ents + *base, d->n_ents - *base, sizeof(pbd_dent), cmp_dent);
    return 0;
}

/* A little-endian fixed value of |n| bytes (4 or 8); the constant-length loops compile
 * to one load each. */
static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    if (n == 8) {
        for (size_t k = 0; k < 8; k++)
            v |= (uint64_t)p[k] << (8 * k);
    } else {
        for (size_t k = 0; k < 4; k++)
            v |= (uint64_t)p[k] << (8 * k);
    }
    return v;
}

uint64_t pbd_wire_value(int wt, const uint8_t *p, size_t n)
{
    if (wt == PBD_WT_VARINT) {
        uint64_t v = 0;
        pbd_wire_read_varint(&p, p + n, &v);
        return v;
    }
    return le(p, wt == PBD_WT_I64 ? 8 : 4);
}

static int put_enum(pbd_dec *d, const pbd_field *f, int32_t v)
{
    gb_buf *b = d->w.out;
    if (d->o.enums_as_ints)
        return pbd_int_format(b, PBD_TYPE_ENUM, (uint32_t)v, false);
    if (strcmp(f->enumeration->full_name, "google.protobuf.NullValue") == 0)
        return gb_buf_append_str(b, "null");
    const pbd_enum_value *ev = pbd_enum_value_by_number(f->enumeration, v);
    if (ev == NULL)
        return pbd_int_format(b, PBD_TYPE_ENUM, (uint32_t)v, false);
    return pbd_jw_string(b, ev->name, strlen(ev->name));
}

/* Decimal text of a sign and magnitude (printf costs more than the rest of a field),
 * two digits per division. */
static int put_decimal(gb_buf *b, bool neg, uint64_t mag, bool quote)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char tmp[24];
    size_t k = sizeof(tmp);
    if (quote)
        tmp[--k] = '"';
    for (; mag >= 100; mag /= 100) {
        tmp[--k] = pairs[2 * (mag % 100) + 1];
        tmp[--k] = pairs[2 * (mag % 100)];
    }
    if (mag >= 10) {
        tmp[--k] = pairs[2 * mag + 1];
        tmp[--k] = pairs[2 * mag];
    } else {
        tmp[--k] = (char)('0' + mag);
    }
    if (neg)
        tmp[--k] = '-';
    if (quote)
        tmp[--k] = '"';
    return pbd_append(b, tmp + k, sizeof(tmp) - k);
}

static int put_signed(gb_buf *b, int64_t s, bool quote)
{
    return put_decimal(b, s < 0, s < 0 ? 0 - (uint64_t)s : (uint64_t)s, quote);
}

int pbd_int_format(gb_buf *b, pbd_type t, uint64_t v, bool quote)
{
    uint32_t x = (uint32_t)v;
    switch (t) {
    case PBD_TYPE_INT32:
    case PBD_TYPE_SFIXED32:
    case PBD_TYPE_ENUM:
        return put_signed(b, (int32_t)x, false);
    case PBD_TYPE_UINT32:
    case PBD_TYPE_FIXED32:
        return put_decimal(b, false, x, false);
    case PBD_TYPE_SINT32:
        return put_signed(b, (int32_t)((x >> 1) ^ (0 - (x & 1))), false);
    case PBD_TYPE_INT64:
    case PBD_TYPE_SFIXED64:
        return put_signed(b, (int64_t)v, quote);
    case PBD_TYPE_SINT64:
        return put_signed(b, (int64_t)((v >> 1) ^ (0 - (v & 1))), quote);
    case PBD_TYPE_BOOL:
        return gb_buf_append_str(b, v != 0 ? "true" : "false");
    default: /* uint64, fixed64 */
        return put_decimal(b, false, v, quote);
    }
}

static int put_number(pbd_dec *d, pbd_type t, uint64_t v)
{
    gb_buf *b = d->w.out;
    switch (t) {
    case PBD_TYPE_FLOAT: {
        uint32_t bits = (uint32_t)v;
        float fv;
        memcpy(&fv, &bits, 4);
        return pbd_num_write_double(b, fv, true);
    }
    case PBD_TYPE_DOUBLE: {
        double dv;
        memcpy(&dv, &v, 8);
        return pbd_num_write_double(b, dv, false);
    }
    default:
        return pbd_int_format(b, t, v, true);
    }
}

int pbd_dec_scalar(pbd_dec *d, const pbd_field *f, int wt, const uint8_t *p, size_t n,
                   const pbd_jpath *path)
{
    if (f->type == PBD_TYPE_STRING) {
        int rv = pbd_jw_utf8(d->w.out, (const char *)p, n);
        if (rv == PBD_ERR_WIRE_UTF8)
            return pbd_jpath_err(d->err, path, rv, "invalid UTF-8 in string");
        return rv;
    }
    if (f->type == PBD_TYPE_BYTES) {
        size_t len = gb_base64_encoded_len(n);
        int rv = gb_buf_reserve(d->w.out, len + 2);
        if (rv != 0)
            return rv;
        gb_buf *b = d->w.out;
        b->p[b->n++] = '"';
        b->n += gb_base64_encode(p, n, (char *)b->p + b->n);
        b->p[b->n++] = '"';
        return 0;
    }
    uint64_t v = pbd_wire_value(wt, p, n);
    if (f->type == PBD_TYPE_ENUM)
        return put_enum(d, f, (int32_t)(uint32_t)v);
    return put_number(d, f->type, v);
}

/* A closed (proto2) enum value that is not declared is an unknown field. */
static bool unknown_closed(const pbd_field *f, uint64_t v)
{
    return f->type == PBD_TYPE_ENUM && f->enumeration->closed &&
           pbd_enum_value_by_number(f->enumeration, (int32_t)(uint32_t)v) == NULL;
}

/* The same for a scanned occurrence (only enums have their value read). */
static bool unknown_closed_at(const pbd_field *f, const pbd_dent *e)
{
    return f->type == PBD_TYPE_ENUM && e->wt == PBD_WT_VARINT &&
           unknown_closed(f, pbd_wire_value(e->wt, e->p, e->n));
}

/* A proto2 [default = ...], as FieldDescriptorProto.default_value writes it. */
static int put_declared_default(pbd_dec *d, const pbd_field *f)
{
    gb_buf *b = d->w.out;
    const char *v = f->default_value;
    switch (f->type) {
    case PBD_TYPE_STRING:
        return pbd_jw_string(b, v, strlen(v));
    case PBD_TYPE_ENUM: {
        const pbd_enum_value *ev = pbd_enum_value_by_name(f->enumeration, v, strlen(v));
        if (ev != NULL && d->o.enums_as_ints)
            return pbd_int_format(b, PBD_TYPE_ENUM, (uint32_t)ev->number, false);
        return pbd_jw_string(b, v, strlen(v));
    }
    case PBD_TYPE_FLOAT:
    case PBD_TYPE_DOUBLE:
        return pbd_num_write_double(b, strtod(v, NULL), f->type == PBD_TYPE_FLOAT);
    case PBD_TYPE_INT64:
    case PBD_TYPE_UINT64:
    case PBD_TYPE_SINT64:
    case PBD_TYPE_FIXED64:
    case PBD_TYPE_SFIXED64:
        return gb_buf_printf(b, "\"%s\"", v);
    default: /* 32-bit integers and bool: the text is the JSON */
        return gb_buf_append_str(b, v);
    }
}

int pbd_dec_default(pbd_dec *d, const pbd_field *f, const pbd_jpath *p)
{
    static const uint8_t zero[8];
    if (f->is_map)
        return gb_buf_append_str(d->w.out, "{}");
    if (f->label == PBD_LABEL_REPEATED)
        return gb_buf_append_str(d->w.out, "[]");
    if (f->type == PBD_TYPE_MESSAGE)
        return pbd_dec_message(d, f->message, NULL, 0, p);
    if (f->default_value != NULL && f->type != PBD_TYPE_BYTES)
        return put_declared_default(d, f);
    const pbd_enum *en = f->enumeration;
    if (f->type == PBD_TYPE_ENUM && pbd_enum_value_by_number(en, 0) == NULL && en->n_values > 0)
        return put_enum(d, f, en->values[0].number); /* a proto2 enum without 0: its first */
    int wt = pbd_wire_type_of(f->type);
    size_t n = wt == PBD_WT_I64 ? 8 : wt == PBD_WT_I32 ? 4 : wt == PBD_WT_VARINT ? 1 : 0;
    return pbd_dec_scalar(d, f, wt, zero, n, p);
}

/* Elements of a packed run, each printed as an array element. */
static int put_packed(pbd_dec *d, const pbd_field *f, const pbd_dent *e, const pbd_jpath *p)
{
    int wt = pbd_wire_type_of(f->type);
    const uint8_t *q = e->p, *end = e->p + e->n;
    while (q < end) {
        const uint8_t *start = q;
        uint64_t v;
        if (wt == PBD_WT_VARINT) {
            if (!pbd_wire_read_varint(&q, end, &v))
                return wire_err(d, p, "malformed packed varint");
        } else {
            size_t k = wt == PBD_WT_I64 ? 8 : 4;
            if ((size_t)(end - q) < k)
                return wire_err(d, p, "truncated packed value");
            q += k;
            v = le(start, k);
        }
        if (unknown_closed(f, v))
            continue;
        int rv = pbd_jw_elem(&d->w);
        if (rv == 0)
            rv = pbd_dec_scalar(d, f, wt, start, (size_t)(q - start), p);
        if (rv != 0)
            return rv;
    }
    return 0;
}

static int put_segments(pbd_dec *d, const pbd_message *m, size_t from, size_t to,
                        const pbd_jpath *p)
{
    pbd_wseg small[SMALL] = {{NULL, 0}};
    size_t n = to - from;
    pbd_wseg *segs = n <= SMALL ? small : malloc(n * sizeof(*segs));
    if (segs == NULL)
        return PBD_ERR_NOMEM;
    for (size_t k = 0; k < n; k++)
        segs[k] = (pbd_wseg){d->ents[from + k].p, d->ents[from + k].n};
    int rv = pbd_dec_message(d, m, segs, n, p);
    if (segs != small)
        free(segs);
    return rv;
}

/* Prints occurrence |e| (element |index|) of repeated field |f| into its open array. */
static int put_element(pbd_dec *d, const pbd_field *f, const pbd_dent *e, size_t index,
                       const pbd_jpath *p)
{
    pbd_jpath ip = {.up = p, .index = index};
    int rv = 0;
    if (f->type == PBD_TYPE_MESSAGE) {
        pbd_wseg seg = {e->p, e->n};
        rv = pbd_jw_elem(&d->w);
        return rv != 0 ? rv : pbd_dec_message(d, f->message, &seg, 1, &ip);
    }
    if (e->wt == PBD_WT_LEN && pbd_wire_type_of(f->type) != PBD_WT_LEN)
        return put_packed(d, f, e, p);
    if (unknown_closed_at(f, e))
        return 0;
    rv = pbd_jw_elem(&d->w);
    return rv != 0 ? rv : pbd_dec_scalar(d, f, e->wt, e->p, e->n, &ip);
}

static int put_repeated(pbd_dec *d, const pbd_field *f, size_t from, size_t to, const pbd_jpath *p)
{
    int rv = pbd_jw_open(&d->w, '[');
    for (size_t i = from; rv == 0 && i < to; i++) {
        pbd_dent e = d->ents[i]; /* a copy: nested decoding may move the stack */
        rv = put_element(d, f, &e, i - from, p);
    }
    return rv != 0 ? rv : pbd_jw_close(&d->w, ']');
}

/* Whether the last value of an implicit-presence scalar is its default (not printed). */
static bool is_default(const pbd_field *f, const pbd_dent *e)
{
    if (f->has_presence || f->type == PBD_TYPE_MESSAGE)
        return false;
    if (e->wt == PBD_WT_LEN)
        return e->n == 0;
    return pbd_wire_value(e->wt, e->p, e->n) == 0;
}

/* Prints the value of field |f| from occurrences [from, to) (sorted by wire order). */
int pbd_dec_value(pbd_dec *d, const pbd_field *f, size_t from, size_t to, const pbd_jpath *p)
{
    if (f->is_map)
        return pbd_dec_map(d, f, from, to, p);
    if (f->label == PBD_LABEL_REPEATED)
        return put_repeated(d, f, from, to, p);
    if (f->type == PBD_TYPE_MESSAGE)
        return put_segments(d, f->message, from, to, p);
    const pbd_dent *e = &d->ents[to - 1];
    return pbd_dec_scalar(d, f, e->wt, e->p, e->n, p);
}

/* Narrows [*from, *to) to what is printed: nothing (returns false) for a oneof member
 * that another member replaced or for a default-valued implicit scalar; the occurrences
 * after the last one of another member for a oneof's winner; the last known value of a
 * closed enum. */
static bool visible(const pbd_dec *d, const pbd_field *f, const uint32_t *since,
                    const uint32_t *winner, size_t *from, size_t *to)
{
    if (f->oneof_index >= 0) {
        size_t o = (size_t)f->oneof_index;
        if (winner[o] != (uint32_t)(f - f->containing->fields))
            return false;
        while (*from < *to && d->ents[*from].seq < since[o])
            (*from)++;
    }
    if (f->label == PBD_LABEL_REPEATED || f->type == PBD_TYPE_MESSAGE)
        return *from < *to;
    while (*to > *from && unknown_closed_at(f, &d->ents[*to - 1]))
        (*to)--;
    return *to > *from && !is_default(f, &d->ents[*to - 1]);
}

/* For each oneof: the member whose occurrence came last, and the sequence number after
 * which its occurrences count (the last occurrence of another member). */
static void oneof_winners(const pbd_dec *d, const pbd_message *m, size_t base, uint32_t *since,
                          uint32_t *winner)
{
    uint32_t *last = since; /* first pass: the last seq of the winner */
    for (size_t o = 0; o < m->n_oneofs; o++) {
        winner[o] = UINT32_MAX;
        last[o] = 0;
    }
    for (size_t i = base; i < d->n_ents; i++) {
        const pbd_field *f = &m->fields[d->ents[i].fidx];
        if (f->oneof_index < 0)
            continue;
        size_t o = (size_t)f->oneof_index;
        if (winner[o] == UINT32_MAX || d->ents[i].seq >= last[o]) {
            winner[o] = d->ents[i].fidx;
            last[o] = d->ents[i].seq;
        }
    }
    for (size_t o = 0; o < m->n_oneofs; o++)
        since[o] = 0;
    for (size_t i = base; i < d->n_ents; i++) {
        const pbd_field *f = &m->fields[d->ents[i].fidx];
        if (f->oneof_index >= 0 && d->ents[i].fidx != winner[f->oneof_index] &&
            d->ents[i].seq + 1 > since[f->oneof_index])
            since[f->oneof_index] = d->ents[i].seq + 1;
    }
}

static bool emits_default(const pbd_field *f)
{
    if (f->label == PBD_LABEL_REPEATED)
        return true;
    return f->type != PBD_TYPE_MESSAGE && f->oneof_index < 0 && !f->proto3_optional;
}

static int put_key(pbd_dec *d, const pbd_field *f)
{
    const char *name = d->o.use_proto_names ? f->name : f->json_name;
    return pbd_jw_key(&d->w, name, strlen(name));
}

static int put_field(pbd_dec *d, const pbd_field *f, size_t from, size_t to, bool present,
                     const pbd_jpath *p)
{
    pbd_jpath fp = {.up = p, .key = f->json_name, .key_len = PBD_JPATH_CSTR};
    if (!present && !(d->o.emit_unpopulated && emits_default(f)))
        return 0;
    int rv = put_key(d, f);
    if (rv != 0)
        return rv;
    return present ? pbd_dec_value(d, f, from, to, &fp) : pbd_dec_default(d, f, &fp);
}

static int put_fields(pbd_dec *d, const pbd_message *m, size_t base, const pbd_jpath *p)
{
    uint32_t small[2 * SMALL];
    uint32_t *since = m->n_oneofs <= SMALL ? small : malloc(2 * m->n_oneofs * sizeof(*since));
    if (since == NULL)
        return PBD_ERR_NOMEM;
    uint32_t *winner = since + m->n_oneofs;
    oneof_winners(d, m, base, since, winner);
    size_t i = base, end = d->n_ents;
    int rv = 0;
    for (uint32_t fidx = 0; rv == 0 && fidx < m->n_fields; fidx++) {
        size_t from = i;
        while (i < end && d->ents[i].fidx == fidx)
            i++;
        size_t lo = from, hi = i;
        bool present = hi > lo && visible(d, &m->fields[fidx], since, winner, &lo, &hi);
        rv = put_field(d, &m->fields[fidx], lo, hi, present, p);
    }
    if (since != small)
        free(since);
    return rv;
}

enum { REORDER = 1 }; /* the one-pass printer met a wire it cannot print in order */

/* The one-pass printer's state: the last field met, whose array (or map entries,
 * gathered on the occurrence stack from |map_base|) stays open until another comes. */
typedef struct pbd_pass {
    const pbd_field *f;
    size_t count;
    size_t map_base;
    uint64_t oneofs; /* the oneofs a member of which was met */
} pbd_pass;

/* Ends the field met last: closes its array, or prints its map. */
static int pass_close(pbd_dec *d, pbd_pass *s, const pbd_jpath *p)
{
    const pbd_field *f = s->f;
    if (f == NULL || f->label != PBD_LABEL_REPEATED)
        return 0;
    if (!f->is_map)
        return pbd_jw_close(&d->w, ']');
    pbd_jpath fp = {.up = p, .key = f->json_name, .key_len = PBD_JPATH_CSTR};
    int rv = pbd_dec_map(d, f, s->map_base, d->n_ents, &fp);
    d->n_ents = s->map_base;
    return rv;
}

/* The first occurrence |e| of field |f|: a singular field is printed whole (when it is
 * visible); a repeated one gets its key and an open array. */
static int pass_open(pbd_dec *d, pbd_pass *s, const pbd_field *f, const pbd_dent *e,
                     const pbd_jpath *fp)
{
    if (f->oneof_index >= 0) {
        uint64_t bit = (uint64_t)1 << f->oneof_index;
        if (s->oneofs & bit)
            return REORDER;
        s->oneofs |= bit;
    }
    s->f = f;
    s->count = 0;
    if (f->label != PBD_LABEL_REPEATED && (unknown_closed_at(f, e) || is_default(f, e)))
        return 0;
    int rv = put_key(d, f);
    if (rv != 0)
        return rv;
    if (f->is_map) {
        s->map_base = d->n_ents;
        return push(d, e);
    }
    if (f->label == PBD_LABEL_REPEATED) {
        rv = pbd_jw_open(&d->w, '[');
        return rv != 0 ? rv : put_element(d, f, e, s->count++, fp);
    }
    if (f->type == PBD_TYPE_MESSAGE) {
        pbd_wseg seg = {e->p, e->n};
        return pbd_dec_message(d, f->message, &seg, 1, fp);
    }
    return pbd_dec_scalar(d, f, e->wt, e->p, e->n, fp);
}

/* Prints the fields of |m| straight from |seg| while the wire is in field order;
 * returns REORDER (output to drop) when it is not. */
static int print_pass(pbd_dec *d, const pbd_message *m, const pbd_wseg *seg, const pbd_jpath *p)
{
    pbd_pass s = {NULL, 0, 0, 0};
    const uint8_t *q = seg->p, *end = seg->p + seg->n;
    if (m->n_oneofs > 64)
        return REORDER;
    while (q < end) {
        pbd_dent e;
        const pbd_field *f;
        int rv = read_known(d, m, &q, end, p, &e, &f);
        if (rv != 0)
            return rv;
        if (f == NULL)
            continue;
        pbd_jpath fp = {.up = p, .key = f->json_name, .key_len = PBD_JPATH_CSTR};
        if (f == s.f && f->label == PBD_LABEL_REPEATED)
            rv = f->is_map ? push(d, &e) : put_element(d, f, &e, s.count++, &fp);
        else if (s.f != NULL && f <= s.f)
            return REORDER;
        else if ((rv = pass_close(d, &s, p)) == 0)
            rv = pass_open(d, &s, f, &e, &fp);
        if (rv != 0)
            return rv;
    }
    return pass_close(d, &s, p);
}

int pbd_dec_fields(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                   const pbd_jpath *p)
{
    if (!d->scan_only && !d->o.emit_unpopulated && nsegs == 1 && segs[0].n != 0) {
        pbd_jw w = d->w;
        size_t mark = d->w.out->n, ents = d->n_ents;
        int rv = print_pass(d, m, &segs[0], p);
        if (rv != REORDER)
            return rv;
        d->w = w;
        d->w.out->n = mark;
        d->n_ents = ents;
    }
    size_t base;
    int rv = pbd_dec_scan(d, m, segs, nsegs, p, &base);
    if (rv == 0)
        rv = put_fields(d, m, base, p);
    d->n_ents = base;
    return rv;
}

int pbd_dec_message(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                    const pbd_jpath *p)
{
    if (++d->depth > d->o.max_depth) {
        d->depth--;
        return pbd_jpath_err(d->err, p, PBD_ERR_DEPTH, "nested deeper than %d levels",
                             d->o.max_depth);
    }
    int rv;
    if (m->wkt != PBD_WKT_NONE && m->wkt != PBD_WKT_EMPTY) {
        rv = pbd_dec_wkt(d, m, segs, nsegs, p);
    } else {
        rv = pbd_jw_open(&d->w, '{');
        if (rv == 0)
            rv = pbd_dec_fields(d, m, segs, nsegs, p);
        if (rv == 0)
            rv = pbd_jw_close(&d->w, '}');
    }
    d->depth--;
    return rv;
}

/* Prints field |f| alone from the root message |m| (a response_body field). */
static int dec_field_only(pbd_dec *d, const pbd_message *m, const pbd_field *f, const pbd_wseg *seg)
{
    size_t base, from;
    pbd_jpath fp = {.key = f->json_name, .key_len = PBD_JPATH_CSTR};
    int rv = pbd_dec_scan(d, m, seg, 1, NULL, &base);
    uint32_t fidx = (uint32_t)(f - m->fields);
    for (from = base; from < d->n_ents && d->ents[from].fidx != fidx; from++)
        continue;
    size_t to = from;
    while (to < d->n_ents && d->ents[to].fidx == fidx)
        to++;
    d->depth = 1;
    if (rv == 0)
        rv = from < to ? pbd_dec_value(d, f, from, to, &fp) : pbd_dec_default(d, f, &fp);
    d->n_ents = base;
    return rv;
}

static int decode(const pbd_message *m, const pbd_field *f, gb_slice wire, const pbd_json_opts *o,
                  gb_buf *out, gb_err *err)
{
    pbd_dec d = {.err = err};
    if (o != NULL)
        d.o = *o;
    else
        pbd_json_opts_init(&d.o);
    if (d.o.max_depth <= 0)
        d.o.max_depth = 100;
    d.w = (pbd_jw){.out = out, .indent = d.o.indent};
    size_t before = out->n;
    pbd_wseg seg = {wire.p, wire.n};
    int rv = f != NULL ? dec_field_only(&d, m, f, &seg) : pbd_dec_message(&d, m, &seg, 1, NULL);
    if (rv != 0 && rv != PBD_ERR_NOMEM) {
        /* The error the scanning printer reports: it checks the framing of a whole
         * message before printing any of it, the one-pass printer as it goes. */
        out->n = before;
        d.w = (pbd_jw){.out = out, .indent = d.o.indent};
        d.depth = 0;
        d.n_ents = 0;
        d.scan_only = true;
        rv = f != NULL ? dec_field_only(&d, m, f, &seg) : pbd_dec_message(&d, m, &seg, 1, NULL);
    }
    rv = pbd_finish(rv, out, before, err);
    free(d.ents);
    return rv;
}

int pbd_wire_to_json(const pbd_message *m, gb_slice wire, const pbd_json_opts *o, gb_buf *out,
                     gb_err *err)
{
    return decode(m, NULL, wire, o, out, err);
}

int pbd_wire_to_json_field(const pbd_message *m, const char *field, gb_slice wire,
                           const pbd_json_opts *o, gb_buf *out, gb_err *err)
{
    const pbd_field *f = pbd_field_named(m, field, strlen(field));
    if (f == NULL)
        return gb_err_set(err, PBD_ERR_FIELD_PATH, "%s has no field \"%s\"", m->full_name, field);
    return decode(m, f, wire, o, out, err);
}
