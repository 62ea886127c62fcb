/*
 * Peers that break the rules on purpose, against a real gcore_server on a loopback
 * socket (and the client against a server that never answers). Each gets the right
 * error or a closed connection, and the server goes on serving other clients.
 * Covered elsewhere (test_server_h2.c): garbage instead of the preface, a length
 * prefix over the limit, HEADERS without :path, two requests to a unary method.
 */
#include <criterion/criterion.h>

#include "h2peer.h"

#include <grpc-core/blocking.h>
#include <grpc-core/server.h>
#include <grpc-core/wire.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static gcore_server *srv;
static int port;
static atomic_size_t big_written;

static void echo(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gb_buf in;
    gb_buf_init(&in, 0);
    if (gcore_server_call_read(call, &in) == 1 &&
        gcore_server_call_write(call, gb_slice_of(in.p, in.n)) == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    gb_buf_free(&in);
}

/* Streams 64 messages of 1 MiB, far more than a client that never reads can take. */
static void big(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gb_buf in;
    gb_buf_init(&in, 0);
    uint8_t *chunk = calloc(1, 1 << 20);
    if (chunk != NULL && gcore_server_call_read(call, &in) == 1) {
        for (int i = 0; i < 64; i++) {
            if (gcore_server_call_write(call, gb_slice_of(chunk, 1 << 20)) != 0)
                break;
            atomic_fetch_add(&big_written, (size_t)1 << 20);
        }
    }
    free(chunk);
    gb_buf_free(&in);
}

static void up(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gb_buf in;
    gb_buf_init(&in, 0);
    int rv;
    while ((rv = gcore_server_call_read(call, &in)) == 1)
        ;
    if (rv == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    gb_buf_free(&in);
}

static void start(void)
{
    gcore_server_opts *o = gcore_server_opts_new();
    gcore_server_opts_set_workers(o, 2);
    gb_err err = {0};
    cr_assert_eq(gcore_server_new(o, &srv, &err), 0, "%s", err.msg);
    gcore_server_opts_free(o);
    cr_assert_eq(gcore_server_register(srv, "/t.T/Echo", GCORE_METHOD_UNARY, echo, NULL), 0);
    cr_assert_eq(gcore_server_register(srv, "/t.T/Big", GCORE_METHOD_SERVER_STREAMING, big, NULL),
                 0);
    cr_assert_eq(gcore_server_register(srv, "/t.T/Up", GCORE_METHOD_CLIENT_STREAMING, up, NULL), 0);
    cr_assert_eq(gcore_server_listen(srv, "127.0.0.1:0", &port, &err), 0, "%s", err.msg);
    cr_assert_eq(gcore_server_start(srv, &err), 0, "%s", err.msg);
}

static void stop(void)
{
    gcore_server_free(srv);
    srv = NULL;
}

TestSuite(bad_peer, .timeout = 60);

/* A well-behaved client still gets its answers. */
static void expect_served(void)
{
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    gcore_blocking_client *cl;
    gb_err err = {0};
    cr_assert_eq(gcore_blocking_client_new(target, NULL, &cl, &err), 0, "%s", err.msg);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 20000};
    cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(cl), "/t.T/Echo",
                                      GB_SLICE_LIT("still here"), &o, &r),
                 0);
    cr_expect_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    cr_expect_eq(r.n_msgs, 1);
    gcore_reply_free(&r);
    gcore_blocking_client_free(cl);
}

/* A plain TCP connection with a small receive buffer: the server's answers pile up. */
static int raw_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* Sends all of |p|; false when the server closed the connection first. */
static bool send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads to the end (half-closing first when |half_close|: the server then ends the
 * connection at once); returns the bytes received. */
static size_t drain(int fd, bool half_close, gb_buf *keep)
{
    if (half_close)
        shutdown(fd, SHUT_WR);
    uint8_t buf[65536];
    size_t total = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0 && keep != NULL)
            gb_buf_append(keep, buf, (size_t)n);
        total += n > 0 ? (size_t)n : 0;
    }
    return total;
}

