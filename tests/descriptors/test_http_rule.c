#include "test_pool_sets.h"

#include <criterion/parameterized.h>

#include <descriptors/path_template.h>

static const pbd_method *method(const pbd_pool *pool, const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "/pbd.lib.Library/%s", name);
    const pbd_method *m = pbd_pool_find_method(pool, path);
    cr_assert_not_null(m, "%s", path);
    return m;
}

Test(http_rule, primary_rule_first_then_additional_bindings)
{
    pbd_pool *pool = load_ok("library");
    const pbd_method *m = method(pool, "GetBook");
    cr_assert_eq(m->n_rules, 3);
    cr_assert_str_eq(m->rules[0].verb, "GET");
    cr_assert_str_eq(m->rules[0].path, "/v1/{name=shelves/*/books/*}");
    cr_assert_not(m->rules[0].additional);
    cr_assert_str_eq(m->rules[1].path, "/v1/books/{book_id}");
    cr_assert(m->rules[1].additional);
    cr_assert_str_eq(m->rules[2].path, "/v1/shelf/{shelf.id}/books/{book_id}");
    cr_assert(m->rules[2].additional);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(m->rules[i].method, m);
        cr_assert_null(m->rules[i].body);
        cr_assert_null(m->rules[i].response_body);
    }
    cr_assert_eq(m->rules[0].tmpl->n_vars, 1);
    cr_assert_str_eq(m->rules[0].tmpl->vars[0].field_path, "name");
    cr_assert_str_eq(m->rules[2].tmpl->vars[0].field_path, "shelf.id");
    pbd_pool_unref(pool);
}

Test(http_rule, every_http_method_body_and_response_body)
{
    pbd_pool *pool = load_ok("library");
    const pbd_http_rule *r = &method(pool, "CreateBook")->rules[0];
    cr_assert_str_eq(r->verb, "POST");
    cr_assert_str_eq(r->body, "book");
    r = &method(pool, "UpdateBook")->rules[0];
    cr_assert_str_eq(r->verb, "PATCH");
    cr_assert_str_eq(r->tmpl->vars[0].field_path, "book.name");
    r = &method(pool, "ReplaceBook")->rules[0];
    cr_assert_str_eq(r->verb, "PUT");
    cr_assert_str_eq(r->body, "*");
    cr_assert_str_eq(method(pool, "DeleteBook")->rules[0].verb, "DELETE");
    r = &method(pool, "ListBooks")->rules[0];
    cr_assert_str_eq(r->response_body, "books");
    cr_assert_null(r->body);
    r = &method(pool, "HeadBook")->rules[0];
    cr_assert_str_eq(r->verb, "HEAD");
    cr_assert_str_eq(r->path, "/v1/books/{book_id}");
    r = &method(pool, "CancelOperation")->rules[0];
    cr_assert_str_eq(r->tmpl->verb, "cancel");
    pbd_pool_unref(pool);
}

Test(http_rule, a_method_without_a_rule_is_unbound)
{
    pbd_pool *pool = load_ok("library");
    const pbd_method *m = method(pool, "Ping");
    cr_assert_eq(m->n_rules, 0);
    cr_assert_null(m->rules);
    cr_assert_str_eq(m->comment, "Has no rule: routed at POST /pbd.lib.Library/Ping.");
    pbd_pool_unref(pool);
}

struct bad_rule {
    char set[32];
    int code;
    char message[120];
};

ParameterizedTestParameters(http_rule, invalid_rules_are_refused_at_load)
{
    static struct bad_rule cases[] = {
        {"bad_template", PBD_ERR_TEMPLATE, "/v1/{name: unterminated variable at 4"},
        {"bad_body", PBD_ERR_RULE, "body names no top-level request field: nope"},
        {"bad_body_repeated", PBD_ERR_RULE, "body names a repeated field: tags"},
        {"bad_body_nested", PBD_ERR_RULE, "body names no top-level request field: child.name"},
        {"bad_response_body", PBD_ERR_RULE, "response_body names no top-level response field"},
        {"bad_var_missing", PBD_ERR_RULE, "path variable names no field: nope"},
        {"bad_var_repeated", PBD_ERR_RULE, "path variable names a repeated field: tags"},
        {"bad_var_message", PBD_ERR_RULE, "path variable names a message field: child"},
        {"bad_var_map", PBD_ERR_RULE, "path variable names a repeated field: labels"},
        {"bad_nested_bindings", PBD_ERR_RULE, "additional_bindings nested in"},
        {"bad_no_pattern", PBD_ERR_RULE, "no HTTP method"},
    };
    return cr_make_param_array(struct bad_rule, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_rule *c, http_rule, invalid_rules_are_refused_at_load)
{
    const char *name = c->set;
    gb_err err = {0};
    pbd_pool *pool;
    int rc = load_sets(&name, 1, &pool, &err);
    cr_assert_eq(rc, c->code, "%s: %d %s", c->set, rc, err.msg);
    cr_assert_null(pool);
    cr_assert_not_null(strstr(err.msg, c->message), "%s: '%s'", c->set, err.msg);
    cr_assert_not_null(strstr(err.msg, ".Svc.Call: google.api.http: "), "%s", err.msg);
}
