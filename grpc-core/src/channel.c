/*
 * Channels and their connections: connect (TCP, then TLS), the read and write
 * paths, keepalive, GOAWAY draining, reconnect backoff, and the queue of calls
 * that wait for a connection or a free stream slot.
 */
#include "client_int.h"
#include "resolve_int.h"

#include <grpc-core/status.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_HIGH_WATER (256 * 1024) /* stop pulling frames from nghttp2 above this */

static void conn_close(gcore_conn *conn);
static void conn_on_io(gcore_watch *w, int fd, unsigned events, void *ud);

void gcore_chan_log(gcore_channel *ch, int level, const char *fmt, ...)
{
    if (ch->o.log == NULL)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ch->o.log(level, msg, ch->o.log_user_data);
}

static void set_state(gcore_channel *ch, gcore_channel_state s)
{
    atomic_store(&ch->state, s);
}

/* ---- the pending queue ---- */

void gcore_chan_enqueue(gcore_channel *ch, gcore_call *c, bool front)
{
    c->state = CALL_QUEUED;
    c->conn = NULL;
    c->prev = c->next = NULL;
    if (ch->pending_head == NULL) {
        ch->pending_head = ch->pending_tail = c;
    } else if (front) {
        c->next = ch->pending_head;
        ch->pending_head->prev = c;
        ch->pending_head = c;
    } else {
        c->prev = ch->pending_tail;
        ch->pending_tail->next = c;
        ch->pending_tail = c;
    }
}

void gcore_chan_unqueue(gcore_channel *ch, gcore_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        ch->pending_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        ch->pending_tail = c->prev;
    c->prev = c->next = NULL;
}

/* Fails queued calls that do not wait for ready (after a failed connection attempt). */
static void fail_pending(gcore_channel *ch, gcore_code code, const char *why)
{
    gcore_call *c = ch->pending_head;
    while (c != NULL) {
        gcore_call *next = c->next;
        if (!c->wait_for_ready || ch->shutdown)
            gcore_call_finish(c, code, why);
        c = next;
    }
}

/* ---- connecting ---- */

static void on_backoff_done(gcore_timer *t, void *ud)
{
    (void)t;
    gcore_channel *ch = ud;
    ch->in_backoff = false;
    set_state(ch, GCORE_CHANNEL_IDLE);
    gcore_chan_pump(ch);
}

uint64_t gcore_backoff_next(uint64_t *delay, uint64_t max, uint32_t rnd)
{
    uint64_t d = *delay;
    uint64_t jitter = d / 5;
    uint64_t wait = d - jitter + (jitter ? rnd % (2 * jitter + 1) : 0);
    uint64_t next = d * 16 / 10;
    *delay = next > max ? max : next;
    return wait;
}

static void start_backoff(gcore_channel *ch)
{
    uint64_t wait = gcore_backoff_next(&ch->backoff_ms, ch->o.backoff_max_ms, (uint32_t)random());
    ch->in_backoff = true;
    set_state(ch, GCORE_CHANNEL_TRANSIENT_FAILURE);
    gcore_chan_log(ch, GCORE_LOG_INFO, "%s; retrying in %llu ms", ch->last_error,
                   (unsigned long long)wait);
    if (gcore_timer_start(ch->backoff_timer, wait) != 0)
        on_backoff_done(ch->backoff_timer, ch);
}

static int conn_watch(gcore_conn *conn, unsigned events)
{
    if (conn->watching == events)
        return 0;
    conn->watching = events;
    return gcore_watch_set(conn->watch, events);
}

static void conn_ready(gcore_conn *conn)
{
    gcore_channel *ch = conn->ch;
    if (gcore_conn_h2_init(conn) != 0) {
        gcore_conn_fail(conn, "HTTP/2 session set-up failed");
        return;
    }
    conn->state = CONN_READY;
    gcore_timer_stop(conn->connect_timer);
    ch->backoff_ms = ch->o.backoff_base_ms;
    set_state(ch, GCORE_CHANNEL_READY);
    if (ch->o.keepalive_time_ms)
        gcore_timer_start(conn->ka_timer, ch->o.keepalive_time_ms);
    conn_watch(conn, GCORE_EV_READ);
    gcore_chan_pump(ch);
    gcore_conn_schedule_flush(conn);
}

