/*
 * gRPC's interop test cases (grpc/doc/interop-test-descriptions.md) as a C client
 * on grpc-core, against any grpc.testing.TestService server:
 *
 *     interop_client --server_port 10000 [--server_host 127.0.0.1] [--test_case all]
 *                    [--use_tls --ca ca.pem [--server_host_override localhost]]
 *
 * Prints "PASS <case>" or "FAIL <case>: why" per case; exits 1 when one failed.
 * Every case runs on one channel, each call through a small blocking wrapper over
 * call.h's callbacks, so streams can interleave sends and receives (ping_pong).
 */
#include <grpc-core/blocking.h>
#include <grpc-core/call.h>

#include "grpc/testing/empty.pb-c.h"
#include "grpc/testing/messages.pb-c.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE "/grpc.testing.TestService/"
#define TIMEOUT_MS 20000
#define ECHO_INITIAL "x-grpc-test-echo-initial"
#define ECHO_TRAILING "x-grpc-test-echo-trailing-bin"
#define INITIAL_VALUE "test_initial_metadata_value"
#define TRAILING_VALUE "\x0a\x0b\x0a\x0b\x0a\x0b"
#define SPECIAL_MESSAGE                                                                            \
    "\t\ntest with whitespace\r\nand Unicode BMP \xe2\x98\xba and non-BMP \xf0\x9f\x98\x88\t\n"

/* ---- a call seen from a thread that waits for it ---- */

typedef struct stream {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    gcore_call *call;
    gb_slice *msgs; /* received, heap copies */
    size_t n_msgs, next, cap;
    gcore_metadata headers, trailers;
    gcore_status status;
    bool done, nomem;
} stream;

static void on_headers(gcore_call *call, const gcore_metadata *md, void *user_data)
{
    (void)call;
    stream *s = user_data;
    pthread_mutex_lock(&s->mu);
    s->nomem |= gcore_metadata_append(&s->headers, md) != 0;
    pthread_mutex_unlock(&s->mu);
}

static void on_message(gcore_call *call, gb_slice msg, void *user_data)
{
    (void)call;
    stream *s = user_data;
    pthread_mutex_lock(&s->mu);
    if (s->n_msgs == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        gb_slice *v = realloc(s->msgs, cap * sizeof *v);
        if (v != NULL) {
            s->msgs = v;
            s->cap = cap;
        }
    }
    uint8_t *copy = s->n_msgs < s->cap ? malloc(msg.n ? msg.n : 1) : NULL;
    if (copy != NULL) {
        if (msg.n > 0) /* an empty message may come with p == NULL */
            memcpy(copy, msg.p, msg.n);
        s->msgs[s->n_msgs++] = gb_slice_of(copy, msg.n);
    }
    s->nomem |= copy == NULL;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void on_done(gcore_call *call, const gcore_status *st, const gcore_metadata *trailers,
                    void *user_data)
{
    (void)call;
    stream *s = user_data;
    pthread_mutex_lock(&s->mu);
    s->nomem |= gcore_status_copy(&s->status, st) != 0;
    s->nomem |= gcore_metadata_append(&s->trailers, trailers) != 0;
    s->done = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static const gcore_call_handlers handlers = {on_headers, on_message, on_done};

static void stream_init(stream *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    gcore_metadata_init(&s->headers);
    gcore_metadata_init(&s->trailers);
    gcore_status_init(&s->status);
}

/* Starts |method| with |md| (may be NULL) and |timeout_ms|. Returns 0 or start's error. */
static int stream_start(stream *s, gcore_channel *ch, const char *method, const gcore_metadata *md,
                        uint64_t timeout_ms)
{
    gcore_call_opts o = {.timeout_ms = timeout_ms, .metadata = md};
    return gcore_call_start(ch, method, &o, &handlers, s, &s->call);
}

/* Waits for the next message: 1 (|*msg| borrowed until stream_free), or 0 at the end. */
static int stream_next(stream *s, gb_slice *msg)
{
    pthread_mutex_lock(&s->mu);
    while (s->next == s->n_msgs && !s->done)
        pthread_cond_wait(&s->cv, &s->mu);
    int rv = s->next < s->n_msgs;
    if (rv)
        *msg = s->msgs[s->next++];
    pthread_mutex_unlock(&s->mu);
    return rv;
}

/* Waits for the end of the call; returns its status code. */
static gcore_code stream_wait(stream *s)
{
    pthread_mutex_lock(&s->mu);
    while (!s->done)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return s->status.code;
}

static void stream_free(stream *s)
{
    if (s->call != NULL) {
        gcore_call_cancel(s->call);
        stream_wait(s);
        gcore_call_release(s->call);
    }
    for (size_t i = 0; i < s->n_msgs; i++)
        free((void *)(uintptr_t)s->msgs[i].p);
    free(s->msgs);
    gcore_metadata_free(&s->headers);
    gcore_metadata_free(&s->trailers);
    gcore_status_clear(&s->status);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
}

/* Packs |m| and sends it, half-closing after it when |last|. Returns 0 or an error. */
static int send_msg(stream *s, const void *m, bool last)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL)
        return GCORE_ERR_NOMEM;
    protobuf_c_message_pack(m, buf);
    int rv = gcore_call_send(s->call, gb_slice_of(buf, n), last);
    free(buf);
    return rv;
}

