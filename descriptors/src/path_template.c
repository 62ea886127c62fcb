/*
 * Parsing path templates: a state machine over the template's bytes, one short function
 * per state. Matching is in path_match.c.
 */
#include "template_int.h"

#include <stdint.h>
#include <string.h>

typedef enum state {
    ST_SLASH,   /* expecting the leading '/' */
    ST_SEGMENT, /* at the start of a segment */
    ST_LITERAL, /* inside a literal segment */
    ST_AFTER,   /* after '*', '**' or '}': a separator must follow */
    ST_FIELD,   /* inside a variable's field path */
    ST_VERB,    /* after ':' */
    ST_DONE,
    ST_ERROR,
} state;

typedef struct parser {
    const char *text;
    size_t len;
    size_t pos;
    size_t start;  /* where the current literal, field path or verb began */
    size_t var_at; /* position of the open '{', or SIZE_MAX outside a variable */
    bool var_explicit;
    pbd_segment *segs;
    size_t n_segs;
    pbd_variable *vars;
    size_t n_vars;
    const char *verb;
    gb_arena *arena;
    const char *what; /* the error, at |err_at| */
    size_t err_at;
    bool nomem;
} parser;

static state fail(parser *p, const char *what, size_t at)
{
    p->what = what;
    p->err_at = at;
    return ST_ERROR;
}

static bool is_literal_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-._~%!$&'()+,;@", c) != NULL);
}

static bool is_ident_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

static bool in_var(const parser *p)
{
    return p->var_at != SIZE_MAX;
}

static state add_seg(parser *p, pbd_segment_kind kind, size_t from, size_t to)
{
    pbd_segment *s = &p->segs[p->n_segs++];
    s->kind = kind;
    if (kind == PBD_SEG_LITERAL) {
        s->len = to - from;
        s->literal = gb_arena_strndup(p->arena, p->text + from, to - from);
        if (s->literal == NULL) {
            p->nomem = true;
            return ST_ERROR;
        }
    }
    return ST_AFTER;
}

/* '}' closes the variable: an implicit "*" when it had no "=" template. */
static state close_var(parser *p)
{
    pbd_variable *v = &p->vars[p->n_vars - 1];
    if (!p->var_explicit)
        add_seg(p, PBD_SEG_STAR, 0, 0);
    v->end = p->n_segs;
    v->multi_segment = v->end - v->first > 1 || p->segs[v->end - 1].kind == PBD_SEG_DOUBLE_STAR;
    p->var_at = SIZE_MAX;
    return ST_AFTER;
}

/* A separator after a segment: '/', '}', ':' or the end. */
static state on_separator(parser *p, char c)
{
    switch (c) {
    case '/':
        return ST_SEGMENT;
    case '}':
        if (!in_var(p))
            return fail(p, "'}' outside a variable", p->pos);
        close_var(p);
        return ST_AFTER;
    case ':':
        if (in_var(p))
            return fail(p, "unterminated variable", p->var_at);
        p->start = p->pos + 1;
        return ST_VERB;
    case '\0':
        return in_var(p) ? fail(p, "unterminated variable", p->var_at) : ST_DONE;
    default:
        return fail(p, "unexpected character", p->pos);
    }
}

static state st_slash(parser *p, char c)
{
    return c == '/' ? ST_SEGMENT : fail(p, "a template starts with '/'", p->pos);
}

static state st_segment(parser *p, char c)
{
    if (c == '*') {
        bool dstar = p->pos + 1 < p->len && p->text[p->pos + 1] == '*';
        p->pos += dstar;
        return add_seg(p, dstar ? PBD_SEG_DOUBLE_STAR : PBD_SEG_STAR, 0, 0);
    }
    if (c == '{') {
        if (in_var(p))
            return fail(p, "nested variable", p->pos);
        p->var_at = p->pos;
        p->start = p->pos + 1;
        p->var_explicit = false;
        p->vars[p->n_vars++] = (pbd_variable){.first = p->n_segs};
        return ST_FIELD;
    }
    if (is_literal_char(c)) {
        p->start = p->pos;
        return ST_LITERAL;
    }
    if (c == '\0' && in_var(p))
        return fail(p, "unterminated variable", p->var_at);
    return fail(p, c == '\0' || c == '/' ? "empty segment" : "unexpected character", p->pos);
}

static state st_literal(parser *p, char c)
{
    if (is_literal_char(c))
        return ST_LITERAL;
    if (add_seg(p, PBD_SEG_LITERAL, p->start, p->pos) == ST_ERROR)
        return ST_ERROR;
    return on_separator(p, c);
}

