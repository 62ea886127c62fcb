/*
 * Whole documents compared with tests/data/openapi/<name>.expected, byte for byte.
 * After a deliberate change: OAS_REGENERATE=1 ctest -R openapi_golden, then review
 * the diff of tests/data/openapi/.
 */
#include "oas_test_util.h"

#include <criterion/parameterized.h>

#include <stdio.h>
#include <stdlib.h>

typedef struct golden {
    char name[48];
    char pb[16];
    oas_format format;
    bool yaml;
    bool proto_names;
} golden;

ParameterizedTestParameters(golden, renders_the_expected_document)
{
    static golden cases[] = {
        {"examples.3.1.json", "examples", OAS_FORMAT_3_1, false, false},
        {"examples.2.0.json", "examples", OAS_FORMAT_2_0, false, false},
        {"openapi_test.3.1.json", "oastest", OAS_FORMAT_3_1, false, false},
        {"openapi_test.2.0.json", "oastest", OAS_FORMAT_2_0, false, false},
        {"openapi_test.3.1.yaml", "oastest", OAS_FORMAT_3_1, true, false},
        {"openapi_test.proto_names.3.1.json", "oastest", OAS_FORMAT_3_1, false, true},
    };
    return cr_make_param_array(golden, cases, sizeof(cases) / sizeof(cases[0]));
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *p = malloc(1 << 22);
    cr_assert_not_null(p);
    *n = fread(p, 1, 1 << 22, f);
    fclose(f);
    return p;
}

ParameterizedTest(golden *g, golden, renders_the_expected_document)
{
    oas_options opts = {.format = g->format, .yaml = g->yaml, .proto_names = g->proto_names};
    gb_buf out;
    render_text(strcmp(g->pb, "examples") == 0 ? EXAMPLES_PB : OASTEST_PB, &opts, &out);
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/data/openapi/%s.expected", GW_SOURCE_DIR, g->name);
    const char *regen = getenv("OAS_REGENERATE");
    if (regen != NULL && strcmp(regen, "1") == 0) {
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f, "%s", path);
        cr_assert_eq(fwrite(out.p, 1, out.n, f), out.n);
        fclose(f);
    }
    size_t n = 0;
    char *want = slurp(path, &n);
    cr_assert_not_null(want, "%s missing: run OAS_REGENERATE=1 ctest -R openapi_golden", path);
    cr_expect_eq(out.n, n, "%s: %zu bytes, expected %zu", g->name, out.n, n);
    cr_expect(out.n == n && memcmp(out.p, want, n) == 0, "%s differs", g->name);
    free(want);
    gb_buf_free(&out);
}
