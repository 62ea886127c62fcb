/*
 * gRPC metadata: an ordered list of (key, value) pairs, as headers or trailers.
 *
 * Values are kept decoded: for a key ending in "-bin" the value is raw bytes
 * (base64-decoded on receive, encoded on send), otherwise printable ASCII
 * (0x20..0x7e). Keys are lowercase [0-9a-z_.-]. Keys that gRPC or HTTP/2 own
 * (grpc-*, content-type, te, user-agent, :pseudo, connection-specific headers)
 * are refused by gcore_metadata_add(): the library sets those itself.
 *
 *     gcore_metadata md;
 *     gcore_metadata_init(&md);
 *     gcore_metadata_add(&md, "x-user", GB_SLICE_LIT("ada"), &err);
 *     gcore_metadata_add(&md, "trace-bin", gb_slice_of(raw, 16), &err);
 *     const gcore_md_entry *e = gcore_metadata_get(&md, "x-user");
 *     gcore_metadata_free(&md);
 */
#ifndef GCORE_METADATA_H
#define GCORE_METADATA_H

#include <base/buf.h>
#include <base/err.h>
#include <base/slice.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gcore_md_entry {
    char *key;      /* NUL-terminated, lowercase */
    uint8_t *value; /* decoded bytes, NUL-terminated for convenience (not counted) */
    size_t value_len;
} gcore_md_entry;

typedef struct gcore_metadata {
    gcore_md_entry *v;
    size_t n;
    size_t cap;
} gcore_metadata;

/** Makes |md| empty (caller storage). Thread: any. */
void gcore_metadata_init(gcore_metadata *md);

/** Frees every entry; |md| is empty and reusable. */
void gcore_metadata_free(gcore_metadata *md);

/**
 * Appends a user entry: |key| must be a valid, non-reserved key and |value| (raw bytes
 * for -bin keys) a valid value. Both are copied.
 * Returns 0, GCORE_ERR_INVALID (bad key or value), GCORE_ERR_RESERVED (a key the
 * library owns) or GCORE_ERR_NOMEM; |err| (may be NULL) says which key and why.
 */
int gcore_metadata_add(gcore_metadata *md, const char *key, gb_slice value, gb_err *err);

/**
 * Appends an entry as received on the wire: |key| is validated (not checked against
 * the reserved list: the caller filters), |value| base64-decoded for -bin keys.
 * Returns 0, GCORE_ERR_INVALID or GCORE_ERR_NOMEM.
 */
int gcore_metadata_add_wire(gcore_metadata *md, gb_slice key, gb_slice value, gb_err *err);

/** Appends copies of every entry of |src|. Returns 0 or GCORE_ERR_NOMEM. */
int gcore_metadata_append(gcore_metadata *dst, const gcore_metadata *src);

/** The first entry with |key| (exact, lowercase), or NULL. Borrowed from |md|. */
const gcore_md_entry *gcore_metadata_get(const gcore_metadata *md, const char *key);

/** True when |key| is a syntactically valid metadata key. */
bool gcore_metadata_key_valid(gb_slice key);

/** True when |key| is one the library sets itself (grpc-*, content-type, te, ...). */
bool gcore_metadata_key_reserved(gb_slice key);

/** True when |key| ends in "-bin". */
bool gcore_metadata_key_is_bin(gb_slice key);

/**
 * Appends |e|'s value in wire form to |out| (base64 for -bin keys, as is otherwise).
 * Returns 0, GB_ERR_LIMIT or GB_ERR_NOMEM.
 */
int gcore_metadata_wire_value(const gcore_md_entry *e, gb_buf *out);

#endif
