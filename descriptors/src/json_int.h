/* Internals of the JSON <-> wire codec shared by json_*.c and wkt_*.c. */
#ifndef PBD_JSON_INT_H
#define PBD_JSON_INT_H

#include <base/buf.h>
#include <base/err.h>
#include <descriptors/json_codec.h>
#include <descriptors/pool.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- JSON text as a flat node array (json_lex.c) ---- */

typedef enum pbd_jtype {
    PBD_J_NULL,
    PBD_J_FALSE,
    PBD_J_TRUE,
    PBD_J_NUMBER,
    PBD_J_STRING,
    PBD_J_ARRAY,
    PBD_J_OBJECT,
} pbd_jtype;

/*
 * One JSON value. Containers are followed by their children (an object's children are
 * key, value, key, value...); |end| is the index just past the subtree, so siblings are
 * reached without recursion.
 */
typedef struct pbd_jnode {
    uint8_t type;   /* pbd_jtype */
    uint8_t escape; /* a string holding backslash escapes */
    uint32_t off;   /* strings: first byte after the quote; others: first byte */
    uint32_t len;   /* strings: raw bytes between the quotes; numbers: text length;
                       containers: number of children (object: members) */
    uint32_t end;
} pbd_jnode;

typedef struct pbd_jdoc {
    const char *src;
    size_t src_len;
    pbd_jnode *nodes;
    uint32_t n;
    uint32_t cap;
} pbd_jdoc;

/* Tokenizes |src| whole; returns 0 or PBD_ERR_JSON_SYNTAX (line and column in |err|),
 * PBD_ERR_NOMEM, PBD_ERR_DEPTH (deeper than |max_depth| containers). */
int pbd_jdoc_parse(pbd_jdoc *d, const char *src, size_t len, int max_depth, gb_err *err);
void pbd_jdoc_free(pbd_jdoc *d);

/* Decodes string node |j| into |out| (UTF-8). Returns 0, PBD_ERR_JSON_VALUE for an unpaired
 * surrogate escape, or a gb_buf error. */
int pbd_jstr_decode(const pbd_jdoc *d, const pbd_jnode *j, gb_buf *out);

/* Name of the kind of a node for messages: "string", "number", "object"... */
const char *pbd_jtype_name(pbd_jtype t);

/* ---- errors with a JSON path ---- */

#define PBD_JPATH_CSTR SIZE_MAX

/* A path component, linked towards the root on the C stack; printed only on error. */
typedef struct pbd_jpath {
    const struct pbd_jpath *up;
    const char *key; /* field or map key as written, or NULL for an index */
    size_t key_len;  /* or PBD_JPATH_CSTR: |key| ends with a NUL (measured on error only) */
    size_t index;
    bool map_key; /* print as ["key"] */
} pbd_jpath;

/* Sets |err| to "<path>: <message>" and returns |code|. */
int pbd_jpath_err(gb_err *err, const pbd_jpath *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- wire primitives (json_wire.c) ---- */

enum { PBD_WT_VARINT = 0, PBD_WT_I64 = 1, PBD_WT_LEN = 2, PBD_WT_I32 = 5 };

int pbd_wire_varint(gb_buf *b, uint64_t v);
int pbd_wire_tag(gb_buf *b, uint32_t number, int wire_type);
int pbd_wire_fixed32(gb_buf *b, uint32_t v);
int pbd_wire_fixed64(gb_buf *b, uint64_t v);
int pbd_wire_bytes(gb_buf *b, uint32_t number, const void *p, size_t n);
/* A length-delimited value of unknown size on a bare buffer (pbd_text_to_wire's few
 * nested fields): begin reserves one length byte and returns the mark; end writes the
 * length there, moving the content when it needs more bytes. */
size_t pbd_wire_len_begin(gb_buf *b, int *rv);
int pbd_wire_len_end(gb_buf *b, size_t mark);
/* Wire type of a field's values (PBD_WT_LEN for messages, strings, bytes; 3 for groups). */
static inline int pbd_wire_type_of(pbd_type t)
{
    switch (t) {
    case PBD_TYPE_DOUBLE:
    case PBD_TYPE_FIXED64:
    case PBD_TYPE_SFIXED64:
        return PBD_WT_I64;
    case PBD_TYPE_FLOAT:
    case PBD_TYPE_FIXED32:
    case PBD_TYPE_SFIXED32:
        return PBD_WT_I32;
    case PBD_TYPE_STRING:
    case PBD_TYPE_BYTES:
    case PBD_TYPE_MESSAGE:
        return PBD_WT_LEN;
    case PBD_TYPE_GROUP:
        return 3;
    default:
        return PBD_WT_VARINT;
    }
}
/* Reads a varint at |*p| (< |end|); returns false when malformed or truncated. The
 * one- and two-byte cases (tags, lengths and values under 16384) are inline. */
bool pbd_wire_read_varint_long(const uint8_t **p, const uint8_t *end, uint64_t *v);
static inline bool pbd_wire_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    const uint8_t *q = *p;
    if (q < end && q[0] < 0x80) {
        *v = q[0];
        *p = q + 1;
        return true;
    }
    if (end - q >= 2 && q[1] < 0x80) {
        *v = (uint64_t)(q[0] & 0x7f) | (uint64_t)q[1] << 7;
        *p = q + 2;
        return true;
    }
    return pbd_wire_read_varint_long(p, end, v);
}

