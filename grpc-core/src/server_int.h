/*
 * Server internals shared by server.c (lifecycle), server_io.c (I/O thread, sockets,
 * TLS), server_conn.c (one nghttp2 server session per connection), server_call.c
 * (the handler-facing call API) and server_worker.c (worker threads).
 *
 * Threads: the I/O thread owns listeners, connections and their nghttp2 sessions.
 * Workers own a call while its handler runs. They meet in a call's mutex-protected
 * part (inbound message queue, outbound bytes, final status) and in two queues: the
 * run queue (I/O -> workers: calls to start) and the dirty list (workers -> I/O:
 * calls with something to send or bytes to give back to flow control, plus an
 * eventfd write).
 */
#ifndef GCORE_SERVER_INT_H
#define GCORE_SERVER_INT_H

#include <grpc-core/server.h>

#include "h2_compat.h"
#include "server_wire_int.h"
#include "tls_lib_int.h"

#include <grpc-core/frame.h>
#include <grpc-core/loop.h>

#include <base/arena.h>

#include <pthread.h>
#include <stdatomic.h>

#define SERVER_MAX_LISTENERS 8
/* Bytes a handler may queue for sending before gcore_server_call_write() blocks. */
#define SERVER_OUT_HIGH_WATER (256u * 1024u)
/* HTTP/2 receive windows: per stream and per connection. */
#define SERVER_STREAM_WINDOW (1 << 20)
#define SERVER_CONN_WINDOW (16 << 20)
/* Worker threads the pool may grow to while long streams keep every worker busy, and
 * how long every worker must have been on its call before a waiting call adds one. */
#define SERVER_DEFAULT_MAX_WORKERS 64u
#define SERVER_GROW_AFTER_MS 50
/* How long shutdown waits for handlers after cancelling them, past the grace period. */
#define SERVER_CANCEL_WAIT_MS 200
/* Consecutive DATA frames without payload or END_STREAM a client may send (Envoy's
 * max_consecutive_inbound_frames_with_empty_payload): a flood of them costs the server
 * work and the client nothing; beyond, GOAWAY ENHANCE_YOUR_CALM. */
#define SERVER_MAX_EMPTY_FRAMES 100
/* Socket reads of one connection per loop turn (16 KiB each). */
#define SERVER_READS_PER_EVENT 16

struct gcore_server_opts {
    unsigned workers;
    unsigned max_workers;
    size_t max_recv;
    size_t max_send;
    char *cert_file;
    char *key_file;
    char *client_ca_file;
    void (*log)(int level, const char *msg, void *user_data);
    void *log_user_data;
};

typedef struct server_method {
    char *path;
    gcore_method_kind kind;
    gcore_server_handler fn; /* NULL for a non-blocking handler */
    gcore_server_async_handler async;
    void *user_data;
} server_method;

typedef struct server_conn server_conn;

/* A received message waiting for the handler. */
typedef struct server_msg {
    struct server_msg *next;
    size_t n;
    uint8_t data[];
} server_msg;

/* Where a call is in its life, as the I/O thread sees it. */
enum { CALL_OPEN = 0, CALL_CLOSED = 1 };

struct gcore_server_call {
    gcore_server *srv;
    atomic_int refs;

    /* Set by the I/O thread before the call is queued; read-only afterwards. */
    const server_method *method;
    char *path;
    gcore_metadata md;
    char peer[64];
    int64_t deadline;            /* CLOCK_MONOTONIC ms, INT64_MAX: none */
    gcore_timer *deadline_timer; /* loop thread */
    void *user_data;

    /* I/O thread only. */
    server_conn *conn; /* NULL once the stream is gone */
    int32_t stream_id;
    struct gcore_server_call *conn_prev, *conn_next; /* the connection's calls */
    server_request req;
    gcore_frame_reader reader;
    size_t unconsumed; /* DATA bytes not yet given back to flow control */
    size_t n_in;       /* request messages received */
    bool headers_sent;
    bool provider_attached;
    bool dispatched;
    bool async_done; /* on_done ran (non-blocking handlers) */
    bool in_dirty;   /* guarded by the server's dirty_mu */
    struct gcore_server_call *dirty_next;
    struct gcore_server_call *run_next; /* guarded by the server's run_mu */

    /* Shared, under mu. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    server_msg *in_head, *in_tail;
    bool in_eof;       /* the client half-closed */
    bool cancelled;    /* no more reads or writes */
    bool want_consume; /* the handler took messages: give bytes back */
    bool want_headers; /* send initial metadata now */
    bool initial_sent; /* the handler can no longer set initial metadata */
    gcore_metadata initial_md;
    gb_buf out; /* framed response messages not yet handed to nghttp2 */
    size_t out_off;
    bool finished;    /* the final status is set (by the handler or the server) */
    bool status_sent; /* trailers handed to nghttp2 */
    bool handler_done;
    gcore_status final;
    gcore_metadata trailers;
};

struct server_conn {
    gcore_server *srv;
    int fd;
    gcore_watch *watch;
    SSL *ssl;
    bool handshaking;
    nghttp2_session *h2;
    char peer[64];
    gb_buf wbuf; /* bytes from nghttp2 not yet written to the socket */
    size_t wbuf_off;
    bool want_write;       /* EPOLLOUT registered */
    unsigned empty_frames; /* consecutive empty DATA frames received */
    bool closing;
    gcore_server_call *calls;
    server_conn *prev, *next;
};

