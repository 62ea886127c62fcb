#include <criterion/criterion.h>

#include <grpc-core/metadata.h>
#include <grpc-core/status.h>

#include <string.h>

Test(metadata, keeps_entries_in_order_with_repeats)
{
    gcore_metadata md;
    gcore_metadata_init(&md);
    cr_assert_eq(gcore_metadata_add(&md, "x-a", GB_SLICE_LIT("1"), NULL), 0);
    cr_assert_eq(gcore_metadata_add(&md, "x-b", GB_SLICE_LIT("2"), NULL), 0);
    cr_assert_eq(gcore_metadata_add(&md, "x-a", GB_SLICE_LIT("3"), NULL), 0);
    cr_assert_eq(md.n, 3);
    cr_assert_str_eq(md.v[2].key, "x-a");
    cr_assert_str_eq((const char *)md.v[2].value, "3");
    cr_assert_str_eq((const char *)gcore_metadata_get(&md, "x-a")->value, "1");
    cr_assert_null(gcore_metadata_get(&md, "x-c"));
    gcore_metadata_free(&md);
}

Test(metadata, refuses_keys_with_upper_case_or_illegal_characters)
{
    gcore_metadata md;
    gcore_metadata_init(&md);
    gb_err err = {0};
    cr_assert_eq(gcore_metadata_add(&md, "X-Upper", GB_SLICE_LIT("v"), &err), GCORE_ERR_INVALID);
    cr_assert(strstr(err.msg, "X-Upper") != NULL, "%s", err.msg);
    cr_assert_eq(gcore_metadata_add(&md, "a b", GB_SLICE_LIT("v"), NULL), GCORE_ERR_INVALID);
    cr_assert_eq(gcore_metadata_add(&md, "", GB_SLICE_LIT("v"), NULL), GCORE_ERR_INVALID);
    cr_assert_eq(gcore_metadata_add(&md, "a/b", GB_SLICE_LIT("v"), NULL), GCORE_ERR_INVALID);
    cr_assert_eq(gcore_metadata_add(&md, "ok_key.v-1", GB_SLICE_LIT("v"), NULL), 0);
    cr_assert_eq(md.n, 1);
    gcore_metadata_free(&md);
}

Test(metadata, refuses_non_printable_values_unless_binary)
{
    gcore_metadata md;
    gcore_metadata_init(&md);
    cr_assert_eq(gcore_metadata_add(&md, "x-t", GB_SLICE_LIT("a\nb"), NULL), GCORE_ERR_INVALID);
    cr_assert_eq(gcore_metadata_add(&md, "x-t", GB_SLICE_LIT("caf\xc3\xa9"), NULL),
                 GCORE_ERR_INVALID);
    cr_assert_eq(gcore_metadata_add(&md, "x-t-bin", GB_SLICE_LIT("a\n\0\xff"), NULL), 0);
    cr_assert_eq(md.v[0].value_len, 4);
    gcore_metadata_free(&md);
}

Test(metadata, refuses_reserved_keys)
{
    static const char *const keys[] = {
        "grpc-timeout", "grpc-status", "content-type", "te",
        ":path",        "connection",  "user-agent",   "transfer-encoding"};
    gcore_metadata md;
    gcore_metadata_init(&md);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        gb_err err = {0};
        int rc = gcore_metadata_add(&md, keys[i], GB_SLICE_LIT("v"), &err);
        cr_assert(rc == GCORE_ERR_RESERVED || rc == GCORE_ERR_INVALID, "%s: %d", keys[i], rc);
    }
    cr_assert_eq(md.n, 0);
    gcore_metadata_free(&md);
}

Test(metadata, encodes_binary_values_as_unpadded_base64)
{
    gcore_metadata md;
    gcore_metadata_init(&md);
    cr_assert_eq(gcore_metadata_add(&md, "t-bin", gb_slice_of("\x01\x02\x03\x04", 4), NULL), 0);
    cr_assert_eq(gcore_metadata_add(&md, "t", GB_SLICE_LIT("plain"), NULL), 0);
    gb_buf b;
    gb_buf_init(&b, 0);
    cr_assert_eq(gcore_metadata_wire_value(&md.v[0], &b), 0);
    cr_assert_eq(b.n, 6);
    cr_assert_eq(memcmp(b.p, "AQIDBA", 6), 0);
    gb_buf_reset(&b);
    cr_assert_eq(gcore_metadata_wire_value(&md.v[1], &b), 0);
    cr_assert_eq(memcmp(b.p, "plain", 5), 0);
    gb_buf_free(&b);
    gcore_metadata_free(&md);
}

Test(metadata, decodes_received_binary_values_padded_or_not)
{
    gcore_metadata md;
    gcore_metadata_init(&md);
    cr_assert_eq(
        gcore_metadata_add_wire(&md, GB_SLICE_LIT("t-bin"), GB_SLICE_LIT("AQIDBA=="), NULL), 0);
    cr_assert_eq(gcore_metadata_add_wire(&md, GB_SLICE_LIT("u-bin"), GB_SLICE_LIT("AQIDBA"), NULL),
                 0);
    cr_assert_eq(md.v[0].value_len, 4);
    cr_assert_eq(memcmp(md.v[0].value, "\x01\x02\x03\x04", 4), 0);
    cr_assert_eq(memcmp(md.v[1].value, "\x01\x02\x03\x04", 4), 0);
    gb_err err = {0};
    cr_assert_eq(gcore_metadata_add_wire(&md, GB_SLICE_LIT("v-bin"), GB_SLICE_LIT("!!"), &err),
                 GCORE_ERR_INVALID);
    cr_assert(strstr(err.msg, "v-bin") != NULL);
    cr_assert_eq(md.n, 2);
    gcore_metadata_free(&md);
}

Test(metadata, copies_every_entry_on_append)
{
    gcore_metadata a, b;
    gcore_metadata_init(&a);
    gcore_metadata_init(&b);
    gcore_metadata_add(&a, "k1", GB_SLICE_LIT("v1"), NULL);
    gcore_metadata_add(&a, "k2-bin", GB_SLICE_LIT("\0"), NULL);
    cr_assert_eq(gcore_metadata_append(&b, &a), 0);
    gcore_metadata_free(&a);
    cr_assert_eq(b.n, 2);
    cr_assert_str_eq(b.v[0].key, "k1");
    cr_assert_eq(b.v[1].value_len, 1);
    gcore_metadata_free(&b);
}
