/*
 * The server's side of the gRPC HTTP/2 header protocol: reading request headers
 * into a server_request, and the three header blocks a response can have
 * (response headers, trailers, Trailers-Only). I/O thread only.
 */
#ifndef GCORE_SERVER_WIRE_INT_H
#define GCORE_SERVER_WIRE_INT_H

#include <grpc-core/metadata.h>
#include <grpc-core/status.h>

#include "h2_compat.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct server_request {
    char *path; /* heap, NUL-terminated; NULL until :path arrives */
    bool post;
    bool ct_grpc;       /* content-type is application/grpc[+fmt] */
    bool bad_timeout;   /* grpc-timeout present but malformed */
    bool compressed;    /* grpc-encoding names an encoding other than identity */
    int64_t timeout_ms; /* -1: none */
} server_request;

void server_request_init(server_request *req);
void server_request_free(server_request *req);

/**
 * Takes one request header: pseudo headers and gRPC's own go into |req|, the rest
 * into |md| (-bin values decoded; malformed entries are skipped, as gRPC does).
 * Returns 0 or GCORE_ERR_NOMEM.
 */
int server_wire_request_header(server_request *req, gcore_metadata *md, gb_slice name,
                               gb_slice value);

/** Submits ":status 200" response headers with |md| and the body provider |dp|. */
int server_wire_submit_headers(nghttp2_session *h2, int32_t stream_id, const gcore_metadata *md,
                               const nghttp2_data_provider *dp);

/** Submits the trailers: grpc-status, grpc-message, grpc-status-details-bin, |md|. */
int server_wire_submit_trailers(nghttp2_session *h2, int32_t stream_id, const gcore_status *st,
                                const gcore_metadata *md);

/** Submits a Trailers-Only response: one HEADERS frame with the status, END_STREAM. */
int server_wire_submit_trailers_only(nghttp2_session *h2, int32_t stream_id, const gcore_status *st,
                                     const gcore_metadata *md);

/** Submits a plain HTTP error (415 for a non-gRPC content-type), END_STREAM. */
int server_wire_submit_http_error(nghttp2_session *h2, int32_t stream_id, int http_status);

#endif
