/*
 * The HTTP/1.1 front end on libmicrohttpd: one daemon per worker, each driven by the
 * worker's loop (worker.c), a per-request arena, and suspend/resume while a reply is
 * being made. Nothing here ever waits on a backend.
 */
#include "cors.h"
#include "log.h"
#include "schema.h"
#include "server.h"
#include "status_map.h"
#include "worker.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for the body plus what is built from it (wire bytes, the reply, JSON out). */
#define ARENA_SLACK ((size_t)8 << 20)

/* MHD's per-connection pool holds the request headers and the reply's header block;
 * MHD zeroes all of it on every keep-alive request, so it is kept no bigger than
 * the header limit needs (a 32 KiB pool cost ~1 us and 32 KiB of RSS per request). */
#define POOL_SLACK ((size_t)4 << 10)

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A request from the worker's spares (its arena keeps a block), else a new one. */
static gw_req *req_new(gw_worker *w)
{
    gw_req *req;
    if (w->n_spare > 0) {
        req = w->spare[--w->n_spare];
        gb_arena arena = req->arena;
        memset(req, 0, sizeof *req);
        req->arena = arena;
        return req;
    }
    req = calloc(1, sizeof *req);
    if (req != NULL)
        gb_arena_init(&req->arena, w->srv->cfg->max_body * 2 + ARENA_SLACK);
    return req;
}

static void req_destroy(gw_req *req)
{
    gb_arena_clear(&req->arena);
    free(req);
}

static void req_free(gw_worker *w, gw_req *req)
{
    if (w->n_spare < sizeof w->spare / sizeof w->spare[0]) {
        gb_arena_reset(&req->arena);
        w->spare[w->n_spare++] = req;
    } else {
        req_destroy(req);
    }
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    gw_worker *w = cls;
    gw_server *srv = w->srv;
    gw_req *req = req_new(w);
    if (req == NULL)
        return NULL;
    atomic_fetch_add_explicit(&w->n_requests, 1, memory_order_relaxed);
    req->srv = srv;
    req->worker = w->index;
    req->conn = conn;
    req->grpc_status = -1;
    gb_buf_init(&req->body, srv->cfg->max_body);
    clock_gettime(CLOCK_MONOTONIC, &req->t0);
    const char *q = strchr(uri, '?');
    size_t plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
    req->raw_path = gb_arena_strndup(&req->arena, uri, plen);
    req->query =
        gb_arena_strndup(&req->arena, q != NULL ? q + 1 : "", q != NULL ? strlen(q + 1) : 0);
    req->state = GW_REQ_HEADERS;
    return req;
}

static void client_ip(gw_req *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char buf[INET6_ADDRSTRLEN] = "";
    if (ci == NULL || ci->client_addr == NULL)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
                  buf, sizeof buf);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, buf,
                  sizeof buf);
    req->client_ip = gb_arena_strndup(&req->arena, buf, strlen(buf));
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    gw_req *req = cls;
    (void)pos;
    ssize_t n = req->reply.stream(req, buf, max);
    if (n == -1)
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n;
}

