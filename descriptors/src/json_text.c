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

/* Resolves "a.b.c" to the chain of fields, checking that every field before the last
 * is a singular message. Returns the chain length, or a negative code. */
static int resolve(const pbd_message *root, const char *path, const pbd_field **chain, gb_err *err)
{
    const pbd_message *m = root;
    int n = 0;
    for (const char *s = path;;) {
        const char *dot = strchr(s, '.');
        size_t len = dot != NULL ? (size_t)(dot - s) : strlen(s);
        const pbd_field *f = pbd_field_named(m, s, len);
        if (f == NULL)
            return gb_err_set(err, PBD_ERR_FIELD_PATH, "parameter \"%s\": no field \"%.*s\" in %s",
                              path, (int)len, s, m->full_name);
        if (n == MAX_PATH_DEPTH)
            return gb_err_set(err, PBD_ERR_FIELD_PATH, "parameter \"%s\": path too deep", path);
        chain[n++] = f;
        if (dot == NULL)
            return n;
        if (f->type != PBD_TYPE_MESSAGE || f->label == PBD_LABEL_REPEATED)
            return gb_err_set(err, PBD_ERR_FIELD_PATH,
                              "parameter \"%s\": \"%.*s\" is not a singular message field", path,
                              (int)len, s);
        m = f->message;
        s = dot + 1;
    }
}

static bool has_text_form(const pbd_field *f)
{
    if (f->is_map)
        return false;
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

int pbd_text_to_wire(const pbd_message *root, const char *field_path, const char *value, size_t len,
                     gb_buf *out, gb_err *err)
{
    const pbd_field *chain[MAX_PATH_DEPTH];
    size_t marks[MAX_PATH_DEPTH];
    int n = resolve(root, field_path, chain, err);
    if (n < 0)
        return n;
    if (!has_text_form(chain[n - 1]))
        return gb_err_set(err, PBD_ERR_FIELD_PATH,
                          "parameter \"%s\": field %s has no text form (a map, or a message)",
                          field_path, chain[n - 1]->name);
    size_t before = out->n;
    int rv = 0;
    for (int i = 0; rv == 0 && i < n - 1; i++) {
        rv = pbd_wire_tag(out, chain[i]->number, PBD_WT_LEN);
        if (rv == 0)
            marks[i] = pbd_wire_len_begin(out, &rv);
    }
    if (rv == 0)
        rv = encode_leaf(chain[n - 1], field_path, value, len, out, err);
    for (int i = n - 2; rv == 0 && i >= 0; i--)
        rv = pbd_wire_len_end(out, marks[i]);
    rv = pbd_finish(rv, out, before, err);
    return rv;
}
