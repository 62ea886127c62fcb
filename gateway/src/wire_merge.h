/*
 * Canonical wire bytes for a message assembled from parts. The request codec appends
 * the body, each path variable and each query parameter as separate records; proto
 * merge semantics make "lo{lat} lo{lon}" mean "lo{lat lon}", but not every parser
 * merges repeated records of an embedded message (protobuf-c 1.4 keeps the last).
 * This rewrites such records as one, recursively, so every backend reads the same.
 *
 *     gb_buf out;
 *     gb_buf_init(&out, limit);
 *     if (gw_wire_merge(rectangle, gb_slice_of(wire.p, wire.n), &out, 0) == 0) send(out);
 */
#ifndef GW_WIRE_MERGE_H
#define GW_WIRE_MERGE_H

#include <base/buf.h>
#include <base/slice.h>
#include <descriptors/pool.h>

/**
 * Appends to |out| the records of |in| (a serialized |m|) with every singular embedded
 * message written once, its occurrences merged; other records are copied as they are.
 * |depth| is the current nesting (callers pass 0). Thread: any.
 * Returns 0, GB_ERR_INVALID (malformed wire bytes, or nesting beyond 100) or a gb_buf
 * error.
 */
int gw_wire_merge(const pbd_message *m, gb_slice in, gb_buf *out, int depth);

#endif
