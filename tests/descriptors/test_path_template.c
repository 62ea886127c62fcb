#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <descriptors/path_template.h>

#include <stdio.h>
#include <string.h>

/* "v1|shelves|*|**" for the segments, "name[1,3)+" per variable (+: multi-segment). */
static void describe(const pbd_template *t, char *segs, size_t segs_n, char *vars, size_t vars_n)
{
    size_t at = 0;
    segs[0] = vars[0] = '\0';
    for (size_t i = 0; i < t->n_segments; i++) {
        const pbd_segment *s = &t->segments[i];
        const char *text = s->kind == PBD_SEG_LITERAL ? s->literal
                           : s->kind == PBD_SEG_STAR  ? "*"
                                                      : "**";
        at += (size_t)snprintf(segs + at, segs_n - at, "%s%s", i ? "|" : "", text);
    }
    at = 0;
    for (size_t i = 0; i < t->n_vars; i++) {
        const pbd_variable *v = &t->vars[i];
        at += (size_t)snprintf(vars + at, vars_n - at, "%s%s[%zu,%zu)%s", i ? " " : "",
                               v->field_path, v->first, v->end, v->multi_segment ? "+" : "");
    }
}

struct valid_case {
    char text[64];
    char segments[64];
    char vars[64];
    char verb[16];
};

