/* Schemas of fields and messages in the ProtoJSON mapping (see openapi.h). */
#include "oas_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool v2(const oas_ctx *c)
{
    return c->opts->format == OAS_FORMAT_2_0;
}

const char *oas_field_name(const oas_ctx *c, const pbd_field *f)
{
    return c->opts->proto_names ? f->name : f->json_name;
}

cJSON *oas_ref(oas_ctx *c, const char *name)
{
    char target[512];
    snprintf(target, sizeof(target), "%s%s", v2(c) ? "#/definitions/" : "#/components/schemas/",
             name);
    cJSON *ref = cJSON_CreateObject();
    oas_str(c, ref, "$ref", target);
    return ref;
}

static cJSON *typed(oas_ctx *c, const char *type, const char *format)
{
    cJSON *s = cJSON_CreateObject();
    oas_str(c, s, "type", type);
    if (format != NULL)
        oas_str(c, s, "format", format);
    return s;
}

/* Type and format of a scalar field type (enums and messages excluded). */
static void scalar_type(pbd_type t, const char **type, const char **format)
{
    *format = NULL;
    switch (t) {
    case PBD_TYPE_DOUBLE:
        *type = "number", *format = "double";
        break;
    case PBD_TYPE_FLOAT:
        *type = "number", *format = "float";
        break;
    case PBD_TYPE_INT64:
    case PBD_TYPE_SINT64:
    case PBD_TYPE_SFIXED64:
        *type = "string", *format = "int64";
        break;
    case PBD_TYPE_UINT64:
    case PBD_TYPE_FIXED64:
        *type = "string", *format = "uint64";
        break;
    case PBD_TYPE_INT32:
    case PBD_TYPE_SINT32:
    case PBD_TYPE_SFIXED32:
        *type = "integer", *format = "int32";
        break;
    case PBD_TYPE_UINT32:
    case PBD_TYPE_FIXED32:
        *type = "integer", *format = "uint32";
        break;
    case PBD_TYPE_BOOL:
        *type = "boolean";
        break;
    case PBD_TYPE_BYTES:
        *type = "string", *format = "byte";
        break;
    default:
        *type = "string";
    }
}

/* An enum is a string enum of its value names (the codec writes names). */
static void enum_values(oas_ctx *c, cJSON *s, const pbd_enum *e)
{
    oas_str(c, s, "type", "string");
    cJSON *values = oas_arr(c, s, "enum");
    for (size_t i = 0; i < e->n_values; i++)
        oas_push(c, values, cJSON_CreateString(e->values[i].name));
}

static cJSON *enum_inline(oas_ctx *c, const pbd_enum *e)
{
    cJSON *s = cJSON_CreateObject();
    enum_values(c, s, e);
    return s;
}

cJSON *oas_schema_scalar(oas_ctx *c, const pbd_field *f)
{
    if (f->type == PBD_TYPE_ENUM)
        return enum_inline(c, f->enumeration);
    const char *type, *format;
    scalar_type(f->type, &type, &format);
    return typed(c, type, format);
}

/* A wrapper: the bare type, and null (3.1 type list; 2.0 has only x-nullable). */
static cJSON *wrapper(oas_ctx *c, pbd_type t)
{
    const char *type, *format;
    scalar_type(t, &type, &format);
    cJSON *s = cJSON_CreateObject();
    if (v2(c)) {
        oas_str(c, s, "type", type);
    } else {
        cJSON *types = oas_arr(c, s, "type");
        oas_push(c, types, cJSON_CreateString(type));
        oas_push(c, types, cJSON_CreateString("null"));
    }
    if (format != NULL)
        oas_str(c, s, "format", format);
    if (v2(c))
        oas_set(c, s, "x-nullable", cJSON_CreateTrue());
    return s;
}

static void example(oas_ctx *c, cJSON *s, const char *value)
{
    if (v2(c)) {
        oas_str(c, s, "example", value);
        return;
    }
    cJSON *list = oas_arr(c, s, "examples");
    oas_push(c, list, cJSON_CreateString(value));
}

