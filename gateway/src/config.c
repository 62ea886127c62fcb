/*
 * Flags and the JSON config file. Both feed one table of settings, so a key in
 * the file and its flag cannot drift apart: "max_body" is --max-body.
 */
#include "config.h"

#include "log.h"
#include "status_map.h"

#include <cjson/cJSON.h>

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum kind { K_STR, K_LIST, K_TRUE, K_FALSE, K_MS, K_SIZE, K_UINT, K_STREAM, K_LEVEL } kind;

typedef struct setting {
    const char *flag; /* "--max-body", or NULL: file only */
    const char *key;  /* "limits.max_body", or NULL: flag only */
    kind kind;
    size_t off;       /* of the value (K_LIST: of the array) */
    size_t count_off; /* K_LIST: of the count */
    const char *help;
} setting;

#define OFF(f) offsetof(gw_config, f)

static const setting settings[] = {
    {"--descriptor-set", "descriptor_sets", K_LIST, OFF(descriptor_sets), OFF(n_descriptor_sets),
     "FILE  a FileDescriptorSet (protoc --include_imports -o FILE); repeatable"},
    {"--reflection", "reflection", K_TRUE, OFF(reflection), 0,
     "  also load the schema from the backends (gRPC server reflection); SIGHUP asks again"},
    {"--watch", "watch", K_TRUE, OFF(watch), 0,
     "  reload when a --descriptor-set file changes (checked four times a second), as on SIGHUP"},
    {"--backend", "backend", K_STR, OFF(backend), 0,
     "HOST:PORT  the gRPC backend of every service without its own entry"},
    {"--listen", "listen", K_STR, OFF(listen), 0,
     "ADDR:PORT  where to serve HTTP (default 127.0.0.1:8080; IPv6: [::1]:8080)"},
    {"--timeout", "timeout", K_MS, OFF(timeout_ms), 0,
     "DURATION  deadline of a call without Grpc-Timeout header (default 30s; 0: none)"},
    {"--emit-unpopulated", "print.emit_unpopulated", K_TRUE, OFF(emit_unpopulated), 0,
     "  print fields at their default value too"},
    {"--proto-names", "print.proto_names", K_TRUE, OFF(proto_names), 0,
     "  print proto field names (page_token) instead of JSON names (pageToken)"},
    {"--enums-as-ints", "print.enums_as_ints", K_TRUE, OFF(enums_as_ints), 0,
     "  print enum values as numbers"},
    {"--discard-unknown", "discard_unknown", K_TRUE, OFF(discard_unknown), 0,
     "  ignore unknown JSON fields and query parameters (default: 400 naming them)"},
    {"--no-swagger-ui", "swagger_ui", K_FALSE, OFF(swagger_ui), 0, "  do not serve /swagger-ui/"},
    {"--forward-header", "forward_headers", K_LIST, OFF(forward_headers), OFF(n_forward_headers),
     "NAME  also forward this request header as metadata; repeatable"},
    {"--cors-origin", "cors.allowed_origins", K_LIST, OFF(cors_origins), OFF(n_cors_origins),
     "ORIGIN  allow CORS from ORIGIN (\"*\": any); repeatable; default off"},
    {"--max-body", "limits.max_body", K_SIZE, OFF(max_body), 0,
     "SIZE  largest request body (default 4MiB); 413 above"},
    {"--max-header", "limits.max_header", K_SIZE, OFF(max_header), 0,
     "SIZE  largest request line + headers (default 8KiB); 431 above"},
    {"--idle-timeout", "limits.idle_timeout", K_MS, OFF(idle_timeout_s), 0,
     "DURATION  close a connection idle this long (default 60s)"},
    {"--request-timeout", "limits.request_timeout", K_MS, OFF(request_timeout_s), 0,
     "DURATION  a request must arrive whole within this (default 60s), else closed"},
    {"--threads", "threads", K_UINT, OFF(threads), 0,
     "N  worker threads, each with its own connections (default: one per two cores)"},
    {"--stream-format", "streaming.format", K_STREAM, OFF(stream_format), 0,
     "ndjson|sse|array  server-streaming framing (default ndjson)"},
    {"--log-level", "log_level", K_LEVEL, OFF(log_level), 0,
     "error|warn|info|debug  (default info, or $GW_LOG)"},
    {"--access-log", "access_log", K_TRUE, OFF(access_log), 0,
     "  one access-log line per request on stderr (default off, as grpc-gateway)"},
};

