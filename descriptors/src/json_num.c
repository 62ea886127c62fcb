/*
 * Numbers read exactly from their JSON text, and doubles written in the shortest form
 * that reads back to the same value (for float fields: the same float).
 */
#include "json_int.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parts of a JSON number: significant digits |dig| (leading zeros removed) and the
 * power of ten they are scaled by. */
typedef struct decnum {
    bool neg;
    const char *int_p, *frac_p;
    size_t int_n, frac_n;
    int64_t exp;
} decnum;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Strict JSON number grammar; returns false when |s| is not one. */
static bool split_number(const char *s, size_t n, decnum *d)
{
    size_t i = 0;
    memset(d, 0, sizeof(*d));
    if (i < n && s[i] == '-') {
        d->neg = true;
        i++;
    }
    d->int_p = s + i;
    if (i >= n || !is_digit(s[i]) || (s[i] == '0' && i + 1 < n && is_digit(s[i + 1])))
        return false;
    while (i < n && is_digit(s[i]))
        i++;
    d->int_n = (size_t)(s + i - d->int_p);
    if (i < n && s[i] == '.') {
        d->frac_p = s + ++i;
        while (i < n && is_digit(s[i]))
            i++;
        d->frac_n = (size_t)(s + i - d->frac_p);
        if (d->frac_n == 0)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= n || !is_digit(s[i]))
            return false;
        for (; i < n && is_digit(s[i]); i++) {
            if (d->exp < 100000)
                d->exp = d->exp * 10 + (s[i] - '0');
        }
        if (eneg)
            d->exp = -d->exp;
    }
    return i == n;
}

static char digit_at(const decnum *d, size_t k)
{
    return k < d->int_n ? d->int_p[k] : d->frac_p[k - d->int_n];
}

int pbd_num_parse_int(const char *s, size_t n, bool *neg, uint64_t *mag)
{
    decnum d;
    if (!split_number(s, n, &d))
        return PBD_ERR_JSON_TYPE;
    size_t total = d.int_n + d.frac_n, first = 0, last = total;
    while (first < total && digit_at(&d, first) == '0')
        first++;
    *neg = d.neg;
    *mag = 0;
    if (first == total)
        return 0; /* zero, whatever the exponent */
    while (digit_at(&d, last - 1) == '0')
        last--;
    /* value = digits[first, last) * 10^scale */
    int64_t scale = d.exp - (int64_t)d.frac_n + (int64_t)(total - last);
    if (scale < 0)
        return PBD_ERR_JSON_RANGE;
    if ((int64_t)(last - first) + scale > 20)
        return PBD_ERR_JSON_RANGE;
    uint64_t v = 0;
    for (size_t k = first; k < last + (size_t)scale; k++) {
        unsigned dig = k < last ? (unsigned)(digit_at(&d, k) - '0') : 0;
        if (v > (UINT64_MAX - dig) / 10)
            return PBD_ERR_JSON_RANGE;
        v = v * 10 + dig;
    }
    *mag = v;
    return 0;
}

int pbd_num_fit(pbd_type t, bool neg, uint64_t mag, uint64_t *u)
{
    uint64_t pos_max, neg_max;
    switch (t) {
    case PBD_TYPE_INT32:
    case PBD_TYPE_SINT32:
    case PBD_TYPE_SFIXED32:
    case PBD_TYPE_ENUM:
        pos_max = INT32_MAX;
        neg_max = (uint64_t)INT32_MAX + 1;
        break;
    case PBD_TYPE_INT64:
    case PBD_TYPE_SINT64:
    case PBD_TYPE_SFIXED64:
        pos_max = INT64_MAX;
        neg_max = (uint64_t)INT64_MAX + 1;
        break;
    case PBD_TYPE_UINT32:
    case PBD_TYPE_FIXED32:
        pos_max = UINT32_MAX;
        neg_max = 0;
        break;
    default: /* uint64, fixed64 */
        pos_max = UINT64_MAX;
        neg_max = 0;
        break;
    }
    if (mag > (neg ? neg_max : pos_max))
        return PBD_ERR_JSON_RANGE;
    *u = neg ? (uint64_t)0 - mag : mag;
    return 0;
}

