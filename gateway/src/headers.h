/*
 * HTTP headers <-> gRPC metadata, the grpc-gateway way.
 *
 * Request: "Grpc-Metadata-X: v" becomes "x: v"; Authorization goes as
 * "authorization"; headers on the allow-list go under their own (lower-case)
 * name; "-bin" values are base64 on HTTP and raw bytes in the list; hop-by-hop,
 * "grpc-*" and pseudo headers never pass. X-Forwarded-For / X-Forwarded-Host are
 * added last. Response: metadata "k" comes back as "Grpc-Metadata-k", trailers as
 * "Grpc-Trailer-k".
 *
 *     gw_md_list md = {0};
 *     gw_headers_map_request(&rules, "Grpc-Metadata-Tenant", "acme", arena, &md, &err);
 *     // md.v[0] = {"tenant", "acme", 4}
 */
#ifndef GW_HEADERS_H
#define GW_HEADERS_H

#include <base/arena.h>
#include <base/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gw_md {
    const char *key;   /* lower-case, NUL-terminated */
    const char *value; /* raw bytes for "-bin" keys (NUL-terminated for the rest) */
    size_t value_len;
} gw_md;

typedef struct gw_md_list {
    gw_md *v; /* in the arena */
    size_t n;
    size_t cap;
} gw_md_list;

typedef struct gw_header_rules {
    const char *const *allow; /* extra header names forwarded as they are, any case */
    size_t n_allow;
} gw_header_rules;

/**
 * Appends to |out| the metadata that the request header |name|: |value| stands for, if
 * any. Ownership: copies into |a|; |name| and |value| are borrowed.
 * Thread: any. Returns 0, GW_ERR_REQUEST (a "-bin" value that is not base64; |err| says
 * which header) or GW_ERR_NOMEM (arena full).
 */
int gw_headers_map_request(const gw_header_rules *rules, const char *name, const char *value,
                           gb_arena *a, gw_md_list *out, gb_err *err);

/**
 * Appends "x-forwarded-for" (|xff| + ", " + |client_ip|, or |client_ip| alone) and
 * "x-forwarded-host" (|xfh|, else |host|; none when both are NULL). Returns 0 or
 * GW_ERR_NOMEM.
 */
int gw_headers_add_forwarded(const char *xff, const char *xfh, const char *host,
                             const char *client_ip, gb_arena *a, gw_md_list *out);

/** Appends one entry (copied into |a|). Returns 0 or GW_ERR_NOMEM. */
int gw_md_list_add(gw_md_list *l, gb_arena *a, const char *key, const void *value, size_t len);

/**
 * The HTTP header for a response metadata entry: "Grpc-Metadata-<key>" (or
 * "Grpc-Trailer-<key>" when |trailer|) and its value, base64 for "-bin" keys.
 * Reserved keys (grpc-*, content-type, pseudo headers) give *name_out = NULL.
 * Ownership: the strings are in |a|. Returns 0 or GW_ERR_NOMEM.
 */
int gw_headers_map_response(const char *key, const uint8_t *value, size_t len, bool trailer,
                            gb_arena *a, const char **name_out, const char **value_out);

#endif
