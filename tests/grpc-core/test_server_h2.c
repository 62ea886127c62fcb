/*
 * The server's HTTP/2 session without sockets: an nghttp2 client session wired in
 * memory to a server connection, fed broken and unusual requests in every split.
 * Each must end in a clear HTTP/2 or gRPC error, never a crash or a handler call.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "chunks.h"
#include "server_int.h"

#include <stdio.h>
#include <string.h>

typedef struct request {
    char method[8];
    char path[32];
    char content_type[32];
    char extra_name[16];
    char extra_value[16];
    uint8_t body[16];
    size_t body_n;
} request;

typedef struct pair {
    const request *req;
    gcore_server *srv;
    server_conn conn;
    nghttp2_session *client;
    const uint8_t *body;
    size_t body_left;
    /* What the client saw. */
    int http_status;
    int grpc_status;
    char grpc_message[128];
    bool closed;
    uint32_t close_code;
    bool goaway;
    uint32_t goaway_code;
} pair;

static void never_called(gcore_server_call *call, void *user_data)
{
    (void)call;
    (void)user_data;
    cr_assert_fail("a handler ran");
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
    (void)s;
    (void)f;
    (void)flags;
    pair *p = ud;
    char v[128];
    snprintf(v, sizeof v, "%.*s", (int)valuelen, (const char *)value);
    if (namelen == 7 && memcmp(name, ":status", 7) == 0)
        p->http_status = (int)strtol(v, NULL, 10);
    else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0)
        p->grpc_status = (int)strtol(v, NULL, 10);
    else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0)
        memcpy(p->grpc_message, v, sizeof v < sizeof p->grpc_message ? sizeof v : 128);
    return 0;
}

static int on_close(nghttp2_session *s, int32_t id, uint32_t code, void *ud)
{
    (void)s;
    (void)id;
    pair *p = ud;
    p->closed = true;
    p->close_code = code;
    return 0;
}

static int on_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
    (void)s;
    pair *p = ud;
    if (f->hd.type == NGHTTP2_GOAWAY) {
        p->goaway = true;
        p->goaway_code = f->goaway.error_code;
    }
    return 0;
}

