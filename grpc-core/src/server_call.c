/*
 * The handler-facing side of a server call: blocking reads and writes on the call's
 * mutex and condition variable, and the dirty list that tells the I/O thread there is
 * something to send. Worker threads call the public functions; the I/O thread fills
 * the inbound queue and drains the outbound buffer (server_conn.c).
 */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

gcore_server_call *server_call_new(gcore_server *s)
{
    gcore_server_call *call = calloc(1, sizeof *call);
    if (call == NULL)
        return NULL;
    if (pthread_mutex_init(&call->mu, NULL) != 0)
        goto free_call;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rv = pthread_cond_init(&call->cv, &attr);
    pthread_condattr_destroy(&attr);
    if (rv != 0)
        goto free_mu;
    call->srv = s;
    atomic_init(&call->refs, 1);
    call->deadline = INT64_MAX;
    server_request_init(&call->req);
    gcore_frame_reader_init(&call->reader, s->opts.max_recv);
    gcore_metadata_init(&call->md);
    gcore_metadata_init(&call->initial_md);
    gcore_metadata_init(&call->trailers);
    gcore_status_init(&call->final);
    gb_buf_init(&call->out, 0);
    return call;
free_mu:
    pthread_mutex_destroy(&call->mu);
free_call:
    free(call);
    return NULL;
}

void server_call_ref(gcore_server_call *call)
{
    atomic_fetch_add(&call->refs, 1);
}

void server_call_unref(gcore_server_call *call)
{
    if (atomic_fetch_sub(&call->refs, 1) != 1)
        return;
    while (call->in_head != NULL) {
        server_msg *m = call->in_head;
        call->in_head = m->next;
        free(m);
    }
    server_request_free(&call->req);
    gcore_frame_reader_free(&call->reader);
    gcore_metadata_free(&call->md);
    gcore_metadata_free(&call->initial_md);
    gcore_metadata_free(&call->trailers);
    gcore_status_clear(&call->final);
    gb_buf_free(&call->out);
    free(call->path);
    pthread_cond_destroy(&call->cv);
    pthread_mutex_destroy(&call->mu);
    free(call);
}

void server_call_mark_dirty(gcore_server_call *call)
{
    gcore_server *s = call->srv;
    bool wake = false;
    pthread_mutex_lock(&s->dirty_mu);
    if (!call->in_dirty) {
        call->in_dirty = true;
        server_call_ref(call);
        call->dirty_next = s->dirty;
        wake = s->dirty == NULL;
        s->dirty = call;
    }
    pthread_mutex_unlock(&s->dirty_mu);
    if (wake)
        server_io_wake(s);
}

void server_call_abort_locked(gcore_server_call *call, gcore_code code, const char *msg)
{
    if (!call->finished) {
        call->finished = true;
        gcore_status_set(&call->final, code, msg);
        gcore_metadata_free(&call->trailers);
    }
    call->cancelled = true;
    /* What the handler queued will not be sent: the status goes out next. */
    gb_buf_reset(&call->out);
    call->out_off = 0;
    pthread_cond_broadcast(&call->cv);
}

