/*
 * Allocation failures: every cJSON allocation of a render is made to fail in turn;
 * each run must end with OAS_ERR_NOMEM (or success once past the last), never a
 * crash or a leak (ASan's leak check runs at exit).
 */
#include "oas_test_util.h"

#include <stdlib.h>

static long allowed;

static void *failing_malloc(size_t n)
{
    if (allowed == 0)
        return NULL;
    allowed--;
    return malloc(n);
}

static int render_with(long budget, const pbd_pool *pool, oas_format format)
{
    cJSON_Hooks hooks = {failing_malloc, free};
    cJSON_InitHooks(&hooks);
    allowed = budget;
    gb_buf out;
    gb_buf_init(&out, 0);
    gb_err err = {0};
    oas_options opts = {.format = format};
    int rc = oas_document_render(pool, &opts, &out, &err);
    cJSON_InitHooks(NULL);
    gb_buf_free(&out);
    return rc;
}

static void every_failure(oas_format format)
{
    gb_err err = {0};
    pbd_pool *pool = NULL;
    const char *pb = EXAMPLES_PB;
    cr_assert_eq(pbd_pool_load_files(&pb, 1, &pool, &err), 0, "%s", err.msg);
    long budget = 0;
    int rc;
    while ((rc = render_with(budget, pool, format)) != 0) {
        cr_assert_eq(rc, OAS_ERR_NOMEM, "allocation %ld: %d", budget, rc);
        budget++;
    }
    cr_expect_gt(budget, 100, "a document takes many allocations");
    pbd_pool_unref(pool);
}

Test(alloc, reports_out_of_memory_at_every_allocation_in_3_1)
{
    every_failure(OAS_FORMAT_3_1);
}

Test(alloc, reports_out_of_memory_at_every_allocation_in_2_0)
{
    every_failure(OAS_FORMAT_2_0);
}
