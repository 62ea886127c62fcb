/*
 * The client side of the HTTP/2 session: request HEADERS for a call, the data
 * provider that streams its queued bytes (deferred until there are some), and the
 * callbacks that turn response HEADERS, DATA and trailers into call events.
 * Callbacks hand nghttp2 its own codes; they never free the session.
 */
#include "client_int.h"

#include <grpc-core/wire.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_KEEP (64 * 1024) /* request bytes kept for a transparent retry */

static gcore_call *stream_call(nghttp2_session *s, int32_t id)
{
    gcore_h2_stream *hs = nghttp2_session_get_stream_user_data(s, id);
    return hs != NULL ? hs->c : NULL;
}

static gcore_h2_stream *stream_new(gcore_conn *conn, gcore_call *c)
{
    gcore_h2_stream *hs = calloc(1, sizeof(*hs));
    if (hs == NULL)
        return NULL;
    hs->c = c;
    hs->next = conn->streams;
    if (conn->streams)
        conn->streams->prev = hs;
    conn->streams = hs;
    return hs;
}

static void stream_free(gcore_conn *conn, gcore_h2_stream *hs)
{
    if (hs->prev)
        hs->prev->next = hs->next;
    else
        conn->streams = hs->next;
    if (hs->next)
        hs->next->prev = hs->prev;
    if (hs->c != NULL)
        hs->c->hs = NULL;
    free(hs);
}

void gcore_conn_free_streams(gcore_conn *conn)
{
    while (conn->streams != NULL)
        stream_free(conn, conn->streams);
}

/* Drops request bytes already sent once the call can no longer be retried. */
static void compact_out(gcore_call *c)
{
    if (!c->committed && c->out_off > RETRY_KEEP)
        c->committed = true;
    if (!c->committed)
        return;
    if (c->out_off == c->out.n) {
        if (c->out.cap > RETRY_KEEP)
            gb_buf_free(&c->out); /* a large message is sent: give its memory back */
        else
            gb_buf_reset(&c->out);
        c->out_off = 0;
    } else if (c->out_off > (1u << 20) && c->out_off > c->out.n / 2) {
        memmove(c->out.p, c->out.p + c->out_off, c->out.n - c->out_off);
        c->out.n -= c->out_off;
        c->out_off = 0;
    }
}

static gcore_h2_ssize read_request(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
                                   uint32_t *flags, nghttp2_data_source *src, void *ud)
{
    (void)src;
    (void)ud;
    gcore_call *c = stream_call(s, id);
    if (c == NULL)
        return NGHTTP2_ERR_DEFERRED; /* finished: its RST_STREAM is queued */
    size_t avail = c->out.n - c->out_off;
    if (avail == 0 && !c->half_closed) {
        c->deferred = true;
        return NGHTTP2_ERR_DEFERRED;
    }
    size_t n = avail < len ? avail : len;
    if (n > 0)
        memcpy(buf, c->out.p + c->out_off, n);
    c->out_off += n;
    if (c->out_off == c->out.n && c->half_closed)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    compact_out(c);
    return (gcore_h2_ssize)n;
}

#define NV(n, v, vlen) gcore_h2_nv((n), sizeof(n) - 1, (v), (vlen))

