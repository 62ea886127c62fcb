/*
 * Reading and merging binary FileDescriptorSets. The set's own wire format is walked
 * here rather than unpacked whole: each FileDescriptorProto keeps its exact bytes (for
 * reflection and for the "same file twice must be identical" rule), and the message
 * nesting is bounded before protobuf-c, which recurses without a limit, sees the bytes.
 */
#include "pool_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* protoc refuses deeper nesting than this; so do we, before unpacking. */
#define MAX_NESTING 100
/* A descriptor set larger than this is not one a person wrote. */
#define MAX_SET_SIZE (256u << 20)

enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

typedef struct wire {
    const uint8_t *p;
    const uint8_t *end;
} wire;

static int read_varint(wire *w, uint64_t *v)
{
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64 && w->p < w->end; shift += 7) {
        uint8_t c = *w->p++;
        r |= (uint64_t)(c & 0x7f) << shift;
        if ((c & 0x80) == 0) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* Reads one field header and its payload; |*len_p| is set for length-delimited ones. */
static int read_field(wire *w, uint32_t *number, int *type, gb_slice *payload)
{
    uint64_t key, n;
    if (read_varint(w, &key) != 0 || (key >> 3) == 0 || (key >> 3) > 536870911u)
        return -1;
    *number = (uint32_t)(key >> 3);
    *type = (int)(key & 7);
    switch (*type) {
    case WIRE_VARINT:
        return read_varint(w, &n);
    case WIRE_I64:
        n = 8;
        break;
    case WIRE_I32:
        n = 4;
        break;
    case WIRE_LEN:
        if (read_varint(w, &n) != 0)
            return -1;
        break;
    default:
        return -1; /* groups do not occur in descriptor.proto */
    }
    if (n > (uint64_t)(w->end - w->p))
        return -1;
    *payload = gb_slice_of(w->p, (size_t)n);
    w->p += n;
    return 0;
}

/*
 * Checks the bytes are well formed and the message nesting is bounded: |nested_field| is
 * message_type (4) in a FileDescriptorProto, then nested_type (3) in each DescriptorProto.
 */
static int check_nesting(gb_slice msg, uint32_t nested_field, int depth)
{
    if (depth > MAX_NESTING)
        return -1;
    wire w = {msg.p, msg.p + msg.n};
    while (w.p < w.end) {
        uint32_t number;
        int type;
        gb_slice payload;
        if (read_field(&w, &number, &type, &payload) != 0)
            return -1;
        if (number == nested_field && type == WIRE_LEN && check_nesting(payload, 3, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static const pbd_raw_file *find_raw(const pbd_builder *b, const char *name)
{
    for (size_t i = 0; i < b->n_files; i++) {
        if (strcmp(b->files[i].fdp->name, name) == 0)
            return &b->files[i];
    }
    return NULL;
}

static int grow_files(pbd_builder *b, size_t *cap)
{
    if (b->n_files < *cap)
        return 0;
    size_t ncap = *cap == 0 ? 16 : *cap * 2;
    pbd_raw_file *nf = realloc(b->files, ncap * sizeof(*nf));
    if (nf == NULL)
        return gb_err_set(b->err, PBD_ERR_NOMEM, "out of memory");
    b->files = nf;
    *cap = ncap;
    return 0;
}

/* Unpacks one FileDescriptorProto; a file seen before must have identical bytes. */
static int add_file(pbd_builder *b, const char *label, gb_slice bytes, size_t *cap)
{
    if (check_nesting(bytes, 4, 0) != 0)
        return gb_err_set(b->err, PBD_ERR_PARSE, "%s: malformed or too deeply nested file", label);
    pbd_fdp *fdp = google__protobuf__file_descriptor_proto__unpack(NULL, bytes.n, bytes.p);
    if (fdp == NULL)
        return gb_err_set(b->err, PBD_ERR_PARSE, "%s: not a FileDescriptorProto", label);
    if (fdp->name == NULL || fdp->name[0] == '\0') {
        google__protobuf__file_descriptor_proto__free_unpacked(fdp, NULL);
        return gb_err_set(b->err, PBD_ERR_PARSE, "%s: a file without a name", label);
    }
    const pbd_raw_file *seen = find_raw(b, fdp->name);
    if (seen != NULL) {
        bool same = seen->bytes.n == bytes.n && memcmp(seen->bytes.p, bytes.p, bytes.n) == 0;
        int rc = same ? 0
                      : gb_err_set(b->err, PBD_ERR_DUPLICATE,
                                   "%s: %s: differs from the file of that name in %s", label,
                                   fdp->name, seen->set_label);
        google__protobuf__file_descriptor_proto__free_unpacked(fdp, NULL);
        return rc;
    }
    int rc = grow_files(b, cap);
    if (rc != 0) {
        google__protobuf__file_descriptor_proto__free_unpacked(fdp, NULL);
        return rc;
    }
    b->files[b->n_files++] = (pbd_raw_file){.set_label = label, .bytes = bytes, .fdp = fdp};
    return 0;
}

/* A FileDescriptorSet holds field 1 (file) only; anything else means these are not one. */
static int split_set(pbd_builder *b, const char *label, gb_slice set, size_t *cap)
{
    /* An empty set may come as a NULL pointer, which takes no offset, not even 0. */
    wire w = {set.p, set.n == 0 ? set.p : set.p + set.n};
    size_t count = 0;
    while (w.p < w.end) {
        uint32_t number;
        int type;
        gb_slice payload;
        if (read_field(&w, &number, &type, &payload) != 0 || number != 1 || type != WIRE_LEN)
            return gb_err_set(b->err, PBD_ERR_PARSE,
                              "%s: not a FileDescriptorSet (bad bytes at offset %zu)", label,
                              (size_t)(w.p - set.p));
        int rc = add_file(b, label, payload, cap);
        if (rc != 0)
            return rc;
        count++;
    }
    if (count == 0)
        return gb_err_set(b->err, PBD_ERR_PARSE, "%s: an empty FileDescriptorSet", label);
    return 0;
}

static int check_dependencies(pbd_builder *b)
{
    for (size_t i = 0; i < b->n_files; i++) {
        const pbd_raw_file *rf = &b->files[i];
        for (size_t d = 0; d < rf->fdp->n_dependency; d++) {
            const char *dep = rf->fdp->dependency[d];
            if (dep == NULL || find_raw(b, dep) == NULL)
                return gb_err_set(b->err, PBD_ERR_UNRESOLVED,
                                  "%s: %s: missing dependency %s (build the set with "
                                  "protoc --include_imports)",
                                  rf->set_label, rf->fdp->name, dep != NULL ? dep : "(null)");
        }
    }
    return 0;
}

static void builder_free(pbd_builder *b)
{
    for (size_t i = 0; i < b->n_files; i++)
        google__protobuf__file_descriptor_proto__free_unpacked(b->files[i].fdp, NULL);
    free(b->files);
    gb_buf_free(&b->scratch);
    gb_arena_clear(&b->tmp);
}

static int load(const gb_slice *sets, const char *const *labels, size_t n, pbd_pool **pool_out,
                gb_err *err)
{
    pbd_pool *pool = calloc(1, sizeof(*pool));
    if (pool == NULL)
        return gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
    atomic_init(&pool->refs, 1);
    gb_arena_init(&pool->arena, 0);
    pbd_builder b = {.pool = pool, .err = err};
    gb_arena_init(&b.tmp, 0);
    gb_buf_init(&b.scratch, 0);
    size_t cap = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = split_set(&b, labels[i], sets[i], &cap);
    if (rc == 0 && b.n_files == 0)
        rc = gb_err_set(err, PBD_ERR_PARSE, "no descriptor sets given");
    if (rc == 0)
        rc = check_dependencies(&b);
    if (rc == 0)
        rc = pbd_build_types(&b);
    if (rc == 0)
        rc = pbd_build_http_rules(&b);
    if (rc == 0)
        rc = pbd_pool_index(&b);
    builder_free(&b);
    if (rc != 0) {
        pbd_pool_unref(pool);
        return rc;
    }
    *pool_out = pool;
    return 0;
}

int pbd_pool_load_sets(const gb_slice *sets, size_t n, pbd_pool **pool_out, gb_err *err)
{
    char(*labels)[24] = calloc(n == 0 ? 1 : n, sizeof(*labels));
    const char **label_ptrs = calloc(n == 0 ? 1 : n, sizeof(*label_ptrs));
    int rc = PBD_ERR_NOMEM;
    if (labels == NULL || label_ptrs == NULL) {
        gb_err_set(err, rc, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(labels[i], sizeof(labels[i]), "set #%zu", i + 1);
        label_ptrs[i] = labels[i];
    }
    rc = load(sets, label_ptrs, n, pool_out, err);
out:
    free(label_ptrs);
    free(labels);
    return rc;
}

static int read_file(const char *path, gb_buf *out, gb_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return gb_err_set(err, PBD_ERR_IO, "%s: %s", path, strerror(errno));
    int rc = 0;
    uint8_t chunk[16384];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (gb_buf_append(out, chunk, got) != 0) {
            rc = gb_err_set(err, PBD_ERR_IO, "%s: larger than %u bytes or out of memory", path,
                            MAX_SET_SIZE);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = gb_err_set(err, PBD_ERR_IO, "%s: %s", path, strerror(errno));
    fclose(f);
    return rc;
}

int pbd_pool_load_files(const char *const *paths, size_t n, pbd_pool **pool_out, gb_err *err)
{
    gb_buf *bufs = calloc(n == 0 ? 1 : n, sizeof(*bufs));
    gb_slice *sets = calloc(n == 0 ? 1 : n, sizeof(*sets));
    int rc = 0;
    if (bufs == NULL || sets == NULL) {
        rc = gb_err_set(err, PBD_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        gb_buf_init(&bufs[i], MAX_SET_SIZE);
        rc = read_file(paths[i], &bufs[i], err);
        sets[i] = gb_slice_of(bufs[i].p, bufs[i].n);
    }
    if (rc == 0)
        rc = load(sets, paths, n, pool_out, err);
out:
    for (size_t i = 0; bufs != NULL && i < n; i++)
        gb_buf_free(&bufs[i]);
    free(bufs);
    free(sets);
    return rc;
}
