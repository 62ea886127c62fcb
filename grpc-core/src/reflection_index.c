/*
 * Building the reflection index from a FileDescriptorSet with protobuf-c's
 * descriptor.proto code (generated into grpc-core's own build folder).
 */
#include "reflection_int.h"

#include <grpc-core/status.h>

#include "google/protobuf/descriptor.pb-c.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* "prefix.name", or "name" when the prefix is empty; in the arena. */
static const char *qualify(refl_index *ix, const char *prefix, const char *name)
{
    size_t pn = strlen(prefix), nn = strlen(name);
    char *s = gb_arena_alloc(&ix->arena, pn + nn + 2);
    if (s == NULL)
        return NULL;
    size_t off = 0;
    if (pn > 0) {
        memcpy(s, prefix, pn);
        s[pn] = '.';
        off = pn + 1;
    }
    memcpy(s + off, name, nn + 1);
    return s;
}

static int grow(refl_index *ix, void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *p = gb_arena_alloc(&ix->arena, ncap * size);
    if (p == NULL)
        return GCORE_ERR_NOMEM;
    if (n > 0)
        memcpy(p, *v, n * size);
    *v = p;
    *cap = ncap;
    return 0;
}

static int add_symbol(refl_index *ix, const char *prefix, const char *name, size_t file,
                      const char **full)
{
    const char *q = qualify(ix, prefix, name);
    if (q == NULL || grow(ix, (void **)&ix->syms, &ix->cap_syms, ix->n_syms, sizeof *ix->syms))
        return GCORE_ERR_NOMEM;
    ix->syms[ix->n_syms++] = (refl_symbol){q, file};
    if (full != NULL)
        *full = q;
    return 0;
}

static int add_fields(refl_index *ix, const char *scope, Google__Protobuf__FieldDescriptorProto **v,
                      size_t n, size_t file)
{
    for (size_t i = 0; i < n; i++) {
        if (add_symbol(ix, scope, v[i]->name, file, NULL) != 0)
            return GCORE_ERR_NOMEM;
        if (v[i]->extendee == NULL || !v[i]->has_number)
            continue;
        if (grow(ix, (void **)&ix->exts, &ix->cap_exts, ix->n_exts, sizeof *ix->exts))
            return GCORE_ERR_NOMEM;
        const char *ext = v[i]->extendee[0] == '.' ? v[i]->extendee + 1 : v[i]->extendee;
        ix->exts[ix->n_exts++] = (refl_ext){ext, v[i]->number, file};
    }
    return 0;
}

static int add_enums(refl_index *ix, const char *scope, Google__Protobuf__EnumDescriptorProto **v,
                     size_t n, size_t file)
{
    for (size_t i = 0; i < n; i++) {
        if (add_symbol(ix, scope, v[i]->name, file, NULL) != 0)
            return GCORE_ERR_NOMEM;
        /* Enum values are scoped like their enum, as in C++. */
        for (size_t j = 0; j < v[i]->n_value; j++) {
            if (add_symbol(ix, scope, v[i]->value[j]->name, file, NULL) != 0)
                return GCORE_ERR_NOMEM;
        }
    }
    return 0;
}

static int add_messages(refl_index *ix, const char *scope, Google__Protobuf__DescriptorProto **v,
                        size_t n, size_t file, int depth)
{
    if (depth > 64)
        return GCORE_ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        const Google__Protobuf__DescriptorProto *m = v[i];
        const char *full;
        int rv = add_symbol(ix, scope, m->name, file, &full);
        if (rv == 0)
            rv = add_fields(ix, full, m->field, m->n_field, file);
        if (rv == 0)
            rv = add_fields(ix, full, m->extension, m->n_extension, file);
        if (rv == 0)
            rv = add_enums(ix, full, m->enum_type, m->n_enum_type, file);
        if (rv == 0)
            rv = add_messages(ix, full, m->nested_type, m->n_nested_type, file, depth + 1);
        if (rv != 0)
            return rv;
    }
    return 0;
}

static int add_services(refl_index *ix, const Google__Protobuf__FileDescriptorProto *f, size_t file)
{
    const char *pkg = f->package != NULL ? f->package : "";
    for (size_t i = 0; i < f->n_service; i++) {
        const char *full;
        if (add_symbol(ix, pkg, f->service[i]->name, file, &full) != 0 ||
            grow(ix, (void **)&ix->services, &ix->cap_services, ix->n_services,
                 sizeof *ix->services))
            return GCORE_ERR_NOMEM;
        ix->services[ix->n_services++] = full;
        for (size_t j = 0; j < f->service[i]->n_method; j++) {
            if (add_symbol(ix, full, f->service[i]->method[j]->name, file, NULL) != 0)
                return GCORE_ERR_NOMEM;
        }
    }
    return 0;
}

