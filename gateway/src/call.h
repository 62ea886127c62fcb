/*
 * One upstream gRPC call behind one HTTP request. Both sides run on the request's
 * worker thread, but end at different times: the call state is heap memory with a
 * two-owner reference count (the HTTP side drops its reference when the request ends,
 * the call side after on_done), so either may go first.
 *
 *     HTTP side (MHD callbacks)           call side (gcore callbacks)
 *     gw_call_new(), gw_call_start()  ->  on_headers / on_message (queue, pause)
 *     suspend                              on_done: store status, resume if waiting
 *     on_resume: build the reply      <-
 *     request ends: gw_call_detach()      (cancel if still running)
 */
#ifndef GW_CALL_H
#define GW_CALL_H

#include "app.h"
#include "req.h"

#include <base/buf.h>
#include <grpc-core/call.h>
#include <grpc-core/metadata.h>
#include <grpc-core/status.h>

#include <stdatomic.h>
#include <stdbool.h>

typedef struct gw_msg {
    struct gw_msg *next;
    size_t len;
    uint8_t data[];
} gw_msg;

typedef struct gw_call {
    atomic_int refs;
    gw_app *app;
    struct gw_schema *schema; /* the request's snapshot, referenced while the call lives */
    gw_req *req;              /* NULL once the HTTP request has ended */
    gcore_channel *ch;        /* the request's worker's channel to the backend, or NULL */
    gcore_call *call;
    const pbd_method *method;
    const pbd_http_rule *rule; /* NULL for an unbound method */
    uint64_t timeout_ms;
    bool started;
    bool want_resume; /* the request is suspended until the end ... */
    bool wait_first;  /* ... or, when set, until the first message */
    bool done;
    bool paused;         /* the loop stopped taking messages (backpressure) */
    bool reader_waiting; /* the stream reader suspended the connection */
    bool unreachable;    /* ended UNAVAILABLE with the channel not ready: name the backend */
    int client_fd;       /* the client's socket, watched for hang-ups; -1: none */
    gcore_watch *watch;
    gcore_timer *watch_timer;  /* a unary call's watch, deferred */
    gcore_timer *client_timer; /* checks client_fd after pipelining */
    gcore_status status;
    gcore_metadata headers;
    gcore_metadata trailers;
    gw_msg *head, *tail; /* received messages not yet written */
    size_t n_queued;
    size_t n_received;
    struct gw_call *next, *prev; /* the app's list of calls in flight (app->mu) */
    bool ended;                  /* on_done ran (app->mu) */
} gw_call;

/**
 * Makes the shared state for |req|'s call of |method|; the HTTP side holds the one
 * reference until gw_call_detach(). Returns NULL when out of memory.
 */
gw_call *gw_call_new(gw_app *app, gw_req *req, const pbd_method *method, const pbd_http_rule *rule);

/**
 * Starts the upstream call with |req|'s metadata and deadline. Returns 0, or an HTTP
 * error reply is set in |req| and a gateway error code returned.
 */
int gw_call_start(gw_call *gc, gw_req *req);

/**
 * The request suspends until the call's end (or, with |first_message|, its first
 * message). Returns true when that moment has come already (reply now).
 */
bool gw_call_wait(gw_call *gc, bool first_message);

/** Pops the oldest queued message (caller frees it), resuming the call if it paused. */
gw_msg *gw_call_pop(gw_call *gc);

/** The HTTP request ended (|ok| false: early): cancel if running, drop the reference. */
void gw_call_detach(gw_call *gc, bool ok);

/** Cancels every call of |app| in flight (shutdown). */
void gw_call_cancel_all(gw_app *app);

#endif