/* gb_buf_putc and gb_buf_append with the common case (room in the buffer) inline: the
 * JSON writer calls them for every punctuation byte and number. */
static inline int pbd_putc(gb_buf *b, uint8_t c)
{
    if (b->n < b->cap) {
        b->p[b->n++] = c;
        return 0;
    }
    return gb_buf_putc(b, c);
}

static inline int pbd_append(gb_buf *b, const void *p, size_t n)
{
    if (n <= b->cap - b->n && n != 0) {
        memcpy(b->p + b->n, p, n);
        b->n += n;
        return 0;
    }
    return gb_buf_append(b, p, n);
}

/* Appends a scalar (not message, not string/bytes) of type |t| whose value is |u|
 * (integers and bool as two's complement, float/double as their bits). */
int pbd_wire_scalar(gb_buf *b, pbd_type t, uint64_t u);

/* ---- numbers (json_num.c) ---- */

/* Exact integer from JSON number text (fraction and exponent allowed when the value is
 * integral). Sets |*neg| and the magnitude |*mag|. Returns 0, PBD_ERR_JSON_TYPE (not a
 * number), PBD_ERR_JSON_RANGE (not an integer, or beyond 2^64). */
int pbd_num_parse_int(const char *s, size_t n, bool *neg, uint64_t *mag);
/* Checks the magnitude against type |t|'s range; returns the two's complement value in
 * |*u|, or PBD_ERR_JSON_RANGE. */
int pbd_num_fit(pbd_type t, bool neg, uint64_t mag, uint64_t *u);
/* Double from JSON number text (strict JSON grammar). Returns 0, PBD_ERR_JSON_TYPE,
 * PBD_ERR_JSON_RANGE (overflow to infinity). */
int pbd_num_parse_double(const char *s, size_t n, double *v);
/* Appends the shortest text that reads back as |v| (as a float when |is_float|); NaN and
 * infinities as the quoted strings of ProtoJSON. */
int pbd_num_write_double(gb_buf *b, double v, bool is_float);
/* Type names for messages: "int32", "string", ... */
const char *pbd_type_name(pbd_type t);

/* ---- JSON output (json_out.c) ---- */

typedef struct pbd_jw {
    gb_buf *out;
    int indent;
    int level;
    bool first; /* no member written yet at this level */
} pbd_jw;

int pbd_jw_open(pbd_jw *w, char c);  /* '{' or '[' */
int pbd_jw_close(pbd_jw *w, char c); /* '}' or ']' */
int pbd_jw_key(pbd_jw *w, const char *k, size_t n);
int pbd_jw_elem(pbd_jw *w); /* before an array element */
int pbd_jw_string(gb_buf *b, const char *s, size_t n);
/* pbd_jw_string for text not yet known to be UTF-8: checks it in the same scan; returns
 * PBD_ERR_WIRE_UTF8 (nothing written) when it is not. */
int pbd_jw_utf8(gb_buf *b, const char *s, size_t n);

