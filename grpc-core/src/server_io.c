/*
 * The server's I/O side on a gcore_loop: a watch per listener and per connection,
 * a timer per call with a deadline, and tasks that workers and
 * gcore_server_shutdown() post. Sockets are non-blocking; TLS runs on the socket
 * with OpenSSL's non-blocking calls. Connections, their nghttp2 sessions and the
 * call lists are touched on the loop thread only.
 */
#define _GNU_SOURCE /* accept4 */
#include "server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void peer_name(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[INET6_ADDRSTRLEN] = "?";
    snprintf(out, cap, "unknown");
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(out, cap, "ipv4:%s:%u", host, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(out, cap, "ipv6:[%s]:%u", host, ntohs(a->sin6_port));
    }
}

static void conn_close(server_conn *c)
{
    gcore_server *s = c->srv;
    gcore_watch_remove(c->watch);
    server_conn_release(c);
    if (c->ssl != NULL)
        gcore_openssl.SSL_free(c->ssl);
    close(c->fd);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    free(c);
}

void server_io_kick(server_conn *c)
{
    server_io_flush(c);
    if (c->closing)
        conn_close(c);
}

static void conn_watch(server_conn *c, bool out)
{
    if (c->want_write == out)
        return;
    gcore_watch_set(c->watch, GCORE_EV_READ | (out ? GCORE_EV_WRITE : 0));
    c->want_write = out;
}

/* Writes wbuf; returns 1 when all went, 0 when the socket is full, -1 on error. */
static int conn_write(server_conn *c)
{
    while (c->wbuf_off < c->wbuf.n) {
        const uint8_t *p = c->wbuf.p + c->wbuf_off;
        size_t n = c->wbuf.n - c->wbuf_off;
        ssize_t w;
        if (c->ssl != NULL) {
            int rv = gcore_openssl.SSL_write(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
            if (rv <= 0) {
                int e = gcore_openssl.SSL_get_error(c->ssl, rv);
                return e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ ? 0 : -1;
            }
            w = rv;
        } else {
            w = send(c->fd, p, n, MSG_NOSIGNAL);
            if (w < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        }
        c->wbuf_off += (size_t)w;
    }
    gb_buf_reset(&c->wbuf);
    c->wbuf_off = 0;
    return 1;
}

void server_io_flush(server_conn *c)
{
    if (c->closing || c->handshaking)
        return;
    for (;;) {
        if (server_conn_pull(c) != 0) {
            c->closing = true;
            return;
        }
        int rv = conn_write(c);
        if (rv < 0) {
            c->closing = true;
            return;
        }
        if (rv == 0) {
            conn_watch(c, true);
            return;
        }
        if (nghttp2_session_want_write(c->h2) == 0)
            break;
    }
    conn_watch(c, false);
    if (server_conn_done(c))
        c->closing = true;
}

static void conn_handshake(server_conn *c)
{
    int rv = gcore_openssl.SSL_do_handshake(c->ssl);
    if (rv == 1) {
        c->handshaking = false;
        const unsigned char *alpn = NULL;
        unsigned alpn_n = 0;
        gcore_openssl.SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_n);
        if (alpn_n != 2 || memcmp(alpn, "h2", 2) != 0) {
            server_log(c->srv, GCORE_LOG_WARN, "%s: TLS client did not negotiate h2", c->peer);
            c->closing = true;
        }
        return;
    }
    int e = gcore_openssl.SSL_get_error(c->ssl, rv);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        conn_watch(c, e == SSL_ERROR_WANT_WRITE);
        return;
    }
    server_log(c->srv, GCORE_LOG_INFO, "%s: TLS handshake failed", c->peer);
    c->closing = true;
}

/* Reads what the socket has, up to SERVER_READS_PER_EVENT buffers, and feeds it to the
 * session. The bound keeps a client that never stops sending from holding the I/O
 * thread: the rest waits for the next turn of the (level-triggered) loop, after the
 * other connections, the timers and the posted tasks (shutdown among them). */
static void conn_read(server_conn *c)
{
    uint8_t buf[16384];
    if (c->handshaking) {
        conn_handshake(c);
        if (c->handshaking || c->closing)
            return;
    }
    /* Bytes OpenSSL already decrypted would not wake the loop again: take them now. */
    for (int reads = 0; !c->closing && (reads < SERVER_READS_PER_EVENT ||
                                        (c->ssl != NULL && gcore_openssl.SSL_pending(c->ssl) > 0));
         reads++) {
        ssize_t n;
        if (c->ssl != NULL) {
            int rv = gcore_openssl.SSL_read(c->ssl, buf, sizeof buf);
            if (rv <= 0) {
                int e = gcore_openssl.SSL_get_error(c->ssl, rv);
                if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                    c->closing = true;
                break;
            }
            n = rv;
        } else {
            n = recv(c->fd, buf, sizeof buf, 0);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                break;
            if (n <= 0) {
                c->closing = true;
                break;
            }
        }
        if (server_conn_recv(c, buf, (size_t)n) != 0)
            c->closing = true;
    }
    server_io_flush(c);
}

static void on_conn_event(gcore_watch *w, int fd, unsigned events, void *user_data)
{
    (void)w;
    (void)fd;
    server_conn *c = user_data;
    if ((events & (GCORE_EV_READ | GCORE_EV_ERROR)) != 0)
        conn_read(c);
    else if (c->handshaking)
        conn_handshake(c);
    if (!c->closing && (events & GCORE_EV_WRITE) != 0)
        server_io_flush(c);
    if (c->closing)
        conn_close(c);
}

