/*
 * Worker threads: each takes a call from the run queue, runs the interceptors'
 * on_call, the handler and the interceptors' on_done, and makes sure the call ends
 * with a status even when the handler forgot to finish it.
 */
#include "server_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* The interceptors in order; the first that rejects ends the call. */
bool server_run_interceptors(gcore_server *s, gcore_server_call *call)
{
    for (size_t i = 0; i < s->n_interceptors; i++) {
        const gcore_server_interceptor *ic = &s->interceptors[i];
        if (ic->on_call == NULL)
            continue;
        gcore_status reject;
        gcore_status_init(&reject);
        gcore_code code = ic->on_call(call, &reject, ic->user_data);
        if (code != GCORE_STATUS_OK) {
            reject.code = code;
            gcore_server_call_finish(call, &reject, NULL);
            gcore_status_clear(&reject);
            return false;
        }
        gcore_status_clear(&reject);
    }
    return true;
}

static void run_call(gcore_server *s, gcore_server_call *call)
{
    if (server_run_interceptors(s, call))
        call->method->fn(call, call->method->user_data);
    pthread_mutex_lock(&call->mu);
    bool unfinished = !call->finished;
    pthread_mutex_unlock(&call->mu);
    if (unfinished)
        gcore_server_call_finish_code(call, GCORE_STATUS_UNKNOWN,
                                      "the handler returned without a status");
    gcore_status st;
    gcore_status_init(&st);
    pthread_mutex_lock(&call->mu);
    call->handler_done = true;
    if (gcore_status_copy(&st, &call->final) != 0)
        st.code = call->final.code;
    pthread_mutex_unlock(&call->mu);
    server_run_done(s, call, &st);
    gcore_status_clear(&st);
}

void server_run_done(gcore_server *s, gcore_server_call *call, const gcore_status *st)
{
    for (size_t i = s->n_interceptors; i > 0; i--) {
        const gcore_server_interceptor *ic = &s->interceptors[i - 1];
        if (ic->on_done != NULL)
            ic->on_done(call, st, ic->user_data);
    }
}

typedef struct worker_arg {
    gcore_server *s;
    unsigned index;
} worker_arg;

static void *worker_main(void *arg)
{
    gcore_server *s = ((worker_arg *)arg)->s;
    int64_t *busy = &s->busy_since[((worker_arg *)arg)->index];
    free(arg);
    for (;;) {
        pthread_mutex_lock(&s->run_mu);
        *busy = 0;
        while (s->run_head == NULL && !s->run_stop)
            pthread_cond_wait(&s->run_cv, &s->run_mu);
        *busy = server_now_ms();
        gcore_server_call *call = s->run_head;
        if (call == NULL) {
            bool last = --s->n_alive == 0 && s->orphaned;
            pthread_cond_broadcast(&s->exit_cv);
            pthread_mutex_unlock(&s->run_mu);
            if (last)
                server_free_memory(s); /* gcore_server_free() ran while we were stuck */
            return NULL;
        }
        s->run_head = call->run_next;
        if (s->run_head == NULL)
            s->run_tail = NULL;
        pthread_mutex_unlock(&s->run_mu);
        run_call(s, call);
        server_call_unref(call);
    }
}

/* Starts one more worker. Caller holds run_mu. Returns 0, GCORE_ERR_NOMEM or GCORE_ERR_IO. */
static int add_worker(gcore_server *s)
{
    worker_arg *a = malloc(sizeof *a);
    if (a == NULL)
        return GCORE_ERR_NOMEM;
    *a = (worker_arg){s, s->n_workers};
    s->busy_since[s->n_workers] = server_now_ms(); /* not idle until it waits */
    if (pthread_create(&s->workers[s->n_workers], NULL, worker_main, a) != 0) {
        free(a);
        return GCORE_ERR_IO;
    }
    s->n_workers++;
    s->n_alive++;
    return 0;
}

