/*
 * Byte slices: a pointer and a length, borrowed, never owning.
 *
 *     gb_slice s = GB_SLICE_LIT("application/grpc");
 *     if (gb_slice_eq_str(header, "te")) ...
 */
#ifndef GB_SLICE_H
#define GB_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct gb_slice {
    const uint8_t *p;
    size_t n;
} gb_slice;

#define GB_SLICE_LIT(s) ((gb_slice){(const uint8_t *)(s), sizeof(s) - 1})

static inline gb_slice gb_slice_of(const void *p, size_t n)
{
    return (gb_slice){(const uint8_t *)p, n};
}

static inline gb_slice gb_slice_str(const char *s)
{
    return (gb_slice){(const uint8_t *)s, strlen(s)};
}

static inline bool gb_slice_eq_str(gb_slice s, const char *str)
{
    size_t n = strlen(str);
    return s.n == n && (n == 0 || memcmp(s.p, str, n) == 0);
}

#endif
