/*
 * Base64 as gRPC metadata, ProtoJSON bytes and google.rpc.Status details need it:
 * standard alphabet with padding out; standard or URL-safe, padded or not, in.
 *
 *     size_t n = gb_base64_encoded_len(raw.n);
 *     gb_base64_encode(raw.p, raw.n, out);       // out has room for n bytes
 */
#ifndef GB_BASE64_H
#define GB_BASE64_H

#include <stddef.h>
#include <stdint.h>

/** Length of the padded standard encoding of |n| bytes (no NUL). */
size_t gb_base64_encoded_len(size_t n);

/** Writes the padded standard encoding of |src| to |dst|; returns the length written. */
size_t gb_base64_encode(const uint8_t *src, size_t n, char *dst);

/** An upper bound of the decoded length of |n| characters. */
size_t gb_base64_decoded_max(size_t n);

/**
 * Decodes standard or URL-safe base64, with or without padding, into |dst| (room for
 * gb_base64_decoded_max(n) bytes). Returns 0 and sets |*out_n|, or GB_ERR_INVALID for
 * a character outside the alphabets, misplaced padding or a dangling single character.
 */
int gb_base64_decode(const char *src, size_t n, uint8_t *dst, size_t *out_n);

#endif
