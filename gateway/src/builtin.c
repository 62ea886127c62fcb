/*
 * Built-in endpoints. /healthz asks every backend grpc.health.v1.Health/Check (a
 * backend without the health service, UNIMPLEMENTED, counts as up since it answered)
 * and replies 200 {"status":"SERVING"} or 503 with the reason.
 */
#include "app.h"
#include "docs.h"
#include "log.h"
#include "server.h"
#include "status_map.h"
#include "wire_scan.h"

#include <microhttpd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEALTH_TIMEOUT_MS 2000

typedef struct health {
    atomic_int refs; /* one per check in flight, one for the request */
    pthread_mutex_t mu;
    gw_req *req;
    int pending;
    bool serving[64]; /* per upstream: a SERVING reply seen */
    char reason[256]; /* the first failure */
} health;

typedef struct health_check {
    health *h;
    size_t index;
    const char *target;
} health_check;

static void health_put(health *h)
{
    if (atomic_fetch_sub(&h->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static void on_health_message(gcore_call *call, gb_slice msg, void *user_data)
{
    health_check *c = user_data;
    gw_wire_field f;
    (void)call;
    pthread_mutex_lock(&c->h->mu);
    while (gw_wire_next(&msg, &f) == 1) {
        if (f.number == 1 && f.type == GW_WIRE_VARINT)
            c->h->serving[c->index] = f.varint == 1; /* HealthCheckResponse.SERVING */
    }
    pthread_mutex_unlock(&c->h->mu);
}

static void on_health_done(gcore_call *call, const gcore_status *st, const gcore_metadata *tr,
                           void *user_data)
{
    health_check *c = user_data;
    health *h = c->h;
    (void)call;
    (void)tr;
    pthread_mutex_lock(&h->mu);
    bool up = st->code == GCORE_STATUS_UNIMPLEMENTED ||
              (st->code == GCORE_STATUS_OK && h->serving[c->index]);
    if (!up && h->reason[0] == '\0')
        snprintf(h->reason, sizeof h->reason, "backend %s: %s%s%s", c->target,
                 st->code == GCORE_STATUS_OK ? "NOT_SERVING" : gcore_status_code_name(st->code),
                 st->message[0] ? ": " : "", st->message);
    if (--h->pending == 0 && h->req != NULL)
        gw_req_resume(h->req);
    pthread_mutex_unlock(&h->mu);
    free(c);
    health_put(h);
}

static const gcore_call_handlers health_handlers = {NULL, on_health_message, on_health_done};

static int healthz_complete(gw_req *req)
{
    gw_app *app = req->srv->app;
    health *h = calloc(1, sizeof *h);
    if (h == NULL)
        return gw_req_reply_error(req, 503, GW_CODE_UNAVAILABLE, "out of memory");
    size_t n = atomic_load(&app->n_ups); /* a reload may add more meanwhile */
    n = n < 64 ? n : 64;
    atomic_init(&h->refs, 1);
    pthread_mutex_init(&h->mu, NULL);
    h->req = req;
    req->hstate = h;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < n; i++) {
        health_check *c = calloc(1, sizeof *c);
        gcore_call *call = NULL;
        gcore_call_opts o = {.timeout_ms = HEALTH_TIMEOUT_MS};
        if (c == NULL)
            break;
        *c = (health_check){h, i, app->ups[i].target};
        atomic_fetch_add(&h->refs, 1);
        h->pending++;
        if (gcore_call_start(app->ups[i].ch[req->worker], "/grpc.health.v1.Health/Check", &o,
                             &health_handlers, c, &call) != 0) {
            h->pending--;
            atomic_fetch_sub(&h->refs, 1);
            free(c);
            continue;
        }
        gcore_call_send(call, gb_slice_of("", 0), true);
        gcore_call_release(call);
    }
    bool ready = h->pending == 0;
    pthread_mutex_unlock(&h->mu);
    return ready ? GW_REPLY_NOW : GW_REPLY_LATER;
}

static void healthz_resume(gw_req *req)
{
    health *h = req->hstate;
    if (req->reply.status != 0)
        return;
    pthread_mutex_lock(&h->mu);
    if (h->reason[0] != '\0')
        gw_req_reply_error(req, 503, GW_CODE_UNAVAILABLE, h->reason);
    else
        gw_req_reply_raw(req, 200, "application/json", "{\"status\":\"SERVING\"}", 20);
    pthread_mutex_unlock(&h->mu);
}

static void healthz_finish(gw_req *req, bool ok)
{
    health *h = req->hstate;
    (void)ok;
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->mu);
    h->req = NULL;
    pthread_mutex_unlock(&h->mu);
    health_put(h);
}

static const gw_handler healthz = {"healthz", NULL, healthz_complete, healthz_resume,
                                   healthz_finish};

const gw_handler *gw_builtin_route(gw_req *req)
{
    bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (strcmp(req->path, "/healthz") == 0) {
        if (get)
            return &healthz;
        gw_req_add_header(req, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        gw_req_reply_error(req, 405, GW_CODE_UNIMPLEMENTED, "Method Not Allowed");
        return NULL;
    }
    return gw_docs_route(req);
}
