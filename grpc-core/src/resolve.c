/*
 * Host name resolution off the loop thread: getaddrinfo() can wait seconds on DNS,
 * and the loop thread serves every other call meanwhile. Each lookup runs on its
 * own short-lived thread and posts the result back to the loop.
 */
#include "resolve_int.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct gcore_resolve {
    pthread_mutex_t mu;
    bool cancelled; /* mu */
    gcore_loop *loop;
    char *host, *port;
    gcore_resolved_fn fn;
    void *user_data;
    struct addrinfo *res;
    int rc;
};

static void job_free(gcore_resolve *r)
{
    if (r->res != NULL)
        freeaddrinfo(r->res);
    pthread_mutex_destroy(&r->mu);
    free(r->host);
    free(r->port);
    free(r);
}

/* Loop thread: hands the result over unless the lookup was cancelled meanwhile. */
static void deliver(void *arg)
{
    gcore_resolve *r = arg;
    pthread_mutex_lock(&r->mu);
    bool cancelled = r->cancelled;
    pthread_mutex_unlock(&r->mu);
    if (!cancelled) {
        r->fn(r->res, r->rc, r->user_data);
        r->res = NULL; /* the callback owns it */
    }
    job_free(r);
}

static void *resolve_main(void *arg)
{
    gcore_resolve *r = arg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG};
    r->rc = getaddrinfo(r->host, r->port, &hints, &r->res);
    if (r->rc != 0)
        r->res = NULL;
    /* Under the lock: a cancel (which comes before the loop is freed) either sees the
     * task posted, or we see it cancelled. */
    pthread_mutex_lock(&r->mu);
    bool drop = r->cancelled || gcore_loop_post(r->loop, deliver, r) != 0;
    pthread_mutex_unlock(&r->mu);
    if (drop)
        job_free(r);
    return NULL;
}

int gcore_resolve_start(gcore_loop *loop, const char *host, const char *port, gcore_resolved_fn fn,
                        void *user_data, gcore_resolve **out)
{
    gcore_resolve *r = calloc(1, sizeof *r);
    if (r == NULL)
        return GCORE_ERR_NOMEM;
    pthread_mutex_init(&r->mu, NULL);
    r->loop = loop;
    r->fn = fn;
    r->user_data = user_data;
    r->host = strdup(host);
    r->port = strdup(port);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int rv = r->host != NULL && r->port != NULL ? 0 : GCORE_ERR_NOMEM;
    if (rv == 0 && pthread_create(&t, &attr, resolve_main, r) != 0)
        rv = GCORE_ERR_IO;
    pthread_attr_destroy(&attr);
    if (rv != 0) {
        job_free(r);
        return rv;
    }
    *out = r;
    return 0;
}

void gcore_resolve_cancel(gcore_resolve *r)
{
    pthread_mutex_lock(&r->mu);
    r->cancelled = true;
    pthread_mutex_unlock(&r->mu);
}
