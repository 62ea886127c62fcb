/*
 * The server's I/O thread: one epoll set with the listeners, an eventfd that workers
 * and gcore_server_shutdown() write to, and every connection. Sockets are
 * non-blocking; TLS runs on the socket with OpenSSL's non-blocking calls.
 * Connections, their nghttp2 sessions and the call lists are touched here only.
 */
#define _GNU_SOURCE /* accept4 */
#include "server_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

/* epoll data below this value names the eventfd (0) or a listener (1 + index). */
#define IO_TAG_LIMIT 64

void server_io_wake(gcore_server *s)
{
    uint64_t one = 1;
    ssize_t n = write(s->evfd, &one, sizeof one);
    (void)n; /* the counter is full only when a wake-up is pending anyway */
}

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
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    server_conn_release(c);
    if (c->ssl != NULL)
        SSL_free(c->ssl);
    close(c->fd);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    free(c);
}

static void conn_watch(server_conn *c, bool out)
{
    if (c->want_write == out)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
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
            int rv = SSL_write(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
            if (rv <= 0) {
                int e = SSL_get_error(c->ssl, rv);
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
    int rv = SSL_do_handshake(c->ssl);
    if (rv == 1) {
        c->handshaking = false;
        const unsigned char *alpn = NULL;
        unsigned alpn_n = 0;
        SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_n);
        if (alpn_n != 2 || memcmp(alpn, "h2", 2) != 0) {
            server_log(c->srv, GCORE_LOG_WARN, "%s: TLS client did not negotiate h2", c->peer);
            c->closing = true;
        }
        return;
    }
    int e = SSL_get_error(c->ssl, rv);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        conn_watch(c, e == SSL_ERROR_WANT_WRITE);
        return;
    }
    server_log(c->srv, GCORE_LOG_INFO, "%s: TLS handshake failed", c->peer);
    c->closing = true;
}

/* Reads what the socket has and feeds it to the session. */
static void conn_read(server_conn *c)
{
    uint8_t buf[16384];
    if (c->handshaking) {
        conn_handshake(c);
        if (c->handshaking || c->closing)
            return;
    }
    while (!c->closing) {
        ssize_t n;
        if (c->ssl != NULL) {
            int rv = SSL_read(c->ssl, buf, sizeof buf);
            if (rv <= 0) {
                int e = SSL_get_error(c->ssl, rv);
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

static void accept_conns(gcore_server *s, int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        server_conn *c = calloc(1, sizeof *c);
        if (c == NULL || server_conn_init(c, s) != 0) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        peer_name(fd, c->peer, sizeof c->peer);
        if (s->ssl_ctx != NULL) {
            c->ssl = SSL_new(s->ssl_ctx);
            if (c->ssl == NULL || SSL_set_fd(c->ssl, fd) != 1) {
                server_conn_release(c);
                SSL_free(c->ssl);
                free(c);
                close(fd);
                continue;
            }
            SSL_set_accept_state(c->ssl);
            c->handshaking = true;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
        c->next = s->conns;
        if (s->conns != NULL)
            s->conns->prev = c;
        s->conns = c;
        if (s->goaway_sent)
            server_conn_goaway(c);
        server_io_flush(c);
    }
}

/* Works on the calls workers marked since the last round. */
static void run_dirty(gcore_server *s)
{
    pthread_mutex_lock(&s->dirty_mu);
    gcore_server_call *list = s->dirty;
    s->dirty = NULL;
    for (gcore_server_call *call = list; call != NULL; call = call->dirty_next)
        call->in_dirty = false;
    pthread_mutex_unlock(&s->dirty_mu);
    while (list != NULL) {
        gcore_server_call *call = list;
        list = call->dirty_next;
        server_conn *c = call->conn;
        server_conn_sync_call(call);
        if (c != NULL)
            server_io_flush(c);
        server_call_unref(call);
    }
}

static void close_listeners(gcore_server *s)
{
    for (size_t i = 0; i < s->n_listen; i++) {
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->listen_fds[i], NULL);
        close(s->listen_fds[i]);
    }
    s->n_listen = 0;
}

/* Deadlines and shutdown; returns the epoll timeout. */
static int housekeeping(gcore_server *s)
{
    int64_t now = server_now_ms();
    int timeout = -1;
    if (atomic_load(&s->state) >= SERVER_DRAINING && !s->goaway_sent) {
        s->goaway_sent = true;
        close_listeners(s);
        for (server_conn *c = s->conns; c != NULL; c = c->next) {
            server_conn_goaway(c);
            server_io_flush(c);
        }
    }
    for (server_conn *c = s->conns; c != NULL; c = c->next) {
        int t = server_conn_check_deadlines(c, now);
        if (t >= 0 && (timeout < 0 || t < timeout))
            timeout = t;
        server_io_flush(c);
    }
    server_conn *next;
    for (server_conn *c = s->conns; c != NULL; c = next) {
        next = c->next;
        if (c->closing)
            conn_close(c);
    }
    return timeout;
}

static void io_event(gcore_server *s, const struct epoll_event *ev)
{
    if (ev->data.u64 < IO_TAG_LIMIT) {
        if (ev->data.u64 == 0) {
            uint64_t v;
            ssize_t n = read(s->evfd, &v, sizeof v);
            (void)n;
        } else {
            accept_conns(s, s->listen_fds[ev->data.u64 - 1]);
        }
        return;
    }
    server_conn *c = ev->data.ptr;
    if (c->closing)
        return;
    if ((ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0)
        conn_read(c);
    else if (c->handshaking)
        conn_handshake(c);
    if (!c->closing && (ev->events & EPOLLOUT) != 0)
        server_io_flush(c);
}

static void *io_main(void *arg)
{
    gcore_server *s = arg;
    struct epoll_event evs[64];
    int timeout = -1;
    while (!atomic_load(&s->io_stop)) {
        int n = epoll_wait(s->epfd, evs, 64, timeout);
        for (int i = 0; i < n; i++)
            io_event(s, &evs[i]);
        run_dirty(s);
        timeout = housekeeping(s);
    }
    /* Grace time over: end what is left and send it before closing. */
    for (server_conn *c = s->conns; c != NULL; c = c->next) {
        server_conn_cancel_all(c, GCORE_STATUS_UNAVAILABLE, "server shutting down");
        server_io_flush(c);
    }
    run_dirty(s);
    while (s->conns != NULL)
        conn_close(s->conns);
    close_listeners(s);
    return NULL;
}

int server_io_start(gcore_server *s, gb_err *err)
{
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    s->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->epfd < 0 || s->evfd < 0)
        return gb_err_set(err, GCORE_ERR_IO, "epoll/eventfd: %s", strerror(errno));
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->evfd, &ev) != 0)
        return gb_err_set(err, GCORE_ERR_IO, "epoll_ctl: %s", strerror(errno));
    for (size_t i = 0; i < s->n_listen; i++) {
        ev.data.u64 = i + 1;
        if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listen_fds[i], &ev) != 0)
            return gb_err_set(err, GCORE_ERR_IO, "epoll_ctl: %s", strerror(errno));
    }
    if (pthread_create(&s->io_thread, NULL, io_main, s) != 0)
        return gb_err_set(err, GCORE_ERR_IO, "cannot start the I/O thread");
    s->io_started = true;
    return 0;
}

void server_io_join(gcore_server *s)
{
    if (s->io_started) {
        atomic_store(&s->io_stop, true);
        server_io_wake(s);
        pthread_join(s->io_thread, NULL);
        s->io_started = false;
    }
}
