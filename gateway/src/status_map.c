/*
 * The google.rpc.Code -> HTTP table (grpc-gateway runtime/errors.go,
 * HTTPStatusFromCode). CANCELLED is 499 (nginx's "client closed request"), not
 * Envoy's 408; UNIMPLEMENTED is 501.
 */
#include "status_map.h"

#include <base/err.h>

#include <stddef.h>

static const struct {
    const char *name;
    int http;
} codes[] = {
    {"OK", 200},
    {"CANCELLED", 499},
    {"UNKNOWN", 500},
    {"INVALID_ARGUMENT", 400},
    {"DEADLINE_EXCEEDED", 504},
    {"NOT_FOUND", 404},
    {"ALREADY_EXISTS", 409},
    {"PERMISSION_DENIED", 403},
    {"RESOURCE_EXHAUSTED", 429},
    {"FAILED_PRECONDITION", 400},
    {"ABORTED", 409},
    {"OUT_OF_RANGE", 400},
    {"UNIMPLEMENTED", 501},
    {"INTERNAL", 500},
    {"UNAVAILABLE", 503},
    {"DATA_LOSS", 500},
    {"UNAUTHENTICATED", 401},
};

#define N_CODES (sizeof codes / sizeof codes[0])

int gw_status_http_from_grpc(int grpc_code)
{
    if (grpc_code < 0 || (size_t)grpc_code >= N_CODES)
        return 500;
    return codes[grpc_code].http;
}

const char *gw_status_grpc_name(int grpc_code)
{
    if (grpc_code < 0 || (size_t)grpc_code >= N_CODES)
        return "UNKNOWN";
    return codes[grpc_code].name;
}

static int grpc_from_gateway_error(int err_code)
{
    switch (err_code) {
    case GW_ERR_REQUEST:
        return GW_CODE_INVALID_ARGUMENT;
    case GW_ERR_TOO_LARGE:
        return GW_CODE_RESOURCE_EXHAUSTED;
    case GW_ERR_NO_ROUTE:
        return GW_CODE_NOT_FOUND;
    case GW_ERR_METHOD:
        return GW_CODE_UNIMPLEMENTED;
    case GW_ERR_UPSTREAM:
        return GW_CODE_UNAVAILABLE;
    default:
        return GW_CODE_INTERNAL;
    }
}

int gw_status_grpc_from_error(int err_code)
{
    if (err_code == 0)
        return GW_CODE_OK;
    if (err_code == GB_ERR_LIMIT)
        return GW_CODE_RESOURCE_EXHAUSTED;
    if (err_code == GB_ERR_INVALID)
        return GW_CODE_INVALID_ARGUMENT;
    if (err_code <= -100 && err_code > -200) /* descriptors: the request did not decode */
        return GW_CODE_INVALID_ARGUMENT;
    if (err_code <= -200 && err_code > -300) /* grpc-core: the transport failed */
        return GW_CODE_UNAVAILABLE;
    if (err_code <= -400 && err_code > -500)
        return grpc_from_gateway_error(err_code);
    return GW_CODE_INTERNAL;
}

const char *gw_strerror(int code)
{
    switch (code) {
    case GW_ERR_NOMEM:
        return "out of memory";
    case GW_ERR_CONFIG:
        return "bad configuration";
    case GW_ERR_LISTEN:
        return "cannot listen";
    case GW_ERR_REQUEST:
        return "malformed request";
    case GW_ERR_TOO_LARGE:
        return "request too large";
    case GW_ERR_NO_ROUTE:
        return "no route";
    case GW_ERR_METHOD:
        return "method not allowed";
    case GW_ERR_UPSTREAM:
        return "upstream failed";
    default:
        return gb_strerror(code);
    }
}