#define N_SETTINGS (sizeof settings / sizeof settings[0])

void gw_config_init(gw_config *c)
{
    memset(c, 0, sizeof *c);
    gb_arena_init(&c->arena, 0);
    c->listen = "127.0.0.1:8080";
    c->timeout_ms = 30000;
    c->swagger_ui = true;
    c->max_body = 4u << 20;
    c->max_header = 8u << 10;
    c->idle_timeout_s = 60;
    c->request_timeout_s = 60;
    c->stream_format = GW_STREAM_NDJSON;
    const char *lv = getenv("GW_LOG");
    c->log_level = GW_LOG_INFO;
    if (lv != NULL)
        gw_log_level_parse(lv, &c->log_level);
}

void gw_config_free(gw_config *c)
{
    gb_arena_clear(&c->arena);
}

int gw_duration_parse(const char *s, uint64_t *ms)
{
    static const struct {
        const char *unit;
        uint64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    char *end = NULL;
    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || v > 1000000000ull)
        return -1;
    if (*end == '\0' && v == 0) {
        *ms = 0;
        return 0;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) == 0) {
            *ms = v * units[i].ms;
            return 0;
        }
    }
    return -1;
}

int gw_size_parse(const char *s, size_t *bytes)
{
    static const struct {
        const char *unit;
        size_t mul;
    } units[] = {{"", 1}, {"K", 1024}, {"KiB", 1024}, {"M", 1u << 20}, {"MiB", 1u << 20}};
    char *end = NULL;
    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || v > (1ull << 32))
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) == 0) {
            *bytes = (size_t)v * units[i].mul;
            return 0;
        }
    }
    return -1;
}

static int list_add(gw_config *c, const setting *s, const char *v)
{
    const char ***arr = (const char ***)((char *)c + s->off);
    size_t *n = (size_t *)((char *)c + s->count_off);
    const char **grown = gb_arena_calloc(&c->arena, *n + 1, sizeof *grown);
    char *copy = gb_arena_strndup(&c->arena, v, strlen(v));
    if (grown == NULL || copy == NULL)
        return GW_ERR_NOMEM;
    if (*n != 0)
        memcpy(grown, *arr, *n * sizeof *grown);
    grown[(*n)++] = copy;
    *arr = grown;
    return 0;
}

/* Applies a text value (a flag's argument, or a JSON string/number rendered as text). */
static int apply_text(gw_config *c, const setting *s, const char *v, const char *what, gb_err *err)
{
    void *p = (char *)c + s->off;
    uint64_t ms = 0;
    size_t sz = 0;
    switch (s->kind) {
    case K_STR:
        *(const char **)p = gb_arena_strndup(&c->arena, v, strlen(v));
        return *(const char **)p != NULL ? 0 : GW_ERR_NOMEM;
    case K_LIST:
        return list_add(c, s, v);
    case K_MS:
        if (gw_duration_parse(v, &ms) != 0)
            break;
        if (s->off == OFF(timeout_ms))
            *(uint64_t *)p = ms;
        else
            *(unsigned *)p = (unsigned)((ms + 999) / 1000);
        return 0;
    case K_SIZE:
        if (gw_size_parse(v, &sz) != 0 || sz == 0)
            break;
        *(size_t *)p = sz;
        return 0;
    case K_UINT:
        if (gw_size_parse(v, &sz) != 0 || sz > 1024)
            break;
        *(unsigned *)p = (unsigned)sz;
        return 0;
    case K_STREAM:
        if (strcmp(v, "ndjson") == 0)
            *(gw_stream_format *)p = GW_STREAM_NDJSON;
        else if (strcmp(v, "sse") == 0)
            *(gw_stream_format *)p = GW_STREAM_SSE;
        else if (strcmp(v, "array") == 0)
            *(gw_stream_format *)p = GW_STREAM_ARRAY;
        else
            break;
        return 0;
    case K_LEVEL:
        if (gw_log_level_parse(v, (int *)p) != 0)
            break;
        return 0;
    default:
        break;
    }
    return gb_err_set(err, GW_ERR_CONFIG, "%s: bad value \"%.60s\"", what, v);
}

