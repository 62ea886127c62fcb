/*
 * gRPC server reflection, both grpc.reflection.v1.ServerReflection and the older
 * grpc.reflection.v1alpha.ServerReflection, answered from a FileDescriptorSet the
 * application provides (protoc --include_imports --descriptor_set_out=app.pb):
 * list_services, file_by_filename, file_containing_symbol,
 * file_containing_extension and all_extension_numbers_of_type. Files are returned
 * with their transitive dependencies; anything absent gets a NOT_FOUND
 * error_response.
 *
 *     gcore_reflection *r;
 *     if (gcore_reflection_enable(srv, gb_slice_of(pb, pb_len), &r, &err) != 0) ...
 *     ...
 *     gcore_server_free(srv);
 *     gcore_reflection_free(r);
 */
#ifndef GCORE_REFLECTION_H
#define GCORE_REFLECTION_H

#include <grpc-core/server.h>

typedef struct gcore_reflection gcore_reflection;

/**
 * Parses |fds| (a serialized FileDescriptorSet; copied) and registers both reflection
 * services on |s|. list_services names the set's services plus every service |s|
 * has methods for.
 * Ownership: caller frees |*out| with gcore_reflection_free() after gcore_server_free().
 * Thread: before gcore_server_start().
 * Returns 0, GCORE_ERR_INVALID (|fds| does not parse; |err| says), GCORE_ERR_STATE
 * or GCORE_ERR_NOMEM.
 */
int gcore_reflection_enable(gcore_server *s, gb_slice fds, gcore_reflection **out, gb_err *err);

/** Frees |r| (NULL allowed). Thread: after the server it was enabled on is freed. */
void gcore_reflection_free(gcore_reflection *r);

#endif
