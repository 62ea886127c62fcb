/*
 * The API description of the loaded services, built at run time from a descriptor
 * pool and its google.api.http rules: OpenAPI 3.1 or Swagger 2.0, as JSON or YAML.
 *
 * One operation per route (additional bindings too; methods without a rule at
 * POST /pkg.Service/Method), operationId "Service_Method" ("Service_Method2" for
 * the second binding), a tag per service, summary and description from the leading
 * comments, path and query parameters, request and response bodies per `body` and
 * `response_body`, and a default error response shaped as google.rpc.Status.
 *
 *     gb_err err = {0};
 *     gb_buf doc;
 *     gb_buf_init(&doc, 0);
 *     oas_options opts = {.format = OAS_FORMAT_3_1};
 *     if (oas_document_render(pool, &opts, &doc, &err) != 0)
 *         die("%s", err.msg);
 *     serve("/openapi.json", "application/json", doc.p, doc.n);
 *     gb_buf_free(&doc);
 *
 * Schemas follow the ProtoJSON mapping as protogate's codec writes it:
 * - property names are json_name (lowerCamel), or proto names with |proto_names|;
 * - int64, uint64 and their fixed/sint kinds are `type: string` with format int64 /
 *   uint64, as written on output. Input also takes JSON numbers, but a union type
 *   ([string, integer]) makes most client generators give up or emit untyped
 *   fields, so the documents describe the output form only;
 * - 32-bit integers are `integer` (int32 / uint32), float and double `number`
 *   (float / double); the strings "NaN", "Infinity" and "-Infinity" are accepted
 *   and written for non-finite values, for the same reason not part of the type;
 * - bytes are `string` format byte (base64), enums string enums of the value names,
 *   maps objects with additionalProperties, repeated fields arrays;
 * - oneof members are plain optional properties whose descriptions (and the
 *   message's) name the members of the group: `oneOf` would break generators;
 * - well-known types are inlined as their JSON forms (Timestamp date-time string,
 *   Duration "1.5s" string, wrappers the bare type and null, Struct any object,
 *   Value anything, ListValue array, FieldMask string, Any object with "@type",
 *   Empty empty object);
 * - every other message and enum is a named schema (components/schemas in 3.1,
 *   definitions in 2.0) keyed by its full name and used by $ref, so recursion works.
 */
#ifndef OAS_OPENAPI_H
#define OAS_OPENAPI_H

#include <base/buf.h>
#include <base/err.h>
#include <descriptors/pool.h>

#include <stdbool.h>

/* Error codes of openapi/ (-300..-399). */
enum {
    OAS_ERR_NOMEM = -300,     /* allocation failed */
    OAS_ERR_INVALID = -301,   /* bad options */
    OAS_ERR_NOT_FOUND = -302, /* no such asset */
    OAS_ERR_POOL = -303,      /* a rule names a field the input message lacks */
};

/** Returns a static description of an openapi/ error code. */
const char *oas_strerror(int code);

typedef enum oas_format {
    OAS_FORMAT_3_1 = 0, /* OpenAPI 3.1.0 */
    OAS_FORMAT_2_0 = 1, /* Swagger 2.0 */
} oas_format;

/*
 * What to build; all zero is an OpenAPI 3.1 JSON document with lowerCamel names.
 * Fields are only ever appended, so designated initialisers stay valid.
 */
typedef struct oas_options {
    oas_format format;
    bool yaml;           /* oas_document_render(): YAML instead of JSON */
    bool proto_names;    /* property and query names as declared in the .proto */
    const char *title;   /* info.title; NULL: "protogate" */
    const char *version; /* info.version; NULL: "1.0.0" */
} oas_options;

/**
 * Builds the document for every service of |pool| and writes it to |out| (appended)
 * as indented JSON or, with opts->yaml, as block-style YAML. Output is deterministic:
 * services, methods and bindings in pool order, fields in declaration-number order.
 * Ownership: |pool| is borrowed for the call only.
 * Thread: any; the pool is only read.
 * Returns 0, or OAS_ERR_NOMEM, OAS_ERR_INVALID (unknown format), OAS_ERR_POOL, or the
 * gb_buf error (GB_ERR_LIMIT) when |out| reaches its limit; |err| says what.
 */
int oas_document_render(const pbd_pool *pool, const oas_options *opts, gb_buf *out, gb_err *err);

#endif
