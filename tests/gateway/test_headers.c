#include <criterion/criterion.h>

#include "headers.h"
#include "status_map.h"

#include <string.h>

static gb_arena arena;
static gw_md_list md;

static void setup(void)
{
    gb_arena_init(&arena, 1 << 20);
    memset(&md, 0, sizeof md);
}

static void teardown(void)
{
    gb_arena_clear(&arena);
}

static int map(const char *name, const char *value)
{
    static const char *const allow[] = {"X-Request-Id", "Host"};
    gw_header_rules rules = {allow, 2};
    gb_err err = {0};
    return gw_headers_map_request(&rules, name, value, &arena, &md, &err);
}

TestSuite(headers, .init = setup, .fini = teardown);

Test(headers, strips_the_grpc_metadata_prefix_and_lowercases_the_key)
{
    cr_assert_eq(map("Grpc-Metadata-Tenant-Id", "acme"), 0);
    cr_assert_eq(md.n, 1);
    cr_assert_str_eq(md.v[0].key, "tenant-id");
    cr_assert_str_eq(md.v[0].value, "acme");
}

Test(headers, forwards_authorization_as_lowercase_metadata)
{
    cr_assert_eq(map("Authorization", "Bearer t0k"), 0);
    cr_assert_eq(md.n, 1);
    cr_assert_str_eq(md.v[0].key, "authorization");
    cr_assert_str_eq(md.v[0].value, "Bearer t0k");
}

Test(headers, forwards_allow_listed_headers_and_drops_the_rest)
{
    cr_assert_eq(map("x-request-id", "r1"), 0);
    cr_assert_eq(map("X-Other", "no"), 0);
    cr_assert_eq(map("Accept", "application/json"), 0);
    cr_assert_eq(md.n, 1);
    cr_assert_str_eq(md.v[0].key, "x-request-id");
}

Test(headers, never_forwards_hop_by_hop_grpc_or_pseudo_headers)
{
    cr_assert_eq(map("Host", "example.com"), 0); /* allow-listed, still refused */
    cr_assert_eq(map("Connection", "close"), 0);
    cr_assert_eq(map("Grpc-Metadata-Grpc-Status", "0"), 0);
    cr_assert_eq(map("Grpc-Metadata-Te", "trailers"), 0);
    cr_assert_eq(map("Grpc-Metadata-:path", "/x"), 0);
    cr_assert_eq(map("Grpc-Metadata-Content-Type", "text/plain"), 0);
    cr_assert_eq(map("Grpc-Timeout", "1S"), 0);
    cr_assert_eq(md.n, 0);
}

Test(headers, decodes_base64_values_of_bin_keys)
{
    cr_assert_eq(map("Grpc-Metadata-Trace-Bin", "AAEC/w=="), 0);
    cr_assert_eq(md.n, 1);
    cr_assert_str_eq(md.v[0].key, "trace-bin");
    cr_assert_eq(md.v[0].value_len, 4);
    cr_assert_eq(memcmp(md.v[0].value, "\x00\x01\x02\xff", 4), 0);
}

Test(headers, refuses_a_bin_value_that_is_not_base64)
{
    gb_err err = {0};
    cr_assert_eq(gw_headers_map_request(NULL, "Grpc-Metadata-X-Bin", "%%%", &arena, &md, &err),
                 GW_ERR_REQUEST);
    cr_assert(strstr(err.msg, "Grpc-Metadata-X-Bin") != NULL, "%s", err.msg);
}

Test(headers, appends_the_client_to_x_forwarded_for)
{
    cr_assert_eq(
        gw_headers_add_forwarded("10.0.0.1", NULL, "api.example:8080", "127.0.0.1", &arena, &md),
        0);
    cr_assert_eq(md.n, 2);
    cr_assert_str_eq(md.v[0].key, "x-forwarded-for");
    cr_assert_str_eq(md.v[0].value, "10.0.0.1, 127.0.0.1");
    cr_assert_str_eq(md.v[1].key, "x-forwarded-host");
    cr_assert_str_eq(md.v[1].value, "api.example:8080");
}

Test(headers, keeps_an_existing_x_forwarded_host)
{
    cr_assert_eq(gw_headers_add_forwarded(NULL, "front.example", "inner", "::1", &arena, &md), 0);
    cr_assert_str_eq(md.v[0].value, "::1");
    cr_assert_str_eq(md.v[1].value, "front.example");
}

Test(headers, prefixes_response_headers_and_trailers)
{
    const char *name, *value;
    cr_assert_eq(
        gw_headers_map_response("x-a", (const uint8_t *)"1", 1, false, &arena, &name, &value), 0);
    cr_assert_str_eq(name, "Grpc-Metadata-x-a");
    cr_assert_str_eq(value, "1");
    cr_assert_eq(
        gw_headers_map_response("x-b", (const uint8_t *)"2", 1, true, &arena, &name, &value), 0);
    cr_assert_str_eq(name, "Grpc-Trailer-x-b");
    cr_assert_eq(gw_headers_map_response("k-bin", (const uint8_t *)"\x00\xff", 2, false, &arena,
                                         &name, &value),
                 0);
    cr_assert_str_eq(value, "AP8=");
    cr_assert_eq(gw_headers_map_response("grpc-status", (const uint8_t *)"0", 1, true, &arena,
                                         &name, &value),
                 0);
    cr_assert_null(name);
}
