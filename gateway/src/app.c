/*
 * Start-up and shutdown of the transcoding side: the pool from the descriptor sets,
 * the router, the gcore loop and one channel per distinct backend (services that
 * share a backend share its HTTP/2 connection).
 */
#include "app.h"

#include "call.h"
#include "docs.h"
#include "log.h"
#include "server.h"
#include "status_map.h"

#include <stdlib.h>
#include <string.h>

static void channel_log(int level, const char *msg, void *user_data)
{
    (void)user_data;
    int lv = level <= GCORE_LOG_ERROR  ? GW_LOG_ERROR
             : level <= GCORE_LOG_WARN ? GW_LOG_WARN
             : level <= GCORE_LOG_INFO ? GW_LOG_INFO
                                       : GW_LOG_DEBUG;
    GW_LOG(lv, "upstream: %s", msg);
}

static bool same_tls(const gw_tls_config *a, const gw_tls_config *b)
{
    if (a->enabled != b->enabled)
        return false;
    const char *x[] = {a->ca_file, a->cert_file, a->key_file, a->server_name};
    const char *y[] = {b->ca_file, b->cert_file, b->key_file, b->server_name};
    for (int i = 0; i < 4; i++) {
        if ((x[i] == NULL) != (y[i] == NULL) || (x[i] != NULL && strcmp(x[i], y[i]) != 0))
            return false;
    }
    return true;
}

static gw_upstream *upstream_for(gw_app *app, const char *service, const char *target,
                                 const gw_tls_config *tls, gb_err *err)
{
    for (size_t i = 0; i < app->n_ups; i++) {
        if (strcmp(app->ups[i].target, target) == 0 && same_tls(app->ups[i].tls, tls))
            return &app->ups[i];
    }
    gw_upstream *u = &app->ups[app->n_ups];
    gcore_channel_opts o = {.tls = tls->enabled,
                            .ca_file = tls->ca_file,
                            .cert_file = tls->cert_file,
                            .key_file = tls->key_file,
                            .server_name = tls->server_name,
                            .log = channel_log};
    if (gcore_channel_new(app->loop, target, &o, &u->ch, err) != 0) {
        gb_err_prefix(err, service);
        return NULL;
    }
    u->target = target;
    u->tls = tls;
    app->n_ups++;
    return u;
}

/* A channel per distinct backend, each service pointing at its own. */
static int connect_services(gw_app *app, const gw_config *cfg, gb_err *err)
{
    size_t n = pbd_pool_n_services(app->pool);
    app->svc = calloc(n + 1, sizeof *app->svc);
    app->svc_up = calloc(n + 1, sizeof *app->svc_up);
    app->ups = calloc(n + 1, sizeof *app->ups);
    if (app->svc == NULL || app->svc_up == NULL || app->ups == NULL)
        return gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const pbd_service *s = pbd_pool_service(app->pool, i);
        gw_service_config scratch;
        const gw_service_config *sc = gw_config_service(cfg, s->full_name, &scratch);
        const gw_tls_config *tls = sc == &scratch ? &cfg->backend_tls : sc ? &sc->tls : NULL;
        app->svc[app->n_svc] = s;
        if (sc != NULL) {
            app->svc_up[app->n_svc] = upstream_for(app, s->full_name, sc->backend, tls, err);
            if (app->svc_up[app->n_svc] == NULL)
                return GW_ERR_CONFIG;
        }
        app->n_svc++;
    }
    for (size_t i = 0; i < cfg->n_services; i++) {
        if (pbd_pool_find_service(app->pool, cfg->services[i].service) == NULL)
            return gb_err_set(err, GW_ERR_CONFIG,
                              "services.%s: no such service in the descriptor sets",
                              cfg->services[i].service);
    }
    return 0;
}

gcore_channel *gw_app_channel(const gw_app *app, const pbd_service *service)
{
    for (size_t i = 0; i < app->n_svc; i++) {
        if (app->svc[i] == service)
            return app->svc_up[i] != NULL ? app->svc_up[i]->ch : NULL;
    }
    return NULL;
}

const char *gw_app_target(const gw_app *app, const pbd_service *service)
{
    for (size_t i = 0; i < app->n_svc; i++) {
        if (app->svc[i] == service)
            return app->svc_up[i] != NULL ? app->svc_up[i]->target : NULL;
    }
    return NULL;
}

static void json_options(gw_app *app, const gw_config *cfg)
{
    pbd_json_opts_init(&app->in);
    app->in.pool = app->pool;
    app->in.ignore_unknown = cfg->discard_unknown;
    app->out = app->in;
    app->out.use_proto_names = cfg->proto_names;
    app->out.enums_as_ints = cfg->enums_as_ints;
    app->out.emit_unpopulated = cfg->emit_unpopulated;
    app->status_type = pbd_pool_find_message(app->pool, "google.rpc.Status");
    app->any_type = pbd_pool_find_message(app->pool, "google.protobuf.Any");
}

int gw_app_start(gw_server *srv, gb_err *err)
{
    const gw_config *cfg = srv->cfg;
    if (cfg->n_descriptor_sets == 0)
        return gb_err_set(err, GW_ERR_CONFIG, "no --descriptor-set given (see --help)");
    if (cfg->backend == NULL && cfg->n_services == 0)
        return gb_err_set(err, GW_ERR_CONFIG, "no --backend given (see --help)");
    gw_app *app = calloc(1, sizeof *app);
    if (app == NULL)
        return gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    srv->app = app;
    pthread_mutex_init(&app->mu, NULL);
    gb_buf_init(&app->openapi, 0);
    gb_buf_init(&app->swagger, 0);
    int rc = pbd_pool_load_files(cfg->descriptor_sets, cfg->n_descriptor_sets, &app->pool, err);
    if (rc == 0)
        rc = pbd_router_new(app->pool, &app->router, err);
    if (rc == 0)
        json_options(app, cfg);
    if (rc == 0)
        rc = gw_app_render_docs(app, cfg, err);
    if (rc == 0 && (gcore_loop_new(&app->loop) != 0 || gcore_loop_start(app->loop) != 0))
        rc = gb_err_set(err, GW_ERR_NOMEM, "the gRPC loop did not start");
    if (rc == 0)
        rc = connect_services(app, cfg, err);
    return rc;
}

void gw_app_shutdown(gw_server *srv)
{
    if (srv->app != NULL)
        gw_call_cancel_all(srv->app);
}

void gw_app_stop(gw_server *srv)
{
    gw_app *app = srv->app;
    if (app == NULL)
        return;
    for (size_t i = 0; i < app->n_ups; i++)
        gcore_channel_free(app->ups[i].ch);
    if (app->loop != NULL) {
        gcore_loop_stop(app->loop);
        gcore_loop_join(app->loop);
        gcore_loop_free(app->loop);
    }
    pbd_router_free(app->router);
    if (app->pool != NULL)
        pbd_pool_unref(app->pool);
    gb_buf_free(&app->openapi);
    gb_buf_free(&app->swagger);
    free(app->ups);
    free(app->svc);
    free(app->svc_up);
    pthread_mutex_destroy(&app->mu);
    free(app);
    srv->app = NULL;
}