static const uint8_t PREFACE[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* The preface, an empty SETTINGS, then |count| copies of the 9-byte header |hd| and
 * |payload_n| zero bytes of payload. Returns whether the server took all of it and how
 * many bytes it answered. */
static bool flood(const uint8_t hd[9], size_t payload_n, size_t count, size_t *answered)
{
    int fd = raw_connect();
    size_t frame = 9 + payload_n, batch = 4096;
    uint8_t *b = calloc(batch, frame);
    cr_assert_not_null(b);
    for (size_t i = 0; i < batch; i++)
        memcpy(b + i * frame, hd, 9);
    static const uint8_t settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
    bool all = send_all(fd, PREFACE, sizeof PREFACE - 1) && send_all(fd, settings, 9);
    for (size_t sent = 0; all && sent < count; sent += batch)
        all = send_all(fd, b, batch * frame);
    free(b);
    *answered = drain(fd, true, NULL);
    close(fd);
    return all;
}

Test(bad_peer, a_ping_flood_that_never_reads_the_acks_loses_its_connection, .init = start,
     .fini = stop)
{
    static const uint8_t ping[9] = {0, 0, 8, 6, 0, 0, 0, 0, 0};
    size_t count = 500 * 1000, answered;
    bool all = flood(ping, 8, count, &answered);
    cr_expect(!all || answered < count * 17, "the server acked all %zu PINGs", count);
    expect_served();
}

Test(bad_peer, a_settings_flood_that_never_reads_the_acks_loses_its_connection, .init = start,
     .fini = stop)
{
    static const uint8_t settings[9] = {0, 0, 0, 4, 0, 0, 0, 0, 0};
    size_t count = 500 * 1000, answered;
    bool all = flood(settings, 0, count, &answered);
    cr_expect(!all || answered < count * 9, "the server acked all %zu SETTINGS", count);
    expect_served();
}

static nghttp2_nv nv(const char *name, const char *value)
{
    return (nghttp2_nv){(uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value, strlen(name),
                        strlen(value), NGHTTP2_NV_FLAG_NONE};
}

static int grpc_status = -1; /* from the trailers the client session decoded */

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
    (void)s;
    (void)f;
    (void)flags;
    (void)ud;
    if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0 && valuelen == 1)
        grpc_status = value[0] - '0';
    return 0;
}

/* The client preface, SETTINGS and HEADERS opening stream 1 on |path| (no END_STREAM),
 * as nghttp2 encodes them. |*keep| (may be NULL) gets the session to decode the answer. */
static void open_stream(gb_buf *out, const char *path, nghttp2_session **keep)
{
    nghttp2_session_callbacks *cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session *s;
    cr_assert_eq(nghttp2_session_client_new(&s, cb, NULL), 0);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, NULL, 0);
    nghttp2_nv h[] = {nv(":method", "POST"),
                      nv(":scheme", "http"),
                      nv(":authority", "t"),
                      nv(":path", path),
                      nv("content-type", "application/grpc"),
                      nv("te", "trailers")};
    cr_assert_gt(nghttp2_submit_headers(s, NGHTTP2_FLAG_NONE, -1, NULL, h, 6, NULL), 0);
    const uint8_t *d;
    ssize_t n;
    while ((n = nghttp2_session_mem_send(s, &d)) > 0)
        gb_buf_append(out, d, (size_t)n);
    if (keep != NULL)
        *keep = s;
    else
        nghttp2_session_del(s);
}

/* Whether |in| (server to client bytes) holds a GOAWAY with |code|. */
static bool saw_goaway(const gb_buf *in, uint32_t code)
{
    bool found = false;
    for (size_t off = 0; off + 9 <= in->n && !found;) {
        const uint8_t *f = in->p + off;
        size_t len = (size_t)f[0] << 16 | (size_t)f[1] << 8 | f[2];
        if (f[3] == 7 && len >= 8 && off + 9 + len <= in->n)
            found = ((uint32_t)f[13] << 24 | (uint32_t)f[14] << 16 | (uint32_t)f[15] << 8 |
                     f[16]) == code;
        off += 9 + len;
    }
    return found;
}

