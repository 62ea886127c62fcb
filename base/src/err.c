#include <base/err.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gb_err_set(gb_err *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

int gb_err_prefix(gb_err *err, const char *prefix)
{
    if (err == NULL)
        return 0;
    /* Truncation is intended: the message stays within its 256 bytes. */
    char joined[sizeof(err->msg)];
    size_t cap = sizeof(joined) - 1, n = 0;
    const char *parts[] = {prefix, ": ", err->msg};
    for (size_t i = 0; i < 3; i++) {
        size_t len = strnlen(parts[i], cap - n);
        memcpy(joined + n, parts[i], len);
        n += len;
    }
    joined[n] = '\0';
    memcpy(err->msg, joined, n + 1);
    return err->code;
}

const char *gb_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
    case GB_ERR_NOMEM:
        return "out of memory";
    case GB_ERR_LIMIT:
        return "size limit reached";
    case GB_ERR_INVALID:
        return "malformed input";
    case GB_ERR_IO:
        return "input/output error";
    default:
        return "unknown error";
    }
}
