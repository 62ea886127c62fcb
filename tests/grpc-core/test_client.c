/* grpc-core's client against a real grpcio server (echo_server.py). */
#include <criterion/criterion.h>

#include "pyserver.h"

#include <grpc-core/blocking.h>
#include <grpc-core/call.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pyserver srv;
static gcore_blocking_client *cl;
static gcore_channel *ch;

static void connect_client(const gcore_channel_opts *o)
{
    char target[64];
    gb_err err = {0};
    cr_assert_eq(
        gcore_blocking_client_new(pyserver_target(&srv, target, sizeof(target)), o, &cl, &err), 0,
        "%s", err.msg);
    ch = gcore_blocking_client_channel(cl);
}

static void setup_with(const char *const *args)
{
    cr_assert_eq(pyserver_start(&srv, args), 0, "python grpc server did not start");
    gcore_channel_opts o = {.max_recv_message_size = 32u << 20, .backoff_base_ms = 100};
    connect_client(&o);
}

static void setup(void)
{
    setup_with(NULL);
}

/* Criterion runs the suite's set-up before a test's own and both tear-downs: the
 * tests' own set-ups start by undoing the suite's, and tearing down twice is harmless. */
static void teardown(void)
{
    gcore_blocking_client_free(cl);
    cl = NULL;
    pyserver_stop(&srv);
}

static bool contains(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++) {
        if (memcmp(p + i, s, k) == 0)
            return true;
    }
    return false;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

TestSuite(client, .init = setup, .fini = teardown, .timeout = 60);

Test(client, makes_a_unary_call_with_metadata_round_trip)
{
    gcore_metadata md;
    gcore_metadata_init(&md);
    static const uint8_t raw[] = {0, 1, 2, 0xfe, 0xff};
    cr_assert_eq(gcore_metadata_add(&md, "x-user", GB_SLICE_LIT("ada"), NULL), 0);
    cr_assert_eq(gcore_metadata_add(&md, "x-trace-bin", gb_slice_of(raw, sizeof(raw)), NULL), 0);
    gcore_call_opts o = {.timeout_ms = 10000, .metadata = &md};
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Unary", GB_SLICE_LIT("hello"), &o, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_eq(r.msgs[0].n, 5);
    cr_assert_eq(memcmp(r.msgs[0].p, "hello", 5), 0);
    const gcore_md_entry *e = gcore_metadata_get(&r.headers, "x-user");
    cr_assert_not_null(e);
    cr_assert_str_eq((const char *)e->value, "ada");
    e = gcore_metadata_get(&r.headers, "x-trace-bin");
    cr_assert_not_null(e);
    cr_assert_eq(e->value_len, sizeof(raw));
    cr_assert_eq(memcmp(e->value, raw, sizeof(raw)), 0);
    e = gcore_metadata_get(&r.trailers, "x-trailer");
    cr_assert_not_null(e);
    cr_assert_str_eq((const char *)e->value, "done");
    cr_assert_not_null(gcore_metadata_get(&r.trailers, "x-trace-bin"));
    gcore_reply_free(&r);
    gcore_metadata_free(&md);
}

Test(client, sends_empty_messages)
{
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Unary", GB_SLICE_LIT(""), NULL, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_eq(r.msgs[0].n, 0);
    gcore_reply_free(&r);
}

Test(client, receives_every_message_of_a_server_stream)
{
    uint8_t req[8];
    be32(req, 300);
    be32(req + 4, 0);
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/ServerStream", gb_slice_of(req, 8), NULL, &r),
                 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(r.n_msgs, 300);
    for (uint32_t i = 0; i < 300; i++) {
        uint8_t want[4];
        be32(want, i);
        cr_assert_eq(r.msgs[i].n, 4);
        cr_assert_eq(memcmp(r.msgs[i].p, want, 4), 0, "message %u", i);
    }
    gcore_reply_free(&r);
}