static cJSON *any_schema(oas_ctx *c)
{
    cJSON *s = typed(c, "object", NULL);
    oas_str(c, s, "description",
            "Any message: \"@type\" names it (type.googleapis.com/pkg.Message), the other "
            "members are its fields, or \"value\" for a type with a special JSON form.");
    cJSON *at = oas_obj(c, oas_obj(c, s, "properties"), "@type");
    oas_str(c, at, "type", "string");
    cJSON *req = oas_arr(c, s, "required");
    oas_push(c, req, cJSON_CreateString("@type"));
    oas_set(c, s, "additionalProperties", cJSON_CreateTrue());
    return s;
}

static const pbd_type wrapped[] = {
    [PBD_WKT_DOUBLE_VALUE] = PBD_TYPE_DOUBLE, [PBD_WKT_FLOAT_VALUE] = PBD_TYPE_FLOAT,
    [PBD_WKT_INT64_VALUE] = PBD_TYPE_INT64,   [PBD_WKT_UINT64_VALUE] = PBD_TYPE_UINT64,
    [PBD_WKT_INT32_VALUE] = PBD_TYPE_INT32,   [PBD_WKT_UINT32_VALUE] = PBD_TYPE_UINT32,
    [PBD_WKT_BOOL_VALUE] = PBD_TYPE_BOOL,     [PBD_WKT_STRING_VALUE] = PBD_TYPE_STRING,
    [PBD_WKT_BYTES_VALUE] = PBD_TYPE_BYTES,
};

/* The JSON form of a well-known type, inlined. */
static cJSON *wkt_schema(oas_ctx *c, pbd_wkt w)
{
    cJSON *s;
    switch (w) {
    case PBD_WKT_ANY:
        return any_schema(c);
    case PBD_WKT_TIMESTAMP:
        s = typed(c, "string", "date-time");
        example(c, s, "1972-01-01T10:00:20.021Z");
        return s;
    case PBD_WKT_DURATION:
        s = typed(c, "string", NULL);
        oas_str(c, s, "pattern", "^-?[0-9]+(\\.[0-9]{1,9})?s$");
        example(c, s, "1.5s");
        return s;
    case PBD_WKT_STRUCT:
        s = typed(c, "object", NULL);
        oas_set(c, s, "additionalProperties", cJSON_CreateTrue());
        return s;
    case PBD_WKT_VALUE:
        s = cJSON_CreateObject();
        oas_str(c, s, "description", "Any JSON value.");
        return s;
    case PBD_WKT_LIST_VALUE:
        s = typed(c, "array", NULL);
        oas_obj(c, s, "items");
        return s;
    case PBD_WKT_FIELD_MASK:
        s = typed(c, "string", NULL);
        oas_str(c, s, "description", "Field paths in lowerCamel, separated by commas.");
        example(c, s, "name,updateTime");
        return s;
    case PBD_WKT_EMPTY:
        return typed(c, "object", NULL);
    default:
        return wrapper(c, wrapped[w]);
    }
}

cJSON *oas_schema_param(oas_ctx *c, const pbd_field *f)
{
    if (f->is_map)
        return NULL;
    if (f->message == NULL)
        return oas_schema_scalar(c, f);
    pbd_wkt w = f->message->wkt;
    if (w >= PBD_WKT_DOUBLE_VALUE)
        return oas_schema_scalar(c, &(pbd_field){.type = wrapped[w]});
    if (w == PBD_WKT_TIMESTAMP || w == PBD_WKT_DURATION || w == PBD_WKT_FIELD_MASK)
        return wkt_schema(c, w);
    return NULL;
}

static void fill_message(oas_ctx *c, cJSON *s, const pbd_message *m);
static void fill_enum(oas_ctx *c, cJSON *s, const pbd_enum *e);

/* A $ref to the named schema of |full_name|, created (then filled) on first use so
 * that recursive messages end at a reference. */
static cJSON *named(oas_ctx *c, const char *full_name, const pbd_message *m, const pbd_enum *e)
{
    if (cJSON_GetObjectItemCaseSensitive(c->schemas, full_name) == NULL) {
        cJSON *s = oas_obj(c, c->schemas, full_name);
        if (s != NULL && m != NULL)
            fill_message(c, s, m);
        else if (s != NULL)
            fill_enum(c, s, e);
    }
    return oas_ref(c, full_name);
}

cJSON *oas_schema_message(oas_ctx *c, const pbd_message *m)
{
    if (m->wkt != PBD_WKT_NONE)
        return wkt_schema(c, m->wkt);
    return named(c, m->full_name, m, NULL);
}

