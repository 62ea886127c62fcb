/*
 * One HTTP/2 server session: request headers become calls, DATA frames become
 * messages in the call's queue, and what a handler writes leaves through a data
 * provider that is resumed whenever the handler adds bytes. I/O thread only.
 *
 * Flow control is manual (no_auto_window_update): bytes that arrive while
 * unread messages are queued are given back only when the handler takes them,
 * so a client that sends faster than its handler reads is held at the window.
 */
#include "server_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const REASON_UNKNOWN_METHOD = "unknown method";

static gcore_server_call *stream_call(nghttp2_session *h2, int32_t stream_id)
{
    return nghttp2_session_get_stream_user_data(h2, stream_id);
}

static void conn_unlink_call(server_conn *c, gcore_server_call *call)
{
    if (call->conn_prev != NULL)
        call->conn_prev->conn_next = call->conn_next;
    else
        c->calls = call->conn_next;
    if (call->conn_next != NULL)
        call->conn_next->conn_prev = call->conn_prev;
    call->conn_prev = call->conn_next = NULL;
    call->conn = NULL;
}

/* Ends the call from the server side and sends its status now (I/O thread). */
static void conn_abort_call(gcore_server_call *call, gcore_code code, const char *msg)
{
    pthread_mutex_lock(&call->mu);
    server_call_abort_locked(call, code, msg);
    pthread_mutex_unlock(&call->mu);
    server_conn_sync_call(call);
}

static void on_deadline(gcore_timer *t, void *user_data)
{
    (void)t;
    gcore_server_call *call = user_data;
    server_conn *c = call->conn;
    pthread_mutex_lock(&call->mu);
    if (!call->finished)
        server_call_abort_locked(call, GCORE_STATUS_DEADLINE_EXCEEDED, "Deadline Exceeded");
    pthread_mutex_unlock(&call->mu);
    server_conn_sync_call(call);
    if (c != NULL)
        server_io_kick(c);
}

/* The call's stream is gone: no more deadline, no more bytes to give back. */
static void call_detach(server_conn *c, gcore_server_call *call)
{
    gcore_timer_free(call->deadline_timer);
    call->deadline_timer = NULL;
    if (call->unconsumed > 0)
        nghttp2_session_consume_connection(c->h2, call->unconsumed);
    call->unconsumed = 0;
    conn_unlink_call(c, call);
    atomic_fetch_sub(&c->srv->n_calls, 1);
}

static int on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame, void *user_data)
{
    server_conn *c = user_data;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    gcore_server_call *call = server_call_new(c->srv);
    if (call == NULL)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    call->conn = c;
    call->stream_id = frame->hd.stream_id;
    memcpy(call->peer, c->peer, sizeof call->peer);
    call->conn_next = c->calls;
    if (c->calls != NULL)
        c->calls->conn_prev = call;
    c->calls = call;
    atomic_fetch_add(&c->srv->n_calls, 1);
    nghttp2_session_set_stream_user_data(h2, frame->hd.stream_id, call);
    return 0;
}

