/*
 * The gateway's configuration: command-line flags and an optional JSON file
 * (--config FILE) for what flags do not cover. The file is read first, then the
 * flags override it. Unknown keys are refused, naming the key. This file parses;
 * the behaviour lives elsewhere (h2o's split).
 *
 *     gw_config c;
 *     gw_config_init(&c);
 *     if (gw_config_parse_args(&c, argc, argv, &err) != 0)
 *         fprintf(stderr, "protogate: %s\n", err.msg);
 *     ...
 *     gw_config_free(&c);
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <base/arena.h>
#include <base/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum gw_stream_format {
    GW_STREAM_NDJSON = 0, /* {"result":...}\n per message (grpc-gateway) */
    GW_STREAM_SSE,        /* data: {...}\n\n (also chosen by Accept: text/event-stream) */
    GW_STREAM_ARRAY,      /* [m1,m2,...] written as it arrives (Envoy) */
} gw_stream_format;

typedef struct gw_tls_config {
    bool enabled;
    const char *ca_file;     /* NULL: the system store */
    const char *cert_file;   /* client certificate, or NULL */
    const char *key_file;    /* its key, or NULL */
    const char *server_name; /* SNI and verification name; NULL: the backend host */
} gw_tls_config;

typedef struct gw_service_config {
    const char *service; /* "helloworld.Greeter" */
    const char *backend; /* "host:port" */
    gw_tls_config tls;
} gw_service_config;

typedef struct gw_config {
    gb_arena arena; /* every string and array below */
    const char **descriptor_sets;
    size_t n_descriptor_sets;
    bool reflection;     /* also ask the backends for their schemas (server reflection) */
    bool watch;          /* reload when a descriptor set file changes */
    const char *listen;  /* "127.0.0.1:8080", "[::1]:8080" */
    const char *backend; /* every service without its own entry; NULL: none */
    gw_tls_config backend_tls;
    gw_service_config *services;
    size_t n_services;
    uint64_t timeout_ms; /* default deadline when the client sends no Grpc-Timeout; 0: none */
    bool emit_unpopulated;
    bool proto_names;
    bool enums_as_ints;
    bool discard_unknown;
    bool swagger_ui;
    const char **forward_headers; /* allow-list of request headers sent as metadata */
    size_t n_forward_headers;
    const char **cors_origins; /* "*" allows any; none: CORS off */
    size_t n_cors_origins;
    size_t max_body;            /* bytes; 413 above */
    size_t max_header;          /* bytes of request line + headers per connection; 431 above */
    unsigned idle_timeout_s;    /* a connection with no traffic for this long is closed */
    unsigned request_timeout_s; /* the whole request must arrive within this */
    unsigned threads;           /* worker threads; 0: one per core */
    gw_stream_format stream_format;
    int log_level;
    bool access_log;
} gw_config;

/** Fills |c| with the defaults (documented in gw_config_usage()). */
void gw_config_init(gw_config *c);

/** Frees what |c| holds. */
void gw_config_free(gw_config *c);

/**
 * Applies |argc| flags from |argv| (argv[0] is not a flag), loading --config FILE first.
 * Returns 0, or GW_ERR_CONFIG with |err| naming the flag, file or key.
 */
int gw_config_parse_args(gw_config *c, int argc, const char *const *argv, gb_err *err);

/** Applies a JSON config text (|what| names it in errors). Returns 0 or GW_ERR_CONFIG. */
int gw_config_parse_json(gw_config *c, const char *text, size_t n, const char *what, gb_err *err);

/** Reads and applies a JSON config file. Returns 0 or GW_ERR_CONFIG. */
int gw_config_load_file(gw_config *c, const char *path, gb_err *err);

/** Parses "30s", "250ms", "2m", "1h" or "0" into milliseconds. Returns 0 or -1. */
int gw_duration_parse(const char *s, uint64_t *ms);

/** Parses "4194304", "64KiB", "4MiB" (also K, M) into bytes. Returns 0 or -1. */
int gw_size_parse(const char *s, size_t *bytes);

/** The backend for |service| (its own entry, else the default), or NULL. */
const gw_service_config *gw_config_service(const gw_config *c, const char *service,
                                           gw_service_config *scratch);

/** Writes the flags and the config keys, with their defaults, to |out|. */
void gw_config_usage(FILE *out);

#endif
