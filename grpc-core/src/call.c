/*
 * The call API: every entry point callable from any thread posts a task to the
 * loop, so the call's state is only ever touched there; received bytes are
 * acknowledged to nghttp2 as messages are delivered (backpressure).
 */
#include "client_int.h"

#include <stdlib.h>
#include <string.h>

void gcore_call_ref(gcore_call *c)
{
    atomic_fetch_add(&c->refs, 1);
}

static void call_free(gcore_call *c)
{
    free(c->method);
    gcore_metadata_free(&c->md);
    gb_buf_free(&c->out);
    gcore_frame_reader_free(&c->reader);
    gb_buf_free(&c->in_pending);
    gcore_metadata_free(&c->resp_md);
    gcore_metadata_free(&c->trailers);
    gcore_status_clear(&c->status);
    free(c);
}

void gcore_call_unref(gcore_call *c)
{
    if (atomic_fetch_sub(&c->refs, 1) == 1)
        call_free(c);
}

/* Returns connection window held by bytes that will never be acknowledged otherwise. */
static void release_window(gcore_conn *conn, size_t n)
{
    if (n > 0 && conn != NULL && conn->h2 != NULL && conn->state != CONN_CLOSED) {
        nghttp2_session_consume_connection(conn->h2, n);
        gcore_conn_schedule_flush(conn);
    }
}