/* Exact powers of ten a double holds (10^22 is the last). */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
 * Clinger's fast path: at most 15 significant digits scaled by at most 10^22 are two
 * exact doubles, and one IEEE multiplication or division of them is correctly rounded,
 * as strtod is. Returns false when the number needs strtod.
 */
static bool fast_double(const decnum *d, double *v)
{
    size_t total = d->int_n + d->frac_n, first = 0;
    while (first < total && digit_at(d, first) == '0')
        first++;
    if (total - first > 15)
        return false;
    uint64_t mant = 0;
    for (size_t k = first; k < total; k++)
        mant = mant * 10 + (uint64_t)(digit_at(d, k) - '0');
    int64_t scale = d->exp - (int64_t)d->frac_n;
    if (scale < -22 || scale > 22)
        return false;
    double x = (double)mant;
    x = scale < 0 ? x / pow10_exact[-scale] : x * pow10_exact[scale];
    *v = d->neg ? -x : x;
    return true;
}

int pbd_num_parse_double(const char *s, size_t n, double *v)
{
    decnum d;
    if (!split_number(s, n, &d))
        return PBD_ERR_JSON_TYPE;
    if (fast_double(&d, v))
        return 0;
    char small[64];
    char *buf = n < sizeof(small) ? small : malloc(n + 1);
    if (buf == NULL)
        return PBD_ERR_NOMEM;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    *v = strtod(buf, NULL);
    int overflow = errno == ERANGE && isinf(*v);
    if (buf != small)
        free(buf);
    return overflow ? PBD_ERR_JSON_RANGE : 0;
}

/* Shortest %.*g text of |v| from |lo| to |hi| digits that reads back exactly. */
static int shortest(char *buf, size_t cap, double v, bool is_float)
{
    int len = 0;
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        len = snprintf(buf, cap, "%.*g", prec, v);
        double back = strtod(buf, NULL);
        if (is_float ? (float)back == (float)v : back == v)
            break;
    }
    return len;
}

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 u128;

/* 10^k for k in 0 .. 38. */
static u128 pow10_u64(int k)
{
    static const uint64_t p[20] = {1u,
                                   10u,
                                   100u,
                                   1000u,
                                   10000u,
                                   100000u,
                                   1000000u,
                                   10000000u,
                                   100000000u,
                                   1000000000u,
                                   10000000000u,
                                   100000000000u,
                                   1000000000000u,
                                   10000000000000u,
                                   100000000000000u,
                                   1000000000000000u,
                                   10000000000000000u,
                                   100000000000000000u,
                                   1000000000000000000u,
                                   10000000000000000000u};
    return k < 20 ? p[k] : (u128)p[19] * p[k - 19];
}

/* Writes |neg|, then r / 10^k in fixed notation (k fraction digits); returns the length. */
static int put_fixed(char *buf, bool neg, uint64_t r, int k)
{
    char tmp[40];
    int n = 0, len = 0;
    for (int i = 0; i < k; i++, r /= 10)
        tmp[n++] = (char)('0' + r % 10);
    if (k > 0)
        tmp[n++] = '.';
    do
        tmp[n++] = (char)('0' + r % 10);
    while ((r /= 10) != 0);
    if (neg)
        buf[len++] = '-';
    while (n > 0)
        buf[len++] = tmp[--n];
    return len;
}

/* |v| = m / 2^s exactly, with its rounding interval's shape. */
typedef struct binval {
    uint64_t m;
    int s;
    bool even, pow2;
} binval;

/* r = v * 10^k rounded to nearest even into |*r|; returns whether r / 10^k reads back
 * as v. */
static bool candidate(const binval *b, int k, u128 *r)
{
    u128 p10 = pow10_u64(k);
    u128 n = (u128)b->m * p10, q = n >> b->s, rem = n & (((u128)1 << b->s) - 1);
    u128 half = (u128)1 << (b->s - 1);
    if (rem > half || (rem == half && (q & 1) != 0))
        q++;
    *r = q;
    u128 rs = q << b->s;
    u128 diff2 = 2 * (rs > n ? rs - n : n - rs); /* both sides doubled: 10^k, not half */
    if (rs < n && b->pow2)
        diff2 *= 2;
    return diff2 < p10 || (diff2 == p10 && b->even);
}

