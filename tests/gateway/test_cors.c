/* CORS allow-lists: origins, the headers a preflight may allow, the headers a page may read. */
#include "cors.h"

#include <criterion/criterion.h>

#include <string.h>

static gb_arena arena;

static void setup(void)
{
    gb_arena_init(&arena, 1 << 16);
}

static void teardown(void)
{
    gb_arena_clear(&arena);
}

TestSuite(cors, .init = setup, .fini = teardown);

Test(cors, allows_listed_origins_in_any_case_and_any_origin_with_a_star)
{
    const char *const some[] = {"https://app.example", "http://127.0.0.1:3000"};
    const char *const any[] = {"*"};
    cr_assert(gw_cors_origin_allowed(some, 2, "HTTPS://APP.example"));
    cr_assert(gw_cors_origin_allowed(some, 2, "http://127.0.0.1:3000"));
    cr_assert_not(gw_cors_origin_allowed(some, 2, "https://app.example.evil"));
    cr_assert_not(gw_cors_origin_allowed(some, 2, NULL));
    cr_assert(gw_cors_origin_allowed(any, 1, "null"));
    cr_assert_not(gw_cors_origin_allowed(NULL, 0, "https://app.example"), "off without origins");
}

Test(cors, allows_only_the_requested_headers_the_gateway_reads)
{
    const char *const extra[] = {"X-Request-Id"};
    const char *got = gw_cors_allow_headers(
        "content-type,authorization, grpc-metadata-tenant ,X-Evil,\tgrpc-timeout, x-request-id",
        extra, 1, &arena);
    cr_assert_str_eq(got, "content-type, authorization, grpc-metadata-tenant, grpc-timeout, "
                          "x-request-id");
    cr_assert_str_eq(gw_cors_allow_headers("cookie, grpc-metadata-", NULL, 0, &arena), "");
    cr_assert_str_eq(gw_cors_allow_headers(NULL, NULL, 0, &arena), "");
}

Test(cors, exposes_the_metadata_headers_of_a_reply)
{
    gw_md_list l = {0};
    cr_assert_eq(gw_md_list_add(&l, &arena, "Grpc-Metadata-Trace", "t1", 2), 0);
    cr_assert_eq(gw_md_list_add(&l, &arena, "Vary", "Origin", 6), 0);
    cr_assert_eq(gw_md_list_add(&l, &arena, "Grpc-Metadata-Region", "eu", 2), 0);
    cr_assert_str_eq(gw_cors_expose_headers(&l, &arena),
                     "Grpc-Metadata-Trace, Grpc-Metadata-Region");
    gw_md_list none = {0};
    cr_assert_null(gw_cors_expose_headers(&none, &arena));
}
