/*
 * A channel: one HTTP/2 connection to host:port that carries many concurrent calls
 * (see call.h), over plaintext (HTTP/2 with prior knowledge) or TLS with ALPN "h2".
 *
 * The channel connects when the first call starts, queues calls beyond the peer's
 * SETTINGS_MAX_CONCURRENT_STREAMS, and after a failure reconnects with exponential
 * backoff (gRPC's connection-backoff: 1 s base, x1.6, +-20% jitter, 120 s cap). While
 * a connection attempt has just failed (TRANSIENT_FAILURE) new calls fail at once
 * with UNAVAILABLE unless they ask to wait for ready. A GOAWAY moves new calls to a
 * fresh connection; calls the peer never processed are retried there, calls already
 * under way on a connection that dies fail with UNAVAILABLE. Keepalive PINGs
 * (off by default) detect dead peers.
 *
 *     gcore_loop *loop;  gcore_loop_new(&loop);  gcore_loop_start(loop);
 *     gcore_channel_opts o = {0};
 *     o.tls = true;  o.ca_file = "ca.pem";                 // verify against this CA
 *     gcore_channel *ch;
 *     gb_err err = {0};
 *     if (gcore_channel_new(loop, "api.example.com:443", &o, &ch, &err) != 0)
 *         fprintf(stderr, "%s\n", err.msg);
 *     ... gcore_call_start(ch, ...) ...
 *     gcore_channel_free(ch);                              // cancels what is left
 */
#ifndef GCORE_CHANNEL_H
#define GCORE_CHANNEL_H

#include <grpc-core/log.h>
#include <grpc-core/loop.h>

#include <base/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gcore_channel gcore_channel;

/* Zero means the default for every field. Copied by gcore_channel_new(). */
typedef struct gcore_channel_opts {
    bool tls;                      /* TLS with ALPN h2; otherwise plaintext prior knowledge */
    const char *ca_file;           /* PEM CAs to verify the server; NULL: the system's */
    const char *cert_file;         /* client certificate chain (PEM) for mTLS */
    const char *key_file;          /* its private key (PEM) */
    const char *server_name;       /* SNI and the name the certificate must match; default host */
    const char *authority;         /* :authority; default "host:port" */
    uint32_t connect_timeout_ms;   /* default 20000 */
    uint32_t keepalive_time_ms;    /* PING after this idle time; 0: no keepalive */
    uint32_t keepalive_timeout_ms; /* no PING ack within this: dead peer; default 20000 */
    bool keepalive_without_calls;  /* also PING while no call is active */
    uint32_t backoff_base_ms;      /* default 1000 */
    uint32_t backoff_max_ms;       /* default 120000 */
    size_t max_recv_message_size;  /* default for calls: 4 MiB */
    size_t max_send_message_size;  /* default for calls: unlimited (SIZE_MAX) */
    uint32_t stream_window;        /* per-stream receive window; default 1 MiB */
    uint32_t connection_window;    /* connection receive window; default 16 MiB */
    void (*log)(int level, const char *msg, void *user_data); /* optional */
    void *log_user_data;
} gcore_channel_opts;

/* The channel's connectivity state, as gRPC names them. */
typedef enum gcore_channel_state {
    GCORE_CHANNEL_IDLE,
    GCORE_CHANNEL_CONNECTING,
    GCORE_CHANNEL_READY,
    GCORE_CHANNEL_TRANSIENT_FAILURE,
    GCORE_CHANNEL_SHUTDOWN,
} gcore_channel_state;

/**
 * Creates a channel on |loop| to |target| ("host:port", "[v6addr]:port"). No
 * connection is made until the first call. TLS files are loaded here, so a bad CA,
 * certificate or key is reported now.
 * Ownership: caller frees with gcore_channel_free(); |loop| must outlive the channel.
 * Thread: any.
 * Returns 0, GCORE_ERR_INVALID (bad target or options), GCORE_ERR_TLS (TLS files) or
 * GCORE_ERR_NOMEM; |err| (may be NULL) says what.
 */
int gcore_channel_new(gcore_loop *loop, const char *target, const gcore_channel_opts *opts,
                      gcore_channel **out, gb_err *err);

/**
 * Shuts the channel down: calls not finished end with CANCELLED (their on_done runs
 * on the loop thread), connections close, then the channel is freed. Calls the
 * application still holds stay valid until released.
 * Thread: any (the work is posted to the loop). NULL is ignored.
 */
void gcore_channel_free(gcore_channel *ch);

/** The channel's state as last seen by the loop thread. Thread: any. */
gcore_channel_state gcore_channel_get_state(const gcore_channel *ch);

/** The loop the channel lives on. Thread: any. */
gcore_loop *gcore_channel_loop(const gcore_channel *ch);

#endif
