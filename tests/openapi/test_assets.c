/* The embedded Swagger UI: look-ups, content types, caching, and nothing else. */
#include <openapi/assets.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <string.h>

static const oas_asset *find(const char *path)
{
    const oas_asset *a = NULL;
    int rc = oas_asset_find(path, strlen(path), &a);
    cr_assert_eq(rc == 0, a != NULL);
    return a;
}

Test(assets, serves_our_page_for_the_folder_and_for_index_html)
{
    const oas_asset *a = find("/swagger-ui/");
    cr_assert_not_null(a);
    cr_expect_str_eq(a->content_type, "text/html; charset=utf-8");
    cr_expect_str_eq(a->cache_control, "no-cache");
    cr_expect_eq(find("/swagger-ui/index.html"), a);
    const char *page = (const char *)a->body.p;
    cr_expect(strstr(page, "../openapi.json") != NULL, "the page opens the gateway's document");
    cr_expect(strstr(page, "validatorUrl: null") != NULL, "no validator badge");
    cr_expect(strstr(page, "tryItOutEnabled: true") != NULL);
    cr_expect_null(strstr(page, "://"), "nothing from elsewhere");
}

Test(assets, serves_the_swagger_ui_files_with_their_content_types)
{
    static const char *const cases[][2] = {
        {"/swagger-ui/swagger-ui.css", "text/css; charset=utf-8"},
        {"/swagger-ui/swagger-ui-bundle.js", "application/javascript; charset=utf-8"},
        {"/swagger-ui/swagger-ui-standalone-preset.js", "application/javascript; charset=utf-8"},
        {"/swagger-ui/favicon-32x32.png", "image/png"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const oas_asset *a = find(cases[i][0]);
        cr_assert_not_null(a, "%s", cases[i][0]);
        cr_expect_str_eq(a->content_type, cases[i][1]);
        cr_expect_gt(a->body.n, 100);
        cr_expect_str_eq(a->cache_control, "public, max-age=3600");
    }
    const oas_asset *png = find("/swagger-ui/favicon-32x32.png");
    cr_expect_eq(memcmp(png->body.p, "\x89PNG", 4), 0);
}

typedef struct bad_path {
    char path[64];
    size_t len;
} bad_path;

ParameterizedTestParameters(assets, refuses_paths_outside_the_asset_set)
{
    static bad_path cases[] = {
        {"/swagger-ui/../../etc/passwd", 0},
        {"/swagger-ui/%2e%2e/%2e%2e/etc/passwd", 0},
        {"/swagger-ui/..%2f..%2fetc%2fpasswd", 0},
        {"/swagger-ui/./index.html", 0},
        {"/swagger-ui//index.html", 0},
        {"/swagger-ui/index.html/", 0},
        {"/swagger-ui/Index.html", 0},
        {"/swagger-ui/swagger-ui.css.map", 0},
        {"/swagger-ui/\0index.html", 22},
        {"/swagger-ui/index.html\0.png", 27},
        {"/swagger-ui", 0},
        {"/swagger-uiindex.html", 0},
        {"/etc/passwd", 0},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].len == 0)
            cases[i].len = strlen(cases[i].path);
    }
    return cr_make_param_array(bad_path, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(bad_path *p, assets, refuses_paths_outside_the_asset_set)
{
    const oas_asset *a = (const oas_asset *)1;
    cr_expect_eq(oas_asset_find(p->path, p->len, &a), OAS_ERR_NOT_FOUND, "%s", p->path);
    cr_expect_null(a);
}

Test(assets, reads_only_the_given_length)
{
    const char path[] = "/swagger-ui/swagger-ui.cssXYZ";
    const oas_asset *a = NULL;
    cr_expect_eq(oas_asset_find(path, sizeof(path) - 4, &a), 0);
    cr_expect_str_eq(a->name, "swagger-ui.css");
}

Test(assets, matches_if_none_match_against_the_etag)
{
    const oas_asset *a = find("/swagger-ui/swagger-ui.css");
    cr_assert_not_null(a);
    cr_assert_eq(a->etag[0], '"');
    char list[128], weak[128];
    snprintf(list, sizeof(list), "\"other\", %s", a->etag);
    snprintf(weak, sizeof(weak), "W/%s", a->etag);
    cr_expect(oas_asset_etag_matches(a, a->etag));
    cr_expect(oas_asset_etag_matches(a, list));
    cr_expect(oas_asset_etag_matches(a, weak));
    cr_expect(oas_asset_etag_matches(a, "*"));
    cr_expect_not(oas_asset_etag_matches(a, "\"other\""));
    cr_expect_not(oas_asset_etag_matches(a, NULL));
    cr_expect_not(oas_asset_etag_matches(a, ""));
    cr_expect_str_neq(a->etag, find("/swagger-ui/swagger-ui-bundle.js")->etag);
}

Test(assets, lists_every_asset_in_name_order)
{
    size_t n = 0;
    const oas_asset *all = oas_assets_all(&n);
    cr_assert_geq(n, 6);
    for (size_t i = 1; i < n; i++)
        cr_expect_lt(strcmp(all[i - 1].name, all[i].name), 0);
}
