/*
 * The call state between an HTTP request and its upstream call (see call.h). The
 * call's callbacks copy what they receive and resume the connection when the HTTP
 * side waits for it; the HTTP side builds replies from that copy.
 */
#define _GNU_SOURCE /* POLLRDHUP */
#include "call.h"

#include "headers.h"
#include "log.h"
#include "schema.h"
#include "server.h"
#include "status_map.h"

#include <grpc-core/wire.h>

#include <microhttpd.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

/* Messages queued before the loop stops taking more (HTTP/2 flow control then holds
 * the backend back). */
#define QUEUE_MAX 16

/* How often a client that pipelined its next request is checked for a hang-up. */
#define CLIENT_CHECK_MS 200

static void put_ref(gw_call *gc)
{
    if (atomic_fetch_sub(&gc->refs, 1) != 1)
        return;
    while (gc->head != NULL) {
        gw_msg *m = gc->head;
        gc->head = m->next;
        free(m);
    }
    gcore_status_clear(&gc->status);
    gcore_metadata_free(&gc->headers);
    gcore_metadata_free(&gc->trailers);
    gw_schema_unref(gc->schema);
    free(gc);
}

gw_call *gw_call_new(gw_app *app, gw_req *req, const pbd_method *method, const pbd_http_rule *rule)
{
    gw_call *gc = calloc(1, sizeof *gc);
    if (gc == NULL)
        return NULL;
    atomic_init(&gc->refs, 1);
    gc->app = app;
    gc->schema = req->schema;
    atomic_fetch_add(&gc->schema->refs, 1);
    gc->req = req;
    gc->method = method;
    gc->rule = rule;
    gc->ch = gw_schema_channel(gc->schema, method->service, req->worker);
    gc->client_fd = -1;
    gcore_status_init(&gc->status);
    gcore_metadata_init(&gc->headers);
    gcore_metadata_init(&gc->trailers);
    return gc;
}

/* Hands the request back to the front end if it waits on the call. */
static void wake(gw_call *gc, bool message)
{
    if (gc->req == NULL)
        return;
    if (gc->want_resume && (gc->done || (message && gc->wait_first))) {
        gc->want_resume = false;
        gw_req_resume(gc->req);
    } else if (gc->reader_waiting) {
        gc->reader_waiting = false;
        gw_req_wake(gc->req);
    }
}

static void on_headers(gcore_call *call, const gcore_metadata *headers, void *user_data)
{
    gw_call *gc = user_data;
    (void)call;
    gcore_metadata_append(&gc->headers, headers);
}

static void on_message(gcore_call *call, gb_slice msg, void *user_data)
{
    gw_call *gc = user_data;
    gw_msg *m = malloc(sizeof *m + msg.n);
    if (m == NULL) {
        gcore_call_cancel(call);
        return;
    }
    m->next = NULL;
    m->len = msg.n;
    if (msg.n != 0)
        memcpy(m->data, msg.p, msg.n);
    if (gc->tail != NULL)
        gc->tail->next = m;
    else
        gc->head = m;
    gc->tail = m;
    gc->n_queued++;
    gc->n_received++;
    if (gc->n_queued >= QUEUE_MAX && !gc->paused) {
        gc->paused = true;
        gcore_call_pause(call);
    }
    wake(gc, true);
}

/* The app's list of calls in flight (for shutdown) is guarded by app->mu; a call joins
 * it once started, unless it has ended already (|ended| is set under the same lock). */
static void link_call(gw_call *gc)
{
    gw_app *app = gc->app;
    pthread_mutex_lock(&app->mu);
    if (!gc->ended) {
        gc->next = app->calls;
        if (gc->next != NULL)
            gc->next->prev = gc;
        app->calls = gc;
    }
    pthread_mutex_unlock(&app->mu);
}

static void unlink_call(gw_call *gc)
{
    gw_app *app = gc->app;
    pthread_mutex_lock(&app->mu);
    gc->ended = true;
    if (gc->prev != NULL)
        gc->prev->next = gc->next;
    else if (app->calls == gc)
        app->calls = gc->next;
    if (gc->next != NULL)
        gc->next->prev = gc->prev;
    gc->next = gc->prev = NULL;
    pthread_mutex_unlock(&app->mu);
}

/* A call shorter than this never has its socket watched (two epoll_ctl calls, a fifth
 * of the syscalls of a small request); a hang-up is seen this much later. */
#define WATCH_DELAY_MS 50

static void unwatch_client(gw_call *gc)
{
    gcore_timer_free(gc->watch_timer);
    gc->watch_timer = NULL;
    if (gc->watch != NULL)
        gcore_watch_remove(gc->watch);
    gc->watch = NULL;
    gcore_timer_free(gc->client_timer);
    gc->client_timer = NULL;
    gc->client_fd = -1;
}

