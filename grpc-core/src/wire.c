#include <grpc-core/status.h>
#include <grpc-core/wire.h>

#include <strings.h>

int gcore_timeout_parse(gb_slice v, uint64_t *ns)
{
    if (v.n < 2 || v.n > 9)
        return GCORE_ERR_INVALID;
    uint64_t n = 0;
    for (size_t i = 0; i + 1 < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return GCORE_ERR_INVALID;
        n = n * 10 + (uint64_t)(v.p[i] - '0');
    }
    uint64_t unit;
    switch (v.p[v.n - 1]) {
    case 'H':
        unit = UINT64_C(3600000000000);
        break;
    case 'M':
        unit = UINT64_C(60000000000);
        break;
    case 'S':
        unit = UINT64_C(1000000000);
        break;
    case 'm':
        unit = UINT64_C(1000000);
        break;
    case 'u':
        unit = UINT64_C(1000);
        break;
    case 'n':
        unit = 1;
        break;
    default:
        return GCORE_ERR_INVALID;
    }
    *ns = n * unit; /* 99999999H < 2^59 ns: no overflow */
    return 0;
}

size_t gcore_timeout_format(uint64_t ns, char out[GCORE_TIMEOUT_MAX])
{
    static const struct {
        uint64_t ns;
        char unit;
    } units[] = {
        {1, 'n'},
        {UINT64_C(1000), 'u'},
        {UINT64_C(1000000), 'm'},
        {UINT64_C(1000000000), 'S'},
        {UINT64_C(60000000000), 'M'},
        {UINT64_C(3600000000000), 'H'},
    };
    const uint64_t max = 99999999;
    uint64_t value = max;
    char unit = 'H';
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        uint64_t v = ns / units[i].ns + (ns % units[i].ns != 0);
        if (v <= max) {
            value = v;
            unit = units[i].unit;
            break;
        }
    }
    /* By hand: snprintf cost ~900 instructions, once per call. */
    char digits[8];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    size_t len = 0;
    while (n > 0)
        out[len++] = digits[--n];
    out[len++] = unit;
    out[len] = '\0';
    return len;
}

int gcore_message_encode(gb_slice msg, gb_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < msg.n; i++) {
        uint8_t c = msg.p[i];
        int rc;
        if (c >= 0x20 && c <= 0x7e && c != '%') {
            rc = gb_buf_putc(out, c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = gb_buf_append(out, e, 3);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int gcore_message_decode(gb_slice v, gb_buf *out)
{
    for (size_t i = 0; i < v.n; i++) {
        uint8_t c = v.p[i];
        if (c == '%' && i + 2 < v.n && hexval(v.p[i + 1]) >= 0 && hexval(v.p[i + 2]) >= 0) {
            c = (uint8_t)(hexval(v.p[i + 1]) << 4 | hexval(v.p[i + 2]));
            i += 2;
        }
        int rc = gb_buf_putc(out, c);
        if (rc != 0)
            return rc;
    }
    return 0;
}

bool gcore_content_type_is_grpc(gb_slice v)
{
    static const char base[] = "application/grpc";
    size_t n = sizeof(base) - 1;
    if (v.n < n || strncasecmp((const char *)v.p, base, n) != 0)
        return false;
    return v.n == n || v.p[n] == '+' || v.p[n] == ';';
}
