#include <criterion/criterion.h>

#include "query.h"
#include "status_map.h"

#include <string.h>

static gb_arena arena;

static void setup(void)
{
    gb_arena_init(&arena, 1 << 20);
}

static void teardown(void)
{
    gb_arena_clear(&arena);
}

TestSuite(query, .init = setup, .fini = teardown);

Test(query, splits_and_decodes_parameters_in_order)
{
    gw_query q;
    gb_err err = {0};
    cr_assert_eq(gw_query_parse("a.b=x%20y&ids=1&ids=2&name=J+Doe", &arena, &q, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(q.n, 4);
    cr_assert_str_eq(q.v[0].key, "a.b");
    cr_assert_str_eq(q.v[0].value, "x y");
    cr_assert_str_eq(q.v[1].key, "ids");
    cr_assert_str_eq(q.v[1].value, "1");
    cr_assert_str_eq(q.v[2].value, "2");
    cr_assert_str_eq(q.v[3].value, "J Doe");
}

Test(query, gives_an_empty_value_to_a_bare_key_and_skips_empty_pieces)
{
    gw_query q;
    cr_assert_eq(gw_query_parse("pretty&&a=&=", &arena, &q, NULL), GW_ERR_REQUEST);
    cr_assert_eq(gw_query_parse("pretty&&a=", &arena, &q, NULL), 0);
    cr_assert_eq(q.n, 2);
    cr_assert_str_eq(q.v[0].key, "pretty");
    cr_assert_str_eq(q.v[0].value, "");
    cr_assert_str_eq(q.v[1].key, "a");
    cr_assert_eq(q.v[1].value_len, 0);
    cr_assert_not_null(gw_query_find(&q, "pretty"));
    cr_assert_null(gw_query_find(&q, "missing"));
}

Test(query, has_no_parameters_without_a_query)
{
    gw_query q;
    cr_assert_eq(gw_query_parse("", &arena, &q, NULL), 0);
    cr_assert_eq(q.n, 0);
    cr_assert_eq(gw_query_parse(NULL, &arena, &q, NULL), 0);
    cr_assert_eq(q.n, 0);
}

Test(query, decodes_reserved_characters_and_keeps_plus_when_escaped)
{
    gw_query q;
    cr_assert_eq(gw_query_parse("t=2024-01-01T00%3A00%3A00%2B01%3A00&m=a%2Cb", &arena, &q, NULL),
                 0);
    cr_assert_str_eq(q.v[0].value, "2024-01-01T00:00:00+01:00");
    cr_assert_str_eq(q.v[1].value, "a,b");
}

Test(query, refuses_bad_percent_escapes_naming_the_parameter)
{
    static const char *const bad[] = {"a=%", "a=%4", "a=%zz", "b%2=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gw_query q;
        gb_err err = {0};
        cr_assert_eq(gw_query_parse(bad[i], &arena, &q, &err), GW_ERR_REQUEST, "%s", bad[i]);
        cr_assert(strstr(err.msg, "percent") != NULL, "%s", err.msg);
    }
}

Test(query, refuses_a_key_with_a_nul_byte)
{
    gw_query q;
    cr_assert_eq(gw_query_parse("a%00b=1", &arena, &q, NULL), GW_ERR_REQUEST);
}

Test(query, keeps_nul_bytes_in_values_counted)
{
    gw_query q;
    cr_assert_eq(gw_query_parse("a=x%00y", &arena, &q, NULL), 0);
    cr_assert_eq(q.v[0].value_len, 3);
    cr_assert_eq(memcmp(q.v[0].value, "x\0y", 3), 0);
}
