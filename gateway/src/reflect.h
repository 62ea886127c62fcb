/*
 * The schema from the backends themselves: gRPC server reflection
 * (grpc.reflection.v1.ServerReflection, or v1alpha from older servers) lists each
 * backend's services and returns the files that define them, with their
 * dependencies. The files are gathered into one serialized FileDescriptorSet that
 * pbd_pool_load_sets() reads like a --descriptor-set file.
 *
 *     gw_reflect r;
 *     gw_reflect_init(&r);
 *     for each backend channel: gw_reflect_fetch(&r, ch, "127.0.0.1:50051", &err);
 *     pbd_pool_load_sets(&(gb_slice){r.set.p, r.set.n}, 1, &pool, &err);
 *     gw_reflect_free(&r);
 */
#ifndef GW_REFLECT_H
#define GW_REFLECT_H

#include <base/arena.h>
#include <base/buf.h>
#include <base/err.h>
#include <grpc-core/channel.h>

#include <stddef.h>

typedef struct gw_reflect {
    gb_buf set;         /* serialized FileDescriptorSet: one record per file */
    gb_arena arena;     /* the file names below */
    const char **names; /* of the files in |set| (a file two backends send is kept once) */
    size_t n_names, cap_names;
    size_t n_services; /* services whose files were found */
} gw_reflect;

/** Makes |r| empty. */
void gw_reflect_init(gw_reflect *r);

/** Frees what |r| holds. */
void gw_reflect_free(gw_reflect *r);

/**
 * Asks the backend on |ch| (|target| names it in errors) for its services (those under
 * "grpc." are the backend's own plumbing and skipped) and appends the files defining
 * them to |r->set|. Blocks until the backend answers (5 s deadline per call).
 * Thread: not |ch|'s loop thread.
 * Returns 0, or GW_ERR_UPSTREAM (the backend does not answer reflection; |err| says
 * how), GW_ERR_NOMEM.
 */
int gw_reflect_fetch(gw_reflect *r, gcore_channel *ch, const char *target, gb_err *err);

#endif
