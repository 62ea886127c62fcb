/*
 * Schema snapshots: built whole from the descriptor set files, then published by
 * swapping one pointer under |app->schema_mu|. A reader takes its reference under the
 * same lock, so the swap never frees a snapshot between a load and its reference.
 */
#include "schema.h"

#include "log.h"
#include "reflect.h"
#include "status_map.h"

#include <openapi/openapi.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A strong ETag: FNV-1a 64 of the document, quoted. */
static void etag_of(const gb_buf *doc, char out[24])
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < doc->n; i++)
        h = (h ^ doc->p[i]) * 1099511628211ull;
    snprintf(out, 24, "\"%016llx\"", (unsigned long long)h);
}

static void doc_asset(oas_asset *a, const char *name, const gb_buf *doc, const char *etag)
{
    *a = (oas_asset){.name = name,
                     .content_type = "application/json",
                     .body = gb_slice_of(doc->p, doc->n),
                     .etag = etag,
                     .cache_control = "no-cache"};
}

static int render_docs(gw_schema *s, const gw_config *cfg, gb_err *err)
{
    oas_options o = {.format = OAS_FORMAT_3_1, .proto_names = cfg->proto_names};
    if (oas_document_render(s->pool, &o, &s->openapi_json, err) != 0)
        return gb_err_prefix(err, "openapi");
    o.format = OAS_FORMAT_2_0;
    if (oas_document_render(s->pool, &o, &s->swagger_json, err) != 0)
        return gb_err_prefix(err, "swagger");
    etag_of(&s->openapi_json, s->etags[0]);
    etag_of(&s->swagger_json, s->etags[1]);
    doc_asset(&s->openapi, "openapi.json", &s->openapi_json, s->etags[0]);
    doc_asset(&s->swagger, "swagger.json", &s->swagger_json, s->etags[1]);
    return 0;
}

static void json_options(gw_schema *s, const gw_config *cfg)
{
    pbd_json_opts_init(&s->in);
    s->in.pool = s->pool;
    s->in.ignore_unknown = cfg->discard_unknown;
    s->out = s->in;
    s->out.use_proto_names = cfg->proto_names;
    s->out.enums_as_ints = cfg->enums_as_ints;
    s->out.emit_unpopulated = cfg->emit_unpopulated;
    s->status_type = pbd_pool_find_message(s->pool, "google.rpc.Status");
    s->any_type = pbd_pool_find_message(s->pool, "google.protobuf.Any");
}

/* Each service to its backend's upstream; every configured service must exist. */
static int bind_services(gw_app *app, gw_schema *s, const gw_config *cfg, gb_err *err)
{
    size_t n = pbd_pool_n_services(s->pool);
    s->svc = calloc(n + 1, sizeof *s->svc);
    s->svc_up = calloc(n + 1, sizeof *s->svc_up);
    if (s->svc == NULL || s->svc_up == NULL)
        return gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const pbd_service *svc = pbd_pool_service(s->pool, i);
        gw_service_config scratch;
        const gw_service_config *sc = gw_config_service(cfg, svc->full_name, &scratch);
        const gw_tls_config *tls = sc == &scratch ? &cfg->backend_tls : sc ? &sc->tls : NULL;
        s->svc[s->n_svc] = svc;
        if (sc != NULL) {
            s->svc_up[s->n_svc] = gw_app_upstream(app, svc->full_name, sc->backend, tls, err);
            if (s->svc_up[s->n_svc] == NULL)
                return GW_ERR_CONFIG;
        }
        s->n_svc++;
    }
    for (size_t i = 0; i < cfg->n_services; i++) {
        if (pbd_pool_find_service(s->pool, cfg->services[i].service) == NULL)
            return gb_err_set(err, GW_ERR_CONFIG,
                              "services.%s: no such service in the descriptor sets",
                              cfg->services[i].service);
    }
    return 0;
}

#define SET_FILE_MAX (256u << 20)

static int read_file(const char *path, gb_buf *out, gb_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return gb_err_set(err, GW_ERR_CONFIG, "%s: %s", path, strerror(errno));
    uint8_t chunk[16384];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = gb_buf_append(out, chunk, n);
    if (rc == 0 && ferror(f))
        rc = gb_err_set(err, GW_ERR_CONFIG, "%s: read error", path);
    else if (rc != 0)
        rc = gb_err_set(err, GW_ERR_CONFIG, "%s: larger than %u bytes", path, SET_FILE_MAX);
    fclose(f);
    return rc;
}