static const setting *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const char *f = settings[i].flag;
        if (f != NULL && strlen(f) == len && strncmp(f, name, len) == 0)
            return &settings[i];
    }
    return NULL;
}

static bool takes_value(const setting *s)
{
    return s->kind != K_TRUE && s->kind != K_FALSE;
}

/* Splits "--flag=value" / "--flag value"; returns the index of the last argv consumed. */
static int apply_flag(gw_config *c, int argc, const char *const *argv, int i, gb_err *err)
{
    const char *arg = argv[i];
    const char *eq = strchr(arg, '=');
    size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    const setting *s = find_flag(arg, len);
    if (s == NULL)
        return gb_err_set(err, GW_ERR_CONFIG, "unknown flag %.*s (see --help)", (int)len, arg);
    if (!takes_value(s)) {
        if (eq != NULL)
            return gb_err_set(err, GW_ERR_CONFIG, "%s takes no value", s->flag);
        *(bool *)((char *)c + s->off) = s->kind == K_TRUE;
        return i;
    }
    const char *v = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
    if (v == NULL)
        return gb_err_set(err, GW_ERR_CONFIG, "%s needs a value", s->flag);
    int rc = apply_text(c, s, v, s->flag, err);
    if (rc != 0)
        return rc;
    return eq != NULL ? i : i + 1;
}

int gw_config_parse_args(gw_config *c, int argc, const char *const *argv, gb_err *err)
{
    for (int i = 1; i < argc; i++) { /* the file first, so that flags override it */
        const char *path = NULL;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            path = argv[i] + 9;
        else if (strcmp(argv[i], "--config") == 0)
            return gb_err_set(err, GW_ERR_CONFIG, "--config needs a value");
        if (path != NULL && gw_config_load_file(c, path, err) != 0)
            return GW_ERR_CONFIG;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "--config=", 9) == 0)
            continue;
        if (strncmp(argv[i], "--", 2) != 0)
            return gb_err_set(err, GW_ERR_CONFIG, "unexpected argument \"%.60s\"", argv[i]);
        int next = apply_flag(c, argc, argv, i, err);
        if (next < 0)
            return next;
        i = next;
    }
    return 0;
}

/* ---- JSON file ---- */

static int json_fail(gb_err *err, const char *what, const char *key, const char *why)
{
    return gb_err_set(err, GW_ERR_CONFIG, "%s: %s: %s", what, key, why);
}

static int json_str(gw_config *c, const cJSON *v, const char **out, const char *what,
                    const char *key, gb_err *err)
{
    if (!cJSON_IsString(v))
        return json_fail(err, what, key, "expected a string");
    *out = gb_arena_strndup(&c->arena, v->valuestring, strlen(v->valuestring));
    return *out != NULL ? 0 : GW_ERR_NOMEM;
}

static int json_tls(gw_config *c, const cJSON *obj, gw_tls_config *tls, const char *what,
                    const char *key, gb_err *err)
{
    if (!cJSON_IsObject(obj))
        return json_fail(err, what, key, "expected an object");
    tls->enabled = true;
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        const char **dst = strcmp(it->string, "ca_file") == 0       ? &tls->ca_file
                           : strcmp(it->string, "cert_file") == 0   ? &tls->cert_file
                           : strcmp(it->string, "key_file") == 0    ? &tls->key_file
                           : strcmp(it->string, "server_name") == 0 ? &tls->server_name
                                                                    : NULL;
        if (strcmp(it->string, "enabled") == 0 && cJSON_IsBool(it)) {
            tls->enabled = cJSON_IsTrue(it);
            continue;
        }
        if (dst == NULL)
            return gb_err_set(err, GW_ERR_CONFIG, "%s: %s.%s: unknown key", what, key, it->string);
        if (json_str(c, it, dst, what, it->string, err) != 0)
            return GW_ERR_CONFIG;
    }
    return 0;
}