static int on_header(nghttp2_session *h2, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *user_data)
{
    (void)flags;
    (void)user_data;
    gcore_server_call *call = stream_call(h2, frame->hd.stream_id);
    if (call == NULL || frame->hd.type != NGHTTP2_HEADERS ||
        frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0; /* request trailers carry nothing we use */
    int rv = server_wire_request_header(&call->req, &call->md, gb_slice_of(name, namelen),
                                        gb_slice_of(value, valuelen));
    return rv == GCORE_ERR_NOMEM ? NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE : 0;
}

/* The request headers are complete: answer errors here, or hand the call to a worker. */
static void call_begin(server_conn *c, gcore_server_call *call)
{
    server_request *req = &call->req;
    if (!req->post || !req->ct_grpc) {
        /* Not a gRPC request: an HTTP status only (415 per the gRPC spec). */
        pthread_mutex_lock(&call->mu);
        call->finished = call->status_sent = call->headers_sent = true;
        call->cancelled = true;
        pthread_mutex_unlock(&call->mu);
        server_wire_submit_http_error(c->h2, call->stream_id, req->post ? 415 : 405);
        return;
    }
    if (req->bad_timeout) {
        conn_abort_call(call, GCORE_STATUS_INTERNAL, "malformed grpc-timeout");
        return;
    }
    call->path = req->path;
    req->path = NULL;
    call->deadline = req->timeout_ms < 0 ? INT64_MAX : server_now_ms() + req->timeout_ms;
    call->method =
        call->path != NULL ? server_find_method(c->srv, call->path, strlen(call->path)) : NULL;
    if (call->method == NULL) {
        conn_abort_call(call, GCORE_STATUS_UNIMPLEMENTED, REASON_UNKNOWN_METHOD);
        return;
    }
    if (req->timeout_ms >= 0) {
        if (gcore_timer_new(c->srv->loop, on_deadline, call, &call->deadline_timer) != 0 ||
            gcore_timer_start(call->deadline_timer, (uint64_t)req->timeout_ms) != 0) {
            conn_abort_call(call, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
            return;
        }
    }
    call->dispatched = true;
    if (call->method->fn == NULL) {
        /* Non-blocking handler: interceptors and on_start run here, on the I/O thread. */
        if (server_run_interceptors(c->srv, call) && call->method->async.on_start != NULL)
            call->method->async.on_start(call, call->method->user_data);
        return;
    }
    server_call_ref(call);
    server_workers_submit(c->srv, call);
}

/* A non-blocking handler's call has ended: its on_done, then the interceptors'. */
static void call_async_done(gcore_server_call *call)
{
    const server_method *m = call->method;
    if (m == NULL || m->fn != NULL || !call->dispatched || call->async_done)
        return;
    call->async_done = true;
    gcore_status st;
    gcore_status_init(&st);
    pthread_mutex_lock(&call->mu);
    if (gcore_status_copy(&st, &call->final) != 0)
        st.code = call->final.code;
    pthread_mutex_unlock(&call->mu);
    if (m->async.on_done != NULL)
        m->async.on_done(call, &st, m->user_data);
    server_run_done(call->srv, call, &st);
    gcore_status_clear(&st);
}

static void call_half_close(gcore_server_call *call)
{
    pthread_mutex_lock(&call->mu);
    bool clean = gcore_frame_reader_idle(&call->reader);
    if (!clean) {
        server_call_abort_locked(call, GCORE_STATUS_INTERNAL, "stream ended inside a message");
    } else if (server_call_one_request(call) && call->n_in == 0 && !call->finished) {
        /* What grpcio answers. */
        clean = false;
        server_call_abort_locked(call, GCORE_STATUS_UNIMPLEMENTED,
                                 "the method requires exactly one request message");
    } else {
        call->in_eof = true;
        pthread_cond_broadcast(&call->cv);
    }
    bool tell = clean && !call->cancelled && call->method->fn == NULL;
    pthread_mutex_unlock(&call->mu);
    if (tell && call->method->async.on_half_close != NULL)
        call->method->async.on_half_close(call, call->method->user_data);
}

/* Counts empty DATA frames in a row; true when the client floods them. */
static bool empty_flood(server_conn *c, const nghttp2_frame *frame)
{
    if (frame->hd.type != NGHTTP2_DATA || frame->hd.length > 0 ||
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
        c->empty_frames = 0;
        return false;
    }
    return ++c->empty_frames > SERVER_MAX_EMPTY_FRAMES;
}

static int on_frame_recv(nghttp2_session *h2, const nghttp2_frame *frame, void *user_data)
{
    server_conn *c = user_data;
    if (empty_flood(c, frame)) {
        server_log(c->srv, GCORE_LOG_WARN, "%s: flood of empty DATA frames", c->peer);
        nghttp2_session_terminate_session(h2, NGHTTP2_ENHANCE_YOUR_CALM);
        return 0;
    }
    gcore_server_call *call = stream_call(h2, frame->hd.stream_id);
    if (call == NULL)
        return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
        call_begin(c, call);
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 && call->dispatched) {
        call_half_close(call);
        server_conn_sync_call(call); /* sends the status if the end was an error */
    }
    return 0;
}

/* Queues a complete message for the handler. Caller holds call->mu. */
static void call_push_msg(gcore_server_call *call, server_msg *m)
{
    if (call->in_tail != NULL)
        call->in_tail->next = m;
    else
        call->in_head = m;
    call->in_tail = m;
    pthread_cond_broadcast(&call->cv);
}

/* The frame reader failed: a compressed message is UNIMPLEMENTED when the client named
 * an encoding (we accept none), the reader's own verdict otherwise. */
static void call_read_failed(gcore_server_call *call, gcore_status *st)
{
    if (call->req.compressed && call->reader.prefix[0] == 1)
        gcore_status_set(st, GCORE_STATUS_UNIMPLEMENTED,
                         "message compression is not supported (grpc-accept-encoding: identity)");
    server_call_abort_locked(call, st->code, st->message);
}

static int on_data_chunk(nghttp2_session *h2, uint8_t flags, int32_t stream_id, const uint8_t *data,
                         size_t len, void *user_data)
{
    (void)flags;
    (void)user_data;
    gcore_server_call *call = stream_call(h2, stream_id);
    if (call == NULL)
        return 0;
    call->unconsumed += len;
    gcore_status st;
    gcore_status_init(&st);
    pthread_mutex_lock(&call->mu);
    while (len > 0 && !call->finished && call->dispatched) {
        size_t used;
        gb_slice msg;
        if (call->n_in > 0 && server_call_one_request(call)) {
            /* Bytes after the one request message: grpc-java and grpc-go fail the call with
             * INTERNAL (grpcio ignores them). */
            server_call_abort_locked(call, GCORE_STATUS_INTERNAL,
                                     "the method takes one request message, got more");
            break;
        }
        int rc = gcore_frame_reader_feed(&call->reader, data, len, &used, &msg, &st);
        data += used;
        len -= used;
        call->n_in += rc == GCORE_FRAME_MESSAGE;
        if (rc < 0) {
            call_read_failed(call, &st);
        } else if (rc == GCORE_FRAME_MESSAGE && call->method->fn == NULL) {
            pthread_mutex_unlock(&call->mu); /* the handler may write or finish */
            if (call->method->async.on_message != NULL)
                call->method->async.on_message(call, msg, call->method->user_data);
            pthread_mutex_lock(&call->mu);
        } else if (rc == GCORE_FRAME_MESSAGE) {
            server_msg *m = malloc(sizeof *m + msg.n);
            if (m == NULL) {
                server_call_abort_locked(call, GCORE_STATUS_RESOURCE_EXHAUSTED,
                                         "out of memory for a message");
                break;
            }
            m->next = NULL;
            m->n = msg.n;
            if (msg.n > 0)
                memcpy(m->data, msg.p, msg.n);
            call_push_msg(call, m);
        }
    }
    bool idle = call->in_head == NULL; /* always so for non-blocking handlers */
    bool answer = call->finished && !call->status_sent;
    pthread_mutex_unlock(&call->mu);
    gcore_status_clear(&st);
    if (idle) {
        /* Nothing waits for the handler: the bytes are part of a message being read
         * (bounded by the receive limit) or were dropped. */
        nghttp2_session_consume(h2, stream_id, call->unconsumed);
        call->unconsumed = 0;
    }
    if (answer)
        server_conn_sync_call(call);
    return 0;
}

static int on_stream_close(nghttp2_session *h2, int32_t stream_id, uint32_t error_code,
                           void *user_data)
{
    (void)error_code;
    server_conn *c = user_data;
    gcore_server_call *call = stream_call(h2, stream_id);
    if (call == NULL)
        return 0;
    nghttp2_session_set_stream_user_data(h2, stream_id, NULL);
    pthread_mutex_lock(&call->mu);
    if (!call->finished || !call->status_sent) {
        /* RST_STREAM from the client, or the status could not be sent. */
        call->cancelled = true;
        if (!call->finished) {
            call->finished = true;
            gcore_status_set(&call->final, GCORE_STATUS_CANCELLED, "cancelled by the client");
        }
    }
    call->status_sent = true;
    pthread_cond_broadcast(&call->cv);
    pthread_mutex_unlock(&call->mu);
    call_detach(c, call);
    call_async_done(call);
    server_call_unref(call);
    return 0;
}

static int on_frame_send(nghttp2_session *h2, const nghttp2_frame *frame, void *user_data)
{
    (void)user_data;
    /* Status sent while the client still streams: tell it to stop (gRPC spec). */
    if (frame->hd.type == NGHTTP2_HEADERS && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 &&
        nghttp2_session_get_stream_remote_close(h2, frame->hd.stream_id) == 0)
        nghttp2_submit_rst_stream(h2, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
    return 0;
}

/* Sends the queued response bytes, then the trailers once the status is set. */
static gcore_h2_ssize read_response(nghttp2_session *h2, int32_t stream_id, uint8_t *buf,
                                    size_t length, uint32_t *data_flags,
                                    nghttp2_data_source *source, void *user_data)
{
    (void)user_data;
    gcore_server_call *call = source->ptr;
    gcore_h2_ssize rv;
    pthread_mutex_lock(&call->mu);
    size_t avail = call->out.n - call->out_off;
    size_t n = avail < length ? avail : length;
    if (n > 0)
        memcpy(buf, call->out.p + call->out_off, n);
    call->out_off += n;
    if (call->out_off == call->out.n) {
        gb_buf_reset(&call->out);
        call->out_off = 0;
    }
    pthread_cond_broadcast(&call->cv); /* room for a blocked writer */
    rv = (gcore_h2_ssize)n;
    if (call->out.n == 0 && call->finished && !call->status_sent) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
        if (server_wire_submit_trailers(h2, stream_id, &call->final, &call->trailers) != 0)
            rv = NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        call->status_sent = true;
    } else if (n == 0) {
        rv = NGHTTP2_ERR_DEFERRED;
    }
    pthread_mutex_unlock(&call->mu);
    return rv;
}

/* Sends what the handler produced since the last time. Caller holds call->mu. */
static void sync_send_locked(server_conn *c, gcore_server_call *call)
{
    bool pending = call->out.n > call->out_off;
    bool fin = call->finished && !call->status_sent;
    if (!call->headers_sent) {
        if (fin && !pending && !call->want_headers) {
            call->headers_sent = call->status_sent = true; /* Trailers-Only */
            server_wire_submit_trailers_only(c->h2, call->stream_id, &call->final, &call->trailers);
            return;
        }
        if (!pending && !fin && !call->want_headers)
            return;
        call->headers_sent = true;
        call->provider_attached = true;
        nghttp2_data_provider dp = {.source.ptr = call, .read_callback = read_response};
        server_wire_submit_headers(c->h2, call->stream_id, &call->initial_md, &dp);
        return;
    }
    if (call->provider_attached && (pending || fin))
        nghttp2_session_resume_data(c->h2, call->stream_id);
}

void server_conn_sync_call(gcore_server_call *call)
{
    server_conn *c = call->conn;
    if (c == NULL)
        return;
    pthread_mutex_lock(&call->mu);
    bool consume = call->want_consume;
    call->want_consume = false;
    if (!call->status_sent || call->want_headers)
        sync_send_locked(c, call);
    call->want_headers = false;
    pthread_mutex_unlock(&call->mu);
    if (consume && call->unconsumed > 0) {
        nghttp2_session_consume(c->h2, call->stream_id, call->unconsumed);
        call->unconsumed = 0;
    }
}

void server_conn_cancel_all(server_conn *c, gcore_code code, const char *msg)
{
    for (gcore_server_call *call = c->calls; call != NULL; call = call->conn_next)
        conn_abort_call(call, code, msg);
}

void server_conn_goaway(server_conn *c)
{
    nghttp2_submit_goaway(c->h2, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(c->h2),
                          NGHTTP2_NO_ERROR, NULL, 0);
}

int server_conn_init(server_conn *c, gcore_server *s)
{
    nghttp2_session_callbacks *cb;
    nghttp2_option *opt;
    int rv = GCORE_ERR_NOMEM;
    c->srv = s;
    gb_buf_init(&c->wbuf, 0);
    if (nghttp2_session_callbacks_new(&cb) != 0)
        return GCORE_ERR_NOMEM;
    if (nghttp2_option_new(&opt) != 0)
        goto free_cb;
    nghttp2_option_set_no_auto_window_update(opt, 1);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
    if (nghttp2_session_server_new2(&c->h2, cb, c, opt) != 0)
        goto free_opt;
    const nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 4096},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, SERVER_STREAM_WINDOW},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, 16384},
    };
    if (nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]) != 0 ||
        nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE, 0, SERVER_CONN_WINDOW) !=
            0) {
        nghttp2_session_del(c->h2);
        c->h2 = NULL;
        goto free_opt;
    }
    rv = 0;
