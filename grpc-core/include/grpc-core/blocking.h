/*
 * Blocking calls for simple programs and tests: the calling thread waits while a
 * loop thread does the work. Not for the gateway (it uses call.h's callbacks).
 *
 *     gcore_blocking_client *cl;
 *     gcore_blocking_client_new("127.0.0.1:50051", NULL, &cl, &err);  // loop + thread
 *     gcore_reply r;
 *     gcore_reply_init(&r);
 *     gcore_call_opts o = {.timeout_ms = 2000};
 *     gcore_blocking_unary(gcore_blocking_client_channel(cl), "/pkg.Svc/Get",
 *                          GB_SLICE_LIT("\x08\x01"), &o, &r);
 *     if (r.status.code == GCORE_STATUS_OK) use(r.msgs[0]);
 *     gcore_reply_free(&r);
 *     gcore_blocking_client_free(cl);
 */
#ifndef GCORE_BLOCKING_H
#define GCORE_BLOCKING_H

#include <grpc-core/call.h>
#include <grpc-core/channel.h>

typedef struct gcore_blocking_client gcore_blocking_client;

/* What a finished call returned; every field owned. */
typedef struct gcore_reply {
    gcore_status status;
    gcore_metadata headers;
    gcore_metadata trailers;
    gb_slice *msgs; /* each message, heap copies */
    size_t n_msgs;
} gcore_reply;

/** Makes |r| empty. */
void gcore_reply_init(gcore_reply *r);

/** Frees what |r| holds; it is empty and reusable. */
void gcore_reply_free(gcore_reply *r);

/**
 * A loop running in its own thread and one channel on it to |target|.
 * Ownership: caller frees with gcore_blocking_client_free(). Thread: any.
 * Returns 0 or what gcore_loop_new()/gcore_channel_new() return, |err| set.
 */
int gcore_blocking_client_new(const char *target, const gcore_channel_opts *opts,
                              gcore_blocking_client **out, gb_err *err);

/** The channel (borrowed; valid until gcore_blocking_client_free()). */
gcore_channel *gcore_blocking_client_channel(gcore_blocking_client *cl);

/** Frees the channel (cancelling calls), stops and joins the loop thread. */
void gcore_blocking_client_free(gcore_blocking_client *cl);

/**
 * Runs a call to the end: sends |n_reqs| messages, half-closes, collects headers,
 * every reply message, the status and trailers into |out| (initialized; cleared first).
 * Works for all four call kinds. Thread: any thread but |ch|'s loop thread.
 * Returns 0 when the call ran (its outcome is |out->status|), GCORE_ERR_STATE on the
 * loop thread, or gcore_call_start()'s errors.
 */
int gcore_blocking_call(gcore_channel *ch, const char *method, const gb_slice *reqs, size_t n_reqs,
                        const gcore_call_opts *opts, gcore_reply *out);

/** gcore_blocking_call() with one request message. */
int gcore_blocking_unary(gcore_channel *ch, const char *method, gb_slice req,
                         const gcore_call_opts *opts, gcore_reply *out);

#endif
