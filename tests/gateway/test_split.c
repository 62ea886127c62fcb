#include <criterion/criterion.h>

#include "split.h"

#include <string.h>

typedef struct seen {
    char all[512]; /* the objects, joined by '|' */
    size_t count;
} seen;

static int collect(void *user_data, const char *json, size_t n)
{
    seen *s = user_data;
    size_t used = strlen(s->all);
    if (s->count++ != 0)
        s->all[used++] = '|';
    memcpy(s->all + used, json, n);
    s->all[used + n] = '\0';
    return 0;
}

/* Feeds |body| whole, in every two-way split and byte by byte; all must agree. */
static void assert_splits(const char *body, const char *want, size_t want_count)
{
    size_t n = strlen(body);
    for (size_t cut = 0; cut <= n + 1; cut++) {
        gw_split s;
        seen got = {{0}, 0};
        gb_err err = {0};
        gw_split_init(&s, 1024);
        int rc = 0;
        if (cut == n + 1) {
            for (size_t i = 0; i < n && rc == 0; i++)
                rc = gw_split_feed(&s, body + i, 1, collect, &got, &err);
        } else {
            rc = gw_split_feed(&s, body, cut, collect, &got, &err);
            if (rc == 0)
                rc = gw_split_feed(&s, body + cut, n - cut, collect, &got, &err);
        }
        if (rc == 0)
            rc = gw_split_finish(&s, &err);
        gw_split_free(&s);
        cr_assert_eq(rc, 0, "cut %zu: %s", cut, err.msg);
        cr_assert_str_eq(got.all, want, "cut %zu", cut);
        cr_assert_eq(got.count, want_count);
    }
}

static int split_error(const char *body, char *msg)
{
    gw_split s;
    seen got = {{0}, 0};
    gb_err err = {0};
    gw_split_init(&s, 16);
    int rc = gw_split_feed(&s, body, strlen(body), collect, &got, &err);
    if (rc == 0)
        rc = gw_split_finish(&s, &err);
    gw_split_free(&s);
    memcpy(msg, err.msg, sizeof err.msg);
    return rc;
}

Test(split, splits_newline_delimited_objects_at_every_chunk_boundary)
{
    assert_splits("{\"a\":1}\n{\"b\":{\"c\":[1,{}]}}\n", "{\"a\":1}|{\"b\":{\"c\":[1,{}]}}", 2);
}

Test(split, splits_a_json_array_of_objects)
{
    assert_splits(" [ {\"a\":1} , {\"b\":2} ] ", "{\"a\":1}|{\"b\":2}", 2);
}

Test(split, ignores_braces_and_quotes_inside_strings)
{
    assert_splits("{\"s\":\"}{\\\"]\"}{\"t\":\"\\\\\"}", "{\"s\":\"}{\\\"]\"}|{\"t\":\"\\\\\"}", 2);
}

Test(split, accepts_an_empty_body_and_an_empty_array)
{
    assert_splits("", "", 0);
    assert_splits(" \n", "", 0);
    assert_splits("[]", "", 0);
}

Test(split, refuses_values_that_are_not_objects)
{
    char msg[256];
    cr_assert_eq(split_error("[1]", msg), GB_ERR_INVALID);
    cr_assert(strstr(msg, "expected '{'") != NULL, "%s", msg);
    cr_assert_eq(split_error("\"x\"", msg), GB_ERR_INVALID);
}

Test(split, refuses_truncated_bodies)
{
    char msg[256];
    cr_assert_eq(split_error("{\"a\":", msg), GB_ERR_INVALID);
    cr_assert(strstr(msg, "inside a message") != NULL, "%s", msg);
    cr_assert_eq(split_error("[{}", msg), GB_ERR_INVALID);
    cr_assert(strstr(msg, "']'") != NULL, "%s", msg);
    cr_assert_eq(split_error("[{},]", msg), GB_ERR_INVALID);
    cr_assert_eq(split_error("[{}] {}", msg), GB_ERR_INVALID);
}

Test(split, limits_the_size_of_one_message)
{
    char msg[256];
    cr_assert_eq(split_error("{\"aaaaaaaaaaaaaaaaaaaa\":1}", msg), GB_ERR_LIMIT);
    cr_assert(strstr(msg, "too large") != NULL, "%s", msg);
}
