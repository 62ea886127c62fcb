/*
 * Building the pool's types from unpacked FileDescriptorProtos, in two passes: declare
 * (files, messages, enums, services, every name registered), then link (fields with
 * their types resolved, oneofs, indexes, method input and output types).
 */
#include "pool_int.h"

#include <stdlib.h>
#include <string.h>

/* SourceCodeInfo path numbers (descriptor.proto field numbers). */
enum {
    P_FILE_MESSAGE = 4,
    P_FILE_ENUM = 5,
    P_FILE_SERVICE = 6,
    P_MSG_FIELD = 2,
    P_MSG_NESTED = 3,
    P_MSG_ENUM = 4,
    P_ENUM_VALUE = 2,
    P_SVC_METHOD = 2,
};

/* Nesting is bounded by fds_load.c (100 levels, two path entries each). */
#define MAX_PATH 256

static int nomem(pbd_builder *b)
{
    return gb_err_set(b->err, PBD_ERR_NOMEM, "out of memory");
}

static const struct {
    const char *name;
    pbd_wkt wkt;
} wkts[] = {
    {"google.protobuf.Any", PBD_WKT_ANY},
    {"google.protobuf.Timestamp", PBD_WKT_TIMESTAMP},
    {"google.protobuf.Duration", PBD_WKT_DURATION},
    {"google.protobuf.Struct", PBD_WKT_STRUCT},
    {"google.protobuf.Value", PBD_WKT_VALUE},
    {"google.protobuf.ListValue", PBD_WKT_LIST_VALUE},
    {"google.protobuf.FieldMask", PBD_WKT_FIELD_MASK},
    {"google.protobuf.Empty", PBD_WKT_EMPTY},
    {"google.protobuf.DoubleValue", PBD_WKT_DOUBLE_VALUE},
    {"google.protobuf.FloatValue", PBD_WKT_FLOAT_VALUE},
    {"google.protobuf.Int64Value", PBD_WKT_INT64_VALUE},
    {"google.protobuf.UInt64Value", PBD_WKT_UINT64_VALUE},
    {"google.protobuf.Int32Value", PBD_WKT_INT32_VALUE},
    {"google.protobuf.UInt32Value", PBD_WKT_UINT32_VALUE},
    {"google.protobuf.BoolValue", PBD_WKT_BOOL_VALUE},
    {"google.protobuf.StringValue", PBD_WKT_STRING_VALUE},
    {"google.protobuf.BytesValue", PBD_WKT_BYTES_VALUE},
};

static pbd_wkt wkt_of(const char *full_name)
{
    for (size_t i = 0; i < sizeof(wkts) / sizeof(wkts[0]); i++) {
        if (strcmp(wkts[i].name, full_name) == 0)
            return wkts[i].wkt;
    }
    return PBD_WKT_NONE;
}

/* "scope.name" (or "name" at the root) in the pool. */
static char *join(pbd_builder *b, const char *scope, const char *name)
{
    size_t ns = strlen(scope), nn = strlen(name);
    char *s = gb_arena_alloc(&b->pool->arena, ns + nn + 2);
    if (s == NULL)
        return NULL;
    size_t at = 0;
    if (ns > 0) {
        memcpy(s, scope, ns);
        s[ns] = '.';
        at = ns + 1;
    }
    memcpy(s + at, name, nn + 1);
    return s;
}

static bool valid_name(const char *name)
{
    return pbd_valid_ident(name, false);
}

/* ---- counting, so that every array is allocated once ---- */

typedef struct counts {
    size_t msgs, enums, svcs, methods, pkgs;
} counts;

static void count_message(const pbd_dp *dp, counts *c)
{
    c->msgs++;
    c->enums += dp->n_enum_type;
    for (size_t i = 0; i < dp->n_nested_type; i++)
        count_message(dp->nested_type[i], c);
}

static void count_all(const pbd_builder *b, counts *c)
{
    for (size_t i = 0; i < b->n_files; i++) {
        const pbd_fdp *f = b->files[i].fdp;
        c->enums += f->n_enum_type;
        c->svcs += f->n_service;
        for (size_t j = 0; j < f->n_service; j++)
            c->methods += f->service[j]->n_method;
        for (size_t j = 0; j < f->n_message_type; j++)
            count_message(f->message_type[j], c);
        if (f->package != NULL && f->package[0] != '\0') {
            c->pkgs++;
            for (const char *p = f->package; *p != '\0'; p++)
                c->pkgs += *p == '.';
        }
    }
}

/* ---- declare pass ---- */

