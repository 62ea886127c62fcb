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

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *msg)
{
    fprintf(stderr, "protogate: %s\n", msg);
    return 1;
}

/* The next signal, or 0 after a quarter of a second without one. */
static int wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    struct timespec tick = {0, 250000000};
    int sig = sigtimedwait(&set, NULL, &tick);
    return sig < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : sig;
}

static unsigned long requests_begun(const gw_server *srv)
{
    unsigned long n = 0;
    for (unsigned i = 0; i < srv->n_workers; i++)
        n += atomic_load_explicit(&srv->workers[i].n_requests, memory_order_relaxed);
    return n;
}

/* What identifies the descriptor set files' contents cheaply: their inode, size and
 * modification time (a file replaced by rename gets a new inode). */
static uint64_t files_stamp(const gw_config *cfg)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < cfg->n_descriptor_sets; i++) {
        struct stat st;
        if (stat(cfg->descriptor_sets[i], &st) != 0)
            memset(&st, 0, sizeof st);
        uint64_t v[] = {(uint64_t)st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec,
                        (uint64_t)st.st_mtim.tv_nsec};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            h = (h ^ v[k]) * 1099511628211ull;
    }
    return h;
}

/* SIGHUP, or with --watch a change of the descriptor set files since |stamp| (taken
 * before they were loaded): load the schema again. After a quarter second without requests,
 * the memory the last ones freed goes back to the system (malloc keeps it otherwise). */
static int serve_until_stopped(gw_server *srv, const gw_config *cfg, uint64_t stamp)
{
    gb_err err = {0};
    unsigned long seen = requests_begun(srv), trimmed = seen;
    int sig;
    while ((sig = wait_for_signal()) == SIGHUP || sig == 0) {
        unsigned long begun = requests_begun(srv);
        if (begun == seen && begun != trimmed) {
            malloc_trim(0);
            trimmed = begun;
        }
        seen = begun;
        if (sig == 0 && !cfg->watch)
            continue;
        uint64_t now = files_stamp(cfg);
        if (sig == 0 && now == stamp)
            continue;
        stamp = now;
        if (gw_app_reload(srv->app, cfg, &err) != 0)
            GW_LOG(GW_LOG_ERROR, "reload failed, still serving the previous schema: %s", err.msg);
    }
    return sig;
}

/* Each connection holds a descriptor: take the hard limit rather than the soft 1024. */
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
    /* One worker per two cores by default: the backend usually shares the host. On two
     * cores shared with a C++ gRPC backend, a second worker cost up to a fifth of the
     * throughput and doubled or tripled the p99 (the workers and the backend's threads
     * take turns on the cores, and the backend batches less over two connections). */
    if (cfg.threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = cores > 1 ? (unsigned)cores / 2 : 1;
    }
    /* One malloc arena per worker (the main thread, idle while serving, shares one), set
     * before any thread starts: workers sharing one arena contend for its lock (a fifth
     * more CPU per small request); every extra arena keeps its own free memory (an arena
     * for the main thread alone added 0.9 MiB of peak RSS). */
    mallopt(M_ARENA_MAX, (int)cfg.threads);
    /* Blocks of 128 KiB and more (large messages) get their own mappings, unmapped when
     * freed. glibc would raise this threshold to the largest block freed, so 1 MiB bodies
     * then stayed in the arenas: 6.5 MiB more RSS after three 1 MiB echoes, for 28% more
     * MB/s. */
    mallopt(M_MMAP_THRESHOLD, 128 << 10);
    srv.cfg = &cfg;
    srv.header_rules = (gw_header_rules){cfg.forward_headers, cfg.n_forward_headers};
    uint64_t stamp = files_stamp(&cfg);
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
    int sig = serve_until_stopped(&srv, &cfg, stamp);
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
