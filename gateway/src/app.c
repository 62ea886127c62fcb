/*
 * Start-up and shutdown of the transcoding side: the pool from the descriptor sets,
 * the router, one gcore loop per worker and, on each, one channel per distinct backend
 * (services that share a backend share a worker's HTTP/2 connection to it).
 */
#include "app.h"

#include "call.h"
#include "log.h"
#include "schema.h"
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

static void free_channels(const gw_app *app, gw_upstream *u)
{
    for (unsigned i = 0; u->ch != NULL && i < app->n_loops; i++)
        gcore_channel_free(u->ch[i]);
    free(u->ch);
    u->ch = NULL;
}

gw_upstream *gw_app_upstream(gw_app *app, const char *service, const char *target,
                             const gw_tls_config *tls, gb_err *err)
{
    size_t n = atomic_load(&app->n_ups);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(app->ups[i].target, target) == 0 && same_tls(app->ups[i].tls, tls))
            return &app->ups[i];
    }
    if (n == app->cap_ups) { /* backends come from the configuration: cannot happen */
        gb_err_set(err, GW_ERR_CONFIG, "%s: too many backends", service);
        return NULL;
    }
    gw_upstream *u = &app->ups[n];
    gcore_channel_opts o = {.tls = tls->enabled,
                            .ca_file = tls->ca_file,
                            .cert_file = tls->cert_file,
                            .key_file = tls->key_file,
                            .server_name = tls->server_name,
                            .log = channel_log};
    u->ch = calloc(app->n_loops, sizeof *u->ch);
    if (u->ch == NULL) {
        gb_err_set(err, GW_ERR_NOMEM, "%s: out of memory", service);
        return NULL;
    }
    for (unsigned i = 0; i < app->n_loops; i++) {
        if (gcore_channel_new(app->loops[i], target, &o, &u->ch[i], err) != 0) {
            free_channels(app, u);
            gb_err_prefix(err, service);
            return NULL;
        }
    }
    u->target = target;
    u->tls = tls;
    atomic_store(&app->n_ups, n + 1); /* published whole: /healthz reads them */
    return u;
}

int gw_app_start(gw_server *srv, gb_err *err)
{
    const gw_config *cfg = srv->cfg;
    if (cfg->n_descriptor_sets == 0 && !cfg->reflection)
        return gb_err_set(err, GW_ERR_CONFIG,
                          "no --descriptor-set (or --reflection) given (see --help)");
    if (cfg->backend == NULL && cfg->n_services == 0)
        return gb_err_set(err, GW_ERR_CONFIG, "no --backend given (see --help)");
    gw_app *app = calloc(1, sizeof *app);
    if (app == NULL)
        return gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    srv->app = app;
    pthread_mutex_init(&app->mu, NULL);
    pthread_mutex_init(&app->schema_mu, NULL);
    app->cap_ups = cfg->n_services + 1;
    app->ups = calloc(app->cap_ups, sizeof *app->ups);
    if (app->ups == NULL)
        return gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    app->n_loops = cfg->threads != 0 ? cfg->threads : 1;
    app->loops = calloc(app->n_loops, sizeof *app->loops);
    if (app->loops == NULL)
        return gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    for (unsigned i = 0; i < app->n_loops; i++) {
        if (gcore_loop_new(&app->loops[i]) != 0 || gcore_loop_start(app->loops[i]) != 0)
            return gb_err_set(err, GW_ERR_NOMEM, "worker %u: the loop did not start", i);
    }
    return gw_schema_build(app, cfg, &app->schema, err);
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
    gw_schema_unref(app->schema);
    for (size_t i = 0; i < app->n_ups; i++)
        free_channels(app, &app->ups[i]);
    for (unsigned i = 0; app->loops != NULL && i < app->n_loops; i++) {
        if (app->loops[i] == NULL)
            continue;
        gcore_loop_stop(app->loops[i]);
        gcore_loop_join(app->loops[i]);
        gcore_loop_free(app->loops[i]);
    }
    free(app->loops);
    free(app->ups);
    pthread_mutex_destroy(&app->schema_mu);
    pthread_mutex_destroy(&app->mu);
    free(app);
    srv->app = NULL;
}