static int declare_package(pbd_builder *b, pbd_raw_file *rf)
{
    const char *pkg = rf->file->package;
    for (size_t i = 0; pkg[i] != '\0'; i++) {
        if (pkg[i + 1] == '.' || pkg[i + 1] == '\0') {
            char *prefix = gb_arena_strndup(&b->tmp, pkg, i + 1);
            if (prefix == NULL)
                return nomem(b);
            pbd_scope_add(b, prefix, PBD_SYM_PACKAGE, NULL, rf);
        }
    }
    return 0;
}

static int value_name_cmp(const void *a, const void *b)
{
    const pbd_enum_value *x = *(const pbd_enum_value *const *)a;
    const pbd_enum_value *y = *(const pbd_enum_value *const *)b;
    return strcmp(x->name, y->name);
}

/* By number, then declaration order (the values array is in declaration order). */
static int value_number_cmp(const void *a, const void *b)
{
    const pbd_enum_value *x = *(const pbd_enum_value *const *)a;
    const pbd_enum_value *y = *(const pbd_enum_value *const *)b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return (x > y) - (x < y);
}

static int enum_indexes(pbd_builder *b, pbd_raw_file *rf, pbd_enum *e, pbd_enum_value *values)
{
    size_t n = e->n_values;
    const pbd_enum_value **by_name = gb_arena_calloc(&b->pool->arena, n, sizeof(*by_name));
    const pbd_enum_value **by_number = gb_arena_calloc(&b->pool->arena, n, sizeof(*by_number));
    if (by_name == NULL || by_number == NULL)
        return nomem(b);
    for (size_t i = 0; i < n; i++)
        by_name[i] = by_number[i] = &values[i];
    qsort(by_name, n, sizeof(*by_name), value_name_cmp);
    qsort(by_number, n, sizeof(*by_number), value_number_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(by_name[i - 1]->name, by_name[i]->name) == 0)
            return pbd_build_fail(b, rf, PBD_ERR_DUPLICATE, e->full_name, "value %s twice",
                                  by_name[i]->name);
    }
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out == 0 || by_number[out - 1]->number != by_number[i]->number)
            by_number[out++] = by_number[i];
    }
    e->by_name = by_name;
    e->by_number = by_number;
    e->n_by_number = out;
    return 0;
}

static int declare_enum(pbd_builder *b, pbd_raw_file *rf,
                        const Google__Protobuf__EnumDescriptorProto *ep, const char *scope,
                        int32_t *path, size_t n_path)
{
    if (!valid_name(ep->name))
        return pbd_build_fail(b, rf, PBD_ERR_PARSE, scope, "an enum without a valid name");
    pbd_enum *e = gb_arena_calloc(&b->pool->arena, 1, sizeof(*e));
    pbd_enum_value *values = gb_arena_calloc(&b->pool->arena, ep->n_value, sizeof(*values));
    if (e == NULL || values == NULL || (e->full_name = join(b, scope, ep->name)) == NULL ||
        (e->name = pbd_build_str(b, ep->name)) == NULL)
        return nomem(b);
    if (ep->n_value == 0)
        return pbd_build_fail(b, rf, PBD_ERR_PARSE, e->full_name, "an enum without values");
    e->file = rf->file;
    e->values = values;
    e->n_values = ep->n_value;
    e->allow_alias = ep->options != NULL && ep->options->allow_alias;
    e->deprecated = ep->options != NULL && ep->options->deprecated;
    e->closed = !rf->file->proto3;
    e->comment = pbd_scope_comment(b, rf, path, n_path);
    for (size_t i = 0; i < ep->n_value; i++) {
        const Google__Protobuf__EnumValueDescriptorProto *vp = ep->value[i];
        if (!valid_name(vp->name) || !vp->has_number)
            return pbd_build_fail(b, rf, PBD_ERR_PARSE, e->full_name,
                                  "value %zu without a name or number", i);
        if ((values[i].name = pbd_build_str(b, vp->name)) == NULL)
            return nomem(b);
        values[i].number = vp->number;
        values[i].deprecated = vp->options != NULL && vp->options->deprecated;
        path[n_path] = P_ENUM_VALUE;
        path[n_path + 1] = (int32_t)i;
        values[i].comment = pbd_scope_comment(b, rf, path, n_path + 2);
    }
    int rc = enum_indexes(b, rf, e, values);
    if (rc != 0)
        return rc;
    b->enums[b->n_enums++] = e;
    return pbd_scope_add(b, e->full_name, PBD_SYM_ENUM, e, rf);
}