Test(client, sends_a_client_stream)
{
    gb_slice reqs[] = {GB_SLICE_LIT("a"), GB_SLICE_LIT("bb"), GB_SLICE_LIT(""),
                       GB_SLICE_LIT("dddd")};
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(gcore_blocking_call(ch, "/test.Echo/ClientStream", reqs, 4, NULL, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_eq(r.msgs[0].n, 3);
    cr_assert_eq(memcmp(r.msgs[0].p, "4:7", 3), 0);
    gcore_reply_free(&r);
}

Test(client, echoes_thousands_of_small_messages_on_one_bidi_stream)
{
    enum { N = 5000 };
    gb_slice *reqs = calloc(N, sizeof(*reqs));
    uint8_t *bytes = calloc(N, 4);
    for (uint32_t i = 0; i < N; i++) {
        be32(bytes + 4 * i, i);
        reqs[i] = gb_slice_of(bytes + 4 * i, 4);
    }
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 30000};
    cr_assert_eq(gcore_blocking_call(ch, "/test.Echo/Bidi", reqs, N, &o, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(r.n_msgs, N);
    for (uint32_t i = 0; i < N; i++)
        cr_assert_eq(memcmp(r.msgs[i].p, bytes + 4 * i, 4), 0, "message %u", i);
    gcore_reply_free(&r);
    free(reqs);
    free(bytes);
}

Test(client, moves_16_mib_messages_both_ways)
{
    size_t n = 16u << 20;
    uint8_t *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 30000};
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Unary", gb_slice_of(big, n), &o, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(r.n_msgs, 1);
    cr_assert_eq(r.msgs[0].n, n);
    cr_assert_eq(memcmp(r.msgs[0].p, big, n), 0);
    gcore_reply_free(&r);
    free(big);
}

typedef struct collected {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    gb_buf msgs[2];
    size_t n_msgs;
    bool done;
    gcore_code code;
} collected;

static void collect_msg(gcore_call *c, gb_slice msg, void *ud)
{
    (void)c;
    collected *k = ud;
    if (k->n_msgs < 2)
        gb_buf_append(&k->msgs[k->n_msgs], msg.p, msg.n);
    k->n_msgs++;
}

static void collect_done(gcore_call *c, const gcore_status *st, const gcore_metadata *md, void *ud)
{
    (void)c;
    (void)md;
    collected *k = ud;
    pthread_mutex_lock(&k->mu);
    k->done = true;
    k->code = st->code;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

/* |n| patterned bytes in a buffer of their own, as an encoder leaves them. */
static gb_buf patterned(size_t n, unsigned seed)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    gb_buf_reserve(&b, n);
    for (size_t i = 0; i < n; i++)
        b.p[i] = (uint8_t)(i * 11 + seed);
    b.n = n;
    return b;
}

/* The first buffer becomes the call's send buffer, the second is queued behind it. */
Test(client, sends_messages_from_buffers_it_takes)
{
    static const gcore_call_handlers h = {NULL, collect_msg, collect_done};
    collected k = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    gb_buf_init(&k.msgs[0], 0);
    gb_buf_init(&k.msgs[1], 0);
    gb_buf a = patterned(3u << 20, 1), b = patterned(1000, 2);
    gb_buf want_a = patterned(3u << 20, 1), want_b = patterned(1000, 2);
    gcore_call_opts o = {.timeout_ms = 30000};
    gcore_call *c;
    cr_assert_eq(gcore_call_start(ch, "/test.Echo/Bidi", &o, &h, &k, &c), 0);
    cr_assert_eq(gcore_call_send_buf(c, &a, false), 0);
    cr_assert(a.p == NULL && a.n == 0, "the call took the buffer");
    cr_assert_eq(gcore_call_send_buf(c, &b, true), 0);
    cr_assert_eq(gcore_call_send_buf(c, &b, true), GCORE_ERR_STATE);
    pthread_mutex_lock(&k.mu);
    while (!k.done)
        pthread_cond_wait(&k.cv, &k.mu);
    pthread_mutex_unlock(&k.mu);
    cr_assert_eq(k.code, GCORE_STATUS_OK);
    cr_assert_eq(k.n_msgs, 2);
    cr_assert(k.msgs[0].n == want_a.n && memcmp(k.msgs[0].p, want_a.p, want_a.n) == 0);
    cr_assert(k.msgs[1].n == want_b.n && memcmp(k.msgs[1].p, want_b.p, want_b.n) == 0);
    gcore_call_release(c);
    gb_buf_free(&k.msgs[0]);
    gb_buf_free(&k.msgs[1]);
    gb_buf_free(&want_a);
    gb_buf_free(&want_b);
}

Test(client, refuses_a_reply_over_the_receive_limit_as_resource_exhausted)
{
    uint8_t req[8];
    be32(req, 1);
    be32(req + 4, 2000);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.max_recv_message_size = 1000};
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/ServerStream", gb_slice_of(req, 8), &o, &r),
                 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_RESOURCE_EXHAUSTED, "%s", r.status.message);
    cr_assert_eq(r.n_msgs, 0);
    gcore_reply_free(&r);
}

