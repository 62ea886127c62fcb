/* A bounds-checked walk over wire records (see wire_scan.h). */
#include "wire_scan.h"

static int read_varint(gb_slice *s, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0, i = 0; i < 10; i++, shift += 7) {
        if (i >= s->n)
            return -1;
        uint8_t b = s->p[i];
        x |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            s->p += i + 1;
            s->n -= i + 1;
            *v = x;
            return 0;
        }
    }
    return -1;
}

static int take(gb_slice *s, size_t n, gb_slice *out)
{
    if (n > s->n)
        return -1;
    *out = gb_slice_of(s->p, n);
    s->p += n;
    s->n -= n;
    return 0;
}

int gw_wire_next(gb_slice *rest, gw_wire_field *f)
{
    if (rest->n == 0)
        return 0;
    gb_slice s = *rest;
    uint64_t tag = 0, len = 0;
    if (read_varint(&s, &tag) != 0 || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
        return -1;
    f->number = (uint32_t)(tag >> 3);
    f->type = (int)(tag & 7);
    f->varint = 0;
    int rc;
    switch (f->type) {
    case GW_WIRE_VARINT: {
        const uint8_t *start = s.p;
        rc = read_varint(&s, &f->varint);
        f->payload = gb_slice_of(start, (size_t)(s.p - start));
        break;
    }
    case GW_WIRE_I64:
        rc = take(&s, 8, &f->payload);
        break;
    case GW_WIRE_I32:
        rc = take(&s, 4, &f->payload);
        break;
    case GW_WIRE_LEN:
        rc = read_varint(&s, &len);
        if (rc == 0)
            rc = len > s.n ? -1 : take(&s, (size_t)len, &f->payload);
        break;
    default:
        return -1;
    }
    if (rc != 0)
        return -1;
    f->record = gb_slice_of(rest->p, (size_t)(s.p - rest->p));
    *rest = s;
    return 1;
}
