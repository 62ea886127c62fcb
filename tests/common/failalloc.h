/*
 * Allocation-failure injection (nghttp2's failmalloc): counts the allocations a call
 * makes, then reruns it once per allocation with that one failing, so every error path
 * behind a malloc runs. The test executable is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (gw_add_failalloc_test() in
 * tests/CMakeLists.txt): the calls from the test's own objects and from the static
 * libraries (gwbase, gwdesc) go through failalloc.c, shared libraries keep theirs. Under
 * ASan the wrappers call ASan's allocator, so its leak check still sees everything.
 *
 *     static int run(void *arg) { ... return pbd_json_to_wire(...); }  // frees all it made
 *     static void check(int rv, long at, void *arg) {
 *         cr_assert(rv == 0 || rv == PBD_ERR_NOMEM, "allocation %ld: %d", at, rv);
 *     }
 *     long n = failalloc_each(run, check, &state);
 *     cr_assert_gt(n, 0);
 *     cr_assert_not(failalloc_leaks());
 */
#ifndef TESTS_FAILALLOC_H
#define TESTS_FAILALLOC_H

#include <stdbool.h>

/** Makes the |at|-th allocation from now (0-based) fail, or none when |at| < 0; resets
 * the count. */
void failalloc_fail_at(long at);

/** Allocations since the last failalloc_fail_at(). */
long failalloc_count(void);

/**
 * Runs |run| once with no failure, then once for each allocation that run made, failing
 * that one; |check| gets each failing run's result and the allocation's index.
 * Returns the number of allocations of the clean run (0 means nothing was injected).
 */
long failalloc_each(int (*run)(void *arg), void (*check)(int rv, long at, void *arg), void *arg);

/** Whether memory is leaked now (LeakSanitizer's check; false without ASan). */
bool failalloc_leaks(void);

#endif
