/*
 * Translation at the boundary, once: library error code -> gRPC status code ->
 * HTTP status, by the google.rpc.Code table that grpc-gateway uses.
 *
 *     int http = gw_status_http_from_grpc(GW_CODE_NOT_FOUND);   // 404
 *     const char *name = gw_status_grpc_name(5);                 // "NOT_FOUND"
 */
#ifndef GW_STATUS_MAP_H
#define GW_STATUS_MAP_H

/* google.rpc.Code values. */
enum {
    GW_CODE_OK = 0,
    GW_CODE_CANCELLED = 1,
    GW_CODE_UNKNOWN = 2,
    GW_CODE_INVALID_ARGUMENT = 3,
    GW_CODE_DEADLINE_EXCEEDED = 4,
    GW_CODE_NOT_FOUND = 5,
    GW_CODE_ALREADY_EXISTS = 6,
    GW_CODE_PERMISSION_DENIED = 7,
    GW_CODE_RESOURCE_EXHAUSTED = 8,
    GW_CODE_FAILED_PRECONDITION = 9,
    GW_CODE_ABORTED = 10,
    GW_CODE_OUT_OF_RANGE = 11,
    GW_CODE_UNIMPLEMENTED = 12,
    GW_CODE_INTERNAL = 13,
    GW_CODE_UNAVAILABLE = 14,
    GW_CODE_DATA_LOSS = 15,
    GW_CODE_UNAUTHENTICATED = 16,
};

/* Error codes of the gateway (-400..-499). */
enum {
    GW_ERR_NOMEM = -400,     /* allocation failed */
    GW_ERR_CONFIG = -401,    /* a bad flag or configuration value */
    GW_ERR_LISTEN = -402,    /* the listening socket could not be set up */
    GW_ERR_REQUEST = -403,   /* a malformed HTTP request (header, query, timeout) */
    GW_ERR_TOO_LARGE = -404, /* a body or header over its limit */
    GW_ERR_NO_ROUTE = -405,  /* no rule matches the path */
    GW_ERR_METHOD = -406,    /* the path matches, the HTTP method does not */
    GW_ERR_UPSTREAM = -407,  /* the backend could not be reached or answered badly */
};

/** Returns a static description of a gateway error code. */
const char *gw_strerror(int code);

/**
 * The HTTP status for a gRPC status code (google.rpc.Code); codes outside 0..16 give 500.
 * Thread: any.
 */
int gw_status_http_from_grpc(int grpc_code);

/** The upper-case name of a gRPC code ("NOT_FOUND"), or "UNKNOWN" outside 0..16. */
const char *gw_status_grpc_name(int grpc_code);

/**
 * The gRPC code a library error code stands for: gb_ (base), pbd_ (request decoding:
 * INVALID_ARGUMENT), gcore_ (transport: UNAVAILABLE), gw_ codes. 0 gives OK.
 */
int gw_status_grpc_from_error(int err_code);

#endif
