/*
 * `protogate serve [flags]` (also `protogate [flags]`): load the descriptor sets,
 * start the HTTP front end and the gRPC side, run until SIGINT/SIGTERM.
 */
#include "app.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "server.h"

#include <malloc.h>
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
    if (sigwait(&set, &sig) != 0)
        return -1;
    return sig;
}

/* Each connection with a server stream in flight holds two descriptors (its socket and
 * the dup the loop watches for hang-ups): take the hard limit rather than the soft 1024. */
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
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    /* One malloc arena, before any thread starts: an arena per thread (each MHD thread,
     * the loop) keeps its own free memory, ~1 MiB more peak RSS at 64 connections; small
     * blocks come from the per-thread caches, so the shared arena's lock is rarely taken. */
    mallopt(M_ARENA_MAX, 1);
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
    malloc_trim(0); /* what loading the descriptor sets freed goes back to the system */
    GW_LOG(GW_LOG_INFO, "listening on %s (port %u)", cfg.listen, srv.port);
    int sig = wait_for_signal();
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
