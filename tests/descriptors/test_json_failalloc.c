/*
 * Out of memory everywhere: JSON -> wire, wire -> JSON and the descriptor loader are run
 * once per allocation they make, with that allocation failing (tests/common/failalloc.c,
 * through the linker's --wrap). Each run must return 0 with the right result (an
 * allocation that only speeds things up may fail harmlessly) or PBD_ERR_NOMEM with a
 * message, leave the output buffer as it was, and leak nothing (LeakSanitizer, in the
 * ASan build).
 */
#include "test_json_common.h"

#include "failalloc.h"

#include <stdlib.h>

TestSuite(json_failalloc, .init = load_pool, .fini = free_pool);

/* One codec call on a case of tests/data/json and what its clean run gave. */
typedef struct codec_run {
    const pbd_message *m;
    pbd_json_opts o;
    gb_slice in;  /* JSON text or wire bytes */
    gb_buf want;  /* the clean run's output */
    bool to_wire; /* JSON -> wire, or wire -> JSON */
    const char *name;
} codec_run;

static char *read_case(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.json", CODEC_CASES_DIR, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char text[32768];
    *n = fread(text, 1, sizeof(text), f);
    fclose(f);
    return text;
}

/* The call under test; the output buffer starts with a prefix that must survive. */
static int codec_call(codec_run *r, gb_buf *out, gb_err *err)
{
    if (r->to_wire)
        return pbd_json_to_wire(r->m, (const char *)r->in.p, r->in.n, &r->o, out, err);
    return pbd_wire_to_json(r->m, r->in, &r->o, out, err);
}

static int run_codec(void *arg)
{
    codec_run *r = arg;
    gb_buf out;
    gb_err err = {0};
    gb_buf_init(&out, 0);
    if (gb_buf_append(&out, "pre", 3) != 0) {
        gb_buf_free(&out);
        return PBD_ERR_NOMEM; /* the test's own allocation failed: the same as theirs */
    }
    int rv = codec_call(r, &out, &err);
    if (rv == 0 && r->want.p == NULL) {
        gb_buf_append(&r->want, out.p, out.n); /* the clean run comes first */
    } else if (rv == 0) {
        cr_expect(out.n == r->want.n && memcmp(out.p, r->want.p, out.n) == 0,
                  "%s: output differs after a failed allocation", r->name);
    } else {
        cr_expect_eq(out.n, 3, "%s: output not cut back on error", r->name);
        cr_expect_neq(err.msg[0], '\0', "%s: error %d without a message", r->name, rv);
    }
    gb_buf_free(&out);
    return rv;
}

static void check_nomem(int rv, long at, void *arg)
{
    const codec_run *r = arg;
    cr_assert(rv == 0 || rv == PBD_ERR_NOMEM, "%s: allocation %ld failing gave %d", r->name, at,
              rv);
}

static void each_allocation(const char *type, const char *name, bool to_wire)
{
    size_t n;
    const char *json = read_case(name, &n);
    codec_run r = {.m = msg(type), .o = opts(), .to_wire = to_wire, .name = name};
    gb_buf wire;
    gb_err err = {0};
    gb_buf_init(&wire, 0);
    gb_buf_init(&r.want, 0);
    cr_assert_eq(pbd_json_to_wire(r.m, json, n, &r.o, &wire, &err), 0, "%s: %s", name, err.msg);
    r.in = to_wire ? gb_slice_of(json, n) : gb_slice_of(wire.p, wire.n);
    long allocs = failalloc_each(run_codec, check_nomem, &r);
    cr_assert_gt(allocs, 0, "%s: no allocation seen: is malloc wrapped?", name);
    gb_buf_free(&r.want);
    gb_buf_free(&wire);
}

/* Cases that reach every allocation site: nested lengths of 128 bytes and more (the patch
 * list), maps, WKTs and Any (the scratch buffers), long strings (buffer growth). */
static const char *const cases[][2] = {
    {"All", "codec.test.All__everything"},     {"Nested", "codec.test.Nested__patched_lengths"},
    {"Maps", "codec.test.Maps__long_entries"}, {"Wkt", "codec.test.Wkt__any_nested_any"},
    {"Wkt", "codec.test.Wkt__big_struct"},     {"Repeated", "codec.test.Repeated__long_packed"},
};

Test(json_failalloc, json_to_wire_returns_nomem_and_leaks_nothing_whichever_allocation_fails)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        each_allocation(cases[i][0], cases[i][1], true);
    cr_assert_not(failalloc_leaks());
}

Test(json_failalloc, wire_to_json_returns_nomem_and_leaks_nothing_whichever_allocation_fails)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        each_allocation(cases[i][0], cases[i][1], false);
    cr_assert_not(failalloc_leaks());
}

/* The descriptor loader on the codec's own set (codec_test.proto and the WKTs). */
typedef struct load_run {
    gb_slice set;
} load_run;

static int run_load(void *arg)
{
    load_run *l = arg;
    pbd_pool *p = NULL;
    gb_err err = {0};
    int rv = pbd_pool_load_sets(&l->set, 1, &p, &err);
    if (rv == 0) {
        cr_expect_not_null(pbd_pool_find_message(p, "codec.test.All"));
        pbd_pool_unref(p);
    } else {
        cr_expect_null(p);
        cr_expect_neq(err.msg[0], '\0', "load error %d without a message", rv);
    }
    return rv;
}

static void check_load(int rv, long at, void *arg)
{
    (void)arg;
    cr_assert(rv == 0 || rv == PBD_ERR_NOMEM, "allocation %ld failing gave %d", at, rv);
}

Test(json_failalloc, pool_load_sets_returns_nomem_and_leaks_nothing_whichever_allocation_fails)
{
    FILE *f = fopen(CODEC_TEST_PB, "rb");
    cr_assert_not_null(f);
    static uint8_t bytes[1 << 20];
    size_t n = fread(bytes, 1, sizeof(bytes), f);
    fclose(f);
    load_run l = {gb_slice_of(bytes, n)};
    cr_assert_gt(failalloc_each(run_load, check_load, &l), 10);
    cr_assert_not(failalloc_leaks());
}