/* ---- the cases ---- */

typedef struct ctx {
    gcore_channel *ch;
    char why[512];
} ctx;

/* Records why a case failed; returns -1. */
__attribute__((format(printf, 2, 3))) static int fail(ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return -1;
}

#define CHECK(c, cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return fail((c), __VA_ARGS__);                                                         \
    } while (0)

/* Checks that the call ended with |code| (and |message| unless NULL). */
static int expect_status(ctx *c, stream *s, gcore_code code, const char *message)
{
    gcore_code got = stream_wait(s);
    if (got != code)
        return fail(c, "status %s (%s), expected %s", gcore_status_code_name((int)got),
                    s->status.message, gcore_status_code_name((int)code));
    if (message != NULL && strcmp(s->status.message, message) != 0)
        return fail(c, "status message \"%s\", expected \"%s\"", s->status.message, message);
    return 0;
}

/* A zero-filled payload of |n| bytes; its body is freed with free(p->body.data). */
static int payload_make(Grpc__Testing__Payload *p, size_t n)
{
    grpc__testing__payload__init(p);
    p->body.data = calloc(n ? n : 1, 1);
    p->body.len = n;
    return p->body.data != NULL ? 0 : GCORE_ERR_NOMEM;
}

static bool all_zero(const ProtobufCBinaryData *b)
{
    for (size_t i = 0; i < b->len; i++) {
        if (b->data[i] != 0)
            return false;
    }
    return true;
}

/* The next StreamingOutputCallResponse's payload size, or -1 (none, or not one). */
static long next_output_size(stream *s)
{
    gb_slice m;
    if (stream_next(s, &m) != 1)
        return -1;
    Grpc__Testing__StreamingOutputCallResponse *r =
        grpc__testing__streaming_output_call_response__unpack(NULL, m.n, m.p);
    if (r == NULL)
        return -1;
    long n = r->payload != NULL ? (long)r->payload->body.len : 0;
    grpc__testing__streaming_output_call_response__free_unpacked(r, NULL);
    return n;
}

/* A StreamingOutputCallRequest asking for one response of |resp_size| bytes (none when
 * negative), carrying |req_size| bytes and asking for |status| (may be NULL). */
