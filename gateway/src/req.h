/*
 * One HTTP request on its way through the gateway, and the handlers that serve it.
 *
 * The front end (front.c) creates a gw_req per request with its own capped arena,
 * picks a handler when the headers are in, feeds it the body and asks it for a
 * reply. A handler either replies at once or takes the request away: the front end
 * then suspends the connection, and whoever finishes the work (a gRPC call's
 * callback, on the same worker thread) fills the reply and calls gw_req_resume(),
 * exactly once.
 *
 *     static int hello_complete(gw_req *req)
 *     {
 *         return gw_req_reply_json(req, 200, "{}", 2);   // GW_REPLY_NOW
 *     }
 *     static const gw_handler hello = {"hello", NULL, hello_complete, NULL, NULL};
 */
#ifndef GW_REQ_H
#define GW_REQ_H

#include "headers.h"
#include "query.h"

#include <base/arena.h>
#include <base/buf.h>
#include <base/err.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct MHD_Connection;
struct MHD_Response;
typedef struct gw_server gw_server;
typedef struct gw_req gw_req;

enum {
    GW_REPLY_NOW = 0,   /* req->reply is complete: send it */
    GW_REPLY_LATER = 1, /* the handler owns the request until gw_req_resume() */
};

typedef enum gw_req_state {
    GW_REQ_HEADERS = 0, /* before the first access-handler call */
    GW_REQ_READING,     /* headers in, body arriving */
    GW_REQ_WAITING,     /* suspended: the reply is being made elsewhere */
    GW_REQ_DONE,        /* reply ready, connection resumed */
    GW_REQ_REPLIED,     /* queued to MHD */
} gw_req_state;

/**
 * A streamed reply body: MHD calls |read| on its thread to fill |buf|; it returns
 * the bytes written, 0 after suspending the connection (more later), or -1 at the
 * end (MHD_CONTENT_READER_END_OF_STREAM) / -2 to abort.
 */
typedef ssize_t (*gw_stream_read)(gw_req *req, char *buf, size_t max);

typedef struct gw_reply {
    int status;
    const char *content_type;
    const uint8_t *body; /* in the arena, or static */
    size_t body_len;
    gw_md_list headers;       /* extra response headers (names keep their case) */
    gw_stream_read stream;    /* non-NULL: chunked reply read from the handler */
    struct MHD_Response *mhd; /* the queued response (streams add trailers to it) */
} gw_reply;

typedef struct gw_handler {
    const char *name;
    /* A body chunk; NULL: the front end buffers the body (up to --max-body).
     * Returns 0, or an error code after filling req->reply (the request then ends). */
    int (*on_body)(gw_req *req, const char *data, size_t n);
    /* The body is complete: GW_REPLY_NOW or GW_REPLY_LATER. */
    int (*on_complete)(gw_req *req);
    /* After gw_req_resume(), from the front end: fill req->reply; may be NULL. */
    void (*on_resume)(gw_req *req);
    /* The request ended (|ok| false: client gone, timeout, shutdown); may be NULL. */
    void (*on_finish)(gw_req *req, bool ok);
} gw_handler;

struct gw_req {
    gw_server *srv;
    unsigned worker; /* the worker thread serving the connection (its loop and channels) */
    struct MHD_Connection *conn;
    gb_arena arena;
    gw_req_state state;
    const char *method;
    const char *path;     /* percent-decoded, without the query (for logs and built-ins) */
    const char *raw_path; /* as sent, still percent-encoded (for the route templates) */
    const char *query;    /* raw text after '?', or "" */
    gw_query params;      /* decoded query parameters */
    gb_buf body;          /* buffered body (handlers without on_body) */
    bool failed;          /* a reply was set while the body was read: drop the rest, then send it */
    struct timespec t0;
    const gw_handler *handler;
    void *hstate; /* the handler's per-request state */
    gw_reply reply;
    const char *rpc;          /* "/pkg.Service/Method" for the access log, or NULL */
    int grpc_status;          /* for the access log; -1: no call made */
    bool pretty;              /* ?pretty: indented JSON */
    bool cors;                /* an allowed Origin: the reply carries the CORS headers */
    bool held;                /* the socket holds what is written until released (gw_req_hold) */
    struct gw_schema *schema; /* the snapshot this request uses, referenced (schema.h) */
    const char *client_ip;
};

/** The value of request header |name| (any case), or NULL. Thread: the request's worker. */
const char *gw_req_header(gw_req *req, const char *name);

/** Sets a JSON reply with a copy of |body| (|n| bytes). Returns GW_REPLY_NOW. */
int gw_req_reply_json(gw_req *req, int status, const char *body, size_t n);

/** Sets a reply of |ctype| that borrows |body| until the request ends. Returns GW_REPLY_NOW. */
int gw_req_reply_raw(gw_req *req, int status, const char *ctype, const void *body, size_t n);

/**
 * Sets a google.rpc.Status error reply: HTTP |status| (0: mapped from |grpc_code|) and
 * {"code":grpc_code,"message":msg,"details":[]}. Returns GW_REPLY_NOW.
 */
int gw_req_reply_error(gw_req *req, int status, int grpc_code, const char *msg);

/** Adds a response header (copied into the arena). Returns 0 or GW_ERR_NOMEM. */
int gw_req_add_header(gw_req *req, const char *name, const char *value);

/**
 * Hands a request that a handler took (GW_REPLY_LATER) back to the front end with its
 * reply set, resuming the connection. Thread: the request's worker (its loop);
 * exactly once per GW_REPLY_LATER.
 */
void gw_req_resume(gw_req *req);

/** Suspends |req|'s connection until gw_req_wake() (or gw_req_resume()). Thread: as above. */
void gw_req_suspend(gw_req *req);

/** Resumes a connection its stream reader suspended (more to send). Thread: as above. */
void gw_req_wake(gw_req *req);

/**
 * Holds what is written to |req|'s connection in the socket (TCP_CORK) while |hold|,
 * so that writes that follow each other leave as one segment; releasing sends what is
 * held. The end of the request releases it. Thread: as above.
 */
void gw_req_hold(gw_req *req, bool hold);

/** Appends |s| as a JSON string literal (quoted, escaped). Returns 0 or a gb_buf error. */
int gw_json_quote(gb_buf *b, const char *s, size_t n);

#endif
