#include "test_pool_sets.h"

#include <criterion/parameterized.h>

#include <descriptors/router.h>

static pbd_router *router_of(const char *set, pbd_pool **pool_out)
{
    pbd_pool *pool = load_ok(set);
    pbd_router *r = NULL;
    gb_err err = {0};
    cr_assert_eq(pbd_router_new(pool, &r, &err), 0, "%s", err.msg);
    pbd_pool_unref(pool); /* the router holds its own reference */
    if (pool_out != NULL)
        *pool_out = pool;
    return r;
}

struct route_case {
    char method[8];
    char path[48];
    char want[96]; /* "Method field=value;...", "405 GET,HEAD" or "404" */
};

ParameterizedTestParameters(router, routes_to_the_most_specific_template)
{
    static struct route_case cases[] = {
        {"GET", "/v1/shelves/s1/books/b1", "GetBook name=shelves/s1/books/b1"},
        {"GET", "/v1/shelves/special/books/7", "GetSpecialBook book_id=7"},
        {"GET", "/v1/shelf/s1/books/9", "GetBook shelf.id=s1;book_id=9"},
        {"GET", "/v1/shelf/s1/books", "ListBooks shelf.id=s1"},
        {"GET", "/v1/books/5", "GetBook book_id=5"},
        {"HEAD", "/v1/books/5", "HeadBook book_id=5"},
        {"POST", "/v1/shelves/s1/books", "CreateBook name=shelves/s1"},
        {"PATCH", "/v1/shelves/s1/books/b1", "UpdateBook book.name=shelves/s1/books/b1"},
        {"PUT", "/v1/shelves/s1/books/b1", "ReplaceBook name=shelves/s1/books/b1"},
        {"DELETE", "/v1/shelves/s1/books/b1", "DeleteBook name=shelves/s1/books/b1"},
        {"POST", "/v1/things/t1:undelete", "UndeleteThing name=t1"},
        {"GET", "/v1/things/t1:undelete", "GetThing name=t1:undelete"},
        {"GET", "/v1/things/t1", "GetThing name=t1"},
        {"POST", "/v1/operations/a/b:cancel", "CancelOperation name=operations/a/b"},
        {"GET", "/v1/files/a/meta", "GetFileMeta name=a"},
        {"GET", "/v1/files/a/b/meta", "GetFile path=a/b/meta"},
        {"GET", "/v1/files/a", "GetFile path=a"},
        {"GET", "/v1/files/a%2Fb/c%20d", "GetFile path=a%2Fb/c d"},
        {"GET", "/v1/books/a%2Fb", "GetBook book_id=a/b"},
        {"POST", "/pbd.lib.Library/Ping", "Ping (unbound)"},
        {"DELETE", "/v1/books/5", "405 GET,HEAD"},
        {"GET", "/pbd.lib.Library/Ping", "405 POST"},
        {"POST", "/v1/things/t1", "405 GET"},
        {"GET", "/v1/operations/a:cancel", "405 POST"},
        {"GET", "/pbd.lib.Library/GetBook", "404"},
        {"GET", "/v2/books/5", "404"},
        {"GET", "/v1/books/5/", "404"},
        {"GET", "/", "404"},
        {"GET", "", "404"},
        {"GET", "v1/books/5", "404"},
    };
    return cr_make_param_array(struct route_case, cases, sizeof(cases) / sizeof(cases[0]));
}

static void render(const pbd_route *route, int rc, char *out, size_t n)
{
    size_t at = 0;
    if (rc == PBD_ERR_NOT_FOUND) {
        snprintf(out, n, "404");
        return;
    }
    if (rc == PBD_ERR_METHOD) {
        at += (size_t)snprintf(out, n, "405 ");
        for (size_t i = 0; i < route->n_allowed; i++)
            at += (size_t)snprintf(out + at, n - at, "%s%s", i ? "," : "", route->allowed[i]);
        return;
    }
    cr_assert_eq(rc, 0);
    at += (size_t)snprintf(out, n, "%s", route->rule->method->name);
    if (route->unbound)
        at += (size_t)snprintf(out + at, n - at, " (unbound)");
    for (size_t i = 0; i < route->n_captures; i++)
        at += (size_t)snprintf(out + at, n - at, "%s%s=%s", i ? ";" : " ",
                               route->captures[i].field_path, route->captures[i].value);
}

