/*
 * Server reflection client. Two calls per backend, each one stream of requests:
 * list_services, then file_containing_symbol for every service listed. The protobuf
 * messages are small and fixed, so they are written and read by hand (wire_scan.h).
 */
#include "reflect.h"

#include "log.h"
#include "status_map.h"
#include "wire_scan.h"

#include <grpc-core/blocking.h>

#include <stdlib.h>
#include <string.h>

#define REFLECT_TIMEOUT_MS 5000

static const char *const methods[] = {
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
};

void gw_reflect_init(gw_reflect *r)
{
    memset(r, 0, sizeof *r);
    gb_buf_init(&r->set, 0);
    gb_arena_init(&r->arena, 0);
}

void gw_reflect_free(gw_reflect *r)
{
    gb_buf_free(&r->set);
    gb_arena_clear(&r->arena);
    free(r->names);
    memset(r, 0, sizeof *r);
}

/* A length-delimited field |number| holding |n| bytes at |p|. */
static int put_bytes(gb_buf *b, uint32_t number, const void *p, size_t n)
{
    uint8_t head[16];
    size_t k = 0;
    head[k++] = (uint8_t)(number << 3 | GW_WIRE_LEN);
    for (size_t v = n; k < sizeof head; v >>= 7) {
        head[k++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        if (v < 0x80)
            break;
    }
    int rc = gb_buf_append(b, head, k);
    return rc == 0 && n > 0 ? gb_buf_append(b, p, n) : rc;
}

/* Runs one reflection stream of |n| requests, trying v1 then v1alpha. */
static int ask(gcore_channel *ch, const char *target, const gb_slice *reqs, size_t n,
               gcore_reply *out, gb_err *err)
{
    gcore_call_opts o = {.timeout_ms = REFLECT_TIMEOUT_MS};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        int rc = gcore_blocking_call(ch, methods[i], reqs, n, &o, out);
        if (rc != 0)
            return gb_err_set(err, GW_ERR_UPSTREAM, "reflection %s: %s", target,
                              gcore_strerror(rc));
        if (out->status.code == GCORE_STATUS_OK)
            return 0;
        if (out->status.code != GCORE_STATUS_UNIMPLEMENTED)
            break;
    }
    return gb_err_set(err, GW_ERR_UPSTREAM, "reflection %s: %s: %s", target,
                      gcore_status_code_name((int)out->status.code), out->status.message);
}

/* The payload of the first field |number| (length-delimited) of |msg|, or an empty slice. */
static gb_slice field(gb_slice msg, uint32_t number)
{
    gw_wire_field f;
    while (gw_wire_next(&msg, &f) == 1) {
        if (f.number == number && f.type == GW_WIRE_LEN)
            return f.payload;
    }
    return gb_slice_of(NULL, 0);
}

/* Whether |name| is new to |r| (and now remembered). */
static int remember(gw_reflect *r, gb_slice name, bool *fresh)
{
    *fresh = false;
    for (size_t i = 0; i < r->n_names; i++) {
        if (strlen(r->names[i]) == name.n && memcmp(r->names[i], name.p, name.n) == 0)
            return 0;
    }
    if (r->n_names == r->cap_names) {
        size_t cap = r->cap_names ? 2 * r->cap_names : 16;
        const char **v = realloc(r->names, cap * sizeof *v);
        if (v == NULL)
            return GW_ERR_NOMEM;
        r->names = v;
        r->cap_names = cap;
    }
    char *s = gb_arena_strndup(&r->arena, (const char *)name.p, name.n);
    if (s == NULL)
        return GW_ERR_NOMEM;
    r->names[r->n_names++] = s;
    *fresh = true;
    return 0;
}

/* Appends the FileDescriptorProtos of one file_descriptor_response (field 4). */
static int add_files(gw_reflect *r, gb_slice files)
{
    gw_wire_field f;
    while (gw_wire_next(&files, &f) == 1) {
        if (f.number != 1 || f.type != GW_WIRE_LEN)
            continue;
        bool fresh;
        int rc = remember(r, field(f.payload, 1), &fresh); /* FileDescriptorProto.name */
        if (rc == 0 && fresh)
            rc = put_bytes(&r->set, 1, f.payload.p, f.payload.n);
        if (rc != 0)
            return GW_ERR_NOMEM;
    }
    return 0;
}

/* file_containing_symbol requests for every service of a list_services_response. */
static int symbol_requests(const gcore_reply *listing, gb_buf *reqs, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < listing->n_msgs; i++) {
        gb_slice services = field(listing->msgs[i], 6); /* list_services_response */
        gw_wire_field f;
        while (gw_wire_next(&services, &f) == 1) {
            gb_slice name = field(f.payload, 1);
            if (f.number != 1 || name.n == 0 || (name.n > 5 && memcmp(name.p, "grpc.", 5) == 0))
                continue;
            if (put_bytes(reqs, 4, name.p, name.n) != 0)
                return GW_ERR_NOMEM;
            (*n)++;
        }
    }
    return 0;
}

/* Splits |buf|, a run of single-field requests as put_bytes() wrote them, into slices. */
static gb_slice *split_requests(const gb_buf *buf, size_t n)
{
    gb_slice *v = calloc(n ? n : 1, sizeof *v);
    gb_slice rest = gb_slice_of(buf->p, buf->n);
    gw_wire_field f;
    for (size_t i = 0; v != NULL && i < n && gw_wire_next(&rest, &f) == 1; i++)
        v[i] = f.record;
    return v;
}

int gw_reflect_fetch(gw_reflect *r, gcore_channel *ch, const char *target, gb_err *err)
{
    gcore_reply listing, files;
    gcore_reply_init(&listing);
    gcore_reply_init(&files);
    gb_buf reqs;
    gb_buf_init(&reqs, 0);
    gb_slice *v = NULL;
    size_t n = 0;
    static const uint8_t list_services[] = {7 << 3 | GW_WIRE_LEN, 0};
    gb_slice list = gb_slice_of(list_services, sizeof list_services);
    int rc = ask(ch, target, &list, 1, &listing, err);
    if (rc == 0 &&
        (symbol_requests(&listing, &reqs, &n) != 0 || (v = split_requests(&reqs, n)) == NULL))
        rc = gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    if (rc == 0 && n > 0)
        rc = ask(ch, target, v, n, &files, err);
    for (size_t i = 0; rc == 0 && i < files.n_msgs; i++) {
        gb_slice fdr = field(files.msgs[i], 4); /* file_descriptor_response */
        gb_slice bad = field(files.msgs[i], 7); /* error_response */
        if (bad.n > 0)
            GW_LOG(GW_LOG_WARN, "reflection %s: %.*s", target, (int)field(bad, 2).n,
                   (const char *)field(bad, 2).p);
        else
            r->n_services++;
        if (add_files(r, fdr) != 0)
            rc = gb_err_set(err, GW_ERR_NOMEM, "out of memory");
    }
    free(v);
    gb_buf_free(&reqs);
    gcore_reply_free(&listing);
    gcore_reply_free(&files);
    return rc;
}
