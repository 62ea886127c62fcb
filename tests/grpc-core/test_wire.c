#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <grpc-core/status.h>
#include <grpc-core/wire.h>

#include <string.h>

struct timeout_case {
    char text[16];
    uint64_t ns;
};

ParameterizedTestParameters(timeout, parses_every_unit)
{
    static struct timeout_case cases[] = {
        {"1H", UINT64_C(3600000000000)},
        {"2M", UINT64_C(120000000000)},
        {"3S", UINT64_C(3000000000)},
        {"250m", UINT64_C(250000000)},
        {"7u", UINT64_C(7000)},
        {"99999999n", UINT64_C(99999999)},
        {"0m", 0},
        {"99999999H", UINT64_C(99999999) * 3600000000000},
    };
    return cr_make_param_array(struct timeout_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct timeout_case *c, timeout, parses_every_unit)
{
    uint64_t ns = 1;
    cr_assert_eq(gcore_timeout_parse(gb_slice_str(c->text), &ns), 0, "%s", c->text);
    cr_assert_eq(ns, c->ns, "%s", c->text);
}

struct bad_timeout {
    char text[16];
};

ParameterizedTestParameters(timeout, refuses_malformed_values)
{
    static struct bad_timeout cases[] = {
        {""}, {"m"}, {"5"}, {"123456789m"}, {"5x"}, {"-5m"}, {"5 m"}, {"5mm"}, {"5h"}, {" 5m"},
    };
    return cr_make_param_array(struct bad_timeout, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_timeout *c, timeout, refuses_malformed_values)
{
    uint64_t ns;
    cr_assert_eq(gcore_timeout_parse(gb_slice_str(c->text), &ns), GCORE_ERR_INVALID, "'%s'",
                 c->text);
}

ParameterizedTestParameters(timeout, formats_in_the_finest_unit_that_fits)
{
    static struct timeout_case cases[] = {
        {"0n", 0},
        {"99999999n", UINT64_C(99999999)},
        {"100000u", UINT64_C(100000000)},
        {"100001u", UINT64_C(100000001)}, /* rounded up, never shortened */
        {"1500000u", UINT64_C(1500000000)},
        {"100000m", UINT64_C(100000000000)},
        {"100000S", UINT64_C(100000000000000)},
        {"1666667M", UINT64_C(100000000000000000)},
        {"5124096H", UINT64_MAX},
    };
    return cr_make_param_array(struct timeout_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct timeout_case *c, timeout, formats_in_the_finest_unit_that_fits)
{
    char out[GCORE_TIMEOUT_MAX];
    size_t n = gcore_timeout_format(c->ns, out);
    cr_assert_str_eq(out, c->text);
    cr_assert_eq(n, strlen(c->text));
    uint64_t back;
    cr_assert_eq(gcore_timeout_parse(gb_slice_of(out, n), &back), 0);
    cr_assert_geq(back, c->ns < back ? c->ns : back);
}

Test(timeout, formats_hours_when_minutes_overflow)
{
    char out[GCORE_TIMEOUT_MAX];
    gcore_timeout_format(UINT64_C(6000000000000000000), out);
    cr_assert_str_eq(out, "1666667H");
}

static void assert_encodes(const char *in, size_t n, const char *want)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    cr_assert_eq(gcore_message_encode(gb_slice_of(in, n), &b), 0);
    cr_assert_eq(b.n, strlen(want));
    cr_assert_eq(memcmp(b.p, want, b.n), 0, "%.*s", (int)b.n, (const char *)b.p);
    gb_buf_free(&b);
}

Test(message, percent_encodes_percent_controls_and_non_ascii)
{
    assert_encodes("plain text!", 11, "plain text!");
    assert_encodes("100%", 4, "100%25");
    assert_encodes("a\nb", 3, "a%0Ab");
    assert_encodes("caf\xc3\xa9", 5, "caf%C3%A9");
    assert_encodes("\x7f", 1, "%7F");
}

static void assert_decodes(const char *in, const char *want)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    cr_assert_eq(gcore_message_decode(gb_slice_str(in), &b), 0);
    cr_assert_eq(b.n, strlen(want), "%s", in);
    cr_assert(b.n == 0 || memcmp(b.p, want, b.n) == 0, "%s", in);
    gb_buf_free(&b);
}

Test(message, decodes_percent_escapes_and_keeps_bad_ones)
{
    assert_decodes("caf%C3%a9", "caf\xc3\xa9");
    assert_decodes("100%25", "100%");
    assert_decodes("50%", "50%");
    assert_decodes("%4", "%4");
    assert_decodes("%zz!", "%zz!");
    assert_decodes("", "");
}

Test(content_type, accepts_the_grpc_family_only)
{
    cr_assert(gcore_content_type_is_grpc(GB_SLICE_LIT("application/grpc")));
    cr_assert(gcore_content_type_is_grpc(GB_SLICE_LIT("application/grpc+proto")));
    cr_assert(gcore_content_type_is_grpc(GB_SLICE_LIT("application/grpc+json")));
    cr_assert(gcore_content_type_is_grpc(GB_SLICE_LIT("Application/GRPC;charset=utf-8")));
    cr_assert_not(gcore_content_type_is_grpc(GB_SLICE_LIT("application/grpc-web")));
    cr_assert_not(gcore_content_type_is_grpc(GB_SLICE_LIT("application/json")));
    cr_assert_not(gcore_content_type_is_grpc(GB_SLICE_LIT("application/grp")));
    cr_assert_not(gcore_content_type_is_grpc(GB_SLICE_LIT("")));
}