static enum MHD_Result queue_reply(gw_req *req)
{
    gw_reply *r = &req->reply;
    struct MHD_Response *resp;
    if (r->stream != NULL)
        resp =
            MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4 * 1024, read_stream, req, NULL);
    else
        resp = MHD_create_response_from_buffer(r->body_len, (void *)(uintptr_t)r->body,
                                               MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    if (r->content_type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    for (size_t i = 0; i < r->headers.n; i++)
        MHD_add_response_header(resp, r->headers.v[i].key, r->headers.v[i].value);
    const char *expose = req->cors ? gw_cors_expose_headers(&r->headers, &req->arena) : NULL;
    if (expose != NULL)
        MHD_add_response_header(resp, "Access-Control-Expose-Headers", expose);
    req->state = GW_REQ_REPLIED;
    r->mhd = resp; /* the connection keeps its own reference until the reply is sent */
    enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A request answered while its headers were read (404, 405, 400): the body is read and
 * dropped, then the reply goes out on a connection that stays open. */
static int discard_body(gw_req *req, const char *data, size_t n)
{
    (void)req;
    (void)data;
    (void)n;
    return 0;
}

static int reply_ready(gw_req *req)
{
    (void)req;
    return GW_REPLY_NOW;
}

static const gw_handler early_reply = {"early-reply", discard_body, reply_ready, NULL, NULL};

static enum MHD_Result begin(gw_req *req, const char *url, const char *method)
{
    req->method = gb_arena_strndup(&req->arena, method, strlen(method));
    req->path = gb_arena_strndup(&req->arena, url, strlen(url));
    if (req->method == NULL || req->path == NULL || req->query == NULL || req->raw_path == NULL)
        return MHD_NO;
    client_ip(req);
    req->state = GW_REQ_READING;
    const char *cl = gw_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > req->srv->cfg->max_body) {
        gw_req_reply_error(req, 413, GW_CODE_RESOURCE_EXHAUSTED, "request body too large");
        return queue_reply(req);
    }
    req->handler = gw_dispatch(req);
    if (req->handler == NULL)
        req->handler = &early_reply;
    return MHD_YES;
}

/* MHD takes a reply only before or after the body: an error found while it is read
 * is kept, the rest of the body dropped, and the reply sent at its end. */
static enum MHD_Result add_body(gw_req *req, const char *data, size_t *n)
{
    size_t len = *n;
    *n = 0;
    if (req->failed)
        return MHD_YES;
    unsigned limit = req->srv->cfg->request_timeout_s;
    if (limit != 0 && elapsed_ms(&req->t0) > (double)limit * 1e3) {
        GW_LOG(GW_LOG_INFO, "%s %s: request not received within %us, closing", req->method,
               req->path, limit);
        return MHD_NO;
    }
    int rc = 0;
    if (req->handler->on_body != NULL) {
        if (req->body.n + len > req->srv->cfg->max_body)
            rc = GB_ERR_LIMIT;
        else
            req->body.n += len; /* counted for the limit only; the handler keeps the bytes */
        if (rc == 0 && req->handler->on_body(req, data, len) != 0)
            req->failed = true;
    } else {
        rc = gb_buf_append(&req->body, data, len);
    }
    if (rc == GB_ERR_LIMIT) {
        gw_req_reply_error(req, 413, GW_CODE_RESOURCE_EXHAUSTED, "request body too large");
        req->failed = true;
    } else if (rc != 0) {
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result complete(gw_req *req)
{
    if (req->failed)
        return queue_reply(req);
    req->state = GW_REQ_WAITING;
    /* Suspended first: a call can end, and resume the request, before it has started. */
    gw_req_suspend(req);
    if (req->handler->on_complete(req) == GW_REPLY_NOW)
        gw_req_resume(req);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    gw_req *req = *con_cls;
    (void)cls;
    (void)conn;
    (void)version;
    if (req == NULL)
        return MHD_NO;
    switch (req->state) {
    case GW_REQ_HEADERS:
        return begin(req, url, method);
    case GW_REQ_READING:
        if (*upload_size != 0)
            return add_body(req, upload, upload_size);
        return complete(req);
    case GW_REQ_DONE:
        if (req->handler->on_resume != NULL)
            req->handler->on_resume(req);
        return queue_reply(req);
    default:
        *upload_size = 0;
        return MHD_YES;
    }
}

static void access_log(const gw_req *req, int http_status)
{
    if (!req->srv->cfg->access_log || req->method == NULL)
        return;
    char grpc[16] = "-";
    if (req->grpc_status >= 0)
        snprintf(grpc, sizeof grpc, "%d", req->grpc_status);
    gw_log_access("%s \"%s %s\" rpc=%s http=%d grpc=%s %.2fms",
                  req->client_ip ? req->client_ip : "-", req->method, req->path,
                  req->rpc ? req->rpc : "-", http_status, grpc, elapsed_ms(&req->t0));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    gw_req *req = *con_cls;
    (void)conn;
    if (req == NULL)
        return;
    *con_cls = NULL;
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        gw_req_hold(req, false); /* the keep-alive connection's next reply is not held */
    if (req->handler != NULL && req->handler->on_finish != NULL)
        req->handler->on_finish(req, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    int status = req->state == GW_REQ_REPLIED ? req->reply.status : 499;
    access_log(req, status);
    gb_buf_free(&req->body);
    gw_schema_unref(req->schema);
    req_free(cls, req);
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    GW_LOG(GW_LOG_DEBUG, "http: %s", msg);
}

static int split_listen(const char *addr, char *host, size_t host_n, char *port, size_t port_n)
{
    const char *colon;
    const char *h = addr;
    size_t hn;
    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        h = addr + 1;
        hn = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(addr, ':');
        if (colon == NULL)
            return -1;
        hn = (size_t)(colon - addr);
    }
    if (hn == 0 || hn >= host_n || strlen(colon + 1) == 0 || strlen(colon + 1) >= port_n)
        return -1;
    memcpy(host, h, hn);
    host[hn] = '\0';
    snprintf(port, port_n, "%s", colon + 1);
    return 0;
}

static int open_listener(gw_server *srv, gb_err *err)
{
    const char *addr = srv->cfg->listen;
    char host[256], port[16];
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    if (split_listen(addr, host, sizeof host, port, sizeof port) != 0)
        return gb_err_set(err, GW_ERR_LISTEN, "listen %s: expected HOST:PORT or [V6]:PORT", addr);
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0)
        return gb_err_set(err, GW_ERR_LISTEN, "listen %s: %s", addr, gai_strerror(rc));
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return gb_err_set(err, GW_ERR_LISTEN, "listen %s: %s", addr, strerror(e));
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    srv->listen_fd = fd;
    freeaddrinfo(ai);
    return 0;
}

static struct MHD_Daemon *start_daemon(gw_worker *w)
{
    const gw_config *c = w->srv->cfg;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET,
                            w->srv->listen_fd, MHD_OPTION_URI_LOG_CALLBACK, on_uri, w,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, c->max_header + POOL_SLACK,
                            MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout_s,
                            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, w, MHD_OPTION_END);
}

int gw_front_start(gw_server *srv, gb_err *err)
{
    const gw_app *app = srv->app;
    if (open_listener(srv, err) != 0)
        return GW_ERR_LISTEN;
    srv->workers = calloc(app->n_loops, sizeof *srv->workers);
    if (srv->workers == NULL) {
        gw_front_stop(srv);
        return gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    }
    srv->n_workers = app->n_loops;
    for (unsigned i = 0; i < srv->n_workers; i++) {
        gw_worker *w = &srv->workers[i];
        *w = (gw_worker){.srv = srv, .index = i, .loop = app->loops[i]};
        w->mhd = start_daemon(w);
        if (w->mhd == NULL || gw_worker_attach(w) != 0) {
            gw_front_stop(srv);
            return gb_err_set(err, GW_ERR_LISTEN, "listen %s: the HTTP server did not start",
                              srv->cfg->listen);
        }
    }
    return 0;
}

void gw_front_stop(gw_server *srv)
{
    for (unsigned i = 0; i < srv->n_workers; i++) {
        gw_worker *w = &srv->workers[i];
        gw_worker_detach(w);
        while (w->n_spare > 0)
            req_destroy(w->spare[--w->n_spare]);
    }
    free(srv->workers);
    srv->workers = NULL;
    srv->n_workers = 0;
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    srv->listen_fd = -1;
}