static void on_done(gcore_call *call, const gcore_status *st, const gcore_metadata *trailers,
                    void *user_data)
{
    gw_call *gc = user_data;
    (void)call;
    unlink_call(gc);
    unwatch_client(gc);
    gc->unreachable = st->code == GCORE_STATUS_UNAVAILABLE &&
                      gcore_channel_get_state(gc->ch) != GCORE_CHANNEL_READY;
    gcore_status_copy(&gc->status, st);
    if (trailers != NULL)
        gcore_metadata_append(&gc->trailers, trailers);
    gc->done = true;
    wake(gc, false);
    put_ref(gc);
}

static const gcore_call_handlers handlers = {on_headers, on_message, on_done};

/* While the request is suspended MHD does not read its socket, so a client that hangs
 * up would go unnoticed until the call ends: the loop watches the socket (see
 * take_client_fd) and cancels the call when the client closes it (the backend sees
 * RST_STREAM). */
static bool client_gone(int fd)
{
    /* POLLRDHUP: the client's FIN arrived, even with pipelined bytes still unread. */
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static void hang_up(gw_call *gc)
{
    GW_LOG(GW_LOG_DEBUG, "%s: client hung up, cancelling", gc->method->path);
    gcore_call_cancel(gc->call);
    unwatch_client(gc);
}

static void on_client_timer(gcore_timer *t, void *user_data)
{
    gw_call *gc = user_data;
    if (client_gone(gc->client_fd))
        hang_up(gc);
    else
        gcore_timer_start(t, CLIENT_CHECK_MS);
}

static void on_client_fd(gcore_watch *w, int fd, unsigned events, void *user_data)
{
    gw_call *gc = user_data;
    (void)w;
    (void)events;
    if (client_gone(fd)) {
        hang_up(gc);
        return;
    }
    /* Pipelined bytes: MHD reads them after this reply. They keep the socket readable,
     * so the watch gives way to a timer that looks for the hang-up now and then. */
    gcore_watch_remove(gc->watch);
    gc->watch = NULL;
    gcore_loop *loop = gcore_channel_loop(gc->ch);
    if (gcore_timer_new(loop, on_client_timer, gc, &gc->client_timer) != 0 ||
        gcore_timer_start(gc->client_timer, CLIENT_CHECK_MS) != 0)
        unwatch_client(gc);
}

static void add_watch(gw_call *gc)
{
    if (gcore_watch_add(gcore_channel_loop(gc->ch), gc->client_fd, GCORE_EV_READ, on_client_fd, gc,
                        &gc->watch) != 0)
        unwatch_client(gc);
}

/* The timer is freed by on_done, so the call outlives it. */
static void on_watch_timer(gcore_timer *t, void *user_data)
{
    (void)t;
    add_watch(user_data);
}

/* Watches the client's socket while the call runs: on_done ends the watch, and so does
 * the request's end (gw_call_detach), before MHD closes the socket. */
static void watch_client(gw_call *gc)
{
    gcore_loop *loop = gcore_channel_loop(gc->ch);
    if (gc->done)
        unwatch_client(gc);
    else if (gcore_timer_new(loop, on_watch_timer, gc, &gc->watch_timer) != 0 ||
             gcore_timer_start(gc->watch_timer, WATCH_DELAY_MS) != 0)
        add_watch(gc);
}

/* The socket is taken before the call starts (it may end before gcore_call_start()
 * returns); the watch is added after. */
static void take_client_fd(gw_call *gc, gw_req *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci != NULL)
        gc->client_fd = ci->connect_fd;
}

typedef struct md_ctx {
    gw_req *req;
    gw_md_list md;
    gb_err err;
    int rc;
    const char *xff, *xfh, *host;
} md_ctx;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    md_ctx *c = cls;
    (void)kind;
    if (value == NULL)
        return MHD_YES;
    if (strcasecmp(key, "X-Forwarded-For") == 0)
        c->xff = value;
    else if (strcasecmp(key, "X-Forwarded-Host") == 0)
        c->xfh = value;
    else if (strcasecmp(key, "Host") == 0)
        c->host = value;
    c->rc = gw_headers_map_request(&c->req->srv->header_rules, key, value, &c->req->arena, &c->md,
                                   &c->err);
    return c->rc == 0 ? MHD_YES : MHD_NO;
}