/* One value of the field: its message, enum or scalar schema. */
static cJSON *value_schema(oas_ctx *c, const pbd_field *f)
{
    if (f->message != NULL)
        return oas_schema_message(c, f->message);
    if (f->enumeration != NULL)
        return named(c, f->enumeration->full_name, NULL, f->enumeration);
    return oas_schema_scalar(c, f);
}

/* "Member of oneof `kind` (`circle`, `square`): set at most one." */
static char *oneof_note(const pbd_oneof *o, const char *name_of_first, const oas_ctx *c)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    int rc = gb_buf_printf(&b, "%s oneof `%s`: at most one of ", name_of_first, o->name);
    for (size_t i = 0; rc == 0 && i < o->n_fields; i++)
        rc = gb_buf_printf(&b, "%s`%s`", i == 0 ? "" : ", ", oas_field_name(c, o->fields[i]));
    if (rc == 0)
        rc = gb_buf_append(&b, " is set.", sizeof(" is set.")); /* with its NUL */
    if (rc != 0) {
        gb_buf_free(&b);
        return NULL;
    }
    return (char *)b.p;
}

/* Joins the field's comment and its oneof note. */
static char *field_description(oas_ctx *c, const pbd_field *f)
{
    char *text = oas_comment_text(f->comment);
    if (f->oneof_index < 0)
        return text;
    char *note = oneof_note(&f->containing->oneofs[f->oneof_index], "Member of", c);
    if (note == NULL || text == NULL) {
        if (note == NULL && text == NULL)
            c->nomem = true;
        return note != NULL ? note : text;
    }
    gb_buf b;
    gb_buf_init(&b, 0);
    if (gb_buf_printf(&b, "%s\n\n%s", text, note) != 0)
        c->nomem = true;
    free(text);
    free(note);
    return (char *)b.p;
}

/* Description and deprecation on a field schema; a 2.0 $ref takes no siblings. */
static void annotate(oas_ctx *c, cJSON *s, const pbd_field *f)
{
    if (v2(c) && cJSON_GetObjectItemCaseSensitive(s, "$ref") != NULL)
        return;
    oas_str_take(c, s, "description", field_description(c, f));
    if (f->deprecated)
        oas_true(c, s, v2(c) ? "x-deprecated" : "deprecated");
}

cJSON *oas_schema_field(oas_ctx *c, const pbd_field *f)
{
    cJSON *s;
    if (f->is_map) {
        s = typed(c, "object", NULL);
        oas_set(c, s, "additionalProperties", value_schema(c, &f->message->fields[1]));
    } else if (f->label == PBD_LABEL_REPEATED) {
        s = typed(c, "array", NULL);
        oas_set(c, s, "items", value_schema(c, f));
    } else {
        s = value_schema(c, f);
    }
    annotate(c, s, f);
    return s;
}

static char *message_description(oas_ctx *c, const pbd_message *m)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    char *text = oas_comment_text(m->comment);
    int rc = text != NULL ? gb_buf_append_str(&b, text) : 0;
    free(text);
    for (size_t i = 0; rc == 0 && i < m->n_oneofs; i++) {
        char *note = oneof_note(&m->oneofs[i], "The", c);
        rc = note == NULL ? OAS_ERR_NOMEM : gb_buf_printf(&b, "%s%s", b.n > 0 ? "\n\n" : "", note);
        free(note);
    }
    if (rc != 0)
        c->nomem = true;
    if (rc != 0 || b.n == 0) {
        gb_buf_free(&b);
        return NULL;
    }
    gb_buf_putc(&b, '\0');
    return (char *)b.p;
}

/* An object schema of |m|'s fields, leaving out those the |skip| paths name exactly
 * and narrowing those the paths go through. */
