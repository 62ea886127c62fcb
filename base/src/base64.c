/*
 * Base64 (RFC 4648) a block at a time, through tables built by the preprocessor: the
 * encoder turns 3 bytes into 4 characters with two lookups of 12 bits each, the decoder
 * turns 4 characters into 3 bytes with one lookup each in tables that hold both
 * alphabets with the bits already in place and flag every other byte above them, so a
 * block is checked with one test. Megabyte `bytes` fields go through here on every
 * request.
 */
#include <base/base64.h>
#include <base/err.h>

#include <string.h>

/* Sextet of byte |c| in both alphabets ('+' and '-' are 62, '/' and '_' are 63), or 64. */
#define SX(c)                                                                                      \
    ((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'                                                        \
     : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26                                                   \
     : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52                                                   \
     : (c) == '+' || (c) == '-' ? 62                                                               \
     : (c) == '/' || (c) == '_' ? 63                                                               \
                                : 64)
/* Its bits in place for character |k| of a block; any byte outside both alphabets
 * sets bit 24, above the 24 bits a block decodes to. */
#define DK(c, k) (SX(c) == 64 ? UINT32_C(1) << 24 : (uint32_t)SX(c) << (18 - 6 * (k)))
#define D4(c, k) DK(c, k), DK((c) + 1, k), DK((c) + 2, k), DK((c) + 3, k)
#define D16(c, k) D4(c, k), D4((c) + 4, k), D4((c) + 8, k), D4((c) + 12, k)
#define D64(c, k) D16(c, k), D16((c) + 16, k), D16((c) + 32, k), D16((c) + 48, k)
#define D256(k)                                                                                    \
    {                                                                                              \
        D64(0, k), D64(64, k), D64(128, k), D64(192, k)                                            \
    }
static const uint32_t dec[4][256] = {D256(0), D256(1), D256(2), D256(3)};

size_t gb_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* The character of sextet |i|, as a constant expression for the pair table. */
#define CH(i)                                                                                      \
    (char)((i) < 26    ? 'A' + (i)                                                                 \
           : (i) < 52  ? 'a' + (i)-26                                                              \
           : (i) < 62  ? '0' + (i)-52                                                              \
           : (i) == 62 ? '+'                                                                       \
                       : '/')
#define P1(h, l)                                                                                   \
    {                                                                                              \
        CH(h), CH(l)                                                                               \
    }
#define P4(h, l) P1(h, l), P1(h, (l) + 1), P1(h, (l) + 2), P1(h, (l) + 3)
#define P16(h, l) P4(h, l), P4(h, (l) + 4), P4(h, (l) + 8), P4(h, (l) + 12)
#define P64(h) P16(h, 0), P16(h, 16), P16(h, 32), P16(h, 48)
#define H4(h) P64(h), P64((h) + 1), P64((h) + 2), P64((h) + 3)
#define H16(h) H4(h), H4((h) + 4), H4((h) + 8), H4((h) + 12)
/* The two characters of every 12 bits: a block is two lookups. */
static const char pairs[4096][2] = {H16(0), H16(16), H16(32), H16(48)};

static void encode_block(uint32_t v, char *dst)
{
    memcpy(dst, pairs[v >> 12], 2);
    memcpy(dst + 2, pairs[v & 0xfff], 2);
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
    return dec[0][s[0]] | dec[1][s[1]] | dec[2][s[2]] | dec[3][s[3]];
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
        if (v >> 24 != 0)
            return GB_ERR_INVALID;
        o[0] = (uint8_t)(v >> 16);
        o[1] = (uint8_t)(v >> 8);
        o[2] = (uint8_t)v;
    }
    if (n - whole != 0) {
        /* Two or three characters left: pad them to a block with 'A' (zero bits). */
        unsigned char last[4] = {s[0], s[1], n - whole == 3 ? s[2] : 'A', 'A'};
        uint32_t v = decode_block(last);
        if (v >> 24 != 0)
            return GB_ERR_INVALID;
        *o++ = (uint8_t)(v >> 16);
        if (n - whole == 3)
            *o++ = (uint8_t)(v >> 8);
    }
    *out_n = (size_t)(o - dst);
    return 0;
}