/*
 * The common case without printf: |v| in [1e-4, 1e15) for doubles, [1e-4, 1e6) for floats
 * (where %g, as shortest() uses it, writes no exponent). |v| = m / 2^s exactly, m having
 * the type's |bits| of precision; the decimal r / 10^k reads back as |v| when it lies in
 * v's rounding interval, half an ulp each side (a quarter below a power of two; the
 * bounds themselves when m is even, as reading rounds ties to even). In units of
 * 1 / (2^s 10^k) everything is an exact 128-bit integer: N = m 10^k, r 2^s, and the
 * half-ulp 10^k / 2. For the fewest fraction digits k, r = N / 2^s rounded to nearest even
 * is the closest candidate, as printf's %.*g would give. Writes the text into |buf| and
 * returns its length, or 0 when shortest() must do it (the loop below tries at most the
 * 15, 16, 17 digits (floats: 6 to 9) that shortest() tries).
 */
static int fast_shortest(char *buf, double v, bool is_float)
{
    double a = fabs(v);
    if (!(a >= 1e-4 && a < (is_float ? 1e6 : 1e15)))
        return 0;
    uint64_t u;
    memcpy(&u, &a, 8);
    int e = (int)((u >> 52) & 0x7ff) - 1022; /* a = f 2^e, f in [0.5, 1), as frexp() */
    binval b = {.m = (u & (((uint64_t)1 << 52) - 1)) | (uint64_t)1 << 52, .s = 53 - e};
    if (is_float) { /* a float's 24 bits: the low 29 of the double's are zero */
        b.m >>= 29;
        b.s -= 29;
    }
    b.even = (b.m & 1) == 0;
    b.pow2 = (b.m & (b.m - 1)) == 0; /* s: 4 .. 67 */
    /* Start at printf's first precision (6 or 15 significant digits): at most one
     * decimal of that many digits lies in the interval, so if one does it is the
     * nearest, and dropping its trailing zeros gives the shortest. */
    int sig = is_float ? 6 : 15,
        k = sig - 1 - (e - 1) * 30103 / 100000; /* log10(a), give or take one */
    u128 r, lo = pow10_u64(sig - 1), hi = lo * 10;
    for (int fix = 0; fix < 3 && k >= 0 && k <= 21; fix++) {
        candidate(&b, k, &r);
        if (r >= hi)
            k--;
        else if (r < lo)
            k++;
    }
    for (int t = 0; t < (is_float ? 4 : 3) && k >= 0 && k <= 21; t++, k++) {
        if (!candidate(&b, k, &r))
            continue;
        uint64_t digits = (uint64_t)r; /* under 10^17 */
        while (k > 0 && digits % 10 == 0) {
            digits /= 10;
            k--;
        }
        return put_fixed(buf, v < 0, digits, k);
    }
    return 0;
}
#else
static int fast_shortest(char *buf, double v, bool is_float)
{
    (void)buf, (void)v, (void)is_float;
    return 0; /* no 128-bit integers: printf does it all */
}
#endif

int pbd_num_write_double(gb_buf *b, double v, bool is_float)
{
    if (isnan(v))
        return gb_buf_append_str(b, "\"NaN\"");
    if (isinf(v))
        return gb_buf_append_str(b, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    char buf[40];
    int len = fast_shortest(buf, v, is_float);
    if (len == 0)
        len = shortest(buf, sizeof(buf), v, is_float);
    return gb_buf_append(b, buf, (size_t)len);
}

const char *pbd_type_name(pbd_type t)
{
    static const char *const names[] = {
        "?",       "double",   "float",    "int64",  "uint64",  "int32", "fixed64",
        "fixed32", "bool",     "string",   "group",  "message", "bytes", "uint32",
        "enum",    "sfixed32", "sfixed64", "sint32", "sint64",
    };
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}