static void fill_object(oas_ctx *c, cJSON *s, const pbd_message *m, const oas_path_var *skip,
                        size_t n_skip)
{
    oas_str(c, s, "type", "object");
    oas_str_take(c, s, "description", message_description(c, m));
    cJSON *props = oas_obj(c, s, "properties");
    cJSON *required = NULL;
    for (size_t i = 0; i < m->n_fields; i++) {
        const pbd_field *f = &m->fields[i];
        size_t len = strlen(f->name);
        oas_path_var inner[OAS_MAX_PATH_VARS];
        size_t n_inner = 0;
        bool drop = false;
        for (size_t k = 0; k < n_skip; k++) {
            const oas_path_var *v = &skip[k];
            if (v->field_len < len || memcmp(v->field, f->name, len) != 0)
                continue;
            if (v->field_len == len)
                drop = true;
            else if (v->field[len] == '.')
                inner[n_inner++] =
                    (oas_path_var){v->field + len + 1, v->field_len - len - 1, NULL, NULL};
        }
        if (drop)
            continue;
        cJSON *fs;
        if (n_inner > 0 && f->message != NULL && f->message->wkt == PBD_WKT_NONE) {
            fs = cJSON_CreateObject();
            fill_object(c, fs, f->message, inner, n_inner);
            annotate(c, fs, f);
        } else {
            fs = oas_schema_field(c, f);
        }
        oas_set(c, props, oas_field_name(c, f), fs);
        if (f->label == PBD_LABEL_REQUIRED) {
            required = required != NULL ? required : oas_arr(c, s, "required");
            oas_push(c, required, cJSON_CreateString(oas_field_name(c, f)));
        }
    }
    if (m->deprecated)
        oas_true(c, s, v2(c) ? "x-deprecated" : "deprecated");
}

static void fill_message(oas_ctx *c, cJSON *s, const pbd_message *m)
{
    fill_object(c, s, m, NULL, 0);
}

cJSON *oas_schema_message_without(oas_ctx *c, const pbd_message *m, const oas_path_var *skip,
                                  size_t n_skip)
{
    if (n_skip == 0 || m->wkt != PBD_WKT_NONE)
        return oas_schema_message(c, m);
    cJSON *s = cJSON_CreateObject();
    if (s != NULL)
        fill_object(c, s, m, skip, n_skip);
    return s;
}

/* The enum's comment, then one line per value that has a comment or is deprecated:
 * "- `FICTION`: Made up." (the value list itself carries no descriptions). */
static char *enum_description(oas_ctx *c, const pbd_enum *e)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    char *text = oas_comment_text(e->comment);
    int rc = text != NULL ? gb_buf_printf(&b, "%s\n", text) : 0;
    free(text);
    bool listed = false;
    for (size_t i = 0; rc == 0 && i < e->n_values; i++) {
        const pbd_enum_value *v = &e->values[i];
        if (v->comment == NULL && !v->deprecated)
            continue;
        char *note = oas_comment_text(v->comment);
        rc = gb_buf_printf(&b, "%s- `%s`%s%s%s\n", !listed && b.n > 0 ? "\n" : "", v->name,
                           note != NULL ? ": " : "", note != NULL ? note : "",
                           v->deprecated ? " (deprecated)" : "");
        listed = true;
        free(note);
    }
    while (rc == 0 && b.n > 0 && b.p[b.n - 1] == '\n')
        b.p[--b.n] = '\0';
    if (rc != 0)
        c->nomem = true;
    if (rc != 0 || b.n == 0) {
        gb_buf_free(&b);
        return NULL;
    }
    return (char *)b.p;
}

static void fill_enum(oas_ctx *c, cJSON *s, const pbd_enum *e)
{
    enum_values(c, s, e);
    oas_str_take(c, s, "description", enum_description(c, e));
    if (e->deprecated)
        oas_true(c, s, v2(c) ? "x-deprecated" : "deprecated");
}

/* google.rpc.Status as the gateway writes errors; a loaded google.rpc.Status has
 * the same JSON form, so fields that use it share this schema. */
cJSON *oas_schema_status_ref(oas_ctx *c)
{
    static const char name[] = "google.rpc.Status";
    if (cJSON_GetObjectItemCaseSensitive(c->schemas, name) == NULL) {
        cJSON *s = oas_obj(c, c->schemas, name);
        oas_str(c, s, "type", "object");
        oas_str(c, s, "description",
                "The error of a failed call (google.rpc.Status): the gRPC status code, "
                "its message and any details the service attached.");
        cJSON *props = oas_obj(c, s, "properties");
        cJSON *code = oas_set(c, props, "code", typed(c, "integer", "int32"));
        oas_str(c, code, "description", "The gRPC status code (google.rpc.Code).");
        cJSON *msg = oas_set(c, props, "message", typed(c, "string", NULL));
        oas_str(c, msg, "description", "A developer-facing error message.");
        cJSON *details = oas_set(c, props, "details", typed(c, "array", NULL));
        oas_set(c, details, "items", any_schema(c));
    }
    return oas_ref(c, name);
}
