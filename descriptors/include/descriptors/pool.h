/*
 * The type pool: every message, enum, service and method of the loaded
 * FileDescriptorSets, indexed by fully qualified name, with json names, oneofs,
 * map entries, comments and google.api.http rules resolved.
 *
 * A pool is built once by pbd_pool_load_*(), then immutable and reference
 * counted: any number of threads may read it and hold references at once.
 * Its structs are plain const data (protobuf-c's descriptor layout): fields
 * sorted by number plus index arrays sorted by name and by json_name.
 *
 *     gb_err err = {0};
 *     pbd_pool *pool = NULL;
 *     const char *files[] = {"greeter.pb"};
 *     if (pbd_pool_load_files(files, 1, &pool, &err) != 0)
 *         die("%s", err.msg);   // "greeter.pb: hello.proto: hello.Req.x: unknown type .x.Y"
 *     const pbd_method *m = pbd_pool_find_method(pool, "/helloworld.Greeter/SayHello");
 *     const pbd_field *f = pbd_message_field_by_json_name(m->input, "name", 4);
 *     pbd_pool_unref(pool);
 */
#ifndef PBD_POOL_H
#define PBD_POOL_H

#include <base/err.h>
#include <base/slice.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes of descriptors/ (-100..-199); user-caused ones also fill a gb_err. */
enum {
    PBD_ERR_NOMEM = -100,      /* allocation failed */
    PBD_ERR_IO = -101,         /* a descriptor set file could not be read */
    PBD_ERR_PARSE = -102,      /* bytes that are not a FileDescriptorSet */
    PBD_ERR_DUPLICATE = -103,  /* a symbol or file defined twice, differently */
    PBD_ERR_UNRESOLVED = -104, /* a type name or dependency that is not loaded */
    PBD_ERR_TEMPLATE = -105,   /* an invalid google.api.http path template */
    PBD_ERR_RULE = -106,       /* an invalid google.api.http rule (body field, ...) */
    PBD_ERR_NOT_FOUND = -107,  /* a look-up found nothing */
    PBD_ERR_METHOD = -108,     /* the path is routed, but not for this HTTP method */
};

/** Returns a static description of a descriptors/ error code. */
const char *pbd_strerror(int code);

/* Field types, numbered as FieldDescriptorProto.Type. */
typedef enum pbd_type {
    PBD_TYPE_DOUBLE = 1,
    PBD_TYPE_FLOAT = 2,
    PBD_TYPE_INT64 = 3,
    PBD_TYPE_UINT64 = 4,
    PBD_TYPE_INT32 = 5,
    PBD_TYPE_FIXED64 = 6,
    PBD_TYPE_FIXED32 = 7,
    PBD_TYPE_BOOL = 8,
    PBD_TYPE_STRING = 9,
    PBD_TYPE_GROUP = 10,
    PBD_TYPE_MESSAGE = 11,
    PBD_TYPE_BYTES = 12,
    PBD_TYPE_UINT32 = 13,
    PBD_TYPE_ENUM = 14,
    PBD_TYPE_SFIXED32 = 15,
    PBD_TYPE_SFIXED64 = 16,
    PBD_TYPE_SINT32 = 17,
    PBD_TYPE_SINT64 = 18,
} pbd_type;

typedef enum pbd_label {
    PBD_LABEL_OPTIONAL = 1,
    PBD_LABEL_REQUIRED = 2,
    PBD_LABEL_REPEATED = 3,
} pbd_label;

/* Well-known types with a special JSON mapping, recognised by full name. */
typedef enum pbd_wkt {
    PBD_WKT_NONE = 0,
    PBD_WKT_ANY,
    PBD_WKT_TIMESTAMP,
    PBD_WKT_DURATION,
    PBD_WKT_STRUCT,
    PBD_WKT_VALUE,
    PBD_WKT_LIST_VALUE,
    PBD_WKT_FIELD_MASK,
    PBD_WKT_EMPTY,
    PBD_WKT_DOUBLE_VALUE,
    PBD_WKT_FLOAT_VALUE,
    PBD_WKT_INT64_VALUE,
    PBD_WKT_UINT64_VALUE,
    PBD_WKT_INT32_VALUE,
    PBD_WKT_UINT32_VALUE,
    PBD_WKT_BOOL_VALUE,
    PBD_WKT_STRING_VALUE,
    PBD_WKT_BYTES_VALUE,
} pbd_wkt;

