/*
 * The benchmark's backend: bench.v1.Greeter on the grpc-core server, with
 * non-blocking handlers that answer on the I/O thread.
 *
 *     bench_backend [--listen 127.0.0.1:50051] [--delay-ms N] [--descriptor-set FILE]
 *
 * SayHello answers {message: "Hello <name>"}; Echo answers {echo: <the request
 * verbatim>, request_bytes: <its size>}; Count(n) streams n messages {i, text: "item <i>"}.
 * With --delay-ms every unary reply leaves N ms after its request arrived (a slow
 * backend, to hold many calls in flight in the gateway).
 */
#include "example_server.h"

#include "bench.pb-c.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COUNT 100000

/* A reply held back by --delay-ms. Freed by whichever of the timer and on_done is last. */
typedef struct delayed {
    struct delayed *next;
    gcore_server_call *call;
    struct timespec due;
    bool sent;  /* the timer has written it (or found the call gone) */
    bool ended; /* on_done has run: the call must not be touched */
    size_t n;
    uint8_t bytes[];
} delayed;

static struct {
    unsigned delay_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    delayed *head, *tail; /* due times only grow: a FIFO is a timer queue */
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void reply(gcore_server_call *call, const uint8_t *p, size_t n)
{
    if (gcore_server_call_write(call, gb_slice_of(p, n)) == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
}

static void *timer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g.mu);
    for (;;) {
        while (g.head == NULL)
            pthread_cond_wait(&g.cv, &g.mu);
        delayed *d = g.head;
        if (pthread_cond_timedwait(&g.cv, &g.mu, &d->due) == 0 || g.head != d)
            continue;
        g.head = d->next;
        if (g.head == NULL)
            g.tail = NULL;
        /* The lock is held across the write: on_done (I/O thread) cannot free the call. */
        if (!d->ended)
            reply(d->call, d->bytes, d->n);
        d->sent = true;
        if (d->ended)
            free(d);
    }
    return NULL;
}

