/*
 * Differential tests against python's protobuf json_format on the corpus in
 * tests/data/json (<full.Type>__<case>.json). json_oracle.py wrote, at build time, what
 * python makes of each case: the wire bytes of Parse + SerializeToString, or its error,
 * and MessageToJson of the message with four option sets. JSON -> wire must give the
 * same bytes; wire -> JSON of python's bytes must give the same JSON, compared as JSON
 * values (numbers by value, members in any order).
 * json_gen.py adds generated cases (CODEC_GEN_DIR, made at build time from a fixed seed).
 * Cases named *__strict_* are ones python accepts and we refuse on purpose (base64 with
 * characters outside both alphabets); *__lenient_* ones python refuses and we accept
 * (integer strings with exponents, duplicate keys: the last one wins, as ProtoJSON says).
 */
#include "test_json_common.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>

TestSuite(json_oracle, .init = load_pool, .fini = free_pool);

static char *slurp(const char *path, size_t *n)
{
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    gb_buf b;
    gb_buf_init(&b, 0);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        gb_buf_append(&b, chunk, got);
    fclose(f);
    gb_buf_putc(&b, 0);
    *n = b.n - 1;
    return (char *)b.p;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case file names in |dirname|, sorted; returns their number. */
static size_t list_cases(const char *dirname, char ***out)
{
    DIR *dir = opendir(dirname);
    cr_assert_not_null(dir, "%s", dirname);
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *de; (de = readdir(dir)) != NULL;) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = strdup(de->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof(*names), cmp_names);
    *out = names;
    return n;
}

static const char *case_type(const char *name, char *buf, size_t cap)
{
    const char *sep = strstr(name, "__");
    snprintf(buf, cap, "%.*s", (int)(sep - name), name);
    return buf;
}

static bool json_equal(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
        return a->valuedouble == b->valuedouble || (isnan(a->valuedouble) && isnan(b->valuedouble));
    if ((a->type & 0xff) != (b->type & 0xff))
        return false;
    if (cJSON_IsString(a))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsArray(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return false;
        for (const cJSON *x = a->child, *y = b->child; x != NULL; x = x->next, y = y->next)
            if (!json_equal(x, y))
                return false;
        return true;
    }
    if (cJSON_IsObject(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return false;
        for (const cJSON *x = a->child; x != NULL; x = x->next) {
            const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
            if (y == NULL || !json_equal(x, y))
                return false;
        }
        return true;
    }
    return true; /* null, true, false */
}

static char *oracle_path(const char *name, const char *suffix)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/%s%s", CODEC_ORACLE_DIR, name, suffix);
    return path;
}

static cJSON *decoded(const char *type, const void *wire, size_t n)
{
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    gb_buf_init(&out, 0);
    cr_assert_eq(pbd_wire_to_json(msg(type), gb_slice_of(wire, n), &o, &out, &err), 0, "%s",
                 err.msg);
    gb_buf_putc(&out, 0);
    cJSON *j = cJSON_Parse((const char *)out.p);
    gb_buf_free(&out);
    return j;
}

/* Byte-equal; or, as map entries go out in no specified order (python writes its hash
 * map's order), of equal length and equal once decoded. */
static bool same_message(const char *type, const uint8_t *a, size_t an, const char *b, size_t bn)
{
    if (an == bn && (an == 0 || memcmp(a, b, an) == 0))
        return true;
    if (an != bn)
        return false;
    cJSON *x = decoded(type, a, an), *y = decoded(type, b, bn);
    bool eq = x != NULL && y != NULL && json_equal(x, y);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return eq;
}

