/*
 * The finished pool: reference counting, look-up indexes and binary searches.
 */
#include "pool_int.h"

#include <stdlib.h>
#include <string.h>

pbd_pool *pbd_pool_ref(pbd_pool *pool)
{
    atomic_fetch_add_explicit(&pool->refs, 1, memory_order_relaxed);
    return pool;
}

void pbd_pool_unref(pbd_pool *pool)
{
    if (pool == NULL)
        return;
    if (atomic_fetch_sub_explicit(&pool->refs, 1, memory_order_acq_rel) != 1)
        return;
    gb_arena_clear(&pool->arena);
    free(pool);
}

/*
 * strcmp(|s|, the |len| bytes at |key|), where |key| need not be NUL-terminated. A key
 * with a NUL inside sorts after the shorter name, so it simply matches nothing.
 */
static int cmp_len(const char *s, const char *key, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char a = (unsigned char)s[i], k = (unsigned char)key[i];
        if (a != k)
            return a < k ? -1 : 1;
        if (a == 0)
            return -1;
    }
    return s[len] != '\0' ? 1 : 0;
}

/* Binary search over |n| pointers to structs by their string member |field|. */
#define SEARCH(array, n, field, key, len)                                                          \
    do {                                                                                           \
        size_t lo_ = 0, hi_ = (n);                                                                 \
        while (lo_ < hi_) {                                                                        \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                                   \
            int r_ = cmp_len((array)[mid_]->field, (key), (len));                                  \
            if (r_ == 0)                                                                           \
                return (array)[mid_];                                                              \
            if (r_ < 0)                                                                            \
                lo_ = mid_ + 1;                                                                    \
            else                                                                                   \
                hi_ = mid_;                                                                        \
        }                                                                                          \
        return NULL;                                                                               \
    } while (0)

const pbd_message *pbd_pool_find_message(const pbd_pool *pool, const char *full_name)
{
    SEARCH(pool->messages_sorted, pool->n_messages, full_name, full_name, strlen(full_name));
}

const pbd_enum *pbd_pool_find_enum(const pbd_pool *pool, const char *full_name)
{
    SEARCH(pool->enums_sorted, pool->n_enums, full_name, full_name, strlen(full_name));
}

const pbd_service *pbd_pool_find_service(const pbd_pool *pool, const char *full_name)
{
    SEARCH(pool->services_sorted, pool->n_services, full_name, full_name, strlen(full_name));
}

const pbd_file *pbd_pool_find_file(const pbd_pool *pool, const char *name)
{
    SEARCH(pool->files_sorted, pool->n_files, name, name, strlen(name));
}

const pbd_method *pbd_pool_find_method(const pbd_pool *pool, const char *path)
{
    SEARCH(pool->methods_sorted, pool->n_methods, path, path, strlen(path));
}

const pbd_field *pbd_message_field_by_name(const pbd_message *m, const char *name, size_t len)
{
    SEARCH(m->by_name, m->n_fields, name, name, len);
}

const pbd_field *pbd_message_field_by_json_name(const pbd_message *m, const char *name, size_t len)
{
    SEARCH(m->by_json_name, m->n_fields, json_name, name, len);
}

const pbd_enum_value *pbd_enum_value_by_name(const pbd_enum *e, const char *name, size_t len)
{
    SEARCH(e->by_name, e->n_values, name, name, len);
}

/* Binary search of |n| items by an integer key read by the expression |key_of|(i). */
#define SEARCH_NUMBER(n, key_of, number, result)                                                   \
    do {                                                                                           \
        size_t lo_ = 0, hi_ = (n);                                                                 \
        while (lo_ < hi_) {                                                                        \
            size_t i = lo_ + (hi_ - lo_) / 2;                                                      \
            if ((key_of) == (number))                                                              \
                return (result);                                                                   \
            if ((key_of) < (number))                                                               \
                lo_ = i + 1;                                                                       \
            else                                                                                   \
                hi_ = i;                                                                           \
        }                                                                                          \
        return NULL;                                                                               \
    } while (0)