Test(bad_peer, a_flood_of_empty_data_frames_gets_goaway_enhance_your_calm, .init = start,
     .fini = stop)
{
    gb_buf out, in;
    gb_buf_init(&out, 0);
    gb_buf_init(&in, 0);
    open_stream(&out, "/t.T/Up", NULL);
    static const uint8_t empty_data[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    for (int i = 0; i < 1000; i++)
        gb_buf_append(&out, empty_data, 9);
    int fd = raw_connect();
    cr_assert(send_all(fd, out.p, out.n));
    drain(fd, false, &in); /* the server closes after its GOAWAY */
    close(fd);
    cr_expect(saw_goaway(&in, NGHTTP2_ENHANCE_YOUR_CALM),
              "no GOAWAY ENHANCE_YOUR_CALM in %zu bytes", in.n);
    gb_buf_free(&out);
    gb_buf_free(&in);
    expect_served();
}

Test(bad_peer, a_few_empty_data_frames_are_tolerated, .init = start, .fini = stop)
{
    gb_buf out, in;
    gb_buf_init(&out, 0);
    gb_buf_init(&in, 0);
    nghttp2_session *s;
    open_stream(&out, "/t.T/Up", &s);
    static const uint8_t empty_data[9] = {0, 0, 0, 0, 0, 0, 0, 0, 1};
    for (int i = 0; i < 10; i++)
        gb_buf_append(&out, empty_data, 9);
    static const uint8_t end[9] = {0, 0, 0, 0, 1, 0, 0, 0, 1}; /* empty, END_STREAM */
    gb_buf_append(&out, end, 9);
    int fd = raw_connect();
    cr_assert(send_all(fd, out.p, out.n));
    /* Reads (no half-close: that would end the connection) until the status. */
    uint8_t buf[4096];
    ssize_t n;
    while (grpc_status < 0 && (n = recv(fd, buf, sizeof buf, 0)) > 0) {
        gb_buf_append(&in, buf, (size_t)n);
        nghttp2_session_mem_recv(s, buf, (size_t)n);
    }
    close(fd);
    cr_expect(!saw_goaway(&in, NGHTTP2_ENHANCE_YOUR_CALM));
    cr_expect_eq(grpc_status, 0, "grpc-status %d", grpc_status);
    nghttp2_session_del(s);
    gb_buf_free(&out);
    gb_buf_free(&in);
}

Test(bad_peer, a_client_that_opens_streams_and_never_reads_holds_bounded_memory, .init = start,
     .fini = stop)
{
    /* A stream to /t.T/Big with its request, on a client that never reads. */
    nghttp2_session *s;
    gb_buf out;
    gb_buf_init(&out, 0);
    open_stream(&out, "/t.T/Big", &s);
    static const uint8_t msg_end[] = {0, 0, 5, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0};
    gb_buf_append(&out, msg_end, sizeof msg_end);
    int fd = raw_connect();
    cr_assert(send_all(fd, out.p, out.n));
    nghttp2_session_del(s);
    gb_buf_free(&out);
    /* The handler can only get about the flow-control window and the send buffer out:
     * its writes wait. Meanwhile other clients are served. */
    for (int i = 0; i < 20; i++)
        expect_served();
    size_t written = atomic_load(&big_written);
    cr_expect_lt(written, (size_t)16 << 20,
                 "the handler wrote %zu bytes to a client that reads "
                 "nothing",
                 written);
    close(fd);
}

/* ---- the client against a server that never answers ---- */

static void silent(const h2peer_req *r, void *user_data)
{
    (void)r;
    (void)user_data;
}

Test(bad_peer, a_server_that_never_answers_gets_deadline_exceeded_and_rst_stream)
{
    h2peer *p;
    cr_assert_eq(h2peer_start(&p, silent, NULL), 0);
    char target[32];
    gcore_blocking_client *cl;
    gb_err err = {0};
    cr_assert_eq(
        gcore_blocking_client_new(h2peer_target(p, target, sizeof target), NULL, &cl, &err), 0,
        "%s", err.msg);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 200};
    cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(cl), "/t.S/Silent",
                                      GB_SLICE_LIT("x"), &o, &r),
                 0);
    cr_expect_eq(r.status.code, GCORE_STATUS_DEADLINE_EXCEEDED, "%s", r.status.message);
    gcore_reply_free(&r);
    /* The RST_STREAM(CANCEL) is on its way; the bound only stops a hung test. */
    for (int i = 0; i < 2000 && h2peer_cancels(p) == 0; i++) {
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
    }
    cr_expect_eq(h2peer_cancels(p), 1, "RST_STREAM(CANCEL) frames: %d", h2peer_cancels(p));
    gcore_blocking_client_free(cl);
    h2peer_stop(p);
}

/* ---- host names resolve off the loop thread ---- */

Test(bad_peer, a_channel_resolves_a_host_name_and_can_be_freed_mid_lookup, .init = start,
     .fini = stop)
{
    char target[32];
    snprintf(target, sizeof target, "localhost:%d", port);
    gcore_call_handlers none = {0};
    for (int i = 0; i < 20; i++) {
        gcore_blocking_client *cl;
        gb_err err = {0};
        cr_assert_eq(gcore_blocking_client_new(target, NULL, &cl, &err), 0, "%s", err.msg);
        if (i % 2 == 0) { /* freed while the lookup may still run on its thread */
            cr_assert_eq(gcore_call_start(gcore_blocking_client_channel(cl), "/t.T/Echo", NULL,
                                          &none, NULL, NULL),
                         0);
        } else {
            gcore_reply r;
            gcore_reply_init(&r);
            gcore_call_opts o = {.timeout_ms = 20000};
            cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(cl), "/t.T/Echo",
                                              GB_SLICE_LIT("by name"), &o, &r),
                         0);
            cr_expect_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
            gcore_reply_free(&r);
        }
        gcore_blocking_client_free(cl);
    }
}
