/* Shared between the openapi/ sources: the build context and the tree emitters. */
#ifndef OAS_INT_H
#define OAS_INT_H

#include <openapi/openapi.h>

#include <descriptors/path_template.h>

#include <cjson/cJSON.h>

#include <stddef.h>

/* One document being built. Every cJSON object hangs off |doc|, freed by the caller. */
typedef struct oas_ctx {
    const pbd_pool *pool;
    const oas_options *opts;
    cJSON *doc;
    cJSON *schemas; /* components.schemas (3.1) or definitions (2.0) */
    cJSON *op_ids;  /* operationIds given so far, as an object used as a set */
    gb_err *err;
    bool nomem; /* sticky: some allocation failed, the tree is incomplete */
} oas_ctx;

/* Tree helpers (document.c): on allocation failure they set c->nomem, free what
 * they were given and return NULL, so builders check once at the end. */
cJSON *oas_set(oas_ctx *c, cJSON *obj, const char *key, cJSON *item);
cJSON *oas_obj(oas_ctx *c, cJSON *obj, const char *key);
cJSON *oas_arr(oas_ctx *c, cJSON *obj, const char *key);
void oas_push(oas_ctx *c, cJSON *arr, cJSON *item);
void oas_str(oas_ctx *c, cJSON *obj, const char *key, const char *value);
void oas_true(oas_ctx *c, cJSON *obj, const char *key);
/* Sets |key| to |text| (which it frees) unless NULL. */
void oas_str_take(oas_ctx *c, cJSON *obj, const char *key, char *text);

/* A variable of a path template: {book.name=shelves/x} has field path "book.name";
 * |var| (NULL for paths derived from another) gives its segments in |tmpl|. */
typedef struct oas_path_var {
    const char *field;
    size_t field_len;
    const pbd_template *tmpl;
    const pbd_variable *var;
} oas_path_var;

#define OAS_MAX_PATH_VARS 16

/* The variables of |rule| (at most OAS_MAX_PATH_VARS) and its OpenAPI path, each
 * {field=pattern} written as {field}, NUL-terminated in |path| (path_vars.c).
 * Returns 0 or a negative code (c->err filled). */
int oas_rule_vars(oas_ctx *c, const pbd_http_rule *rule, oas_path_var *vars, size_t *n_vars,
                  gb_buf *path);

/* The anchored regular expression of what |v| matches ("^shelves/[^/]+$"),
 * NUL-terminated in |re|, or nothing (re->n == 0) for a plain one-segment {field}.
 * Returns 0 or the gb_buf error. */
int oas_var_pattern(const oas_path_var *v, gb_buf *re);

/* Schemas (schema.c). Each returns a new cJSON object or NULL (out of memory). */
cJSON *oas_schema_field(oas_ctx *c, const pbd_field *f);
cJSON *oas_schema_message(oas_ctx *c, const pbd_message *m);
cJSON *oas_schema_scalar(oas_ctx *c, const pbd_field *f);
cJSON *oas_schema_status_ref(oas_ctx *c);
/* One value of |f| as a path or query parameter can carry it (scalars, enums inline,
 * Timestamp, Duration, FieldMask, wrappers), or NULL with c->nomem unset when the
 * type has no such form (maps, messages, Struct, Any, ...). Ignores repetition. */
cJSON *oas_schema_param(oas_ctx *c, const pbd_field *f);
/* The object schema of |m| without the fields named by the dotted |skip| paths. */
cJSON *oas_schema_message_without(oas_ctx *c, const pbd_message *m, const oas_path_var *skip,
                                  size_t n_skip);
cJSON *oas_ref(oas_ctx *c, const char *name);
const char *oas_field_name(const oas_ctx *c, const pbd_field *f);

/* Operations (operation.c): adds every route of |s| under |paths|, tagged |tag|. */
int oas_add_service_paths(oas_ctx *c, cJSON *paths, const pbd_service *s, const char *tag);

/* Comments (text.c): |comment| cleaned of the leading space protoc keeps on each line;
 * the first paragraph as summary, the rest as description (NULL when absent). */
int oas_comment_split(const char *comment, char **summary, char **description);
/* The whole comment, cleaned, or NULL when empty; the caller frees. */
char *oas_comment_text(const char *comment);

/* Emitters (emit_json.c, emit_yaml.c): append |tree| to |out|. */
int oas_json_write(const cJSON *tree, gb_buf *out);
int oas_json_string(gb_buf *out, const char *s);
int oas_json_number(gb_buf *out, double v);
int oas_yaml_write(const cJSON *tree, gb_buf *out);

#endif
