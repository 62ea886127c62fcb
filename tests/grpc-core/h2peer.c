#include "h2peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 8

typedef struct stream_data {
    struct stream_data *prev, *next; /* the peer's list, freed at stop */
    int32_t id;
    char path[128];
    char timeout[16];
    uint8_t *body;
    size_t body_n;
    /* response */
    uint8_t *out;
    size_t out_n, out_off;
    nghttp2_nv *trl;
    size_t nt;
} stream_data;

typedef struct pconn {
    int fd;
    bool frozen;
    int index;
    nghttp2_session *s;
    h2peer *peer;
} pconn;

struct h2peer {
    int lfd, port;
    int stop_pipe[2];
    pthread_t thread;
    h2peer_handler handler;
    void *user_data;
    pconn conns[MAX_CONNS];
    atomic_int nconns;
    atomic_size_t data_sent;
    atomic_int cancels;   /* RST_STREAM(CANCEL) received */
    atomic_int resets;    /* RST_STREAM of any code received */
    stream_data *streams; /* peer thread only */
};

static nghttp2_nv *make_nv(const char *const *kv, size_t n)
{
    nghttp2_nv *nv = calloc(n ? n : 1, sizeof(*nv));
    for (size_t i = 0; i < n; i++) {
        nv[i].name = (uint8_t *)strdup(kv[2 * i]);
        nv[i].namelen = strlen(kv[2 * i]);
        nv[i].value = (uint8_t *)strdup(kv[2 * i + 1]);
        nv[i].valuelen = strlen(kv[2 * i + 1]);
    }
    return nv;
}

static void free_nv(nghttp2_nv *nv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(nv[i].name);
        free(nv[i].value);
    }
    free(nv);
}

static ssize_t read_resp(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                         nghttp2_data_source *src, void *ud)
{
    pconn *c = ud;
    stream_data *sd = src->ptr;
    size_t n = sd->out_n - sd->out_off;
    n = n < len ? n : len;
    memcpy(buf, sd->out + sd->out_off, n);
    sd->out_off += n;
    atomic_fetch_add(&c->peer->data_sent, n);
    if (sd->out_off == sd->out_n) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        if (sd->nt > 0) {
            *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
            nghttp2_submit_trailer(s, id, sd->trl, sd->nt);
        }
    }
    return (ssize_t)n;
}

void h2peer_respond(nghttp2_session *s, int32_t stream_id, const char *const *hdrs, size_t nh,
                    const uint8_t *data, size_t n, const char *const *trl, size_t nt)
{
    stream_data *sd = nghttp2_session_get_stream_user_data(s, stream_id);
    nghttp2_nv *h = make_nv(hdrs, nh);
    if (data == NULL && nt == 0) {
        nghttp2_submit_response(s, stream_id, h, nh, NULL);
    } else if (data == NULL) {
        nghttp2_submit_headers(s, NGHTTP2_FLAG_NONE, stream_id, NULL, h, nh, NULL);
        nghttp2_nv *t = make_nv(trl, nt);
        nghttp2_submit_trailer(s, stream_id, t, nt);
        free_nv(t, nt);
    } else {
        sd->out = malloc(n ? n : 1);
        memcpy(sd->out, data, n);
        sd->out_n = n;
        sd->trl = make_nv(trl, nt);
        sd->nt = nt;
        nghttp2_data_provider prd = {.source.ptr = sd, .read_callback = read_resp};
        nghttp2_submit_response(s, stream_id, h, nh, &prd);
    }
    free_nv(h, nh);
}