enum { SERVER_NEW = 0, SERVER_RUNNING = 1, SERVER_DRAINING = 2, SERVER_STOPPED = 3 };

struct gcore_server {
    gcore_server_opts opts;
    SSL_CTX *ssl_ctx;
    server_method *methods; /* sorted by path at start */
    size_t n_methods;
    gcore_server_interceptor *interceptors;
    size_t n_interceptors;
    int listen_fds[SERVER_MAX_LISTENERS];
    size_t n_listen;
    atomic_int state;

    /* I/O thread. */
    gcore_loop *loop;
    bool io_started;
    gcore_watch *listen_watch[SERVER_MAX_LISTENERS];
    gcore_timer *pool_timer; /* server_workers_tick() */
    server_conn *conns;
    atomic_size_t n_calls; /* calls whose stream is open */

    pthread_mutex_t dirty_mu;
    gcore_server_call *dirty;

    /* Workers. */
    pthread_t *workers; /* room for opts.max_workers */
    unsigned n_workers;
    int64_t *busy_since; /* per worker: when its call started, 0 when idle (run_mu) */
    pthread_mutex_t run_mu;
    pthread_cond_t run_cv;
    gcore_server_call *run_head, *run_tail;
    bool run_stop;
    unsigned n_alive;       /* workers not yet exited (run_mu) */
    pthread_cond_t exit_cv; /* a worker exited (run_mu; CLOCK_MONOTONIC) */
    bool orphaned;          /* gcore_server_free() left |s| to the last worker (run_mu) */
};

/* server.c */
void server_log(gcore_server *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const server_method *server_find_method(const gcore_server *s, const char *path, size_t n);
int64_t server_now_ms(void);
/* Drops the methods registered after the first |n|, so that a service whose second
 * registration failed leaves no route to freed state (before start). */
void server_methods_truncate(gcore_server *s, size_t n);

/* server_io.c: the I/O thread. */
int server_io_start(gcore_server *s, gb_err *err);
/* Has the I/O thread work on the dirty list (any thread). */
void server_io_wake(gcore_server *s);
/* Writes what the connection's session has to send; marks it closing when done. */
void server_io_flush(server_conn *c);
/* Flushes, and closes the connection if it is done (loop thread). */
void server_io_kick(server_conn *c);
/* Graceful shutdown: close listeners, GOAWAY (any thread). */
void server_io_drain(gcore_server *s);
/* Ends every call, closes every connection and stops the I/O thread (any thread). */
void server_io_join(gcore_server *s);
void server_io_free(gcore_server *s);

/* server_conn.c: one HTTP/2 server session. */
int server_conn_init(server_conn *c, gcore_server *s);
/* Feeds received bytes. Returns 0 or a negative value when the connection must close. */
int server_conn_recv(server_conn *c, const uint8_t *p, size_t n);
/* Moves bytes the session wants to send into c->wbuf (up to a high-water mark). */
int server_conn_pull(server_conn *c);
bool server_conn_done(const server_conn *c);
/* Cancels every call and frees the session (not the socket). */
void server_conn_release(server_conn *c);
/* Works on a call a worker marked dirty (I/O thread). */
void server_conn_sync_call(gcore_server_call *call);
void server_conn_goaway(server_conn *c);
/* Ends every open call of |c| with |code| (shutdown after the grace time). */
void server_conn_cancel_all(server_conn *c, gcore_code code, const char *msg);

/* server_call.c */
gcore_server_call *server_call_new(gcore_server *s);
void server_call_ref(gcore_server_call *call);
void server_call_unref(gcore_server_call *call);
/* Queues the call for the I/O thread (any thread). */
void server_call_mark_dirty(gcore_server_call *call);
/* Sets the final status from the server side (deadline, limit, shutdown), cancels the
 * handler's view of the call and marks it dirty. Caller holds call->mu. */
void server_call_abort_locked(gcore_server_call *call, gcore_code code, const char *msg);
/* Unary and server-streaming methods take exactly one request message. */
bool server_call_one_request(const gcore_server_call *call);
/* Waits on the call's condition variable until woken or |deadline_ms| passes. Used by
 * the health service's Watch. Caller holds call->mu. */
void server_call_wait_locked(gcore_server_call *call, int64_t deadline_ms);

/* server_worker.c */
/* Runs the interceptors' on_call; false when one rejected (and finished) the call. */
bool server_run_interceptors(gcore_server *s, gcore_server_call *call);
/* The interceptors' on_done, last added first. */
void server_run_done(gcore_server *s, gcore_server_call *call, const gcore_status *st);
int server_workers_start(gcore_server *s);
void server_workers_submit(gcore_server *s, gcore_server_call *call);
/* Adds a worker when calls wait and every worker is stuck on a long call (loop timer). */
void server_workers_tick(gcore_server *s);
/* Stops the workers: waits until |deadline_ms| (CLOCK_MONOTONIC) for them to exit, and
 * detaches those still held by a handler that ignores cancellation. Returns true when
 * every worker exited. */
bool server_workers_stop(gcore_server *s, int64_t deadline_ms);
/* server.c: frees |s| itself; the last worker calls it for an orphaned server. */
void server_free_memory(gcore_server *s);

#endif
