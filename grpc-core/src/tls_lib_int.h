/*
 * OpenSSL, loaded on first use: gcore does not link libssl, so a process that never
 * makes a TLS channel or listener does not map libssl and libcrypto (about 1.7 MiB
 * resident). gcore_tls_lib_load() dlopens the libssl the build found
 * (GCORE_LIBSSL_SONAME) and fills gcore_openssl; every OpenSSL call in gcore goes
 * through that table. The OpenSSL headers still give the types and constants.
 */
#ifndef GCORE_TLS_LIB_INT_H
#define GCORE_TLS_LIB_INT_H

#include <base/err.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* The OpenSSL functions gcore calls (libcrypto's are found through libssl's handle). */
#define GCORE_OPENSSL_FUNCTIONS(X)                                                                 \
    X(TLS_client_method)                                                                           \
    X(TLS_server_method)                                                                           \
    X(SSL_CTX_new)                                                                                 \
    X(SSL_CTX_free)                                                                                \
    X(SSL_CTX_ctrl)                                                                                \
    X(SSL_CTX_set_verify)                                                                          \
    X(SSL_CTX_load_verify_locations)                                                               \
    X(SSL_CTX_set_default_verify_paths)                                                            \
    X(SSL_CTX_use_certificate_chain_file)                                                          \
    X(SSL_CTX_use_PrivateKey_file)                                                                 \
    X(SSL_CTX_check_private_key)                                                                   \
    X(SSL_CTX_set_alpn_protos)                                                                     \
    X(SSL_CTX_set_alpn_select_cb)                                                                  \
    X(SSL_new)                                                                                     \
    X(SSL_free)                                                                                    \
    X(SSL_ctrl)                                                                                    \
    X(SSL_set_fd)                                                                                  \
    X(SSL_set1_host)                                                                               \
    X(SSL_get0_param)                                                                              \
    X(SSL_set_connect_state)                                                                       \
    X(SSL_set_accept_state)                                                                        \
    X(SSL_do_handshake)                                                                            \
    X(SSL_get_verify_result)                                                                       \
    X(SSL_get0_alpn_selected)                                                                      \
    X(SSL_get_error)                                                                               \
    X(SSL_pending)                                                                                 \
    X(SSL_read)                                                                                    \
    X(SSL_read_ex)                                                                                 \
    X(SSL_write)                                                                                   \
    X(SSL_write_ex)                                                                                \
    X(ERR_get_error)                                                                               \
    X(ERR_error_string_n)                                                                          \
    X(ERR_clear_error)                                                                             \
    X(X509_VERIFY_PARAM_set1_ip_asc)                                                               \
    X(X509_verify_cert_error_string)

/*
 * One pointer per function, named as the function: gcore_openssl.SSL_new(ctx).
 * OpenSSL's setter macros start with the call they expand to, so
 * gcore_openssl.SSL_CTX_set_mode(ctx, m) becomes gcore_openssl.SSL_CTX_ctrl(...) too.
 */
typedef struct gcore_tls_lib {
#define GCORE_OPENSSL_FIELD(f) __typeof__(&f) f;
    GCORE_OPENSSL_FUNCTIONS(GCORE_OPENSSL_FIELD)
#undef GCORE_OPENSSL_FIELD
} gcore_tls_lib;

/* Filled by the first successful gcore_tls_lib_load(); read only after one. */
extern gcore_tls_lib gcore_openssl;

/**
 * Loads libssl and fills gcore_openssl, once per process; later calls return the first
 * outcome. Call it before any other use of gcore_openssl: an SSL_CTX exists only after it.
 * Thread: any. Returns 0, or GCORE_ERR_TLS with |err| saying "TLS needs libssl.so.3: why".
 */
int gcore_tls_lib_load(gb_err *err);

#endif