/* True when every worker has been on its call for a while: the queue will not move
 * soon (long streams), unlike a burst of short calls. Caller holds run_mu. */
static bool workers_stuck(const gcore_server *s)
{
    if (s->n_workers == 0)
        return false; /* not started */
    int64_t limit = server_now_ms() - SERVER_GROW_AFTER_MS;
    for (unsigned i = 0; i < s->n_workers; i++) {
        if (s->busy_since[i] == 0 || s->busy_since[i] > limit)
            return false;
    }
    return true;
}

void server_workers_submit(gcore_server *s, gcore_server_call *call)
{
    pthread_mutex_lock(&s->run_mu);
    call->run_next = NULL;
    if (s->run_tail != NULL)
        s->run_tail->run_next = call;
    else
        s->run_head = call;
    s->run_tail = call;
    /* Every worker busy (streams can last long, a Watch forever): grow, within bounds. */
    if (s->n_workers < s->opts.max_workers && !s->run_stop && workers_stuck(s))
        add_worker(s);
    pthread_cond_signal(&s->run_cv);
    pthread_mutex_unlock(&s->run_mu);
}

void server_workers_tick(gcore_server *s)
{
    pthread_mutex_lock(&s->run_mu);
    if (s->run_head != NULL && s->n_workers < s->opts.max_workers && !s->run_stop &&
        workers_stuck(s))
        add_worker(s);
    pthread_mutex_unlock(&s->run_mu);
}

int server_workers_start(gcore_server *s)
{
    s->workers = calloc(s->opts.max_workers, sizeof *s->workers);
    s->busy_since = calloc(s->opts.max_workers, sizeof *s->busy_since);
    if (s->workers == NULL || s->busy_since == NULL)
        return GCORE_ERR_NOMEM;
    pthread_mutex_lock(&s->run_mu);
    int rv = 0;
    for (unsigned i = 0; i < s->opts.workers && rv == 0; i++)
        rv = add_worker(s);
    pthread_mutex_unlock(&s->run_mu);
    if (rv != 0)
        server_workers_stop(s, INT64_MAX);
    return rv;
}

/* Waits for every worker to exit, until |deadline_ms|. Caller holds run_mu. */
static bool wait_exits_locked(gcore_server *s, int64_t deadline_ms)
{
    while (s->n_alive > 0) {
        if (deadline_ms == INT64_MAX) {
            pthread_cond_wait(&s->exit_cv, &s->run_mu);
            continue;
        }
        struct timespec ts = {deadline_ms / 1000, (long)(deadline_ms % 1000) * 1000000L};
        if (pthread_cond_timedwait(&s->exit_cv, &s->run_mu, &ts) == ETIMEDOUT)
            return s->n_alive == 0;
    }
    return true;
}

/* Workers finish the queue (calls already cancelled end at once), then exit. */
bool server_workers_stop(gcore_server *s, int64_t deadline_ms)
{
    pthread_mutex_lock(&s->run_mu);
    s->run_stop = true;
    pthread_cond_broadcast(&s->run_cv);
    bool all = wait_exits_locked(s, deadline_ms);
    /* Without workers (never started, or stuck) calls can still be queued: drop them. */
    while (s->run_head != NULL) {
        gcore_server_call *call = s->run_head;
        s->run_head = call->run_next;
        server_call_unref(call);
    }
    s->run_tail = NULL;
    pthread_mutex_unlock(&s->run_mu);
    for (unsigned i = 0; i < s->n_workers; i++) {
        if (all)
            pthread_join(s->workers[i], NULL);
        else
            pthread_detach(s->workers[i]); /* its handler never returned: let it go */
    }
    s->n_workers = 0;
    free(s->workers);
    s->workers = NULL;
    if (all) { /* a stuck worker still marks itself busy there */
        free(s->busy_since);
        s->busy_since = NULL;
    }
    return all;
}
