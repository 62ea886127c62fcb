/*
 * The builder's symbol table (every package, message, enum and service by full name),
 * type-name resolution by C++ scoping rules, leading comments from SourceCodeInfo, and
 * the error and string helpers the build passes share.
 */
#include "pool_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pbd_build_fail(pbd_builder *b, const pbd_raw_file *rf, int code, const char *symbol,
                   const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return gb_err_set(b->err, code, "%s: %s: %s: %s", rf->set_label, rf->fdp->name, symbol, what);
}

char *pbd_build_str(pbd_builder *b, const char *s)
{
    if (s == NULL)
        s = "";
    return gb_arena_strndup(&b->pool->arena, s, strlen(s));
}

/* An identifier ([A-Za-z_][A-Za-z0-9_]*), or with |dotted| several joined by '.'. */
bool pbd_valid_ident(const char *s, bool dotted)
{
    if (s == NULL || s[0] == '\0')
        return false;
    bool start = true;
    for (; *s != '\0'; s++) {
        char c = *s;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (alpha || (!start && c >= '0' && c <= '9'))
            start = false;
        else if (dotted && c == '.' && !start)
            start = true;
        else
            return false;
    }
    return !start;
}

int pbd_scope_add(pbd_builder *b, const char *name, int kind, void *p, const pbd_raw_file *rf)
{
    /* The table is sized before declaring (pool_build.c counts), so this never grows. */
    b->syms[b->n_syms++] = (pbd_sym){.name = name, .kind = kind, .p = p, .rf = rf};
    return 0;
}

static int sym_cmp(const void *a, const void *b)
{
    const pbd_sym *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    if (r != 0)
        return r;
    /* Packages first so that a package declared by many files collapses. */
    return (x->kind > y->kind) - (x->kind < y->kind);
}

int pbd_scope_freeze(pbd_builder *b)
{
    if (b->n_syms > 1)
        qsort(b->syms, b->n_syms, sizeof(*b->syms), sym_cmp);
    size_t out = 0;
    for (size_t i = 0; i < b->n_syms; i++) {
        pbd_sym *s = &b->syms[i];
        pbd_sym *prev = out > 0 ? &b->syms[out - 1] : NULL;
        if (prev != NULL && strcmp(prev->name, s->name) == 0) {
            if (prev->kind == PBD_SYM_PACKAGE && s->kind == PBD_SYM_PACKAGE)
                continue;
            return pbd_build_fail(b, s->rf, PBD_ERR_DUPLICATE, s->name, "already defined in %s",
                                  prev->rf->fdp->name);
        }
        b->syms[out++] = *s;
    }
    b->n_syms = out;
    return 0;
}

static const pbd_sym *lookup(const pbd_builder *b, const char *name)
{
    size_t lo = 0, hi = b->n_syms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(b->syms[mid].name, name);
        if (r == 0)
            return &b->syms[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool is_type(const pbd_sym *s)
{
    return s != NULL && (s->kind == PBD_SYM_MESSAGE || s->kind == PBD_SYM_ENUM);
}

/*
 * C++ rules, as protoc applies them: the first component of |name| is looked up in
 * |scope|, then in each enclosing scope; the first scope where it exists decides, and
 * the rest of the name must then resolve inside it.
 */
const pbd_sym *pbd_scope_resolve(pbd_builder *b, const char *scope, const char *name)
{
    if (name == NULL || name[0] == '\0')
        return NULL;
    if (name[0] == '.') {
        const pbd_sym *s = lookup(b, name + 1);
        return is_type(s) ? s : NULL;
    }
    const char *dot = strchr(name, '.');
    size_t first_len = dot != NULL ? (size_t)(dot - name) : strlen(name);
    size_t scope_len = strlen(scope);
    for (;;) {
        gb_buf_reset(&b->scratch);
        if (gb_buf_append(&b->scratch, scope, scope_len) != 0 ||
            (scope_len > 0 && gb_buf_putc(&b->scratch, '.') != 0))
            return NULL;
        size_t base = b->scratch.n;
        if (gb_buf_append(&b->scratch, name, first_len) != 0 || gb_buf_putc(&b->scratch, 0) != 0)
            return NULL;
        const pbd_sym *first = lookup(b, (const char *)b->scratch.p);
        if (first != NULL && (dot == NULL || first->kind != PBD_SYM_ENUM)) {
            if (dot == NULL)
                return is_type(first) ? first : NULL;
            b->scratch.n = base;
            if (gb_buf_append_str(&b->scratch, name) != 0 || gb_buf_putc(&b->scratch, 0) != 0)
                return NULL;
            const pbd_sym *s = lookup(b, (const char *)b->scratch.p);
            return is_type(s) ? s : NULL;
        }
        if (scope_len == 0)
            return NULL;
        const char *last = NULL;
        for (size_t i = 0; i < scope_len; i++)
            last = scope[i] == '.' ? scope + i : last;
        scope_len = last != NULL ? (size_t)(last - scope) : 0;
    }
}

static int path_cmp(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return (na > nb) - (na < nb);
}

static int loc_cmp(const void *a, const void *b)
{
    const pbd_loc *x = *(const pbd_loc *const *)a, *y = *(const pbd_loc *const *)b;
    return path_cmp(x->path, x->n_path, y->path, y->n_path);
}

int pbd_scope_index_comments(pbd_builder *b, pbd_raw_file *rf)
{
    const Google__Protobuf__SourceCodeInfo *info = rf->fdp->source_code_info;
    if (info == NULL || info->n_location == 0)
        return 0;
    const pbd_loc **locs = gb_arena_calloc(&b->tmp, info->n_location, sizeof(*locs));
    if (locs == NULL)
        return gb_err_set(b->err, PBD_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < info->n_location; i++) {
        const pbd_loc *l = info->location[i];
        if (l->leading_comments != NULL && l->leading_comments[0] != '\0')
            locs[n++] = l;
    }
    if (n > 1)
        qsort(locs, n, sizeof(*locs), loc_cmp);
    rf->locs = locs;
    rf->n_locs = n;
    return 0;
}

/* "// a\n// b\n" arrives as " a\n b\n": drop one leading space per line and the last newline. */
static char *clean_comment(pbd_builder *b, const char *text)
{
    size_t len = strlen(text);
    char *out = gb_arena_alloc(&b->pool->arena, len + 1);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    bool line_start = true;
    for (size_t i = 0; i < len; i++) {
        if (line_start && text[i] == ' ') {
            line_start = false;
            continue;
        }
        line_start = text[i] == '\n';
        out[n++] = text[i];
    }
    while (n > 0 && out[n - 1] == '\n')
        n--;
    out[n] = '\0';
    return out;
}

const char *pbd_scope_comment(pbd_builder *b, const pbd_raw_file *rf, const int32_t *path,
                              size_t n_path)
{
    size_t lo = 0, hi = rf->n_locs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const pbd_loc *l = rf->locs[mid];
        int r = path_cmp(l->path, l->n_path, path, n_path);
        if (r == 0)
            return clean_comment(b, l->leading_comments);
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