/* Asks each distinct backend of |cfg| for its services' files. */
static int reflect_backends(gw_app *app, const gw_config *cfg, gw_reflect *r, gb_err *err)
{
    size_t n = cfg->n_services + 1;
    const gw_upstream **asked = calloc(n, sizeof *asked);
    size_t n_asked = 0;
    int rc = asked != NULL ? 0 : gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *target = i == 0 ? cfg->backend : cfg->services[i - 1].backend;
        const gw_tls_config *tls = i == 0 ? &cfg->backend_tls : &cfg->services[i - 1].tls;
        if (target == NULL)
            continue;
        gw_upstream *u = gw_app_upstream(app, "reflection", target, tls, err);
        bool seen = false;
        for (size_t k = 0; u != NULL && k < n_asked; k++)
            seen = seen || asked[k] == u;
        if (u == NULL)
            rc = GW_ERR_CONFIG;
        else if (!seen)
            rc = gw_reflect_fetch(r, (asked[n_asked++] = u)->ch[0], u->target, err);
    }
    free(asked);
    if (rc == 0 && r->n_services == 0)
        rc = gb_err_set(err, GW_ERR_UPSTREAM, "reflection: the backends list no service");
    return rc;
}

/* The --descriptor-set files, and with --reflection what the backends describe. */
static int load_pool(gw_app *app, const gw_config *cfg, gw_schema *s, gb_err *err)
{
    if (!cfg->reflection)
        return pbd_pool_load_files(cfg->descriptor_sets, cfg->n_descriptor_sets, &s->pool, err);
    size_t n = cfg->n_descriptor_sets;
    gw_reflect r;
    gw_reflect_init(&r);
    gb_buf *files = calloc(n + 1, sizeof *files);
    gb_slice *sets = calloc(n + 1, sizeof *sets);
    int rc = files != NULL && sets != NULL ? 0 : gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; files != NULL && i < n; i++)
        gb_buf_init(&files[i], SET_FILE_MAX);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = read_file(cfg->descriptor_sets[i], &files[i], err);
        sets[i] = gb_slice_of(files[i].p, files[i].n);
    }
    if (rc == 0)
        rc = reflect_backends(app, cfg, &r, err);
    if (rc == 0) {
        sets[n] = gb_slice_of(r.set.p, r.set.n);
        rc = pbd_pool_load_sets(sets, n + 1, &s->pool, err);
    }
    for (size_t i = 0; files != NULL && i < n; i++)
        gb_buf_free(&files[i]);
    free(files);
    free(sets);
    gw_reflect_free(&r);
    return rc;
}

int gw_schema_build(gw_app *app, const gw_config *cfg, gw_schema **out, gb_err *err)
{
    *out = NULL;
    gw_schema *s = calloc(1, sizeof *s);
    if (s == NULL)
        return gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    atomic_init(&s->refs, 1);
    gb_buf_init(&s->openapi_json, 0);
    gb_buf_init(&s->swagger_json, 0);
    int rc = load_pool(app, cfg, s, err);
    if (rc == 0)
        rc = pbd_router_new(s->pool, &s->router, err);
    if (rc == 0) {
        json_options(s, cfg);
        rc = render_docs(s, cfg, err);
    }
    if (rc == 0)
        rc = bind_services(app, s, cfg, err);
    if (rc != 0) {
        gw_schema_unref(s);
        return rc;
    }
    *out = s;
    return 0;
}

void gw_schema_unref(gw_schema *s)
{
    if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    pbd_router_free(s->router);
    if (s->pool != NULL)
        pbd_pool_unref(s->pool);
    gb_buf_free(&s->openapi_json);
    gb_buf_free(&s->swagger_json);
    free(s->svc);
    free(s->svc_up);
    free(s);
}

gw_schema *gw_app_schema(gw_app *app)
{
    pthread_mutex_lock(&app->schema_mu);
    gw_schema *s = app->schema;
    if (s != NULL)
        atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&app->schema_mu);
    return s;
}

int gw_app_reload(gw_app *app, const gw_config *cfg, gb_err *err)
{
    gw_schema *s;
    int rc = gw_schema_build(app, cfg, &s, err);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&app->schema_mu);
    gw_schema *old = app->schema;
    app->schema = s;
    pthread_mutex_unlock(&app->schema_mu);
    GW_LOG(GW_LOG_INFO, "reload: %zu services, %zu routes; OpenAPI ETag %s", s->n_svc,
           pbd_router_n_routes(s->router), s->etags[0]);
    gw_schema_unref(old);
    return 0;
}

gcore_channel *gw_schema_channel(const gw_schema *s, const pbd_service *service, unsigned worker)
{
    for (size_t i = 0; i < s->n_svc; i++) {
        if (s->svc[i] == service)
            return s->svc_up[i] != NULL ? s->svc_up[i]->ch[worker] : NULL;
    }
    return NULL;
}

const char *gw_schema_target(const gw_schema *s, const pbd_service *service)
{
    for (size_t i = 0; i < s->n_svc; i++) {
        if (s->svc[i] == service)
            return s->svc_up[i] != NULL ? s->svc_up[i]->target : NULL;
    }
    return NULL;
}
