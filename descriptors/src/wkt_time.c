/*
 * The string forms of google.protobuf.Timestamp (RFC 3339), Duration ("1.5s") and
 * FieldMask ("a.bC,d"), both ways, with the ranges the ProtoJSON spec sets.
 */
#include "json_int.h"

#include <string.h>

#define TS_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define TS_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */
#define DUR_MAX 315576000000LL  /* 10000 years */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* |n| decimal digits at |s| into |*v|; false when one is not a digit. */
static bool digits(const char *s, size_t n, int64_t *v)
{
    int64_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return true;
}

/* ".123" at |s| (at most 9 digits) as nanoseconds; returns the characters used. */
static size_t fraction(const char *s, size_t n, int32_t *nanos)
{
    *nanos = 0;
    if (n == 0 || s[0] != '.')
        return 0;
    size_t k = 1;
    int32_t v = 0, scale = 100000000;
    while (k < n && k <= 9 && s[k] >= '0' && s[k] <= '9') {
        v += (s[k] - '0') * scale;
        scale /= 10;
        k++;
    }
    if (k == 1 || (k < n && s[k] >= '0' && s[k] <= '9'))
        return (size_t)-1;
    *nanos = v;
    return k;
}

static bool valid_date(int64_t y, int64_t mo, int64_t d)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || mo < 1 || mo > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= (int64_t)mdays[mo - 1] + (mo == 2 && leap);
}

int pbd_timestamp_parse(const char *s, size_t n, int64_t *secs, int32_t *nanos)
{
    int64_t y, mo, d, h, mi, se, oh = 0, om = 0;
    if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return PBD_ERR_JSON_VALUE;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return PBD_ERR_JSON_VALUE;
    if (!valid_date(y, mo, d) || h > 23 || mi > 59 || se > 59)
        return PBD_ERR_JSON_VALUE;
    size_t k = 19, used = fraction(s + k, n - k, nanos);
    if (used == (size_t)-1)
        return PBD_ERR_JSON_VALUE;
    k += used;
    if (k + 1 == n && (s[k] == 'Z' || s[k] == 'z')) {
        /* UTC */
    } else if (k + 6 == n && (s[k] == '+' || s[k] == '-') && s[k + 3] == ':' &&
               digits(s + k + 1, 2, &oh) && digits(s + k + 4, 2, &om) && oh <= 23 && om <= 59) {
        if (s[k] == '-') {
            oh = -oh;
            om = -om;
        }
    } else {
        return PBD_ERR_JSON_VALUE;
    }
    int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    t -= oh * 3600 + om * 60;
    if (t < TS_MIN || t > TS_MAX)
        return PBD_ERR_JSON_RANGE;
    *secs = t;
    return 0;
}

static int put_fraction(gb_buf *b, int32_t nanos)
{
    if (nanos == 0)
        return 0;
    if (nanos % 1000000 == 0)
        return gb_buf_printf(b, ".%03d", nanos / 1000000);
    if (nanos % 1000 == 0)
        return gb_buf_printf(b, ".%06d", nanos / 1000);
    return gb_buf_printf(b, ".%09d", nanos);
}

int pbd_timestamp_format(gb_buf *b, int64_t secs, int32_t nanos)
{
    if (secs < TS_MIN || secs > TS_MAX || nanos < 0 || nanos > 999999999)
        return PBD_ERR_JSON_VALUE;
    int64_t days = (secs >= 0 ? secs : secs - 86399) / 86400, rem = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int rv = gb_buf_printf(b, "\"%04d-%02u-%02uT%02d:%02d:%02d", (int)y, m, d, (int)(rem / 3600),
                           (int)(rem / 60 % 60), (int)(rem % 60));
    if (rv == 0)
        rv = put_fraction(b, nanos);
    return rv != 0 ? rv : gb_buf_append(b, "Z\"", 2);
}

int pbd_duration_parse(const char *s, size_t n, int64_t *secs, int32_t *nanos)
{
    size_t k = 0, start;
    bool neg = n > 0 && s[0] == '-';
    int64_t v = 0;
    k += neg;
    start = k;
    while (k < n && s[k] >= '0' && s[k] <= '9' && k - start < 13)
        v = v * 10 + (s[k++] - '0');
    if (k == start)
        return PBD_ERR_JSON_VALUE;
    size_t used = fraction(s + k, n - k, nanos);
    if (used == (size_t)-1)
        return PBD_ERR_JSON_VALUE;
    k += used;
    if (k + 1 != n || s[k] != 's')
        return PBD_ERR_JSON_VALUE;
    if (v > DUR_MAX)
        return PBD_ERR_JSON_RANGE;
    *secs = neg ? -v : v;
    if (neg)
        *nanos = -*nanos;
    return 0;
}