static state end_field(parser *p)
{
    const char *f = p->text + p->start;
    size_t n = p->pos - p->start;
    if (n == 0)
        return fail(p, "empty field path", p->pos);
    if (f[n - 1] == '.')
        return fail(p, "expected a field name", p->pos);
    for (size_t i = 0; i + 1 < p->n_vars; i++) {
        if (strlen(p->vars[i].field_path) == n && memcmp(p->vars[i].field_path, f, n) == 0)
            return fail(p, "variable bound twice", p->start);
    }
    p->vars[p->n_vars - 1].field_path = gb_arena_strndup(p->arena, f, n);
    if (p->vars[p->n_vars - 1].field_path == NULL) {
        p->nomem = true;
        return ST_ERROR;
    }
    return ST_FIELD;
}

static state st_field(parser *p, char c)
{
    bool first = p->pos == p->start || p->text[p->pos - 1] == '.';
    if (is_ident_char(c, first))
        return ST_FIELD;
    if (c == '.' && !first)
        return ST_FIELD;
    if (c == '=' || c == '}') {
        if (end_field(p) == ST_ERROR)
            return ST_ERROR;
        if (c == '}')
            return close_var(p);
        p->var_explicit = true;
        return ST_SEGMENT;
    }
    if (c == '\0')
        return fail(p, "unterminated variable", p->var_at);
    return fail(p, first ? "expected a field name" : "unexpected character in field path", p->pos);
}

static state st_verb(parser *p, char c)
{
    if (is_literal_char(c))
        return ST_VERB;
    if (c != '\0')
        return fail(p, "unexpected character in verb", p->pos);
    if (p->pos == p->start)
        return fail(p, "empty verb", p->pos);
    p->verb = gb_arena_strndup(p->arena, p->text + p->start, p->pos - p->start);
    if (p->verb == NULL)
        p->nomem = true;
    return p->verb == NULL ? ST_ERROR : ST_DONE;
}

static state step(parser *p, state s, char c)
{
    switch (s) {
    case ST_SLASH:
        return st_slash(p, c);
    case ST_SEGMENT:
        return st_segment(p, c);
    case ST_LITERAL:
        return st_literal(p, c);
    case ST_AFTER:
        return on_separator(p, c);
    case ST_FIELD:
        return st_field(p, c);
    case ST_VERB:
        return st_verb(p, c);
    default:
        return s;
    }
}

/* "**" only as the last segment, so that matching never has to backtrack inside it. */
static int check_double_star(parser *p)
{
    for (size_t i = 0; i + 1 < p->n_segs; i++) {
        if (p->segs[i].kind == PBD_SEG_DOUBLE_STAR) {
            const char *at = strstr(p->text, "**");
            fail(p, "'**' must be the last segment", at != NULL ? (size_t)(at - p->text) : 0);
            return -1;
        }
    }
    return 0;
}

int pbd_template_parse(const char *text, size_t len, gb_arena *arena, const pbd_template **out,
                       gb_err *err)
{
    if (len == SIZE_MAX)
        len = strlen(text);
    size_t max = len / 2 + 2;
    parser p = {.len = len, .var_at = SIZE_MAX, .arena = arena};
    pbd_template *t = gb_arena_calloc(arena, 1, sizeof(*t));
    p.text = gb_arena_strndup(arena, text, len);
    p.segs = gb_arena_calloc(arena, max, sizeof(*p.segs));
    p.vars = gb_arena_calloc(arena, max, sizeof(*p.vars));
    if (t == NULL || p.text == NULL || p.segs == NULL || p.vars == NULL)
        return gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
    state s = ST_SLASH;
    for (p.pos = 0; s != ST_DONE && s != ST_ERROR; p.pos++) {
        char c = p.pos < len ? p.text[p.pos] : '\0';
        if (p.pos < len && c == '\0')
            s = fail(&p, "NUL byte", p.pos);
        else
            s = step(&p, s, c);
    }
    if (p.nomem)
        return gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
    if (s == ST_ERROR || check_double_star(&p) != 0)
        return gb_err_set(err, PBD_ERR_TEMPLATE, "%.*s: %s at %zu", (int)(len > 150 ? 150 : len),
                          p.text, p.what, p.err_at);
    *t = (pbd_template){.text = p.text,
                        .segments = p.segs,
                        .n_segments = p.n_segs,
                        .vars = p.vars,
                        .n_vars = p.n_vars,
                        .verb = p.verb};
    *out = t;
    return 0;
}
