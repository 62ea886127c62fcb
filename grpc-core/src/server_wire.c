/*
 * Request header parsing and response header blocks for the server. Header values
 * built here live in a small arena for the duration of the submit call: nghttp2
 * copies name/value pairs when they are submitted.
 */
#include "server_wire_int.h"

#include <grpc-core/wire.h>

#include <base/arena.h>
#include <base/base64.h>
#include <base/buf.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void server_request_init(server_request *req)
{
    memset(req, 0, sizeof *req);
    req->timeout_ms = -1;
}

void server_request_free(server_request *req)
{
    free(req->path);
    req->path = NULL;
}

static int take_pseudo(server_request *req, gb_slice name, gb_slice value)
{
    if (gb_slice_eq_str(name, ":method")) {
        req->post = gb_slice_eq_str(value, "POST");
    } else if (gb_slice_eq_str(name, ":path")) {
        char *p = malloc(value.n + 1);
        if (p == NULL)
            return GCORE_ERR_NOMEM;
        memcpy(p, value.p, value.n);
        p[value.n] = '\0';
        free(req->path);
        req->path = p;
    }
    return 0;
}

int server_wire_request_header(server_request *req, gcore_metadata *md, gb_slice name,
                               gb_slice value)
{
    if (name.n > 0 && name.p[0] == ':')
        return take_pseudo(req, name, value);
    if (gb_slice_eq_str(name, "content-type")) {
        req->ct_grpc = gcore_content_type_is_grpc(value);
    } else if (gb_slice_eq_str(name, "grpc-timeout")) {
        uint64_t ns;
        if (gcore_timeout_parse(value, &ns) != 0) {
            req->bad_timeout = true;
        } else {
            uint64_t ms = ns / GCORE_NS_PER_MS + (ns % GCORE_NS_PER_MS != 0);
            req->timeout_ms = ms > INT32_MAX ? INT32_MAX : (int64_t)ms;
        }
    } else if (gb_slice_eq_str(name, "grpc-encoding")) {
        req->compressed = !gb_slice_eq_str(value, "identity");
    } else if (!gcore_metadata_key_reserved(name)) {
        int rv = gcore_metadata_add_wire(md, name, value, NULL);
        if (rv == GCORE_ERR_NOMEM)
            return rv;
    }
    return 0;
}

/* A growable list of header fields whose strings live in |arena|. */
typedef struct nv_list {
    nghttp2_nv v[64];
    size_t n;
    gb_arena *arena;
} nv_list;

static int nv_add(nv_list *l, const char *name, const uint8_t *value, size_t len)
{
    if (l->n == sizeof l->v / sizeof l->v[0])
        return GCORE_ERR_LIMIT;
    l->v[l->n++] = (nghttp2_nv){(uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value,
                                strlen(name), len, NGHTTP2_NV_FLAG_NONE};
    return 0;
}

static int nv_add_str(nv_list *l, const char *name, const char *value)
{
    return nv_add(l, name, (const uint8_t *)value, strlen(value));
}

static int nv_add_md(nv_list *l, const gcore_metadata *md)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    int rv = 0;
    for (size_t i = 0; md != NULL && i < md->n && rv == 0; i++) {
        /* gcore_metadata_add() refuses reserved keys; a hand-built list may not. */
        if (gcore_metadata_key_reserved(gb_slice_str(md->v[i].key)) ||
            !gcore_metadata_key_valid(gb_slice_str(md->v[i].key)))
            continue;
        gb_buf_reset(&b);
        uint8_t *v;
        if (gcore_metadata_wire_value(&md->v[i], &b) != 0 ||
            (v = gb_arena_memdup(l->arena, b.n ? b.p : (const uint8_t *)"", b.n)) == NULL)
            rv = GCORE_ERR_NOMEM;
        else
            rv = nv_add(l, md->v[i].key, v, b.n);
    }
    gb_buf_free(&b);
    return rv;
}