static void conn_handshake(gcore_conn *conn)
{
    gb_err err = {0};
    unsigned want = 0;
    int rc = gcore_tls_handshake(&conn->tr, &want, &err);
    if (rc < 0) {
        gcore_conn_fail(conn, err.msg);
        return;
    }
    if (rc == 1) {
        conn_watch(conn, want);
        return;
    }
    conn_ready(conn);
}

static int open_next(gcore_conn *conn, gb_err *err);

static void conn_connected(gcore_conn *conn)
{
    gcore_channel *ch = conn->ch;
    gb_err err = {0};
    if (gcore_tcp_connected(&conn->tr, &err) != 0) {
        /* "localhost" may be ::1 then 127.0.0.1: try the next address first. */
        gb_err next_err = {0};
        if (conn->next_addr == NULL || open_next(conn, &next_err) != 0)
            gcore_conn_fail(conn, err.msg);
        return;
    }
    if (ch->ssl_ctx == NULL) {
        conn_ready(conn);
        return;
    }
    if (gcore_tls_client_start(&conn->tr, ch->ssl_ctx, ch->server_name, &err) != 0) {
        gcore_conn_fail(conn, err.msg);
        return;
    }
    conn->state = CONN_HANDSHAKE;
    conn_handshake(conn);
}

static void on_connect_timeout(gcore_timer *t, void *ud)
{
    (void)t;
    gcore_conn_fail(ud, "connect timed out");
}

static void on_ka_timeout(gcore_timer *t, void *ud)
{
    (void)t;
    gcore_conn_fail(ud, "keepalive ping not answered");
}

static void on_ka_timer(gcore_timer *t, void *ud)
{
    (void)t;
    gcore_conn *conn = ud;
    gcore_channel *ch = conn->ch;
    if (conn->active == 0 && !ch->o.keepalive_without_calls) {
        gcore_timer_start(conn->ka_timer, ch->o.keepalive_time_ms);
        return;
    }
    if (nghttp2_submit_ping(conn->h2, NGHTTP2_FLAG_NONE, NULL) != 0) {
        gcore_conn_fail(conn, "cannot send a keepalive ping");
        return;
    }
    conn->ping_outstanding = true;
    gcore_timer_start(conn->ka_timeout, ch->o.keepalive_timeout_ms);
    gcore_conn_schedule_flush(conn);
}

/* Resolves a numeric host at once (no lookup: it cannot block). Returns 0, 1 when
 * |ch->host| is a name, or GCORE_ERR_RESOLVE. */
static int resolve_numeric(gcore_channel *ch, struct addrinfo **res)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST};
    int rc = getaddrinfo(ch->host, ch->port, &hints, res);
    if (rc == EAI_NONAME)
        return 1;
    if (rc != 0) {
        snprintf(ch->last_error, sizeof(ch->last_error), "resolve %s: %s", ch->host,
                 gai_strerror(rc));
        return GCORE_ERR_RESOLVE;
    }
    return 0;
}

/* Connects to the first address of |res| (owned from now) that takes a connect. */
static void conn_start(gcore_conn *conn, struct addrinfo *res)
{
    gb_err err = {0};
    conn->addrs = conn->next_addr = res;
    if (open_next(conn, &err) != 0)
        gcore_conn_fail(conn, err.msg);
}

/* The host name lookup ended (loop thread). */
static void on_resolved(struct addrinfo *res, int rc, void *user_data)
{
    gcore_conn *conn = user_data;
    gcore_channel *ch = conn->ch;
    conn->resolving = NULL;
    if (rc != 0) {
        snprintf(ch->last_error, sizeof(ch->last_error), "resolve %s: %s", ch->host,
                 gai_strerror(rc));
        gcore_conn_fail(conn, ch->last_error);
        return;
    }
    conn_start(conn, res);
}

