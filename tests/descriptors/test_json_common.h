/* Shared set-up of the codec tests: the codec_test.proto pool and short-hand helpers. */
#ifndef TEST_JSON_COMMON_H
#define TEST_JSON_COMMON_H

#include <criterion/criterion.h>

#include <base/buf.h>
#include <descriptors/json_codec.h>
#include <descriptors/pool.h>

#include <stdio.h>
#include <string.h>

static pbd_pool *pool;

static inline void load_pool(void)
{
    const char *files[] = {CODEC_TEST_PB};
    gb_err err = {0};
    cr_assert_eq(pbd_pool_load_files(files, 1, &pool, &err), 0, "%s", err.msg);
}

static inline void free_pool(void)
{
    pbd_pool_unref(pool);
}

static inline const pbd_message *msg(const char *name)
{
    char full[160];
    snprintf(full, sizeof(full), "%s%s", strchr(name, '.') ? "" : "codec.test.", name);
    const pbd_message *m = pbd_pool_find_message(pool, full);
    cr_assert_not_null(m, "%s", full);
    return m;
}

static inline pbd_json_opts opts(void)
{
    pbd_json_opts o;
    pbd_json_opts_init(&o);
    o.pool = pool;
    return o;
}

/* JSON -> wire with default options (the pool resolves Any); returns the code. */
static inline int encode_with(const char *type, const char *json, const pbd_json_opts *o,
                              gb_buf *out, gb_err *err)
{
    gb_buf_init(out, 0);
    return pbd_json_to_wire(msg(type), json, strlen(json), o, out, err);
}

/* Asserts |json| encodes to the bytes written as hex in |hex| ("08 96 01"). */
static inline void assert_wire(const char *type, const char *json, const char *hex)
{
    uint8_t want[512];
    size_t n = 0;
    for (const char *s = hex; *s != '\0';) {
        unsigned v;
        int used;
        if (sscanf(s, " %2x%n", &v, &used) != 1)
            break;
        want[n++] = (uint8_t)v;
        s += used;
    }
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    cr_assert_eq(encode_with(type, json, &o, &out, &err), 0, "%s: %s", json, err.msg);
    char got[1600] = "";
    for (size_t i = 0; i < out.n && i < 500; i++)
        snprintf(got + 3 * i, 4, "%02x ", out.p[i]);
    cr_assert(out.n == n && (n == 0 || memcmp(out.p, want, n) == 0), "%s: got %s, want %s", json,
              got, hex);
    gb_buf_free(&out);
}

/* Asserts |json| is refused with |code| and a message containing |part|. */
static inline void assert_refused(const char *type, const char *json, int code, const char *part)
{
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    int rv = encode_with(type, json, &o, &out, &err);
    cr_assert_eq(rv, code, "%s: got %d (%s), want %d", json, rv, err.msg, code);
    cr_assert(strstr(err.msg, part) != NULL, "%s: message \"%s\" lacks \"%s\"", json, err.msg,
              part);
    gb_buf_free(&out);
}

/* Asserts the wire bytes are refused on the way to JSON with |code| and exactly |want|. */
static inline void assert_wire_refused(const char *type, const uint8_t *wire, size_t n, int code,
                                       const char *want)
{
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    gb_buf_init(&out, 0);
    cr_assert_eq(pbd_wire_to_json(msg(type), gb_slice_of(wire, n), &o, &out, &err), code, "%s",
                 err.msg);
    cr_assert_str_eq(err.msg, want);
    gb_buf_free(&out);
}

/* JSON -> wire -> JSON with |o| for the way back; returns the text (caller frees). */
static inline char *round_trip(const char *type, const char *json, const pbd_json_opts *o)
{
    gb_buf wire, text;
    gb_err err = {0};
    pbd_json_opts in = opts();
    cr_assert_eq(encode_with(type, json, &in, &wire, &err), 0, "%s: %s", json, err.msg);
    gb_buf_init(&text, 0);
    cr_assert_eq(pbd_wire_to_json(msg(type), gb_slice_of(wire.p, wire.n), o, &text, &err), 0,
                 "%s: %s", json, err.msg);
    gb_buf_putc(&text, 0);
    gb_buf_free(&wire);
    return (char *)text.p;
}

/* Asserts the JSON of |json| after a round trip with default options is |want|. */
static inline void assert_round_trip(const char *type, const char *json, const char *want)
{
    pbd_json_opts o = opts();
    char *got = round_trip(type, json, &o);
    cr_assert_str_eq(got, want, "%s", json);
    free(got);
}

#endif