/* ---- encoder (json_encode.c, wkt_encode.c) ---- */

/* A nested length being written: its one-byte placeholder and the bytes that expanding
 * the lengths inside it will add. */
typedef struct pbd_lenmark {
    size_t pos;
    size_t extra;
} pbd_lenmark;

/* A length of 128 or more, whose placeholder byte becomes a longer varint at the end. */
typedef struct pbd_patch {
    size_t pos;
    uint64_t len;
} pbd_patch;

typedef struct pbd_enc {
    const pbd_jdoc *doc;
    pbd_json_opts o;
    gb_buf *out;
    gb_buf scratch; /* decoded strings */
    gb_err *err;
    int depth;
    bool text_mode; /* values come from URL text: bool accepts "true" / "false" */
    pbd_patch *patches;
    size_t n_patches;
    size_t cap_patches;
    size_t extra; /* sum of the bytes the patches add */
} pbd_enc;

/*
 * Nested lengths, JSON -> wire: begin writes a one-byte placeholder; end fills it when
 * the length is under 128 (the common case) or records a patch; pbd_enc_expand() then
 * widens every patched length in one backward pass, so each byte moves at most once
 * whatever the nesting depth. Return 0 or a gb_buf / PBD_ERR_NOMEM error.
 */
int pbd_enc_len_begin(pbd_enc *e, pbd_lenmark *m);
int pbd_enc_len_end(pbd_enc *e, const pbd_lenmark *m);
int pbd_enc_expand(pbd_enc *e);

/* Writes the fields of message |m| from JSON node |j| (no tag, no length). */
int pbd_enc_message(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p);
/* Writes one value of |f| with its tag (one element for a repeated field); |implicit|:
 * a singular field without presence, whose default value is not written. */
int pbd_enc_value(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p, bool implicit);
/* Writes message field |f| (tag, length, content) from |j|. */
int pbd_enc_nested(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p);
/* Writes one field occurrence (tag and value) for member value |j| of field |f|. */
int pbd_enc_field(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p);
/* Writes the content of a well-known type |m| from |j|; called by pbd_enc_message. */
int pbd_enc_wkt(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p);
/* Writes the fields of a regular message; |skip| is a member key to ignore ("@type"). */
int pbd_enc_fields(pbd_enc *e, const pbd_message *m, uint32_t j, const pbd_jpath *p,
                   const char *skip);
/* Converts a scalar JSON value into the two's complement / bit pattern of type |f->type|
 * (not strings, bytes or messages). |is_key|: a map key (a JSON string of the value). */
int pbd_enc_scalar(pbd_enc *e, const pbd_field *f, uint32_t j, const pbd_jpath *p, bool is_key,
                   uint64_t *u, bool *skip);

/* ---- text forms of WKTs (wkt_time.c), shared by both directions ---- */

int pbd_timestamp_parse(const char *s, size_t n, int64_t *secs, int32_t *nanos);
int pbd_timestamp_format(gb_buf *b, int64_t secs, int32_t nanos);
int pbd_duration_parse(const char *s, size_t n, int64_t *secs, int32_t *nanos);
int pbd_duration_format(gb_buf *b, int64_t secs, int32_t nanos);
/* "a.bC,d" -> writes each path (snake_case) as field |number| strings. */
int pbd_fieldmask_parse(const char *s, size_t n, gb_buf *wire, uint32_t number);
/* Appends the lowerCamel form of snake |path|; PBD_ERR_JSON_VALUE when it cannot round-trip. */
int pbd_fieldmask_camel(gb_buf *b, const char *path, size_t n);

/* Writes the content of a Timestamp, Duration or FieldMask |m| from its string form
 * |s| (for the JSON encoder and pbd_text_to_wire); |err| then says what, not where. */
int pbd_wkt_from_text(const pbd_message *m, const char *s, size_t n, gb_buf *out, gb_err *err);
/* Ends a public call: maps buffer errors to codec codes with a message, and truncates
 * |out| back to |before| on failure. Returns the code. */
int pbd_finish(int rv, gb_buf *out, size_t before, gb_err *err);
/* Prefixes the message in |err| with the path |p|; returns err->code (or |code|). */
int pbd_jpath_prefix(gb_err *err, const pbd_jpath *p, int code);