static int json_service(gw_config *c, const cJSON *obj, const char *what, gb_err *err)
{
    gw_service_config s = {.service = NULL};
    if (!cJSON_IsObject(obj))
        return json_fail(err, what, obj->string, "expected an object");
    s.service = gb_arena_strndup(&c->arena, obj->string, strlen(obj->string));
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        int rc;
        if (strcmp(it->string, "backend") == 0)
            rc = json_str(c, it, &s.backend, what, "backend", err);
        else if (strcmp(it->string, "tls") == 0)
            rc = json_tls(c, it, &s.tls, what, "tls", err);
        else
            rc = gb_err_set(err, GW_ERR_CONFIG, "%s: services.%s.%s: unknown key", what,
                            obj->string, it->string);
        if (rc != 0)
            return GW_ERR_CONFIG;
    }
    if (s.backend == NULL)
        return gb_err_set(err, GW_ERR_CONFIG, "%s: services.%s: needs \"backend\"", what,
                          obj->string);
    gw_service_config *grown = gb_arena_calloc(&c->arena, c->n_services + 1, sizeof *grown);
    if (grown == NULL || s.service == NULL)
        return GW_ERR_NOMEM;
    if (c->n_services != 0)
        memcpy(grown, c->services, c->n_services * sizeof *grown);
    grown[c->n_services++] = s;
    c->services = grown;
    return 0;
}

static int json_value(gw_config *c, const setting *s, const cJSON *v, const char *what, gb_err *err)
{
    char num[32];
    if (s->kind == K_TRUE || s->kind == K_FALSE) {
        if (!cJSON_IsBool(v))
            return json_fail(err, what, s->key, "expected true or false");
        *(bool *)((char *)c + s->off) = cJSON_IsTrue(v);
        return 0;
    }
    if (s->kind == K_LIST) {
        if (!cJSON_IsArray(v))
            return json_fail(err, what, s->key, "expected an array of strings");
        for (const cJSON *it = v->child; it != NULL; it = it->next) {
            if (!cJSON_IsString(it))
                return json_fail(err, what, s->key, "expected an array of strings");
            if (list_add(c, s, it->valuestring) != 0)
                return GW_ERR_NOMEM;
        }
        return 0;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e12) {
        snprintf(num, sizeof num, "%.0f%s", v->valuedouble, s->kind == K_MS ? "ms" : "");
        return apply_text(c, s, num, s->key, err) != 0 ? json_fail(err, what, s->key, "bad value")
                                                       : 0;
    }
    if (!cJSON_IsString(v))
        return json_fail(err, what, s->key, "expected a string");
    return apply_text(c, s, v->valuestring, s->key, err) != 0
               ? json_fail(err, what, s->key, "bad value")
               : 0;
}

static const setting *find_key(const char *prefix, const char *name)
{
    char full[128];
    snprintf(full, sizeof full, "%s%s%s", prefix, *prefix ? "." : "", name);
    for (size_t i = 0; i < N_SETTINGS; i++) {
        if (settings[i].key != NULL && strcmp(settings[i].key, full) == 0)
            return &settings[i];
    }
    return NULL;
}

static int json_object(gw_config *c, const cJSON *obj, const char *prefix, const char *what,
                       gb_err *err)
{
    static const char *const groups[] = {"print", "limits", "streaming", "cors"};
    for (const cJSON *it = obj->child; it != NULL; it = it->next) {
        int rc = 0;
        bool group = false;
        for (size_t g = 0; *prefix == '\0' && g < sizeof groups / sizeof groups[0]; g++)
            group = group || strcmp(it->string, groups[g]) == 0;
        if (group && cJSON_IsObject(it)) {
            rc = json_object(c, it, it->string, what, err);
        } else if (*prefix == '\0' && strcmp(it->string, "backend_tls") == 0) {
            rc = json_tls(c, it, &c->backend_tls, what, "backend_tls", err);
        } else if (*prefix == '\0' && strcmp(it->string, "services") == 0) {
            if (!cJSON_IsObject(it))
                return json_fail(err, what, "services", "expected an object");
            for (const cJSON *s = it->child; s != NULL && rc == 0; s = s->next)
                rc = json_service(c, s, what, err);
        } else {
            const setting *s = find_key(prefix, it->string);
            if (s == NULL || group)
                return gb_err_set(err, GW_ERR_CONFIG, "%s: %s%s%s: unknown key", what, prefix,
                                  *prefix ? "." : "", it->string);
            rc = json_value(c, s, it, what, err);
        }
        if (rc != 0)
            return GW_ERR_CONFIG;
    }
    return 0;
}

