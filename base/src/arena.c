#include <base/arena.h>
#include <base/err.h>

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Small requests share blocks of this size; a larger one gets a block of its own. */
#define BLOCK_SIZE 4096u
#define ALIGN alignof(max_align_t)

struct gb_arena_block {
    gb_arena_block *next;
    size_t used;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

struct gb_arena_deferred {
    gb_arena_deferred *next;
    void (*fn)(void *);
    void *p;
};

void gb_arena_init(gb_arena *a, size_t cap)
{
    a->blocks = NULL;
    a->deferred = NULL;
    a->reserved = 0;
    a->cap = cap;
}

static size_t round_up(size_t n)
{
    return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

static gb_arena_block *new_block(gb_arena *a, size_t size)
{
    size_t total = sizeof(gb_arena_block) + size;
    if (a->cap != 0 && (total > a->cap || a->reserved > a->cap - total))
        return NULL;
    gb_arena_block *b = malloc(total);
    if (b == NULL)
        return NULL;
    b->used = 0;
    b->size = size;
    a->reserved += total;
    return b;
}

void *gb_arena_alloc(gb_arena *a, size_t n)
{
    if (n > SIZE_MAX / 2)
        return NULL;
    n = round_up(n == 0 ? 1 : n);
    gb_arena_block *b = a->blocks;
    if (b != NULL && b->size - b->used >= n) {
        void *p = b->data + b->used;
        b->used += n;
        return p;
    }
    if (n > BLOCK_SIZE / 4) {
        /* Keep the current block for later small requests. */
        gb_arena_block *big = new_block(a, n);
        if (big == NULL)
            return NULL;
        big->used = n;
        if (b != NULL) {
            big->next = b->next;
            b->next = big;
        } else {
            big->next = NULL;
            a->blocks = big;
        }
        return big->data;
    }
    b = new_block(a, BLOCK_SIZE);
    if (b == NULL)
        return NULL;
    b->next = a->blocks;
    a->blocks = b;
    b->used = n;
    return b->data;
}

void *gb_arena_calloc(gb_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = gb_arena_alloc(a, count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *gb_arena_memdup(gb_arena *a, const void *p, size_t n)
{
    void *q = gb_arena_alloc(a, n);
    if (q != NULL && n != 0)
        memcpy(q, p, n);
    return q;
}

char *gb_arena_strndup(gb_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *q = gb_arena_alloc(a, n + 1);
    if (q == NULL)
        return NULL;
    if (n != 0)
        memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

int gb_arena_defer(gb_arena *a, void (*fn)(void *), void *p)
{
    gb_arena_deferred *d = gb_arena_alloc(a, sizeof(*d));
    if (d == NULL)
        return a->cap != 0 ? GB_ERR_LIMIT : GB_ERR_NOMEM;
    d->fn = fn;
    d->p = p;
    d->next = a->deferred;
    a->deferred = d;
    return 0;
}

void gb_arena_reset(gb_arena *a)
{
    /* Deferred records live in the blocks, so they run before any block is freed. */
    for (gb_arena_deferred *d = a->deferred; d != NULL; d = d->next)
        d->fn(d->p);
    a->deferred = NULL;
    gb_arena_block *keep = NULL;
    gb_arena_block *b = a->blocks;
    while (b != NULL) {
        gb_arena_block *next = b->next;
        if (keep == NULL && b->size == BLOCK_SIZE)
            keep = b;
        else
            free(b);
        b = next;
    }
    a->blocks = keep;
    a->reserved = 0;
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
        a->reserved = sizeof(*keep) + BLOCK_SIZE;
    }
}

void gb_arena_clear(gb_arena *a)
{
    gb_arena_reset(a);
    free(a->blocks);
    a->blocks = NULL;
    a->reserved = 0;
}

size_t gb_arena_reserved(const gb_arena *a)
{
    return a->reserved;
}
