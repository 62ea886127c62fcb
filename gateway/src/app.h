/*
 * The gateway's routes: built-in endpoints (/healthz, the OpenAPI documents and
 * Swagger UI) and the transcoded google.api.http routes of the loaded pool, with
 * the workers' gRPC loops and, per loop, one channel to each distinct backend.
 */
#ifndef GW_APP_H
#define GW_APP_H

#include "config.h"
#include "req.h"

#include <base/buf.h>
#include <base/err.h>
#include <descriptors/json_codec.h>
#include <descriptors/pool.h>
#include <descriptors/router.h>
#include <grpc-core/call.h>
#include <grpc-core/channel.h>
#include <grpc-core/loop.h>

#include <pthread.h>
#include <stdatomic.h>

typedef struct gw_server gw_server;

typedef struct gw_upstream {
    const char *target; /* "host:port" */
    const gw_tls_config *tls;
    gcore_channel **ch; /* one per loop: a worker's calls never leave its thread */
} gw_upstream;

typedef struct gw_app {
    gcore_loop **loops; /* one per worker thread: its HTTP connections and its channels */
    unsigned n_loops;
    gw_upstream *ups; /* one per distinct backend; at most one per configured service + 1 */
    _Atomic size_t n_ups;
    size_t cap_ups;
    pthread_mutex_t schema_mu; /* guards |schema| (the pointer, not what it points to) */
    struct gw_schema *schema;  /* the current snapshot (schema.h) */
    pthread_mutex_t mu;        /* guards |calls| */
    struct gw_call *calls;     /* in flight, for shutdown */
    bool closing;              /* shutting down: calls are cancelled as they start (|mu|) */
} gw_app;

/**
 * Starts the workers' loops (cfg->threads of them), then builds the first
 * schema snapshot (schema.h): descriptor sets, router, OpenAPI documents, channels per
 * backend. Returns 0, or an error code with |err| saying which file, template or
 * backend is wrong.
 */
int gw_app_start(gw_server *srv, gb_err *err);

/** Cancels every call in flight (each request resumes with an error) and waits for them. */
void gw_app_shutdown(gw_server *srv);

/** Frees what gw_app_start() built (after gw_front_stop()). */
void gw_app_stop(gw_server *srv);

/**
 * The built-in handler for |req|'s path, or NULL (also NULL with req->reply set when
 * the path is built-in and the method is wrong). Thread: the request's worker.
 */
const gw_handler *gw_builtin_route(gw_req *req);

/**
 * Routes |req| to its transcoding handler. Returns 0 with |*h| set, GW_ERR_NO_ROUTE, or
 * GW_ERR_METHOD with |*allow| the methods the path takes ("GET, POST"); other codes
 * after setting an error reply. Thread: the request's worker.
 */
int gw_app_route(gw_req *req, const gw_handler **h, const char **allow);

/** The methods |req|'s path takes, as for 405. Returns 0, GW_ERR_NO_ROUTE. */
int gw_app_allowed(gw_req *req, const char **allow);

/**
 * The upstream of |target| with |tls|, made (channel included) on first use; |service|
 * names the culprit in |err|. Thread: one caller at a time (start-up, reload).
 * Returns NULL with |err| set when the channel cannot be made.
 */
gw_upstream *gw_app_upstream(gw_app *app, const char *service, const char *target,
                             const gw_tls_config *tls, gb_err *err);

#endif
