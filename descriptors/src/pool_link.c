/*
 * The link pass: every message gets its fields (types resolved, json names, presence,
 * packing), sorted by number with name and json_name indexes, and its real oneofs;
 * every method gets its input and output messages.
 */
#include "pool_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELD_NUMBER 536870911

static int nomem(pbd_builder *b)
{
    return gb_err_set(b->err, PBD_ERR_NOMEM, "out of memory");
}

/* protoc's ToJsonName: drop each '_' and upper-case the letter after it. */
static char *json_name_of(pbd_builder *b, const char *name)
{
    size_t len = strlen(name);
    char *out = gb_arena_alloc(&b->pool->arena, len + 1);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    bool upper = false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '_') {
            upper = true;
            continue;
        }
        out[n++] = upper && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        upper = false;
    }
    out[n] = '\0';
    return out;
}

static bool packable(pbd_type t)
{
    return t != PBD_TYPE_STRING && t != PBD_TYPE_BYTES && t != PBD_TYPE_MESSAGE &&
           t != PBD_TYPE_GROUP;
}

/* Resolves the field's type_name; fills type (when the descriptor left it out) and targets. */
static int resolve_field_type(pbd_builder *b, const pbd_msg_rec *r, pbd_field *f,
                              const Google__Protobuf__FieldDescriptorProto *fd, const char *sym)
{
    const pbd_sym *s = pbd_scope_resolve(b, r->m->full_name, fd->type_name);
    if (s == NULL)
        return pbd_build_fail(b, r->rf, PBD_ERR_UNRESOLVED, sym, "unknown type %s",
                              fd->type_name != NULL ? fd->type_name : "(none)");
    if (!fd->has_type)
        f->type = s->kind == PBD_SYM_ENUM ? PBD_TYPE_ENUM : PBD_TYPE_MESSAGE;
    if (f->type == PBD_TYPE_MESSAGE && s->kind == PBD_SYM_MESSAGE)
        f->message = s->p;
    else if (f->type == PBD_TYPE_ENUM && s->kind == PBD_SYM_ENUM)
        f->enumeration = s->p;
    else
        return pbd_build_fail(b, r->rf, PBD_ERR_UNRESOLVED, sym, "%s is not a %s", fd->type_name,
                              f->type == PBD_TYPE_ENUM ? "enum" : "message");
    return 0;
}

static int fill_field(pbd_builder *b, const pbd_msg_rec *r, pbd_field *f, size_t decl)
{
    const Google__Protobuf__FieldDescriptorProto *fd = r->dp->field[decl];
    char sym[300];
    snprintf(sym, sizeof(sym), "%s.%s", r->m->full_name, fd->name != NULL ? fd->name : "");
    if (!pbd_valid_ident(fd->name, false))
        return pbd_build_fail(b, r->rf, PBD_ERR_PARSE, sym, "a field without a valid name");
    if (!fd->has_number || fd->number < 1 || fd->number > MAX_FIELD_NUMBER)
        return pbd_build_fail(b, r->rf, PBD_ERR_PARSE, sym, "invalid field number");
    int label = fd->has_label ? (int)fd->label : PBD_LABEL_OPTIONAL;
    int type = fd->has_type ? (int)fd->type : 0;
    if (label < PBD_LABEL_OPTIONAL || label > PBD_LABEL_REPEATED || type < 0 ||
        type > PBD_TYPE_SINT64 || (type == 0 && fd->type_name == NULL))
        return pbd_build_fail(b, r->rf, PBD_ERR_PARSE, sym, "invalid label or type");
    if (type == PBD_TYPE_GROUP)
        return pbd_build_fail(b, r->rf, PBD_ERR_PARSE, sym, "proto2 groups are not supported");
    f->number = (uint32_t)fd->number;
    f->label = (pbd_label)label;
    f->type = (pbd_type)type;
    if (type == 0 || type == PBD_TYPE_MESSAGE || type == PBD_TYPE_ENUM) {
        int rc = resolve_field_type(b, r, f, fd, sym);
        if (rc != 0)
            return rc;
    }
    bool proto3 = r->rf->file->proto3;
    bool repeated = f->label == PBD_LABEL_REPEATED;
    const Google__Protobuf__FieldOptions *o = fd->options;
    f->containing = r->m;
    f->proto3_optional = fd->has_proto3_optional && fd->proto3_optional;
    f->has_presence = !repeated && (f->type == PBD_TYPE_MESSAGE || fd->has_oneof_index || !proto3);
    f->is_map = repeated && f->message != NULL && f->message->map_entry;
    f->packed = repeated && packable(f->type) && (o != NULL && o->has_packed ? o->packed : proto3);
    f->deprecated = o != NULL && o->deprecated;
    f->oneof_index = -1;
    int32_t path[260];
    memcpy(path, r->path, r->n_path * sizeof(*path));
    path[r->n_path] = 2;
    path[r->n_path + 1] = (int32_t)decl;
    f->comment = pbd_scope_comment(b, r->rf, path, r->n_path + 2);
    if ((f->name = pbd_build_str(b, fd->name)) == NULL)
        return nomem(b);
    f->json_name =
        fd->json_name != NULL ? pbd_build_str(b, fd->json_name) : json_name_of(b, fd->name);
    if (f->json_name == NULL)
        return nomem(b);
    if (fd->default_value != NULL &&
        (f->default_value = pbd_build_str(b, fd->default_value)) == NULL)
        return nomem(b);
    return 0;
}

