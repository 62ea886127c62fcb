/*
 * The client's private structures, shared by channel.c (connections, backoff,
 * keepalive), client_h2.c (the nghttp2 session callbacks), transport.c (sockets
 * and TLS) and call.c (the call API). Everything here is touched on the loop
 * thread only, except gcore_call.refs and gcore_call.api_closed.
 */
#ifndef GCORE_CLIENT_INT_H
#define GCORE_CLIENT_INT_H

#include <grpc-core/call.h>
#include <grpc-core/channel.h>
#include <grpc-core/frame.h>

#include "h2_compat.h"
#include "transport_int.h"

#include <base/buf.h>

#include <stdatomic.h>

typedef struct gcore_conn gcore_conn;

/*
 * What nghttp2 holds as a request stream's user data. It lives as long as nghttp2
 * may call back about the stream (until on_stream_close, on_frame_not_send for
 * HEADERS never written, or the session's end), while the call may leave earlier:
 * |c| is then NULL and callbacks about the stream are ignored.
 */
typedef struct gcore_h2_stream {
    gcore_call *c;
    int32_t id;
    bool closing;         /* inside on_stream_close: no RST_STREAM */
    bool cancel_on_write; /* the call left before its HEADERS went out */
    struct gcore_h2_stream *prev, *next;
} gcore_h2_stream;

/* Where a call is in its life. */
typedef enum call_state {
    CALL_NEW,    /* start task not run yet */
    CALL_QUEUED, /* in the channel's pending queue, no stream */
    CALL_STREAM, /* on a connection with a stream */
    CALL_DONE,   /* on_done has run (or is running) */
} call_state;

struct gcore_call {
    atomic_int refs;
    atomic_bool api_closed; /* half-close requested through the API */
    gcore_channel *ch;      /* valid until on_done (the channel may go after) */
    gcore_loop *loop;       /* valid while the application holds the call */
    char *method;
    gcore_call_handlers h;
    void *user_data;
    gcore_metadata md;
    uint64_t timeout_ms, deadline; /* deadline: loop time, 0 none */
    size_t max_recv, max_send;
    bool wait_for_ready;

    call_state state;
    gcore_call *prev, *next; /* channel pending queue or connection's list */
    gcore_conn *conn;
    int32_t stream_id;
    gcore_h2_stream *hs; /* while on a stream */
    gcore_timer *deadline_timer;

    gb_buf out; /* framed request bytes; [out_off, n) not sent yet */
    size_t out_off;
    bool half_closed;  /* no more messages: EOF after |out| drains */
    bool deferred;     /* the data provider returned NGHTTP2_ERR_DEFERRED */
    bool headers_sent; /* HEADERS went on the wire */
    bool committed;    /* bytes were dropped or a response came: no transparent retry */

    gcore_frame_reader reader;
    gb_buf in_pending; /* DATA bytes received while paused, not yet acknowledged */
    size_t in_off;
    bool paused;
    bool in_trailers; /* the HEADERS block being received is the trailers */
    bool got_headers;
    bool remote_closed; /* END_STREAM received; finish once |in_pending| is drained */
    int http_status;
    bool grpc_content_type;
    bool has_grpc_status;
    gcore_metadata resp_md; /* response headers */
    gcore_metadata trailers;
    gcore_status status;
};

typedef enum conn_state { CONN_CONNECTING, CONN_HANDSHAKE, CONN_READY, CONN_CLOSED } conn_state;

struct gcore_conn {
    gcore_channel *ch;
    conn_state state;
    gcore_transport tr;
    struct addrinfo *addrs, *next_addr; /* resolved; the ones not tried yet */
    struct gcore_resolve *resolving;    /* a host name lookup under way */
    gcore_watch *watch;
    unsigned watching;
    nghttp2_session *h2;
    gb_buf out; /* bytes from nghttp2 waiting for the socket */
    size_t out_off;
    gcore_call *calls;        /* calls with a stream here */
    gcore_h2_stream *streams; /* every stream handle nghttp2 may still call back about */
    uint32_t active;          /* open streams (whether or not a call still holds them) */
    bool goaway;
    bool flush_posted;
    bool ping_outstanding;
    gcore_timer *connect_timer, *ka_timer, *ka_timeout;
    gcore_conn *next_draining;
};

struct gcore_channel {
    gcore_loop *loop;
    char *host, *port, *authority, *server_name;
    gcore_channel_opts o; /* string fields point at copies below or NULL */
    SSL_CTX *ssl_ctx;
    _Atomic gcore_channel_state state;
    gcore_conn *conn;     /* the connection new calls go to */
    gcore_conn *draining; /* after GOAWAY, until their streams end */
    gcore_call *pending_head, *pending_tail;
    gcore_timer *backoff_timer;
    uint64_t backoff_ms; /* the next retry delay */
    bool in_backoff;
    bool shutdown;
    char last_error[256];
};

/* channel.c */
/* gRPC connection-backoff: returns the wait for this attempt, |*delay| +-20% (|rnd|
 * picks where), and grows |*delay| by 1.6 up to |max|. */
uint64_t gcore_backoff_next(uint64_t *delay, uint64_t max, uint32_t rnd);
void gcore_chan_enqueue(gcore_channel *ch, gcore_call *c, bool front);
void gcore_chan_unqueue(gcore_channel *ch, gcore_call *c);
void gcore_chan_pump(gcore_channel *ch);
void gcore_conn_schedule_flush(gcore_conn *conn);
void gcore_conn_fail(gcore_conn *conn, const char *why);
/* On GOAWAY: new calls go to a new connection; this one drains. */
void gcore_conn_goaway(gcore_conn *conn);
void gcore_chan_log(gcore_channel *ch, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* client_h2.c */
int gcore_conn_h2_init(gcore_conn *conn);
int gcore_conn_submit(gcore_conn *conn, gcore_call *c);
void gcore_conn_free_streams(gcore_conn *conn);

/* call.c */
void gcore_call_ref(gcore_call *c);
void gcore_call_unref(gcore_call *c);
void gcore_call_finish(gcore_call *c, gcore_code code, const char *msg);
void gcore_call_finish_status(gcore_call *c);
/* Ends the call as UNKNOWN |msg| with status.no_grpc_status set: the reply is not gRPC. */
void gcore_call_finish_not_grpc(gcore_call *c, const char *msg);
void gcore_call_feed(gcore_call *c, const uint8_t *p, size_t n);
void gcore_call_requeue(gcore_call *c);
void gcore_call_detach(gcore_call *c);

#endif
