/*
 * Measures the client: unary calls per second with a fixed number in flight on
 * one channel, and heap bytes per in-flight call.
 *
 *   gcore_bench rate HOST:PORT METHOD CONCURRENCY SECONDS
 *   gcore_bench mem  HOST:PORT METHOD CALLS           (METHOD should be slow)
 *
 * Against tests/grpc-core/echo_server.py: METHOD /test.Echo/Unary for rate,
 * /test.Echo/Slow for mem (its request asks for a 2 s sleep).
 */
#include <grpc-core/call.h>
#include <grpc-core/loop.h>

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct bench {
    gcore_channel *ch;
    const char *method;
    gb_slice req;
    atomic_long done, failed;
    atomic_bool stop;
    atomic_int in_flight;
} bench;

static void start_one(bench *b);

static void on_done(gcore_call *c, const gcore_status *st, const gcore_metadata *md, void *ud)
{
    (void)c;
    (void)md;
    bench *b = ud;
    atomic_fetch_add(st->code == GCORE_STATUS_OK ? &b->done : &b->failed, 1);
    atomic_fetch_sub(&b->in_flight, 1);
    if (!atomic_load(&b->stop))
        start_one(b);
}

static void start_one(bench *b)
{
    static const gcore_call_handlers h = {NULL, NULL, on_done};
    gcore_call_opts o = {.timeout_ms = 30000};
    gcore_call *c;
    atomic_fetch_add(&b->in_flight, 1);
    if (gcore_call_start(b->ch, b->method, &o, &h, b, &c) != 0) {
        atomic_fetch_sub(&b->in_flight, 1);
        return;
    }
    gcore_call_send(c, b->req, true);
    gcore_call_release(c);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rate(bench *b, int conc, int seconds)
{
    for (int i = 0; i < conc; i++)
        start_one(b);
    sleep(1); /* warm-up: connection, python's thread pool */
    long d0 = atomic_load(&b->done);
    double t0 = now_s();
    sleep((unsigned)seconds);
    long d1 = atomic_load(&b->done);
    double t1 = now_s();
    atomic_store(&b->stop, true);
    while (atomic_load(&b->in_flight) > 0)
        usleep(1000);
    printf("unary calls/s: %.0f (%d in flight, %ld failed)\n", (double)(d1 - d0) / (t1 - t0), conc,
           atomic_load(&b->failed));
    return 0;
}

static int mem(bench *b, int calls)
{
    b->stop = true; /* no replacement calls */
    struct mallinfo2 before = mallinfo2();
    for (int i = 0; i < calls; i++)
        start_one(b);
    sleep(1); /* all on the wire, all waiting for the server */
    struct mallinfo2 during = mallinfo2();
    printf("heap per in-flight call: %.0f bytes (%d calls, %ld finished early)\n",
           (double)(during.uordblks - before.uordblks) / calls, calls,
           atomic_load(&b->done) + atomic_load(&b->failed));
    while (atomic_load(&b->in_flight) > 0)
        usleep(1000);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s rate|mem HOST:PORT METHOD N [SECONDS]\n", argv[0]);
        return 2;
    }
    gcore_loop *loop;
    gb_err err = {0};
    bench b = {.method = argv[3]};
    static const uint8_t sleep2s[] = {0, 0, 0x07, 0xd0};
    b.req =
        strcmp(argv[1], "mem") == 0 ? gb_slice_of(sleep2s, 4) : GB_SLICE_LIT(""); /* any proto */
    if (gcore_loop_new(&loop) != 0 || gcore_channel_new(loop, argv[2], NULL, &b.ch, &err) != 0 ||
        gcore_loop_start(loop) != 0) {
        fprintf(stderr, "set-up failed: %s\n", err.msg);
        return 1;
    }
    int n = (int)strtol(argv[4], NULL, 10);
    int rc = strcmp(argv[1], "mem") == 0
                 ? mem(&b, n)
                 : rate(&b, n, argc > 5 ? (int)strtol(argv[5], NULL, 10) : 5);
    gcore_channel_free(b.ch);
    gcore_loop_stop(loop);
    gcore_loop_join(loop);
    gcore_loop_free(loop);
    return rc;
}
