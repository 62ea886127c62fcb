/*
 * Base64 (RFC 4648) a block at a time: the encoder turns 3 bytes into 4 characters
 * with one 24-bit load, the decoder turns 4 characters into 3 bytes with four lookups
 * in one table that holds both alphabets and flags every other byte, so a block is
 * checked with one test. Megabyte `bytes` fields go through here on every request.
 */
#include <base/base64.h>
#include <base/err.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define X 0xff
/* Sextet of each byte in both alphabets ('+' and '-' are 62, '/' and '_' are 63), X
 * for the rest: any X in a block sets bits above the 6 a sextet uses. */
static const uint8_t sextets[256] = {
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  62, X,  62, X,  63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X,  X,  X,  X,  X,  X,  X,  0,  1,  2,  3,  4,  5,  6,
    7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X,  X,  X,  X,  63,
    X,  26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
    49, 50, 51, X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
};
#undef X

size_t gb_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

static void encode_block(uint32_t v, char *dst)
{
    dst[0] = alphabet[v >> 18];
    dst[1] = alphabet[(v >> 12) & 63];
    dst[2] = alphabet[(v >> 6) & 63];
    dst[3] = alphabet[v & 63];
}

size_t gb_base64_encode(const uint8_t *src, size_t n, char *dst)
{
    size_t whole = n - n % 3;
    char *o = dst;
    for (const uint8_t *p = src, *end = src + whole; p != end; p += 3, o += 4)
        encode_block((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2], o);
    if (n - whole == 0)
        return (size_t)(o - dst);
    uint32_t v = (uint32_t)src[whole] << 16;
    if (n - whole == 2)
        v |= (uint32_t)src[whole + 1] << 8;
    encode_block(v, o);
    o[3] = '=';
    if (n - whole == 1)
        o[2] = '=';
    return (size_t)(o + 4 - dst);
}

size_t gb_base64_decoded_max(size_t n)
{
    return (n + 3) / 4 * 3;
}

/* Four characters to 24 bits; above them when one is outside both alphabets. */
static uint32_t decode_block(const unsigned char *s)
{
    uint32_t a = sextets[s[0]], b = sextets[s[1]], c = sextets[s[2]], d = sextets[s[3]];
    return (a | b | c | d) > 63 ? UINT32_MAX : a << 18 | b << 12 | c << 6 | d;
}

int gb_base64_decode(const char *src, size_t n, uint8_t *dst, size_t *out_n)
{
    size_t pad = 0;
    while (n > 0 && src[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if ((pad != 0 && (n + pad) % 4 != 0) || n % 4 == 1)
        return GB_ERR_INVALID;
    const unsigned char *s = (const unsigned char *)src;
    size_t whole = n - n % 4;
    uint8_t *o = dst;
    for (const unsigned char *end = s + whole; s != end; s += 4, o += 3) {
        uint32_t v = decode_block(s);
        if (v == UINT32_MAX)
            return GB_ERR_INVALID;
        o[0] = (uint8_t)(v >> 16);
        o[1] = (uint8_t)(v >> 8);
        o[2] = (uint8_t)v;
    }
    if (n - whole != 0) {
        /* Two or three characters left: pad them to a block with 'A' (zero bits). */
        unsigned char last[4] = {s[0], s[1], n - whole == 3 ? s[2] : 'A', 'A'};
        uint32_t v = decode_block(last);
        if (v == UINT32_MAX)
            return GB_ERR_INVALID;
        *o++ = (uint8_t)(v >> 16);
        if (n - whole == 3)
            *o++ = (uint8_t)(v >> 8);
    }
    *out_n = (size_t)(o - dst);
    return 0;
}
