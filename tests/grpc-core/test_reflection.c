/*
 * The reflection index over the examples' FileDescriptorSet: symbols of every kind,
 * files with their transitive dependencies, extensions, and sets that do not parse.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "reflection_int.h"

#include <grpc-core/status.h>

#include <base/buf.h>

#include <stdio.h>
#include <string.h>

static gb_buf pb;
static refl_index ix;

static void load(void)
{
    FILE *f = fopen(GW_BINARY_DIR "/examples/examples.pb", "rb");
    cr_assert_not_null(f, "examples.pb is built with the examples");
    gb_buf_init(&pb, 0);
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        gb_buf_append(&pb, chunk, n);
    fclose(f);
    gb_err err = {0};
    cr_assert_eq(refl_index_build(&ix, gb_slice_of(pb.p, pb.n), &err), 0, "%s", err.msg);
}

static void unload(void)
{
    refl_index_free(&ix);
    gb_buf_free(&pb);
}

TestSuite(reflection_index, .init = load, .fini = unload);

typedef struct symbol_case {
    char symbol[64];
    char file[48];
} symbol_case;

ParameterizedTestParameters(reflection_index, finds_the_file_declaring_each_kind_of_symbol)
{
    static symbol_case cases[] = {
        {"routeguide.RouteGuide", "route_guide.proto"},             /* service */
        {"routeguide.RouteGuide.RecordRoute", "route_guide.proto"}, /* method */
        {"routeguide.Point", "route_guide.proto"},                  /* message */
        {".routeguide.Point", "route_guide.proto"},                 /* leading dot */
        {"routeguide.Point.latitude", "route_guide.proto"},         /* field */
        {"tutorial.Person.PhoneNumber", "addressbook.proto"},       /* nested message */
        {"tutorial.Person.PhoneType", "addressbook.proto"},         /* nested enum */
        {"reco.BookCategory", "reco.proto"},                        /* top-level enum */
        {"google.api.http", "google/api/annotations.proto"},        /* extension */
        {"google.protobuf.Timestamp", "google/protobuf/timestamp.proto"},
    };
    return cr_make_param_array(symbol_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(symbol_case *c, reflection_index, finds_the_file_declaring_each_kind_of_symbol)
{
    long f = refl_find_symbol(&ix, c->symbol);
    cr_assert_geq(f, 0, "%s not found", c->symbol);
    cr_assert_str_eq(ix.files[f].name, c->file);
}

Test(reflection_index, does_not_find_absent_or_partial_names)
{
    cr_assert_eq(refl_find_symbol(&ix, "routeguide.Nope"), -1);
    cr_assert_eq(refl_find_symbol(&ix, "routeguide"), -1);
    cr_assert_eq(refl_find_symbol(&ix, "routeguide.Poin"), -1);
    cr_assert_eq(refl_find_file(&ix, "nope.proto"), -1);
}

Test(reflection_index, returns_a_file_first_then_each_dependency_once)
{
    long f = refl_find_file(&ix, "addressbook.proto");
    cr_assert_geq(f, 0);
    size_t order[64];
    cr_assert_leq(ix.n_files, 64);
    size_t n = refl_closure(&ix, (size_t)f, order);
    cr_assert_str_eq(ix.files[order[0]].name, "addressbook.proto");
    const char *want[] = {"google/api/annotations.proto", "google/api/http.proto",
                          "google/protobuf/descriptor.proto", "google/protobuf/empty.proto",
                          "google/protobuf/timestamp.proto"};
    cr_assert_eq(n, 1 + sizeof want / sizeof want[0]);
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        size_t seen = 0;
        for (size_t i = 0; i < n; i++)
            seen += strcmp(ix.files[order[i]].name, want[w]) == 0;
        cr_assert_eq(seen, 1, "%s appears %zu times", want[w], seen);
    }
}

Test(reflection_index, finds_extensions_by_extendee_and_number)
{
    long f = refl_find_extension(&ix, "google.protobuf.MethodOptions", 72295728);
    cr_assert_geq(f, 0);
    cr_assert_str_eq(ix.files[f].name, "google/api/annotations.proto");
    cr_assert_eq(refl_find_extension(&ix, ".google.protobuf.MethodOptions", 72295728), f);
    cr_assert_eq(refl_find_extension(&ix, "google.protobuf.MethodOptions", 1), -1);
    size_t first;
    cr_assert_eq(refl_extensions_of(&ix, "google.protobuf.MethodOptions", &first), 1);
    cr_assert_eq(ix.exts[first].number, 72295728);
    cr_assert_eq(refl_extensions_of(&ix, "routeguide.Point", &first), 0);
}

Test(reflection_index, keeps_each_file_as_parseable_bytes)
{
    for (size_t i = 0; i < ix.n_files; i++) {
        cr_assert_gt(ix.files[i].bytes.n, 0);
        cr_assert_eq(ix.files[i].bytes.p[0], 0x0a, "%s starts with its name", ix.files[i].name);
    }
}

Test(reflection_index_input, refuses_bytes_that_are_not_a_descriptor_set)
{
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2};
    refl_index bad;
    gb_err err = {0};
    cr_assert_eq(refl_index_build(&bad, gb_slice_of(junk, sizeof junk), &err), GCORE_ERR_INVALID);
    cr_assert_str_eq(err.msg, "reflection: not a FileDescriptorSet");
}

Test(reflection_index_input, accepts_an_empty_set)
{
    refl_index empty;
    cr_assert_eq(refl_index_build(&empty, gb_slice_of("", 0), NULL), 0);
    cr_assert_eq(empty.n_files, 0);
    cr_assert_eq(refl_find_symbol(&empty, "a.B"), -1);
    refl_index_free(&empty);
}
