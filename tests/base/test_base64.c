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

/* The reference: bit by bit, six at a time, as RFC 4648 section 4 describes it. */
static size_t encode_bitwise(const uint8_t *src, size_t n, const char *abc, char *dst)
{
    size_t o = 0;
    for (size_t bit = 0; bit < n * 8; bit += 6) {
        unsigned v = 0;
        for (size_t k = bit; k < bit + 6; k++)
            v = v << 1 | (k < n * 8 ? (src[k / 8] >> (7 - k % 8)) & 1u : 0u);
        dst[o++] = abc[v];
    }
    while (o % 4 != 0)
        dst[o++] = '=';
    return o;
}

static const char std_abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

enum { MAX_RAW = 70 };

/* Bytes that reach every sextet, both alphabets' 62 and 63 included. */
static void fill_raw(uint8_t *raw, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        raw[i] = (uint8_t)(i * 97 + seed * 31 + (i >> 2) * 251);
}

/* Runs |check| on inputs of every length up to MAX_RAW, four patterns each. */
static void each_input(void (*check)(const uint8_t *raw, size_t len))
{
    for (unsigned seed = 0; seed < 4; seed++) {
        for (size_t len = 0; len <= MAX_RAW; len++) {
            uint8_t raw[MAX_RAW];
            fill_raw(raw, len, seed);
            check(raw, len);
        }
    }
}

static void check_encode(const uint8_t *raw, size_t len)
{
    char want[MAX_RAW * 2], got[MAX_RAW * 2];
    size_t wn = encode_bitwise(raw, len, std_abc, want);
    size_t gn = gb_base64_encode(raw, len, got);
    cr_assert_eq(gn, wn, "length %zu", len);
    cr_assert_eq(gn, gb_base64_encoded_len(len), "length %zu", len);
    cr_assert_eq(memcmp(got, want, wn), 0, "length %zu: %.*s", len, (int)wn, want);
}

Test(base64, encodes_every_length_as_the_bitwise_reference)
{
    each_input(check_encode);
}

static void assert_round_trip(const char *enc, size_t n, const uint8_t *raw, size_t len)
{
    uint8_t out[MAX_RAW + 3];
    size_t got = 0;
    cr_assert_leq(gb_base64_decoded_max(n), sizeof(out));
    cr_assert_eq(gb_base64_decode(enc, n, out, &got), 0, "%.*s", (int)n, enc);
    cr_assert_eq(got, len, "%.*s", (int)n, enc);
    cr_assert_eq(memcmp(out, raw, len), 0, "%.*s", (int)n, enc);
}

static void check_decode(const uint8_t *raw, size_t len)
{
    char std[MAX_RAW * 2], url[MAX_RAW * 2];
    size_t n = encode_bitwise(raw, len, std_abc, std);
    encode_bitwise(raw, len, url_abc, url);
    size_t bare = n;
    while (bare > 0 && std[bare - 1] == '=')
        bare--;
    assert_round_trip(std, n, raw, len);
    assert_round_trip(std, bare, raw, len);
    assert_round_trip(url, n, raw, len);
    assert_round_trip(url, bare, raw, len);
}

Test(base64, decodes_every_length_in_both_alphabets_padded_or_not)
{
    each_input(check_decode);
}

Test(base64, refuses_a_bad_character_at_every_position_of_every_length)
{
    static const char bad[] = {'!', '.', ' ', '\n', '\0', '=', '\x80', '\xff', '*', '~'};
    for (size_t len = 1; len <= MAX_RAW; len++) {
        uint8_t raw[MAX_RAW], out[MAX_RAW + 3];
        char enc[MAX_RAW * 2];
        fill_raw(raw, len, 1);
        size_t n = encode_bitwise(raw, len, std_abc, enc);
        while (enc[n - 1] == '=')
            n--;
        for (size_t at = 0; at < n; at++) {
            for (size_t b = 0; b < sizeof(bad); b++) {
                char saved = enc[at];
                size_t got = 0;
                enc[at] = bad[b];
                /* A '=' in the last place reads as padding, which may be fine. */
                if (!(bad[b] == '=' && at == n - 1))
                    cr_assert_eq(gb_base64_decode(enc, n, out, &got), GB_ERR_INVALID,
                                 "length %zu, 0x%02x at %zu", len, (unsigned char)bad[b], at);
                enc[at] = saved;
            }
        }
    }
}

Test(base64, refuses_misplaced_or_excess_padding)
{
    static const char *const cases[] = {
        "=",      "==",      "===",  "Zg=",      "Zg===",    "Zm9v=", "Zm9v==",  "Zm9vY",
        "Zm9vY=", "Zm9vY==", "Z===", "Zm9vYg=A", "Zm9v=Yg=", "=Zm9v", "Zm==Zm=="};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t out[16];
        size_t n;
        cr_assert_eq(gb_base64_decode(cases[i], strlen(cases[i]), out, &n), GB_ERR_INVALID, "%s",
                     cases[i]);
    }
}

Test(base64, decodes_mixed_alphabets_and_ignores_trailing_bits_as_before)
{
    static const uint8_t bytes[] = {0xfb, 0xff, 0xbf, 0xfb, 0xff, 0xbf};
    assert_decodes("+/-_+_-/", bytes, 6);
    assert_decodes("Zh==", (const uint8_t *)"f", 1);
    assert_decodes("Zm9=", (const uint8_t *)"fo", 2);
}