int gw_config_parse_json(gw_config *c, const char *text, size_t n, const char *what, gb_err *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, n, &end, 0);
    if (root == NULL) {
        size_t at = end != NULL && end >= text ? (size_t)(end - text) : 0;
        return gb_err_set(err, GW_ERR_CONFIG, "%s: invalid JSON near byte %zu", what, at);
    }
    int rc = cJSON_IsObject(root) ? json_object(c, root, "", what, err)
                                  : gb_err_set(err, GW_ERR_CONFIG, "%s: expected an object", what);
    cJSON_Delete(root);
    return rc;
}

int gw_config_load_file(gw_config *c, const char *path, gb_err *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return gb_err_set(err, GW_ERR_CONFIG, "config %s: %s", path, strerror(errno));
    char *text = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            char *grown = cap < (1u << 24) ? realloc(text, cap ? cap * 2 : 4096) : NULL;
            if (grown == NULL) {
                rc = gb_err_set(err, GW_ERR_CONFIG, "config %s: too large", path);
                break;
            }
            text = grown;
            cap = cap ? cap * 2 : 4096;
        }
        size_t got = fread(text + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (rc == 0 && ferror(f))
        rc = gb_err_set(err, GW_ERR_CONFIG, "config %s: read error", path);
    fclose(f);
    if (rc == 0) {
        char what[200];
        snprintf(what, sizeof what, "config %s", path);
        rc = gw_config_parse_json(c, text, n, what, err);
    }
    free(text);
    return rc;
}

const gw_service_config *gw_config_service(const gw_config *c, const char *service,
                                           gw_service_config *scratch)
{
    for (size_t i = 0; i < c->n_services; i++) {
        if (strcmp(c->services[i].service, service) == 0)
            return &c->services[i];
    }
    if (c->backend == NULL)
        return NULL;
    *scratch = (gw_service_config){service, c->backend, c->backend_tls};
    return scratch;
}

void gw_config_usage(FILE *out)
{
    fprintf(out, "usage: protogate [serve] [flags]\n\n"
                 "Serves a JSON/HTTP API in front of gRPC backends, with routes from the\n"
                 "google.api.http annotations of the loaded descriptor sets.\n\nflags:\n");
    fprintf(out, "  --config FILE  JSON config file, read before the flags (keys below)\n");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        if (settings[i].flag == NULL)
            continue;
        const char *h = settings[i].help;
        const char *sp = h[0] == ' ' ? h : strchr(h, ' ');
        fprintf(out, "  %s%s%.*s\n      %s\n", settings[i].flag, sp == h ? "" : " ", (int)(sp - h),
                h, sp + 2);
    }
    fprintf(out,
            "  --help  this text\n\n"
            "config file keys: the flags' names with '_' (\"max_body\" is --max-body) under\n"
            "  descriptor_sets, backend, listen, timeout, discard_unknown, swagger_ui,\n"
            "  forward_headers, threads, log_level, access_log,\n"
            "  print {emit_unpopulated, proto_names, enums_as_ints},\n"
            "  limits {max_body, max_header, idle_timeout, request_timeout},\n"
            "  streaming {format}, cors {allowed_origins},\n"
            "  backend_tls {ca_file, cert_file, key_file, server_name, enabled},\n"
            "  services {\"pkg.Service\": {backend, tls {...}}}.\n"
            "Unknown keys are refused.\n\n"
            "endpoints: the API routes, /healthz, /openapi.json, /swagger.json, /swagger-ui/\n");
}
