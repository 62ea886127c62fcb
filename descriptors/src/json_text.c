/*
 * Path variables and query parameters -> wire: one text value for a (nested) field,
 * written as the bytes of a root message with only that value set. The value is handed
 * to the JSON encoder as a string node over the raw text (no JSON escaping applies),
 * so text and JSON strings follow the same rules: integers exactly, floats with
 * "NaN"/"Infinity", enum names or numbers, base64 bytes, WKT string forms.
 */
#include "json_int.h"

#include <string.h>

enum { MAX_PATH_DEPTH = 32 };

/* A map key at the end of a path segment: "attrs[k]" (the key runs to the last ']').
 * Returns the segment's name length, and sets |*key| (NULL when there is none). */
static size_t split_key(const char *s, const char **key, size_t *key_len)
{
    size_t len = strcspn(s, ".["), all = strlen(s);
    *key = NULL;
    if (s[len] == '[' && all > len + 1 && s[all - 1] == ']') {
        *key = s + len + 1;
        *key_len = all - len - 2;
    }
    return len;
}

/* Resolves "a.b.c" (or "a.b[key]") to the chain of fields, checking that every field
 * before the last is a singular message. Returns the chain length, or a negative code. */
static int resolve(const pbd_message *root, const char *path, const pbd_field **chain,
                   const char **key, size_t *key_len, gb_err *err)
{
    const pbd_message *m = root;
    int n = 0;
    for (const char *s = path;;) {
        size_t len = split_key(s, key, key_len);
        const char *dot = s[len] == '.' ? s + len : NULL;
        const pbd_field *f = pbd_field_named(m, s, len);
        if (f == NULL)
            return gb_err_set(err, PBD_ERR_FIELD_PATH, "parameter \"%s\": no field \"%.*s\" in %s",
                              path, (int)len, s, m->full_name);
        if (n == MAX_PATH_DEPTH)
            return gb_err_set(err, PBD_ERR_FIELD_PATH, "parameter \"%s\": path too deep", path);
        chain[n++] = f;
        if (*key != NULL && !f->is_map)
            return gb_err_set(err, PBD_ERR_FIELD_PATH, "parameter \"%s\": \"%.*s\" is not a map",
                              path, (int)len, s);
        if (dot == NULL && (*key != NULL || s[len] == '\0'))
            return n;
        if (dot == NULL)
            return gb_err_set(err, PBD_ERR_FIELD_PATH, "parameter \"%s\": malformed map key", path);
        if (f->type != PBD_TYPE_MESSAGE || f->label == PBD_LABEL_REPEATED)
            return gb_err_set(err, PBD_ERR_FIELD_PATH,
                              "parameter \"%s\": \"%.*s\" is not a singular message field", path,
                              (int)len, s);
        m = f->message;
        s = dot + 1;
    }
}

static bool has_text_form(const pbd_field *f, bool keyed)
{
    if (f->is_map)
        return keyed && has_text_form(&f->message->fields[1], false);
    if (f->type != PBD_TYPE_MESSAGE)
        return f->type != PBD_TYPE_GROUP;
    switch (f->message->wkt) {
    case PBD_WKT_NONE:
    case PBD_WKT_ANY:
    case PBD_WKT_STRUCT:
    case PBD_WKT_VALUE:
    case PBD_WKT_LIST_VALUE:
    case PBD_WKT_EMPTY:
        return false;
    default:
        return true;
    }
}

static int encode_leaf(const pbd_field *leaf, const char *path, const char *value, size_t len,
                       gb_buf *out, gb_err *err)
{
    pbd_jnode node = {.type = PBD_J_STRING, .off = 0, .len = (uint32_t)len, .end = 1};
    pbd_jdoc doc = {.src = value, .src_len = len, .nodes = &node, .n = 1, .cap = 1};
    pbd_enc e = {.doc = &doc, .out = out, .err = err, .text_mode = true};
    pbd_jpath p = {.key = path, .key_len = strlen(path)};
    pbd_json_opts_init(&e.o);
    if (len >= UINT32_MAX)
        return gb_err_set(err, PBD_ERR_JSON_VALUE, "parameter \"%s\": value too long", path);
    if (!pbd_utf8_valid((const uint8_t *)value, len))
        return gb_err_set(err, PBD_ERR_JSON_VALUE, "parameter \"%s\": invalid UTF-8", path);
    gb_buf_init(&e.scratch, 0);
    int rv = gb_buf_reserve(&e.scratch, 64); /* decoded text never at a NULL pointer */
    if (rv == 0)
        rv = pbd_enc_value(&e, leaf, 0, &p, false);
    gb_buf_free(&e.scratch);
    return rv;
}

/* One map entry {key, value} as an element of map field |f|. */
static int encode_entry(const pbd_field *f, const char *path, const char *key, size_t key_len,
                        const char *value, size_t len, gb_buf *out, gb_err *err)
{
    int rv = pbd_wire_tag(out, f->number, PBD_WT_LEN);
    size_t mark = rv == 0 ? pbd_wire_len_begin(out, &rv) : 0;
    if (rv == 0)
        rv = encode_leaf(&f->message->fields[0], path, key, key_len, out, err);
    if (rv == 0)
        rv = encode_leaf(&f->message->fields[1], path, value, len, out, err);
    return rv != 0 ? rv : pbd_wire_len_end(out, mark);
}

int pbd_text_to_wire(const pbd_message *root, const char *field_path, const char *value, size_t len,
                     gb_buf *out, gb_err *err)
{
    const pbd_field *chain[MAX_PATH_DEPTH];
    size_t marks[MAX_PATH_DEPTH];
    const char *key;
    size_t key_len = 0;
    if (value == NULL)
        value = ""; /* an empty parameter may come without storage */
    int n = resolve(root, field_path, chain, &key, &key_len, err);
    if (n < 0)
        return n;
    if (!has_text_form(chain[n - 1], key != NULL))
        return gb_err_set(err, PBD_ERR_FIELD_PATH,
                          "parameter \"%s\": field %s has no text form (a message, or a map "
                          "without [key])",
                          field_path, chain[n - 1]->name);
    size_t before = out->n;
    int rv = 0;
    for (int i = 0; rv == 0 && i < n - 1; i++) {
        rv = pbd_wire_tag(out, chain[i]->number, PBD_WT_LEN);
        if (rv == 0)
            marks[i] = pbd_wire_len_begin(out, &rv);
    }
    if (rv == 0 && key != NULL)
        rv = encode_entry(chain[n - 1], field_path, key, key_len, value, len, out, err);
    else if (rv == 0)
        rv = encode_leaf(chain[n - 1], field_path, value, len, out, err);
    for (int i = n - 2; rv == 0 && i >= 0; i--)
        rv = pbd_wire_len_end(out, marks[i]);
    rv = pbd_finish(rv, out, before, err);
    return rv;
}
