/*
 * dlopen of libssl on the first TLS channel or listener, and the function table.
 */
#include "tls_lib_int.h"

#include <grpc-core/status.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#ifndef GCORE_LIBSSL_SONAME
#error "GCORE_LIBSSL_SONAME (e.g. \"libssl.so.3\") comes from grpc-core/CMakeLists.txt"
#endif

gcore_tls_lib gcore_openssl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[200]; /* why load() failed; empty when gcore_openssl is complete */

static void load(void)
{
    /* Never closed: SSL objects may live until exit, and OpenSSL pins itself anyway. */
    void *h = dlopen(GCORE_LIBSSL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(load_error, sizeof load_error, "%s", dlerror());
        return;
    }
#define GCORE_OPENSSL_LOAD(f)                                                                      \
    if ((gcore_openssl.f = (__typeof__(&f))dlsym(h, #f)) == NULL) {                                \
        snprintf(load_error, sizeof load_error, "no symbol %s", #f);                               \
        return;                                                                                    \
    }
    GCORE_OPENSSL_FUNCTIONS(GCORE_OPENSSL_LOAD)
#undef GCORE_OPENSSL_LOAD
}

int gcore_tls_lib_load(gb_err *err)
{
    pthread_once(&load_once, load);
    if (load_error[0] == '\0')
        return 0;
    return gb_err_set(err, GCORE_ERR_TLS, "TLS needs %s: %s", GCORE_LIBSSL_SONAME, load_error);
}