static int send_output_request(stream *s, long req_size, long resp_size,
                               Grpc__Testing__EchoStatus *status, bool last)
{
    Grpc__Testing__StreamingOutputCallRequest req;
    grpc__testing__streaming_output_call_request__init(&req);
    Grpc__Testing__ResponseParameters param, *params[1] = {&param};
    grpc__testing__response_parameters__init(&param);
    param.size = (int32_t)resp_size;
    req.response_parameters = params;
    req.n_response_parameters = resp_size >= 0;
    req.response_status = status;
    Grpc__Testing__Payload payload;
    if (payload_make(&payload, req_size > 0 ? (size_t)req_size : 0) != 0)
        return GCORE_ERR_NOMEM;
    req.payload = req_size > 0 ? &payload : NULL;
    int rv = send_msg(s, &req, last);
    free(payload.body.data);
    return rv;
}

/* Starts |method| on |s|; a failure to start fails the case. */
#define START(c, s, method, md, timeout)                                                           \
    CHECK(c, stream_start((s), (c)->ch, SERVICE method, (md), (timeout)) == 0, "cannot start")
#define SEND(c, s, m, last) CHECK(c, send_msg((s), (m), (last)) == 0, "cannot send")

static int empty_unary(ctx *c, stream *s)
{
    Grpc__Testing__Empty req = GRPC__TESTING__EMPTY__INIT;
    START(c, s, "EmptyCall", NULL, TIMEOUT_MS);
    SEND(c, s, &req, true);
    gb_slice m;
    CHECK(c, stream_next(s, &m) == 1, "no response");
    CHECK(c, m.n == 0, "a response of %zu bytes", m.n);
    return expect_status(c, s, GCORE_STATUS_OK, NULL);
}

/* UnaryCall with 271828 bytes for 314159, under |md| (may be NULL). */
static int large_unary_with(ctx *c, stream *s, const gcore_metadata *md)
{
    Grpc__Testing__SimpleRequest req;
    grpc__testing__simple_request__init(&req);
    Grpc__Testing__Payload payload;
    CHECK(c, payload_make(&payload, 271828) == 0, "out of memory");
    req.payload = &payload;
    req.response_size = 314159;
    int started = stream_start(s, c->ch, SERVICE "UnaryCall", md, TIMEOUT_MS);
    int sent = started == 0 ? send_msg(s, &req, true) : started;
    free(payload.body.data);
    CHECK(c, sent == 0, "cannot start or send");
    gb_slice m;
    CHECK(c, stream_next(s, &m) == 1, "no response (%s)", s->status.message);
    Grpc__Testing__SimpleResponse *r = grpc__testing__simple_response__unpack(NULL, m.n, m.p);
    CHECK(c, r != NULL, "a response that is not a SimpleResponse");
    bool ok = r->payload != NULL && r->payload->body.len == 314159 && all_zero(&r->payload->body);
    grpc__testing__simple_response__free_unpacked(r, NULL);
    CHECK(c, ok, "not 314159 zero bytes of payload");
    return expect_status(c, s, GCORE_STATUS_OK, NULL);
}

static int large_unary(ctx *c, stream *s)
{
    return large_unary_with(c, s, NULL);
}

static int client_streaming(ctx *c, stream *s)
{
    static const size_t sizes[] = {27182, 8, 1828, 45904};
    START(c, s, "StreamingInputCall", NULL, TIMEOUT_MS);
    for (size_t i = 0; i < 4; i++) {
        Grpc__Testing__StreamingInputCallRequest req;
        grpc__testing__streaming_input_call_request__init(&req);
        Grpc__Testing__Payload payload;
        CHECK(c, payload_make(&payload, sizes[i]) == 0, "out of memory");
        req.payload = &payload;
        int rv = send_msg(s, &req, i == 3);
        free(payload.body.data);
        CHECK(c, rv == 0, "cannot send");
    }
    gb_slice m;
    CHECK(c, stream_next(s, &m) == 1, "no response (%s)", s->status.message);
    Grpc__Testing__StreamingInputCallResponse *r =
        grpc__testing__streaming_input_call_response__unpack(NULL, m.n, m.p);
    CHECK(c, r != NULL, "a response that is not a StreamingInputCallResponse");
    int32_t total = r->aggregated_payload_size;
    grpc__testing__streaming_input_call_response__free_unpacked(r, NULL);
    CHECK(c, total == 74922, "aggregated_payload_size %d", (int)total);
    return expect_status(c, s, GCORE_STATUS_OK, NULL);
}

