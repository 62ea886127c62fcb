/*
 * `protogate routes`: loads descriptor sets and prints the routes the gateway would
 * serve, one per line, bound rules first, then the unbound methods.
 */
#include "commands.h"

#include <descriptors/pool.h>
#include <descriptors/router.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(FILE *out)
{
    fprintf(out, "usage: protogate routes --descriptor-set FILE...\n\n"
                 "Prints every HTTP route of the google.api.http rules in the descriptor sets\n"
                 "(protoc --include_imports --descriptor_set_out=FILE), then the methods without\n"
                 "a rule, which are served at POST /pkg.Service/Method.\n\n"
                 "  --descriptor-set FILE...  binary FileDescriptorSets (repeatable)\n"
                 "  -h, --help                this text\n");
    return out == stdout ? 0 : 2;
}

static const char *or_none(const char *s)
{
    return s != NULL ? s : "none";
}

static void print_routes(const pbd_router *router)
{
    for (size_t i = 0; i < pbd_router_n_routes(router); i++) {
        bool unbound = false;
        const pbd_http_rule *rule = pbd_router_route(router, i, &unbound);
        if (unbound)
            printf("POST %s -> %s (unbound)\n", rule->path, rule->method->path);
        else
            printf("%s %s -> %s (body: %s, response_body: %s)\n", rule->verb, rule->path,
                   rule->method->path, or_none(rule->body), or_none(rule->response_body));
    }
}

/* Collects the FILE arguments: "--descriptor-set A B", "--descriptor-set=A", repeated. */
static int parse_args(int argc, char **argv, const char **files, size_t *n)
{
    bool in_list = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return 1;
        if (strcmp(a, "--descriptor-set") == 0) {
            in_list = true;
        } else if (strncmp(a, "--descriptor-set=", 17) == 0) {
            files[(*n)++] = a + 17;
            in_list = false;
        } else if (in_list && a[0] != '-') {
            files[(*n)++] = a;
        } else {
            fprintf(stderr, "protogate routes: unknown argument '%s'\n", a);
            return -1;
        }
    }
    if (*n == 0) {
        fprintf(stderr, "protogate routes: --descriptor-set FILE is required\n");
        return -1;
    }
    return 0;
}

int gw_cmd_routes(int argc, char **argv)
{
    const char **files = calloc((size_t)argc, sizeof(*files));
    if (files == NULL) {
        fprintf(stderr, "protogate routes: out of memory\n");
        return 1;
    }
    size_t n = 0;
    int rc = parse_args(argc, argv, files, &n);
    if (rc != 0) {
        free(files);
        return rc > 0 ? usage(stdout) : usage(stderr);
    }
    gb_err err = {0};
    pbd_pool *pool = NULL;
    pbd_router *router = NULL;
    if (pbd_pool_load_files(files, n, &pool, &err) != 0 ||
        pbd_router_new(pool, &router, &err) != 0) {
        fprintf(stderr, "protogate routes: %s\n", err.msg);
        rc = 1;
    } else {
        print_routes(router);
    }
    pbd_router_free(router);
    pbd_pool_unref(pool);
    free(files);
    return rc;
}
