/*
 * A byte stream over a non-blocking TCP socket, in the clear or through OpenSSL:
 * connect, TLS handshake, read and write, each reporting what it waits for
 * (GCORE_EV_READ / GCORE_EV_WRITE) instead of blocking.
 */
#ifndef GCORE_TRANSPORT_INT_H
#define GCORE_TRANSPORT_INT_H

#include <base/err.h>

#include "tls_lib_int.h"

#include <netdb.h>

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct gcore_transport {
    int fd;
    SSL *ssl; /* NULL for plaintext */
} gcore_transport;

enum { GCORE_IO_AGAIN = -1, GCORE_IO_ERROR = -2 };

/**
 * Starts a non-blocking connect to |ai| (one address). Returns 0 with |tr->fd| set
 * (connected or in progress: wait for GCORE_EV_WRITE then gcore_tcp_connected()),
 * or GCORE_ERR_IO with |err| set.
 */
int gcore_tcp_connect(gcore_transport *tr, const struct addrinfo *ai, gb_err *err);

/** After writability: 0 when the connect succeeded, else GCORE_ERR_IO with |err| set. */
int gcore_tcp_connected(gcore_transport *tr, gb_err *err);

/**
 * Client TLS context: TLS 1.2+, ALPN "h2", peer verification against |ca_file| (or
 * the system store), optional client |cert_file| + |key_file|.
 * Returns 0 or GCORE_ERR_TLS with |err| naming the file and OpenSSL's reason.
 */
int gcore_tls_client_ctx(const char *ca_file, const char *cert_file, const char *key_file,
                         SSL_CTX **out, gb_err *err);

/** Attaches a client TLS session checking |name| (SNI + hostname or IP verification). */
int gcore_tls_client_start(gcore_transport *tr, SSL_CTX *ctx, const char *name, gb_err *err);

/**
 * Advances the handshake. Returns 0 when done (ALPN h2 checked), 1 while it waits
 * (|*want| says for what), or GCORE_ERR_TLS with |err| set.
 */
int gcore_tls_handshake(gcore_transport *tr, unsigned *want, gb_err *err);

/** Reads up to |n| bytes: >0, 0 at end of stream, GCORE_IO_AGAIN (|*want| set) or _ERROR. */
ssize_t gcore_transport_read(gcore_transport *tr, void *buf, size_t n, unsigned *want);

/** Writes up to |n| bytes: >0, GCORE_IO_AGAIN (|*want| set) or GCORE_IO_ERROR. */
ssize_t gcore_transport_write(gcore_transport *tr, const void *buf, size_t n, unsigned *want);

/** Frees the TLS session and closes the socket. */
void gcore_transport_close(gcore_transport *tr);

/** Appends OpenSSL's queued error reasons (and clears them) to |err|'s message. */
void gcore_tls_err(gb_err *err, int code, const char *what);

/**
 * Ignores SIGPIPE unless the application chose a disposition: a peer that resets the
 * socket must not kill the process, and OpenSSL writes with write(2), not MSG_NOSIGNAL.
 */
void gcore_ignore_sigpipe(void);

#endif