const pbd_field *pbd_message_field_by_number(const pbd_message *m, uint32_t number)
{
    SEARCH_NUMBER(m->n_fields, m->fields[i].number, number, &m->fields[i]);
}

const pbd_enum_value *pbd_enum_value_by_number(const pbd_enum *e, int32_t number)
{
    SEARCH_NUMBER(e->n_by_number, e->by_number[i]->number, number, e->by_number[i]);
}

size_t pbd_pool_n_services(const pbd_pool *pool)
{
    return pool->n_services;
}

const pbd_service *pbd_pool_service(const pbd_pool *pool, size_t i)
{
    return i < pool->n_services ? pool->services[i] : NULL;
}

size_t pbd_pool_n_files(const pbd_pool *pool)
{
    return pool->n_files;
}

const pbd_file *pbd_pool_file(const pbd_pool *pool, size_t i)
{
    return i < pool->n_files ? pool->files[i] : NULL;
}

size_t pbd_pool_n_messages(const pbd_pool *pool)
{
    return pool->n_messages;
}

const pbd_message *pbd_pool_message(const pbd_pool *pool, size_t i)
{
    return i < pool->n_messages ? pool->messages[i] : NULL;
}

size_t pbd_pool_n_enums(const pbd_pool *pool)
{
    return pool->n_enums;
}

const pbd_enum *pbd_pool_enum(const pbd_pool *pool, size_t i)
{
    return i < pool->n_enums ? pool->enums[i] : NULL;
}

/* ---- indexes, built once the pool is complete ---- */

#define DEFINE_CMP(fn, type, field)                                                                \
    static int fn(const void *a, const void *b)                                                    \
    {                                                                                              \
        return strcmp((*(type *const *)a)->field, (*(type *const *)b)->field);                     \
    }

DEFINE_CMP(file_cmp, const pbd_file, name)
DEFINE_CMP(message_cmp, const pbd_message, full_name)
DEFINE_CMP(enum_cmp, const pbd_enum, full_name)
DEFINE_CMP(service_cmp, const pbd_service, full_name)
DEFINE_CMP(method_cmp, const pbd_method, path)

static void *sorted_copy(pbd_builder *b, const void *src, size_t n, size_t size,
                         int (*cmp)(const void *, const void *))
{
    void *dst = gb_arena_memdup(&b->pool->arena, src, n * size);
    if (dst != NULL && n > 1)
        qsort(dst, n, size, cmp);
    return dst;
}

int pbd_pool_index(pbd_builder *b)
{
    pbd_pool *p = b->pool;
    const pbd_method **methods = gb_arena_calloc(&p->arena, p->n_methods, sizeof(*methods));
    if (methods == NULL)
        return gb_err_set(b->err, PBD_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < p->n_services; i++) {
        for (size_t j = 0; j < p->services[i]->n_methods; j++)
            methods[n++] = &p->services[i]->methods[j];
    }
    if (n > 1)
        qsort(methods, n, sizeof(*methods), method_cmp);
    p->methods_sorted = methods;
    p->files_sorted = sorted_copy(b, p->files, p->n_files, sizeof(*p->files), file_cmp);
    p->messages_sorted =
        sorted_copy(b, p->messages, p->n_messages, sizeof(*p->messages), message_cmp);
    p->enums_sorted = sorted_copy(b, p->enums, p->n_enums, sizeof(*p->enums), enum_cmp);
    p->services_sorted =
        sorted_copy(b, p->services, p->n_services, sizeof(*p->services), service_cmp);
    if (p->files_sorted == NULL || p->messages_sorted == NULL || p->enums_sorted == NULL ||
        p->services_sorted == NULL)
        return gb_err_set(b->err, PBD_ERR_NOMEM, "out of memory");
    for (size_t i = 1; i < n; i++) {
        if (strcmp(methods[i - 1]->path, methods[i]->path) == 0)
            return gb_err_set(b->err, PBD_ERR_DUPLICATE, "%s: method defined twice",
                              methods[i]->path);
    }
    return 0;
}