typedef struct pbd_pool pbd_pool;
typedef struct pbd_file pbd_file;
typedef struct pbd_message pbd_message;
typedef struct pbd_field pbd_field;
typedef struct pbd_oneof pbd_oneof;
typedef struct pbd_enum pbd_enum;
typedef struct pbd_enum_value pbd_enum_value;
typedef struct pbd_service pbd_service;
typedef struct pbd_method pbd_method;
typedef struct pbd_http_rule pbd_http_rule;

struct pbd_file {
    const char *name;    /* "google/protobuf/timestamp.proto" */
    const char *package; /* "" when none */
    bool proto3;         /* syntax = "proto3" */
    gb_slice serialized; /* the FileDescriptorProto bytes as loaded (for reflection) */
    const pbd_file *const *deps;
    size_t n_deps;
};

struct pbd_enum_value {
    const char *name;
    int32_t number;
    const char *comment; /* leading comment, or NULL */
    bool deprecated;
};

struct pbd_enum {
    const char *full_name; /* "pkg.Outer.Kind" (no leading dot) */
    const char *name;      /* "Kind" */
    const pbd_file *file;
    const pbd_enum_value *values; /* declaration order; values[0] is the default */
    size_t n_values;
    const pbd_enum_value *const *by_name;   /* sorted by strcmp(name) */
    const pbd_enum_value *const *by_number; /* sorted by number; aliases: first declared only */
    size_t n_by_number;
    bool allow_alias;
    bool closed; /* proto2 enum: unknown numbers are unknown fields */
    const char *comment;
    bool deprecated;
};

struct pbd_field {
    const char *name;      /* proto name, "page_token" */
    const char *json_name; /* json_name option, or lowerCamel of name: "pageToken" */
    uint32_t number;
    pbd_type type;
    pbd_label label;
    bool packed;          /* repeated scalar written packed (proto3 default, or [packed=true]) */
    bool proto3_optional; /* declared `optional` in proto3 */
    bool has_presence;    /* messages, oneof members, proto3 optional, proto2 singular */
    bool is_map;          /* repeated field of a map-entry message */
    int oneof_index;      /* index into containing->oneofs, or -1 (synthetic oneofs excluded) */
    const pbd_message *message;  /* PBD_TYPE_MESSAGE / PBD_TYPE_GROUP, else NULL */
    const pbd_enum *enumeration; /* PBD_TYPE_ENUM, else NULL */
    const pbd_message *containing;
    const char *default_value; /* proto2 [default = ...] text, or NULL */
    const char *comment;
    bool deprecated;
};

struct pbd_oneof {
    const char *name;
    const pbd_field *const *fields; /* declaration order */
    size_t n_fields;
};

struct pbd_message {
    const char *full_name; /* "pkg.Outer.Inner" */
    const char *name;      /* "Inner" */
    const pbd_file *file;
    const pbd_field *fields; /* sorted by number */
    size_t n_fields;
    const pbd_field *const *by_name;      /* sorted by strcmp(name) */
    const pbd_field *const *by_json_name; /* sorted by strcmp(json_name) */
    const pbd_oneof *oneofs;              /* real oneofs only: proto3 `optional` makes none here */
    size_t n_oneofs;
    bool map_entry; /* fields[0] is key (1), fields[1] is value (2) */
    pbd_wkt wkt;
    const char *comment;
    bool deprecated;
};

struct pbd_http_rule {
    const char *verb;                /* "GET", "PUT", "POST", "DELETE", "PATCH", or custom kind */
    const char *path;                /* the template text, "/v1/shelves/{shelf}" */
    const struct pbd_template *tmpl; /* compiled (see path_template.h) */
    const char *body;                /* NULL (no body), "*" or a top-level field name */
    const char *response_body;       /* NULL or a top-level field name */
    const pbd_method *method;
    bool additional; /* came from additional_bindings */
};

