/*
 * The part of greeter_server and route_guide_server that is not about their
 * services: options, health, reflection, signals and graceful shutdown.
 */
#include "example_server.h"

#include <grpc-core/health.h>
#include <grpc-core/reflection.h>

#include <protobuf-c/protobuf-c.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The examples' descriptor set, embedded at build time (examples_pb.c). */
extern const unsigned char gw_examples_pb[];
extern const size_t gw_examples_pb_len;

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [--port N | --listen HOST:PORT] [--descriptor-set FILE] [--workers N]\n"
            "          [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]] [--db FILE]\n",
            argv0);
}

/* --port N keeps --listen's host (127.0.0.1 by default). */
static int apply_port(example_opts *o, const char *port)
{
    char *end;
    unsigned long n = strtoul(port, &end, 10);
    const char *colon = strrchr(o->listen, ':');
    if (*port == '\0' || *end != '\0' || n > 65535 || colon == NULL)
        return -1;
    int len = snprintf(o->listen_buf, sizeof o->listen_buf, "%.*s:%lu", (int)(colon - o->listen),
                       o->listen, n);
    if (len < 0 || (size_t)len >= sizeof o->listen_buf)
        return -1;
    o->listen = o->listen_buf;
    return 0;
}

int example_parse(int argc, char **argv, example_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:50051";
    const char *port = NULL;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **dst = strcmp(a, "--listen") == 0           ? &o->listen
                           : strcmp(a, "--port") == 0           ? &port
                           : strcmp(a, "--descriptor-set") == 0 ? &o->descriptor_set
                           : strcmp(a, "--tls-cert") == 0       ? &o->tls_cert
                           : strcmp(a, "--tls-key") == 0        ? &o->tls_key
                           : strcmp(a, "--tls-client-ca") == 0  ? &o->tls_client_ca
                           : strcmp(a, "--db") == 0             ? &o->db
                                                                : NULL;
        if (v != NULL && dst != NULL) {
            *dst = v;
        } else if (v != NULL && strcmp(a, "--workers") == 0) {
            o->workers = (unsigned)strtoul(v, NULL, 10);
        } else {
            usage(argv[0]);
            return -1;
        }
    }
    if ((port != NULL && apply_port(o, port) != 0) ||
        (o->tls_cert == NULL) != (o->tls_key == NULL)) {
        usage(argv[0]);
        return -1;
    }
    return 0;
}

static int read_file(const char *path, gb_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    uint8_t chunk[65536];
    size_t n;
    int rv = 0;
    while (rv == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rv = gb_buf_append(out, chunk, n);
    if (ferror(f))
        rv = -1;
    fclose(f);
    return rv;
}

static void log_line(int level, const char *msg, void *user_data)
{
    (void)user_data;
    if (level <= GCORE_LOG_WARN)
        fprintf(stderr, "%s\n", msg);
}

static gcore_server *make_server(const example_opts *o, gb_err *err)
{
    gcore_server_opts *opts = gcore_server_opts_new();
    gcore_server *s = NULL;
    if (opts == NULL)
        return NULL;
    gcore_server_opts_set_workers(opts, o->workers);
    gcore_server_opts_set_log(opts, log_line, NULL);
    if (o->tls_cert != NULL)
        gcore_server_opts_set_tls(opts, o->tls_cert, o->tls_key, o->tls_client_ca);
    gcore_server_new(opts, &s, err);
    gcore_server_opts_free(opts);
    return s;
}

/*
 * Serves until SIGINT or SIGTERM (blocked in every thread, taken here). A second one
 * during the graceful shutdown ends the process at once: the signals go back to their
 * default action, and only this thread lets them through.
 */
static void wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig;
    sigwait(&set, &sig);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    printf("shutting down (a second signal stops at once)\n");
    fflush(stdout);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static int enable_extras(gcore_server *s, const example_opts *o, gcore_health **health,
                         gcore_reflection **refl, const char *const *services, gb_err *err)
{
    if (gcore_health_enable(s, health) != 0)
        return gb_err_set(err, -1, "cannot enable health");
    for (size_t i = 0; services[i] != NULL; i++)
        gcore_health_set(*health, services[i], GCORE_HEALTH_SERVING);
    if (o->descriptor_set == NULL)
        return gcore_reflection_enable(s, gb_slice_of(gw_examples_pb, gw_examples_pb_len), refl,
                                       err);
    gb_buf pb;
    gb_buf_init(&pb, 0);
    int rv = read_file(o->descriptor_set, &pb);
    if (rv != 0)
        gb_err_set(err, rv, "%s: cannot read", o->descriptor_set);
    else
        rv = gcore_reflection_enable(s, gb_slice_of(pb.p, pb.n), refl, err);
    gb_buf_free(&pb);
    return rv;
}

int example_run(const example_opts *o, int (*add)(gcore_server *s, void *user_data),
                void *user_data, const char *const *services)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);               /* stdout may be a pipe its reader closed */
    gb_err err = {0};
    gcore_health *health = NULL;
    gcore_reflection *refl = NULL;
    int port = 0, code = 1;
    gcore_server *s = make_server(o, &err);
    if (s == NULL)
        goto out;
    if (add(s, user_data) != 0) {
        gb_err_set(&err, -1, "cannot register the methods");
        goto out;
    }
    if (enable_extras(s, o, &health, &refl, services, &err) != 0 ||
        gcore_server_listen(s, o->listen, &port, &err) != 0 || gcore_server_start(s, &err) != 0)
        goto out;
    char host[256];
    const char *colon = strrchr(o->listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - o->listen), o->listen);
    printf("listening on %s:%d\n", host, port);
    fflush(stdout);
    wait_for_signal();
    gcore_server_shutdown(s, 5000);
    code = 0;
out:
    if (code != 0)
        fprintf(stderr, "error: %s\n", err.msg[0] ? err.msg : "out of memory");
    gcore_server_free(s);
    gcore_health_free(health);
    gcore_reflection_free(refl);
    return code;
}

int example_write_msg(gcore_server_call *call, const void *msg)
{
    const ProtobufCMessage *m = msg;
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL)
        return GCORE_ERR_NOMEM;
    protobuf_c_message_pack(m, buf);
    int rv = gcore_server_call_write(call, gb_slice_of(buf, n));
    free(buf);
    return rv;
}
