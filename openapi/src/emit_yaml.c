/*
 * The document tree as block-style YAML: mappings and sequences indented by two,
 * scalars plain where a YAML 1.1 or 1.2 reader cannot mistake them for anything but
 * a string, double-quoted (JSON escapes, which YAML shares) everywhere else.
 */
#include "oas_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Words YAML 1.1 resolves to booleans or null. */
static bool reserved_word(const char *s)
{
    static const char *const words[] = {"y",     "n",  "yes", "no",   "true",
                                        "false", "on", "off", "null", "~"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcasecmp(s, words[i]) == 0)
            return true;
    }
    return false;
}

/* Plain scalars: start with a letter, '/', '_' or '$' (so never a number, date or
 * indicator), then letters, digits and "_./$-" or single inner spaces. */
static bool plain_ok(const char *s)
{
    if (!(isalpha((unsigned char)s[0]) || s[0] == '/' || s[0] == '_' || s[0] == '$'))
        return false;
    size_t n = strlen(s);
    if (s[n - 1] == ' ' || reserved_word(s))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!(isalnum(ch) || strchr("_./$- ", ch) != NULL))
            return false;
        if (ch == ' ' && s[i + 1] == ' ')
            return false;
    }
    return true;
}

static int scalar_string(gb_buf *out, const char *s)
{
    return plain_ok(s) ? gb_buf_append_str(out, s) : oas_json_string(out, s);
}

static int scalar(const cJSON *v, gb_buf *out)
{
    if (cJSON_IsString(v))
        return scalar_string(out, v->valuestring);
    if (cJSON_IsNumber(v))
        return oas_json_number(out, v->valuedouble);
    if (cJSON_IsBool(v))
        return gb_buf_append_str(out, cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsObject(v))
        return gb_buf_append_str(out, "{}");
    if (cJSON_IsArray(v))
        return gb_buf_append_str(out, "[]");
    return gb_buf_append_str(out, "null");
}

static bool is_block(const cJSON *v)
{
    return (cJSON_IsObject(v) || cJSON_IsArray(v)) && v->child != NULL;
}

static int indent(gb_buf *out, int n)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = gb_buf_putc(out, ' ');
    return rc;
}

static int write_block(const cJSON *v, gb_buf *out, int col, bool inline_first);

/* One entry's value after "key:" or "-": a scalar on the same line, a block below
 * (a mapping inside a sequence starts on the dash's line). */
static int write_entry_value(const cJSON *e, gb_buf *out, int col, bool in_seq)
{
    if (!is_block(e)) {
        int rc = gb_buf_putc(out, ' ');
        rc = rc != 0 ? rc : scalar(e, out);
        return rc != 0 ? rc : gb_buf_putc(out, '\n');
    }
    if (in_seq && cJSON_IsObject(e)) {
        int rc = gb_buf_putc(out, ' ');
        return rc != 0 ? rc : write_block(e, out, col + 2, true);
    }
    int rc = gb_buf_putc(out, '\n');
    return rc != 0 ? rc : write_block(e, out, col + 2, false);
}

static int write_block(const cJSON *v, gb_buf *out, int col, bool inline_first)
{
    bool obj = cJSON_IsObject(v);
    int rc = 0;
    for (const cJSON *e = v->child; rc == 0 && e != NULL; e = e->next) {
        if (!(inline_first && e == v->child))
            rc = indent(out, col);
        if (rc == 0)
            rc = obj ? scalar_string(out, e->string) : gb_buf_putc(out, '-');
        if (rc == 0 && obj)
            rc = gb_buf_putc(out, ':');
        if (rc == 0)
            rc = write_entry_value(e, out, col, !obj);
    }
    return rc;
}

int oas_yaml_write(const cJSON *tree, gb_buf *out)
{
    if (!is_block(tree)) {
        int rc = scalar(tree, out);
        return rc != 0 ? rc : gb_buf_putc(out, '\n');
    }
    return write_block(tree, out, 0, false);
}
