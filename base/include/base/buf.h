/*
 * A growable byte buffer on malloc, with an optional limit: JSON and wire bytes
 * are written straight into one.
 *
 *     gb_buf b;
 *     gb_buf_init(&b, 4 << 20);                // refuse to grow past 4 MiB
 *     if (gb_buf_append(&b, "{", 1) != 0) ...  // GB_ERR_LIMIT or GB_ERR_NOMEM
 *     use(b.p, b.n);
 *     gb_buf_free(&b);
 */
#ifndef GB_BUF_H
#define GB_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct gb_buf {
    uint8_t *p;
    size_t n;
    size_t cap;
    size_t limit; /* 0: no limit */
} gb_buf;

void gb_buf_init(gb_buf *b, size_t limit);

/** Makes room for |extra| more bytes. Returns 0, GB_ERR_LIMIT or GB_ERR_NOMEM. */
int gb_buf_reserve(gb_buf *b, size_t extra);

/** Appends |n| bytes. Returns 0, GB_ERR_LIMIT or GB_ERR_NOMEM. */
int gb_buf_append(gb_buf *b, const void *p, size_t n);

/** Appends the NUL-terminated |s| (without its NUL). */
int gb_buf_append_str(gb_buf *b, const char *s);

/** Appends one byte. */
int gb_buf_putc(gb_buf *b, uint8_t c);

/** Appends printf-style text. Returns 0, GB_ERR_LIMIT or GB_ERR_NOMEM. */
int gb_buf_printf(gb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Empties the buffer, keeping its memory. */
void gb_buf_reset(gb_buf *b);

/** Frees the memory; the buffer is empty and reusable. */
void gb_buf_free(gb_buf *b);

#endif
