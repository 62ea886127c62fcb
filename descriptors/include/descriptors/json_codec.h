/*
 * The JSON <-> protobuf wire codec, driven by the descriptor pool (ProtoJSON, as
 * protobuf.dev/programming-guides/json writes it): no generated code, no message
 * trees. JSON is tokenized into a flat node array and walked with the descriptors,
 * writing wire bytes straight into a gb_buf; wire bytes are walked with the
 * descriptors, writing JSON straight into a gb_buf.
 *
 *     pbd_json_opts o;
 *     pbd_json_opts_init(&o);
 *     o.pool = pool;                  // resolves google.protobuf.Any type URLs
 *     gb_buf wire;
 *     gb_buf_init(&wire, 4 << 20);
 *     gb_err err = {0};
 *     if (pbd_json_to_wire(m, body, body_len, &o, &wire, &err) != 0)
 *         reply_400(err.msg);         // "shelf.books[2].pages: expected int32, got string \"x\""
 *     if (pbd_text_to_wire(m, "shelf.id", "42", 2, &wire, &err) != 0)  // a path variable
 *         reply_400(err.msg);
 *     ...
 *     gb_buf json;
 *     gb_buf_init(&json, 0);
 *     pbd_wire_to_json(reply_type, gb_slice_of(reply.p, reply.n), &o, &json, &err);
 *
 * All functions append to |out|; on failure |out| is cut back to its length before the
 * call. Wire bytes come out in field-number order, maps in JSON order, so they equal
 * python's json_format.Parse(...).SerializeToString() up to map entry order. JSON comes
 * out compact (or indented), fields in number order, non-ASCII text as UTF-8 with only
 * U+2028 and U+2029 escaped (JavaScript cannot hold them raw), numbers as python prints
 * their values: 64-bit integers quoted, floats in the shortest form that reads back.
 * Input choices where ProtoJSON leaves room: duplicate keys (the last wins), integer
 * strings with exponents ("1e3"), float text that rounds to FLT_MAX are accepted; base64
 * with characters outside both alphabets is refused.
 */
#ifndef PBD_JSON_CODEC_H
#define PBD_JSON_CODEC_H

#include <base/buf.h>
#include <base/err.h>
#include <base/slice.h>
#include <descriptors/pool.h>

#include <stdbool.h>
#include <stddef.h>

/* Error codes of the codec (PBD range); every one fills the gb_err with where and what. */
enum {
    PBD_ERR_JSON_SYNTAX = -120,  /* the text is not JSON */
    PBD_ERR_JSON_TYPE = -121,    /* a JSON value of the wrong kind for the field */
    PBD_ERR_JSON_RANGE = -122,   /* a number out of the field's range, or not an integer */
    PBD_ERR_JSON_FIELD = -123,   /* an unknown field name */
    PBD_ERR_JSON_ENUM = -124,    /* an unknown enum value name (or number of a closed enum) */
    PBD_ERR_JSON_ONEOF = -125,   /* two members of one oneof set */
    PBD_ERR_JSON_VALUE = -126,   /* a malformed string form: base64, Timestamp, Duration, ... */
    PBD_ERR_DEPTH = -127,        /* nesting deeper than the configured limit */
    PBD_ERR_ANY_TYPE = -128,     /* an Any type URL the pool cannot resolve */
    PBD_ERR_WIRE = -129,         /* malformed wire bytes (truncated, bad varint, wrong type) */
    PBD_ERR_WIRE_UTF8 = -130,    /* a string field holding invalid UTF-8 */
    PBD_ERR_FIELD_PATH = -131,   /* a parameter path naming no (settable) field */
    PBD_ERR_JSON_INTERNAL = -132 /* a descriptor the codec cannot use (e.g. groups) */
};

/*
 * Options of the codec. A plain struct: always start from pbd_json_opts_init(), which
 * sets every field (including ones added later, which are only ever appended) to its
 * default, then set the fields you want. NULL options mean the defaults.
 */
typedef struct pbd_json_opts {
    const pbd_pool *pool;  /* resolves Any type URLs; NULL: any Any with a type is an error */
    bool ignore_unknown;   /* JSON in: skip unknown fields and enum names (default: error) */
    bool use_proto_names;  /* JSON out: "page_token" instead of "pageToken" */
    bool enums_as_ints;    /* JSON out: enum numbers instead of names */
    bool emit_unpopulated; /* JSON out: fields without presence at their default too */
    int indent;            /* JSON out: spaces per level, 0 for compact output */
    int max_depth;         /* message / Struct nesting limit both ways (default 100) */
} pbd_json_opts;