/* The request header block: pseudo-headers, gRPC's own, then the call's metadata. */
int gcore_conn_submit(gcore_conn *conn, gcore_call *c)
{
    gcore_channel *ch = conn->ch;
    size_t max = 9 + c->md.n;
    nghttp2_nv *nva = calloc(max, sizeof(*nva));
    gb_buf vals;
    gb_buf_init(&vals, 0);
    int rc = GCORE_ERR_NOMEM;
    if (nva == NULL)
        goto out;
    size_t n = 0;
    const char *scheme = ch->ssl_ctx ? "https" : "http";
    nva[n++] = NV(":method", "POST", 4);
    nva[n++] = NV(":scheme", scheme, strlen(scheme));
    nva[n++] = NV(":path", c->method, strlen(c->method));
    nva[n++] = NV(":authority", ch->authority, strlen(ch->authority));
    nva[n++] = NV("te", "trailers", 8);
    nva[n++] = NV("content-type", "application/grpc", 16);
    nva[n++] = NV("user-agent", "protogate-gcore/0.1", 19);
    nva[n++] = NV("grpc-accept-encoding", "identity,deflate,gzip", 21);
    char timeout[GCORE_TIMEOUT_MAX];
    if (c->deadline) {
        uint64_t now = gcore_loop_now(ch->loop);
        uint64_t left = c->deadline > now ? c->deadline - now : 0;
        size_t tn = gcore_timeout_format(left * GCORE_NS_PER_MS, timeout);
        nva[n++] = NV("grpc-timeout", timeout, tn);
    }
    /* Values first into one buffer (it may move), pointers fixed after. */
    size_t *offs = calloc(c->md.n + 1, sizeof(*offs));
    if (offs == NULL)
        goto out;
    for (size_t i = 0; i < c->md.n; i++) {
        offs[i] = vals.n;
        if (gcore_metadata_wire_value(&c->md.v[i], &vals) != 0) {
            free(offs);
            goto out;
        }
    }
    offs[c->md.n] = vals.n;
    for (size_t i = 0; i < c->md.n; i++) {
        const char *k = c->md.v[i].key;
        nva[n++] = gcore_h2_nv(k, strlen(k), vals.p + offs[i], offs[i + 1] - offs[i]);
    }
    free(offs);
    nghttp2_data_provider prd = {.source.ptr = NULL, .read_callback = read_request};
    gcore_h2_stream *hs = stream_new(conn, c);
    if (hs == NULL)
        goto out;
    int32_t id = nghttp2_submit_request(conn->h2, NULL, nva, n, &prd, hs);
    rc = GCORE_ERR_HTTP2;
    if (id < 0) {
        stream_free(conn, hs);
        goto out;
    }
    hs->id = id;
    c->hs = hs;
    c->stream_id = id;
    c->conn = conn;
    c->state = CALL_STREAM;
    c->prev = NULL;
    c->next = conn->calls;
    if (conn->calls)
        conn->calls->prev = c;
    conn->calls = c;
    conn->active++;
    rc = 0;
out:
    free(nva);
    gb_buf_free(&vals);
    return rc;
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    (void)ud;
    gcore_call *c = stream_call(s, f->hd.stream_id);
    if (c != NULL && f->hd.type == NGHTTP2_HEADERS)
        c->in_trailers = c->got_headers;
    return 0;
}

static void status_header(gcore_call *c, gb_slice name, gb_slice value)
{
    if (gb_slice_eq_str(name, "grpc-status")) {
        int code = 0;
        bool ok = value.n > 0 && value.n <= 2;
        for (size_t i = 0; ok && i < value.n; i++) {
            ok = value.p[i] >= '0' && value.p[i] <= '9';
            code = code * 10 + (value.p[i] - '0');
        }
        c->has_grpc_status = true;
        c->status.code = ok && code <= 16 ? (gcore_code)code : GCORE_STATUS_UNKNOWN;
    } else if (gb_slice_eq_str(name, "grpc-message")) {
        gb_buf m;
        gb_buf_init(&m, 0);
        if (gcore_message_decode(value, &m) == 0 && gb_buf_putc(&m, 0) == 0) {
            gcore_code code = c->status.code;
            gcore_status_set(&c->status, code, (const char *)m.p);
        }
        gb_buf_free(&m);
    } else if (gb_slice_eq_str(name, "grpc-status-details-bin")) {
        gcore_metadata tmp;
        gcore_metadata_init(&tmp);
        if (gcore_metadata_add_wire(&tmp, name, value, NULL) == 0)
            gcore_status_set_details(&c->status, tmp.v[0].value, tmp.v[0].value_len);
        gcore_metadata_free(&tmp);
    }
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
    (void)flags;
    (void)ud;
    gcore_call *c = stream_call(s, f->hd.stream_id);
    if (c == NULL || f->hd.type != NGHTTP2_HEADERS)
        return 0;
    gb_slice k = gb_slice_of(name, namelen), v = gb_slice_of(value, valuelen);
    if (!c->in_trailers && gb_slice_eq_str(k, ":status")) {
        c->http_status = 0;
        for (size_t i = 0; i < v.n && v.p[i] >= '0' && v.p[i] <= '9'; i++)
            c->http_status = c->http_status * 10 + (v.p[i] - '0');
    } else if (!c->in_trailers && gb_slice_eq_str(k, "content-type")) {
        c->grpc_content_type = gcore_content_type_is_grpc(v);
    } else if (!c->in_trailers && gb_slice_eq_str(k, "grpc-encoding")) {
        /* Servers may compress whatever we accept: grpcio's default compression even
         * ignores grpc-accept-encoding. */
        gcore_frame_reader_set_encoding(&c->reader, gcore_encoding_parse(v));
    } else if (namelen > 5 && memcmp(name, "grpc-", 5) == 0) {
        status_header(c, k, v);
    } else if (!gcore_metadata_key_reserved(k)) {
        /* An entry we cannot represent (bad -bin base64) is dropped, not fatal. */
        gcore_metadata_add_wire(c->in_trailers ? &c->trailers : &c->resp_md, k, v, NULL);
    }
    return 0;
}

