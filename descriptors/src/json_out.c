/*
 * JSON written straight into a gb_buf: separators, optional indentation (two spaces a
 * level, as python's json.dumps(indent=2) lays it out), string escaping, and error
 * messages that name the JSON path.
 */
#include "json_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int newline(pbd_jw *w)
{
    if (w->indent <= 0)
        return 0;
    size_t n = 1 + (size_t)w->indent * (size_t)w->level;
    int rv = gb_buf_reserve(w->out, n);
    if (rv != 0)
        return rv;
    uint8_t *o = w->out->p + w->out->n;
    o[0] = '\n';
    memset(o + 1, ' ', n - 1);
    w->out->n += n;
    return 0;
}

int pbd_jw_open(pbd_jw *w, char c)
{
    w->level++;
    w->first = true;
    return gb_buf_putc(w->out, (uint8_t)c);
}

int pbd_jw_close(pbd_jw *w, char c)
{
    w->level--;
    int rv = 0;
    if (!w->first)
        rv = newline(w);
    w->first = false;
    return rv != 0 ? rv : gb_buf_putc(w->out, (uint8_t)c);
}

int pbd_jw_elem(pbd_jw *w)
{
    int rv = 0;
    if (!w->first)
        rv = gb_buf_putc(w->out, ',');
    w->first = false;
    return rv != 0 ? rv : newline(w);
}

int pbd_jw_key(pbd_jw *w, const char *k, size_t n)
{
    int rv = pbd_jw_elem(w);
    if (rv == 0)
        rv = pbd_jw_string(w->out, k, n);
    if (rv == 0)
        rv = w->indent > 0 ? gb_buf_append(w->out, ": ", 2) : gb_buf_putc(w->out, ':');
    return rv;
}

/* Quotes, backslashes and control characters escaped; also U+2028 and U+2029, which
 * JavaScript does not accept raw in string literals (python escapes them too). */
int pbd_jw_string(gb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (n == 0)
        return gb_buf_append(b, "\"\"", 2); /* |s| may be NULL */
    int rv = gb_buf_reserve(b, n + 2);
    if (rv != 0)
        return rv;
    b->p[b->n++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        bool sep = c == 0xe2 && i + 2 < n && (uint8_t)s[i + 1] == 0x80 &&
                   ((uint8_t)s[i + 2] == 0xa8 || (uint8_t)s[i + 2] == 0xa9);
        if (c >= 0x20 && c != '"' && c != '\\' && !sep)
            continue;
        if ((rv = gb_buf_append(b, s + run, i - run)) != 0)
            return rv;
        char esc[8] = {'\\', 0};
        size_t len = 2;
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default: {
            unsigned cp = sep ? 0x2028u + ((uint8_t)s[i + 2] - 0xa8u) : c;
            memcpy(esc, "\\u", 2);
            for (int k = 0; k < 4; k++)
                esc[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
            len = 6;
            if (sep)
                i += 2;
        }
        }
        if ((rv = gb_buf_append(b, esc, len)) != 0)
            return rv;
        run = i + 1;
    }
    if ((rv = gb_buf_append(b, s + run, n - run)) != 0)
        return rv;
    return gb_buf_putc(b, '"');
}

const pbd_field *pbd_field_named(const pbd_message *m, const char *name, size_t len)
{
    const pbd_field *f = pbd_message_field_by_json_name(m, name, len);
    return f != NULL ? f : pbd_message_field_by_name(m, name, len);
}

int pbd_clip(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return (int)n;
    while (max > 0 && ((uint8_t)s[max] & 0xc0) == 0x80)
        max--;
    return (int)max;
}

static size_t path_print(char *o, size_t cap, const pbd_jpath *p)
{
    if (p == NULL)
        return 0;
    size_t n = path_print(o, cap, p->up);
    if (n >= cap)
        return n;
    int k;
    size_t key_len = p->key_len == PBD_JPATH_CSTR && p->key != NULL ? strlen(p->key) : p->key_len;
    if (p->key == NULL)
        k = snprintf(o + n, cap - n, "[%zu]", p->index);
    else if (p->map_key)
        k = snprintf(o + n, cap - n, "[\"%.*s\"]", (int)key_len, p->key);
    else
        k = snprintf(o + n, cap - n, "%s%.*s", n > 0 ? "." : "", (int)key_len, p->key);
    return k < 0 ? n : n + (size_t)k;
}

int pbd_finish(int rv, gb_buf *out, size_t before, gb_err *err)
{
    if (rv == GB_ERR_NOMEM || (rv == PBD_ERR_NOMEM && err != NULL && err->code != rv))
        rv = gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
    else if (rv == GB_ERR_LIMIT)
        gb_err_set(err, rv, "output larger than its limit");
    if (rv != 0)
        out->n = before;
    return rv;
}

int pbd_jpath_prefix(gb_err *err, const pbd_jpath *p, int code)
{
    if (err == NULL)
        return code;
    char where[160];
    size_t n = path_print(where, sizeof(where), p);
    if (n == 0)
        memcpy(where, "(root)", 7);
    gb_err_prefix(err, where);
    return code;
}

int pbd_jpath_err(gb_err *err, const pbd_jpath *p, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    char where[160];
    size_t n = path_print(where, sizeof(where), p);
    if (n == 0)
        memcpy(where, "(root)", 7);
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return gb_err_set(err, code, "%s: %s", where, what);
}
