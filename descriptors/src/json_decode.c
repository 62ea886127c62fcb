/*
 * Protobuf wire -> JSON. A message is scanned once into a list of field occurrences
 * (validated: tags, varints, lengths, wire types), sorted by field number, then printed
 * straight into the output: occurrences of a repeated field are grouped into one array
 * whether packed or not, a singular scalar keeps its last value, a singular message
 * merges all its occurrences (it is printed from the list of their byte ranges), and a
 * oneof keeps the member set last. The occurrence list is one stack shared by all
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
            uint32_t number = 0;
            int rv = read_one(d, &q, end, p, &ent, &number);
            if (rv != 0)
                return rv;
            const pbd_field *f = field_by_number(m, number);
            if (f == NULL)
                continue; /* unknown fields are skipped */
            pbd_jpath fp = {.up = p, .key = f->json_name, .key_len = PBD_JPATH_CSTR};
            if (!wire_type_ok(f, ent.wt))
                return wire_err(d, &fp, "wrong wire type for the field");
            ent.fidx = (uint32_t)(f - m->fields);
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
        if (!pbd_utf8_valid(p, n))
            return pbd_jpath_err(d->err, path, PBD_ERR_WIRE_UTF8, "invalid UTF-8 in string");
        return pbd_jw_string(d->w.out, (const char *)p, n);
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

static int put_repeated(pbd_dec *d, const pbd_field *f, size_t from, size_t to, const pbd_jpath *p)
{
    int rv = pbd_jw_open(&d->w, '[');
    for (size_t i = from; rv == 0 && i < to; i++) {
        pbd_dent e = d->ents[i]; /* a copy: nested decoding may move the stack */
        pbd_jpath ip = {.up = p, .index = i - from};
        if (f->type == PBD_TYPE_MESSAGE) {
            rv = pbd_jw_elem(&d->w);
            if (rv == 0)
                rv = put_segments(d, f->message, i, i + 1, &ip);
        } else if (e.wt == PBD_WT_LEN && pbd_wire_type_of(f->type) != PBD_WT_LEN) {
            rv = put_packed(d, f, &e, p);
        } else if (!unknown_closed_at(f, &e)) {
            rv = pbd_jw_elem(&d->w);
            if (rv == 0)
                rv = pbd_dec_scalar(d, f, e.wt, e.p, e.n, &ip);
        }
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

static int put_field(pbd_dec *d, const pbd_field *f, size_t from, size_t to, bool present,
                     const pbd_jpath *p)
{
    const char *name = d->o.use_proto_names ? f->name : f->json_name;
    pbd_jpath fp = {.up = p, .key = f->json_name, .key_len = PBD_JPATH_CSTR};
    if (!present && !(d->o.emit_unpopulated && emits_default(f)))
        return 0;
    int rv = pbd_jw_key(&d->w, name, strlen(name));
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

int pbd_dec_fields(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                   const pbd_jpath *p)
{
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
