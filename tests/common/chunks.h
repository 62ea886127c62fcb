/*
 * Every chunked input in every split: feeds the same bytes whole, in each two-way
 * split and one byte at a time, so a parser that works only on whole input fails.
 *
 *     static void reset(void *ud) { ... fresh parser ... }
 *     static void feed(const uint8_t *p, size_t n, void *ud) { parser_feed(..., p, n); }
 *     static void check(void *ud, const char *how) { cr_assert(..., "%s", how); }
 *     chunks_each(bytes, n, &(chunks_ops){reset, feed, check}, &state);
 */
#ifndef TESTS_CHUNKS_H
#define TESTS_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

typedef struct chunks_ops {
    void (*reset)(void *ud);                            /* before each pass */
    void (*feed)(const uint8_t *p, size_t n, void *ud); /* one chunk */
    void (*check)(void *ud, const char *how);           /* after each pass; |how| names it */
} chunks_ops;

/** Runs the passes: whole, every split point 1..n-1, then byte by byte. */
void chunks_each(const uint8_t *p, size_t n, const chunks_ops *ops, void *ud);

#endif