static gcore_conn *conn_new(gcore_channel *ch)
{
    gcore_conn *conn = calloc(1, sizeof(*conn));
    if (conn == NULL)
        return NULL;
    conn->ch = ch;
    conn->tr.fd = -1;
    gb_buf_init(&conn->out, 0);
    if (gcore_timer_new(ch->loop, on_connect_timeout, conn, &conn->connect_timer) != 0 ||
        gcore_timer_new(ch->loop, on_ka_timer, conn, &conn->ka_timer) != 0 ||
        gcore_timer_new(ch->loop, on_ka_timeout, conn, &conn->ka_timeout) != 0) {
        gcore_timer_free(conn->connect_timer);
        gcore_timer_free(conn->ka_timer);
        free(conn);
        return NULL;
    }
    return conn;
}

/* Starts a connect to the next resolved address that accepts one, and watches it. */
static int open_next(gcore_conn *conn, gb_err *err)
{
    gcore_watch_remove(conn->watch);
    conn->watch = NULL;
    gcore_transport_close(&conn->tr);
    int rc = gb_err_set(err, GCORE_ERR_IO, "no address to connect to");
    while (conn->next_addr != NULL && rc != 0) {
        rc = gcore_tcp_connect(&conn->tr, conn->next_addr, err);
        conn->next_addr = conn->next_addr->ai_next;
    }
    if (rc != 0)
        return rc;
    rc = gcore_watch_add(conn->ch->loop, conn->tr.fd, GCORE_EV_WRITE, conn_on_io, conn,
                         &conn->watch);
    if (rc != 0)
        return gb_err_set(err, rc, "cannot watch the socket");
    conn->watching = GCORE_EV_WRITE;
    return 0;
}

static void chan_connect(gcore_channel *ch)
{
    gcore_conn *conn = conn_new(ch);
    if (conn == NULL) {
        fail_pending(ch, GCORE_STATUS_UNAVAILABLE, "out of memory for a connection");
        return;
    }
    set_state(ch, GCORE_CHANNEL_CONNECTING);
    ch->conn = conn;
    conn->state = CONN_CONNECTING;
    gcore_timer_start(conn->connect_timer, ch->o.connect_timeout_ms);
    struct addrinfo *res = NULL;
    int rc = resolve_numeric(ch, &res);
    if (rc == 0) {
        conn_start(conn, res);
    } else if (rc < 0) {
        gcore_conn_fail(conn, ch->last_error);
    } else if (gcore_resolve_start(ch->loop, ch->host, ch->port, on_resolved, conn,
                                   &conn->resolving) != 0) {
        gcore_conn_fail(conn, "cannot start resolving the host name");
    }
}

