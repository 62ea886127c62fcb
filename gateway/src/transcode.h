/*
 * The transcoded routes: an HTTP request matched to a google.api.http rule becomes
 * a gRPC call (google/api/http.proto's mapping: path variables, body "*" / a field /
 * none, the other fields from the query string), and its reply becomes HTTP.
 */
#ifndef GW_TRANSCODE_H
#define GW_TRANSCODE_H

#include "app.h"
#include "call.h"
#include "config.h"
#include "req.h"
#include "split.h"

#include <descriptors/router.h>

/* The per-request transcoding state (in the request's arena; its worker thread only). */
typedef struct gw_tx {
    gw_call *gc;
    pbd_route route;
    const pbd_method *method;
    const char *body_field; /* "*", a field name, or NULL */
    /* client streaming in */
    gw_split split;
    bool split_on;
    /* streaming out */
    gw_stream_format fmt;
    bool raw; /* google.api.HttpBody messages: their bytes as they are */
    gb_buf out;
    size_t out_off;
    size_t n_written;
    bool finished;
    bool broken; /* a message failed to print: the reply ends there, cut short */
} gw_tx;

/**
 * Encodes one request message for |tx| into |wire|: |json| (the body, or one streamed
 * message; may be empty) per the rule's body, then path variables and query
 * parameters. Returns 0, or an error code after setting |req|'s error reply (400 with
 * the codec's message, 413).
 */
int gw_tx_encode(gw_req *req, gw_tx *tx, const char *json, size_t n, gb_buf *wire);

/** Starts writing a streamed reply (server streaming): framing, content type, reader. */
void gw_stream_begin(gw_req *req, gw_tx *tx);

#endif