void server_call_wait_locked(gcore_server_call *call, int64_t deadline_ms)
{
    if (deadline_ms == INT64_MAX) {
        pthread_cond_wait(&call->cv, &call->mu);
        return;
    }
    struct timespec ts = {.tv_sec = (time_t)(deadline_ms / 1000),
                          .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
    pthread_cond_timedwait(&call->cv, &call->mu, &ts);
}

const char *gcore_server_call_method(const gcore_server_call *c)
{
    return c->path;
}

const gcore_metadata *gcore_server_call_metadata(const gcore_server_call *c)
{
    return &c->md;
}

const char *gcore_server_call_peer(const gcore_server_call *c)
{
    return c->peer;
}

int64_t gcore_server_call_deadline(const gcore_server_call *c)
{
    return c->deadline;
}

bool gcore_server_call_cancelled(gcore_server_call *c)
{
    pthread_mutex_lock(&c->mu);
    bool v = c->cancelled;
    pthread_mutex_unlock(&c->mu);
    return v;
}

void gcore_server_call_set_user_data(gcore_server_call *c, void *p)
{
    c->user_data = p;
}

void *gcore_server_call_get_user_data(const gcore_server_call *c)
{
    return c->user_data;
}

bool server_call_one_request(const gcore_server_call *call)
{
    return call->method->kind == GCORE_METHOD_UNARY ||
           call->method->kind == GCORE_METHOD_SERVER_STREAMING;
}

int gcore_server_call_read(gcore_server_call *c, gb_buf *msg)
{
    /* The one request of a unary method is handed over at the half-close, once it is
     * sure no second one follows. */
    bool whole = server_call_one_request(c);
    pthread_mutex_lock(&c->mu);
    while ((c->in_head == NULL || whole) && !c->in_eof && !c->cancelled)
        pthread_cond_wait(&c->cv, &c->mu);
    if (c->cancelled) {
        pthread_mutex_unlock(&c->mu);
        return GCORE_ERR_SHUTDOWN;
    }
    server_msg *m = c->in_head;
    if (m == NULL) {
        pthread_mutex_unlock(&c->mu);
        return 0;
    }
    c->in_head = m->next;
    if (c->in_head == NULL) {
        c->in_tail = NULL;
        c->want_consume = true; /* the queue is empty: open the window again */
    }
    bool dirty = c->in_head == NULL;
    pthread_mutex_unlock(&c->mu);
    if (dirty)
        server_call_mark_dirty(c);
    gb_buf_reset(msg);
    int rv = gb_buf_append(msg, m->data, m->n);
    free(m);
    if (rv != 0)
        return rv == GB_ERR_LIMIT ? GCORE_ERR_LIMIT : GCORE_ERR_NOMEM;
    return 1;
}

int gcore_server_call_send_initial_metadata(gcore_server_call *c, const gcore_metadata *md)
{
    int rv = 0;
    pthread_mutex_lock(&c->mu);
    if (c->cancelled)
        rv = GCORE_ERR_SHUTDOWN;
    else if (c->want_headers || c->out.n > 0 || c->finished || c->initial_sent)
        rv = GCORE_ERR_STATE;
    else if (md != NULL && gcore_metadata_append(&c->initial_md, md) != 0)
        rv = GCORE_ERR_NOMEM;
    else
        c->want_headers = c->initial_sent = true;
    pthread_mutex_unlock(&c->mu);
    if (rv == 0)
        server_call_mark_dirty(c);
    return rv;
}

int gcore_server_call_write(gcore_server_call *c, gb_slice msg)
{
    if (msg.n > c->srv->opts.max_send)
        return GCORE_ERR_LIMIT;
    int rv = 0;
    /* The I/O thread (non-blocking handlers) never waits: it is what drains the bytes. */
    bool may_wait = c->srv->loop == NULL || !gcore_loop_in_loop_thread(c->srv->loop);
    pthread_mutex_lock(&c->mu);
    while (may_wait && !c->cancelled && !c->finished &&
           c->out.n - c->out_off > SERVER_OUT_HIGH_WATER)
        pthread_cond_wait(&c->cv, &c->mu);
    if (c->cancelled)
        rv = GCORE_ERR_SHUTDOWN;
    else if (c->finished)
        rv = GCORE_ERR_STATE;
    else if (gcore_frame_write(&c->out, msg) != 0)
        rv = GCORE_ERR_NOMEM;
    else
        c->initial_sent = true;
    pthread_mutex_unlock(&c->mu);
    if (rv == 0)
        server_call_mark_dirty(c);
    return rv;
}

int gcore_server_call_finish(gcore_server_call *c, const gcore_status *st,
                             const gcore_metadata *trailers)
{
    int rv = 0;
    pthread_mutex_lock(&c->mu);
    if (c->cancelled)
        rv = GCORE_ERR_SHUTDOWN;
    else if (c->finished)
        rv = GCORE_ERR_STATE;
    else if (gcore_status_copy(&c->final, st) != 0 ||
             (trailers != NULL && gcore_metadata_append(&c->trailers, trailers) != 0))
        rv = GCORE_ERR_NOMEM;
    if (rv == GCORE_ERR_NOMEM) {
        gcore_metadata_free(&c->trailers);
        gcore_status_set(&c->final, GCORE_STATUS_INTERNAL, "out of memory for the status");
    }
    if (rv == 0 || rv == GCORE_ERR_NOMEM) {
        c->finished = true;
        c->initial_sent = true;
    }
    pthread_mutex_unlock(&c->mu);
    if (rv == 0 || rv == GCORE_ERR_NOMEM)
        server_call_mark_dirty(c);
    return rv;
}

int gcore_server_call_finish_code(gcore_server_call *c, gcore_code code, const char *message)
{
    gcore_status st;
    gcore_status_init(&st);
    int rv = gcore_status_set(&st, code, message);
    if (rv == 0)
        rv = gcore_server_call_finish(c, &st, NULL);
    gcore_status_clear(&st);
    return rv;
}
