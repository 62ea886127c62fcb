/*
 * A scripted HTTP/2 server on nghttp2 for the client's edge cases that a real gRPC
 * server never produces (no grpc-status, HTTP errors, GOAWAY, refused streams,
 * silence). Runs in its own thread on a loopback port; the handler runs there
 * when a request's END_STREAM arrives and answers with the helpers below.
 */
#ifndef TESTS_H2PEER_H
#define TESTS_H2PEER_H

#include <nghttp2/nghttp2.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct h2peer h2peer;

typedef struct h2peer_req {
    h2peer *peer;
    nghttp2_session *session;
    int conn_index; /* 0 for the first connection accepted, 1 for the next ... */
    int32_t stream_id;
    const char *path;
    const uint8_t *body;
    size_t body_n;
    const char *timeout; /* grpc-timeout or "" */
} h2peer_req;

typedef void (*h2peer_handler)(const h2peer_req *req, void *user_data);

/** Starts the server thread. Returns 0 or -1. */
int h2peer_start(h2peer **out, h2peer_handler handler, void *user_data);

/** Its port on 127.0.0.1. */
int h2peer_port(const h2peer *p);

/** "127.0.0.1:<port>" into |buf|. */
const char *h2peer_target(const h2peer *p, char *buf, size_t n);

/** Connections accepted so far. */
int h2peer_connections(const h2peer *p);

/** Response DATA payload bytes handed to nghttp2 so far (all streams). */
size_t h2peer_data_sent(const h2peer *p);

/** RST_STREAM frames with CANCEL received so far (all connections). */
int h2peer_cancels(const h2peer *p);

/** RST_STREAM frames of any code received so far (all connections). */
int h2peer_resets(const h2peer *p);

/** Stops the thread, closes everything. */
void h2peer_stop(h2peer *p);

/**
 * Answers |stream_id|: headers |hdrs| ("name", "value" pairs, |nh| of them), then
 * |data| (may be NULL: no DATA), then trailers |trl| (|nt| pairs; 0 ends the stream
 * with the data or headers). Thread: the handler's.
 */
void h2peer_respond(nghttp2_session *s, int32_t stream_id, const char *const *hdrs, size_t nh,
                    const uint8_t *data, size_t n, const char *const *trl, size_t nt);

/** Stops reading the connection of |s| (the peer goes silent: no PING acks). */
void h2peer_freeze(h2peer *p, nghttp2_session *s);

#endif
