#include <grpc-core/blocking.h>
#include <grpc-core/loop.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct gcore_blocking_client {
    gcore_loop *loop;
    gcore_channel *ch;
};

void gcore_reply_init(gcore_reply *r)
{
    gcore_status_init(&r->status);
    gcore_metadata_init(&r->headers);
    gcore_metadata_init(&r->trailers);
    r->msgs = NULL;
    r->n_msgs = 0;
}

void gcore_reply_free(gcore_reply *r)
{
    gcore_status_clear(&r->status);
    gcore_metadata_free(&r->headers);
    gcore_metadata_free(&r->trailers);
    for (size_t i = 0; i < r->n_msgs; i++)
        free((void *)(uintptr_t)r->msgs[i].p);
    free(r->msgs);
    gcore_reply_init(r);
}

int gcore_blocking_client_new(const char *target, const gcore_channel_opts *opts,
                              gcore_blocking_client **out, gb_err *err)
{
    gcore_blocking_client *cl = calloc(1, sizeof(*cl));
    if (cl == NULL)
        return gb_err_set(err, GCORE_ERR_NOMEM, "out of memory");
    int rc = gcore_loop_new(&cl->loop);
    if (rc != 0) {
        gb_err_set(err, rc, "event loop: %s", gcore_strerror(rc));
        goto fail_cl;
    }
    rc = gcore_channel_new(cl->loop, target, opts, &cl->ch, err);
    if (rc != 0)
        goto fail_loop;
    rc = gcore_loop_start(cl->loop);
    if (rc != 0) {
        gb_err_set(err, rc, "cannot start the loop thread");
        goto fail_channel;
    }
    *out = cl;
    return 0;
fail_channel:
    gcore_channel_free(cl->ch); /* posted: runs when the loop is freed */
fail_loop:
    gcore_loop_free(cl->loop);
fail_cl:
    free(cl);
    return rc;
}

gcore_channel *gcore_blocking_client_channel(gcore_blocking_client *cl)
{
    return cl->ch;
}

void gcore_blocking_client_free(gcore_blocking_client *cl)
{
    if (cl == NULL)
        return;
    gcore_channel_free(cl->ch);
    gcore_loop_stop(cl->loop);
    gcore_loop_join(cl->loop);
    gcore_loop_free(cl->loop);
    free(cl);
}

typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    gcore_reply *out;
    int rc; /* GCORE_ERR_NOMEM if a reply could not be stored */
} waiter;

static void on_headers(gcore_call *c, const gcore_metadata *md, void *ud)
{
    (void)c;
    waiter *w = ud;
    if (gcore_metadata_append(&w->out->headers, md) != 0)
        w->rc = GCORE_ERR_NOMEM;
}

static void on_message(gcore_call *c, gb_slice msg, void *ud)
{
    (void)c;
    waiter *w = ud;
    gcore_reply *r = w->out;
    gb_slice *v = realloc(r->msgs, (r->n_msgs + 1) * sizeof(*v));
    uint8_t *copy = malloc(msg.n ? msg.n : 1);
    if (v == NULL || copy == NULL) {
        free(copy);
        if (v != NULL)
            r->msgs = v;
        w->rc = GCORE_ERR_NOMEM;
        gcore_call_cancel(c);
        return;
    }
    if (msg.n)
        memcpy(copy, msg.p, msg.n);
    r->msgs = v;
    r->msgs[r->n_msgs++] = gb_slice_of(copy, msg.n);
}

static void on_done(gcore_call *c, const gcore_status *st, const gcore_metadata *trailers, void *ud)
{
    (void)c;
    waiter *w = ud;
    if (gcore_status_copy(&w->out->status, st) != 0 ||
        gcore_metadata_append(&w->out->trailers, trailers) != 0)
        w->rc = GCORE_ERR_NOMEM;
    pthread_mutex_lock(&w->mu);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int gcore_blocking_call(gcore_channel *ch, const char *method, const gb_slice *reqs, size_t n_reqs,
                        const gcore_call_opts *opts, gcore_reply *out)
{
    static const gcore_call_handlers h = {on_headers, on_message, on_done};
    if (gcore_loop_in_loop_thread(gcore_channel_loop(ch)))
        return GCORE_ERR_STATE;
    gcore_reply_free(out);
    waiter w = {.done = false, .out = out, .rc = 0};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    gcore_call *call = NULL;
    int rc = gcore_call_start(ch, method, opts, &h, &w, &call);
    for (size_t i = 0; rc == 0 && i < n_reqs; i++)
        rc = gcore_call_send(call, reqs[i], false);
    if (rc == 0)
        rc = gcore_call_half_close(call);
    if (rc != 0 && call != NULL)
        gcore_call_cancel(call);
    pthread_mutex_lock(&w.mu);
    while (!w.done && (rc == 0 || call != NULL))
        pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    if (call != NULL)
        gcore_call_release(call);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return rc != 0 ? rc : w.rc;
}

int gcore_blocking_unary(gcore_channel *ch, const char *method, gb_slice req,
                         const gcore_call_opts *opts, gcore_reply *out)
{
    return gcore_blocking_call(ch, method, &req, 1, opts, out);
}
