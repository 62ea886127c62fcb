/*
 * Codec micro-benchmark (not a test): encodes and decodes one JSON payload N times and
 * prints CPU ns/op and MB/s both ways, plus the JSON tokenizer alone against cJSON's parser.
 *
 *     codec_bench bench.pb bench.v1.EchoRequest echo.json [N]
 */
#include <base/buf.h>
#include <descriptors/json_codec.h>
#include <descriptors/pool.h>

#include "json_int.h"

#include <cjson/cJSON.h>
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

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s SET.pb pkg.Msg payload.json [N]\n", argv[0]);
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