free_opt:
    nghttp2_option_del(opt);
free_cb:
    nghttp2_session_callbacks_del(cb);
    return rv;
}

int server_conn_recv(server_conn *c, const uint8_t *p, size_t n)
{
    gcore_h2_ssize rv = nghttp2_session_mem_recv(c->h2, p, n);
    if (rv < 0) {
        server_log(c->srv, GCORE_LOG_DEBUG, "%s: HTTP/2 error: %s", c->peer,
                   nghttp2_strerror((int)rv));
        return GCORE_ERR_HTTP2;
    }
    return 0;
}

int server_conn_pull(server_conn *c)
{
    while (c->wbuf.n - c->wbuf_off < 64 * 1024) {
        const uint8_t *data;
        gcore_h2_ssize n = nghttp2_session_mem_send(c->h2, &data);
        if (n < 0)
            return GCORE_ERR_HTTP2;
        if (n == 0)
            break;
        if (gb_buf_append(&c->wbuf, data, (size_t)n) != 0)
            return GCORE_ERR_NOMEM;
    }
    return 0;
}

bool server_conn_done(const server_conn *c)
{
    return c->wbuf.n == c->wbuf_off && nghttp2_session_want_read(c->h2) == 0 &&
           nghttp2_session_want_write(c->h2) == 0;
}

void server_conn_release(server_conn *c)
{
    while (c->calls != NULL) {
        gcore_server_call *call = c->calls;
        pthread_mutex_lock(&call->mu);
        if (!call->finished)
            server_call_abort_locked(call, GCORE_STATUS_UNAVAILABLE, "connection closed");
        call->cancelled = true;
        call->status_sent = true;
        pthread_cond_broadcast(&call->cv);
        pthread_mutex_unlock(&call->mu);
        call_detach(c, call);
        call_async_done(call);
        server_call_unref(call);
    }
    nghttp2_session_del(c->h2);
    c->h2 = NULL;
    gb_buf_free(&c->wbuf);
}
