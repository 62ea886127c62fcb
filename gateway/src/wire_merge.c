/* Merging split embedded-message records (see wire_merge.h). */
#include "wire_merge.h"

#include "wire_scan.h"

#include <base/err.h>

#include <stdlib.h>

#define MAX_DEPTH 100

static bool mergeable(const pbd_field *f, const gw_wire_field *w)
{
    return f != NULL && w->type == GW_WIRE_LEN && f->type == PBD_TYPE_MESSAGE &&
           f->label != PBD_LABEL_REPEATED && !f->is_map;
}

static int put_varint(gb_buf *out, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v != 0)
            b[n] |= 0x80;
        n++;
    } while (v != 0);
    return gb_buf_append(out, b, n);
}

/* Writes field |f| once: the merge of the payloads of all its records in |in|. */
static int merge_field(const pbd_field *f, gb_slice in, gb_buf *out, int depth)
{
    gb_buf parts, merged;
    gw_wire_field w;
    int rc = 0;
    gb_buf_init(&parts, 0);
    gb_buf_init(&merged, 0);
    while (rc == 0 && gw_wire_next(&in, &w) == 1) {
        if (w.number == f->number && w.type == GW_WIRE_LEN)
            rc = gb_buf_append(&parts, w.payload.p, w.payload.n);
    }
    if (rc == 0)
        rc = gw_wire_merge(f->message, gb_slice_of(parts.p, parts.n), &merged, depth + 1);
    if (rc == 0)
        rc = put_varint(out, (uint64_t)f->number << 3 | GW_WIRE_LEN);
    if (rc == 0)
        rc = put_varint(out, merged.n);
    if (rc == 0)
        rc = gb_buf_append(out, merged.p, merged.n);
    gb_buf_free(&parts);
    gb_buf_free(&merged);
    return rc;
}

/* Whether |number| came earlier in |in| than the record at |at| (already written). */
static bool seen_before(gb_slice in, const uint8_t *at, uint32_t number)
{
    gw_wire_field w;
    while (in.p < at && gw_wire_next(&in, &w) == 1) {
        if (w.number == number && w.type == GW_WIRE_LEN)
            return true;
    }
    return false;
}

int gw_wire_merge(const pbd_message *m, gb_slice in, gb_buf *out, int depth)
{
    if (depth > MAX_DEPTH)
        return GB_ERR_INVALID;
    gb_slice rest = in;
    gw_wire_field w;
    int rc, got;
    while ((got = gw_wire_next(&rest, &w)) == 1) {
        const pbd_field *f = pbd_message_field_by_number(m, w.number);
        if (!mergeable(f, &w))
            rc = gb_buf_append(out, w.record.p, w.record.n);
        else if (seen_before(in, w.record.p, w.number))
            rc = 0;
        else
            rc = merge_field(f, in, out, depth);
        if (rc != 0)
            return rc;
    }
    return got == 0 ? 0 : GB_ERR_INVALID;
}