/* Starts streams for queued calls while the connection has room; connects if needed. */
void gcore_chan_pump(gcore_channel *ch)
{
    if (ch->shutdown || ch->pending_head == NULL)
        return;
    gcore_conn *conn = ch->conn;
    if (conn == NULL) {
        if (ch->in_backoff) {
            fail_pending(ch, GCORE_STATUS_UNAVAILABLE, ch->last_error);
            return;
        }
        chan_connect(ch);
        return;
    }
    if (conn->state != CONN_READY)
        return;
    uint32_t max =
        nghttp2_session_get_remote_settings(conn->h2, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    while (ch->pending_head != NULL && conn->active < max) {
        gcore_call *c = ch->pending_head;
        gcore_chan_unqueue(ch, c);
        if (gcore_conn_submit(conn, c) != 0)
            gcore_call_finish(c, GCORE_STATUS_INTERNAL, "cannot start an HTTP/2 stream");
    }
    gcore_conn_schedule_flush(conn);
}

/* ---- I/O ---- */

static int conn_write(gcore_conn *conn)
{
    for (;;) {
        if (conn->out_off == conn->out.n) {
            gb_buf_reset(&conn->out);
            conn->out_off = 0;
            while (conn->out.n < OUT_HIGH_WATER) {
                const uint8_t *data;
                gcore_h2_ssize n = nghttp2_session_mem_send(conn->h2, &data);
                if (n < 0)
                    return GCORE_ERR_HTTP2;
                if (n == 0)
                    break;
                if (gb_buf_append(&conn->out, data, (size_t)n) != 0)
                    return GCORE_ERR_NOMEM;
            }
            if (conn->out.n == 0)
                return conn_watch(conn, GCORE_EV_READ);
        }
        unsigned want = 0;
        ssize_t w = gcore_transport_write(&conn->tr, conn->out.p + conn->out_off,
                                          conn->out.n - conn->out_off, &want);
        if (w == GCORE_IO_AGAIN)
            return conn_watch(conn, GCORE_EV_READ | want);
        if (w < 0)
            return GCORE_ERR_IO;
        conn->out_off += (size_t)w;
    }
}

static void conn_flush(gcore_conn *conn)
{
    if (conn->state != CONN_READY)
        return;
    int rc = conn_write(conn);
    if (rc != 0) {
        gcore_conn_fail(conn, rc == GCORE_ERR_IO ? "write failed: connection lost"
                                                 : "HTTP/2 session error");
        return;
    }
    if (!nghttp2_session_want_read(conn->h2) && !nghttp2_session_want_write(conn->h2) &&
        conn->out.n == conn->out_off) {
        gcore_conn_fail(conn, "the HTTP/2 session ended");
        return;
    }
    if (conn->goaway && conn->active == 0 && conn->out.n == conn->out_off)
        conn_close(conn);
}

static void flush_task(void *ud)
{
    gcore_conn *conn = ud;
    conn->flush_posted = false;
    if (conn->state == CONN_CLOSED) {
        free(conn);
        return;
    }
    conn_flush(conn);
}

void gcore_conn_schedule_flush(gcore_conn *conn)
{
    if (conn->flush_posted || conn->state != CONN_READY)
        return;
    if (gcore_loop_post(conn->ch->loop, flush_task, conn) == 0)
        conn->flush_posted = true;
    else
        conn_flush(conn);
}

/* Reads what the socket has (bounded per wake-up, to stay fair) into nghttp2. */
static int conn_read(gcore_conn *conn)
{
    uint8_t buf[32768];
    /* Bytes OpenSSL already decrypted do not wake epoll: take them all. */
    for (int i = 0; i < 16 || (conn->tr.ssl && gcore_openssl.SSL_pending(conn->tr.ssl) > 0); i++) {
        unsigned want = 0;
        ssize_t r = gcore_transport_read(&conn->tr, buf, sizeof(buf), &want);
        if (r == GCORE_IO_AGAIN)
            return 0;
        if (r == 0) {
            gcore_conn_fail(conn, "the server closed the connection");
            return -1;
        }
        if (r < 0) {
            gcore_conn_fail(conn, "read failed: connection lost");
            return -1;
        }
        gcore_h2_ssize n = nghttp2_session_mem_recv(conn->h2, buf, (size_t)r);
        if (n < 0) {
            gcore_conn_fail(conn, nghttp2_strerror((int)n));
            return -1;
        }
        if (conn->state != CONN_READY)
            return -1;
    }
    return 0;
}

static void conn_on_io(gcore_watch *w, int fd, unsigned events, void *ud)
{
    (void)w;
    (void)fd;
    gcore_conn *conn = ud;
    switch (conn->state) {
    case CONN_CONNECTING:
        conn_connected(conn);
        return;
    case CONN_HANDSHAKE:
        conn_handshake(conn);
        return;
    case CONN_READY:
        if ((events & (GCORE_EV_READ | GCORE_EV_ERROR)) && conn_read(conn) != 0)
            return;
        conn_flush(conn);
        return;
    case CONN_CLOSED:
        return;
    }
}

/* ---- failure and closing ---- */

static void conn_unlink(gcore_conn *conn)
{
    gcore_channel *ch = conn->ch;
    if (ch->conn == conn) {
        ch->conn = NULL;
        return;
    }
    for (gcore_conn **p = &ch->draining; *p != NULL; p = &(*p)->next_draining) {
        if (*p == conn) {
            *p = conn->next_draining;
            return;
        }
    }
}

/* Frees the connection's resources; its memory goes with a pending flush task. */
static void conn_close(gcore_conn *conn)
{
    conn_unlink(conn);
    conn->state = CONN_CLOSED;
    gcore_watch_remove(conn->watch);
    conn->watch = NULL;
    gcore_timer_free(conn->connect_timer);
    gcore_timer_free(conn->ka_timer);
    gcore_timer_free(conn->ka_timeout);
    conn->connect_timer = conn->ka_timer = conn->ka_timeout = NULL;
    gcore_conn_free_streams(conn);
    if (conn->resolving != NULL)
        gcore_resolve_cancel(conn->resolving);
    conn->resolving = NULL;
    if (conn->addrs != NULL)
        freeaddrinfo(conn->addrs);
    conn->addrs = conn->next_addr = NULL;
    nghttp2_session_del(conn->h2);
    conn->h2 = NULL;
    gcore_transport_close(&conn->tr);
    gb_buf_free(&conn->out);
    if (!conn->flush_posted)
        free(conn);
}

void gcore_conn_fail(gcore_conn *conn, const char *why)
{
    gcore_channel *ch = conn->ch;
    bool was_ready = conn->state == CONN_READY;
    bool current = ch->conn == conn;
    char msg[sizeof(ch->last_error)]; /* |why| may be last_error itself */
    snprintf(msg, sizeof(msg), "%s:%s: %s", ch->host, ch->port, why);
    memcpy(ch->last_error, msg, sizeof(msg));
    gcore_chan_log(ch, GCORE_LOG_WARN, "%s", msg);
    conn->state = CONN_CLOSED; /* callbacks below see a dead connection */
    /* Only a call whose HEADERS never left may be retried: the server may have run
     * the others. */
    while (conn->calls != NULL) {
        gcore_call *c = conn->calls;
        if (ch->shutdown) {
            gcore_call_finish(c, GCORE_STATUS_CANCELLED, "channel shut down");
        } else if (!c->headers_sent) {
            gcore_call_requeue(c);
        } else {
            char lost[sizeof(ch->last_error) + 20];
            snprintf(lost, sizeof(lost), "connection lost: %s", ch->last_error);
            gcore_call_finish(c, GCORE_STATUS_UNAVAILABLE, lost);
        }
    }
    conn_close(conn);
    if (ch->shutdown)
        return;
    if (!current) {
        gcore_chan_pump(ch); /* requeued calls go to the current connection */
        return;
    }
    if (!was_ready) {
        fail_pending(ch, GCORE_STATUS_UNAVAILABLE, ch->last_error);
        start_backoff(ch);
        return;
    }
    set_state(ch, GCORE_CHANNEL_IDLE);
    gcore_chan_pump(ch); /* requeued calls reconnect at once, without backoff */
}

void gcore_conn_goaway(gcore_conn *conn)
{
    gcore_channel *ch = conn->ch;
    if (conn->goaway)
        return;
    conn->goaway = true;
    if (ch->conn == conn) {
        ch->conn = NULL;
        conn->next_draining = ch->draining;
        ch->draining = conn;
        set_state(ch, GCORE_CHANNEL_IDLE);
        gcore_chan_pump(ch); /* calls waiting for a stream slot go to a new connection */
    }
}

/* ---- the public API ---- */

static int parse_target(gcore_channel *ch, const char *target, gb_err *err)
{
    const char *colon = strrchr(target, ':');
    if (colon == NULL || colon[1] == '\0' || colon == target)
        return gb_err_set(err, GCORE_ERR_INVALID, "target \"%s\": expected host:port", target);
    const char *h = target;
    size_t hn = (size_t)(colon - target);
    if (h[0] == '[' && hn >= 2 && h[hn - 1] == ']') {
        h++;
        hn -= 2;
    }
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port <= 0 || port > 65535)
        return gb_err_set(err, GCORE_ERR_INVALID, "target \"%s\": bad port", target);
    ch->host = strndup(h, hn);
    ch->port = strdup(colon + 1);
    return ch->host && ch->port ? 0 : gb_err_set(err, GCORE_ERR_NOMEM, "out of memory");
}

