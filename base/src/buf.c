#include <base/buf.h>
#include <base/err.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gb_buf_init(gb_buf *b, size_t limit)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
    b->limit = limit;
}

int gb_buf_reserve(gb_buf *b, size_t extra)
{
    if (extra <= b->cap - b->n)
        return 0;
    if (extra > SIZE_MAX / 2 - b->n)
        return GB_ERR_LIMIT;
    size_t need = b->n + extra;
    if (b->limit != 0 && need > b->limit)
        return GB_ERR_LIMIT;
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need)
        cap *= 2;
    if (b->limit != 0 && cap > b->limit)
        cap = b->limit;
    uint8_t *p = realloc(b->p, cap);
    if (p == NULL)
        return GB_ERR_NOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

int gb_buf_append(gb_buf *b, const void *p, size_t n)
{
    int rv = gb_buf_reserve(b, n);
    if (rv != 0)
        return rv;
    if (n != 0)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

int gb_buf_append_str(gb_buf *b, const char *s)
{
    return gb_buf_append(b, s, strlen(s));
}

int gb_buf_putc(gb_buf *b, uint8_t c)
{
    if (b->n == b->cap) {
        int rv = gb_buf_reserve(b, 1);
        if (rv != 0)
            return rv;
    }
    b->p[b->n++] = c;
    return 0;
}

int gb_buf_printf(gb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return GB_ERR_INVALID;
    /* One extra byte for vsnprintf's NUL, which is then not counted in n. */
    int rv = gb_buf_reserve(b, (size_t)len + 1);
    if (rv != 0)
        return rv;
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
    return 0;
}

void gb_buf_reset(gb_buf *b)
{
    b->n = 0;
}

void gb_buf_free(gb_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
}
