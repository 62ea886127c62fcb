/*
 * gRPC status codes, the status a call ends with, and grpc-core's own error codes.
 *
 * A call ends with a gcore_status: one of the 17 gRPC codes, a message (decoded
 * grpc-message) and the raw bytes of grpc-status-details-bin (a serialized
 * google.rpc.Status), or none. Library functions return 0 or a GCORE_ERR_* code.
 *
 *     gcore_status st;
 *     gcore_status_init(&st);
 *     gcore_status_set(&st, GCORE_STATUS_NOT_FOUND, "no such book");
 *     printf("%s: %s\n", gcore_status_code_name(st.code), st.message);
 *     gcore_status_clear(&st);
 */
#ifndef GCORE_STATUS_H
#define GCORE_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The gRPC status codes (grpc/doc/statuscodes.md); values are on the wire. */
typedef enum gcore_code {
    GCORE_STATUS_OK = 0,
    GCORE_STATUS_CANCELLED = 1,
    GCORE_STATUS_UNKNOWN = 2,
    GCORE_STATUS_INVALID_ARGUMENT = 3,
    GCORE_STATUS_DEADLINE_EXCEEDED = 4,
    GCORE_STATUS_NOT_FOUND = 5,
    GCORE_STATUS_ALREADY_EXISTS = 6,
    GCORE_STATUS_PERMISSION_DENIED = 7,
    GCORE_STATUS_RESOURCE_EXHAUSTED = 8,
    GCORE_STATUS_FAILED_PRECONDITION = 9,
    GCORE_STATUS_ABORTED = 10,
    GCORE_STATUS_OUT_OF_RANGE = 11,
    GCORE_STATUS_UNIMPLEMENTED = 12,
    GCORE_STATUS_INTERNAL = 13,
    GCORE_STATUS_UNAVAILABLE = 14,
    GCORE_STATUS_DATA_LOSS = 15,
    GCORE_STATUS_UNAUTHENTICATED = 16,
} gcore_code;

/* grpc-core's library error codes (-200..-299). */
enum {
    GCORE_ERR_NOMEM = -200,    /* allocation failed */
    GCORE_ERR_INVALID = -201,  /* malformed input or argument */
    GCORE_ERR_LIMIT = -202,    /* a configured size limit was reached */
    GCORE_ERR_SHUTDOWN = -203, /* the loop or channel is closing */
    GCORE_ERR_IO = -204,       /* a system call failed */
    GCORE_ERR_TLS = -205,      /* TLS set-up or handshake failed */
    GCORE_ERR_HTTP2 = -206,    /* nghttp2 refused an operation */
    GCORE_ERR_STATE = -207,    /* not allowed in the object's current state */
    GCORE_ERR_RESOLVE = -208,  /* the host name did not resolve */
    GCORE_ERR_RESERVED = -209, /* a metadata key users may not set */
};

/* How a call ended. |message| is NUL-terminated (never NULL after gcore_status_init). */
typedef struct gcore_status {
    gcore_code code;
    char *message;    /* decoded grpc-message; heap, owned */
    uint8_t *details; /* grpc-status-details-bin, decoded; heap, owned; NULL if absent */
    size_t details_len;
    /* The response was not a gRPC reply: it ended without grpc-status (|code| derived
     * from the HTTP status by gcore_status_from_http, or UNKNOWN), or its content-type
     * was not application/grpc (UNKNOWN). A proxy answers such a reply 502. A non-200
     * HEADERS that does not end the stream finishes the call from the HTTP status at
     * once and leaves this false. */
    bool no_grpc_status;
} gcore_status;

/** Sets |st| to OK with an empty message, no details and no_grpc_status false. Thread: any. */
void gcore_status_init(gcore_status *st);

/**
 * Replaces |st|'s code and message (copied; NULL means ""), dropping the details and
 * clearing no_grpc_status.
 * Returns 0, or GCORE_ERR_NOMEM (then the message is "" and the code is still set).
 */
int gcore_status_set(gcore_status *st, gcore_code code, const char *message);

/** Replaces the details with a copy of |n| bytes at |p|. Returns 0 or GCORE_ERR_NOMEM. */
int gcore_status_set_details(gcore_status *st, const uint8_t *p, size_t n);

/** Copies |src| (no_grpc_status too) into |dst| (initialized, cleared first). Returns 0 or
 * GCORE_ERR_NOMEM. */
int gcore_status_copy(gcore_status *dst, const gcore_status *src);

/** Frees what |st| owns and sets it to OK again. */
void gcore_status_clear(gcore_status *st);

/** "OK", "CANCELLED", ... "UNAUTHENTICATED"; "UNKNOWN" for a value outside 0..16. */
const char *gcore_status_code_name(int code);

/**
 * The gRPC code for an HTTP status of a response without grpc-status, per the gRPC
 * spec's http-grpc-status-mapping: 400 INTERNAL, 401 UNAUTHENTICATED, 403
 * PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, other UNKNOWN.
 */
gcore_code gcore_status_from_http(int http_status);

/** A static description of a grpc-core (or base) error code. */
const char *gcore_strerror(int code);

#endif
