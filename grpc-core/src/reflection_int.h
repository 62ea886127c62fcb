/*
 * The index behind server reflection: the files of a FileDescriptorSet, each kept
 * serialized, and sorted tables of every symbol they declare and every extension
 * (extendee, number) they define.
 */
#ifndef GCORE_REFLECTION_INT_H
#define GCORE_REFLECTION_INT_H

#include <base/arena.h>
#include <base/err.h>
#include <base/slice.h>

#include <stddef.h>
#include <stdint.h>

typedef struct refl_file {
    const char *name;
    gb_slice bytes; /* a serialized FileDescriptorProto */
    const char **deps;
    size_t n_deps;
} refl_file;

typedef struct refl_symbol {
    const char *name; /* fully qualified, no leading dot */
    size_t file;
} refl_symbol;

typedef struct refl_ext {
    const char *extendee; /* fully qualified, no leading dot */
    int32_t number;
    size_t file;
} refl_ext;

typedef struct refl_index {
    gb_arena arena; /* everything below */
    refl_file *files;
    size_t n_files;
    refl_symbol *syms; /* sorted by name */
    size_t n_syms, cap_syms;
    refl_ext *exts; /* sorted by extendee, then number */
    size_t n_exts, cap_exts;
    const char **services; /* in the set's order */
    size_t n_services, cap_services;
} refl_index;

/**
 * Parses the FileDescriptorSet |fds| (copied) and builds the tables.
 * Returns 0, GCORE_ERR_INVALID (not a FileDescriptorSet; |err| says) or GCORE_ERR_NOMEM.
 */
int refl_index_build(refl_index *ix, gb_slice fds, gb_err *err);
void refl_index_free(refl_index *ix);

/** The file's index, or -1. */
long refl_find_file(const refl_index *ix, const char *name);
long refl_find_symbol(const refl_index *ix, const char *name);
long refl_find_extension(const refl_index *ix, const char *extendee, int32_t number);

/** The extensions of |extendee| as a range of ix->exts: [*first, *first + count). */
size_t refl_extensions_of(const refl_index *ix, const char *extendee, size_t *first);

/**
 * Writes |file| then its transitive dependencies, each once, into |order| (room for
 * ix->n_files). Dependencies missing from the set are skipped. Returns the count.
 */
size_t refl_closure(const refl_index *ix, size_t file, size_t *order);

#endif
