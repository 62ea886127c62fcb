/*
 * `protogate serve [flags]` (also `protogate [flags]`): load the descriptor sets,
 * start the HTTP front end and the gRPC side, run until SIGINT/SIGTERM. SIGHUP loads
 * the descriptor set files again (schema.h); a failed reload keeps the old schema.
 */
#include "app.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "schema.h"
#include "server.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static int fail(const char *msg)
{
    fprintf(stderr, "protogate: %s\n", msg);
    return 1;
}

static int wait_for_signal(void)
{
    sigset_t set;
    int sig = 0;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (sigwait(&set, &sig) != 0)
        return -1;
    return sig;
}

/* Each connection with a call in flight holds two descriptors (its socket and the dup
 * the loop watches for hang-ups): take the hard limit rather than the soft 1024. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int gw_cmd_serve(int argc, char **argv)
{
    gw_config cfg;
    gw_server srv = {.listen_fd = -1};
    gb_err err = {0};
    int status = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            gw_config_usage(stdout);
            return 0;
        }
    }
    gw_config_init(&cfg);
    if (gw_config_parse_args(&cfg, argc, (const char *const *)argv, &err) != 0) {
        fail(err.msg);
        goto out_config;
    }
    gw_log_level = cfg.log_level;
    /* Signals are taken by sigwait() here; every thread started below inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    srv.cfg = &cfg;
    srv.header_rules = (gw_header_rules){cfg.forward_headers, cfg.n_forward_headers};
    if (gw_app_start(&srv, &err) != 0) {
        fail(err.msg);
        goto out_app; /* frees what was built before the failure */
    }
    if (gw_front_start(&srv, &err) != 0) {
        fail(err.msg);
        goto out_app;
    }
    GW_LOG(GW_LOG_INFO, "listening on %s (port %u)", cfg.listen, srv.port);
    int sig;
    while ((sig = wait_for_signal()) == SIGHUP) {
        if (gw_app_reload(srv.app, &cfg, &err) != 0)
            GW_LOG(GW_LOG_ERROR, "reload failed, still serving the previous schema: %s", err.msg);
    }
    GW_LOG(GW_LOG_INFO, "%s: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    gw_app_shutdown(&srv);
    gw_front_stop(&srv);
    status = 0;
out_app:
    gw_app_stop(&srv);
out_config:
    gw_config_free(&cfg);
    return status;
}