/* Request headers -> metadata (headers.c's rules), then into |md|. */
static int build_metadata(gw_req *req, gcore_metadata *md, gb_err *err)
{
    md_ctx c = {.req = req};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, collect_header, &c);
    if (c.rc != 0) {
        *err = c.err;
        return c.rc;
    }
    if (gw_headers_add_forwarded(c.xff, c.xfh, c.host, req->client_ip, &req->arena, &c.md) != 0)
        return GW_ERR_NOMEM;
    for (size_t i = 0; i < c.md.n; i++) {
        gb_err e = {0};
        gb_slice v = gb_slice_of(c.md.v[i].value, c.md.v[i].value_len);
        if (gcore_metadata_add(md, c.md.v[i].key, v, &e) != 0)
            return gb_err_set(err, GW_ERR_REQUEST, "header %s: %s", c.md.v[i].key, e.msg);
    }
    return 0;
}

/* The Grpc-Timeout header (grpc-gateway's convention), else --timeout. */
static int deadline(gw_req *req, uint64_t *ms, gb_err *err)
{
    const char *t = gw_req_header(req, "Grpc-Timeout");
    uint64_t ns = 0;
    *ms = req->srv->cfg->timeout_ms;
    if (t == NULL)
        return 0;
    if (gcore_timeout_parse(gb_slice_str(t), &ns) != 0)
        return gb_err_set(err, GW_ERR_REQUEST,
                          "Grpc-Timeout \"%.40s\": expected 1 to 8 digits and a unit H M S m u n",
                          t);
    *ms = (ns + GCORE_NS_PER_MS - 1) / GCORE_NS_PER_MS;
    return 0;
}

int gw_call_start(gw_call *gc, gw_req *req)
{
    gb_err err = {0};
    gcore_metadata md;
    gcore_metadata_init(&md);
    int rc = build_metadata(req, &md, &err);
    if (rc == 0)
        rc = deadline(req, &gc->timeout_ms, &err);
    if (rc != 0) {
        gcore_metadata_free(&md);
        gw_req_reply_error(req, 400, GW_CODE_INVALID_ARGUMENT, err.msg);
        return rc;
    }
    if (gc->ch == NULL) {
        gcore_metadata_free(&md);
        snprintf(err.msg, sizeof err.msg, "no backend for service %s",
                 gc->method->service->full_name);
        gw_req_reply_error(req, 503, GW_CODE_UNAVAILABLE, err.msg);
        return GW_ERR_UPSTREAM;
    }
    gcore_call_opts o = {.timeout_ms = gc->timeout_ms, .metadata = &md};
    atomic_fetch_add(&gc->refs, 1);    /* the loop's, dropped after on_done */
    if (!gc->method->client_streaming) /* a streamed body keeps the socket readable */
        take_client_fd(gc, req);
    bool watch = gc->client_fd >= 0;
    rc = gcore_call_start(gc->ch, gc->method->path, &o, &handlers, gc, &gc->call);
    gcore_metadata_free(&md);
    if (rc != 0) {
        gc->client_fd = -1;
        atomic_fetch_sub(&gc->refs, 1);
        gw_req_reply_error(req, 503, GW_CODE_UNAVAILABLE, gcore_strerror(rc));
        return GW_ERR_UPSTREAM;
    }
    gc->started = true;
    req->rpc = gc->method->path;
    link_call(gc);
    if (watch)
        watch_client(gc);
    return 0;
}

bool gw_call_wait(gw_call *gc, bool first_message)
{
    bool ready = gc->done || (first_message && gc->head != NULL);
    if (!ready) {
        gc->want_resume = true;
        gc->wait_first = first_message;
    }
    return ready;
}

gw_msg *gw_call_pop(gw_call *gc)
{
    gw_msg *m = gc->head;
    if (m != NULL) {
        gc->head = m->next;
        if (gc->head == NULL)
            gc->tail = NULL;
        gc->n_queued--;
    }
    bool resume = gc->paused && gc->n_queued < QUEUE_MAX / 2;
    if (resume)
        gc->paused = false;
    if (resume)
        gcore_call_resume(gc->call);
    return m;
}

void gw_call_detach(gw_call *gc, bool ok)
{
    unwatch_client(gc);
    gc->req = NULL;
    bool running = gc->started && !gc->done;
    if (running) {
        if (!ok)
            GW_LOG(GW_LOG_DEBUG, "%s: client gone, cancelling", gc->method->path);
        gcore_call_cancel(gc->call);
    }
    gcore_call_release(gc->call);
    put_ref(gc);
}

void gw_call_cancel_all(gw_app *app)
{
    pthread_mutex_lock(&app->mu);
    app->closing = true;
    for (gw_call *gc = app->calls; gc != NULL; gc = gc->next)
        gcore_call_cancel(gc->call);
    pthread_mutex_unlock(&app->mu);
    for (int i = 0; i < 200; i++) { /* each cancelled call reaches on_done on the loop */
        pthread_mutex_lock(&app->mu);
        bool empty = app->calls == NULL;
        pthread_mutex_unlock(&app->mu);
        if (empty)
            return;
        usleep(10000);
    }
}