static int server_streaming(ctx *c, stream *s)
{
    static const int32_t sizes[] = {31415, 9, 2653, 58979};
    Grpc__Testing__StreamingOutputCallRequest req;
    grpc__testing__streaming_output_call_request__init(&req);
    Grpc__Testing__ResponseParameters params[4], *pp[4];
    for (size_t i = 0; i < 4; i++) {
        grpc__testing__response_parameters__init(&params[i]);
        params[i].size = sizes[i];
        pp[i] = &params[i];
    }
    req.response_parameters = pp;
    req.n_response_parameters = 4;
    START(c, s, "StreamingOutputCall", NULL, TIMEOUT_MS);
    SEND(c, s, &req, true);
    for (size_t i = 0; i < 4; i++) {
        long n = next_output_size(s);
        CHECK(c, n == sizes[i], "response %zu of %ld bytes, expected %d", i, n, (int)sizes[i]);
    }
    CHECK(c, next_output_size(s) < 0, "a fifth response");
    return expect_status(c, s, GCORE_STATUS_OK, NULL);
}

static int ping_pong(ctx *c, stream *s)
{
    static const long sizes[][2] = {{27182, 31415}, {8, 9}, {1828, 2653}, {45904, 58979}};
    START(c, s, "FullDuplexCall", NULL, TIMEOUT_MS);
    for (size_t i = 0; i < 4; i++) {
        CHECK(c, send_output_request(s, sizes[i][0], sizes[i][1], NULL, false) == 0, "cannot send");
        long n = next_output_size(s);
        CHECK(c, n == sizes[i][1], "response %zu of %ld bytes", i, n);
    }
    CHECK(c, gcore_call_half_close(s->call) == 0, "cannot half-close");
    CHECK(c, next_output_size(s) < 0, "a response after the last request");
    return expect_status(c, s, GCORE_STATUS_OK, NULL);
}

static int empty_stream(ctx *c, stream *s)
{
    START(c, s, "FullDuplexCall", NULL, TIMEOUT_MS);
    CHECK(c, gcore_call_half_close(s->call) == 0, "cannot half-close");
    CHECK(c, next_output_size(s) < 0, "a response to no request");
    return expect_status(c, s, GCORE_STATUS_OK, NULL);
}

static int timeout_on_sleeping_server(ctx *c, stream *s)
{
    START(c, s, "FullDuplexCall", NULL, 1);
    send_output_request(s, 27182, -1, NULL, false); /* may find the call already over */
    return expect_status(c, s, GCORE_STATUS_DEADLINE_EXCEEDED, NULL);
}

static int cancel_after_begin(ctx *c, stream *s)
{
    START(c, s, "StreamingInputCall", NULL, TIMEOUT_MS);
    gcore_call_cancel(s->call);
    return expect_status(c, s, GCORE_STATUS_CANCELLED, NULL);
}

static int cancel_after_first_response(ctx *c, stream *s)
{
    START(c, s, "FullDuplexCall", NULL, TIMEOUT_MS);
    CHECK(c, send_output_request(s, 27182, 31415, NULL, false) == 0, "cannot send");
    long n = next_output_size(s);
    CHECK(c, n == 31415, "first response of %ld bytes", n);
    gcore_call_cancel(s->call);
    return expect_status(c, s, GCORE_STATUS_CANCELLED, NULL);
}

