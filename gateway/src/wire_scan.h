/*
 * Walking the top-level field records of protobuf wire bytes, without descriptors:
 * enough to pick one field out of a reply (response_body), read google.api.HttpBody
 * and split google.rpc.Status details. Decoding values to JSON is the codec's job.
 *
 *     gw_wire_field f;
 *     gb_slice rest = msg;
 *     while (gw_wire_next(&rest, &f) == 1)
 *         if (f.number == 2 && f.type == GW_WIRE_LEN) use(f.payload);
 */
#ifndef GW_WIRE_SCAN_H
#define GW_WIRE_SCAN_H

#include <base/slice.h>

#include <stdint.h>

enum { GW_WIRE_VARINT = 0, GW_WIRE_I64 = 1, GW_WIRE_LEN = 2, GW_WIRE_I32 = 5 };

typedef struct gw_wire_field {
    uint32_t number;
    int type;
    gb_slice record;  /* the whole record, tag included */
    gb_slice payload; /* GW_WIRE_LEN: the bytes; others: the value bytes */
    uint64_t varint;  /* GW_WIRE_VARINT: the value */
} gw_wire_field;

/**
 * Reads the next record of |*rest| into |f| and advances |*rest|. Thread: any.
 * Returns 1 (a record), 0 (end of input) or -1 (malformed: truncated, bad tag, groups).
 */
int gw_wire_next(gb_slice *rest, gw_wire_field *f);

#endif
