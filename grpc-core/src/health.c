/*
 * grpc.health.v1.Health: a table of service statuses under one mutex, and Watch
 * handlers that wait on their call's condition variable. A change bumps a
 * generation counter and wakes every watcher; each resends only when its service's
 * status actually changed.
 */
#include <grpc-core/health.h>

#include "server_int.h"

#include "grpc/health/v1/health.pb-c.h"

#include <stdlib.h>
#include <string.h>

typedef struct health_entry {
    char *service;
    gcore_health_status status;
} health_entry;

typedef struct health_watcher {
    gcore_server_call *call;
    struct health_watcher *next;
} health_watcher;

struct gcore_health {
    pthread_mutex_t mu;
    health_entry *v;
    size_t n;
    health_watcher *watchers;
    atomic_uint gen;
};

/* Caller holds h->mu. */
static health_entry *find(gcore_health *h, const char *service)
{
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->v[i].service, service) == 0)
            return &h->v[i];
    }
    return NULL;
}

static gcore_health_status lookup(gcore_health *h, const char *service, bool *known)
{
    pthread_mutex_lock(&h->mu);
    health_entry *e = find(h, service);
    *known = e != NULL;
    gcore_health_status st = e != NULL ? e->status : GCORE_HEALTH_SERVICE_UNKNOWN;
    pthread_mutex_unlock(&h->mu);
    return st;
}

int gcore_health_set(gcore_health *h, const char *service, gcore_health_status status)
{
    if ((int)status < GCORE_HEALTH_UNKNOWN || status > GCORE_HEALTH_SERVICE_UNKNOWN)
        return GCORE_ERR_INVALID;
    int rv = 0;
    pthread_mutex_lock(&h->mu);
    health_entry *e = find(h, service);
    if (e == NULL) {
        health_entry *v = realloc(h->v, (h->n + 1) * sizeof *v);
        char *name = strdup(service);
        if (v != NULL)
            h->v = v;
        if (v == NULL || name == NULL) {
            free(name);
            rv = GCORE_ERR_NOMEM;
        } else {
            e = &h->v[h->n++];
            e->service = name;
        }
    }
    if (e != NULL) {
        e->status = status;
        atomic_fetch_add(&h->gen, 1);
        for (health_watcher *w = h->watchers; w != NULL; w = w->next) {
            pthread_mutex_lock(&w->call->mu);
            pthread_cond_broadcast(&w->call->cv);
            pthread_mutex_unlock(&w->call->mu);
        }
    }
    pthread_mutex_unlock(&h->mu);
    return rv;
}

/* Reads the one request; returns its service name (caller frees) or NULL after
 * finishing the call with an error. */
static char *read_request(gcore_server_call *call)
{
    gb_buf in;
    gb_buf_init(&in, 0);
    char *service = NULL;
    int rv = gcore_server_call_read(call, &in);
    Grpc__Health__V1__HealthCheckRequest *req =
        rv == 1 ? grpc__health__v1__health_check_request__unpack(NULL, in.n, in.p) : NULL;
    if (req != NULL) {
        service = strdup(req->service);
        grpc__health__v1__health_check_request__free_unpacked(req, NULL);
        if (service == NULL)
            gcore_server_call_finish_code(call, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    } else if (rv >= 0) {
        gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT,
                                      "expected one HealthCheckRequest");
    }
    gb_buf_free(&in);
    return service;
}

static int send_status(gcore_server_call *call, gcore_health_status st)
{
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    resp.status = (Grpc__Health__V1__HealthCheckResponse__ServingStatus)st;
    uint8_t buf[16];
    size_t n = grpc__health__v1__health_check_response__pack(&resp, buf);
    return gcore_server_call_write(call, gb_slice_of(buf, n));
}

static void on_check(gcore_server_call *call, void *user_data)
{
    gcore_health *h = user_data;
    char *service = read_request(call);
    if (service == NULL)
        return;
    bool known;
    gcore_health_status st = lookup(h, service, &known);
    if (!known)
        gcore_server_call_finish_code(call, GCORE_STATUS_NOT_FOUND, "unknown service");
    else if (send_status(call, st) == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    free(service);
}

static void watchers_remove(gcore_health *h, health_watcher *me)
{
    pthread_mutex_lock(&h->mu);
    for (health_watcher **p = &h->watchers; *p != NULL; p = &(*p)->next) {
        if (*p == me) {
            *p = me->next;
            break;
        }
    }
    pthread_mutex_unlock(&h->mu);
}

static void on_watch(gcore_server_call *call, void *user_data)
{
    gcore_health *h = user_data;
    char *service = read_request(call);
    if (service == NULL)
        return;
    health_watcher me = {.call = call};
    pthread_mutex_lock(&h->mu);
    me.next = h->watchers;
    h->watchers = &me;
    pthread_mutex_unlock(&h->mu);
    bool known;
    unsigned seen = atomic_load(&h->gen);
    gcore_health_status last = lookup(h, service, &known);
    int rv = send_status(call, last);
    while (rv == 0) {
        pthread_mutex_lock(&call->mu);
        while (!call->cancelled && atomic_load(&h->gen) == seen)
            server_call_wait_locked(call, INT64_MAX);
        bool cancelled = call->cancelled;
        pthread_mutex_unlock(&call->mu);
        if (cancelled)
            break;
        seen = atomic_load(&h->gen);
        gcore_health_status now = lookup(h, service, &known);
        if (now != last)
            rv = send_status(call, now);
        last = now;
    }
    watchers_remove(h, &me);
    free(service);
}

int gcore_health_enable(gcore_server *s, gcore_health **out)
{
    gcore_health *h = calloc(1, sizeof *h);
    if (h == NULL)
        return GCORE_ERR_NOMEM;
    pthread_mutex_init(&h->mu, NULL);
    atomic_init(&h->gen, 0);
    size_t before = s->n_methods;
    int rv = gcore_health_set(h, "", GCORE_HEALTH_SERVING);
    if (rv == 0)
        rv = gcore_server_register(s, "/grpc.health.v1.Health/Check", GCORE_METHOD_UNARY, on_check,
                                   h);
    if (rv == 0)
        rv = gcore_server_register(s, "/grpc.health.v1.Health/Watch", GCORE_METHOD_SERVER_STREAMING,
                                   on_watch, h);
    if (rv != 0) {
        server_methods_truncate(s, before);
        gcore_health_free(h);
        return rv;
    }
    *out = h;
    return 0;
}

void gcore_health_free(gcore_health *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->v[i].service);
    free(h->v);
    pthread_mutex_destroy(&h->mu);
    free(h);
}
