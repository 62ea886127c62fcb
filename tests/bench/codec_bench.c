/*
 * Codec micro-benchmark (not a test). With no arguments it prints a table of CPU ns per
 * message and MB/s both ways for a small message (HelloRequest), the gateway bench's
 * EchoRequest and a ~64 KiB Catalog it generates (repeated nested messages, maps, strings;
 * the same bytes on every run). With arguments it encodes and decodes one JSON payload N
 * times, plus the JSON tokenizer alone against cJSON's parser. MB/s counts JSON bytes both
 * ways (the text read, the text written). Instructions per message, robust to the load
 * of a shared machine: CODEC_BENCH_RUNS=10 valgrind --tool=callgrind
 * --toggle-collect=run_decode codec_bench (or run_encode), divided by 3 rows x 10 runs.
 *
 *     codec_bench
 *     codec_bench bench.pb bench.v1.EchoRequest echo.json [N]
 */
#include <base/buf.h>
#include <descriptors/json_codec.h>
#include <descriptors/pool.h>

#include "json_int.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Process CPU time: on a shared machine it counts only the time the bench ran. */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void report(const char *what, double ns, long n, size_t bytes)
{
    double per = ns / (double)n;
    printf("%-28s %9.0f ns/op %9.1f MB/s (%zu bytes)\n", what, per, (double)bytes / per * 1e3,
           bytes);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    gb_buf b;
    gb_buf_init(&b, 0);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        gb_buf_append(&b, chunk, got);
    fclose(f);
    *n = b.n;
    return (char *)b.p;
}

static int bench(const pbd_message *m, const char *json, size_t json_n, long n, pbd_json_opts *o)
{
    gb_buf wire, out;
    gb_err err = {0};
    gb_buf_init(&wire, 0);
    gb_buf_init(&out, 0);
    if (pbd_json_to_wire(m, json, json_n, o, &wire, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        gb_buf_reset(&out);
        pbd_json_to_wire(m, json, json_n, o, &out, &err);
    }
    report("json -> wire", now_ns() - t0, n, json_n);
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        gb_buf_reset(&out);
        pbd_wire_to_json(m, gb_slice_of(wire.p, wire.n), o, &out, &err);
    }
    report("wire -> json", now_ns() - t0, n, out.n);
    printf("%-28s %zu wire bytes\n", "", wire.n);
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pbd_jdoc doc;
        pbd_jdoc_parse(&doc, json, json_n, 202, &err);
        pbd_jdoc_free(&doc);
    }
    report("tokenizer alone", now_ns() - t0, n, json_n);
    t0 = now_ns();
    for (long i = 0; i < n; i++)
        cJSON_Delete(cJSON_ParseWithLength(json, json_n));
    report("cJSON_ParseWithLength", now_ns() - t0, n, json_n);
    gb_buf_free(&wire);
    gb_buf_free(&out);
    return 0;
}

/* The cost of back-patching nested lengths: a 64 KiB string at the top level against the
 * same string inside the nested Point (its 3-byte length moves the content once). */
static void bench_backpatch(const pbd_message *m, long n, const pbd_json_opts *o)
{
    enum { BIG = 64 << 10 };
    static const char *const shapes[][2] = {
        {"{\"text\":\"", "\"}"},
        {"{\"point\":{\"label\":\"", "\"}}"},
    };
    static const char *const names[] = {"json -> wire, 64K top-level", "json -> wire, 64K nested"};
    for (int s = 0; s < 2; s++) {
        gb_buf json, out;
        gb_err err = {0};
        gb_buf_init(&json, 0);
        gb_buf_init(&out, 0);
        gb_buf_append_str(&json, shapes[s][0]);
        gb_buf_reserve(&json, BIG);
        memset(json.p + json.n, 'x', BIG);
        json.n += BIG;
        gb_buf_append_str(&json, shapes[s][1]);
        double t0 = now_ns();
        for (long i = 0; i < n / 100; i++) {
            gb_buf_reset(&out);
            pbd_json_to_wire(m, (const char *)json.p, json.n, o, &out, &err);
        }
        report(names[s], now_ns() - t0, n / 100, json.n);
        gb_buf_free(&json);
        gb_buf_free(&out);
    }
}

