/*
 * Server-streamed replies, written as the messages arrive: chunked HTTP/1.1 from an
 * MHD content reader. When no message is queued the reader suspends the connection
 * and returns 0; the loop resumes it on the next message or the end (call.c). The
 * loop stops taking messages while too many wait here, so the backend is held back
 * by HTTP/2 flow control as fast as the HTTP client reads. The socket holds the reply's
 * header until the first chunk is written, and the last chunk until the terminator is,
 * so each pair leaves as one segment; it is released whenever the reader has to wait.
 *
 * Framings: NDJSON {"result":..}\n (grpc-gateway), SSE data: ..\n\n, or one JSON
 * array; a failure after the first byte is the last item ({"error":..}, or an SSE
 * "event: error").
 */
#include "headers.h"
#include "log.h"
#include "reply_grpc.h"
#include "server.h"
#include "status_map.h"
#include "transcode.h"

#include <microhttpd.h>

#include <stdlib.h>
#include <string.h>

static int frame_open(gw_tx *tx, bool error)
{
    if (tx->raw)
        return 0;
    switch (tx->fmt) {
    case GW_STREAM_SSE:
        return gb_buf_append_str(&tx->out, error ? "event: error\ndata: " : "data: ");
    case GW_STREAM_ARRAY:
        if (gb_buf_append_str(&tx->out, tx->n_written == 0 ? "[" : ",") != 0)
            return -1;
        return error ? gb_buf_append_str(&tx->out, "{\"error\":") : 0;
    default:
        return gb_buf_append_str(&tx->out, error ? "{\"error\":" : "{\"result\":");
    }
}

static int frame_close(gw_tx *tx, bool error)
{
    if (tx->raw)
        return 0;
    switch (tx->fmt) {
    case GW_STREAM_SSE:
        return gb_buf_append_str(&tx->out, "\n\n");
    case GW_STREAM_ARRAY:
        return error ? gb_buf_putc(&tx->out, '}') : 0;
    default:
        return gb_buf_append_str(&tx->out, "}\n");
    }
}

/* Formats one reply message into tx->out. */
static int format_message(gw_tx *tx, gw_msg *m, char ctype[GW_CTYPE_MAX])
{
    gb_err err = {0};
    int rc = frame_open(tx, false);
    if (rc == 0)
        rc = gw_message_json(tx->gc->schema, tx->method, tx->gc->rule, gb_slice_of(m->data, m->len),
                             false, &tx->out, ctype, &err);
    if (rc == 0)
        rc = frame_close(tx, false);
    if (rc != 0)
        GW_LOG(GW_LOG_WARN, "%s: reply message: %s", tx->method->path, err.msg);
    tx->n_written++;
    return rc;
}

static bool wants_trailers(gw_req *req)
{
    const char *te = gw_req_header(req, "TE");
    return te != NULL && strstr(te, "trailers") != NULL;
}

/* A client that sent "TE: trailers" gets the call's trailers as HTTP trailers after the
 * last chunk, named as on buffered replies (Grpc-Trailer-<key>). */
static void add_trailers(gw_req *req, gw_call *gc)
{
    if (!wants_trailers(req) || req->reply.mhd == NULL)
        return;
    for (size_t i = 0; i < gc->trailers.n; i++) {
        const gcore_md_entry *e = &gc->trailers.v[i];
        const char *name, *value;
        if (gw_headers_map_response(e->key, e->value, e->value_len, true, &req->arena, &name,
                                    &value) == 0 &&
            name != NULL)
            MHD_add_response_footer(req->reply.mhd, name, value);
    }
}

/* The end of the stream: the error item if it failed, the array's closing bracket. */
static int format_end(gw_req *req, gw_tx *tx)
{
    gw_call *gc = tx->gc;
    int rc = 0;
    add_trailers(req, gc);
    bool failed = gc->status.code != GCORE_STATUS_OK;
    if (failed && !tx->raw) {
        rc = frame_open(tx, true);
        if (rc == 0)
            rc = gw_status_json(gc->schema, &gc->status, &tx->out);
        if (rc == 0)
            rc = frame_close(tx, true);
        tx->n_written++;
    }
    if (rc == 0 && tx->fmt == GW_STREAM_ARRAY && !tx->raw)
        rc = gb_buf_append_str(&tx->out, tx->n_written == 0 ? "[]" : "]");
    tx->finished = true;
    return rc;
}

