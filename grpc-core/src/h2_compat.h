/*
 * The one place that knows which nghttp2 API generation grpc-core is built against.
 * nghttp2 1.52 (Debian 12) predates the nghttp2_ssize "*2" API of 1.60, so the
 * ssize_t callbacks are used everywhere; GCORE_H2_SSIZE names their return type.
 */
#ifndef GCORE_H2_COMPAT_H
#define GCORE_H2_COMPAT_H

#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <sys/types.h>

#if NGHTTP2_VERSION_NUM < 0x013400
#error "grpc-core needs nghttp2 >= 1.52"
#endif

typedef ssize_t gcore_h2_ssize;

/* nghttp2_nv takes non-const pointers it never writes through (it copies them). */
static inline nghttp2_nv gcore_h2_nv(const char *name, size_t namelen, const void *value,
                                     size_t valuelen)
{
    return (nghttp2_nv){(uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value, namelen, valuelen,
                        NGHTTP2_NV_FLAG_NONE};
}

#endif