/* The grpc-status, grpc-message and grpc-status-details-bin fields of |st|. */
static int nv_add_status(nv_list *l, const gcore_status *st)
{
    char *code = gb_arena_alloc(l->arena, 12);
    if (code == NULL)
        return GCORE_ERR_NOMEM;
    snprintf(code, 12, "%d", (int)st->code);
    int rv = nv_add_str(l, "grpc-status", code);
    if (rv == 0 && st->message != NULL && st->message[0] != '\0') {
        gb_buf b;
        gb_buf_init(&b, 0);
        uint8_t *v = NULL;
        if (gcore_message_encode(gb_slice_str(st->message), &b) == 0)
            v = gb_arena_memdup(l->arena, b.p, b.n);
        rv = v == NULL ? GCORE_ERR_NOMEM : nv_add(l, "grpc-message", v, b.n);
        gb_buf_free(&b);
    }
    if (rv == 0 && st->details != NULL) {
        char *v = gb_arena_alloc(l->arena, gb_base64_encoded_len(st->details_len) + 1);
        if (v == NULL)
            return GCORE_ERR_NOMEM;
        size_t n = gb_base64_encode(st->details, st->details_len, v);
        rv = nv_add(l, "grpc-status-details-bin", (uint8_t *)v, n);
    }
    return rv;
}

static int nv_add_response_start(nv_list *l)
{
    int rv = nv_add_str(l, ":status", "200");
    if (rv == 0)
        rv = nv_add_str(l, "content-type", "application/grpc");
    if (rv == 0)
        rv = nv_add_str(l, "grpc-accept-encoding", "identity");
    return rv;
}

/* One header block of a response: the response start (:status, content-type) and/or
 * the status, then the metadata. */
static int nv_build(nv_list *l, bool start, const gcore_status *st, const gcore_metadata *md)
{
    int rv = start ? nv_add_response_start(l) : 0;
    if (rv == 0 && st != NULL)
        rv = nv_add_status(l, st);
    if (rv == 0)
        rv = nv_add_md(l, md);
    return rv;
}

/* Submits a response (|start|: headers, with |dp| for a body) or trailers. */
static int submit_block(nghttp2_session *h2, int32_t stream_id, bool start, const gcore_status *st,
                        const gcore_metadata *md, const nghttp2_data_provider *dp)
{
    gb_arena arena;
    gb_arena_init(&arena, 0);
    nv_list l = {.arena = &arena};
    int rv = nv_build(&l, start, st, md);
    if (rv == 0 && (start ? nghttp2_submit_response(h2, stream_id, l.v, l.n, dp)
                          : nghttp2_submit_trailer(h2, stream_id, l.v, l.n)) != 0)
        rv = GCORE_ERR_HTTP2;
    gb_arena_clear(&arena);
    return rv;
}

int server_wire_submit_headers(nghttp2_session *h2, int32_t stream_id, const gcore_metadata *md,
                               const nghttp2_data_provider *dp)
{
    return submit_block(h2, stream_id, true, NULL, md, dp);
}

int server_wire_submit_trailers(nghttp2_session *h2, int32_t stream_id, const gcore_status *st,
                                const gcore_metadata *md)
{
    return submit_block(h2, stream_id, false, st, md, NULL);
}

int server_wire_submit_trailers_only(nghttp2_session *h2, int32_t stream_id, const gcore_status *st,
                                     const gcore_metadata *md)
{
    return submit_block(h2, stream_id, true, st, md, NULL);
}

int server_wire_submit_http_error(nghttp2_session *h2, int32_t stream_id, int http_status)
{
    char code[12];
    snprintf(code, sizeof code, "%d", http_status);
    const nghttp2_nv nv[] = {
        {(uint8_t *)(uintptr_t) ":status", (uint8_t *)code, 7, strlen(code), NGHTTP2_NV_FLAG_NONE}};
    return nghttp2_submit_response(h2, stream_id, nv, 1, NULL) == 0 ? 0 : GCORE_ERR_HTTP2;
}
