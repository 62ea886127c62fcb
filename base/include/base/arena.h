/*
 * A capped region allocator: many small allocations, one free.
 *
 * Per-request memory (headers, body, wire bytes, JSON out) comes from one arena
 * that is cleared when the request ends; foreign objects join it with a dispose
 * function that runs, last deferred first, at clear time.
 *
 *     gb_arena a;
 *     gb_arena_init(&a, 1 << 20);                 // at most 1 MiB
 *     char *s = gb_arena_strndup(&a, name, len);  // NULL when the cap is reached
 *     gb_arena_defer(&a, (void (*)(void *))cJSON_Delete, root);
 *     gb_arena_clear(&a);                          // runs deferred, frees all
 */
#ifndef GB_ARENA_H
#define GB_ARENA_H

#include <stddef.h>

typedef struct gb_arena_block gb_arena_block;
typedef struct gb_arena_deferred gb_arena_deferred;

typedef struct gb_arena {
    gb_arena_block *blocks;
    gb_arena_deferred *deferred;
    size_t reserved; /* bytes taken from malloc, blocks included */
    size_t cap;      /* 0: no cap */
} gb_arena;

/** Sets up an empty arena in caller storage; |cap| bounds its memory (0: unbounded). */
void gb_arena_init(gb_arena *a, size_t cap);

/**
 * Returns |n| bytes aligned for any type, valid until gb_arena_clear(), or NULL when
 * the cap would be exceeded or malloc fails (|n| == 0 returns a valid unique pointer).
 */
void *gb_arena_alloc(gb_arena *a, size_t n);

/** gb_arena_alloc() of zeroed memory for |count| objects of |size| (overflow-checked). */
void *gb_arena_calloc(gb_arena *a, size_t count, size_t size);

/** Copies |n| bytes into the arena. Returns NULL as gb_arena_alloc() does. */
void *gb_arena_memdup(gb_arena *a, const void *p, size_t n);

/** Copies |n| bytes of |s| and a terminating NUL. Returns NULL as gb_arena_alloc() does. */
char *gb_arena_strndup(gb_arena *a, const char *s, size_t n);

/**
 * Runs |fn|(|p|) when the arena is cleared, after every function deferred later.
 * Returns 0, or GB_ERR_NOMEM / GB_ERR_LIMIT (then |fn| is not recorded: the caller
 * still owns |p|).
 */
int gb_arena_defer(gb_arena *a, void (*fn)(void *), void *p);

/** Runs the deferred functions and frees every block; the arena is empty and reusable. */
void gb_arena_clear(gb_arena *a);

/**
 * gb_arena_clear(), but one small block is kept for the next allocations (an arena that
 * serves one request after another then takes nothing from malloc for small ones).
 */
void gb_arena_reset(gb_arena *a);

/** Bytes the arena holds from malloc (what the cap is compared against). */
size_t gb_arena_reserved(const gb_arena *a);

#endif
