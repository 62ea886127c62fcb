#include <grpc-core/status.h>

#include <base/err.h>

#include <stdlib.h>
#include <string.h>

static char empty_message[1];

void gcore_status_init(gcore_status *st)
{
    st->code = GCORE_STATUS_OK;
    st->message = empty_message;
    st->details = NULL;
    st->details_len = 0;
    st->no_grpc_status = false;
}

static void free_message(gcore_status *st)
{
    if (st->message != empty_message)
        free(st->message);
    st->message = empty_message;
}

int gcore_status_set(gcore_status *st, gcore_code code, const char *message)
{
    free_message(st);
    free(st->details);
    st->details = NULL;
    st->details_len = 0;
    st->no_grpc_status = false;
    st->code = code;
    if (message == NULL || message[0] == '\0')
        return 0;
    size_t n = strlen(message);
    char *m = malloc(n + 1);
    if (m == NULL)
        return GCORE_ERR_NOMEM;
    memcpy(m, message, n + 1);
    st->message = m;
    return 0;
}

int gcore_status_set_details(gcore_status *st, const uint8_t *p, size_t n)
{
    free(st->details);
    st->details = NULL;
    st->details_len = 0;
    uint8_t *d = malloc(n ? n : 1);
    if (d == NULL)
        return GCORE_ERR_NOMEM;
    if (n)
        memcpy(d, p, n);
    st->details = d;
    st->details_len = n;
    return 0;
}

int gcore_status_copy(gcore_status *dst, const gcore_status *src)
{
    if (gcore_status_set(dst, src->code, src->message) != 0)
        return GCORE_ERR_NOMEM;
    dst->no_grpc_status = src->no_grpc_status;
    if (src->details != NULL)
        return gcore_status_set_details(dst, src->details, src->details_len);
    return 0;
}

void gcore_status_clear(gcore_status *st)
{
    free_message(st);
    free(st->details);
    gcore_status_init(st);
}

const char *gcore_status_code_name(int code)
{
    static const char *const names[] = {
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    };
    if (code < 0 || code > 16)
        return "UNKNOWN";
    return names[code];
}

gcore_code gcore_status_from_http(int http_status)
{
    switch (http_status) {
    case 400:
        return GCORE_STATUS_INTERNAL;
    case 401:
        return GCORE_STATUS_UNAUTHENTICATED;
    case 403:
        return GCORE_STATUS_PERMISSION_DENIED;
    case 404:
        return GCORE_STATUS_UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
        return GCORE_STATUS_UNAVAILABLE;
    default:
        return GCORE_STATUS_UNKNOWN;
    }
}

const char *gcore_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
    case GCORE_ERR_NOMEM:
        return "out of memory";
    case GCORE_ERR_INVALID:
        return "invalid input";
    case GCORE_ERR_LIMIT:
        return "size limit reached";
    case GCORE_ERR_SHUTDOWN:
        return "shutting down";
    case GCORE_ERR_IO:
        return "I/O error";
    case GCORE_ERR_TLS:
        return "TLS error";
    case GCORE_ERR_HTTP2:
        return "HTTP/2 error";
    case GCORE_ERR_STATE:
        return "not allowed in the current state";
    case GCORE_ERR_RESOLVE:
        return "host name did not resolve";
    case GCORE_ERR_RESERVED:
        return "reserved metadata key";
    default:
        return code > -100 ? gb_strerror(code) : "unknown error";
    }
}
