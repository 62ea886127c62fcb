/* protogate openapi: the OpenAPI document of descriptor sets, on stdout. */
#include "commands.h"

#include <base/buf.h>
#include <openapi/assets.h>
#include <openapi/openapi.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int usage(FILE *out)
{
    fprintf(out, "usage: protogate openapi --descriptor-set FILE... [options]\n\n"
                 "Writes the API description of the services in FILE (binary FileDescriptorSets,\n"
                 "protoc --include_imports --include_source_info) to stdout.\n\n"
                 "  --descriptor-set FILE   a descriptor set to load (repeatable)\n"
                 "  --format 3.1|2.0        OpenAPI 3.1 (default) or Swagger 2.0\n"
                 "  --yaml                  YAML instead of JSON\n"
                 "  --proto-names           property and query names as in the .proto files\n"
                 "  --swagger-ui-dir DIR    also write the embedded Swagger UI files into DIR\n");
    return out == stdout ? 0 : 2;
}

/* Writes every embedded asset into |dir| (which must exist). */
static int write_assets(const char *dir)
{
    size_t n;
    const oas_asset *a = oas_assets_all(&n);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, a[i].name);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(a[i].body.p, 1, a[i].body.n, f) != a[i].body.n || fclose(f) != 0) {
            fprintf(stderr, "protogate openapi: %s: %s\n", path, strerror(errno));
            return 1;
        }
    }
    return 0;
}

static int parse_format(const char *v, oas_format *out)
{
    if (strcmp(v, "3.1") == 0 || strcmp(v, "3") == 0)
        *out = OAS_FORMAT_3_1;
    else if (strcmp(v, "2.0") == 0 || strcmp(v, "2") == 0)
        *out = OAS_FORMAT_2_0;
    else
        return -1;
    return 0;
}

static int render(const char *const *files, size_t n_files, const oas_options *opts)
{
    gb_err err = {0};
    pbd_pool *pool = NULL;
    if (pbd_pool_load_files(files, n_files, &pool, &err) != 0) {
        fprintf(stderr, "protogate openapi: %s\n", err.msg);
        return 1;
    }
    gb_buf out;
    gb_buf_init(&out, 0);
    int rc = oas_document_render(pool, opts, &out, &err);
    pbd_pool_unref(pool);
    if (rc != 0)
        fprintf(stderr, "protogate openapi: %s\n", err.msg);
    else if (fwrite(out.p, 1, out.n, stdout) != out.n || fflush(stdout) != 0)
        rc = -1;
    gb_buf_free(&out);
    return rc == 0 ? 0 : 1;
}

int gw_cmd_openapi(int argc, char **argv)
{
    const char *files[64];
    size_t n_files = 0;
    const char *ui_dir = NULL;
    oas_options opts = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return usage(stdout);
        if (strcmp(a, "--yaml") == 0) {
            opts.yaml = true;
        } else if (strcmp(a, "--proto-names") == 0) {
            opts.proto_names = true;
        } else if (strcmp(a, "--descriptor-set") == 0 && v != NULL && n_files < 64) {
            files[n_files++] = argv[++i];
        } else if (strcmp(a, "--swagger-ui-dir") == 0 && v != NULL) {
            ui_dir = argv[++i];
        } else if (strcmp(a, "--format") == 0 && v != NULL && parse_format(v, &opts.format) == 0) {
            i++;
        } else {
            fprintf(stderr, "protogate openapi: bad option '%s'%s\n", a,
                    v == NULL ? " (or missing value)" : "");
            return usage(stderr);
        }
    }
    if (n_files == 0) {
        fprintf(stderr, "protogate openapi: no --descriptor-set given\n");
        return usage(stderr);
    }
    if (ui_dir != NULL && write_assets(ui_dir) != 0)
        return 1;
    return render(files, n_files, &opts);
}
