/*
 * A gRPC server: handlers registered by method path, written in blocking style.
 *
 * The HTTP/2 sessions live on one I/O thread; each call's handler runs on a worker
 * thread and reads, writes and finishes the call with blocking functions, the way
 * grpcio servicers are written. Messages are bytes: the application packs and
 * unpacks them (protobuf-c generated code).
 *
 *     static void say_hello(gcore_server_call *call, void *user_data)
 *     {
 *         gb_buf in;
 *         gb_buf_init(&in, 0);
 *         if (gcore_server_call_read(call, &in) == 1) {
 *             ... unpack in.p/in.n, pack the reply into out ...
 *             gcore_server_call_write(call, out);
 *             gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
 *         }
 *         gb_buf_free(&in);
 *     }
 *
 *     gcore_server *srv;
 *     gcore_server_new(NULL, &srv, &err);
 *     gcore_server_register(srv, "/helloworld.Greeter/SayHello", GCORE_METHOD_UNARY,
 *                           say_hello, NULL);
 *     gcore_server_listen(srv, "127.0.0.1:50051", &port, &err);
 *     gcore_server_start(srv, &err);
 *     ... wait for a signal ...
 *     gcore_server_shutdown(srv, 5000);
 *     gcore_server_free(srv);
 */
#ifndef GCORE_SERVER_H
#define GCORE_SERVER_H

#include <grpc-core/log.h>
#include <grpc-core/metadata.h>
#include <grpc-core/status.h>

#include <base/buf.h>
#include <base/err.h>
#include <base/slice.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gcore_server gcore_server;
typedef struct gcore_server_opts gcore_server_opts;
typedef struct gcore_server_call gcore_server_call;

/* How many messages each side of a method sends. */
typedef enum gcore_method_kind {
    GCORE_METHOD_UNARY = 0,
    GCORE_METHOD_CLIENT_STREAMING = 1,
    GCORE_METHOD_SERVER_STREAMING = 2,
    GCORE_METHOD_BIDI_STREAMING = 3,
} gcore_method_kind;

/* Runs a call on a worker thread; the call is freed some time after it returns. */
typedef void (*gcore_server_handler)(gcore_server_call *call, void *user_data);

/*
 * Sees every call before its handler and after it ends (worker thread). on_call
 * returns GCORE_STATUS_OK to let the call through, or a code (and may fill
 * |*reject|'s message and details) to end it without running the handler. on_done
 * sees the status the call ended with. Either function may be NULL.
 */
typedef struct gcore_server_interceptor {
    gcore_code (*on_call)(gcore_server_call *call, gcore_status *reject, void *user_data);
    void (*on_done)(gcore_server_call *call, const gcore_status *st, void *user_data);
    void *user_data;
} gcore_server_interceptor;

/*
 * A non-blocking handler: its functions run on the I/O thread as the call
 * progresses and must not block. They may write and finish the call right away
 * (gcore_server_call_write() never waits there) or later from any thread. on_done
 * comes last, once the call has ended for whatever reason; the call must not be
 * used after it returns. Any function may be NULL.
 */
typedef struct gcore_server_async_handler {
    void (*on_start)(gcore_server_call *call, void *user_data);
    /* |msg| is borrowed for the duration of the callback. */
    void (*on_message)(gcore_server_call *call, gb_slice msg, void *user_data);
    void (*on_half_close)(gcore_server_call *call, void *user_data);
    void (*on_done)(gcore_server_call *call, const gcore_status *st, void *user_data);
} gcore_server_async_handler;

/**
 * Options with defaults: workers = number of cores, 4 MiB receive and send limits,
 * plaintext (h2c prior knowledge), no logging.
 * Ownership: caller frees with gcore_server_opts_free(); gcore_server_new() copies.
 * Returns NULL when out of memory.
 */
gcore_server_opts *gcore_server_opts_new(void);
void gcore_server_opts_free(gcore_server_opts *o);

/** Worker threads that run handlers (0: number of cores). */
void gcore_server_opts_set_workers(gcore_server_opts *o, unsigned n);

/**
 * Upper bound the pool grows to when calls wait while every worker is busy, as
 * long-lived streams (health Watch, chats) keep them (0: 64; never below workers).
 */
void gcore_server_opts_set_max_workers(gcore_server_opts *o, unsigned n);

/**
 * Largest message accepted from a client (RESOURCE_EXHAUSTED beyond) and largest
 * a handler may write. Returns 0, or GCORE_ERR_INVALID for 0 or more than 1 GiB.
 */
int gcore_server_opts_set_max_recv_msg(gcore_server_opts *o, size_t n);
int gcore_server_opts_set_max_send_msg(gcore_server_opts *o, size_t n);

/**
 * Serves TLS (ALPN h2) with the PEM |cert_file| chain and |key_file|. With
 * |client_ca_file| (PEM), clients must present a certificate it signed (mTLS).
 * The files are read by gcore_server_new(). Returns 0 or GCORE_ERR_NOMEM.
 */
int gcore_server_opts_set_tls(gcore_server_opts *o, const char *cert_file, const char *key_file,
                              const char *client_ca_file);

/** Receives the server's log lines (any thread). */
void gcore_server_opts_set_log(gcore_server_opts *o,
                               void (*log)(int level, const char *msg, void *user_data),
                               void *user_data);

/**
 * Creates a stopped server from |opts| (NULL: defaults).
 * Ownership: caller frees with gcore_server_free().
 * Returns 0, GCORE_ERR_NOMEM, or GCORE_ERR_TLS (certificate or key unusable; |err| says).
 */