/* A deterministic pseudo-random sequence (xorshift64). */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void put(gb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(gb_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    gb_buf_append(b, tmp, (size_t)n);
}

/* One Item of codec_bench.proto, member |i| of the catalog. */
static void put_item(gb_buf *b, uint64_t *rs, int i)
{
    static const char *const words[] = {"alpha",   "bravo", "charlie", "delta", "echo",
                                        "foxtrot", "golf",  "hotel",   "india", "juliett"};
    static const char *const stock[] = {"IN_STOCK", "BACKORDER", "DISCONTINUED"};
    put(b, "{\"id\":\"%llu\",\"name\":\"item %d %s\",", (unsigned long long)(next_rand(rs) >> 11),
        i, words[i % 10]);
    put(b,
        "\"description\":\"A %s %s with \\\"quotes\\\", caf\u00e9 and a tab\\t; "
        "%s, %s and %s.\",",
        words[next_rand(rs) % 10], words[next_rand(rs) % 10], words[next_rand(rs) % 10],
        words[next_rand(rs) % 10], words[next_rand(rs) % 10]);
    put(b, "\"price\":%.2f,\"quantity\":%u,\"active\":%s,\"stock\":\"%s\",",
        (double)(next_rand(rs) % 100000) / 100.0, (unsigned)(next_rand(rs) % 5000),
        i % 3 ? "true" : "false", stock[i % 3]);
    gb_buf_append_str(b, "\"tags\":[");
    for (int k = 0; k < 4; k++)
        put(b, "%s\"%s-%d\"", k ? "," : "", words[next_rand(rs) % 10], k);
    gb_buf_append_str(b, "],\"ratings\":[");
    for (int k = 0; k < 8; k++)
        put(b, "%s%d", k ? "," : "", (int)(next_rand(rs) % 2001) - 1000);
    gb_buf_append_str(b, "],\"attrs\":{");
    for (int k = 0; k < 3; k++)
        put(b, "%s\"%s\":\"%s %llu\"", k ? "," : "", words[(i + k) % 10], words[k],
            (unsigned long long)(next_rand(rs) % 1000000));
    put(b, "},\"size\":{\"width\":%.17g,\"height\":%g,\"depth\":%.3f},",
        (double)(next_rand(rs) % 1000000) / 7.0, (double)(next_rand(rs) % 1000) / 4.0,
        (double)(next_rand(rs) % 1000) / 8.0);
    put(b, "\"sku\":\"QUJDREVGR0hJSktMTU5PUA==\",\"delta\":\"%lld\"}",
        (long long)(next_rand(rs) % 2000001) - 1000000);
}

/* The large benchmark message: a Catalog of about |size| bytes of JSON. */
static char *large_catalog(size_t size, size_t *n)
{
    gb_buf b;
    uint64_t rs = 0x9e3779b97f4a7c15u;
    gb_buf_init(&b, 0);
    gb_buf_append_str(&b, "{\"title\":\"Catalog \u2013 generated\",\"items\":[");
    int i = 0;
    while (b.n + 200 < size) {
        if (i > 0)
            gb_buf_putc(&b, ',');
        put_item(&b, &rs, i++);
    }
    gb_buf_append_str(&b, "],\"totals\":{\"items\":\"");
    put(&b, "%d\",\"pages\":\"%d\"}}", i, i / 10);
    *n = b.n;
    return (char *)b.p;
}

/* Runs |fn| at least |min| times and until 0.3 s of CPU time, or exactly
 * $CODEC_BENCH_RUNS times (for instruction counts under callgrind); returns ns per run. */
static double time_runs(int (*fn)(void *), void *arg, long min)
{
    const char *fixed = getenv("CODEC_BENCH_RUNS");
    if (fixed != NULL) {
        long want = strtol(fixed, NULL, 10);
        double t0 = now_ns();
        for (long i = 0; i < want; i++)
            if (fn(arg) != 0)
                return -1;
        return (now_ns() - t0) / (double)(want > 0 ? want : 1);
    }
    long runs = 0;
    double t0 = now_ns(), t;
    do {
        if (fn(arg) != 0)
            return -1;
        runs++;
        t = now_ns() - t0;
    } while (runs < min || t < 3e8);
    return t / (double)runs;
}

typedef struct bench_case {
    const pbd_message *m;
    const char *json;
    size_t json_n;
    gb_slice wire;
    const pbd_json_opts *o;
    gb_buf out;
} bench_case;

static int run_encode(void *arg)
{
    bench_case *c = arg;
    gb_err err = {0};
    gb_buf_reset(&c->out);
    return pbd_json_to_wire(c->m, c->json, c->json_n, c->o, &c->out, &err);
}

static int run_decode(void *arg)
{
    bench_case *c = arg;
    gb_err err = {0};
    gb_buf_reset(&c->out);
    return pbd_wire_to_json(c->m, c->wire, c->o, &c->out, &err);
}

/* One row of the table: JSON -> wire and wire -> JSON of |json| as |type|. */
static int bench_row(const pbd_pool *pool, const char *label, const char *type, const char *json,
                     size_t json_n)
{
    pbd_json_opts o;
    pbd_json_opts_init(&o);
    o.pool = pool;
    bench_case c = {pbd_pool_find_message(pool, type), json, json_n, {NULL, 0}, &o, {0}};
    gb_buf wire;
    gb_err err = {0};
    gb_buf_init(&wire, 0);
    gb_buf_init(&c.out, 0);
    int rc = 1;
    if (c.m == NULL || pbd_json_to_wire(c.m, json, json_n, &o, &wire, &err) != 0) {
        fprintf(stderr, "%s: %s\n", type, err.msg);
        goto out;
    }
    c.wire = gb_slice_of(wire.p, wire.n);
    double enc = time_runs(run_encode, &c, 5);
    double dec = time_runs(run_decode, &c, 5);
    if (enc < 0 || dec < 0)
        goto out;
    printf("%-8s %8zu %8zu %8zu %12.0f %9.1f %12.0f %9.1f\n", label, json_n, wire.n, c.out.n, enc,
           (double)json_n / enc * 1e3, dec, (double)c.out.n / dec * 1e3);
    rc = 0;
out:
    gb_buf_free(&wire);
    gb_buf_free(&c.out);
    return rc;
}

static int bench_table(void)
{
    const char *files[] = {CODEC_BENCH_PB};
    pbd_pool *pool = NULL;
    gb_err err = {0};
    if (pbd_pool_load_files(files, 1, &pool, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    size_t echo_n = 0, large_n = 0;
    char *echo = slurp(CODEC_BENCH_ECHO, &echo_n);
    char *large = large_catalog(64 << 10, &large_n);
    static const char hello[] = "{\"name\":\"world\"}";
    printf("%-8s %8s %8s %8s %12s %9s %12s %9s\n", "message", "json_in", "wire", "json_out",
           "enc ns/msg", "enc MB/s", "dec ns/msg", "dec MB/s");
    int rc = echo == NULL;
    rc |= bench_row(pool, "small", "bench.v1.HelloRequest", hello, sizeof(hello) - 1);
    if (echo != NULL)
        rc |= bench_row(pool, "echo", "bench.v1.EchoRequest", echo, echo_n);
    rc |= bench_row(pool, "large", "bench.codec.Catalog", large, large_n);
    free(echo);
    free(large);
    pbd_pool_unref(pool);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 1)
        return bench_table();
    if (argc < 4) {
        fprintf(stderr, "usage: %s [SET.pb pkg.Msg payload.json [N]]\n", argv[0]);
        return 2;
    }
    long n = argc > 4 ? strtol(argv[4], NULL, 10) : 200000;
    const char *files[] = {argv[1]};
    pbd_pool *pool = NULL;
    gb_err err = {0};
    if (pbd_pool_load_files(files, 1, &pool, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const pbd_message *m = pbd_pool_find_message(pool, argv[2]);
    size_t json_n = 0;
    char *json = slurp(argv[3], &json_n);
    int rc = 1;
    if (m == NULL || json == NULL) {
        fprintf(stderr, "no type %s or no file %s\n", argv[2], argv[3]);
    } else {
        pbd_json_opts o;
        pbd_json_opts_init(&o);
        o.pool = pool;
        printf("%s, %ld iterations\n", argv[2], n);
        rc = bench(m, json, json_n, n, &o);
        if (strcmp(m->full_name, "bench.v1.EchoRequest") == 0)
            bench_backpatch(m, n, &o);
    }
    free(json);
    pbd_pool_unref(pool);
    return rc;
}
