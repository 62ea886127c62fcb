/* Path templates as OpenAPI paths: a variable with segments becomes {name} plus a pattern. */
#include "oas_int.h"

#include <string.h>

static int put_segment(gb_buf *path, const pbd_segment *s)
{
    if (s->kind == PBD_SEG_STAR)
        return gb_buf_append_str(path, "/*");
    if (s->kind == PBD_SEG_DOUBLE_STAR)
        return gb_buf_append_str(path, "/**");
    int rc = gb_buf_putc(path, '/');
    return rc != 0 ? rc : gb_buf_append(path, s->literal, s->len);
}

int oas_rule_vars(oas_ctx *c, const pbd_http_rule *rule, oas_path_var *vars, size_t *n_vars,
                  gb_buf *path)
{
    const pbd_template *t = rule->tmpl;
    if (t->n_vars > OAS_MAX_PATH_VARS)
        return gb_err_set(c->err, OAS_ERR_POOL, "%s: more than %d path variables", t->text,
                          OAS_MAX_PATH_VARS);
    int rc = 0;
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < t->n_segments;) {
        if (k < t->n_vars && t->vars[k].first == i) {
            const pbd_variable *v = &t->vars[k];
            vars[k] = (oas_path_var){v->field_path, strlen(v->field_path), t, v};
            rc = gb_buf_printf(path, "/{%s}", v->field_path);
            i = v->end > i ? v->end : i + 1;
            k++;
        } else {
            rc = put_segment(path, &t->segments[i++]);
        }
    }
    if (rc == 0 && t->verb != NULL)
        rc = gb_buf_printf(path, ":%s", t->verb);
    if (rc == 0)
        rc = gb_buf_putc(path, '\0');
    *n_vars = k;
    if (rc != 0)
        c->nomem = true;
    return rc;
}

int oas_var_pattern(const oas_path_var *v, gb_buf *re)
{
    const pbd_variable *var = v->var;
    if (var == NULL ||
        (var->end == var->first + 1 && v->tmpl->segments[var->first].kind == PBD_SEG_STAR))
        return 0;
    int rc = gb_buf_putc(re, '^');
    for (size_t i = var->first; rc == 0 && i < var->end; i++) {
        const pbd_segment *s = &v->tmpl->segments[i];
        if (s->kind == PBD_SEG_DOUBLE_STAR) { /* zero or more segments */
            rc = gb_buf_append_str(re, i > var->first ? "(/.*)?" : ".*");
            continue;
        }
        if (i > var->first)
            rc = gb_buf_putc(re, '/');
        if (s->kind == PBD_SEG_STAR) {
            rc = rc != 0 ? rc : gb_buf_append_str(re, "[^/]+");
            continue;
        }
        for (size_t j = 0; rc == 0 && j < s->len; j++) {
            if (strchr("\\^$.|?*+()[]{}", s->literal[j]) != NULL)
                rc = gb_buf_putc(re, '\\');
            rc = rc != 0 ? rc : gb_buf_putc(re, (uint8_t)s->literal[j]);
        }
    }
    rc = rc != 0 ? rc : gb_buf_putc(re, '$');
    rc = rc != 0 ? rc : gb_buf_putc(re, '\0');
    return rc;
}