/* UnaryCall asking for status 2 with |message|. */
static int unary_status(ctx *c, stream *s, const char *message)
{
    Grpc__Testing__SimpleRequest req;
    grpc__testing__simple_request__init(&req);
    Grpc__Testing__EchoStatus status;
    grpc__testing__echo_status__init(&status);
    status.code = GCORE_STATUS_UNKNOWN;
    status.message = (char *)(uintptr_t)message;
    req.response_status = &status;
    START(c, s, "UnaryCall", NULL, TIMEOUT_MS);
    SEND(c, s, &req, true);
    return expect_status(c, s, GCORE_STATUS_UNKNOWN, message);
}

static int status_code_and_message(ctx *c, stream *s)
{
    static const char message[] = "test status message";
    if (unary_status(c, &s[0], message) != 0)
        return -1;
    Grpc__Testing__EchoStatus status;
    grpc__testing__echo_status__init(&status);
    status.code = GCORE_STATUS_UNKNOWN;
    status.message = (char *)(uintptr_t)message;
    START(c, &s[1], "FullDuplexCall", NULL, TIMEOUT_MS);
    CHECK(c, send_output_request(&s[1], 0, -1, &status, true) == 0, "cannot send");
    return expect_status(c, &s[1], GCORE_STATUS_UNKNOWN, message);
}

static int special_status_message(ctx *c, stream *s)
{
    return unary_status(c, s, SPECIAL_MESSAGE);
}

/* Checks the echoes of custom_metadata's request metadata. */
static int expect_echo(ctx *c, stream *s)
{
    const gcore_md_entry *h = gcore_metadata_get(&s->headers, ECHO_INITIAL);
    const gcore_md_entry *t = gcore_metadata_get(&s->trailers, ECHO_TRAILING);
    CHECK(c, h != NULL && strcmp((const char *)h->value, INITIAL_VALUE) == 0,
          "no " ECHO_INITIAL " in the response headers");
    CHECK(c,
          t != NULL && t->value_len == sizeof TRAILING_VALUE - 1 &&
              memcmp(t->value, TRAILING_VALUE, t->value_len) == 0,
          "no " ECHO_TRAILING " in the trailers");
    return 0;
}

static int custom_metadata_on(ctx *c, stream *s, const gcore_metadata *md)
{
    if (large_unary_with(c, &s[0], md) != 0 || expect_echo(c, &s[0]) != 0)
        return -1;
    START(c, &s[1], "FullDuplexCall", md, TIMEOUT_MS);
    CHECK(c, send_output_request(&s[1], 271828, 314159, NULL, true) == 0, "cannot send");
    long n = next_output_size(&s[1]);
    CHECK(c, n == 314159, "FullDuplexCall response of %ld bytes", n);
    if (expect_status(c, &s[1], GCORE_STATUS_OK, NULL) != 0)
        return -1;
    return expect_echo(c, &s[1]);
}

static int custom_metadata(ctx *c, stream *s)
{
    gcore_metadata md;
    gcore_metadata_init(&md);
    int rv = gcore_metadata_add(&md, ECHO_INITIAL, GB_SLICE_LIT(INITIAL_VALUE), NULL);
    if (rv == 0)
        rv = gcore_metadata_add(&md, ECHO_TRAILING, GB_SLICE_LIT(TRAILING_VALUE), NULL);
    rv = rv == 0 ? custom_metadata_on(c, s, &md) : fail(c, "cannot build the metadata");
    gcore_metadata_free(&md);
    return rv;
}

static int unimplemented_method(ctx *c, stream *s)
{
    Grpc__Testing__Empty req = GRPC__TESTING__EMPTY__INIT;
    START(c, s, "UnimplementedCall", NULL, TIMEOUT_MS);
    SEND(c, s, &req, true);
    return expect_status(c, s, GCORE_STATUS_UNIMPLEMENTED, NULL);
}

