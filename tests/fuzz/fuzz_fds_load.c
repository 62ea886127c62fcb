/*
 * Descriptor sets: arbitrary bytes are loaded as a FileDescriptorSet; a pool that loads
 * is walked whole and routed, so that every pointer it hands out is read once.
 */
#include <descriptors/pool.h>
#include <descriptors/router.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk_message(const pbd_message *m)
{
    size_t sum = strlen(m->full_name);
    for (size_t i = 0; i < m->n_fields; i++) {
        const pbd_field *f = &m->fields[i];
        sum += strlen(f->json_name) + (f->message != NULL) + (f->enumeration != NULL);
        if (pbd_message_field_by_name(m, f->name, strlen(f->name)) == NULL ||
            pbd_message_field_by_number(m, f->number) == NULL)
            abort();
    }
    for (size_t i = 0; i < m->n_oneofs; i++)
        sum += m->oneofs[i].n_fields;
    return sum;
}

static void exercise(pbd_pool *pool)
{
    size_t sum = 0;
    for (size_t i = 0; i < pbd_pool_n_messages(pool); i++)
        sum += walk_message(pbd_pool_message(pool, i));
    for (size_t i = 0; i < pbd_pool_n_enums(pool); i++) {
        const pbd_enum *e = pbd_pool_enum(pool, i);
        if (pbd_enum_value_by_number(e, e->values[0].number) == NULL)
            abort();
    }
    pbd_router *router = NULL;
    if (pbd_router_new(pool, &router, NULL) == 0) {
        gb_arena arena;
        gb_arena_init(&arena, 1 << 16);
        for (size_t i = 0; i < pbd_router_n_routes(router); i++) {
            const pbd_http_rule *rule = pbd_router_route(router, i, NULL);
            pbd_route route;
            pbd_router_match(router, rule->verb, rule->path, strlen(rule->path), &arena, &route);
        }
        gb_arena_clear(&arena);
        pbd_router_free(router);
    }
    if (sum == SIZE_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gb_slice set = gb_slice_of(data, size);
    pbd_pool *pool = NULL;
    gb_err err = {0};
    if (pbd_pool_load_sets(&set, 1, &pool, &err) == 0) {
        exercise(pool);
        pbd_pool_unref(pool);
    } else if (err.msg[0] == '\0') {
        abort(); /* every refusal says why */
    }
    return 0;
}
