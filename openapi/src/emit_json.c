/* The document tree as indented JSON (two spaces, keys in insertion order). */
#include "oas_int.h"

#include <math.h>
#include <stdio.h>

static int put_indent(gb_buf *out, int depth)
{
    int rc = gb_buf_putc(out, '\n');
    for (int i = 0; rc == 0 && i < depth; i++)
        rc = gb_buf_append(out, "  ", 2);
    return rc;
}

/* JSON string escapes; UTF-8 passes through as is. */
int oas_json_string(gb_buf *out, const char *s)
{
    int rc = gb_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p; p++) {
        switch (*p) {
        case '"':
            rc = gb_buf_append(out, "\\\"", 2);
            break;
        case '\\':
            rc = gb_buf_append(out, "\\\\", 2);
            break;
        case '\n':
            rc = gb_buf_append(out, "\\n", 2);
            break;
        case '\t':
            rc = gb_buf_append(out, "\\t", 2);
            break;
        case '\r':
            rc = gb_buf_append(out, "\\r", 2);
            break;
        default:
            rc = *p < 0x20 ? gb_buf_printf(out, "\\u%04x", *p) : gb_buf_putc(out, *p);
        }
    }
    return rc != 0 ? rc : gb_buf_putc(out, '"');
}

int oas_json_number(gb_buf *out, double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        return gb_buf_printf(out, "%lld", (long long)v);
    return gb_buf_printf(out, "%.17g", v);
}

static int write_value(const cJSON *v, gb_buf *out, int depth);

static int write_container(const cJSON *v, gb_buf *out, int depth)
{
    bool obj = cJSON_IsObject(v);
    int rc = gb_buf_putc(out, obj ? '{' : '[');
    if (v->child == NULL)
        return rc != 0 ? rc : gb_buf_putc(out, obj ? '}' : ']');
    for (const cJSON *e = v->child; rc == 0 && e != NULL; e = e->next) {
        rc = put_indent(out, depth + 1);
        if (rc == 0 && obj) {
            rc = oas_json_string(out, e->string);
            if (rc == 0)
                rc = gb_buf_append(out, ": ", 2);
        }
        if (rc == 0)
            rc = write_value(e, out, depth + 1);
        if (rc == 0 && e->next != NULL)
            rc = gb_buf_putc(out, ',');
    }
    if (rc == 0)
        rc = put_indent(out, depth);
    return rc != 0 ? rc : gb_buf_putc(out, obj ? '}' : ']');
}

static int write_value(const cJSON *v, gb_buf *out, int depth)
{
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        return write_container(v, out, depth);
    if (cJSON_IsString(v))
        return oas_json_string(out, v->valuestring);
    if (cJSON_IsNumber(v))
        return oas_json_number(out, v->valuedouble);
    if (cJSON_IsBool(v))
        return gb_buf_append_str(out, cJSON_IsTrue(v) ? "true" : "false");
    return gb_buf_append_str(out, "null");
}

int oas_json_write(const cJSON *tree, gb_buf *out)
{
    int rc = write_value(tree, out, 0);
    return rc != 0 ? rc : gb_buf_putc(out, '\n');
}