static void set_defaults(gcore_channel_opts *o)
{
    if (!o->connect_timeout_ms)
        o->connect_timeout_ms = 20000;
    if (!o->keepalive_timeout_ms)
        o->keepalive_timeout_ms = 20000;
    if (!o->backoff_base_ms)
        o->backoff_base_ms = 1000;
    if (!o->backoff_max_ms)
        o->backoff_max_ms = 120000;
    if (!o->max_recv_message_size)
        o->max_recv_message_size = 4u << 20;
    if (!o->max_send_message_size)
        o->max_send_message_size = SIZE_MAX;
    if (!o->stream_window)
        o->stream_window = 1u << 20;
    if (!o->connection_window)
        o->connection_window = 16u << 20;
}

static void channel_destroy(gcore_channel *ch)
{
    gcore_timer_free(ch->backoff_timer);
    if (ch->ssl_ctx)
        gcore_openssl.SSL_CTX_free(ch->ssl_ctx);
    free(ch->host);
    free(ch->port);
    free(ch->authority);
    free(ch->server_name);
    free(ch);
}

int gcore_channel_new(gcore_loop *loop, const char *target, const gcore_channel_opts *opts,
                      gcore_channel **out, gb_err *err)
{
    gcore_channel *ch = calloc(1, sizeof(*ch));
    if (ch == NULL)
        return gb_err_set(err, GCORE_ERR_NOMEM, "out of memory");
    ch->loop = loop;
    if (opts != NULL)
        ch->o = *opts;
    set_defaults(&ch->o);
    ch->backoff_ms = ch->o.backoff_base_ms;
    int rc = gcore_timer_new(loop, on_backoff_done, ch, &ch->backoff_timer);
    if (rc != 0) {
        gb_err_set(err, rc, "out of memory");
        goto fail;
    }
    rc = parse_target(ch, target, err);
    if (rc != 0)
        goto fail;
    ch->authority = ch->o.authority ? strdup(ch->o.authority) : strdup(target);
    ch->server_name = strdup(ch->o.server_name ? ch->o.server_name : ch->host);
    rc = GCORE_ERR_NOMEM;
    if (ch->authority == NULL || ch->server_name == NULL) {
        gb_err_set(err, rc, "out of memory");
        goto fail;
    }
    ch->o.authority = ch->o.server_name = NULL;
    if (ch->o.tls) {
        rc =
            gcore_tls_client_ctx(ch->o.ca_file, ch->o.cert_file, ch->o.key_file, &ch->ssl_ctx, err);
        if (rc != 0)
            goto fail;
    }
    ch->o.ca_file = ch->o.cert_file = ch->o.key_file = NULL;
    gcore_ignore_sigpipe();
    set_state(ch, GCORE_CHANNEL_IDLE);
    *out = ch;
    return 0;
fail:
    channel_destroy(ch);
    return rc;
}

static void close_all(gcore_channel *ch)
{
    fail_pending(ch, GCORE_STATUS_CANCELLED, "channel shut down");
    while (ch->draining != NULL)
        gcore_conn_fail(ch->draining, "channel shut down");
    if (ch->conn != NULL)
        gcore_conn_fail(ch->conn, "channel shut down");
}

static void free_task(void *ud)
{
    gcore_channel *ch = ud;
    ch->shutdown = true;
    set_state(ch, GCORE_CHANNEL_SHUTDOWN);
    close_all(ch);
    channel_destroy(ch);
}

void gcore_channel_free(gcore_channel *ch)
{
    if (ch == NULL)
        return;
    if (gcore_loop_post(ch->loop, free_task, ch) != 0)
        gcore_chan_log(ch, GCORE_LOG_ERROR, "out of memory: channel leaked");
}

gcore_channel_state gcore_channel_get_state(const gcore_channel *ch)
{
    return atomic_load(&ch->state);
}

gcore_loop *gcore_channel_loop(const gcore_channel *ch)
{
    return ch->loop;
}
