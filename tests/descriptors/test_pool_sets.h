/* Loading the test descriptor sets built by tests/descriptors/CMakeLists.txt. */
#ifndef TEST_POOL_SETS_H
#define TEST_POOL_SETS_H

#include <criterion/criterion.h>

#include <descriptors/pool.h>

#include <stdio.h>
#include <string.h>

/* Loads PBD_SETS/<names...>.pb (or the examples set for "examples"); returns the code. */
static inline int load_sets(const char *const *names, size_t n, pbd_pool **pool, gb_err *err)
{
    char paths[8][512];
    const char *ptrs[8];
    cr_assert(n <= 8);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], "examples") == 0)
            snprintf(paths[i], sizeof(paths[i]), "%s", GW_EXAMPLES_PB);
        else
            snprintf(paths[i], sizeof(paths[i]), "%s/%s.pb", PBD_SETS, names[i]);
        ptrs[i] = paths[i];
    }
    *pool = NULL;
    return pbd_pool_load_files(ptrs, n, pool, err);
}

/* Loads one set that must load. */
static inline pbd_pool *load_ok(const char *name)
{
    gb_err err = {0};
    pbd_pool *pool;
    int rc = load_sets(&name, 1, &pool, &err);
    cr_assert_eq(rc, 0, "%s: %s", name, err.msg);
    return pool;
}

#endif
