/*
 * Matching request paths against compiled templates, and capturing variables with
 * percent-decoding. The router shares the splitting and capturing.
 */
#include "template_int.h"

#include <string.h>

int pbd_split_path(const char *path, size_t len, bool with_verb, gb_arena *arena, pbd_split *out)
{
    if (len == 0 || path[0] != '/')
        return PBD_ERR_NOT_FOUND;
    size_t n = 1;
    for (size_t i = 1; i < len; i++)
        n += path[i] == '/';
    pbd_span *segs = gb_arena_alloc(arena, n * sizeof(*segs));
    if (segs == NULL)
        return PBD_ERR_NOMEM;
    size_t k = 0, start = 1;
    for (size_t i = 1; i <= len; i++) {
        if (i == len || path[i] == '/') {
            segs[k++] = (pbd_span){start, i - start};
            start = i + 1;
        }
    }
    *out = (pbd_split){.path = path, .segs = segs, .n_segs = n};
    if (!with_verb)
        return 0;
    pbd_span *last = &segs[n - 1];
    for (size_t i = last->len; i > 0; i--) {
        if (path[last->off + i - 1] == ':') {
            out->verb = path + last->off + i;
            out->verb_len = last->len - i;
            last->len = i - 1;
            return 0;
        }
    }
    return PBD_ERR_NOT_FOUND;
}

static bool fits(const pbd_template *t, const pbd_split *s)
{
    if ((t->verb != NULL) != (s->verb != NULL))
        return false;
    if (t->verb != NULL &&
        (strlen(t->verb) != s->verb_len || memcmp(t->verb, s->verb, s->verb_len) != 0))
        return false;
    size_t i;
    for (i = 0; i < t->n_segments; i++) {
        const pbd_segment *seg = &t->segments[i];
        if (seg->kind == PBD_SEG_DOUBLE_STAR)
            return true;
        if (i >= s->n_segs)
            return false;
        const pbd_span *sp = &s->segs[i];
        if (seg->kind == PBD_SEG_LITERAL &&
            (seg->len != sp->len || memcmp(seg->literal, s->path + sp->off, sp->len) != 0))
            return false;
    }
    return i == s->n_segs;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* RFC 6570 reserved characters: a multi-segment capture leaves their escapes alone. */
static bool is_reserved(int c)
{
    return c != 0 && strchr(":/?#[]@!$&'()*+,;=", c) != NULL;
}

static char *decode(const char *raw, size_t n, bool multi, gb_arena *arena, size_t *out_len)
{
    char *out = gb_arena_alloc(arena, n + 1);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = -1;
        if (raw[i] == '%' && n - i >= 3) {
            int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
            c = hi >= 0 && lo >= 0 ? hi * 16 + lo : -1;
        }
        if (c < 0 || (multi && is_reserved(c))) {
            out[k++] = raw[i];
            continue;
        }
        out[k++] = (char)c;
        i += 2;
    }
    out[k] = '\0';
    *out_len = k;
    return out;
}

int pbd_template_capture(const pbd_template *t, const pbd_split *s, gb_arena *arena,
                         pbd_capture *caps)
{
    for (size_t v = 0; v < t->n_vars; v++) {
        const pbd_variable *var = &t->vars[v];
        size_t from = var->first;
        size_t to = t->segments[var->end - 1].kind == PBD_SEG_DOUBLE_STAR ? s->n_segs : var->end;
        const char *raw = "";
        size_t n = 0;
        if (from < to) {
            raw = s->path + s->segs[from].off;
            n = s->segs[to - 1].off + s->segs[to - 1].len - s->segs[from].off;
        }
        caps[v].field_path = var->field_path;
        caps[v].value = decode(raw, n, var->multi_segment, arena, &caps[v].len);
        if (caps[v].value == NULL)
            return PBD_ERR_NOMEM;
    }
    return 0;
}

int pbd_template_match(const pbd_template *t, const char *path, size_t len, gb_arena *arena,
                       pbd_capture *caps, size_t max_caps, size_t *n_caps)
{
    if (max_caps < t->n_vars)
        return PBD_ERR_TEMPLATE;
    pbd_split s;
    int rc = pbd_split_path(path, len, t->verb != NULL, arena, &s);
    if (rc != 0)
        return rc;
    if (!fits(t, &s))
        return PBD_ERR_NOT_FOUND;
    rc = pbd_template_capture(t, &s, arena, caps);
    if (rc == 0)
        *n_caps = t->n_vars;
    return rc;
}