static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                         nghttp2_data_source *src, void *ud)
{
    (void)s;
    (void)id;
    (void)src;
    pair *p = ud;
    size_t n = p->body_left < len ? p->body_left : len;
    memcpy(buf, p->body, n);
    p->body += n;
    p->body_left -= n;
    if (p->body_left == 0)
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static nghttp2_nv nv(const char *name, const char *value)
{
    return (nghttp2_nv){(uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value, strlen(name),
                        strlen(value), NGHTTP2_NV_FLAG_NONE};
}

/* A fresh server connection and client; the client's request is queued, not sent. */
static void pair_init(pair *p, const request *req)
{
    memset(p, 0, sizeof *p);
    p->req = req;
    gb_err err = {0};
    cr_assert_eq(gcore_server_new(NULL, &p->srv, &err), 0, "%s", err.msg);
    cr_assert_eq(gcore_server_register(p->srv, "/test.T/M", GCORE_METHOD_UNARY, never_called, NULL),
                 0);
    cr_assert_eq(gcore_server_register(p->srv, "/test.T/Up", GCORE_METHOD_CLIENT_STREAMING,
                                       never_called, NULL),
                 0);
    cr_assert_eq(gcore_loop_new(&p->srv->loop), 0); /* deadline timers need one */
    cr_assert_eq(server_conn_init(&p->conn, p->srv), 0);
    p->conn.fd = -1;
    nghttp2_session_callbacks *cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
    cr_assert_eq(nghttp2_session_client_new(&p->client, cb, p), 0);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(p->client, NGHTTP2_FLAG_NONE, NULL, 0);
    if (req == NULL)
        return;
    nghttp2_nv h[8];
    size_t n = 0;
    h[n++] = nv(":method", req->method);
    h[n++] = nv(":scheme", "http");
    h[n++] = nv(":authority", "test");
    if (req->path[0] != '\0')
        h[n++] = nv(":path", req->path);
    h[n++] = nv("content-type", req->content_type);
    h[n++] = nv("te", "trailers");
    if (req->extra_name[0] != '\0')
        h[n++] = nv(req->extra_name, req->extra_value);
    p->body = req->body;
    p->body_left = req->body_n;
    nghttp2_data_provider dp = {.read_callback = read_body};
    cr_assert_gt(nghttp2_submit_request(p->client, NULL, h, n, req->body_n ? &dp : NULL, NULL), 0);
}

static void pair_free(pair *p)
{
    if (p->client == NULL)
        return;
    server_conn_release(&p->conn);
    nghttp2_session_del(p->client);
    gcore_loop_free(p->srv->loop);
    p->srv->loop = NULL;
    gcore_server_free(p->srv);
    p->client = NULL;
}

/* Everything the client has to send, as one byte string. */
static void client_bytes(pair *p, gb_buf *out)
{
    const uint8_t *d;
    ssize_t n;
    while ((n = nghttp2_session_mem_send(p->client, &d)) > 0)
        gb_buf_append(out, d, (size_t)n);
}

/* Hands what the server wants to send to the client. */
static void server_to_client(pair *p)
{
    cr_assert_eq(server_conn_pull(&p->conn), 0);
    if (p->conn.wbuf.n > 0)
        nghttp2_session_mem_recv(p->client, p->conn.wbuf.p, p->conn.wbuf.n);
    gb_buf_reset(&p->conn.wbuf);
}

typedef struct split_case {
    pair p;
    request req;
    int want_http;
    int want_grpc;     /* -1: no grpc-status expected */
    uint32_t want_rst; /* stream closed with this code when want_http == 0 */
} split_case;

static void split_reset(void *ud)
{
    split_case *c = ud;
    pair_free(&c->p);
    pair_init(&c->p, &c->req);
    gb_buf discard;
    gb_buf_init(&discard, 0);
    client_bytes(&c->p, &discard); /* the same bytes the passes feed */
    gb_buf_free(&discard);
}

static void split_feed(const uint8_t *b, size_t n, void *ud)
{
    split_case *c = ud;
    server_conn_recv(&c->p.conn, b, n);
}

static void split_check(void *ud, const char *pass)
{
    split_case *c = ud;
    char how[160];
    snprintf(how, sizeof how, "%s %s %s body %zu, %s", c->req.method, c->req.path,
             c->req.extra_name, c->req.body_n, pass);
    server_to_client(&c->p);
    cr_assert(c->p.closed, "%s: the stream is still open", how);
    if (c->want_http == 0) {
        cr_assert_eq(c->p.close_code, c->want_rst, "%s: RST_STREAM code %u", how, c->p.close_code);
        return;
    }
    cr_assert_eq(c->p.http_status, c->want_http, "%s: HTTP %d", how, c->p.http_status);
    if (c->want_grpc >= 0)
        cr_assert_eq(c->p.grpc_status, c->want_grpc, "%s: grpc-status %d (%s)", how,
                     c->p.grpc_status, c->p.grpc_message);
}

static void run_splits(split_case *c)
{
    pair_init(&c->p, &c->req);
    gb_buf bytes;
    gb_buf_init(&bytes, 0);
    client_bytes(&c->p, &bytes);
    chunks_each(bytes.p, bytes.n, &(chunks_ops){split_reset, split_feed, split_check}, c);
    gb_buf_free(&bytes);
    pair_free(&c->p);
}

#define PREFIX_2GIB                                                                                \
    {                                                                                              \
        0, 0x80, 0, 0, 0                                                                           \
    }

ParameterizedTestParameters(server_h2, answers_broken_requests_with_errors)
{
    static split_case cases[] = {
        /* content-type not gRPC: HTTP 415 and no gRPC status */
        {.req = {.method = "POST", .path = "/test.T/M", .content_type = "text/plain"},
         .want_http = 415,
         .want_grpc = -1},
        /* not a POST */
        {.req = {.method = "GET", .path = "/test.T/M", .content_type = "application/grpc"},
         .want_http = 405,
         .want_grpc = -1},
        /* unknown method: Trailers-Only UNIMPLEMENTED */
        {.req = {.method = "POST", .path = "/test.T/Nope", .content_type = "application/grpc"},
         .want_http = 200,
         .want_grpc = 12},
        /* a :path that is not a path: nghttp2 resets the stream */
        {.req = {.method = "POST", .path = "no-slash", .content_type = "application/grpc+proto"},
         .want_rst = NGHTTP2_PROTOCOL_ERROR},
        /* a prefix announcing 2 GiB: RESOURCE_EXHAUSTED before any byte of it arrives */
        {.req = {.method = "POST",
                 .path = "/test.T/M",
                 .content_type = "application/grpc",
                 .body = PREFIX_2GIB,
                 .body_n = 5},
         .want_http = 200,
         .want_grpc = 8},
        /* compressed message with an encoding we do not accept */
        {.req = {.method = "POST",
                 .path = "/test.T/M",
                 .content_type = "application/grpc",
                 .extra_name = "grpc-encoding",
                 .extra_value = "gzip",
                 .body = {1, 0, 0, 0, 1, 'x'},
                 .body_n = 6},
         .want_http = 200,
         .want_grpc = 12},
        /* compressed flag without any grpc-encoding */
        {.req = {.method = "POST",
                 .path = "/test.T/M",
                 .content_type = "application/grpc",
                 .body = {1, 0, 0, 0, 1, 'x'},
                 .body_n = 6},
         .want_http = 200,
         .want_grpc = 13},
        /* an invalid flag byte */
        {.req = {.method = "POST",
                 .path = "/test.T/M",
                 .content_type = "application/grpc",
                 .body = {7, 0, 0, 0, 0},
                 .body_n = 5},
         .want_http = 200,
         .want_grpc = 13},
        /* the stream ends inside a message */
        {.req = {.method = "POST",
                 .path = "/test.T/M",
                 .content_type = "application/grpc",
                 .body = {0, 0, 0, 0, 9, 'a'},
                 .body_n = 6},
         .want_http = 200,
         .want_grpc = 13},
        /* malformed grpc-timeout */
        {.req = {.method = "POST",
                 .path = "/test.T/M",
                 .content_type = "application/grpc",
                 .extra_name = "grpc-timeout",
                 .extra_value = "soon"},
         .want_http = 200,
         .want_grpc = 13},
        /* two messages for a unary method */
        {.req = {.method = "POST",
                 .path = "/test.T/M",
                 .content_type = "application/grpc",
                 .body = {0, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 1, 'b'},
                 .body_n = 12},
         .want_http = 200,
         .want_grpc = 13},
        /* no message for a unary method, as grpcio answers it */
        {.req = {.method = "POST", .path = "/test.T/M", .content_type = "application/grpc"},
         .want_http = 200,
         .want_grpc = 12},
        /* HEADERS without :path: nghttp2 resets the stream */
        {.req = {.method = "POST", .path = "", .content_type = "application/grpc"},
         .want_rst = NGHTTP2_PROTOCOL_ERROR},
    };
    return cr_make_param_array(split_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(split_case *c, server_h2, answers_broken_requests_with_errors)
{
    run_splits(c);
}

Test(server_h2, drops_a_connection_that_does_not_start_with_the_preface)
{
    pair p;
    pair_init(&p, NULL);
    static const char garbage[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff\xfe garbage";
    cr_assert_lt(server_conn_recv(&p.conn, (const uint8_t *)garbage, sizeof garbage), 0);
    pair_free(&p);
}

Test(server_h2, sends_goaway_protocol_error_for_data_on_stream_zero)
{
    pair p;
    pair_init(&p, NULL);
    gb_buf b;
    gb_buf_init(&b, 0);
    client_bytes(&p, &b); /* preface + SETTINGS */
    static const uint8_t bad[] = {0, 0, 1, NGHTTP2_DATA, 0, 0, 0, 0, 0, 'x'};
    gb_buf_append(&b, bad, sizeof bad);
    server_conn_recv(&p.conn, b.p, b.n);
    server_to_client(&p);
    cr_assert(p.goaway);
    cr_assert_eq(p.goaway_code, NGHTTP2_PROTOCOL_ERROR);
    gb_buf_free(&b);
    pair_free(&p);
}

Test(server_h2, sends_goaway_for_a_frame_larger_than_its_max_frame_size)
{
    pair p;
    pair_init(&p, NULL);
    gb_buf b;
    gb_buf_init(&b, 0);
    client_bytes(&p, &b);
    static const uint8_t huge[] = {0xff, 0xff, 0xff, NGHTTP2_HEADERS, 4, 0, 0, 0, 1};
    gb_buf_append(&b, huge, sizeof huge);
    server_conn_recv(&p.conn, b.p, b.n);
    server_to_client(&p);
    cr_assert(p.goaway);
    cr_assert_eq(p.goaway_code, NGHTTP2_FRAME_SIZE_ERROR);
    gb_buf_free(&b);
    pair_free(&p);
}

/* Moves bytes both ways until neither side has anything to send. */
static void pump(pair *p)
{
    for (;;) {
        const uint8_t *d;
        ssize_t n;
        size_t moved = 0;
        while ((n = nghttp2_session_mem_send(p->client, &d)) > 0) {
            cr_assert_eq(server_conn_recv(&p->conn, d, (size_t)n), 0);
            moved += (size_t)n;
        }
        cr_assert_eq(server_conn_pull(&p->conn), 0);
        if (p->conn.wbuf.n > 0) {
            moved += p->conn.wbuf.n;
            nghttp2_session_mem_recv(p->client, p->conn.wbuf.p, p->conn.wbuf.n);
            gb_buf_reset(&p->conn.wbuf);
        }
        if (moved == 0)
            return;
    }
}

/* Bytes of request messages the server holds for the handler. */
static size_t queued_bytes(gcore_server_call *call)
{
    size_t n = 0;
    for (const server_msg *m = call->in_head; m != NULL; m = m->next)
        n += m->n + 5;
    return n;
}

Test(server_h2, holds_a_fast_client_at_the_window_until_the_handler_reads)
{
    static request req = {
        .method = "POST", .path = "/test.T/Up", .content_type = "application/grpc"};
    pair p;
    pair_init(&p, &req);
    /* 8 MiB of 1 KiB messages: far more than the 1 MiB stream window. */
    size_t total = 8u << 20;
    uint8_t *body = malloc(total);
    for (size_t off = 0; off < total; off += 1024) {
        gcore_frame_prefix(body + off, 1024 - 5);
        memset(body + off + 5, 'm', 1024 - 5);
    }
    p.body = body;
    p.body_left = total;
    nghttp2_data_provider dp = {.read_callback = read_body};
    nghttp2_nv h[] = {nv(":method", "POST"), nv(":scheme", "http"), nv(":authority", "t"),
                      nv(":path", "/test.T/Up"), nv("content-type", "application/grpc")};
    int32_t sid = nghttp2_submit_request(p.client, NULL, h, 5, &dp, NULL);
    cr_assert_gt(sid, 0);
    pump(&p);
    gcore_server_call *call = nghttp2_session_get_stream_user_data(p.conn.h2, sid);
    cr_assert_not_null(call);
    size_t held = queued_bytes(call);
    cr_assert_leq(held, (size_t)SERVER_STREAM_WINDOW, "the server took %zu bytes", held);
    cr_assert_gt(held, 0);
    cr_assert_eq(nghttp2_session_get_stream_remote_window_size(p.client, sid), 0);
    /* The handler reads what is queued: the window opens and the client goes on. */
    gb_buf msg;
    gb_buf_init(&msg, 0);
    for (size_t n = held / 1024; n > 0; n--)
        cr_assert_eq(gcore_server_call_read(call, &msg), 1);
    server_conn_sync_call(call);
    pump(&p);
    cr_assert_gt(queued_bytes(call), 0, "nothing more arrived after the handler read");
    cr_assert_lt(p.body_left, total - held);
    gb_buf_free(&msg);
    free(body);
    pair_free(&p);
}
