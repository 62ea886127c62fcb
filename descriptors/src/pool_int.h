/*
 * The pool's private layout and the builder that turns unpacked FileDescriptorProtos
 * into it. fds_load.c reads and merges the sets, pool_build.c declares the types,
 * pool_link.c links them, pool_scope.c holds the symbol table, name resolution and comments, and
 * http_rule.c attaches the google.api.http rules once every type is linked.
 */
#ifndef PBD_POOL_INT_H
#define PBD_POOL_INT_H

#include <descriptors/pool.h>

#include <base/arena.h>
#include <base/buf.h>

#include "google/protobuf/descriptor.pb-c.h"

#include <stdatomic.h>

struct pbd_pool {
    atomic_int refs;
    gb_arena arena; /* every string and struct of the pool */
    const pbd_file **files;
    size_t n_files;
    const pbd_message **messages;
    size_t n_messages;
    const pbd_enum **enums;
    size_t n_enums;
    const pbd_service **services;
    size_t n_services;
    /* Sorted by name for look-ups. */
    const pbd_file **files_sorted;
    const pbd_message **messages_sorted;
    const pbd_enum **enums_sorted;
    const pbd_service **services_sorted;
    const pbd_method **methods_sorted; /* by path */
    size_t n_methods;
};

typedef Google__Protobuf__FileDescriptorProto pbd_fdp;
typedef Google__Protobuf__DescriptorProto pbd_dp;
typedef Google__Protobuf__SourceCodeInfo__Location pbd_loc;

/* One FileDescriptorProto of the merged sets. */
typedef struct pbd_raw_file {
    const char *set_label; /* the set file's path, or "set #2" */
    gb_slice bytes;        /* the FileDescriptorProto as serialized in its set */
    pbd_fdp *fdp;
    pbd_file *file;
    const pbd_file **deps; /* file->deps, writable while linking */
    const pbd_loc **locs;  /* locations with a leading comment, sorted by path */
    size_t n_locs;
} pbd_raw_file;

/* A declared message and where it came from, for the link pass. */
typedef struct pbd_msg_rec {
    pbd_message *m;
    const pbd_dp *dp;
    pbd_raw_file *rf;
    const int32_t *path; /* SourceCodeInfo path of the message */
    size_t n_path;
} pbd_msg_rec;

typedef struct pbd_svc_rec {
    pbd_service *s;
    pbd_method *methods; /* s->methods, writable while linking */
    const Google__Protobuf__ServiceDescriptorProto *sp;
    pbd_raw_file *rf;
    int32_t index; /* in the file's service list */
} pbd_svc_rec;

enum { PBD_SYM_PACKAGE = 1, PBD_SYM_MESSAGE, PBD_SYM_ENUM, PBD_SYM_SERVICE };

typedef struct pbd_sym {
    const char *name;
    int kind;
    void *p;
    const pbd_raw_file *rf;
} pbd_sym;

typedef struct pbd_builder {
    pbd_pool *pool;
    gb_arena tmp; /* freed when loading ends */
    gb_err *err;
    pbd_raw_file *files;
    size_t n_files;
    pbd_msg_rec *msgs;
    size_t n_msgs;
    pbd_enum **enums;
    size_t n_enums;
    pbd_svc_rec *svcs;
    size_t n_svcs;
    pbd_sym *syms;
    size_t n_syms;
    gb_buf scratch; /* candidate names during resolution */
} pbd_builder;

/* pool_build.c: builds every type of b->files into b->pool. Returns 0 or an error code. */
int pbd_build_types(pbd_builder *b);

/* pool_link.c: fields, oneofs and method types, once every name is declared. */
int pbd_build_link(pbd_builder *b);

/* pool_scope.c */
int pbd_scope_add(pbd_builder *b, const char *name, int kind, void *p, const pbd_raw_file *rf);
/* Sorts the symbols; refuses two definitions of one name. */
int pbd_scope_freeze(pbd_builder *b);
/* Resolves |name| ("Foo", "a.Foo" or ".pkg.Foo") from |scope| by C++ rules; NULL if none. */
const pbd_sym *pbd_scope_resolve(pbd_builder *b, const char *scope, const char *name);
/* Sorts the file's commented locations for pbd_scope_comment(). */
int pbd_scope_index_comments(pbd_builder *b, pbd_raw_file *rf);
/* The leading comment at |path| copied into the pool (leading spaces stripped), or NULL. */
const char *pbd_scope_comment(pbd_builder *b, const pbd_raw_file *rf, const int32_t *path,
                              size_t n_path);
/* "file.proto: symbol: " prefixed to a message formatted like printf. */
int pbd_build_fail(pbd_builder *b, const pbd_raw_file *rf, int code, const char *symbol,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* An identifier ([A-Za-z_][A-Za-z0-9_]*), or with |dotted| several joined by '.'. */
bool pbd_valid_ident(const char *s, bool dotted);
/* Copies |s| (NULL: "") into the pool; NULL when out of memory. */
char *pbd_build_str(pbd_builder *b, const char *s);

/* http_rule.c: reads, compiles and validates the google.api.http rule of every method. */
int pbd_build_http_rules(pbd_builder *b);

/* pool.c: sorts the look-up indexes once the pool is complete. */
int pbd_pool_index(pbd_builder *b);

#endif
