/* Asynchronous host name resolution for channels (resolve.c). */
#ifndef GCORE_RESOLVE_INT_H
#define GCORE_RESOLVE_INT_H

#include <grpc-core/loop.h>
#include <grpc-core/status.h>

#include <netdb.h>

typedef struct gcore_resolve gcore_resolve;

/* |res| (owned by the callee, NULL on failure) and getaddrinfo()'s code |rc|. */
typedef void (*gcore_resolved_fn)(struct addrinfo *res, int rc, void *user_data);

/*
 * Resolves |host|:|port| (copied; numeric port) on a thread of its own; |fn| runs on
 * |loop|'s thread with the result, unless gcore_resolve_cancel() came first.
 * Returns 0, GCORE_ERR_NOMEM or GCORE_ERR_IO (no thread).
 */
int gcore_resolve_start(gcore_loop *loop, const char *host, const char *port, gcore_resolved_fn fn,
                        void *user_data, gcore_resolve **out);

/* |fn| will not run; |r| frees itself. Thread: |loop|'s, before the loop is freed. */
void gcore_resolve_cancel(gcore_resolve *r);

#endif