static void stream_free(h2peer *p, stream_data *sd)
{
    if (sd->prev)
        sd->prev->next = sd->next;
    else
        p->streams = sd->next;
    if (sd->next)
        sd->next->prev = sd->prev;
    free(sd->body);
    free(sd->out);
    free_nv(sd->trl, sd->nt);
    free(sd);
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    pconn *c = ud;
    if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST) {
        stream_data *sd = calloc(1, sizeof(*sd));
        sd->id = f->hd.stream_id;
        sd->next = c->peer->streams;
        if (sd->next)
            sd->next->prev = sd;
        c->peer->streams = sd;
        nghttp2_session_set_stream_user_data(s, f->hd.stream_id, sd);
    }
    return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nl,
                     const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
    (void)flags;
    (void)ud;
    stream_data *sd = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
    if (sd == NULL)
        return 0;
    if (nl == 5 && memcmp(name, ":path", 5) == 0)
        snprintf(sd->path, sizeof(sd->path), "%.*s", (int)vl, (const char *)value);
    if (nl == 12 && memcmp(name, "grpc-timeout", 12) == 0)
        snprintf(sd->timeout, sizeof(sd->timeout), "%.*s", (int)vl, (const char *)value);
    return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
                   void *ud)
{
    (void)flags;
    (void)ud;
    stream_data *sd = nghttp2_session_get_stream_user_data(s, id);
    if (sd == NULL)
        return 0;
    sd->body = realloc(sd->body, sd->body_n + len);
    memcpy(sd->body + sd->body_n, data, len);
    sd->body_n += len;
    return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    pconn *c = ud;
    if (f->hd.type == NGHTTP2_RST_STREAM)
        atomic_fetch_add(&c->peer->resets, 1);
    if (f->hd.type == NGHTTP2_RST_STREAM && f->rst_stream.error_code == NGHTTP2_CANCEL)
        atomic_fetch_add(&c->peer->cancels, 1);
    if (!(f->hd.flags & NGHTTP2_FLAG_END_STREAM) ||
        (f->hd.type != NGHTTP2_DATA && f->hd.type != NGHTTP2_HEADERS))
        return 0;
    stream_data *sd = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
    if (sd == NULL)
        return 0;
    h2peer_req req = {c->peer, s, c->index, sd->id, sd->path, sd->body, sd->body_n, sd->timeout};
    c->peer->handler(&req, c->peer->user_data);
    return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t err, void *ud)
{
    (void)err;
    pconn *c = ud;
    stream_data *sd = nghttp2_session_get_stream_user_data(s, id);
    if (sd != NULL)
        stream_free(c->peer, sd);
    return 0;
}

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *ud)
{
    (void)s;
    (void)flags;
    pconn *c = ud;
    size_t off = 0;
    while (off < len) { /* blocking socket: tests send little */
        ssize_t w = send(c->fd, data + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        off += (size_t)w;
    }
    return (ssize_t)len;
}

static void conn_open(h2peer *p, int fd)
{
    int i = atomic_load(&p->nconns);
    if (i == MAX_CONNS) {
        close(fd);
        return;
    }
    pconn *c = &p->conns[i];
    c->fd = fd;
    c->index = i;
    c->peer = p;
    nghttp2_session_callbacks *cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_send_callback(cb, send_cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_server_new(&c->s, cb, c);
    nghttp2_session_callbacks_del(cb);
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
    nghttp2_submit_settings(c->s, NGHTTP2_FLAG_NONE, iv, 1);
    nghttp2_session_send(c->s);
    atomic_store(&p->nconns, i + 1);
}

static void conn_close(pconn *c)
{
    if (c->fd < 0)
        return;
    nghttp2_session_del(c->s);
    c->s = NULL;
    close(c->fd);
    c->fd = -1;
}

static void conn_read(pconn *c)
{
    uint8_t buf[16384];
    ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
    if (r <= 0 || nghttp2_session_mem_recv(c->s, buf, (size_t)r) < 0 ||
        nghttp2_session_send(c->s) != 0)
        conn_close(c);
}

static void *run(void *arg)
{
    h2peer *p = arg;
    for (;;) {
        struct pollfd fds[MAX_CONNS + 2];
        int n = atomic_load(&p->nconns);
        fds[0] = (struct pollfd){.fd = p->stop_pipe[0], .events = POLLIN};
        fds[1] = (struct pollfd){.fd = p->lfd, .events = POLLIN};
        for (int i = 0; i < n; i++) {
            bool live = p->conns[i].fd >= 0 && !p->conns[i].frozen;
            fds[2 + i] = (struct pollfd){.fd = live ? p->conns[i].fd : -1, .events = POLLIN};
        }
        if (poll(fds, (nfds_t)(2 + n), -1) < 0 || (fds[0].revents & POLLIN))
            break;
        if (fds[1].revents & POLLIN) {
            int fd = accept(p->lfd, NULL, NULL);
            if (fd >= 0)
                conn_open(p, fd);
        }
        for (int i = 0; i < n; i++) {
            if (fds[2 + i].revents)
                conn_read(&p->conns[i]);
        }
    }
    return NULL;
}

int h2peer_start(h2peer **out, h2peer_handler handler, void *user_data)
{
    h2peer *p = calloc(1, sizeof(*p));
    p->handler = handler;
    p->user_data = user_data;
    for (int i = 0; i < MAX_CONNS; i++)
        p->conns[i].fd = -1;
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(p->lfd, 16) != 0 || getsockname(p->lfd, (struct sockaddr *)&a, &len) != 0 ||
        pipe(p->stop_pipe) != 0) {
        free(p);
        return -1;
    }
    p->port = ntohs(a.sin_port);
    pthread_create(&p->thread, NULL, run, p);
    *out = p;
    return 0;
}

int h2peer_port(const h2peer *p)
{
    return p->port;
}

const char *h2peer_target(const h2peer *p, char *buf, size_t n)
{
    snprintf(buf, n, "127.0.0.1:%d", p->port);
    return buf;
}

size_t h2peer_data_sent(const h2peer *p)
{
    return atomic_load(&((h2peer *)(uintptr_t)p)->data_sent);
}

int h2peer_cancels(const h2peer *p)
{
    return atomic_load(&((h2peer *)(uintptr_t)p)->cancels);
}

int h2peer_resets(const h2peer *p)
{
    return atomic_load(&((h2peer *)(uintptr_t)p)->resets);
}

int h2peer_connections(const h2peer *p)
{
    return atomic_load(&((h2peer *)(uintptr_t)p)->nconns);
}

void h2peer_freeze(h2peer *p, nghttp2_session *s)
{
    for (int i = 0; i < MAX_CONNS; i++) {
        if (p->conns[i].s == s)
            p->conns[i].frozen = true;
    }
}

void h2peer_stop(h2peer *p)
{
    ssize_t w = write(p->stop_pipe[1], "x", 1);
    (void)w;
    pthread_join(p->thread, NULL);
    for (int i = 0; i < MAX_CONNS; i++)
        conn_close(&p->conns[i]);
    while (p->streams != NULL)
        stream_free(p, p->streams);
    close(p->lfd);
    close(p->stop_pipe[0]);
    close(p->stop_pipe[1]);
    free(p);
}
