/*
 * JSON text to a flat node array in one pass, without recursion (an explicit stack of
 * open containers), keeping each number's and string's source span: 64-bit integers are
 * then read exactly from their text, which a double-based parser (cJSON) cannot do.
 */
#include "json_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct lexer {
    pbd_jdoc *d;
    const char *s;
    size_t n;
    size_t i;
    uint32_t *stack; /* node indices of open containers */
    size_t depth;
    size_t stack_cap;
    bool key; /* the string being read is an object key */
    gb_err *err;
} lexer;

static int syntax(lexer *l, const char *what)
{
    size_t line = 1, col = 1;
    for (size_t k = 0; k < l->i && k < l->n; k++) {
        if (l->s[k] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return gb_err_set(l->err, PBD_ERR_JSON_SYNTAX, "invalid JSON at line %zu column %zu: %s", line,
                      col, what);
}

static void skip_ws(lexer *l)
{
    while (l->i < l->n) {
        char c = l->s[l->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        l->i++;
    }
}

static int push_node(lexer *l, pbd_jtype t, size_t off, size_t len, uint32_t *idx)
{
    pbd_jdoc *d = l->d;
    if (d->n == d->cap) {
        if (d->cap >= UINT32_MAX / 4)
            return gb_err_set(l->err, PBD_ERR_NOMEM, "JSON document too large");
        uint32_t cap = d->cap != 0 ? d->cap * 2 : 64;
        pbd_jnode *nodes = realloc(d->nodes, cap * sizeof(*nodes));
        if (nodes == NULL)
            return gb_err_set(l->err, PBD_ERR_NOMEM, "out of memory");
        d->nodes = nodes;
        d->cap = cap;
    }
    pbd_jnode *j = &d->nodes[d->n];
    j->type = (uint8_t)t;
    j->escape = 0;
    j->off = (uint32_t)off;
    j->len = (uint32_t)len;
    j->end = d->n + 1;
    *idx = d->n++;
    /* An object counts its members: the key nodes. */
    if (l->depth > 0) {
        pbd_jnode *up = &d->nodes[l->stack[l->depth - 1]];
        if (up->type == PBD_J_ARRAY || l->key)
            up->len++;
    }
    return 0;
}

/* Length of a valid UTF-8 sequence starting at |p| (|n| bytes available), or 0. */
size_t pbd_utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    uint32_t cp = c & (0x3f >> (len - 1));
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

bool pbd_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint64_t w = 0;
        if (n - i >= 8)
            memcpy(&w, p + i, 8);
        if (n - i >= 8 && (w & 0x8080808080808080u) == 0) {
            i += 8; /* eight ASCII bytes at once */
            continue;
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = pbd_utf8_seq(p + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

static int hex4(const char *s, uint32_t *v)
{
    uint32_t r = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        r <<= 4;
        if (c >= '0' && c <= '9')
            r |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            r |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            r |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *v = r;
    return 0;
}

static int lex_string(lexer *l, uint32_t *idx)
{
    size_t start = ++l->i; /* past the quote */
    bool escape = false;
    while ((l->i = pbd_ascii_run(l->s, l->i, l->n)) < l->n) {
        uint8_t c = (uint8_t)l->s[l->i];
        if (c == '"') {
            int rv = push_node(l, PBD_J_STRING, start, l->i - start, idx);
            if (rv != 0)
                return rv;
            l->d->nodes[*idx].escape = escape;
            l->i++;
            return 0;
        }
        if (c < 0x20)
            return syntax(l, "control character in string");
        if (c == '\\') {
            escape = true;
            if (l->i + 1 >= l->n)
                break;
            char e = l->s[l->i + 1];
            uint32_t v;
            if (e == 'u') {
                if (l->n - l->i < 6 || hex4(l->s + l->i + 2, &v) != 0)
                    return syntax(l, "bad \\u escape");
                l->i += 6;
            } else if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
                l->i += 2;
            } else {
                return syntax(l, "bad escape");
            }
            continue;
        }
        size_t k = pbd_utf8_seq((const uint8_t *)l->s + l->i, l->n - l->i);
        if (k == 0)
            return syntax(l, "invalid UTF-8");
        l->i += k;
    }
    return syntax(l, "unterminated string");
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int lex_number(lexer *l, uint32_t *idx)
{
    size_t start = l->i, i = l->i;
    const char *s = l->s;
    if (i < l->n && s[i] == '-')
        i++;
    if (i >= l->n || !is_digit(s[i]))
        return syntax(l, "bad number");
    if (s[i] == '0')
        i++;
    else
        while (i < l->n && is_digit(s[i]))
            i++;
    if (i < l->n && s[i] == '.') {
        i++;
        if (i >= l->n || !is_digit(s[i]))
            return syntax(l, "bad number");
        while (i < l->n && is_digit(s[i]))
            i++;
    }
    if (i < l->n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < l->n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= l->n || !is_digit(s[i]))
            return syntax(l, "bad number");
        while (i < l->n && is_digit(s[i]))
            i++;
    }
    l->i = i;
    return push_node(l, PBD_J_NUMBER, start, i - start, idx);
}

static int lex_literal(lexer *l, uint32_t *idx)
{
    static const struct {
        const char *text;
        pbd_jtype type;
    } lits[] = {{"true", PBD_J_TRUE}, {"false", PBD_J_FALSE}, {"null", PBD_J_NULL}};
    for (size_t k = 0; k < 3; k++) {
        size_t len = strlen(lits[k].text);
        if (l->n - l->i >= len && memcmp(l->s + l->i, lits[k].text, len) == 0) {
            size_t start = l->i;
            l->i += len;
            return push_node(l, lits[k].type, start, len, idx);
        }
    }
    return syntax(l, "unexpected character");
}

static int open_container(lexer *l, pbd_jtype t, int max_depth)
{
    uint32_t idx;
    if (max_depth > 0 && l->depth >= (size_t)max_depth)
        return gb_err_set(l->err, PBD_ERR_DEPTH, "JSON nested deeper than %d levels", max_depth);
    int rv = push_node(l, t, l->i, 0, &idx);
    if (rv != 0)
        return rv;
    if (l->depth == l->stack_cap) {
        size_t cap = l->stack_cap != 0 ? l->stack_cap * 2 : 16;
        uint32_t *st = realloc(l->stack, cap * sizeof(*st));
        if (st == NULL)
            return gb_err_set(l->err, PBD_ERR_NOMEM, "out of memory");
        l->stack = st;
        l->stack_cap = cap;
    }
    l->stack[l->depth++] = idx;
    l->i++;
    return 0;
}

static void close_container(lexer *l)
{
    uint32_t idx = l->stack[--l->depth];
    l->d->nodes[idx].end = l->d->n;
    l->i++;
}

/* One value at the current position; containers are opened (|*opened|), not finished. */
static int lex_value(lexer *l, int max_depth, bool *opened)
{
    uint32_t idx;
    skip_ws(l);
    *opened = false;
    if (l->i >= l->n)
        return syntax(l, "unexpected end of input");
    char c = l->s[l->i];
    if (c == '{' || c == '[') {
        *opened = true;
        return open_container(l, c == '{' ? PBD_J_OBJECT : PBD_J_ARRAY, max_depth);
    }
    if (c == '"')
        return lex_string(l, &idx);
    if (c == '-' || is_digit(c))
        return lex_number(l, &idx);
    return lex_literal(l, &idx);
}

/* After a value (or an opening bracket when |opened|): closes containers, reads the
 * separator and the next key. Sets |*done| when the top-level value is complete. */
static int lex_after(lexer *l, bool opened, bool *done)
{
    for (;;) {
        skip_ws(l);
        if (l->depth == 0) {
            *done = true;
            return l->i == l->n ? 0 : syntax(l, "trailing characters");
        }
        const pbd_jnode *top = &l->d->nodes[l->stack[l->depth - 1]];
        bool obj = top->type == PBD_J_OBJECT;
        if (l->i >= l->n)
            return syntax(l, "unexpected end of input");
        char c = l->s[l->i];
        if (c == (obj ? '}' : ']')) {
            close_container(l);
            opened = false;
            continue;
        }
        if (!opened) {
            if (c != ',')
                return syntax(l, obj ? "expected ',' or '}'" : "expected ',' or ']'");
            l->i++;
            skip_ws(l);
        }
        if (!obj)
            return 0;
        uint32_t idx;
        if (l->i >= l->n || l->s[l->i] != '"')
            return syntax(l, "expected a string key");
        l->key = true;
        int rv = lex_string(l, &idx);
        l->key = false;
        if (rv != 0)
            return rv;
        skip_ws(l);
        if (l->i >= l->n || l->s[l->i] != ':')
            return syntax(l, "expected ':'");
        l->i++;
        return 0;
    }
}

int pbd_jdoc_parse(pbd_jdoc *d, const char *src, size_t len, int max_depth, gb_err *err)
{
    memset(d, 0, sizeof(*d));
    d->src = src;
    d->src_len = len;
    if (len >= UINT32_MAX)
        return gb_err_set(err, PBD_ERR_JSON_SYNTAX, "JSON document too large");
    lexer l = {.d = d, .s = src, .n = len, .err = err};
    int rv = 0;
    bool done = false;
    while (!done) {
        bool opened;
        rv = lex_value(&l, max_depth, &opened);
        if (rv != 0)
            break;
        rv = lex_after(&l, opened, &done);
        if (rv != 0)
            break;
    }
    free(l.stack);
    if (rv != 0)
        pbd_jdoc_free(d);
    return rv;
}

void pbd_jdoc_free(pbd_jdoc *d)
{
    free(d->nodes);
    d->nodes = NULL;
    d->n = d->cap = 0;
}

static void put_utf8(uint8_t *o, size_t *k, uint32_t cp)
{
    if (cp < 0x80) {
        o[(*k)++] = (uint8_t)cp;
    } else if (cp < 0x800) {
        o[(*k)++] = (uint8_t)(0xc0 | cp >> 6);
        o[(*k)++] = (uint8_t)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        o[(*k)++] = (uint8_t)(0xe0 | cp >> 12);
        o[(*k)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        o[(*k)++] = (uint8_t)(0x80 | (cp & 0x3f));
    } else {
        o[(*k)++] = (uint8_t)(0xf0 | cp >> 18);
        o[(*k)++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        o[(*k)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        o[(*k)++] = (uint8_t)(0x80 | (cp & 0x3f));
    }
}

static uint8_t unescape_char(char e)
{
    switch (e) {
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return (uint8_t)e; /* " \ / */
    }
}

/* The lexer validated the escapes; only surrogate pairing is checked here. */
int pbd_jstr_decode(const pbd_jdoc *d, const pbd_jnode *j, gb_buf *out)
{
    const char *s = d->src + j->off;
    size_t n = j->len;
    if (!j->escape)
        return gb_buf_append(out, s, n);
    int rv = gb_buf_reserve(out, n); /* decoded text is never longer */
    if (rv != 0)
        return rv;
    uint8_t *o = out->p + out->n;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            o[k++] = (uint8_t)s[i++];
            continue;
        }
        if (s[i + 1] != 'u') {
            o[k++] = unescape_char(s[i + 1]);
            i += 2;
            continue;
        }
        uint32_t cp = 0, lo = 0;
        hex4(s + i + 2, &cp);
        i += 6;
        if (cp >= 0xdc00 && cp <= 0xdfff)
            return PBD_ERR_JSON_VALUE;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (n - i < 6 || s[i] != '\\' || s[i + 1] != 'u' || hex4(s + i + 2, &lo) != 0 ||
                lo < 0xdc00 || lo > 0xdfff)
                return PBD_ERR_JSON_VALUE;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
        }
        put_utf8(o, &k, cp);
    }
    out->n += k;
    return 0;
}

const char *pbd_jtype_name(pbd_jtype t)
{
    static const char *const names[] = {"null",   "false", "true",  "number",
                                        "string", "array", "object"};
    return names[t];
}