ParameterizedTest(struct route_case *c, router, routes_to_the_most_specific_template)
{
    pbd_router *r = router_of("library", NULL);
    gb_arena arena;
    gb_arena_init(&arena, 1 << 16);
    pbd_route route;
    int rc = pbd_router_match(r, c->method, c->path, strlen(c->path), &arena, &route);
    char got[160];
    render(&route, rc, got, sizeof(got));
    cr_assert_str_eq(got, c->want, "%s %s", c->method, c->path);
    gb_arena_clear(&arena);
    pbd_router_free(r);
}

Test(router, unbound_methods_take_the_whole_body)
{
    pbd_router *r = router_of("library", NULL);
    gb_arena arena;
    gb_arena_init(&arena, 0);
    pbd_route route;
    const char *path = "/pbd.lib.Library/Ping";
    cr_assert_eq(pbd_router_match(r, "POST", path, strlen(path), &arena, &route), 0);
    cr_assert(route.unbound);
    cr_assert_str_eq(route.rule->body, "*");
    cr_assert_str_eq(route.rule->method->path, path);
    cr_assert_eq(route.rule->method->n_rules, 0);
    gb_arena_clear(&arena);
    pbd_router_free(r);
}

Test(router, lists_every_route_then_the_unbound_methods)
{
    pbd_router *r = router_of("examples", NULL);
    cr_assert_eq(pbd_router_n_routes(r), 11);
    bool unbound = true;
    const pbd_http_rule *first = pbd_router_route(r, 0, &unbound);
    cr_assert_str_eq(first->path, "/v1/hello");
    cr_assert_not(unbound);
    cr_assert_null(pbd_router_route(r, 11, &unbound));
    pbd_router_free(r);
    r = router_of("library", NULL);
    size_t n = pbd_router_n_routes(r);
    const pbd_http_rule *last = pbd_router_route(r, n - 1, &unbound);
    cr_assert(unbound);
    cr_assert_str_eq(last->path, "/pbd.lib.Library/Ping");
    pbd_router_free(r);
}

Test(router, routes_merged_sets_together)
{
    static const char *names[] = {"examples", "library"};
    gb_err err = {0};
    pbd_pool *pool;
    cr_assert_eq(load_sets(names, 2, &pool, &err), 0, "%s", err.msg);
    pbd_router *r = NULL;
    cr_assert_eq(pbd_router_new(pool, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(pbd_router_n_routes(r), 11 + 16);
    pbd_router_free(r);
    pbd_pool_unref(pool);
}

Test(router, refuses_two_methods_on_one_route)
{
    pbd_pool *pool = load_ok("clash");
    pbd_router *r = NULL;
    gb_err err = {0};
    cr_assert_eq(pbd_router_new(pool, &r, &err), PBD_ERR_DUPLICATE);
    cr_assert_null(r);
    cr_assert_str_eq(err.msg, "GET /v1/x/{b}: bound to both /pbd.clash.Clash/First and "
                              "/pbd.clash.Clash/Second");
    pbd_pool_unref(pool);
}

Test(router, a_full_arena_is_an_error_not_a_crash)
{
    pbd_router *r = router_of("library", NULL);
    gb_arena arena;
    gb_arena_init(&arena, 32);
    pbd_route route;
    const char *path = "/v1/shelves/s1/books/b1";
    cr_assert_eq(pbd_router_match(r, "GET", path, strlen(path), &arena, &route), PBD_ERR_NOMEM);
    gb_arena_clear(&arena);
    pbd_router_free(r);
}

#include <pthread.h>

struct matcher {
    const pbd_router *router;
    int failures;
};

static void *match_many(void *arg)
{
    struct matcher *m = arg;
    gb_arena arena;
    gb_arena_init(&arena, 0);
    for (int i = 0; i < 2000; i++) {
        pbd_route route;
        const char *path = i % 2 ? "/v1/shelves/s1/books/b1" : "/v1/files/a/b/meta";
        int rc = pbd_router_match(m->router, "GET", path, strlen(path), &arena, &route);
        if (rc != 0 || route.n_captures != 1)
            m->failures++;
        gb_arena_clear(&arena);
    }
    return NULL;
}

Test(router, matches_from_many_threads_at_once)
{
    pbd_router *r = router_of("library", NULL);
    pthread_t threads[4];
    struct matcher m[4];
    for (int i = 0; i < 4; i++) {
        m[i] = (struct matcher){r, 0};
        cr_assert_eq(pthread_create(&threads[i], NULL, match_many, &m[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        cr_assert_eq(m[i].failures, 0);
    }
    pbd_router_free(r);
}