/* The first response HEADERS without END_STREAM: check it, then tell the application. */
static void response_headers(gcore_call *c)
{
    c->committed = true;
    compact_out(c);
    if (c->http_status != 200) {
        char msg[64];
        snprintf(msg, sizeof(msg), "HTTP status %d from the server", c->http_status);
        gcore_call_finish(c, gcore_status_from_http(c->http_status), msg);
        return;
    }
    if (!c->grpc_content_type) {
        /* Not a gRPC response: no grpc-status will say how the call went. */
        gcore_call_finish_not_grpc(c, "response content-type is not application/grpc");
        return;
    }
    if (c->h.on_headers)
        c->h.on_headers(c, &c->resp_md, c->user_data);
}

static void end_of_stream(gcore_call *c, bool trailers_only)
{
    c->remote_closed = true;
    if (trailers_only) {
        /* Trailers-Only: the one header block holds the trailers. */
        gcore_metadata t = c->trailers;
        c->trailers = c->resp_md;
        c->resp_md = t;
    }
    c->got_headers = true;
    if (!c->paused && c->in_pending.n == c->in_off)
        gcore_call_finish_status(c);
}

static void on_ping(gcore_conn *conn, const nghttp2_frame *f)
{
    if (!(f->hd.flags & NGHTTP2_FLAG_ACK) || !conn->ping_outstanding)
        return;
    conn->ping_outstanding = false;
    gcore_timer_stop(conn->ka_timeout);
    gcore_timer_start(conn->ka_timer, conn->ch->o.keepalive_time_ms);
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    gcore_conn *conn = ud;
    switch (f->hd.type) {
    case NGHTTP2_GOAWAY:
        gcore_conn_goaway(conn);
        return 0;
    case NGHTTP2_PING:
        on_ping(conn, f);
        return 0;
    case NGHTTP2_SETTINGS:
        gcore_chan_pump(conn->ch);
        return 0;
    case NGHTTP2_HEADERS:
    case NGHTTP2_DATA:
        break;
    default:
        return 0;
    }
    gcore_call *c = stream_call(s, f->hd.stream_id);
    if (c == NULL)
        return 0;
    bool eos = f->hd.flags & NGHTTP2_FLAG_END_STREAM;
    bool first = f->hd.type == NGHTTP2_HEADERS && !c->got_headers;
    if (first && !eos) {
        c->got_headers = true;
        response_headers(c);
        if (stream_call(s, f->hd.stream_id) != c)
            return 0;
    }
    if (eos)
        end_of_stream(c, first);
    return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
                   void *ud)
{
    (void)flags;
    (void)ud;
    gcore_call *c = stream_call(s, id);
    if (c == NULL) {
        nghttp2_session_consume(s, id, len);
        return 0;
    }
    gcore_call_feed(c, data, len);
    return 0;
}

static int on_frame_send(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    (void)ud;
    if (f->hd.type != NGHTTP2_HEADERS)
        return 0;
    gcore_h2_stream *hs = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
    if (hs != NULL && hs->c != NULL)
        hs->c->headers_sent = true;
    else if (hs != NULL && hs->cancel_on_write)
        nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, hs->id, NGHTTP2_CANCEL);
    return 0;
}

