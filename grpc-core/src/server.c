/*
 * Server lifecycle: options, method registry, listeners, TLS context, start and the
 * graceful shutdown that drains calls in flight.
 */
#include "server_int.h"
#include "transport_int.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSG_LIMIT (1u << 30)

int64_t server_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void server_log(gcore_server *s, int level, const char *fmt, ...)
{
    if (s->opts.log == NULL)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->opts.log(level, msg, s->opts.log_user_data);
}

gcore_server_opts *gcore_server_opts_new(void)
{
    gcore_server_opts *o = calloc(1, sizeof *o);
    if (o == NULL)
        return NULL;
    o->max_recv = 4u << 20;
    o->max_send = 4u << 20;
    return o;
}

void gcore_server_opts_free(gcore_server_opts *o)
{
    if (o == NULL)
        return;
    free(o->cert_file);
    free(o->key_file);
    free(o->client_ca_file);
    free(o);
}

void gcore_server_opts_set_workers(gcore_server_opts *o, unsigned n)
{
    o->workers = n;
}

void gcore_server_opts_set_max_workers(gcore_server_opts *o, unsigned n)
{
    o->max_workers = n;
}

int gcore_server_opts_set_max_recv_msg(gcore_server_opts *o, size_t n)
{
    if (n == 0 || n > MAX_MSG_LIMIT)
        return GCORE_ERR_INVALID;
    o->max_recv = n;
    return 0;
}

int gcore_server_opts_set_max_send_msg(gcore_server_opts *o, size_t n)
{
    if (n == 0 || n > MAX_MSG_LIMIT)
        return GCORE_ERR_INVALID;
    o->max_send = n;
    return 0;
}

static int replace_str(char **dst, const char *src)
{
    char *p = NULL;
    if (src != NULL && (p = strdup(src)) == NULL)
        return GCORE_ERR_NOMEM;
    free(*dst);
    *dst = p;
    return 0;
}

int gcore_server_opts_set_tls(gcore_server_opts *o, const char *cert_file, const char *key_file,
                              const char *client_ca_file)
{
    if (replace_str(&o->cert_file, cert_file) != 0 || replace_str(&o->key_file, key_file) != 0 ||
        replace_str(&o->client_ca_file, client_ca_file) != 0)
        return GCORE_ERR_NOMEM;
    return 0;
}

void gcore_server_opts_set_log(gcore_server_opts *o,
                               void (*log)(int level, const char *msg, void *user_data),
                               void *user_data)
{
    o->log = log;
    o->log_user_data = user_data;
}

