/*
 * What the example backends share: command-line options, and running a
 * gcore_server with health and reflection until SIGINT or SIGTERM.
 *
 *   --port N                    listen on 127.0.0.1:N (as the tutorials' --port)
 *   --listen HOST:PORT          where to listen (port 0: any; the port is printed)
 *   --descriptor-set FILE       serve reflection from this FileDescriptorSet (default:
 *                               the examples' own set, built into the binary)
 *   --tls-cert FILE --tls-key FILE [--tls-client-ca FILE]   TLS, optionally mTLS
 *   --workers N                 handler threads (default: number of cores)
 */
#ifndef EXAMPLE_SERVER_H
#define EXAMPLE_SERVER_H

#include <grpc-core/server.h>

typedef struct example_opts {
    const char *listen;
    char listen_buf[64]; /* what --port makes of --listen */
    const char *descriptor_set;
    const char *tls_cert;
    const char *tls_key;
    const char *tls_client_ca;
    const char *db; /* route_guide_server's feature file */
    unsigned workers;
} example_opts;

/* Parses argv; prints usage and returns -1 on a bad option. */
int example_parse(int argc, char **argv, example_opts *o);

/*
 * Creates the server, lets |add| register the methods, enables health (every
 * service in |services| SERVING) and reflection, listens, prints
 * "listening on HOST:PORT", serves until a signal, then shuts down gracefully (5 s
 * for calls in flight; a second signal ends the process at once).
 * Returns the process exit code.
 */
int example_run(const example_opts *o, int (*add)(gcore_server *s, void *user_data),
                void *user_data, const char *const *services);

/* Packs a protobuf-c message into a fresh buffer and writes it. Returns as write does. */
int example_write_msg(gcore_server_call *call, const void *msg);

#endif
