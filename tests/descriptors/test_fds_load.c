#include "test_pool_sets.h"

#include <stdlib.h>

static void assert_refused(const char *const *names, size_t n, int code, const char *msg_part)
{
    gb_err err = {0};
    pbd_pool *pool;
    int rc = load_sets(names, n, &pool, &err);
    cr_assert_eq(rc, code, "%s: got %d (%s)", names[n - 1], rc, err.msg);
    cr_assert_null(pool);
    cr_assert_eq(err.code, code);
    cr_assert_not_null(strstr(err.msg, msg_part), "%s: message '%s' lacks '%s'", names[n - 1],
                       err.msg, msg_part);
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    cr_assert_gt(len, 0);
    rewind(f);
    uint8_t *p = malloc((size_t)len);
    cr_assert_eq(fread(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return p;
}

Test(fds_load, merges_sets_that_share_identical_files)
{
    static const char *names[] = {"examples", "types3", "library", "dup_a"};
    gb_err err = {0};
    pbd_pool *pool;
    cr_assert_eq(load_sets(names, 4, &pool, &err), 0, "%s", err.msg);
    cr_assert_not_null(pbd_pool_find_message(pool, "helloworld.HelloRequest"));
    cr_assert_not_null(pbd_pool_find_message(pool, "pbd.t3.Everything"));
    cr_assert_not_null(pbd_pool_find_method(pool, "/pbd.lib.Library/GetBook"));
    /* google/api/annotations.proto is in two of the sets, once in the pool. */
    size_t seen = 0;
    for (size_t i = 0; i < pbd_pool_n_files(pool); i++)
        seen += strcmp(pbd_pool_file(pool, i)->name, "google/api/annotations.proto") == 0;
    cr_assert_eq(seen, 1);
    pbd_pool_unref(pool);
}

Test(fds_load, loads_sets_from_memory)
{
    size_t n;
    uint8_t *bytes = read_all(GW_EXAMPLES_PB, &n);
    gb_slice set = gb_slice_of(bytes, n);
    gb_err err = {0};
    pbd_pool *pool = NULL;
    cr_assert_eq(pbd_pool_load_sets(&set, 1, &pool, &err), 0, "%s", err.msg);
    /* The bytes are borrowed only while loading. */
    memset(bytes, 0, n);
    free(bytes);
    cr_assert_str_eq(pbd_pool_find_method(pool, "/helloworld.Greeter/SayHello")->input->full_name,
                     "helloworld.HelloRequest");
    pbd_pool_unref(pool);
}

Test(fds_load, resolves_relative_type_names_and_computes_json_names)
{
    pbd_pool *a = load_ok("types3");
    pbd_pool *b = load_ok("relative");
    const pbd_message *ma = pbd_pool_find_message(a, "pbd.t3.Everything");
    const pbd_message *mb = pbd_pool_find_message(b, "pbd.t3.Everything");
    cr_assert_eq(ma->n_fields, mb->n_fields);
    for (size_t i = 0; i < ma->n_fields; i++) {
        const pbd_field *fa = &ma->fields[i], *fb = &mb->fields[i];
        cr_assert_eq(fa->type, fb->type, "%s", fa->name);
        if (strcmp(fa->name, "custom_json") != 0)
            cr_assert_str_eq(fa->json_name, fb->json_name);
        cr_assert_eq(fa->message == NULL, fb->message == NULL, "%s", fa->name);
        if (fa->message != NULL)
            cr_assert_str_eq(fa->message->full_name, fb->message->full_name);
        if (fa->enumeration != NULL)
            cr_assert_str_eq(fa->enumeration->full_name, fb->enumeration->full_name);
    }
    pbd_pool_unref(a);
    pbd_pool_unref(b);
}

Test(fds_load, refuses_garbage_bytes)
{
    static const uint8_t garbage[][8] = {
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
        {0x12, 0x03, 'a', 'b', 'c'},                /* field 2: not a set */
        {0x0a, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff}, /* a file that is not one */
        {0x0a, 0x02, 0x12, 0x00},                   /* a file without a name */
    };
    for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        gb_slice set = gb_slice_of(garbage[i], sizeof(garbage[i]));
        gb_err err = {0};
        pbd_pool *pool = NULL;
        cr_assert_eq(pbd_pool_load_sets(&set, 1, &pool, &err), PBD_ERR_PARSE, "case %zu", i);
        cr_assert_null(pool);
        cr_assert_not_null(strstr(err.msg, "set #1"), "%s", err.msg);
    }
}

Test(fds_load, refuses_an_empty_set_and_a_missing_file)
{
    gb_slice empty = {NULL, 0};
    gb_err err = {0};
    pbd_pool *pool = NULL;
    cr_assert_eq(pbd_pool_load_sets(&empty, 1, &pool, &err), PBD_ERR_PARSE);
    cr_assert_not_null(strstr(err.msg, "empty"));
    const char *path = "/nonexistent/x.pb";
    cr_assert_eq(pbd_pool_load_files(&path, 1, &pool, &err), PBD_ERR_IO);
    cr_assert_str_eq(err.msg, "/nonexistent/x.pb: No such file or directory");
    cr_assert_null(pool);
}

Test(fds_load, refuses_every_truncation_of_a_set)
{
    size_t n;
    uint8_t *bytes = read_all(PBD_SETS "/types3.pb", &n);
    for (size_t cut = 1; cut < n; cut += (cut < 64 ? 1 : 37)) {
        gb_slice set = gb_slice_of(bytes, cut);
        gb_err err = {0};
        pbd_pool *pool = NULL;
        int rc = pbd_pool_load_sets(&set, 1, &pool, &err);
        /* A cut between two files leaves a valid set missing a dependency. */
        cr_assert(rc == PBD_ERR_PARSE || rc == PBD_ERR_UNRESOLVED, "cut %zu: %d %s", cut, rc,
                  err.msg);
        cr_assert_null(pool);
    }
    free(bytes);
}

Test(fds_load, refuses_a_missing_dependency)
{
    static const char *names[] = {"no_imports"};
    assert_refused(names, 1, PBD_ERR_UNRESOLVED,
                   "pbd/uses_dep.proto: missing dependency pbd/dup_a.proto");
}

Test(fds_load, refuses_a_symbol_defined_in_two_files)
{
    static const char *names[] = {"dup_a", "dup_b"};
    assert_refused(names, 2, PBD_ERR_DUPLICATE,
                   "pbd/dup_b.proto: pbd.dup.Same: already defined in pbd/dup_a.proto");
}

Test(fds_load, refuses_one_file_with_two_different_contents)
{
    static const char *names[] = {"dup_a", "dup_a_plain"};
    assert_refused(names, 2, PBD_ERR_DUPLICATE,
                   "pbd/dup_a.proto: differs from the file of that name in");
}

Test(fds_load, refuses_an_unresolvable_type)
{
    static const char *names[] = {"unresolved"};
    assert_refused(names, 1, PBD_ERR_UNRESOLVED,
                   "unresolved.pb: pbd/types3.proto: pbd.t3.Everything.nested: unknown type "
                   ".pbd.t3.Missing");
}

Test(fds_load, refuses_proto2_groups)
{
    static const char *names[] = {"group"};
    assert_refused(names, 1, PBD_ERR_PARSE,
                   "pbd/group.proto: pbd.grp.WithGroup.item: proto2 groups are not supported");
}

Test(fds_load, refuses_an_invalid_field_number)
{
    static const char *names[] = {"bad_number"};
    assert_refused(names, 1, PBD_ERR_PARSE, "pbd.t3.Everything.plain: invalid field number");
}

Test(fds_load, refuses_a_name_that_is_not_an_identifier)
{
    static const char *names[] = {"bad_name"};
    assert_refused(names, 1, PBD_ERR_PARSE,
                   "pbd/types3.proto: pbd.t3: a message without a valid name");
}

Test(fds_load, refuses_nesting_deeper_than_protoc_allows)
{
    /* FileDescriptorProto{message_type: DescriptorProto{nested_type: ...}} 200 deep. */
    enum { DEPTH = 200 };
    static uint8_t buf[4 * DEPTH + 64];
    size_t n = 0;
    /* Built inside out: innermost message {name: "m"}. */
    uint8_t inner[4 * DEPTH + 32];
    size_t len = 0;
    inner[len++] = 0x0a;
    inner[len++] = 1;
    inner[len++] = 'm';
    for (int d = 0; d < DEPTH; d++) {
        memmove(inner + 3, inner, len);
        inner[0] = d == DEPTH - 1 ? 0x22 : 0x1a; /* file.message_type (4) or nested_type (3) */
        cr_assert_lt(len, 16384);
        inner[1] = (uint8_t)(0x80 | (len & 0x7f));
        inner[2] = (uint8_t)(len >> 7);
        len += 3;
    }
    buf[n++] = 0x0a; /* set.file */
    buf[n++] = (uint8_t)(0x80 | ((len + 5) & 0x7f));
    buf[n++] = (uint8_t)((len + 5) >> 7);
    buf[n++] = 0x0a; /* file.name "a" ... */
    buf[n++] = 3;
    memcpy(buf + n, "a.p", 3);
    n += 3;
    memcpy(buf + n, inner, len);
    n += len;
    gb_slice set = gb_slice_of(buf, n);
    gb_err err = {0};
    pbd_pool *pool = NULL;
    cr_assert_eq(pbd_pool_load_sets(&set, 1, &pool, &err), PBD_ERR_PARSE, "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "too deeply nested"), "%s", err.msg);
}