/* ---- decoder (json_decode.c, wkt_decode.c) ---- */

typedef struct pbd_wseg {
    const uint8_t *p;
    size_t n;
} pbd_wseg;

/* One field occurrence on the wire: the value's bytes (a varint, a fixed value, or the
 * content of a length-delimited value), its field and its position on the wire. */
typedef struct pbd_dent {
    const uint8_t *p;
    uint32_t n;
    uint32_t fidx; /* index into the message's fields */
    uint32_t seq;
    uint8_t wt;
} pbd_dent;

typedef struct pbd_dec {
    pbd_json_opts o;
    pbd_jw w;
    gb_err *err;
    int depth;
    pbd_dent *ents; /* occurrences of every level being printed, innermost last */
    size_t n_ents;
    size_t cap_ents;
    bool scan_only; /* every message scanned before printing (the one-pass printer failed) */
} pbd_dec;

/* Scans |m|'s bytes, pushing its known fields' occurrences sorted by field then wire
 * order; they are d->ents[*base .. d->n_ents), popped by setting d->n_ents = *base. */
int pbd_dec_scan(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                 const pbd_jpath *p, size_t *base);
/* Prints field |f| from its occurrences d->ents[from, to). */
int pbd_dec_value(pbd_dec *d, const pbd_field *f, size_t from, size_t to, const pbd_jpath *p);
/* Prints the default value of |f| (emit_unpopulated, missing map values). */
int pbd_dec_default(pbd_dec *d, const pbd_field *f, const pbd_jpath *p);
/* Prints map field |f| from its entries d->ents[from, to) as an object; a key seen twice
 * keeps its last value. */
int pbd_dec_map(pbd_dec *d, const pbd_field *f, size_t from, size_t to, const pbd_jpath *p);
/* The value of a scanned varint or fixed value as a 64-bit pattern. */
uint64_t pbd_wire_value(int wt, const uint8_t *p, size_t n);
/* Appends integer |v| of type |t| as decimal text (64-bit types quoted when |quote|). */
int pbd_int_format(gb_buf *b, pbd_type t, uint64_t v, bool quote);

/* Prints message |m| made of the concatenation of |segs| (merge semantics) as JSON. */
int pbd_dec_message(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                    const pbd_jpath *p);
/* Prints a well-known type |m|; called by pbd_dec_message. */
int pbd_dec_wkt(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                const pbd_jpath *p);
/* Prints the fields of a regular message into an object already open (Any payloads). */
int pbd_dec_fields(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                   const pbd_jpath *p);
/* Prints one scalar value of field |f| from its raw wire value (|wt|, |p|..|n|). */
int pbd_dec_scalar(pbd_dec *d, const pbd_field *f, int wt, const uint8_t *p, size_t n,
                   const pbd_jpath *path);

/* The length of at most |max| bytes of |s| (|n| long) that ends on a UTF-8 character
 * boundary, for quoting user text in error messages. */
int pbd_clip(const char *s, size_t n, size_t max);

/* The field of |m| named |name| (|len| bytes): json_name first, then the proto name. */
const pbd_field *pbd_field_named(const pbd_message *m, const char *name, size_t len);

/* Checks that |p|..|n| is valid UTF-8. */
bool pbd_utf8_valid(const uint8_t *p, size_t n);
/* The length of the valid UTF-8 character at |p| (|n| bytes left), or 0. */
size_t pbd_utf8_seq(const uint8_t *p, size_t n);

/* The index of the first byte of |s| from |i| on (|n| bytes) that is not printable
 * ASCII other than '"' and '\\' (a control character, a quote, a backslash, a byte with
 * its high bit set), or |n|: found eight bytes at a time (the bit tricks of "Bit
 * Twiddling Hacks", whose borrows may only stop the word loop early). */
static inline size_t pbd_ascii_run(const char *s, size_t i, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    while (n - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
        if ((((w - ones * 0x20) | (q - ones) | (bs - ones) | w) & high) != 0)
            break;
        i += 8;
    }
    while (i < n && (uint8_t)s[i] >= 0x20 && (uint8_t)s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

#endif