typedef struct order {
    uint32_t number;
    size_t decl;
} order;

static int order_cmp(const void *a, const void *b)
{
    const order *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return (x->decl > y->decl) - (x->decl < y->decl);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp((*(const pbd_field *const *)a)->name, (*(const pbd_field *const *)b)->name);
}

static int json_cmp(const void *a, const void *b)
{
    return strcmp((*(const pbd_field *const *)a)->json_name,
                  (*(const pbd_field *const *)b)->json_name);
}

static int field_indexes(pbd_builder *b, const pbd_msg_rec *r, pbd_field *fields, size_t n)
{
    pbd_message *m = r->m;
    const pbd_field **by_name = gb_arena_calloc(&b->pool->arena, n, sizeof(*by_name));
    const pbd_field **by_json = gb_arena_calloc(&b->pool->arena, n, sizeof(*by_json));
    if (by_name == NULL || by_json == NULL)
        return nomem(b);
    for (size_t i = 0; i < n; i++)
        by_name[i] = by_json[i] = &fields[i];
    qsort(by_name, n, sizeof(*by_name), name_cmp);
    qsort(by_json, n, sizeof(*by_json), json_cmp);
    for (size_t i = 1; i < n; i++) {
        if (fields[i - 1].number == fields[i].number)
            return pbd_build_fail(b, r->rf, PBD_ERR_DUPLICATE, m->full_name,
                                  "field number %u used twice", (unsigned)fields[i].number);
        if (strcmp(by_name[i - 1]->name, by_name[i]->name) == 0)
            return pbd_build_fail(b, r->rf, PBD_ERR_DUPLICATE, m->full_name,
                                  "field %s declared twice", by_name[i]->name);
    }
    if (m->map_entry && (n != 2 || fields[0].number != 1 || fields[1].number != 2))
        return pbd_build_fail(b, r->rf, PBD_ERR_PARSE, m->full_name,
                              "a map entry must have fields 1 (key) and 2 (value)");
    m->fields = fields;
    m->n_fields = n;
    m->by_name = by_name;
    m->by_json_name = by_json;
    return 0;
}

