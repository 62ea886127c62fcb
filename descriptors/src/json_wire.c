/* Protobuf wire primitives for the codec: varints, fixed values, tags, lengths. */
#include "json_int.h"

#include <stdlib.h>
#include <string.h>

int pbd_wire_varint(gb_buf *b, uint64_t v)
{
    int rv = gb_buf_reserve(b, 10);
    if (rv != 0)
        return rv;
    uint8_t *o = b->p + b->n;
    size_t k = 0;
    while (v >= 0x80) {
        o[k++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    o[k++] = (uint8_t)v;
    b->n += k;
    return 0;
}

int pbd_wire_tag(gb_buf *b, uint32_t number, int wire_type)
{
    return pbd_wire_varint(b, (uint64_t)number << 3 | (uint64_t)wire_type);
}

int pbd_wire_fixed32(gb_buf *b, uint32_t v)
{
    uint8_t o[4];
    for (int k = 0; k < 4; k++)
        o[k] = (uint8_t)(v >> (8 * k));
    return gb_buf_append(b, o, 4);
}

int pbd_wire_fixed64(gb_buf *b, uint64_t v)
{
    uint8_t o[8];
    for (int k = 0; k < 8; k++)
        o[k] = (uint8_t)(v >> (8 * k));
    return gb_buf_append(b, o, 8);
}

int pbd_wire_bytes(gb_buf *b, uint32_t number, const void *p, size_t n)
{
    int rv = pbd_wire_tag(b, number, PBD_WT_LEN);
    if (rv == 0)
        rv = pbd_wire_varint(b, n);
    if (rv == 0)
        rv = gb_buf_append(b, p, n);
    return rv;
}

static size_t varint_size(uint64_t v)
{
    size_t k = 1;
    while (v >= 0x80) {
        v >>= 7;
        k++;
    }
    return k;
}

size_t pbd_wire_len_begin(gb_buf *b, int *rv)
{
    size_t mark = b->n;
    *rv = gb_buf_putc(b, 0);
    return mark;
}

int pbd_wire_len_end(gb_buf *b, size_t mark)
{
    size_t len = b->n - mark - 1;
    size_t k = varint_size(len);
    if (k > 1) {
        int rv = gb_buf_reserve(b, k - 1);
        if (rv != 0)
            return rv;
        memmove(b->p + mark + k, b->p + mark + 1, len);
    }
    uint8_t *o = b->p + mark;
    for (size_t i = 0; i + 1 < k; i++) {
        o[i] = (uint8_t)(len | 0x80);
        len >>= 7;
    }
    o[k - 1] = (uint8_t)len;
    b->n += k - 1;
    return 0;
}

int pbd_enc_len_begin(pbd_enc *e, pbd_lenmark *m)
{
    m->pos = e->out->n;
    m->extra = e->extra;
    return gb_buf_putc(e->out, 0);
}

int pbd_enc_len_end(pbd_enc *e, const pbd_lenmark *m)
{
    uint64_t len = e->out->n - m->pos - 1 + (e->extra - m->extra);
    if (len < 0x80) {
        e->out->p[m->pos] = (uint8_t)len;
        return 0;
    }
    if (e->n_patches == e->cap_patches) {
        size_t cap = e->cap_patches != 0 ? e->cap_patches * 2 : 16;
        pbd_patch *p = realloc(e->patches, cap * sizeof(*p));
        if (p == NULL)
            return PBD_ERR_NOMEM;
        e->patches = p;
        e->cap_patches = cap;
    }
    e->patches[e->n_patches++] = (pbd_patch){m->pos, len};
    e->extra += varint_size(len) - 1;
    return 0;
}

static int cmp_patch(const void *a, const void *b)
{
    const pbd_patch *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int pbd_enc_expand(pbd_enc *e)
{
    if (e->n_patches == 0)
        return 0;
    int rv = gb_buf_reserve(e->out, e->extra);
    if (rv != 0)
        return rv;
    /* Patches complete inside out; the backward pass wants them by position. */
    qsort(e->patches, e->n_patches, sizeof(pbd_patch), cmp_patch);
    uint8_t *b = e->out->p;
    size_t src = e->out->n, dst = e->out->n + e->extra;
    for (size_t i = e->n_patches; i-- > 0;) {
        const pbd_patch *pt = &e->patches[i];
        size_t seg = src - pt->pos - 1, k = varint_size(pt->len);
        dst -= seg;
        memmove(b + dst, b + pt->pos + 1, seg);
        dst -= k;
        uint64_t v = pt->len;
        for (size_t j = 0; j < k; j++, v >>= 7)
            b[dst + j] = (uint8_t)(j + 1 < k ? (v & 0x7f) | 0x80 : v);
        src = pt->pos;
    }
    e->out->n += e->extra;
    return 0;
}

bool pbd_wire_read_varint_long(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    const uint8_t *q = *p;
    if (end - q >= 10) { /* room for the longest varint: no bounds check per byte */
        for (unsigned shift = 0; shift < 63; shift += 7) {
            uint8_t c = *q++;
            r |= (uint64_t)(c & 0x7f) << shift;
            if (c < 0x80) {
                *p = q;
                *v = r;
                return true;
            }
        }
        if (*q > 1)
            return false;
        *v = r | (uint64_t)*q << 63;
        *p = q + 1;
        return true;
    }
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (q >= end)
            return false;
        uint8_t c = *q++;
        if (shift == 63 && c > 1)
            return false;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (c < 0x80) {
            *p = q;
            *v = r;
            return true;
        }
    }
    return false;
}

int pbd_wire_scalar(gb_buf *b, pbd_type t, uint64_t u)
{
    switch (t) {
    case PBD_TYPE_DOUBLE:
    case PBD_TYPE_FIXED64:
    case PBD_TYPE_SFIXED64:
        return pbd_wire_fixed64(b, u);
    case PBD_TYPE_FLOAT:
    case PBD_TYPE_FIXED32:
    case PBD_TYPE_SFIXED32:
        return pbd_wire_fixed32(b, (uint32_t)u);
    case PBD_TYPE_SINT32: {
        uint32_t x = (uint32_t)u;
        return pbd_wire_varint(b, (uint32_t)(x << 1) ^ (uint32_t)(0 - (x >> 31)));
    }
    case PBD_TYPE_SINT64:
        return pbd_wire_varint(b, (u << 1) ^ (0 - (u >> 63)));
    case PBD_TYPE_UINT32:
        return pbd_wire_varint(b, (uint32_t)u);
    default: /* int32 and enum sign-extend to 64 bits; int64, uint64, bool as they are */
        return pbd_wire_varint(b, u);
    }
}
