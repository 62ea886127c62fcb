/*
 * Calls on a channel: unary, client streaming, server streaming and bidi are all
 * the same object — start it, send messages, half-close, and receive headers,
 * messages and a final status through callbacks. No thread waits per call.
 *
 * Threads: callbacks run on the channel's loop thread. gcore_call_start(),
 * gcore_call_send(), gcore_call_send_buf(), gcore_call_half_close(), gcore_call_cancel(),
 * gcore_call_resume() and gcore_call_release() may be called from any thread;
 * they post their work to the loop, in order. on_done runs exactly once, last,
 * and may run before gcore_call_start() has returned to another thread (a call
 * can fail at once), so set up everything |user_data| points to first.
 *
 * Memory: a call holds two references, the caller's (from gcore_call_start) and
 * the loop's (dropped after on_done returns). Release yours with
 * gcore_call_release() whenever you are done with the pointer, before or after
 * on_done. Received bytes stay within the HTTP/2 flow-control windows: bytes are
 * acknowledged to the server only as messages are taken, so a consumer that
 * pauses (gcore_call_pause() in on_message) stops the server sending.
 *
 * The HTTP front end, in its own thread, for one unary request:
 *
 *     static void on_message(gcore_call *c, gb_slice msg, void *ud)
 *     {                                                  // loop thread
 *         gw_req *req = ud;
 *         gb_buf_append(&req->reply, msg.p, msg.n);      // msg is borrowed: copy
 *     }
 *     static void on_done(gcore_call *c, const gcore_status *st,
 *                         const gcore_metadata *trailers, void *ud)
 *     {                                                  // loop thread, once
 *         gw_req *req = ud;
 *         gw_req_store_status(req, st, trailers);        // copy what it needs
 *         MHD_resume_connection(req->conn);
 *     }
 *     static const gcore_call_handlers handlers = {NULL, on_message, on_done};
 *
 *     gcore_call_opts o = {.timeout_ms = 5000, .metadata = &req->md};
 *     gcore_call *call;                                  // MHD thread
 *     if (gcore_call_start(ch, "/helloworld.Greeter/SayHello", &o, &handlers, req,
 *                          &call) != 0)
 *         return reply_503(req);
 *     gcore_call_send(call, wire_bytes, true);           // message + half-close
 *     MHD_suspend_connection(conn);
 *     ... client went away:  gcore_call_cancel(call);    // on_done: CANCELLED
 *     ... request finished:  gcore_call_release(call);
 *
 * A server stream delivers on_message per message; for backpressure call
 * gcore_call_pause(call) inside on_message and gcore_call_resume(call) from the
 * HTTP thread when its queue drains.
 */
#ifndef GCORE_CALL_H
#define GCORE_CALL_H

#include <grpc-core/channel.h>
#include <grpc-core/metadata.h>
#include <grpc-core/status.h>

#include <base/buf.h>
#include <base/slice.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gcore_call gcore_call;

/* Callbacks, all optional, all on the loop thread; arguments are borrowed for the call. */
typedef struct gcore_call_handlers {
    /* Response headers (not called for a Trailers-Only response). */
    void (*on_headers)(gcore_call *call, const gcore_metadata *headers, void *user_data);
    /* One response message; |msg| is valid until the callback returns. */
    void (*on_message)(gcore_call *call, gb_slice msg, void *user_data);
    /* The end: status (with decoded grpc-message and details) and trailers. */
    void (*on_done)(gcore_call *call, const gcore_status *status, const gcore_metadata *trailers,
                    void *user_data);
} gcore_call_handlers;

/* Zero means the default for every field. */
typedef struct gcore_call_opts {
    uint64_t timeout_ms;            /* deadline from start; sent as grpc-timeout; 0: none */
    const gcore_metadata *metadata; /* request metadata; copied */
    size_t max_recv_message_size;   /* default: the channel's */
    size_t max_send_message_size;   /* default: the channel's */
    bool wait_for_ready;            /* queue through connection failures until the deadline */
} gcore_call_opts;

/**
 * Starts a call to |method| ("/pkg.Service/Method") on |ch|. |method|, |opts| and the
 * metadata are copied; |handlers| is copied.
 * Ownership: |*out| holds a reference the caller drops with gcore_call_release();
 * |out| may be NULL when the caller needs no handle. |user_data| must stay valid
 * until on_done has run.
 * Thread: any. Returns 0, GCORE_ERR_INVALID (method not "/x/y", or a metadata key that
 * is not valid), GCORE_ERR_RESERVED (a metadata key the library sets) or GCORE_ERR_NOMEM;
 * every other failure (no connection, deadline) arrives through on_done.
 */
int gcore_call_start(gcore_channel *ch, const char *method, const gcore_call_opts *opts,
                     const gcore_call_handlers *handlers, void *user_data, gcore_call **out);

/**
 * Queues one request message (copied), and half-closes after it when |last|.
 * Thread: any. Returns 0, GCORE_ERR_NOMEM, or GCORE_ERR_STATE after a half-close.
 * A message over the send limit ends the call with RESOURCE_EXHAUSTED.
 */
int gcore_call_send(gcore_call *call, gb_slice msg, bool last);

/**
 * As gcore_call_send(), for a message built in a buffer: the call takes the buffer
 * instead of copying it (the 5-byte prefix is put in front in place), and HTTP/2 DATA
 * frames are read straight from it.
 * Ownership: takes |msg|'s memory whatever the result; |*msg| is left empty.
 * Thread: any. Returns 0, GCORE_ERR_NOMEM, GCORE_ERR_LIMIT (over 4 GiB - 1) or
 * GCORE_ERR_STATE after a half-close.
 */
int gcore_call_send_buf(gcore_call *call, gb_buf *msg, bool last);

/** Ends the request stream (no more messages). Thread: any. Returns 0, GCORE_ERR_STATE/NOMEM. */
int gcore_call_half_close(gcore_call *call);

/**
 * Cancels the call: RST_STREAM(CANCEL) if it is on the wire, and on_done with CANCELLED
 * unless it already finished. Thread: any.
 */
void gcore_call_cancel(gcore_call *call);

/** Stops delivering messages and acknowledging bytes; call inside on_message. Thread: loop. */
void gcore_call_pause(gcore_call *call);

/** Resumes delivery after gcore_call_pause(). Thread: any. */
void gcore_call_resume(gcore_call *call);

/** Drops the caller's reference (NULL is ignored). Thread: any. */
void gcore_call_release(gcore_call *call);

/** The method given at start (borrowed from the call). Thread: any. */
const char *gcore_call_method(const gcore_call *call);

#endif