Test(client, refuses_to_send_a_message_over_the_send_limit)
{
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.max_send_message_size = 4};
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Unary", GB_SLICE_LIT("12345"), &o, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_RESOURCE_EXHAUSTED, "%s", r.status.message);
    gcore_reply_free(&r);
}

Test(client, reports_an_error_with_message_and_details)
{
    gcore_reply r;
    gcore_reply_init(&r);
    const char *req = "5:no such book \xc3\xa9 100%";
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Fail", gb_slice_str(req), NULL, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_NOT_FOUND);
    cr_assert_str_eq(r.status.message, "no such book \xc3\xa9 100%");
    cr_assert_not_null(r.status.details);
    /* google.rpc.Status{code=5, message, details=[Any{StringValue}]} */
    cr_assert_eq(r.status.details[0], 0x08);
    cr_assert_eq(r.status.details[1], 5);
    const char *type = "type.googleapis.com/google.protobuf.StringValue";
    cr_assert(contains(r.status.details, r.status.details_len, type));
    const char *detail = "detail for no such book";
    cr_assert(contains(r.status.details, r.status.details_len, detail));
    cr_assert_eq(r.n_msgs, 0);
    cr_assert_not_null(gcore_metadata_get(&r.trailers, "x-trailer"));
    cr_assert_null(gcore_metadata_get(&r.trailers, "grpc-status-details-bin"));
    gcore_reply_free(&r);
}

Test(client, reports_an_unknown_method_as_unimplemented)
{
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Nope", GB_SLICE_LIT("x"), NULL, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_UNIMPLEMENTED, "%s", r.status.message);
    gcore_reply_free(&r);
}

Test(client, ends_a_slow_call_at_its_deadline)
{
    uint8_t req[4];
    be32(req, 5000);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 200};
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Slow", gb_slice_of(req, 4), &o, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_DEADLINE_EXCEEDED, "%s", r.status.message);
    /* The channel still works after the RST_STREAM. */
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Unary", GB_SLICE_LIT("ok"), NULL, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    gcore_reply_free(&r);
}

Test(client, sends_the_deadline_as_grpc_timeout)
{
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 30000};
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Timeout", GB_SLICE_LIT(""), &o, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    char text[32] = {0};
    memcpy(text, r.msgs[0].p, r.msgs[0].n < 31 ? r.msgs[0].n : 31);
    long left = strtol(text, NULL, 10);
    cr_assert(left > 0 && left <= 30000, "server saw %s ms", text);
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Timeout", GB_SLICE_LIT(""), NULL, &r), 0);
    cr_assert_eq(r.msgs[0].n, 2);
    cr_assert_eq(memcmp(r.msgs[0].p, "-1", 2), 0, "no deadline sent without a timeout");
    gcore_reply_free(&r);
}

/* ---- many calls at once, through the callback API ---- */

typedef struct tally {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, ok;
    atomic_int msgs;
    int codes[17];
} tally;

static void tally_init(tally *t)
{
    memset(t, 0, sizeof(*t));
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
}

static void tally_msg(gcore_call *c, gb_slice msg, void *ud)
{
    (void)c;
    (void)msg;
    tally *t = ud;
    atomic_fetch_add(&t->msgs, 1);
}