/*
 * Request HEADERS that were never written (cancelled while queued, or refused after a
 * GOAWAY) open no stream, so no on_stream_close follows: give the slot back here, and
 * start a call that is still waiting again elsewhere.
 */
static int on_frame_not_send(nghttp2_session *s, const nghttp2_frame *f, int lib_error, void *ud)
{
    (void)lib_error;
    gcore_conn *conn = ud;
    int32_t id = f->hd.stream_id;
    if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST ||
        nghttp2_session_get_stream_local_close(s, id) >= 0)
        return 0;
    conn->active--;
    for (gcore_h2_stream *hs = conn->streams; hs != NULL; hs = hs->next) {
        if (hs->id != id)
            continue;
        if (hs->c != NULL)
            gcore_call_requeue(hs->c);
        stream_free(conn, hs);
        break;
    }
    gcore_chan_pump(conn->ch);
    return 0;
}

/* RST_STREAM codes to gRPC codes (PROTOCOL-HTTP2.md "Errors"). */
static gcore_code rst_code(uint32_t e)
{
    switch (e) {
    case NGHTTP2_REFUSED_STREAM:
        return GCORE_STATUS_UNAVAILABLE;
    case NGHTTP2_CANCEL:
        return GCORE_STATUS_CANCELLED;
    case NGHTTP2_ENHANCE_YOUR_CALM:
        return GCORE_STATUS_RESOURCE_EXHAUSTED;
    case NGHTTP2_INADEQUATE_SECURITY:
        return GCORE_STATUS_PERMISSION_DENIED;
    default:
        return GCORE_STATUS_INTERNAL;
    }
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t error_code, void *ud)
{
    gcore_conn *conn = ud;
    conn->active--;
    gcore_h2_stream *hs = nghttp2_session_get_stream_user_data(s, id);
    gcore_call *c = hs != NULL ? hs->c : NULL;
    if (hs != NULL)
        hs->closing = true;
    if (c != NULL) {
        if (c->remote_closed) {
            gcore_call_detach(c); /* messages still queued for a paused reader */
        } else if (error_code == NGHTTP2_REFUSED_STREAM && !c->committed && !c->got_headers) {
            gcore_call_requeue(c); /* never processed: try again */
        } else {
            char msg[96];
            snprintf(msg, sizeof(msg), "stream reset by the server: %s",
                     nghttp2_http2_strerror(error_code));
            gcore_call_finish(c, rst_code(error_code), msg);
        }
    }
    if (hs != NULL)
        stream_free(conn, hs);
    gcore_chan_pump(conn->ch);
    return 0;
}

int gcore_conn_h2_init(gcore_conn *conn)
{
    gcore_channel *ch = conn->ch;
    nghttp2_session_callbacks *cb;
    nghttp2_option *opt;
    if (nghttp2_session_callbacks_new(&cb) != 0)
        return GCORE_ERR_NOMEM;
    if (nghttp2_option_new(&opt) != 0) {
        nghttp2_session_callbacks_del(cb);
        return GCORE_ERR_NOMEM;
    }
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_callbacks_set_on_frame_not_send_callback(cb, on_frame_not_send);
    /* Bytes are acknowledged as the application takes messages (gcore_call_feed). */
    nghttp2_option_set_no_auto_window_update(opt, 1);
    int rc = nghttp2_session_client_new2(&conn->h2, cb, conn, opt);
    nghttp2_session_callbacks_del(cb);
    nghttp2_option_del(opt);
    if (rc != 0)
        return GCORE_ERR_NOMEM;
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, ch->o.stream_window},
    };
    rc = nghttp2_submit_settings(conn->h2, NGHTTP2_FLAG_NONE, iv, 2);
    if (rc == 0 && ch->o.connection_window > NGHTTP2_INITIAL_CONNECTION_WINDOW_SIZE)
        rc = nghttp2_session_set_local_window_size(conn->h2, NGHTTP2_FLAG_NONE, 0,
                                                   (int32_t)ch->o.connection_window);
    return rc == 0 ? 0 : GCORE_ERR_HTTP2;
}