ParameterizedTestParameters(path_template, parses_valid_templates)
{
    static struct valid_case cases[] = {
        {"/v1", "v1", "", ""},
        {"/v1/shelves", "v1|shelves", "", ""},
        {"/v1/{name}", "v1|*", "name[1,2)", ""},
        {"/v1/{name=*}", "v1|*", "name[1,2)", ""},
        {"/v1/{name=shelves/*}", "v1|shelves|*", "name[1,3)+", ""},
        {"/v1/{name=shelves/*/books/*}", "v1|shelves|*|books|*", "name[1,5)+", ""},
        {"/v1/{book.name=shelves/*}/x", "v1|shelves|*|x", "book.name[1,3)+", ""},
        {"/v1/{name=**}", "v1|**", "name[1,2)+", ""},
        {"/v1/**", "v1|**", "", ""},
        {"/v1/*/x/**", "v1|*|x|**", "", ""},
        {"/v1/{name=operations/**}:cancel", "v1|operations|**", "name[1,3)+", "cancel"},
        {"/v1/things/{name}:undelete", "v1|things|*", "name[2,3)", "undelete"},
        {"/v1:batchGet", "v1", "", "batchGet"},
        {"/v1/{a}/{b_2.c}", "v1|*|*", "a[1,2) b_2.c[2,3)", ""},
        {"/v1/a-b.c~d_e%20f", "v1|a-b.c~d_e%20f", "", ""},
        {"/pkg.Service/Method", "pkg.Service|Method", "", ""},
    };
    return cr_make_param_array(struct valid_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct valid_case *c, path_template, parses_valid_templates)
{
    gb_arena arena;
    gb_arena_init(&arena, 0);
    gb_err err = {0};
    const pbd_template *t = NULL;
    cr_assert_eq(pbd_template_parse(c->text, SIZE_MAX, &arena, &t, &err), 0, "%s: %s", c->text,
                 err.msg);
    char segs[128], vars[128];
    describe(t, segs, sizeof(segs), vars, sizeof(vars));
    cr_assert_str_eq(segs, c->segments, "%s", c->text);
    cr_assert_str_eq(vars, c->vars, "%s", c->text);
    cr_assert_str_eq(t->verb != NULL ? t->verb : "", c->verb, "%s", c->text);
    cr_assert_str_eq(t->text, c->text);
    gb_arena_clear(&arena);
}

struct invalid_case {
    char text[48];
    char message[64];
};

ParameterizedTestParameters(path_template, refuses_invalid_templates_with_the_position)
{
    static struct invalid_case cases[] = {
        {"", ": a template starts with '/' at 0"},
        {"v1", "v1: a template starts with '/' at 0"},
        {"/", "/: empty segment at 1"},
        {"/v1/", "/v1/: empty segment at 4"},
        {"/v1//x", "/v1//x: empty segment at 4"},
        {"/v1/{name", "/v1/{name: unterminated variable at 4"},
        {"/v1/{name=shelves/*", "/v1/{name=shelves/*: unterminated variable at 4"},
        {"/v1/{name=a/{b}}", "/v1/{name=a/{b}}: nested variable at 12"},
        {"/v1/{}", "/v1/{}: empty field path at 5"},
        {"/v1/{a.}", "/v1/{a.}: expected a field name at 7"},
        {"/v1/{1a}", "/v1/{1a}: expected a field name at 5"},
        {"/v1/{a-b}", "/v1/{a-b}: unexpected character in field path at 6"},
        {"/v1/{a}/{a}", "/v1/{a}/{a}: variable bound twice at 9"},
        {"/v1/**/x", "/v1/**/x: '**' must be the last segment at 4"},
        {"/v1/***", "/v1/***: unexpected character at 6"},
        {"/v1/a*", "/v1/a*: unexpected character at 5"},
        {"/v1/x}", "/v1/x}: '}' outside a variable at 5"},
        {"/v1/x:", "/v1/x:: empty verb at 6"},
        {"/v1/x:a/b", "/v1/x:a/b: unexpected character in verb at 7"},
        {"/v1/{name=a:b}", "/v1/{name=a:b}: unterminated variable at 4"},
        {"/v1/x?y", "/v1/x?y: unexpected character at 5"},
        {"/v1/{name=}", "/v1/{name=}: unexpected character at 10"},
    };
    return cr_make_param_array(struct invalid_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct invalid_case *c, path_template,
                  refuses_invalid_templates_with_the_position)
{
    gb_arena arena;
    gb_arena_init(&arena, 0);
    gb_err err = {0};
    const pbd_template *t = NULL;
    cr_assert_eq(pbd_template_parse(c->text, SIZE_MAX, &arena, &t, &err), PBD_ERR_TEMPLATE, "%s",
                 c->text);
    cr_assert_str_eq(err.msg, c->message);
    cr_assert_null(t);
    gb_arena_clear(&arena);
}

Test(path_template, refuses_a_nul_byte_inside_the_length)
{
    gb_arena arena;
    gb_arena_init(&arena, 0);
    gb_err err = {0};
    const pbd_template *t = NULL;
    cr_assert_eq(pbd_template_parse("/v1/a\0b", 7, &arena, &t, &err), PBD_ERR_TEMPLATE);
    cr_assert_not_null(strstr(err.msg, "NUL byte at 5"));
    gb_arena_clear(&arena);
}

struct match_case {
    char tmpl[40];
    char path[48];
    char captures[96]; /* "field=value;..." or "-" for no match */
};

ParameterizedTestParameters(path_template, matches_and_decodes_captures)
{
    static struct match_case cases[] = {
        {"/v1/shelves", "/v1/shelves", ""},
        {"/v1/shelves", "/v1/shelves/", "-"},
        {"/v1/shelves", "/v1/shelve", "-"},
        {"/v1/{name}", "/v1/abc", "name=abc"},
        {"/v1/{name}", "/v1/a%2Fb%20c", "name=a/b c"},
        {"/v1/{name}", "/v1/a%2fb", "name=a/b"},
        {"/v1/{name}", "/v1/a/b", "-"},
        {"/v1/{name}", "/v1/a:b", "name=a:b"},
        {"/v1/{name}", "/v1/%zz%4", "name=%zz%4"},
        {"/v1/{name=shelves/*}", "/v1/shelves/s%2F1", "name=shelves/s%2F1"},
        {"/v1/{name=shelves/*}", "/v1/shelves/a%20b%3Ac", "name=shelves/a b%3Ac"},
        {"/v1/{name=shelves/*}", "/v1/books/1", "-"},
        {"/v1/{name=**}", "/v1/a/b/c", "name=a/b/c"},
        {"/v1/{name=**}", "/v1", "name="},
        {"/v1/{name=**}", "/v1/a%2Fb/%41", "name=a%2Fb/A"},
        {"/v1/{name=operations/**}:cancel", "/v1/operations/a/b:cancel", "name=operations/a/b"},
        {"/v1/{name=operations/**}:cancel", "/v1/operations/a/b", "-"},
        {"/v1/{name=operations/**}:cancel", "/v1/operations/a:stop", "-"},
        {"/v1/things/{name}:undelete", "/v1/things/a:b:undelete", "name=a:b"},
        {"/v1/{shelf.id}/books/{book}", "/v1/s1/books/b2", "shelf.id=s1;book=b2"},
        {"/v1/*/x", "/v1/anything/x", ""},
        {"/v1/**", "/v1/a/b", ""},
        {"/v1", "v1", "-"},
    };
    return cr_make_param_array(struct match_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct match_case *c, path_template, matches_and_decodes_captures)
{
    gb_arena arena;
    gb_arena_init(&arena, 0);
    gb_err err = {0};
    const pbd_template *t = NULL;
    cr_assert_eq(pbd_template_parse(c->tmpl, SIZE_MAX, &arena, &t, &err), 0, "%s", err.msg);
    pbd_capture caps[4];
    size_t n = 0;
    int rc = pbd_template_match(t, c->path, strlen(c->path), &arena, caps, 4, &n);
    if (strcmp(c->captures, "-") == 0) {
        cr_assert_eq(rc, PBD_ERR_NOT_FOUND, "%s ~ %s", c->tmpl, c->path);
    } else {
        cr_assert_eq(rc, 0, "%s ~ %s", c->tmpl, c->path);
        char got[128] = "";
        size_t at = 0;
        for (size_t i = 0; i < n; i++)
            at += (size_t)snprintf(got + at, sizeof(got) - at, "%s%s=%s", i ? ";" : "",
                                   caps[i].field_path, caps[i].value);
        cr_assert_str_eq(got, c->captures, "%s ~ %s", c->tmpl, c->path);
    }
    gb_arena_clear(&arena);
}

Test(path_template, capture_lengths_count_decoded_bytes)
{
    gb_arena arena;
    gb_arena_init(&arena, 0);
    const pbd_template *t = NULL;
    cr_assert_eq(pbd_template_parse("/v1/{name}", SIZE_MAX, &arena, &t, NULL), 0);
    pbd_capture caps[1];
    size_t n = 0;
    cr_assert_eq(pbd_template_match(t, "/v1/a%00b", 9, &arena, caps, 1, &n), 0);
    cr_assert_eq(caps[0].len, 3);
    cr_assert_eq(memcmp(caps[0].value, "a\0b", 3), 0);
    cr_assert_eq(pbd_template_match(t, "/v1/a", 5, &arena, caps, 0, &n), PBD_ERR_TEMPLATE);
    gb_arena_clear(&arena);
}

Test(path_template, a_full_arena_is_reported_not_crashed_on)
{
    gb_arena big;
    gb_arena_init(&big, 0);
    const pbd_template *t = NULL;
    cr_assert_eq(pbd_template_parse("/v1/{name=**}", SIZE_MAX, &big, &t, NULL), 0);
    gb_arena tiny;
    gb_arena_init(&tiny, 64);
    pbd_capture caps[1];
    size_t n = 0;
    char path[600] = "/v1/";
    memset(path + 4, 'a', 500);
    cr_assert_eq(pbd_template_match(t, path, strlen(path), &tiny, caps, 1, &n), PBD_ERR_NOMEM);
    gb_arena_clear(&tiny);
    gb_err err = {0};
    gb_arena_init(&tiny, 64);
    cr_assert_eq(pbd_template_parse(path, SIZE_MAX, &tiny, &t, &err), PBD_ERR_NOMEM);
    gb_arena_clear(&tiny);
    gb_arena_clear(&big);
}