static int select_h2(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                     const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    for (unsigned i = 0; i + 1 <= inlen && i + 1u + in[i] <= inlen; i += 1u + in[i]) {
        if (in[i] == 2 && memcmp(in + i + 1, "h2", 2) == 0) {
            *out = in + i + 1;
            *outlen = 2;
            return SSL_TLSEXT_ERR_OK;
        }
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static int tls_fail(gb_err *err, const char *what, const char *file)
{
    char reason[160];
    gcore_openssl.ERR_error_string_n(gcore_openssl.ERR_get_error(), reason, sizeof reason);
    gcore_openssl.ERR_clear_error();
    return gb_err_set(err, GCORE_ERR_TLS, "TLS %s %s: %s", what, file, reason);
}

static int tls_setup(gcore_server *s, gb_err *err)
{
    const gcore_server_opts *o = &s->opts;
    if (o->cert_file == NULL)
        return 0;
    if (gcore_tls_lib_load(err) != 0)
        return GCORE_ERR_TLS;
    s->ssl_ctx = gcore_openssl.SSL_CTX_new(gcore_openssl.TLS_server_method());
    if (s->ssl_ctx == NULL)
        return gb_err_set(err, GCORE_ERR_NOMEM, "TLS: no memory for a context");
    gcore_openssl.SSL_CTX_set_min_proto_version(s->ssl_ctx, TLS1_2_VERSION);
    gcore_openssl.SSL_CTX_set_mode(s->ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                                   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    gcore_openssl.SSL_CTX_set_alpn_select_cb(s->ssl_ctx, select_h2, NULL);
    if (gcore_openssl.SSL_CTX_use_certificate_chain_file(s->ssl_ctx, o->cert_file) != 1)
        return tls_fail(err, "certificate", o->cert_file);
    if (gcore_openssl.SSL_CTX_use_PrivateKey_file(s->ssl_ctx, o->key_file, SSL_FILETYPE_PEM) != 1 ||
        gcore_openssl.SSL_CTX_check_private_key(s->ssl_ctx) != 1)
        return tls_fail(err, "key", o->key_file);
    if (o->client_ca_file != NULL) {
        if (gcore_openssl.SSL_CTX_load_verify_locations(s->ssl_ctx, o->client_ca_file, NULL) != 1)
            return tls_fail(err, "client CA", o->client_ca_file);
        gcore_openssl.SSL_CTX_set_verify(s->ssl_ctx,
                                         SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    return 0;
}

static int copy_opts(gcore_server_opts *dst, const gcore_server_opts *src)
{
    *dst = *src;
    dst->cert_file = dst->key_file = dst->client_ca_file = NULL;
    if (replace_str(&dst->cert_file, src->cert_file) != 0 ||
        replace_str(&dst->key_file, src->key_file) != 0 ||
        replace_str(&dst->client_ca_file, src->client_ca_file) != 0)
        return GCORE_ERR_NOMEM;
    if (dst->workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        dst->workers = n > 0 ? (unsigned)n : 1;
    }
    if (dst->max_workers == 0)
        dst->max_workers = SERVER_DEFAULT_MAX_WORKERS;
    if (dst->max_workers < dst->workers)
        dst->max_workers = dst->workers;
    return 0;
}

int gcore_server_new(const gcore_server_opts *opts, gcore_server **out, gb_err *err)
{
    gcore_server_opts defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.max_recv = defaults.max_send = 4u << 20;
    gcore_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return gb_err_set(err, GCORE_ERR_NOMEM, "server: out of memory");
    pthread_mutex_init(&s->dirty_mu, NULL);
    pthread_mutex_init(&s->run_mu, NULL);
    pthread_cond_init(&s->run_cv, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->exit_cv, &attr);
    pthread_condattr_destroy(&attr);
    int rv = copy_opts(&s->opts, opts != NULL ? opts : &defaults);
    if (rv != 0) {
        gb_err_set(err, rv, "server: out of memory");
        gcore_server_free(s);
        return rv;
    }
    gcore_ignore_sigpipe();
    rv = tls_setup(s, err);
    if (rv != 0) {
        gcore_server_free(s);
        return rv;
    }
    *out = s;
    return 0;
}

static bool path_valid(const char *p)
{
    const char *slash = p[0] == '/' ? strchr(p + 1, '/') : NULL;
    return slash != NULL && slash > p + 1 && slash[1] != '\0' && strchr(slash + 1, '/') == NULL;
}

static int add_method(gcore_server *s, const char *path, gcore_method_kind kind,
                      gcore_server_handler fn, const gcore_server_async_handler *async,
                      void *user_data)
{
    if (atomic_load(&s->state) != SERVER_NEW)
        return GCORE_ERR_STATE;
    if (path == NULL || (fn == NULL && async == NULL) || !path_valid(path) ||
        server_find_method(s, path, strlen(path)) != NULL)
        return GCORE_ERR_INVALID;
    server_method *m = realloc(s->methods, (s->n_methods + 1) * sizeof *m);
    if (m == NULL)
        return GCORE_ERR_NOMEM;
    s->methods = m;
    char *copy = strdup(path);
    if (copy == NULL)
        return GCORE_ERR_NOMEM;
    s->methods[s->n_methods] = (server_method){copy, kind, fn, {0}, user_data};
    if (async != NULL)
        s->methods[s->n_methods].async = *async;
    s->n_methods++;
    return 0;
}

int gcore_server_register(gcore_server *s, const char *path, gcore_method_kind kind,
                          gcore_server_handler fn, void *user_data)
{
    if (fn == NULL)
        return GCORE_ERR_INVALID;
    return add_method(s, path, kind, fn, NULL, user_data);
}

int gcore_server_register_async(gcore_server *s, const char *path, gcore_method_kind kind,
                                const gcore_server_async_handler *h, void *user_data)
{
    if (h == NULL)
        return GCORE_ERR_INVALID;
    return add_method(s, path, kind, NULL, h, user_data);
}

void server_methods_truncate(gcore_server *s, size_t n)
{
    while (s->n_methods > n)
        free(s->methods[--s->n_methods].path);
}

static int method_cmp(const void *a, const void *b)
{
    return strcmp(((const server_method *)a)->path, ((const server_method *)b)->path);
}

/* strcmp() of |m|'s path against the |n| bytes at |path|. */
static int path_cmp(const char *mpath, const char *path, size_t n)
{
    int c = strncmp(mpath, path, n);
    if (c != 0)
        return c;
    return mpath[n] == '\0' ? 0 : 1;
}

const server_method *server_find_method(const gcore_server *s, const char *path, size_t n)
{
    if (memchr(path, '\0', n) != NULL)
        return NULL;
    if (atomic_load(&s->state) == SERVER_NEW) {
        for (size_t i = 0; i < s->n_methods; i++) {
            if (path_cmp(s->methods[i].path, path, n) == 0)
                return &s->methods[i];
        }
        return NULL;
    }
    size_t lo = 0, hi = s->n_methods;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = path_cmp(s->methods[mid].path, path, n);
        if (c == 0)
            return &s->methods[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int gcore_server_add_interceptor(gcore_server *s, const gcore_server_interceptor *ic)
{
    if (atomic_load(&s->state) != SERVER_NEW)
        return GCORE_ERR_STATE;
    gcore_server_interceptor *v = realloc(s->interceptors, (s->n_interceptors + 1) * sizeof *v);
    if (v == NULL)
        return GCORE_ERR_NOMEM;
    s->interceptors = v;
    s->interceptors[s->n_interceptors++] = *ic;
    return 0;
}

/* Splits "host:port", "[v6]:port" or ":port" into |host| (empty: any) and |port|. */
static int split_addr(const char *addr, char *host, size_t cap, char *port, size_t pcap)
{
    const char *colon;
    const char *h = addr;
    size_t hn;
    if (addr[0] == '[') {
        const char *end = strchr(addr, ']');
        if (end == NULL || end[1] != ':')
            return GCORE_ERR_INVALID;
        h = addr + 1;
        hn = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strchr(addr, ':');
        if (colon == NULL || strchr(colon + 1, ':') != NULL)
            return GCORE_ERR_INVALID; /* IPv6 addresses need brackets */
        hn = (size_t)(colon - addr);
    }
    size_t pn = strlen(colon + 1);
    if (hn >= cap || pn == 0 || pn >= pcap || strspn(colon + 1, "0123456789") != pn)
        return GCORE_ERR_INVALID;
    memcpy(host, h, hn);
    host[hn] = '\0';
    memcpy(port, colon + 1, pn + 1);
    return 0;
}

static int bind_one(const struct addrinfo *ai, int *port_out, gb_err *err, const char *addr)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return gb_err_set(err, GCORE_ERR_IO, "listen %s: socket: %s", addr, strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        return gb_err_set(err, GCORE_ERR_IO, "listen %s: %s", addr, strerror(e));
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *port_out = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

int gcore_server_listen(gcore_server *s, const char *addr, int *port_out, gb_err *err)
{
    char host[256], port[8];
    if (atomic_load(&s->state) != SERVER_NEW)
        return gb_err_set(err, GCORE_ERR_STATE, "listen %s: server already started", addr);
    if (s->n_listen == SERVER_MAX_LISTENERS)
        return gb_err_set(err, GCORE_ERR_LIMIT, "listen %s: too many listeners", addr);
    if (split_addr(addr, host, sizeof host, port, sizeof port) != 0)
        return gb_err_set(err, GCORE_ERR_INVALID, "listen %s: expected host:port", addr);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    int rv = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rv != 0)
        return gb_err_set(err, GCORE_ERR_RESOLVE, "listen %s: %s", addr, gai_strerror(rv));
    int bound = 0;
    int fd = bind_one(res, &bound, err, addr);
    freeaddrinfo(res);
    if (fd < 0)
        return fd;
    s->listen_fds[s->n_listen++] = fd;
    if (port_out != NULL)
        *port_out = bound;
    return 0;
}

int gcore_server_start(gcore_server *s, gb_err *err)
{
    if (atomic_load(&s->state) != SERVER_NEW || s->n_listen == 0)
        return gb_err_set(err, GCORE_ERR_STATE, "start: no listener or already started");
    if (s->n_methods > 0)
        qsort(s->methods, s->n_methods, sizeof *s->methods, method_cmp);
    atomic_store(&s->state, SERVER_RUNNING);
    int rv = server_workers_start(s);
    if (rv != 0)
        return gb_err_set(err, rv, "start: cannot start the worker threads");
    return server_io_start(s, err);
}

/* Drops the calls left in the dirty list once no thread can add more. */
static void drain_dirty(gcore_server *s)
{
    while (s->dirty != NULL) {
        gcore_server_call *call = s->dirty;
        s->dirty = call->dirty_next;
        call->in_dirty = false;
        server_call_unref(call);
    }
}

int gcore_server_shutdown(gcore_server *s, unsigned grace_ms)
{
    int state = atomic_load(&s->state);
    if (state == SERVER_STOPPED)
        return 0;
    int64_t end = server_now_ms() + grace_ms;
    if (state == SERVER_RUNNING) {
        atomic_store(&s->state, SERVER_DRAINING);
        server_io_drain(s);
        const struct timespec tick = {0, 5 * 1000000L};
        while (atomic_load(&s->n_calls) > 0 && server_now_ms() < end)
            nanosleep(&tick, NULL);
    }
    server_io_join(s); /* cancels what is left */
    /* Handlers see the cancellation; one that ignores it is not waited for much past
     * the grace period. */
    int64_t now = server_now_ms();
    bool all = server_workers_stop(
        s, end > now + SERVER_CANCEL_WAIT_MS ? end : now + SERVER_CANCEL_WAIT_MS);
    if (!all)
        server_log(s, GCORE_LOG_WARN, "server: shut down with a handler still running");
    server_io_free(s);
    drain_dirty(s);
    atomic_store(&s->state, SERVER_STOPPED);
    return 0;
}

void server_free_memory(gcore_server *s)
{
    for (size_t i = 0; i < s->n_listen; i++)
        close(s->listen_fds[i]);
    for (size_t i = 0; i < s->n_methods; i++)
        free(s->methods[i].path);
    free(s->methods);
    free(s->interceptors);
    if (s->ssl_ctx != NULL)
        gcore_openssl.SSL_CTX_free(s->ssl_ctx);
    free(s->opts.cert_file);
    free(s->opts.key_file);
    free(s->opts.client_ca_file);
    free(s->busy_since);
    pthread_mutex_destroy(&s->dirty_mu);
    pthread_mutex_destroy(&s->run_mu);
    pthread_cond_destroy(&s->run_cv);
    pthread_cond_destroy(&s->exit_cv);
    free(s);
}

void gcore_server_free(gcore_server *s)
{
    if (s == NULL)
        return;
    gcore_server_shutdown(s, 0);
    pthread_mutex_lock(&s->run_mu);
    bool stuck = s->n_alive > 0;
    s->orphaned = stuck; /* the last worker frees it */
    pthread_mutex_unlock(&s->run_mu);
    if (!stuck)
        server_free_memory(s);
}