static void tally_done(gcore_call *c, const gcore_status *st, const gcore_metadata *md, void *ud)
{
    (void)c;
    (void)md;
    tally *t = ud;
    pthread_mutex_lock(&t->mu);
    t->done++;
    t->ok += st->code == GCORE_STATUS_OK;
    t->codes[st->code]++;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static void tally_wait(tally *t, int n)
{
    pthread_mutex_lock(&t->mu);
    while (t->done < n)
        pthread_cond_wait(&t->cv, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

static const gcore_call_handlers tally_handlers = {NULL, tally_msg, tally_done};

Test(client, runs_1000_concurrent_calls_on_one_connection)
{
    enum { N = 1000 };
    tally t;
    tally_init(&t);
    gcore_call_opts o = {.timeout_ms = 50000};
    for (int i = 0; i < N; i++) {
        gcore_call *c;
        cr_assert_eq(gcore_call_start(ch, "/test.Echo/Unary", &o, &tally_handlers, &t, &c), 0);
        cr_assert_eq(gcore_call_send(c, GB_SLICE_LIT("ping"), true), 0);
        gcore_call_release(c);
    }
    tally_wait(&t, N);
    cr_assert_eq(t.ok, N, "%d of %d OK", t.ok, N);
    cr_assert_eq(t.msgs, N);
}

static void cancel_on_first(gcore_call *c, gb_slice msg, void *ud)
{
    tally_msg(c, msg, ud);
    gcore_call_cancel(c);
}

Test(client, cancels_a_call_from_its_callback)
{
    static const gcore_call_handlers h = {NULL, cancel_on_first, tally_done};
    tally t;
    tally_init(&t);
    gcore_call *c;
    cr_assert_eq(gcore_call_start(ch, "/test.Echo/StreamThenHang", NULL, &h, &t, &c), 0);
    cr_assert_eq(gcore_call_send(c, GB_SLICE_LIT(""), true), 0);
    tally_wait(&t, 1);
    cr_assert_eq(t.codes[GCORE_STATUS_CANCELLED], 1);
    cr_assert_eq(t.msgs, 1);
    cr_assert_eq(gcore_call_send(c, GB_SLICE_LIT(""), false), GCORE_ERR_STATE);
    gcore_call_release(c);
}

Test(client, cancels_a_call_from_another_thread)
{
    tally t;
    tally_init(&t);
    uint8_t req[4];
    be32(req, 10000);
    gcore_call *c;
    cr_assert_eq(gcore_call_start(ch, "/test.Echo/Slow", NULL, &tally_handlers, &t, &c), 0);
    cr_assert_eq(gcore_call_send(c, gb_slice_of(req, 4), true), 0);
    gcore_call_cancel(c);
    gcore_call_cancel(c); /* twice: still one on_done */
    tally_wait(&t, 1);
    cr_assert_eq(t.done, 1);
    cr_assert_eq(t.codes[GCORE_STATUS_CANCELLED], 1);
    gcore_call_release(c);
}

/* Pauses after every message; a helper thread resumes: everything still arrives in order. */
typedef struct paced {
    tally t;
    gcore_call *call;
    atomic_int paused_count;
    uint32_t next;
    bool in_order;
} paced;

static void paced_msg(gcore_call *c, gb_slice msg, void *ud)
{
    paced *p = ud;
    uint8_t want[4];
    be32(want, p->next++);
    p->in_order &= msg.n == 4 && memcmp(msg.p, want, 4) == 0;
    gcore_call_pause(c);
    atomic_fetch_add(&p->paused_count, 1);
}

static void paced_done(gcore_call *c, const gcore_status *st, const gcore_metadata *md, void *ud)
{
    paced *p = ud;
    tally_done(c, st, md, &p->t);
}

Test(client, delivers_in_order_across_pause_and_resume)
{
    static const gcore_call_handlers h = {NULL, paced_msg, paced_done};
    paced p = {.in_order = true};
    tally_init(&p.t);
    uint8_t req[8];
    be32(req, 200);
    be32(req + 4, 0);
    cr_assert_eq(gcore_call_start(ch, "/test.Echo/ServerStream", NULL, &h, &p, &p.call), 0);
    cr_assert_eq(gcore_call_send(p.call, gb_slice_of(req, 8), true), 0);
    for (;;) {
        pthread_mutex_lock(&p.t.mu);
        int done = p.t.done;
        pthread_mutex_unlock(&p.t.mu);
        if (done)
            break;
        if (atomic_load(&p.paused_count) > 0) {
            atomic_fetch_sub(&p.paused_count, 1);
            gcore_call_resume(p.call);
        } else {
            usleep(200);
        }
    }
    cr_assert_eq(p.t.ok, 1);
    cr_assert_eq(p.next, 200);
    cr_assert(p.in_order);
    gcore_call_release(p.call);
}

/* ---- failures ---- */

Test(client, fails_a_call_under_way_with_unavailable_when_the_server_dies)
{
    tally t;
    tally_init(&t);
    gcore_call *c;
    cr_assert_eq(gcore_call_start(ch, "/test.Echo/StreamThenHang", NULL, &tally_handlers, &t, &c),
                 0);
    cr_assert_eq(gcore_call_send(c, GB_SLICE_LIT(""), true), 0);
    while (atomic_load(&t.msgs) == 0) /* the first message proves the call is under way */
        usleep(1000);
    pyserver_kill(&srv);
    tally_wait(&t, 1);
    cr_assert_eq(t.codes[GCORE_STATUS_UNAVAILABLE], 1);
    gcore_call_release(c);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

Test(client, fails_fast_with_unavailable_when_the_connection_is_refused)
{
    char target[32];
    snprintf(target, sizeof(target), "127.0.0.1:%d", free_port());
    gb_err err = {0};
    gcore_blocking_client *c;
    cr_assert_eq(gcore_blocking_client_new(target, NULL, &c, &err), 0, "%s", err.msg);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 20000};
    cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(c), "/test.Echo/Unary",
                                      GB_SLICE_LIT("x"), &o, &r),
                 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_UNAVAILABLE, "%s", r.status.message);
    cr_assert(strstr(r.status.message, "refused") != NULL, "%s", r.status.message);
    cr_assert(strstr(r.status.message, target) != NULL, "names the target: %s", r.status.message);
    /* While backing off, calls fail at once too. */
    cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(c), "/test.Echo/Unary",
                                      GB_SLICE_LIT("x"), &o, &r),
                 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_UNAVAILABLE, "%s", r.status.message);
    gcore_reply_free(&r);
    gcore_blocking_client_free(c);
}

