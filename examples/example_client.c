/*
 * The part of greeter_client and route_guide_client that is not about their
 * services: the channel, packing requests and unpacking replies.
 */
#include "example_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int example_client_opt(example_client_opts *o, const char *name, const char *value)
{
    if (strcmp(name, "--target") == 0)
        o->target = value;
    else if (strcmp(name, "--tls-ca") == 0)
        o->tls_ca = value;
    else
        return 0;
    return 1;
}

gcore_blocking_client *example_client_connect(const example_client_opts *o)
{
    gcore_channel_opts co = {0};
    co.tls = o->tls_ca != NULL;
    co.ca_file = o->tls_ca;
    gcore_blocking_client *cl = NULL;
    gb_err err = {0};
    const char *target = o->target != NULL ? o->target : "localhost:50051";
    if (gcore_blocking_client_new(target, &co, &cl, &err) != 0) {
        fprintf(stderr, "error: %s: %s\n", target, err.msg[0] ? err.msg : "cannot connect");
        return NULL;
    }
    return cl;
}

static int pack_all(const ProtobufCMessage *const *reqs, size_t n, gb_slice *packed)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = protobuf_c_message_get_packed_size(reqs[i]);
        uint8_t *p = malloc(len ? len : 1);
        if (p == NULL)
            return -1;
        protobuf_c_message_pack(reqs[i], p);
        packed[i] = gb_slice_of(p, len);
    }
    return 0;
}

static ProtobufCMessage **unpack_all(const gcore_reply *r, const ProtobufCMessageDescriptor *d)
{
    ProtobufCMessage **v = calloc(r->n_msgs + 1, sizeof *v);
    for (size_t i = 0; v != NULL && i < r->n_msgs; i++) {
        v[i] = protobuf_c_message_unpack(d, NULL, r->msgs[i].n, r->msgs[i].p);
        if (v[i] == NULL) {
            example_client_free_replies(v);
            return NULL;
        }
    }
    return v;
}

int example_client_call(gcore_blocking_client *cl, const char *method,
                        const ProtobufCMessage *const *reqs, size_t n,
                        const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage ***out)
{
    gb_slice *packed = calloc(n ? n : 1, sizeof *packed);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts co = {.timeout_ms = 10000};
    int code = GCORE_STATUS_INTERNAL;
    *out = NULL;
    if (packed != NULL && pack_all(reqs, n, packed) == 0 &&
        gcore_blocking_call(gcore_blocking_client_channel(cl), method, packed, n, &co, &r) == 0)
        code = r.status.code;
    if (code != GCORE_STATUS_OK) {
        fprintf(stderr, "%s failed: %s: %s\n", method, gcore_status_code_name(code),
                r.status.message);
    } else if ((*out = unpack_all(&r, reply_desc)) == NULL) {
        fprintf(stderr, "%s: a reply does not parse\n", method);
        code = GCORE_STATUS_INTERNAL;
    }
    for (size_t i = 0; packed != NULL && i < n; i++)
        free((void *)(uintptr_t)packed[i].p);
    free(packed);
    gcore_reply_free(&r);
    return code;
}

void example_client_free_replies(ProtobufCMessage **replies)
{
    for (size_t i = 0; replies != NULL && replies[i] != NULL; i++)
        protobuf_c_message_free_unpacked(replies[i], NULL);
    free(replies);
}