struct pbd_method {
    const char *name;      /* "SayHello" */
    const char *full_name; /* "helloworld.Greeter.SayHello" */
    const char *path;      /* "/helloworld.Greeter/SayHello" */
    const pbd_service *service;
    const pbd_message *input;
    const pbd_message *output;
    bool client_streaming;
    bool server_streaming;
    const pbd_http_rule *rules; /* primary first, then additional_bindings; NULL, 0: unbound */
    size_t n_rules;
    const char *comment;
    bool deprecated;
};

struct pbd_service {
    const char *full_name; /* "helloworld.Greeter" */
    const char *name;      /* "Greeter" */
    const pbd_file *file;
    const pbd_method *methods; /* declaration order */
    size_t n_methods;
    const char *comment;
    bool deprecated;
};

/**
 * Loads and merges binary FileDescriptorSets read from |n| files. A file that the
 * sets define twice must be byte-identical; everything must resolve.
 * Ownership: on success the caller holds one reference to |*pool_out|.
 * Returns 0, or PBD_ERR_IO, PBD_ERR_PARSE, PBD_ERR_DUPLICATE, PBD_ERR_UNRESOLVED,
 * PBD_ERR_TEMPLATE, PBD_ERR_RULE, PBD_ERR_NOMEM; |err| then names the file and symbol.
 */
int pbd_pool_load_files(const char *const *paths, size_t n, pbd_pool **pool_out, gb_err *err);

/** As pbd_pool_load_files(), from serialized FileDescriptorSets in memory (borrowed). */
int pbd_pool_load_sets(const gb_slice *sets, size_t n, pbd_pool **pool_out, gb_err *err);

/** Takes one more reference. Thread: any. */
pbd_pool *pbd_pool_ref(pbd_pool *pool);

/** Drops one reference; the last one frees the pool and everything it owns. Thread: any. */
void pbd_pool_unref(pbd_pool *pool);

/* Look-ups by fully qualified name without a leading dot; NULL when absent. */
const pbd_message *pbd_pool_find_message(const pbd_pool *pool, const char *full_name);
const pbd_enum *pbd_pool_find_enum(const pbd_pool *pool, const char *full_name);
const pbd_service *pbd_pool_find_service(const pbd_pool *pool, const char *full_name);
const pbd_file *pbd_pool_find_file(const pbd_pool *pool, const char *name);
/** |path| is "/pkg.Service/Method". */
const pbd_method *pbd_pool_find_method(const pbd_pool *pool, const char *path);

/* Iteration in load order. */
size_t pbd_pool_n_services(const pbd_pool *pool);
const pbd_service *pbd_pool_service(const pbd_pool *pool, size_t i);
size_t pbd_pool_n_files(const pbd_pool *pool);
const pbd_file *pbd_pool_file(const pbd_pool *pool, size_t i);
size_t pbd_pool_n_messages(const pbd_pool *pool);
const pbd_message *pbd_pool_message(const pbd_pool *pool, size_t i);
size_t pbd_pool_n_enums(const pbd_pool *pool);
const pbd_enum *pbd_pool_enum(const pbd_pool *pool, size_t i);

/* Field look-ups (binary search); |name| need not be NUL-terminated. NULL when absent. */
const pbd_field *pbd_message_field_by_number(const pbd_message *m, uint32_t number);
const pbd_field *pbd_message_field_by_name(const pbd_message *m, const char *name, size_t len);
const pbd_field *pbd_message_field_by_json_name(const pbd_message *m, const char *name, size_t len);

/* Enum look-ups; NULL when absent. */
const pbd_enum_value *pbd_enum_value_by_name(const pbd_enum *e, const char *name, size_t len);
const pbd_enum_value *pbd_enum_value_by_number(const pbd_enum *e, int32_t number);

#endif
