/*
 * The text encodings of gRPC's HTTP/2 headers (grpc/doc/PROTOCOL-HTTP2.md):
 * grpc-timeout ("<1-8 digits><H|M|S|m|u|n>"), grpc-message (percent-encoded
 * UTF-8) and the application/grpc content-type family.
 *
 *     uint64_t ns;
 *     if (gcore_timeout_parse(GB_SLICE_LIT("250m"), &ns) == 0) ...   // 250000000 ns
 *     char t[GCORE_TIMEOUT_MAX];
 *     gcore_timeout_format(150 * GCORE_NS_PER_MS, t);                // "150000u"
 */
#ifndef GCORE_WIRE_H
#define GCORE_WIRE_H

#include <base/buf.h>
#include <base/slice.h>

#include <stdbool.h>
#include <stdint.h>

#define GCORE_NS_PER_MS UINT64_C(1000000)
#define GCORE_TIMEOUT_MAX 10 /* 8 digits, a unit, a NUL */

/**
 * Parses a grpc-timeout value into nanoseconds (1 to 8 ASCII digits then one of
 * H M S m u n). Returns 0, or GCORE_ERR_INVALID for anything else.
 */
int gcore_timeout_parse(gb_slice v, uint64_t *ns);

/**
 * Formats |ns| as a grpc-timeout value in the finest unit that fits in 8 digits,
 * rounding up (a deadline is never shortened). Writes a
 * NUL-terminated string to |out|; returns its length.
 */
size_t gcore_timeout_format(uint64_t ns, char out[GCORE_TIMEOUT_MAX]);

/**
 * Appends |msg| percent-encoded for grpc-message: bytes outside 0x20..0x7e and '%'
 * become %XX (upper-case hex). Returns 0, GB_ERR_LIMIT or GB_ERR_NOMEM.
 */
int gcore_message_encode(gb_slice msg, gb_buf *out);

/**
 * Appends the decoded grpc-message |v|. A '%' not followed by two hex digits is kept
 * as is (the spec forbids discarding a message over bad encoding).
 * Returns 0, GB_ERR_LIMIT or GB_ERR_NOMEM.
 */
int gcore_message_decode(gb_slice v, gb_buf *out);

/**
 * True for "application/grpc" alone or followed by "+<format>" or ";<params>"
 * (case-insensitive), the content-types a gRPC peer may send.
 */
bool gcore_content_type_is_grpc(gb_slice v);

#endif