static server_conn *conn_new(gcore_server *s, int fd)
{
    server_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (server_conn_init(c, s) != 0) {
        free(c);
        return NULL;
    }
    c->fd = fd;
    peer_name(fd, c->peer, sizeof c->peer);
    if (s->ssl_ctx != NULL) {
        c->ssl = gcore_openssl.SSL_new(s->ssl_ctx);
        if (c->ssl == NULL || gcore_openssl.SSL_set_fd(c->ssl, fd) != 1)
            goto fail;
        gcore_openssl.SSL_set_accept_state(c->ssl);
        c->handshaking = true;
    }
    if (gcore_watch_add(s->loop, fd, GCORE_EV_READ, on_conn_event, c, &c->watch) != 0)
        goto fail;
    return c;
fail:
    server_conn_release(c);
    if (c->ssl != NULL)
        gcore_openssl.SSL_free(c->ssl);
    free(c);
    return NULL;
}

static void on_accept(gcore_watch *w, int lfd, unsigned events, void *user_data)
{
    (void)w;
    (void)events;
    gcore_server *s = user_data;
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        server_conn *c = conn_new(s, fd);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->next = s->conns;
        if (s->conns != NULL)
            s->conns->prev = c;
        s->conns = c;
        server_io_flush(c);
        if (c->closing)
            conn_close(c);
    }
}

/* Works on the calls workers marked since the last round (loop task). A call stays
 * marked until it is taken from the list, so a worker cannot re-link it (and rewrite
 * its dirty_next) while the loop still walks the list. */
static void run_dirty(void *arg)
{
    gcore_server *s = arg;
    pthread_mutex_lock(&s->dirty_mu);
    gcore_server_call *list = s->dirty;
    s->dirty = NULL;
    pthread_mutex_unlock(&s->dirty_mu);
    while (list != NULL) {
        gcore_server_call *call = list;
        pthread_mutex_lock(&s->dirty_mu);
        list = call->dirty_next;
        call->in_dirty = false;
        pthread_mutex_unlock(&s->dirty_mu);
        server_conn *c = call->conn;
        server_conn_sync_call(call);
        if (c != NULL)
            server_io_kick(c); /* closing it clears its calls' conn pointers */
        server_call_unref(call);
    }
}

void server_io_wake(gcore_server *s)
{
    gcore_loop_post(s->loop, run_dirty, s);
}

static void close_listeners(gcore_server *s)
{
    for (size_t i = 0; i < s->n_listen; i++) {
        if (s->listen_watch[i] != NULL)
            gcore_watch_remove(s->listen_watch[i]);
        s->listen_watch[i] = NULL;
        close(s->listen_fds[i]);
    }
    s->n_listen = 0;
}

/* Shutdown, first step: no new connections or calls; calls in flight go on. */
static void drain_task(void *arg)
{
    gcore_server *s = arg;
    close_listeners(s);
    server_conn *next;
    for (server_conn *c = s->conns; c != NULL; c = next) {
        next = c->next;
        server_conn_goaway(c);
        server_io_flush(c);
        if (c->closing)
            conn_close(c);
    }
}

/* Shutdown, last step: end what is left, send it and close every connection. */
static void stop_task(void *arg)
{
    gcore_server *s = arg;
    for (server_conn *c = s->conns; c != NULL; c = c->next) {
        server_conn_cancel_all(c, GCORE_STATUS_UNAVAILABLE, "server shutting down");
        server_io_flush(c);
    }
    while (s->conns != NULL)
        conn_close(s->conns);
    close_listeners(s);
    gcore_timer_free(s->pool_timer);
    s->pool_timer = NULL;
    gcore_loop_stop(s->loop);
}

static void on_pool_timer(gcore_timer *t, void *user_data)
{
    server_workers_tick(user_data);
    gcore_timer_start(t, SERVER_GROW_AFTER_MS);
}

static void start_task(void *arg)
{
    gcore_server *s = arg;
    if (gcore_timer_new(s->loop, on_pool_timer, s, &s->pool_timer) == 0)
        gcore_timer_start(s->pool_timer, SERVER_GROW_AFTER_MS);
    for (size_t i = 0; i < s->n_listen; i++) {
        if (gcore_watch_add(s->loop, s->listen_fds[i], GCORE_EV_READ, on_accept, s,
                            &s->listen_watch[i]) != 0)
            server_log(s, GCORE_LOG_ERROR, "cannot watch listener %zu", i);
    }
}

int server_io_start(gcore_server *s, gb_err *err)
{
    if (gcore_loop_new(&s->loop) != 0)
        return gb_err_set(err, GCORE_ERR_IO, "start: cannot create the event loop");
    if (gcore_loop_post(s->loop, start_task, s) != 0)
        return gb_err_set(err, GCORE_ERR_NOMEM, "start: out of memory");
    if (gcore_loop_start(s->loop) != 0)
        return gb_err_set(err, GCORE_ERR_IO, "start: cannot start the I/O thread");
    s->io_started = true;
    return 0;
}

void server_io_drain(gcore_server *s)
{
    if (s->io_started)
        gcore_loop_post(s->loop, drain_task, s);
}

void server_io_join(gcore_server *s)
{
    if (!s->io_started)
        return;
    gcore_loop_post(s->loop, stop_task, s);
    gcore_loop_join(s->loop);
    s->io_started = false;
}

void server_io_free(gcore_server *s)
{
    if (s->loop != NULL)
        gcore_loop_free(s->loop); /* runs a last run_dirty: the calls' streams are gone */
    s->loop = NULL;
}
