/*
 * JSON written straight into a gb_buf: separators, optional indentation (two spaces a
 * level, as python's json.dumps(indent=2) lays it out), string escaping, and error
 * messages that name the JSON path.
 */
#include "json_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static size_t clean_run(const char *s, size_t i, size_t n);

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
    return pbd_putc(w->out, (uint8_t)c);
}

int pbd_jw_close(pbd_jw *w, char c)
{
    w->level--;
    int rv = 0;
    if (!w->first)
        rv = newline(w);
    w->first = false;
    return rv != 0 ? rv : pbd_putc(w->out, (uint8_t)c);
}

int pbd_jw_elem(pbd_jw *w)
{
    int rv = 0;
    if (!w->first)
        rv = pbd_putc(w->out, ',');
    w->first = false;
    return rv != 0 ? rv : newline(w);
}

int pbd_jw_key(pbd_jw *w, const char *k, size_t n)
{
    gb_buf *b = w->out;
    if (w->indent <= 0 && n + 4 <= b->cap - b->n && clean_run(k, 0, n) == n) {
        uint8_t *o = b->p + b->n; /* the common case: a compact key needing no escape */
        size_t j = 0;
        if (!w->first)
            o[j++] = ',';
        w->first = false;
        o[j++] = '"';
        memcpy(o + j, k, n);
        j += n;
        o[j++] = '"';
        o[j++] = ':';
        b->n += j;
        return 0;
    }
    int rv = pbd_jw_elem(w);
    if (rv == 0)
        rv = pbd_jw_string(w->out, k, n);
    if (rv == 0)
        rv = w->indent > 0 ? pbd_append(w->out, ": ", 2) : pbd_putc(w->out, ':');
    return rv;
}

/* Bytes that may need an escape: control characters, '"', '\\', and 0xe2, the lead byte
 * of U+2028 and U+2029. */
static const uint8_t needs_escape[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
    [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1, [0xe2] = 1,
};

/* Whether a byte of the eight in |w| may need an escape (the bit tricks of "Bit
 * Twiddling Hacks": hasless(w, 0x20) and haszero(w ^ c) for each special byte c). */
static bool word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\'), e2 = w ^ (ones * 0xe2);
    uint64_t hit =
        ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((bs - ones) & ~bs) | ((e2 - ones) & ~e2);
    return (hit & high) != 0;
}

/* The index of the first byte from |i| on that may need an escape, or |n|. */
static size_t clean_run(const char *s, size_t i, size_t n)
{
    uint64_t w;
    while (n - i >= 8) {
        memcpy(&w, s + i, 8);
        if (word_special(w))
            break;
        i += 8;
    }
    while (i < n && !needs_escape[(uint8_t)s[i]])
        i++;
    return i;
}

/* The escape of byte |s[i]| into |esc| (its length), or 0 when it needs none (an 0xe2
 * that does not start U+2028 / U+2029); |*skip| gets the extra bytes it stands for. */
static size_t escape_at(const char *s, size_t i, size_t n, char esc[8], size_t *skip)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t c = (uint8_t)s[i];
    unsigned cp = c;
    *skip = 0;
    if (c == 0xe2) {
        if (i + 2 >= n || (uint8_t)s[i + 1] != 0x80 ||
            ((uint8_t)s[i + 2] != 0xa8 && (uint8_t)s[i + 2] != 0xa9))
            return 0;
        cp = 0x2028u + ((uint8_t)s[i + 2] - 0xa8u);
        *skip = 2;
    }
    esc[0] = '\\';
    switch (cp) {
    case '"':
    case '\\':
        esc[1] = (char)c;
        return 2;
    case '\n':
        esc[1] = 'n';
        return 2;
    case '\r':
        esc[1] = 'r';
        return 2;
    case '\t':
        esc[1] = 't';
        return 2;
    case '\b':
        esc[1] = 'b';
        return 2;
    case '\f':
        esc[1] = 'f';
        return 2;
    default:
        esc[1] = 'u';
        for (int k = 0; k < 4; k++)
            esc[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
        return 6;
    }
}

/* Quotes, backslashes and control characters escaped; also U+2028 and U+2029, which
 * JavaScript does not accept raw in string literals (python escapes them too). Runs
 * that need no escape, found eight bytes at a time, are copied whole. */
int pbd_jw_string(gb_buf *b, const char *s, size_t n)
{
    if (n == 0)
        return pbd_append(b, "\"\"", 2); /* |s| may be NULL */
    size_t i = clean_run(s, 0, n);
    if (i == n && n + 2 <= b->cap - b->n) { /* the common case: one copy */
        b->p[b->n] = '"';
        memcpy(b->p + b->n + 1, s, n);
        b->p[b->n + n + 1] = '"';
        b->n += n + 2;
        return 0;
    }
    int rv = gb_buf_reserve(b, n + 2);
    if (rv != 0)
        return rv;
    b->p[b->n++] = '"';
    size_t run = 0;
    for (;; i = clean_run(s, i, n)) {
        if (i == n)
            break;
        char esc[8];
        size_t skip, len = escape_at(s, i, n, esc, &skip);
        if (len == 0) {
            i++;
            continue;
        }
        if ((rv = pbd_append(b, s + run, i - run)) != 0 || (rv = pbd_append(b, esc, len)) != 0)
            return rv;
        i += 1 + skip;
        run = i;
    }
    if ((rv = gb_buf_reserve(b, n - run + 1)) != 0)
        return rv;
    memcpy(b->p + b->n, s + run, n - run);
    b->n += n - run;
    b->p[b->n++] = '"';
    return 0;
}

int pbd_jw_utf8(gb_buf *b, const char *s, size_t n)
{
    if (n == 0)
        return pbd_append(b, "\"\"", 2); /* |s| may be NULL */
    int rv = n + 2 <= b->cap - b->n ? 0 : gb_buf_reserve(b, n + 2);
    if (rv != 0)
        return rv;
    size_t start = b->n, run = 0;
    b->p[b->n++] = '"';
    for (size_t i = pbd_ascii_run(s, 0, n); i < n; i = pbd_ascii_run(s, i, n)) {
        size_t k = 1, skip = 0, len = 0;
        char esc[8];
        if ((uint8_t)s[i] >= 0x80 && (k = pbd_utf8_seq((const uint8_t *)s + i, n - i)) == 0) {
            b->n = start;
            return PBD_ERR_WIRE_UTF8;
        }
        if ((uint8_t)s[i] < 0x80 || (uint8_t)s[i] == 0xe2)
            len = escape_at(s, i, n, esc, &skip);
        if (len == 0) {
            i += k;
            continue;
        }
        if ((rv = pbd_append(b, s + run, i - run)) != 0 || (rv = pbd_append(b, esc, len)) != 0)
            return rv;
        i += 1 + skip;
        run = i;
    }
    if (n - run + 1 > b->cap - b->n && (rv = gb_buf_reserve(b, n - run + 1)) != 0)
        return rv;
    memcpy(b->p + b->n, s + run, n - run);
    b->n += n - run;
    b->p[b->n++] = '"';
    return 0;
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
