/* Allocation-failure injection through the linker's --wrap (see failalloc.h). */
#include "failalloc.h"

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAILALLOC_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FAILALLOC_LSAN 1
#endif
#ifdef FAILALLOC_LSAN
#include <sanitizer/lsan_interface.h>
#endif

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

static long counted;
static long fail_at = -1;

/* Counts one allocation; true when it is the one to fail. */
static bool failing(void)
{
    return counted++ == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return failing() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    return failing() ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return failing() ? NULL : __real_realloc(p, n);
}

void failalloc_fail_at(long at)
{
    counted = 0;
    fail_at = at;
}

long failalloc_count(void)
{
    return counted;
}

long failalloc_each(int (*run)(void *arg), void (*check)(int rv, long at, void *arg), void *arg)
{
    failalloc_fail_at(-1);
    run(arg);
    long total = failalloc_count();
    for (long at = 0; at < total; at++) {
        failalloc_fail_at(at);
        int rv = run(arg);
        failalloc_fail_at(-1);
        check(rv, at, arg);
    }
    return total;
}

bool failalloc_leaks(void)
{
#ifdef FAILALLOC_LSAN
    return __lsan_do_recoverable_leak_check() != 0;
#else
    return false;
#endif
}