/* Formats the next message, or the end. Returns 1 (something added or more to come),
 * 0 (nothing yet: with |wait|, what was written goes out and the connection is
 * suspended until the loop has more), -1 on error. */
static int refill(gw_req *req, gw_tx *tx, bool wait)
{
    char ctype[GW_CTYPE_MAX];
    gw_msg *m = gw_call_pop(tx->gc);
    if (m != NULL) {
        int rc = format_message(tx, m, ctype);
        free(m);
        return rc == 0 ? 1 : -1;
    }
    gw_call *gc = tx->gc;
    if (gc->head != NULL)
        return 1;
    if (gc->done)
        return format_end(req, tx) == 0 ? 1 : -1;
    if (wait) {
        gw_req_hold(req, false);
        if (gc->req != NULL) {
            gc->reader_waiting = true;
            gw_req_suspend(req);
        }
    }
    return 0;
}

static ssize_t read_stream(gw_req *req, char *buf, size_t max)
{
    gw_tx *tx = req->hstate;
    if (tx->broken && tx->out_off == tx->out.n)
        return -2;
    for (;;) {
        if (tx->out_off < tx->out.n) {
            size_t n = tx->out.n - tx->out_off;
            if (n > max)
                n = max;
            if (tx->finished)
                gw_req_hold(req, true);
            memcpy(buf, tx->out.p + tx->out_off, n);
            tx->out_off += n;
            return (ssize_t)n;
        }
        gb_buf_reset(&tx->out);
        tx->out_off = 0;
        if (tx->finished) {
            req->grpc_status = (int)tx->gc->status.code;
            return -1;
        }
        int rc = refill(req, tx, true);
        if (rc <= 0)
            return rc == 0 ? 0 : -2;
        /* Messages already queued join this chunk: one write for many small messages. */
        while (!tx->finished && tx->out.n < max && (rc = refill(req, tx, false)) == 1) {
        }
        if (rc < 0)
            return -2;
    }
}

/* A stream that ended before its reply began (a fast backend) goes out whole, with a
 * Content-Length: the same bytes in one write instead of a chunk per wake-up. A message
 * that fails to print ends it as a failing chunked stream would: cut short. */
static void send_whole(gw_req *req, gw_tx *tx)
{
    int rc = 1;
    while (!tx->finished && rc == 1)
        rc = refill(req, tx, false);
    if (rc < 0 || !tx->finished) {
        tx->broken = rc < 0;
        return;
    }
    req->reply.body = tx->out.p;
    req->reply.body_len = tx->out.n;
    req->reply.stream = NULL;
    req->grpc_status = (int)tx->gc->status.code;
}

static bool wants_sse(gw_req *req)
{
    const char *accept = gw_req_header(req, "Accept");
    return accept != NULL && strstr(accept, "text/event-stream") != NULL;
}

void gw_stream_begin(gw_req *req, gw_tx *tx)
{
    /* NDJSON is application/x-ndjson, as the OpenAPI document says; grpc-gateway
     * answers application/json, which no JSON parser reads whole. The array is JSON. */
    static const char *const ctypes[] = {"application/x-ndjson", "text/event-stream",
                                         "application/json"};
    tx->fmt = wants_sse(req) ? GW_STREAM_SSE : req->srv->cfg->stream_format;
    const pbd_message *out = tx->method->output;
    tx->raw = strcmp(out->full_name, "google.api.HttpBody") == 0 &&
              (tx->gc->rule == NULL || tx->gc->rule->response_body == NULL);
    const char *ctype = ctypes[tx->fmt];
    if (tx->raw) {
        /* HttpBody: the first message's content type is the reply's. */
        char first[GW_CTYPE_MAX];
        gw_msg *m = gw_call_pop(tx->gc);
        if (m != NULL) {
            format_message(tx, m, first);
            free(m);
            ctype = gb_arena_strndup(&req->arena, first, strlen(first));
        }
    }
    gw_reply_metadata(req, tx->gc, false);
    req->reply.status = 200;
    req->reply.content_type = ctype != NULL ? ctype : "application/octet-stream";
    req->reply.stream = read_stream;
    if (tx->fmt == GW_STREAM_SSE)
        gw_req_add_header(req, "Cache-Control", "no-cache");
    req->grpc_status = 0;
    if (tx->gc->done && !wants_trailers(req))
        send_whole(req, tx);
    if (req->reply.stream != NULL)
        gw_req_hold(req, true);
}