/* Real oneofs only: a oneof holding a proto3 `optional` field is synthetic and dropped. */
static int link_oneofs(pbd_builder *b, const pbd_msg_rec *r, pbd_field **by_decl)
{
    const pbd_dp *dp = r->dp;
    size_t n_decl = dp->n_oneof_decl;
    int *real_index = gb_arena_calloc(&b->tmp, n_decl, sizeof(*real_index));
    size_t *counts = gb_arena_calloc(&b->tmp, n_decl, sizeof(*counts));
    if (real_index == NULL || counts == NULL)
        return nomem(b);
    for (size_t i = 0; i < dp->n_field; i++) {
        const Google__Protobuf__FieldDescriptorProto *fd = dp->field[i];
        if (!fd->has_oneof_index)
            continue;
        if (fd->oneof_index < 0 || (size_t)fd->oneof_index >= n_decl)
            return pbd_build_fail(b, r->rf, PBD_ERR_PARSE, r->m->full_name,
                                  "field %s: oneof index out of range", by_decl[i]->name);
        counts[fd->oneof_index]++;
        if (by_decl[i]->proto3_optional)
            real_index[fd->oneof_index] = -1;
    }
    size_t n_real = 0;
    for (size_t i = 0; i < n_decl; i++)
        real_index[i] = real_index[i] < 0 ? -1 : (int)n_real++;
    pbd_oneof *oneofs = gb_arena_calloc(&b->pool->arena, n_real, sizeof(*oneofs));
    const pbd_field ***members = gb_arena_calloc(&b->tmp, n_real, sizeof(*members));
    if (oneofs == NULL || members == NULL)
        return nomem(b);
    for (size_t i = 0; i < n_decl; i++) {
        if (real_index[i] < 0)
            continue;
        pbd_oneof *o = &oneofs[real_index[i]];
        members[real_index[i]] = gb_arena_calloc(&b->pool->arena, counts[i], sizeof(**members));
        if (members[real_index[i]] == NULL ||
            (o->name = pbd_build_str(b, dp->oneof_decl[i]->name)) == NULL)
            return nomem(b);
        o->fields = members[real_index[i]];
    }
    for (size_t i = 0; i < dp->n_field; i++) {
        const Google__Protobuf__FieldDescriptorProto *fd = dp->field[i];
        if (!fd->has_oneof_index || real_index[fd->oneof_index] < 0)
            continue;
        int k = real_index[fd->oneof_index];
        by_decl[i]->oneof_index = k;
        members[k][oneofs[k].n_fields++] = by_decl[i];
    }
    r->m->oneofs = oneofs;
    r->m->n_oneofs = n_real;
    return 0;
}

static int link_message(pbd_builder *b, const pbd_msg_rec *r)
{
    size_t n = r->dp->n_field;
    pbd_field *fields = gb_arena_calloc(&b->pool->arena, n, sizeof(*fields));
    order *ord = gb_arena_calloc(&b->tmp, n, sizeof(*ord));
    pbd_field **by_decl = gb_arena_calloc(&b->tmp, n, sizeof(*by_decl));
    if (fields == NULL || ord == NULL || by_decl == NULL)
        return nomem(b);
    for (size_t i = 0; i < n; i++) {
        int32_t num = r->dp->field[i]->number;
        ord[i] = (order){num > 0 ? (uint32_t)num : 0, i};
    }
    qsort(ord, n, sizeof(*ord), order_cmp);
    for (size_t k = 0; k < n; k++) {
        int rc = fill_field(b, r, &fields[k], ord[k].decl);
        if (rc != 0)
            return rc;
        by_decl[ord[k].decl] = &fields[k];
    }
    int rc = field_indexes(b, r, fields, n);
    return rc != 0 ? rc : link_oneofs(b, r, by_decl);
}

static int resolve_message(pbd_builder *b, const pbd_svc_rec *s, const pbd_method *m,
                           const char *name, const pbd_message **out)
{
    const pbd_sym *sym = pbd_scope_resolve(b, s->s->full_name, name);
    if (sym == NULL || sym->kind != PBD_SYM_MESSAGE)
        return pbd_build_fail(b, s->rf, PBD_ERR_UNRESOLVED, m->full_name, "unknown message %s",
                              name != NULL ? name : "(none)");
    *out = sym->p;
    return 0;
}

int pbd_build_link(pbd_builder *b)
{
    for (size_t i = 0; i < b->n_msgs; i++) {
        int rc = link_message(b, &b->msgs[i]);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < b->n_svcs; i++) {
        const pbd_svc_rec *s = &b->svcs[i];
        for (size_t j = 0; j < s->s->n_methods; j++) {
            pbd_method *m = &s->methods[j];
            const Google__Protobuf__MethodDescriptorProto *mp = s->sp->method[j];
            int rc = resolve_message(b, s, m, mp->input_type, &m->input);
            if (rc == 0)
                rc = resolve_message(b, s, m, mp->output_type, &m->output);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}