static int declare_message(pbd_builder *b, pbd_raw_file *rf, const pbd_dp *dp, const char *scope,
                           int32_t *path, size_t n_path)
{
    if (!valid_name(dp->name))
        return pbd_build_fail(b, rf, PBD_ERR_PARSE, scope[0] ? scope : rf->fdp->name,
                              "a message without a valid name");
    pbd_message *m = gb_arena_calloc(&b->pool->arena, 1, sizeof(*m));
    int32_t *saved = gb_arena_memdup(&b->tmp, path, n_path * sizeof(*path));
    if (m == NULL || saved == NULL || (m->full_name = join(b, scope, dp->name)) == NULL ||
        (m->name = pbd_build_str(b, dp->name)) == NULL)
        return nomem(b);
    m->file = rf->file;
    m->map_entry = dp->options != NULL && dp->options->map_entry;
    m->deprecated = dp->options != NULL && dp->options->deprecated;
    m->wkt = wkt_of(m->full_name);
    m->comment = pbd_scope_comment(b, rf, path, n_path);
    b->msgs[b->n_msgs++] = (pbd_msg_rec){m, dp, rf, saved, n_path};
    int rc = pbd_scope_add(b, m->full_name, PBD_SYM_MESSAGE, m, rf);
    for (size_t i = 0; rc == 0 && i < dp->n_enum_type; i++) {
        path[n_path] = P_MSG_ENUM;
        path[n_path + 1] = (int32_t)i;
        rc = declare_enum(b, rf, dp->enum_type[i], m->full_name, path, n_path + 2);
    }
    for (size_t i = 0; rc == 0 && i < dp->n_nested_type; i++) {
        if (n_path + 2 > MAX_PATH - 4)
            return pbd_build_fail(b, rf, PBD_ERR_PARSE, m->full_name, "nested too deeply");
        path[n_path] = P_MSG_NESTED;
        path[n_path + 1] = (int32_t)i;
        rc = declare_message(b, rf, dp->nested_type[i], m->full_name, path, n_path + 2);
    }
    return rc;
}

static int declare_method(pbd_builder *b, pbd_raw_file *rf, pbd_service *s, pbd_method *m,
                          const Google__Protobuf__MethodDescriptorProto *mp, int32_t *path)
{
    if (!valid_name(mp->name))
        return pbd_build_fail(b, rf, PBD_ERR_PARSE, s->full_name, "a method without a valid name");
    size_t ns = strlen(s->full_name), nm = strlen(mp->name);
    char *p = gb_arena_alloc(&b->pool->arena, ns + nm + 3);
    if (p == NULL || (m->name = pbd_build_str(b, mp->name)) == NULL ||
        (m->full_name = join(b, s->full_name, mp->name)) == NULL)
        return nomem(b);
    p[0] = '/';
    memcpy(p + 1, s->full_name, ns);
    p[ns + 1] = '/';
    memcpy(p + ns + 2, mp->name, nm + 1);
    m->path = p;
    m->service = s;
    m->client_streaming = mp->client_streaming;
    m->server_streaming = mp->server_streaming;
    m->deprecated = mp->options != NULL && mp->options->deprecated;
    m->comment = pbd_scope_comment(b, rf, path, 4);
    return 0;
}

static int declare_service(pbd_builder *b, pbd_raw_file *rf, int32_t index)
{
    const Google__Protobuf__ServiceDescriptorProto *sp = rf->fdp->service[index];
    if (!valid_name(sp->name))
        return pbd_build_fail(b, rf, PBD_ERR_PARSE, rf->file->package,
                              "a service without a valid name");
    pbd_service *s = gb_arena_calloc(&b->pool->arena, 1, sizeof(*s));
    pbd_method *methods = gb_arena_calloc(&b->pool->arena, sp->n_method, sizeof(*methods));
    if (s == NULL || methods == NULL ||
        (s->full_name = join(b, rf->file->package, sp->name)) == NULL ||
        (s->name = pbd_build_str(b, sp->name)) == NULL)
        return nomem(b);
    int32_t path[4] = {P_FILE_SERVICE, index, P_SVC_METHOD, 0};
    s->file = rf->file;
    s->methods = methods;
    s->n_methods = sp->n_method;
    s->deprecated = sp->options != NULL && sp->options->deprecated;
    s->comment = pbd_scope_comment(b, rf, path, 2);
    for (size_t i = 0; i < sp->n_method; i++) {
        path[3] = (int32_t)i;
        int rc = declare_method(b, rf, s, &methods[i], sp->method[i], path);
        if (rc != 0)
            return rc;
    }
    b->svcs[b->n_svcs++] = (pbd_svc_rec){s, methods, sp, rf, index};
    return pbd_scope_add(b, s->full_name, PBD_SYM_SERVICE, s, rf);
}