int gcore_server_new(const gcore_server_opts *opts, gcore_server **out, gb_err *err);

/**
 * Routes |path| ("/pkg.Service/Method", copied) to |fn|.
 * Thread: before gcore_server_start().
 * Returns 0, GCORE_ERR_INVALID (bad path or already registered), GCORE_ERR_STATE
 * (server started) or GCORE_ERR_NOMEM.
 */
int gcore_server_register(gcore_server *s, const char *path, gcore_method_kind kind,
                          gcore_server_handler fn, void *user_data);

/**
 * Routes |path| to the non-blocking handler |h| (copied). Interceptors see these calls
 * on the I/O thread. Returns as gcore_server_register() does.
 */
int gcore_server_register_async(gcore_server *s, const char *path, gcore_method_kind kind,
                                const gcore_server_async_handler *h, void *user_data);

/**
 * Appends |ic| (copied) to the interceptor chain; the first added sees calls first.
 * Thread: before gcore_server_start(). Returns 0, GCORE_ERR_STATE or GCORE_ERR_NOMEM.
 */
int gcore_server_add_interceptor(gcore_server *s, const gcore_server_interceptor *ic);

/**
 * Listens on |addr|: "host:port", "[v6]:port" or ":port" (all interfaces); port 0
 * picks a free port, stored in |*port_out| (may be NULL). Can be called several times.
 * Thread: before gcore_server_start().
 * Returns 0, GCORE_ERR_INVALID (bad address), GCORE_ERR_RESOLVE, GCORE_ERR_IO
 * (bind or listen failed; |err| says why) or GCORE_ERR_STATE.
 */
int gcore_server_listen(gcore_server *s, const char *addr, int *port_out, gb_err *err);

/**
 * Starts the I/O thread and the workers; calls are served from now on.
 * Returns 0, GCORE_ERR_STATE (no listener, or started twice), GCORE_ERR_IO or
 * GCORE_ERR_NOMEM.
 */
int gcore_server_start(gcore_server *s, gb_err *err);

/**
 * Graceful shutdown: stops accepting, sends GOAWAY, lets calls in flight finish for
 * up to |grace_ms|, then cancels the rest (their handlers see cancelled), closes the
 * connections and joins every thread. Blocks until done, at most about |grace_ms| +
 * 200 ms: a handler that ignores cancellation longer is left running on its own
 * thread (its user_data must outlive it; the server's memory is freed when it returns).
 * Thread: any thread but a worker or the I/O thread. Returns 0.
 */
int gcore_server_shutdown(gcore_server *s, unsigned grace_ms);

/** Shuts down with no grace if still running, then frees |s|. NULL is allowed. */
void gcore_server_free(gcore_server *s);

/* ---- Inside a handler or interceptor (worker thread, the call's own thread) ---- */

/** The method path, "/pkg.Service/Method". Borrowed from the call. */
const char *gcore_server_call_method(const gcore_server_call *c);

/** The request metadata (gRPC-reserved headers left out, -bin values decoded). Borrowed. */
const gcore_metadata *gcore_server_call_metadata(const gcore_server_call *c);

/** The client's address: "ipv4:127.0.0.1:40000" or "ipv6:[::1]:40000". Borrowed. */
const char *gcore_server_call_peer(const gcore_server_call *c);

/** The deadline in CLOCK_MONOTONIC milliseconds, or INT64_MAX without grpc-timeout. */
int64_t gcore_server_call_deadline(const gcore_server_call *c);

/** True once the client cancelled, the deadline passed or the server shut it down. */
bool gcore_server_call_cancelled(gcore_server_call *c);

/**
 * Waits for the next request message and replaces |msg|'s contents with it.
 * Returns 1 (a message), 0 (the client has sent all), GCORE_ERR_SHUTDOWN (cancelled),
 * or GCORE_ERR_LIMIT / GCORE_ERR_NOMEM (|msg| cannot hold it).
 */
int gcore_server_call_read(gcore_server_call *c, gb_buf *msg);

/**
 * Sends |md| (copied) as the response headers now; otherwise they go with the first
 * message or the status. Returns 0, GCORE_ERR_STATE (already sent), GCORE_ERR_SHUTDOWN
 * (cancelled) or GCORE_ERR_NOMEM.
 */
int gcore_server_call_send_initial_metadata(gcore_server_call *c, const gcore_metadata *md);

/**
 * Sends one response message (copied). Blocks while a lot is waiting to be sent to a
 * slow client. Returns 0, GCORE_ERR_SHUTDOWN (cancelled), GCORE_ERR_STATE (after
 * finish), GCORE_ERR_LIMIT (over the send limit) or GCORE_ERR_NOMEM.
 */
int gcore_server_call_write(gcore_server_call *c, gb_slice msg);

/**
 * Ends the call with |st| (code, message, details) and |trailers| (NULL: none), both
 * copied. A handler that returns without finishing ends its call with UNKNOWN.
 * Returns 0, GCORE_ERR_SHUTDOWN (cancelled: the client gets no status from us),
 * GCORE_ERR_STATE (finished before) or GCORE_ERR_NOMEM.
 */
int gcore_server_call_finish(gcore_server_call *c, const gcore_status *st,
                             const gcore_metadata *trailers);

/** gcore_server_call_finish() with |code| and |message| (NULL: none), no details. */
int gcore_server_call_finish_code(gcore_server_call *c, gcore_code code, const char *message);

/** A pointer the application keeps with the call (interceptors to handlers, ...). */
void gcore_server_call_set_user_data(gcore_server_call *c, void *p);
void *gcore_server_call_get_user_data(const gcore_server_call *c);

#endif
