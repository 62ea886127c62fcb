/* Helpers of the openapi tests: render a descriptor set, walk the JSON document. */
#ifndef OAS_TEST_UTIL_H
#define OAS_TEST_UTIL_H

#include <openapi/openapi.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include <stdarg.h>
#include <string.h>

#define OASTEST_PB GW_BINARY_DIR "/tests/openapi/openapi_test.pb"
#define EXAMPLES_PB GW_BINARY_DIR "/examples/examples.pb"

/* The document of |pb| as text (the caller frees |out|). */
static inline void render_text(const char *pb, const oas_options *opts, gb_buf *out)
{
    gb_err err = {0};
    pbd_pool *pool = NULL;
    cr_assert_eq(pbd_pool_load_files(&pb, 1, &pool, &err), 0, "%s", err.msg);
    gb_buf_init(out, 0);
    cr_assert_eq(oas_document_render(pool, opts, out, &err), 0, "%s", err.msg);
    pbd_pool_unref(pool);
}

/* The document of |pb| parsed back (the caller frees it with cJSON_Delete). */
static inline cJSON *render(const char *pb, const oas_options *opts)
{
    gb_buf out;
    render_text(pb, opts, &out);
    cJSON *doc = cJSON_ParseWithLength((const char *)out.p, out.n);
    gb_buf_free(&out);
    cr_assert_not_null(doc, "the document is not JSON");
    return doc;
}

/* Follows object keys (NULL-terminated list); fails the test when one is missing. */
static inline const cJSON *at(const cJSON *node, ...)
{
    va_list ap;
    va_start(ap, node);
    for (const char *key = va_arg(ap, const char *); key != NULL; key = va_arg(ap, const char *)) {
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(node, key);
        cr_assert_not_null(next, "no member \"%s\"", key);
        node = next;
    }
    va_end(ap);
    return node;
}

static inline bool has(const cJSON *node, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(node, key) != NULL;
}

static inline const char *str(const cJSON *node, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(node, key);
    cr_assert(cJSON_IsString(v), "member \"%s\" is not a string", key);
    return v->valuestring;
}

/* The parameter |name| of an operation, or NULL. */
static inline const cJSON *param(const cJSON *op, const char *name)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op, "parameters"))
    {
        if (strcmp(str(p, "name"), name) == 0)
            return p;
    }
    return NULL;
}

#endif