static int declare_file(pbd_builder *b, pbd_raw_file *rf)
{
    int rc = pbd_scope_index_comments(b, rf);
    if (rc == 0)
        rc = declare_package(b, rf);
    int32_t path[MAX_PATH];
    for (size_t i = 0; rc == 0 && i < rf->fdp->n_enum_type; i++) {
        path[0] = P_FILE_ENUM;
        path[1] = (int32_t)i;
        rc = declare_enum(b, rf, rf->fdp->enum_type[i], rf->file->package, path, 2);
    }
    for (size_t i = 0; rc == 0 && i < rf->fdp->n_message_type; i++) {
        path[0] = P_FILE_MESSAGE;
        path[1] = (int32_t)i;
        rc = declare_message(b, rf, rf->fdp->message_type[i], rf->file->package, path, 2);
    }
    for (size_t i = 0; rc == 0 && i < rf->fdp->n_service; i++)
        rc = declare_service(b, rf, (int32_t)i);
    return rc;
}

static int make_file(pbd_builder *b, pbd_raw_file *rf)
{
    pbd_file *f = gb_arena_calloc(&b->pool->arena, 1, sizeof(*f));
    const pbd_file **deps = gb_arena_calloc(&b->pool->arena, rf->fdp->n_dependency, sizeof(*deps));
    uint8_t *bytes = gb_arena_memdup(&b->pool->arena, rf->bytes.p, rf->bytes.n);
    if (f == NULL || deps == NULL || bytes == NULL ||
        (f->name = pbd_build_str(b, rf->fdp->name)) == NULL ||
        (f->package = pbd_build_str(b, rf->fdp->package)) == NULL)
        return nomem(b);
    if (f->package[0] != '\0' && !pbd_valid_ident(f->package, true))
        return pbd_build_fail(b, rf, PBD_ERR_PARSE, f->package, "not a valid package name");
    f->proto3 = rf->fdp->syntax != NULL && strcmp(rf->fdp->syntax, "proto3") == 0;
    f->serialized = gb_slice_of(bytes, rf->bytes.n);
    f->deps = deps;
    f->n_deps = rf->fdp->n_dependency;
    rf->file = f;
    rf->deps = deps;
    return 0;
}

/* Dependencies exist (fds_load.c checked); point at them. */
static void link_deps(pbd_builder *b, pbd_raw_file *rf)
{
    for (size_t d = 0; d < rf->file->n_deps; d++) {
        for (size_t j = 0; j < b->n_files; j++) {
            if (strcmp(b->files[j].file->name, rf->fdp->dependency[d]) == 0)
                rf->deps[d] = b->files[j].file;
        }
    }
}

static int allocate(pbd_builder *b)
{
    counts c = {0};
    count_all(b, &c);
    pbd_pool *pool = b->pool;
    pool->files = gb_arena_calloc(&pool->arena, b->n_files, sizeof(*pool->files));
    pool->messages = gb_arena_calloc(&pool->arena, c.msgs, sizeof(*pool->messages));
    pool->enums = gb_arena_calloc(&pool->arena, c.enums, sizeof(*pool->enums));
    pool->services = gb_arena_calloc(&pool->arena, c.svcs, sizeof(*pool->services));
    b->msgs = gb_arena_calloc(&b->tmp, c.msgs, sizeof(*b->msgs));
    b->enums = gb_arena_calloc(&b->tmp, c.enums, sizeof(*b->enums));
    b->svcs = gb_arena_calloc(&b->tmp, c.svcs, sizeof(*b->svcs));
    b->syms = gb_arena_calloc(&b->tmp, c.msgs + c.enums + c.svcs + c.pkgs, sizeof(*b->syms));
    if (pool->files == NULL || pool->messages == NULL || pool->enums == NULL ||
        pool->services == NULL || b->msgs == NULL || b->enums == NULL || b->svcs == NULL ||
        b->syms == NULL)
        return nomem(b);
    pool->n_methods = c.methods;
    return 0;
}

int pbd_build_types(pbd_builder *b)
{
    int rc = allocate(b);
    for (size_t i = 0; rc == 0 && i < b->n_files; i++)
        rc = make_file(b, &b->files[i]);
    for (size_t i = 0; rc == 0 && i < b->n_files; i++) {
        link_deps(b, &b->files[i]);
        b->pool->files[i] = b->files[i].file;
        rc = declare_file(b, &b->files[i]);
    }
    if (rc != 0)
        return rc;
    pbd_pool *pool = b->pool;
    pool->n_files = b->n_files;
    for (size_t i = 0; i < b->n_msgs; i++)
        pool->messages[i] = b->msgs[i].m;
    pool->n_messages = b->n_msgs;
    for (size_t i = 0; i < b->n_enums; i++)
        pool->enums[i] = b->enums[i];
    pool->n_enums = b->n_enums;
    for (size_t i = 0; i < b->n_svcs; i++)
        pool->services[i] = b->svcs[i].s;
    pool->n_services = b->n_svcs;
    rc = pbd_scope_freeze(b);
    return rc != 0 ? rc : pbd_build_link(b);
}
