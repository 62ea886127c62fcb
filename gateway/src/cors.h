/*
 * CORS decisions that need no request: whether an origin is allowed, which of the
 * headers a preflight asks for may be sent, and which reply headers a page may read.
 * Off unless origins are configured (--cors-origin, cors.allowed_origins).
 *
 *     if (gw_cors_origin_allowed(cfg->cors_origins, cfg->n_cors_origins, origin)) {
 *         const char *ok = gw_cors_allow_headers(requested, cfg->forward_headers,
 *                                                cfg->n_forward_headers, &req->arena);
 *         ...
 *     }
 */
#ifndef GW_CORS_H
#define GW_CORS_H

#include "headers.h"

#include <base/arena.h>

#include <stdbool.h>
#include <stddef.h>

/** Preflight results may be cached this long (seconds), as Access-Control-Max-Age. */
#define GW_CORS_MAX_AGE "600"

/**
 * Whether |origin| is one of the |n| |origins| (ASCII case-insensitive) or they hold "*".
 * Thread: any. Returns false when |n| is 0 (CORS off) or |origin| is NULL.
 */
bool gw_cors_origin_allowed(const char *const *origins, size_t n, const char *origin);

/**
 * The comma-separated header names of |requested| (an Access-Control-Request-Headers
 * value) that a page may send: Accept, Accept-Language, Content-Language, Content-Type,
 * Authorization, Grpc-Timeout, Grpc-Metadata-*, X-Requested-With and the |n_extra|
 * |extra| names (the forwarded headers), any case; the others are left out.
 * Ownership: the string is in |a|. Thread: any.
 * Returns "" when none is allowed, NULL when |a| is full.
 */
const char *gw_cors_allow_headers(const char *requested, const char *const *extra, size_t n_extra,
                                  gb_arena *a);

/**
 * The Access-Control-Expose-Headers value for a reply with |headers|: the names of its
 * Grpc-Metadata-* headers, comma-separated. Ownership: in |a|. Thread: any.
 * Returns NULL when there are none (or |a| is full).
 */
const char *gw_cors_expose_headers(const gw_md_list *headers, gb_arena *a);

#endif