int pbd_duration_format(gb_buf *b, int64_t secs, int32_t nanos)
{
    if (secs < -DUR_MAX || secs > DUR_MAX || nanos < -999999999 || nanos > 999999999 ||
        (secs > 0 && nanos < 0) || (secs < 0 && nanos > 0))
        return PBD_ERR_JSON_VALUE;
    bool neg = secs < 0 || nanos < 0;
    int rv = gb_buf_printf(b, "\"%s%lld", neg ? "-" : "", (long long)(secs < 0 ? -secs : secs));
    if (rv == 0)
        rv = put_fraction(b, nanos < 0 ? -nanos : nanos);
    return rv != 0 ? rv : gb_buf_append(b, "s\"", 2);
}

int pbd_fieldmask_parse(const char *s, size_t n, gb_buf *wire, uint32_t number)
{
    gb_buf path;
    gb_buf_init(&path, 0);
    int rv = 0;
    for (size_t i = 0; rv == 0 && i <= n; i++) {
        if (i < n && s[i] != ',') {
            char c = s[i];
            if (c == '_')
                rv = PBD_ERR_JSON_VALUE;
            else if (c >= 'A' && c <= 'Z')
                rv = gb_buf_append(&path, (const char[]){'_', (char)(c - 'A' + 'a')}, 2);
            else
                rv = gb_buf_putc(&path, (uint8_t)c);
            continue;
        }
        if (path.n > 0)
            rv = pbd_wire_bytes(wire, number, path.p, path.n);
        gb_buf_reset(&path);
    }
    gb_buf_free(&path);
    return rv;
}

int pbd_fieldmask_camel(gb_buf *b, const char *path, size_t n)
{
    bool after = false;
    for (size_t i = 0; i < n; i++) {
        char c = path[i];
        int rv = 0;
        if (c >= 'A' && c <= 'Z')
            return PBD_ERR_JSON_VALUE;
        if (after) {
            if (c < 'a' || c > 'z')
                return PBD_ERR_JSON_VALUE;
            rv = gb_buf_putc(b, (uint8_t)(c - 'a' + 'A'));
            after = false;
        } else if (c == '_') {
            after = true;
        } else {
            rv = gb_buf_putc(b, (uint8_t)c);
        }
        if (rv != 0)
            return rv;
    }
    return after ? PBD_ERR_JSON_VALUE : 0;
}

static int put_secs_nanos(gb_buf *out, int64_t secs, int32_t nanos)
{
    int rv = 0;
    if (secs != 0 && (rv = pbd_wire_tag(out, 1, PBD_WT_VARINT)) == 0)
        rv = pbd_wire_varint(out, (uint64_t)secs);
    if (rv == 0 && nanos != 0 && (rv = pbd_wire_tag(out, 2, PBD_WT_VARINT)) == 0)
        rv = pbd_wire_varint(out, (uint64_t)(int64_t)nanos);
    return rv;
}

int pbd_wkt_from_text(const pbd_message *m, const char *s, size_t n, gb_buf *out, gb_err *err)
{
    int64_t secs = 0;
    int32_t nanos = 0;
    int rv;
    int len = pbd_clip(s, n, 60);
    switch (m->wkt) {
    case PBD_WKT_TIMESTAMP:
        rv = pbd_timestamp_parse(s, n, &secs, &nanos);
        if (rv == PBD_ERR_JSON_RANGE)
            return gb_err_set(err, rv, "Timestamp out of range: \"%.*s\"", len, s);
        if (rv != 0)
            return gb_err_set(err, rv, "expected an RFC 3339 Timestamp, got \"%.*s\"", len, s);
        return put_secs_nanos(out, secs, nanos);
    case PBD_WKT_DURATION:
        rv = pbd_duration_parse(s, n, &secs, &nanos);
        if (rv == PBD_ERR_JSON_RANGE)
            return gb_err_set(err, rv, "Duration out of range: \"%.*s\"", len, s);
        if (rv != 0)
            return gb_err_set(err, rv, "expected a Duration such as \"1.5s\", got \"%.*s\"", len,
                              s);
        return put_secs_nanos(out, secs, nanos);
    default: /* PBD_WKT_FIELD_MASK */
        rv = pbd_fieldmask_parse(s, n, out, 1);
        if (rv == PBD_ERR_JSON_VALUE)
            return gb_err_set(err, rv, "FieldMask paths are lowerCamel, got \"%.*s\"", len, s);
        return rv;
    }
}
