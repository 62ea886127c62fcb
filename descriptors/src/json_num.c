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

int pbd_num_parse_double(const char *s, size_t n, double *v)
{
    decnum d;
    if (!split_number(s, n, &d))
        return PBD_ERR_JSON_TYPE;
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

int pbd_num_write_double(gb_buf *b, double v, bool is_float)
{
    if (isnan(v))
        return gb_buf_append_str(b, "\"NaN\"");
    if (isinf(v))
        return gb_buf_append_str(b, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    char buf[40];
    int len = shortest(buf, sizeof(buf), v, is_float);
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