/* JSON -> wire of every case in |dir|; at least |min| compared and |min| refused. */
static void check_json_to_wire(const char *dir, size_t min)
{
    char **names;
    size_t n = list_cases(dir, &names), compared = 0, refused = 0;
    cr_assert_gt(n, 2 * min);
    for (size_t i = 0; i < n; i++) {
        char type[128], *json;
        size_t json_n, want_n;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        json = slurp(path, &json_n);
        cr_assert_not_null(json, "%s", path);
        char *want = slurp(oracle_path(names[i], ".pb"), &want_n);
        gb_buf out;
        gb_buf_init(&out, 0);
        gb_err err = {0};
        pbd_json_opts o = opts();
        int rv = pbd_json_to_wire(msg(case_type(names[i], type, sizeof(type))), json, json_n, &o,
                                  &out, &err);
        bool strict = strstr(names[i], "__strict_") != NULL;
        bool lenient = strstr(names[i], "__lenient_") != NULL;
        if (want != NULL && !strict) {
            cr_expect_eq(rv, 0, "%s: %s", names[i], err.msg);
            cr_expect(rv != 0 || same_message(type, out.p, out.n, want, want_n),
                      "%s: bytes differ from python's (%zu vs %zu bytes)", names[i], out.n, want_n);
            compared++;
        } else if (!lenient) {
            cr_expect_neq(rv, 0, "%s: python refuses it, we accepted it", names[i]);
            cr_expect(rv == 0 || err.msg[0] != '\0', "%s: no error message", names[i]);
            refused++;
        } else {
            cr_expect_eq(rv, 0, "%s: %s", names[i], err.msg);
        }
        gb_buf_free(&out);
        free(want);
        free(json);
        free(names[i]);
    }
    free(names);
    cr_assert_gt(compared, min);
    cr_assert_gt(refused, min / 3);
}

Test(json_oracle, json_to_wire_gives_the_bytes_python_gives)
{
    check_json_to_wire(CODEC_CASES_DIR, 40);
}

/* json_gen.py's cases: hundreds of messages of every field kind with edge values. */
Test(json_oracle, json_to_wire_gives_the_bytes_python_gives_on_generated_messages)
{
    check_json_to_wire(CODEC_GEN_DIR, 200);
}

static void compare_json(const char *name, const char *variant, const pbd_json_opts *o)
{
    char suffix[32], type[128];
    size_t want_n, wire_n;
    snprintf(suffix, sizeof(suffix), ".%s.json", variant);
    char *want = slurp(oracle_path(name, suffix), &want_n);
    char *wire = slurp(oracle_path(name, ".pb"), &wire_n);
    cr_assert_not_null(want, "%s", name);
    gb_buf out;
    gb_buf_init(&out, 0);
    gb_err err = {0};
    int rv = pbd_wire_to_json(msg(case_type(name, type, sizeof(type))), gb_slice_of(wire, wire_n),
                              o, &out, &err);
    cr_expect_eq(rv, 0, "%s (%s): %s", name, variant, err.msg);
    gb_buf_putc(&out, 0);
    cJSON *a = cJSON_Parse((const char *)out.p), *b = cJSON_Parse(want);
    cr_expect_not_null(a, "%s (%s): our output is not JSON: %s", name, variant, out.p);
    cr_expect(a != NULL && b != NULL && json_equal(a, b), "%s (%s):\n ours:   %s\n python: %s",
              name, variant, out.p, want);
    cJSON_Delete(a);
    cJSON_Delete(b);
    gb_buf_free(&out);
    free(want);
    free(wire);
}

/* Wire -> JSON of python's bytes for every case in |dir| it accepted (at least |min|). */
static void check_wire_to_json(const char *dir, size_t min)
{
    char **names;
    size_t n = list_cases(dir, &names), compared = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *pb = slurp(oracle_path(names[i], ".pb"), &len);
        if (pb != NULL) {
            pbd_json_opts o = opts();
            compare_json(names[i], "default", &o);
            o.indent = 2;
            compare_json(names[i], "default", &o);
            o = opts();
            o.emit_unpopulated = true;
            compare_json(names[i], "emit", &o);
            o = opts();
            o.use_proto_names = true;
            compare_json(names[i], "names", &o);
            o = opts();
            o.enums_as_ints = true;
            compare_json(names[i], "ints", &o);
            compared++;
        }
        free(pb);
        free(names[i]);
    }
    free(names);
    cr_assert_gt(compared, min);
}

Test(json_oracle, wire_to_json_gives_the_json_python_gives_with_each_option)
{
    check_wire_to_json(CODEC_CASES_DIR, 40);
}

Test(json_oracle, wire_to_json_gives_the_json_python_gives_on_generated_messages)
{
    check_wire_to_json(CODEC_GEN_DIR, 200);
}