static int add_file(refl_index *ix, const Google__Protobuf__FileDescriptorProto *f, size_t i)
{
    refl_file *rf = &ix->files[i];
    const char *pkg = f->package != NULL ? f->package : "";
    size_t n = google__protobuf__file_descriptor_proto__get_packed_size(f);
    uint8_t *bytes = gb_arena_alloc(&ix->arena, n);
    rf->name = gb_arena_strndup(&ix->arena, f->name, strlen(f->name));
    rf->deps = gb_arena_calloc(&ix->arena, f->n_dependency + 1, sizeof *rf->deps);
    if (bytes == NULL || rf->name == NULL || rf->deps == NULL)
        return GCORE_ERR_NOMEM;
    rf->bytes = gb_slice_of(bytes, google__protobuf__file_descriptor_proto__pack(f, bytes));
    for (size_t d = 0; d < f->n_dependency; d++) {
        rf->deps[d] = gb_arena_strndup(&ix->arena, f->dependency[d], strlen(f->dependency[d]));
        if (rf->deps[d] == NULL)
            return GCORE_ERR_NOMEM;
    }
    rf->n_deps = f->n_dependency;
    int rv = add_messages(ix, pkg, f->message_type, f->n_message_type, i, 0);
    if (rv == 0)
        rv = add_enums(ix, pkg, f->enum_type, f->n_enum_type, i);
    if (rv == 0)
        rv = add_fields(ix, pkg, f->extension, f->n_extension, i);
    if (rv == 0)
        rv = add_services(ix, f, i);
    return rv;
}

static int sym_cmp(const void *a, const void *b)
{
    return strcmp(((const refl_symbol *)a)->name, ((const refl_symbol *)b)->name);
}

static int ext_cmp(const void *a, const void *b)
{
    const refl_ext *x = a, *y = b;
    int c = strcmp(x->extendee, y->extendee);
    return c != 0 ? c : (x->number > y->number) - (x->number < y->number);
}

/* Copies the extendee names out of the unpacked set into the arena. */
static int own_strings(refl_index *ix)
{
    for (size_t i = 0; i < ix->n_exts; i++) {
        const char *e = ix->exts[i].extendee;
        if ((ix->exts[i].extendee = gb_arena_strndup(&ix->arena, e, strlen(e))) == NULL)
            return GCORE_ERR_NOMEM;
    }
    return 0;
}

int refl_index_build(refl_index *ix, gb_slice fds, gb_err *err)
{
    memset(ix, 0, sizeof *ix);
    gb_arena_init(&ix->arena, 0);
    Google__Protobuf__FileDescriptorSet *set =
        google__protobuf__file_descriptor_set__unpack(NULL, fds.n, fds.p);
    if (set == NULL)
        return gb_err_set(err, GCORE_ERR_INVALID, "reflection: not a FileDescriptorSet");
    int rv = 0;
    ix->files = gb_arena_calloc(&ix->arena, set->n_file + 1, sizeof *ix->files);
    if (ix->files == NULL)
        rv = GCORE_ERR_NOMEM;
    for (size_t i = 0; rv == 0 && i < set->n_file; i++) {
        if (set->file[i]->name == NULL)
            rv = gb_err_set(err, GCORE_ERR_INVALID, "reflection: file %zu has no name", i);
        else
            rv = add_file(ix, set->file[i], i);
    }
    ix->n_files = set->n_file;
    if (rv == 0)
        rv = own_strings(ix);
    google__protobuf__file_descriptor_set__free_unpacked(set, NULL);
    if (rv != 0) {
        if (rv == GCORE_ERR_NOMEM)
            gb_err_set(err, rv, "reflection: out of memory");
        refl_index_free(ix);
        return rv;
    }
    if (ix->n_syms > 0)
        qsort(ix->syms, ix->n_syms, sizeof *ix->syms, sym_cmp);
    if (ix->n_exts > 0)
        qsort(ix->exts, ix->n_exts, sizeof *ix->exts, ext_cmp);
    return 0;
}

void refl_index_free(refl_index *ix)
{
    gb_arena_clear(&ix->arena);
    memset(ix, 0, sizeof *ix);
}

long refl_find_file(const refl_index *ix, const char *name)
{
    for (size_t i = 0; i < ix->n_files; i++) {
        if (strcmp(ix->files[i].name, name) == 0)
            return (long)i;
    }
    return -1;
}

long refl_find_symbol(const refl_index *ix, const char *name)
{
    if (name[0] == '.')
        name++;
    refl_symbol key = {name, 0};
    const refl_symbol *s =
        ix->n_syms ? bsearch(&key, ix->syms, ix->n_syms, sizeof *ix->syms, sym_cmp) : NULL;
    return s != NULL ? (long)s->file : -1;
}

size_t refl_extensions_of(const refl_index *ix, const char *extendee, size_t *first)
{
    if (extendee[0] == '.')
        extendee++;
    size_t lo = 0, hi = ix->n_exts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->exts[mid].extendee, extendee) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    size_t n = 0;
    while (lo + n < ix->n_exts && strcmp(ix->exts[lo + n].extendee, extendee) == 0)
        n++;
    return n;
}

long refl_find_extension(const refl_index *ix, const char *extendee, int32_t number)
{
    size_t first;
    size_t n = refl_extensions_of(ix, extendee, &first);
    for (size_t i = first; i < first + n; i++) {
        if (ix->exts[i].number == number)
            return (long)ix->exts[i].file;
    }
    return -1;
}

size_t refl_closure(const refl_index *ix, size_t file, size_t *order)
{
    size_t n = 0;
    order[n++] = file;
    /* |order| doubles as the work list: each file's dependencies are appended once. */
    for (size_t k = 0; k < n; k++) {
        const refl_file *f = &ix->files[order[k]];
        for (size_t d = 0; d < f->n_deps; d++) {
            long dep = refl_find_file(ix, f->deps[d]);
            bool seen = dep < 0;
            for (size_t j = 0; j < n && !seen; j++)
                seen = order[j] == (size_t)dep;
            if (!seen)
                order[n++] = (size_t)dep;
        }
    }
    return n;
}
