/*
 * google.api.http path templates (google/api/http.proto):
 *
 *     Template = "/" Segments [ Verb ] ;
 *     Segments = Segment { "/" Segment } ;
 *     Segment  = "*" | "**" | LITERAL | Variable ;
 *     Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *     FieldPath = IDENT { "." IDENT } ;
 *     Verb     = ":" LITERAL ;
 *
 * `{var}` means `{var=*}`; `**` matches zero or more segments and must be the last
 * segment. A compiled template is plain const data: its segments (each a literal, `*`
 * or `**`), its variables (field path and the segments they cover) and its verb.
 *
 *     const pbd_template *t;
 *     if (pbd_template_parse("/v1/{name=**}:cancel", SIZE_MAX, &arena, &t, &err) != 0)
 *         return err.code;            // err.msg: "/v1/{name: unterminated variable at 4"
 *     pbd_capture caps[4];
 *     size_t n;
 *     if (pbd_template_match(t, "/v1/operations/a:cancel", 23, &arena, caps, 4, &n) == 0)
 *         use(caps[0].field_path, caps[0].value);   // "name", "operations/a"
 */
#ifndef PBD_PATH_TEMPLATE_H
#define PBD_PATH_TEMPLATE_H

#include <base/arena.h>
#include <base/err.h>
#include <descriptors/pool.h>

#include <stdbool.h>
#include <stddef.h>

typedef enum pbd_segment_kind {
    PBD_SEG_LITERAL = 0,
    PBD_SEG_STAR = 1,        /* "*": one segment */
    PBD_SEG_DOUBLE_STAR = 2, /* "**": the rest of the path, zero or more segments */
} pbd_segment_kind;

typedef struct pbd_segment {
    pbd_segment_kind kind;
    const char *literal; /* PBD_SEG_LITERAL: NUL-terminated text, else NULL */
    size_t len;
} pbd_segment;

typedef struct pbd_variable {
    const char *field_path; /* "book.name" */
    size_t first;           /* segments[first .. end) are the variable's */
    size_t end;
    bool multi_segment; /* more than one segment or "**": reserved characters stay escaped */
} pbd_variable;

typedef struct pbd_template {
    const char *text; /* as written in the rule */
    const pbd_segment *segments;
    size_t n_segments;
    const pbd_variable *vars; /* in the order they appear */
    size_t n_vars;
    const char *verb; /* "cancel" for ":cancel", or NULL */
} pbd_template;

/* One captured variable: the field path and the percent-decoded value. */
typedef struct pbd_capture {
    const char *field_path;
    const char *value; /* NUL-terminated, in the caller's arena */
    size_t len;
} pbd_capture;

/**
 * Compiles the template |text| (|len| bytes, or up to its NUL when |len| is SIZE_MAX).
 * Ownership: |*out| and everything it points to live in |arena|.
 * Thread: any (|arena| is the caller's).
 * Returns 0, PBD_ERR_TEMPLATE (|err| says what and at which byte offset, e.g.
 * "/v1/{name: unterminated variable at 4") or PBD_ERR_NOMEM.
 */
int pbd_template_parse(const char *text, size_t len, gb_arena *arena, const pbd_template **out,
                       gb_err *err);

/**
 * Matches the request path |path| (|len| bytes, without the query string) against |t|.
 * Captured values are percent-decoded into |arena|: a single-segment variable decodes
 * everything (%2F becomes '/'); a multi-segment one keeps RFC 6570 reserved characters
 * (":/?#[]@!$&'()*+,;=") escaped, as google.api.Http's default says.
 * Ownership: |caps| (room for |max_caps|, at least t->n_vars) is the caller's.
 * Thread: any; |t| is read-only.
 * Returns 0 and sets |*n_caps|, PBD_ERR_NOT_FOUND (no match), PBD_ERR_NOMEM (arena full)
 * or PBD_ERR_TEMPLATE (|max_caps| too small).
 */
int pbd_template_match(const pbd_template *t, const char *path, size_t len, gb_arena *arena,
                       pbd_capture *caps, size_t max_caps, size_t *n_caps);

#endif