/* Sends |p| now, or queues a copy for the timer thread. */
static void answer(gcore_server_call *call, const uint8_t *p, size_t n)
{
    if (g.delay_ms == 0) {
        reply(call, p, n);
        return;
    }
    delayed *d = calloc(1, sizeof *d + n);
    if (d == NULL) {
        gcore_server_call_finish_code(call, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    d->call = call;
    d->n = n;
    memcpy(d->bytes, p, n);
    clock_gettime(CLOCK_REALTIME, &d->due);
    d->due.tv_nsec += (long)(g.delay_ms % 1000) * 1000000L;
    d->due.tv_sec += (time_t)(g.delay_ms / 1000) + d->due.tv_nsec / 1000000000L;
    d->due.tv_nsec %= 1000000000L;
    gcore_server_call_set_user_data(call, d);
    pthread_mutex_lock(&g.mu);
    if (g.tail != NULL)
        g.tail->next = d;
    else
        g.head = d;
    g.tail = d;
    pthread_cond_signal(&g.cv);
    pthread_mutex_unlock(&g.mu);
}

static void on_done(gcore_server_call *call, const gcore_status *st, void *user_data)
{
    (void)st;
    (void)user_data;
    delayed *d = gcore_server_call_get_user_data(call);
    if (d == NULL)
        return;
    pthread_mutex_lock(&g.mu);
    d->ended = true;
    if (d->sent)
        free(d);
    pthread_mutex_unlock(&g.mu);
}

static void say_hello(gcore_server_call *call, gb_slice msg, void *user_data)
{
    (void)user_data;
    Bench__V1__HelloRequest *req = bench__v1__hello_request__unpack(NULL, msg.n, msg.p);
    if (req == NULL) {
        gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT, "bad HelloRequest");
        return;
    }
    size_t tn = strlen(req->name) + 7;
    char *text = malloc(tn);
    Bench__V1__HelloReply rep;
    bench__v1__hello_reply__init(&rep);
    uint8_t *out = text != NULL ? malloc(tn + 16) : NULL;
    if (out != NULL) {
        snprintf(text, tn, "Hello %s", req->name);
        rep.message = text;
        answer(call, out, bench__v1__hello_reply__pack(&rep, out));
    } else {
        gcore_server_call_finish_code(call, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    }
    free(out);
    free(text);
    bench__v1__hello_request__free_unpacked(req, NULL);
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        p[n++] = (uint8_t)(v | 0x80);
    p[n++] = (uint8_t)v;
    return n;
}

/* EchoReply{echo = 1: the request, request_bytes = 2}: the request's bytes are the
 * embedded message as they are, so it is written around them without unpacking. */
static void echo(gcore_server_call *call, gb_slice msg, void *user_data)
{
    (void)user_data;
    uint8_t *out = malloc(msg.n + 32);
    if (out == NULL) {
        gcore_server_call_finish_code(call, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    size_t n = 0;
    out[n++] = 0x0a;
    n += put_varint(out + n, msg.n);
    if (msg.n != 0)
        memcpy(out + n, msg.p, msg.n);
    n += msg.n;
    out[n++] = 0x10;
    n += put_varint(out + n, msg.n);
    answer(call, out, n);
    free(out);
}

static void count(gcore_server_call *call, gb_slice msg, void *user_data)
{
    (void)user_data;
    Bench__V1__CountRequest *req = bench__v1__count_request__unpack(NULL, msg.n, msg.p);
    if (req == NULL || req->n < 0 || req->n > MAX_COUNT) {
        gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT,
                                      "n must be in [0, 100000]");
        bench__v1__count_request__free_unpacked(req, NULL);
        return;
    }
    int rv = 0;
    for (int i = 1; i <= req->n && rv == 0; i++) {
        char text[32];
        uint8_t out[64];
        snprintf(text, sizeof text, "item %d", i);
        Bench__V1__CountReply rep;
        bench__v1__count_reply__init(&rep);
        rep.i = i;
        rep.text = text;
        rv = gcore_server_call_write(call,
                                     gb_slice_of(out, bench__v1__count_reply__pack(&rep, out)));
    }
    if (rv == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    bench__v1__count_request__free_unpacked(req, NULL);
}

static int add_methods(gcore_server *s, void *user_data)
{
    (void)user_data;
    const gcore_server_async_handler hello = {.on_message = say_hello, .on_done = on_done};
    const gcore_server_async_handler ech = {.on_message = echo, .on_done = on_done};
    const gcore_server_async_handler cnt = {.on_message = count};
    int rv = gcore_server_register_async(s, "/bench.v1.Greeter/SayHello", GCORE_METHOD_UNARY,
                                         &hello, NULL);
    if (rv == 0)
        rv = gcore_server_register_async(s, "/bench.v1.Greeter/Echo", GCORE_METHOD_UNARY, &ech,
                                         NULL);
    if (rv == 0)
        rv = gcore_server_register_async(s, "/bench.v1.Greeter/Count",
                                         GCORE_METHOD_SERVER_STREAMING, &cnt, NULL);
    return rv;
}

int main(int argc, char **argv)
{
    /* --delay-ms is ours; the rest are the example servers' options. */
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--delay-ms") == 0)
            g.delay_ms = (unsigned)strtoul(argv[++i], NULL, 10);
        else
            argv[n++] = argv[i];
    }
    example_opts o;
    if (example_parse(n, argv, &o) != 0)
        return 2;
    sigset_t set; /* the timer thread leaves SIGINT and SIGTERM to example_run() */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t timer;
    if (g.delay_ms != 0 && pthread_create(&timer, NULL, timer_main, NULL) != 0)
        return 1;
    static const char *const services[] = {"bench.v1.Greeter", NULL};
    return example_run(&o, add_methods, NULL, services);
}
