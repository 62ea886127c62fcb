#include <criterion/criterion.h>

#include <base/arena.h>
#include <base/err.h>

#include <stdint.h>
#include <string.h>

Test(arena, returns_aligned_distinct_memory)
{
    gb_arena a;
    gb_arena_init(&a, 0);
    char *p = gb_arena_alloc(&a, 3);
    char *q = gb_arena_alloc(&a, 5);
    cr_assert_not_null(p);
    cr_assert_not_null(q);
    cr_assert_neq(p, q);
    cr_assert_eq((uintptr_t)q % _Alignof(max_align_t), 0);
    gb_arena_clear(&a);
}

Test(arena, serves_large_requests_without_losing_the_current_block)
{
    gb_arena a;
    gb_arena_init(&a, 0);
    char *small = gb_arena_alloc(&a, 16);
    char *big = gb_arena_alloc(&a, 100000);
    char *small2 = gb_arena_alloc(&a, 16);
    cr_assert_not_null(big);
    memset(big, 0xab, 100000);
    cr_assert_eq(small2, small + 16, "small requests keep filling the first block");
    gb_arena_clear(&a);
}

Test(arena, refuses_allocations_past_its_cap)
{
    gb_arena a;
    gb_arena_init(&a, 10000);
    cr_assert_not_null(gb_arena_alloc(&a, 1000));
    cr_assert_null(gb_arena_alloc(&a, 20000));
    cr_assert_leq(gb_arena_reserved(&a), 10000);
    gb_arena_clear(&a);
    cr_assert_eq(gb_arena_reserved(&a), 0);
}

static int order[3];
static int n_order;
static void record(void *p)
{
    order[n_order++] = *(int *)p;
}

Test(arena, runs_deferred_functions_last_first_at_clear)
{
    gb_arena a;
    gb_arena_init(&a, 0);
    int one = 1, two = 2;
    cr_assert_eq(gb_arena_defer(&a, record, &one), 0);
    cr_assert_eq(gb_arena_defer(&a, record, &two), 0);
    gb_arena_clear(&a);
    cr_assert_eq(n_order, 2);
    cr_assert_eq(order[0], 2);
    cr_assert_eq(order[1], 1);
}

Test(arena, copies_strings_with_a_terminator)
{
    gb_arena a;
    gb_arena_init(&a, 0);
    char *s = gb_arena_strndup(&a, "hello world", 5);
    cr_assert_str_eq(s, "hello");
    cr_assert_null(gb_arena_calloc(&a, SIZE_MAX / 2, 4), "overflowing sizes are refused");
    gb_arena_clear(&a);
}

Test(arena, reset_keeps_one_small_block_and_runs_the_deferred_functions)
{
    gb_arena a;
    gb_arena_init(&a, 0);
    int three = 3;
    n_order = 0;
    char *first = gb_arena_alloc(&a, 16);
    cr_assert_not_null(gb_arena_alloc(&a, 100000));
    cr_assert_eq(gb_arena_defer(&a, record, &three), 0);
    size_t before = gb_arena_reserved(&a);
    gb_arena_reset(&a);
    cr_assert_eq(n_order, 1);
    cr_assert_eq(order[0], 3);
    cr_assert_lt(gb_arena_reserved(&a), before, "the large block is freed");
    cr_assert_gt(gb_arena_reserved(&a), 0, "the small one is kept");
    cr_assert_eq(gb_arena_alloc(&a, 16), first, "and reused from its start");
    gb_arena_clear(&a);
    cr_assert_eq(gb_arena_reserved(&a), 0);
}