static void unlink_conn(gcore_call *c)
{
    gcore_conn *conn = c->conn;
    if (conn == NULL)
        return;
    release_window(conn, c->in_pending.n - c->in_off);
    if (c->hs != NULL) {
        c->hs->c = NULL;
        c->hs = NULL;
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        conn->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->conn = NULL;
}

/* The stream is gone but queued messages remain for a paused reader. */
void gcore_call_detach(gcore_call *c)
{
    unlink_conn(c);
    c->stream_id = 0;
}

/* Resets everything a response attempt left, so the call can start over. */
void gcore_call_requeue(gcore_call *c)
{
    unlink_conn(c);
    c->stream_id = 0;
    c->out_off = 0;
    c->headers_sent = c->deferred = c->got_headers = c->in_trailers = false;
    c->remote_closed = c->has_grpc_status = c->grpc_content_type = false;
    c->http_status = 0;
    gcore_frame_reader_free(&c->reader);
    gcore_frame_reader_init(&c->reader, c->max_recv);
    gb_buf_reset(&c->in_pending);
    c->in_off = 0;
    gcore_metadata_free(&c->resp_md);
    gcore_metadata_free(&c->trailers);
    gcore_status_clear(&c->status);
    gcore_chan_enqueue(c->ch, c, true);
}

/*
 * Takes the call off its stream: RST_STREAM unless both sides have ended it. nghttp2
 * opens a request's stream only when its HEADERS are written; until then an RST_STREAM
 * would name an idle stream, so it is sent right after the HEADERS instead.
 */
static void leave_stream(gcore_call *c, uint32_t rst)
{
    gcore_conn *conn = c->conn;
    gcore_h2_stream *hs = c->hs;
    if (conn == NULL || conn->h2 == NULL || conn->state == CONN_CLOSED || hs == NULL) {
        unlink_conn(c);
        return;
    }
    nghttp2_session *h2 = conn->h2;
    int local = nghttp2_session_get_stream_local_close(h2, hs->id);
    /* END_STREAM is seen here before nghttp2 marks the stream closed on its side. */
    int remote = c->remote_closed || nghttp2_session_get_stream_remote_close(h2, hs->id);
    if (local < 0)
        hs->cancel_on_write = true;
    else if (!hs->closing && (!local || !remote))
        nghttp2_submit_rst_stream(h2, NGHTTP2_FLAG_NONE, hs->id, rst);
    unlink_conn(c);
    gcore_conn_schedule_flush(conn);
}

void gcore_call_finish_status(gcore_call *c)
{
    if (c->state == CALL_DONE)
        return;
    if (!c->has_grpc_status && c->status.code == GCORE_STATUS_OK) {
        if (c->http_status != 200 && c->http_status != 0)
            gcore_status_set(&c->status, gcore_status_from_http(c->http_status),
                             "HTTP status without grpc-status");
        else
            gcore_status_set(&c->status, GCORE_STATUS_UNKNOWN,
                             "the server ended the stream without grpc-status");
        c->status.no_grpc_status = true;
    } else if (!gcore_frame_reader_idle(&c->reader) && c->status.code == GCORE_STATUS_OK) {
        gcore_status_set(&c->status, GCORE_STATUS_INTERNAL,
                         "the stream ended in the middle of a message");
    }
    bool ok = c->status.code == GCORE_STATUS_OK;
    if (c->state == CALL_QUEUED)
        gcore_chan_unqueue(c->ch, c);
    else if (c->state == CALL_STREAM)
        leave_stream(c, ok ? NGHTTP2_NO_ERROR : NGHTTP2_CANCEL);
    gcore_timer_free(c->deadline_timer);
    c->deadline_timer = NULL;
    c->state = CALL_DONE;
    if (c->h.on_done)
        c->h.on_done(c, &c->status, &c->trailers, c->user_data);
    gcore_call_unref(c); /* the loop's reference */
}

static void finish_as(gcore_call *c, gcore_code code, const char *msg, bool not_grpc)
{
    if (c->state == CALL_DONE)
        return;
    gcore_status_set(&c->status, code, msg);
    c->status.no_grpc_status = not_grpc;
    c->has_grpc_status = true;
    gcore_call_finish_status(c);
}

void gcore_call_finish(gcore_call *c, gcore_code code, const char *msg)
{
    finish_as(c, code, msg, false);
}

void gcore_call_finish_not_grpc(gcore_call *c, const char *msg)
{
    finish_as(c, GCORE_STATUS_UNKNOWN, msg, true);
}

/* ---- receiving ---- */

static void consume(gcore_call *c, size_t n)
{
    if (n == 0 || c->conn == NULL || c->conn->h2 == NULL)
        return;
    nghttp2_session_consume(c->conn->h2, c->stream_id, n);
    gcore_conn_schedule_flush(c->conn);
}

/* Feeds |n| bytes to the reader, delivering messages until paused. Returns bytes taken. */
static size_t deliver(gcore_call *c, const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (off < n && !c->paused && c->state == CALL_STREAM) {
        size_t used = 0;
        gb_slice msg;
        int rc = gcore_frame_reader_feed(&c->reader, p + off, n - off, &used, &msg, &c->status);
        off += used;
        if (rc < 0) {
            c->has_grpc_status = true;
            gcore_call_finish_status(c);
            break;
        }
        if (rc == GCORE_FRAME_MESSAGE && c->h.on_message)
            c->h.on_message(c, msg, c->user_data);
        if (rc == GCORE_FRAME_MESSAGE)
            gcore_frame_reader_trim(&c->reader); /* the application has its own copy now */
    }
    return off;
}

void gcore_call_feed(gcore_call *c, const uint8_t *p, size_t n)
{
    gcore_conn *conn = c->conn; /* the call may leave it while delivering */
    int32_t id = c->stream_id;
    size_t used = 0;
    gcore_call_ref(c); /* on_done may drop the last other reference */
    if (!c->paused && c->in_off == c->in_pending.n) {
        used = deliver(c, p, n);
        nghttp2_session_consume(conn->h2, id, used);
    }
    if (used < n && c->state != CALL_STREAM) {
        release_window(conn, n - used); /* finished: nobody will take these */
    } else if (used < n && gb_buf_append(&c->in_pending, p + used, n - used) != 0) {
        release_window(conn, n - used);
        gcore_call_finish(c, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a reply");
    }
    gcore_call_unref(c);
}

/* Delivers bytes held while paused; finishes if the stream had already ended. */
static void drain_pending(gcore_call *c)
{
    if (c->in_off == c->in_pending.n) {
        if (c->remote_closed)
            gcore_call_finish_status(c);
        return;
    }
    size_t used = deliver(c, c->in_pending.p + c->in_off, c->in_pending.n - c->in_off);
    if (c->state == CALL_DONE)
        return; /* the reader failed: unlink_conn gave the window back */
    c->in_off += used;
    consume(c, used);
    if (c->in_off == c->in_pending.n) {
        gb_buf_reset(&c->in_pending);
        c->in_off = 0;
        if (c->remote_closed && !c->paused)
            gcore_call_finish_status(c);
    }
}

/* ---- the API: tasks on the loop ---- */

typedef struct call_task {
    gcore_call *c;
    gb_buf framed;
    bool last;
} call_task;

static void on_deadline(gcore_timer *t, void *ud)
{
    (void)t;
    gcore_call_finish(ud, GCORE_STATUS_DEADLINE_EXCEEDED, "deadline exceeded");
}

static void start_task(void *ud)
{
    gcore_call *c = ud;
    gcore_channel *ch = c->ch;
    if (c->timeout_ms) {
        c->deadline = gcore_loop_now(ch->loop) + c->timeout_ms;
        if (gcore_timer_new(ch->loop, on_deadline, c, &c->deadline_timer) != 0 ||
            gcore_timer_start(c->deadline_timer, c->timeout_ms) != 0) {
            gcore_call_finish(c, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a timer");
            return;
        }
    }
    if (ch->shutdown) {
        gcore_call_finish(c, GCORE_STATUS_CANCELLED, "channel shut down");
        return;
    }
    if (ch->in_backoff && !c->wait_for_ready) {
        gcore_call_finish(c, GCORE_STATUS_UNAVAILABLE, ch->last_error);
        return;
    }
    gcore_chan_enqueue(ch, c, false);
    gcore_chan_pump(ch);
}

/* New request bytes or a half-close: wake the deferred data provider. */
static void kick(gcore_call *c)
{
    if (c->state != CALL_STREAM || c->conn == NULL || !c->deferred)
        return;
    c->deferred = false;
    nghttp2_session_resume_data(c->conn->h2, c->stream_id);
    gcore_conn_schedule_flush(c->conn);
}

static void send_task(void *ud)
{
    call_task *t = ud;
    gcore_call *c = t->c;
    if (c->state != CALL_DONE) {
        if (t->framed.n > 0 && t->framed.n - GCORE_FRAME_PREFIX > c->max_send) {
            gcore_call_finish(c, GCORE_STATUS_RESOURCE_EXHAUSTED,
                              "request message larger than the send limit");
        } else if (c->out.n == 0 && t->framed.n > 0) {
            /* Nothing queued or kept for a retry: the frame becomes the send buffer. */
            gb_buf_free(&c->out);
            c->out = t->framed;
            c->out.limit = 0;
            c->out_off = 0;
            gb_buf_init(&t->framed, 0);
            c->half_closed |= t->last;
            kick(c);
        } else if (t->framed.n > 0 && gb_buf_append(&c->out, t->framed.p, t->framed.n) != 0) {
            gcore_call_finish(c, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a request");
        } else {
            c->half_closed |= t->last;
            kick(c);
        }
    }
    gb_buf_free(&t->framed);
    gcore_call_unref(c);
    free(t);
}

/* Posts |framed| (taken whatever the result) to the loop. */
static int post_framed(gcore_call *c, gb_buf *framed, bool last)
{
    call_task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        gb_buf_free(framed);
        return GCORE_ERR_NOMEM;
    }
    t->c = c;
    t->last = last;
    t->framed = *framed;
    gb_buf_init(framed, framed->limit);
    gcore_call_ref(c);
    if (gcore_loop_post(c->loop, send_task, t) != 0) {
        gcore_call_unref(c);
        gb_buf_free(&t->framed);
        free(t);
        return GCORE_ERR_NOMEM;
    }
    if (last)
        atomic_store(&c->api_closed, true);
    return 0;
}

static int post_send(gcore_call *c, gb_slice msg, bool has_msg, bool last)
{
    if (atomic_load(&c->api_closed))
        return GCORE_ERR_STATE;
    gb_buf framed;
    gb_buf_init(&framed, 0);
    if (has_msg && gcore_frame_write(&framed, msg) != 0) {
        gb_buf_free(&framed);
        return GCORE_ERR_NOMEM;
    }
    return post_framed(c, &framed, last);
}

int gcore_call_send(gcore_call *call, gb_slice msg, bool last)
{
    return post_send(call, msg, true, last);
}

int gcore_call_send_buf(gcore_call *call, gb_buf *msg, bool last)
{
    if (atomic_load(&call->api_closed)) {
        gb_buf_free(msg);
        return GCORE_ERR_STATE;
    }
    int rc = gcore_frame_wrap(msg);
    if (rc != 0) {
        gb_buf_free(msg);
        return rc == GCORE_ERR_LIMIT ? GCORE_ERR_LIMIT : GCORE_ERR_NOMEM;
    }
    return post_framed(call, msg, last);
}

int gcore_call_half_close(gcore_call *call)
{
    return post_send(call, gb_slice_of(NULL, 0), false, true);
}

static void cancel_task(void *ud)
{
    gcore_call *c = ud;
    gcore_call_finish(c, GCORE_STATUS_CANCELLED, "cancelled by the client");
    gcore_call_unref(c);
}

static void resume_task(void *ud)
{
    gcore_call *c = ud;
    if (c->state != CALL_DONE && c->paused) {
        c->paused = false;
        drain_pending(c);
    }
    gcore_call_unref(c);
}

static void post_simple(gcore_call *c, gcore_task_fn fn)
{
    gcore_call_ref(c);
    if (gcore_loop_post(c->loop, fn, c) != 0)
        gcore_call_unref(c);
}

void gcore_call_cancel(gcore_call *call)
{
    post_simple(call, cancel_task);
}

void gcore_call_resume(gcore_call *call)
{
    post_simple(call, resume_task);
}

void gcore_call_pause(gcore_call *call)
{
    call->paused = true;
}

void gcore_call_release(gcore_call *call)
{
    if (call != NULL)
        gcore_call_unref(call);
}

const char *gcore_call_method(const gcore_call *call)
{
    return call->method;
}

int gcore_call_start(gcore_channel *ch, const char *method, const gcore_call_opts *opts,
                     const gcore_call_handlers *handlers, void *user_data, gcore_call **out)
{
    static const gcore_call_opts none = {0};
    if (opts == NULL)
        opts = &none;
    const char *slash = method ? strchr(method + 1, '/') : NULL;
    if (method == NULL || method[0] != '/' || slash == NULL || slash[1] == '\0')
        return GCORE_ERR_INVALID;
    for (size_t i = 0; opts->metadata && i < opts->metadata->n; i++) {
        gb_slice k = gb_slice_str(opts->metadata->v[i].key);
        if (!gcore_metadata_key_valid(k))
            return GCORE_ERR_INVALID;
        if (gcore_metadata_key_reserved(k))
            return GCORE_ERR_RESERVED;
    }
    gcore_call *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return GCORE_ERR_NOMEM;
    atomic_init(&c->refs, out ? 2 : 1);
    c->ch = ch;
    c->loop = ch->loop;
    c->method = strdup(method);
    c->h = handlers ? *handlers : (gcore_call_handlers){0};
    c->user_data = user_data;
    c->timeout_ms = opts->timeout_ms;
    c->max_recv =
        opts->max_recv_message_size ? opts->max_recv_message_size : ch->o.max_recv_message_size;
    c->max_send =
        opts->max_send_message_size ? opts->max_send_message_size : ch->o.max_send_message_size;
    c->wait_for_ready = opts->wait_for_ready;
    gcore_metadata_init(&c->md);
    gb_buf_init(&c->out, 0);
    gcore_frame_reader_init(&c->reader, c->max_recv);
    gb_buf_init(&c->in_pending, 0);
    gcore_metadata_init(&c->resp_md);
    gcore_metadata_init(&c->trailers);
    gcore_status_init(&c->status);
    if (c->method == NULL || (opts->metadata && gcore_metadata_append(&c->md, opts->metadata)) ||
        gcore_loop_post(ch->loop, start_task, c) != 0) {
        call_free(c);
        return GCORE_ERR_NOMEM;
    }
    if (out)
        *out = c;
    return 0;
}