Test(client, waits_for_ready_until_the_deadline)
{
    char target[32];
    snprintf(target, sizeof(target), "127.0.0.1:%d", free_port());
    gb_err err = {0};
    gcore_blocking_client *c;
    gcore_channel_opts co = {.backoff_base_ms = 20};
    cr_assert_eq(gcore_blocking_client_new(target, &co, &c, &err), 0, "%s", err.msg);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 300, .wait_for_ready = true};
    cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(c), "/test.Echo/Unary",
                                      GB_SLICE_LIT("x"), &o, &r),
                 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_DEADLINE_EXCEEDED, "%s", r.status.message);
    gcore_reply_free(&r);
    gcore_blocking_client_free(c);
}

Test(client, reconnects_when_the_server_comes_back)
{
    gcore_reply r;
    gcore_reply_init(&r);
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Unary", GB_SLICE_LIT("1"), NULL, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    char port[16];
    snprintf(port, sizeof(port), "%d", srv.port);
    pyserver_kill(&srv);
    cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Unary", GB_SLICE_LIT("2"), NULL, &r), 0);
    cr_assert_eq(r.status.code, GCORE_STATUS_UNAVAILABLE, "%s", r.status.message);
    const char *args[] = {"--port", port, NULL};
    cr_assert_eq(pyserver_start(&srv, args), 0);
    /* Backoff is 100 ms here: a few tries at most (bounded by count, not time). */
    for (int i = 0; i < 200; i++) {
        gcore_call_opts o = {.wait_for_ready = true, .timeout_ms = 10000};
        cr_assert_eq(gcore_blocking_unary(ch, "/test.Echo/Unary", GB_SLICE_LIT("3"), &o, &r), 0);
        if (r.status.code == GCORE_STATUS_OK)
            break;
        usleep(20000);
    }
    cr_assert_eq(r.status.code, GCORE_STATUS_OK, "%s", r.status.message);
    cr_assert_eq(memcmp(r.msgs[0].p, "3", 1), 0);
    gcore_reply_free(&r);
}

static void setup_few_streams(void)
{
    teardown();
    static const char *const args[] = {"--max-streams", "4", NULL};
    setup_with(args);
}

Test(client, queues_calls_beyond_the_peers_stream_limit, .init = setup_few_streams)
{
    enum { N = 40 };
    tally t;
    tally_init(&t);
    uint8_t req[4];
    be32(req, 20);
    for (int i = 0; i < N; i++) {
        gcore_call *c;
        cr_assert_eq(gcore_call_start(ch, "/test.Echo/Slow", NULL, &tally_handlers, &t, &c), 0);
        cr_assert_eq(gcore_call_send(c, gb_slice_of(req, 4), true), 0);
        gcore_call_release(c);
    }
    tally_wait(&t, N);
    cr_assert_eq(t.ok, N, "%d of %d OK", t.ok, N);
}
