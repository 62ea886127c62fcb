/* The document: info, tags, paths and the named schemas, in either format. */
#include "oas_int.h"

#include <stdlib.h>
#include <string.h>

const char *oas_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
    case OAS_ERR_NOMEM:
        return "out of memory";
    case OAS_ERR_INVALID:
        return "invalid options";
    case OAS_ERR_NOT_FOUND:
        return "not found";
    case OAS_ERR_POOL:
        return "HTTP rule does not match its messages";
    default:
        return gb_strerror(code);
    }
}

cJSON *oas_set(oas_ctx *c, cJSON *obj, const char *key, cJSON *item)
{
    if (item == NULL || obj == NULL || !cJSON_AddItemToObject(obj, key, item)) {
        c->nomem = true;
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

cJSON *oas_obj(oas_ctx *c, cJSON *obj, const char *key)
{
    return oas_set(c, obj, key, cJSON_CreateObject());
}

cJSON *oas_arr(oas_ctx *c, cJSON *obj, const char *key)
{
    return oas_set(c, obj, key, cJSON_CreateArray());
}

void oas_push(oas_ctx *c, cJSON *arr, cJSON *item)
{
    if (item == NULL || arr == NULL || !cJSON_AddItemToArray(arr, item)) {
        c->nomem = true;
        cJSON_Delete(item);
    }
}

void oas_str(oas_ctx *c, cJSON *obj, const char *key, const char *value)
{
    oas_set(c, obj, key, cJSON_CreateString(value));
}

void oas_true(oas_ctx *c, cJSON *obj, const char *key)
{
    oas_set(c, obj, key, cJSON_CreateTrue());
}

void oas_str_take(oas_ctx *c, cJSON *obj, const char *key, char *text)
{
    if (text != NULL)
        oas_str(c, obj, key, text);
    free(text);
}

/* A service's tag: its short name, or its full name when two services share it. */
static const char *tag_name(const pbd_pool *pool, const pbd_service *s)
{
    for (size_t i = 0; i < pbd_pool_n_services(pool); i++) {
        const pbd_service *o = pbd_pool_service(pool, i);
        if (o != s && strcmp(o->name, s->name) == 0)
            return s->full_name;
    }
    return s->name;
}

static void add_header(oas_ctx *c)
{
    const oas_options *o = c->opts;
    if (o->format == OAS_FORMAT_2_0)
        oas_str(c, c->doc, "swagger", "2.0");
    else
        oas_str(c, c->doc, "openapi", "3.1.0");
    cJSON *info = oas_obj(c, c->doc, "info");
    oas_str(c, info, "title", o->title != NULL ? o->title : "protogate");
    oas_str(c, info, "version", o->version != NULL ? o->version : "1.0.0");
    if (o->format == OAS_FORMAT_2_0) {
        static const char *const lists[] = {"consumes", "produces"};
        for (size_t i = 0; i < 2; i++) {
            cJSON *types = oas_arr(c, c->doc, lists[i]);
            oas_push(c, types, cJSON_CreateString("application/json"));
        }
    }
}

static int build(oas_ctx *c)
{
    add_header(c);
    cJSON *tags = oas_arr(c, c->doc, "tags");
    cJSON *paths = oas_obj(c, c->doc, "paths");
    cJSON *holder = c->opts->format == OAS_FORMAT_2_0 ? c->doc : oas_obj(c, c->doc, "components");
    c->schemas = oas_obj(c, holder, c->opts->format == OAS_FORMAT_2_0 ? "definitions" : "schemas");
    cJSON_Delete(oas_schema_status_ref(c));
    for (size_t i = 0; !c->nomem && i < pbd_pool_n_services(c->pool); i++) {
        const pbd_service *s = pbd_pool_service(c->pool, i);
        const char *tag = tag_name(c->pool, s);
        cJSON *t = cJSON_CreateObject();
        oas_push(c, tags, t);
        oas_str(c, t, "name", tag);
        oas_str_take(c, t, "description", oas_comment_text(s->comment));
        int rc = oas_add_service_paths(c, paths, s, tag);
        if (rc != 0)
            return rc;
    }
    return c->nomem ? OAS_ERR_NOMEM : 0;
}

int oas_document_render(const pbd_pool *pool, const oas_options *opts, gb_buf *out, gb_err *err)
{
    if (pool == NULL || opts == NULL || out == NULL ||
        (opts->format != OAS_FORMAT_3_1 && opts->format != OAS_FORMAT_2_0))
        return gb_err_set(err, OAS_ERR_INVALID, "openapi: bad arguments or format");
    oas_ctx c = {.pool = pool, .opts = opts, .err = err};
    c.doc = cJSON_CreateObject();
    c.op_ids = cJSON_CreateObject();
    int rc = c.doc == NULL || c.op_ids == NULL ? OAS_ERR_NOMEM : build(&c);
    if (rc == 0)
        rc = opts->yaml ? oas_yaml_write(c.doc, out) : oas_json_write(c.doc, out);
    if (rc != 0 && (err == NULL || err->code != rc))
        gb_err_set(err, rc, "openapi: %s", oas_strerror(rc));
    cJSON_Delete(c.doc);
    cJSON_Delete(c.op_ids);
    return rc;
}
