#include "transport_int.h"

#include <grpc-core/loop.h>
#include <grpc-core/status.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int gcore_tcp_connect(gcore_transport *tr, const struct addrinfo *ai, gb_err *err)
{
    tr->ssl = NULL;
    tr->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (tr->fd < 0)
        return gb_err_set(err, GCORE_ERR_IO, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(tr->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(tr->fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
        int e = errno;
        close(tr->fd);
        tr->fd = -1;
        return gb_err_set(err, GCORE_ERR_IO, "connect: %s", strerror(e));
    }
    return 0;
}

int gcore_tcp_connected(gcore_transport *tr, gb_err *err)
{
    int e = 0;
    socklen_t len = sizeof(e);
    if (getsockopt(tr->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
        e = errno;
    if (e != 0)
        return gb_err_set(err, GCORE_ERR_IO, "connect: %s", strerror(e));
    return 0;
}

void gcore_tls_err(gb_err *err, int code, const char *what)
{
    char reason[160] = "";
    unsigned long e = gcore_openssl.ERR_get_error();
    if (e != 0)
        gcore_openssl.ERR_error_string_n(e, reason, sizeof(reason));
    gcore_openssl.ERR_clear_error();
    gb_err_set(err, code, "%s%s%s", what, reason[0] ? ": " : "", reason);
}

int gcore_tls_client_ctx(const char *ca_file, const char *cert_file, const char *key_file,
                         SSL_CTX **out, gb_err *err)
{
    static const unsigned char alpn[] = {2, 'h', '2'};
    if (gcore_tls_lib_load(err) != 0)
        return GCORE_ERR_TLS;
    SSL_CTX *ctx = gcore_openssl.SSL_CTX_new(gcore_openssl.TLS_client_method());
    if (ctx == NULL) {
        gcore_tls_err(err, GCORE_ERR_TLS, "SSL_CTX_new");
        return GCORE_ERR_TLS;
    }
    gcore_openssl.SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    gcore_openssl.SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    gcore_openssl.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int ok = ca_file ? gcore_openssl.SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                     : gcore_openssl.SSL_CTX_set_default_verify_paths(ctx);
    const char *what = "CA file";
    if (ok == 1 && cert_file != NULL) {
        what = "client certificate";
        ok = gcore_openssl.SSL_CTX_use_certificate_chain_file(ctx, cert_file);
    }
    if (ok == 1 && key_file != NULL) {
        what = "client key";
        ok = gcore_openssl.SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM);
        if (ok == 1)
            ok = gcore_openssl.SSL_CTX_check_private_key(ctx);
    }
    if (ok == 1) {
        what = "ALPN";
        ok = gcore_openssl.SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn)) == 0;
    }
    if (ok != 1) {
        gcore_tls_err(err, GCORE_ERR_TLS, what);
        gcore_openssl.SSL_CTX_free(ctx);
        return GCORE_ERR_TLS;
    }
    *out = ctx;
    return 0;
}

int gcore_tls_client_start(gcore_transport *tr, SSL_CTX *ctx, const char *name, gb_err *err)
{
    SSL *ssl = gcore_openssl.SSL_new(ctx);
    if (ssl == NULL) {
        gcore_tls_err(err, GCORE_ERR_TLS, "SSL_new");
        return GCORE_ERR_TLS;
    }
    /* SSL_set_tlsext_host_name() is a macro that casts away const: hand it a copy. */
    char sni[256];
    if (strlen(name) >= sizeof(sni)) {
        gcore_openssl.SSL_free(ssl);
        return gb_err_set(err, GCORE_ERR_TLS, "server name too long");
    }
    memcpy(sni, name, strlen(name) + 1);
    unsigned char addr[16];
    bool is_ip = inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
    int ok = gcore_openssl.SSL_set_fd(ssl, tr->fd);
    if (ok == 1 && !is_ip)
        ok = gcore_openssl.SSL_set_tlsext_host_name(ssl, sni) &&
             gcore_openssl.SSL_set1_host(ssl, name);
    if (ok == 1 && is_ip)
        ok = gcore_openssl.X509_VERIFY_PARAM_set1_ip_asc(gcore_openssl.SSL_get0_param(ssl), name);
    if (ok != 1) {
        gcore_tls_err(err, GCORE_ERR_TLS, "TLS session set-up");
        gcore_openssl.SSL_free(ssl);
        return GCORE_ERR_TLS;
    }
    gcore_openssl.SSL_set_connect_state(ssl);
    tr->ssl = ssl;
    return 0;
}

/* Maps an SSL_ERROR_WANT_* to the event to wait for; 0 for a real error. */
static unsigned ssl_want(SSL *ssl, int rc)
{
    switch (gcore_openssl.SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
        return GCORE_EV_READ;
    case SSL_ERROR_WANT_WRITE:
        return GCORE_EV_WRITE;
    default:
        return 0;
    }
}

int gcore_tls_handshake(gcore_transport *tr, unsigned *want, gb_err *err)
{
    int rc = gcore_openssl.SSL_do_handshake(tr->ssl);
    if (rc != 1) {
        *want = ssl_want(tr->ssl, rc);
        if (*want != 0)
            return 1;
        long v = gcore_openssl.SSL_get_verify_result(tr->ssl);
        if (v != X509_V_OK) {
            gcore_openssl.ERR_clear_error();
            return gb_err_set(err, GCORE_ERR_TLS, "TLS handshake: certificate verify failed: %s",
                              gcore_openssl.X509_verify_cert_error_string(v));
        }
        gcore_tls_err(err, GCORE_ERR_TLS, "TLS handshake");
        return GCORE_ERR_TLS;
    }
    const unsigned char *proto = NULL;
    unsigned len = 0;
    gcore_openssl.SSL_get0_alpn_selected(tr->ssl, &proto, &len);
    if (len != 2 || memcmp(proto, "h2", 2) != 0)
        return gb_err_set(err, GCORE_ERR_TLS, "TLS handshake: the server did not select ALPN h2");
    return 0;
}

ssize_t gcore_transport_read(gcore_transport *tr, void *buf, size_t n, unsigned *want)
{
    if (tr->ssl == NULL) {
        ssize_t r = read(tr->fd, buf, n);
        if (r >= 0)
            return r;
        *want = GCORE_EV_READ;
        return errno == EAGAIN || errno == EINTR ? GCORE_IO_AGAIN : GCORE_IO_ERROR;
    }
    size_t got = 0;
    int rc = gcore_openssl.SSL_read_ex(tr->ssl, buf, n, &got);
    if (rc == 1)
        return (ssize_t)got;
    int e = gcore_openssl.SSL_get_error(tr->ssl, rc);
    gcore_openssl.ERR_clear_error();
    if (e == SSL_ERROR_ZERO_RETURN)
        return 0;
    *want = ssl_want(tr->ssl, rc);
    return *want ? GCORE_IO_AGAIN : GCORE_IO_ERROR;
}

ssize_t gcore_transport_write(gcore_transport *tr, const void *buf, size_t n, unsigned *want)
{
    if (tr->ssl == NULL) {
        ssize_t w = send(tr->fd, buf, n, MSG_NOSIGNAL);
        if (w >= 0)
            return w;
        *want = GCORE_EV_WRITE;
        return errno == EAGAIN || errno == EINTR ? GCORE_IO_AGAIN : GCORE_IO_ERROR;
    }
    size_t put = 0;
    int rc = gcore_openssl.SSL_write_ex(tr->ssl, buf, n, &put);
    if (rc == 1)
        return (ssize_t)put;
    *want = ssl_want(tr->ssl, rc);
    gcore_openssl.ERR_clear_error();
    return *want ? GCORE_IO_AGAIN : GCORE_IO_ERROR;
}

void gcore_transport_close(gcore_transport *tr)
{
    if (tr->ssl != NULL) {
        gcore_openssl.SSL_free(tr->ssl);
        tr->ssl = NULL;
    }
    if (tr->fd >= 0) {
        close(tr->fd);
        tr->fd = -1;
    }
}

void gcore_ignore_sigpipe(void)
{
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);
}
