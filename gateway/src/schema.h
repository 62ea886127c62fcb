/*
 * The loaded schema as one immutable, reference-counted snapshot: the descriptor pool,
 * its router, the services' backends, the JSON options bound to the pool and the
 * OpenAPI documents with their ETags. Every request takes a reference when it is
 * dispatched (and its gRPC call another), so a reload (SIGHUP) swaps in a new snapshot
 * while requests in flight finish on the one they started with.
 *
 *     gw_schema *s = gw_app_schema(app);      // the current one, referenced
 *     pbd_router_match(s->router, ...);
 *     gw_schema_unref(s);
 */
#ifndef GW_SCHEMA_H
#define GW_SCHEMA_H

#include "app.h"
#include "config.h"

#include <base/buf.h>
#include <base/err.h>
#include <descriptors/json_codec.h>
#include <descriptors/pool.h>
#include <descriptors/router.h>
#include <openapi/assets.h>

#include <stdatomic.h>

typedef struct gw_schema {
    atomic_int refs;
    pbd_pool *pool;
    pbd_router *router;
    const pbd_service **svc; /* every service of the pool ... */
    gw_upstream **svc_up;    /* ... and its upstream (NULL: none); upstreams are the app's */
    size_t n_svc;
    gb_buf openapi_json;            /* /openapi.json (OpenAPI 3.1) */
    gb_buf swagger_json;            /* /swagger.json (Swagger 2.0) */
    oas_asset openapi;              /* served as an asset: body, ETag, Cache-Control */
    oas_asset swagger;              /* (bodies point into the buffers above) */
    char etags[2][24];              /* "\"<16 hex digits>\"" of each document */
    pbd_json_opts in;               /* request decoding */
    pbd_json_opts out;              /* reply printing */
    const pbd_message *status_type; /* google.rpc.Status, when the pool has it */
    const pbd_message *any_type;    /* google.protobuf.Any, when the pool has it */
} gw_schema;

/**
 * Loads |cfg|'s descriptor sets into a new snapshot: router, JSON options, OpenAPI
 * documents, and each service's upstream (new backends get a channel on |app|'s loop).
 * Ownership: |*out| holds one reference. Thread: one builder at a time (start-up, then
 * the signal thread).
 * Returns 0, or an error code with |err| naming the file, rule or service at fault.
 */
int gw_schema_build(gw_app *app, const gw_config *cfg, gw_schema **out, gb_err *err);

/** Drops a reference; the last one frees the snapshot. NULL is ignored. Thread: any. */
void gw_schema_unref(gw_schema *s);

/** The current snapshot with a reference for the caller. Thread: any. */
gw_schema *gw_app_schema(gw_app *app);

/**
 * Builds a snapshot from the descriptor set files again and makes it the current one;
 * on failure the old one stays. Thread: the signal thread.
 * Returns 0 or the error gw_schema_build() gave (|err| says what).
 */
int gw_app_reload(gw_app *app, const gw_config *cfg, gb_err *err);

/**
 * |worker|'s channel to |service|'s backend, or NULL when no backend serves it.
 * Thread: any (the channel's calls belong on |worker|'s loop).
 */
gcore_channel *gw_schema_channel(const gw_schema *s, const pbd_service *service, unsigned worker);

/** The "host:port" of |service|'s backend, or NULL. Thread: any. */
const char *gw_schema_target(const gw_schema *s, const pbd_service *service);

#endif
