#include <criterion/criterion.h>

#include "wire_merge.h"

#include <string.h>

static pbd_pool *pool;

static void setup(void)
{
    const char *sets[] = {GW_BINARY_DIR "/examples/examples.pb"};
    gb_err err = {0};
    cr_assert_eq(pbd_pool_load_files(sets, 1, &pool, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
    pbd_pool_unref(pool);
}

TestSuite(wire_merge, .init = setup, .fini = teardown);

static void assert_merges(const char *type, const uint8_t *in, size_t n, const uint8_t *want,
                          size_t want_n)
{
    const pbd_message *m = pbd_pool_find_message(pool, type);
    gb_buf out;
    gb_buf_init(&out, 0);
    cr_assert_eq(gw_wire_merge(m, gb_slice_of(in, n), &out, 0), 0);
    cr_assert_eq(out.n, want_n);
    cr_assert_eq(memcmp(out.p, want, want_n), 0);
    gb_buf_free(&out);
}

Test(wire_merge, writes_split_embedded_messages_once)
{
    /* Rectangle{lo{latitude:1}} lo{longitude:2} hi{latitude:3}: lo is written once. */
    static const uint8_t in[] = {0x0a, 0x02, 0x08, 0x01, 0x0a, 0x02,
                                 0x10, 0x02, 0x12, 0x02, 0x08, 0x03};
    static const uint8_t want[] = {0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, 0x12, 0x02, 0x08, 0x03};
    assert_merges("routeguide.Rectangle", in, sizeof in, want, sizeof want);
}

Test(wire_merge, copies_scalars_and_unknown_fields_as_they_are)
{
    /* Point{latitude:5, latitude:6, field 9: 7}: last one wins for the reader. */
    static const uint8_t in[] = {0x08, 0x05, 0x08, 0x06, 0x48, 0x07};
    assert_merges("routeguide.Point", in, sizeof in, in, sizeof in);
}

Test(wire_merge, refuses_malformed_input)
{
    static const uint8_t in[] = {0x0a, 0x05, 0x08};
    const pbd_message *rect = pbd_pool_find_message(pool, "routeguide.Rectangle");
    gb_buf out;
    gb_buf_init(&out, 0);
    cr_assert_eq(gw_wire_merge(rect, gb_slice_of(in, sizeof in), &out, 0), GB_ERR_INVALID);
    gb_buf_free(&out);
}
