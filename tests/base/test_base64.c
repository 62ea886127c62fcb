#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <base/base64.h>
#include <base/err.h>

#include <string.h>

/* Arrays, not pointers: criterion runs each case in a new process. */
struct b64_case {
    char raw[8];
    char encoded[12];
};

ParameterizedTestParameters(base64, encodes_with_padding)
{
    static struct b64_case cases[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    return cr_make_param_array(struct b64_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct b64_case *c, base64, encodes_with_padding)
{
    char out[16];
    size_t n = gb_base64_encode((const uint8_t *)c->raw, strlen(c->raw), out);
    cr_assert_eq(n, strlen(c->encoded));
    cr_assert_eq(n, gb_base64_encoded_len(strlen(c->raw)));
    cr_assert_eq(memcmp(out, c->encoded, n), 0);
}

static void assert_decodes(const char *in, const uint8_t *want, size_t want_n)
{
    uint8_t out[16];
    size_t n = 0;
    cr_assert_eq(gb_base64_decode(in, strlen(in), out, &n), 0, "%s", in);
    cr_assert_eq(n, want_n, "%s", in);
    cr_assert_eq(memcmp(out, want, n), 0, "%s", in);
}

Test(base64, decodes_standard_and_url_safe_with_or_without_padding)
{
    static const uint8_t bytes[] = {0xfb, 0xff, 0xbf};
    assert_decodes("+/+/", bytes, 3);
    assert_decodes("-_-_", bytes, 3);
    assert_decodes("Zm8=", (const uint8_t *)"fo", 2);
    assert_decodes("Zm8", (const uint8_t *)"fo", 2);
    assert_decodes("Zg", (const uint8_t *)"f", 1);
}

Test(base64, refuses_malformed_input)
{
    uint8_t out[16];
    size_t n;
    cr_assert_eq(gb_base64_decode("Z", 1, out, &n), GB_ERR_INVALID);
    cr_assert_eq(gb_base64_decode("Zm9v!", 5, out, &n), GB_ERR_INVALID);
    cr_assert_eq(gb_base64_decode("Zm=8", 4, out, &n), GB_ERR_INVALID);
    cr_assert_eq(gb_base64_decode("Zm8==", 5, out, &n), GB_ERR_INVALID);
}