static int unimplemented_service(ctx *c, stream *s)
{
    Grpc__Testing__Empty req = GRPC__TESTING__EMPTY__INIT;
    CHECK(c,
          stream_start(s, c->ch, "/grpc.testing.UnimplementedService/UnimplementedCall", NULL,
                       TIMEOUT_MS) == 0,
          "cannot start");
    SEND(c, s, &req, true);
    return expect_status(c, s, GCORE_STATUS_UNIMPLEMENTED, NULL);
}

static const struct {
    const char *name;
    int (*run)(ctx *c, stream *s);
} cases[] = {
    {"empty_unary", empty_unary},
    {"large_unary", large_unary},
    {"client_streaming", client_streaming},
    {"server_streaming", server_streaming},
    {"ping_pong", ping_pong},
    {"empty_stream", empty_stream},
    {"timeout_on_sleeping_server", timeout_on_sleeping_server},
    {"cancel_after_begin", cancel_after_begin},
    {"cancel_after_first_response", cancel_after_first_response},
    {"status_code_and_message", status_code_and_message},
    {"special_status_message", special_status_message},
    {"custom_metadata", custom_metadata},
    {"unimplemented_method", unimplemented_method},
    {"unimplemented_service", unimplemented_service},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* Runs the cases named |which| ("all" for every one); returns how many failed. */
static int run_cases(gcore_channel *ch, const char *which)
{
    int failed = 0, ran = 0;
    for (size_t i = 0; i < N_CASES; i++) {
        if (strcmp(which, "all") != 0 && strcmp(which, cases[i].name) != 0)
            continue;
        ctx c = {ch, ""};
        stream s[2];
        stream_init(&s[0]);
        stream_init(&s[1]);
        int rv = cases[i].run(&c, s);
        if (rv == 0 && (s[0].nomem || s[1].nomem))
            rv = fail(&c, "out of memory");
        stream_free(&s[0]);
        stream_free(&s[1]);
        printf(rv == 0 ? "PASS %s\n" : "FAIL %s: %s\n", cases[i].name, c.why);
        fflush(stdout);
        failed += rv != 0;
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "no test case named %s\n", which);
        return 1;
    }
    return failed;
}

typedef struct args {
    const char *host, *port, *test_case, *ca, *host_override;
    bool tls;
} args;

static int parse_args(int argc, char **argv, args *a)
{
    *a = (args){.host = "127.0.0.1", .test_case = "all"};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **dst = strcmp(argv[i], "--server_host") == 0            ? &a->host
                           : strcmp(argv[i], "--server_port") == 0          ? &a->port
                           : strcmp(argv[i], "--test_case") == 0            ? &a->test_case
                           : strcmp(argv[i], "--ca") == 0                   ? &a->ca
                           : strcmp(argv[i], "--server_host_override") == 0 ? &a->host_override
                                                                            : NULL;
        if (strcmp(argv[i], "--use_tls") == 0) {
            a->tls = true;
        } else if (dst != NULL && v != NULL) {
            *dst = v;
            i++;
        } else {
            return -1;
        }
    }
    return a->port != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
    args a;
    if (parse_args(argc, argv, &a) != 0) {
        fprintf(stderr,
                "usage: %s --server_port N [--server_host H] [--test_case NAME|all]\n"
                "          [--use_tls [--ca FILE] [--server_host_override NAME]]\n",
                argv[0]);
        return 2;
    }
    char target[300];
    snprintf(target, sizeof target, "%s:%s", a.host, a.port);
    gcore_channel_opts o = {.tls = a.tls, .ca_file = a.ca, .server_name = a.host_override};
    gcore_blocking_client *cl;
    gb_err err = {0};
    if (gcore_blocking_client_new(target, &o, &cl, &err) != 0) {
        fprintf(stderr, "%s: %s\n", target, err.msg);
        return 1;
    }
    int failed = run_cases(gcore_blocking_client_channel(cl), a.test_case);
    gcore_blocking_client_free(cl);
    return failed != 0;
}