/** Sets |o| to the defaults: strict input, compact lowerCamel output, depth 100. */
void pbd_json_opts_init(pbd_json_opts *o);

/**
 * Encodes the JSON text |json| (|len| bytes, UTF-8) as message |m| in protobuf wire
 * format, appended to |out|.
 * Ownership: borrows everything; |out| stays the caller's.
 * Thread: any; |m| and the pool are read only.
 * Returns 0, or PBD_ERR_JSON_* / PBD_ERR_DEPTH / PBD_ERR_ANY_TYPE with |err| naming
 * the JSON path ("items[2].price: expected double, got string \"x\""),
 * PBD_ERR_NOMEM, GB_ERR_LIMIT (|out|'s limit).
 */
int pbd_json_to_wire(const pbd_message *m, const char *json, size_t len, const pbd_json_opts *o,
                     gb_buf *out, gb_err *err);

/**
 * As pbd_json_to_wire(), for an HttpRule `body: "field"`: |json| is the value of the
 * top-level field |field| (proto or json name) of |m|, and the wire bytes appended are
 * those of an |m| with only that field set.
 * Returns as pbd_json_to_wire(), or PBD_ERR_FIELD_PATH when |m| has no such field.
 */
int pbd_json_to_wire_field(const pbd_message *m, const char *field, const char *json, size_t len,
                           const pbd_json_opts *o, gb_buf *out, gb_err *err);

/**
 * Decodes |wire|, a serialized message |m|, into JSON appended to |out|. Repeated
 * fields split on the wire are grouped, singular fields seen twice follow proto
 * merge semantics, unknown fields are skipped.
 * Ownership: borrows everything. Thread: any.
 * Returns 0, or PBD_ERR_WIRE / PBD_ERR_WIRE_UTF8 / PBD_ERR_DEPTH / PBD_ERR_ANY_TYPE /
 * PBD_ERR_JSON_VALUE (a Timestamp, Duration or FieldMask with no JSON form, a Value
 * holding NaN or an infinity) with |err|
 * naming the field path, PBD_ERR_NOMEM, GB_ERR_LIMIT.
 */
int pbd_wire_to_json(const pbd_message *m, gb_slice wire, const pbd_json_opts *o, gb_buf *out,
                     gb_err *err);

/**
 * As pbd_wire_to_json(), for an HttpRule `response_body: "field"`: prints only the value
 * of the top-level field |field| (proto or json name) of the message |m| in |wire| (an
 * array for a repeated field, an object for a map or message; its default when absent).
 * Returns as pbd_wire_to_json(), or PBD_ERR_FIELD_PATH when |m| has no such field.
 */
int pbd_wire_to_json_field(const pbd_message *m, const char *field, gb_slice wire,
                           const pbd_json_opts *o, gb_buf *out, gb_err *err);

/**
 * Appends to |out| the wire encoding of one value of the (nested) field that
 * |field_path| names in |root| ("book.author.name", proto or json names; "labels[k]"
 * for the entry k of a map whose values have a text form), parsed from
 * its text form |value| (|len| bytes) as path variables and query parameters carry it:
 * integers, booleans (true/false, 1/0, t/f as grpc-gateway reads them), floats (and "NaN",
 * "Infinity", "-Infinity"), enum names or numbers, strings, base64 bytes (standard or URL-safe),
 * and the string forms of Timestamp, Duration, FieldMask and the wrappers. For a repeated field it
 * appends one element; call it once per value. Concatenated encodings merge, so the result can
 * follow a body's bytes.
 * Ownership: borrows everything. Thread: any.
 * Returns 0, or PBD_ERR_FIELD_PATH (no such field, or a repeated/map field on the way,
 * or a message leaf without a string form), PBD_ERR_JSON_TYPE / _RANGE / _ENUM / _VALUE
 * with |err| naming the parameter, PBD_ERR_NOMEM, GB_ERR_LIMIT.
 */
int pbd_text_to_wire(const pbd_message *root, const char *field_path, const char *value, size_t len,
                     gb_buf *out, gb_err *err);

#endif
