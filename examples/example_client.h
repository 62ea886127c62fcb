/*
 * What the example clients share: connecting with the blocking API and running
 * one call with protobuf-c messages.
 *
 *   --target HOST:PORT   the server (default localhost:50051)
 *   --tls-ca FILE        TLS, verifying the server against this CA (PEM)
 */
#ifndef EXAMPLE_CLIENT_H
#define EXAMPLE_CLIENT_H

#include <grpc-core/blocking.h>

#include <protobuf-c/protobuf-c.h>

typedef struct example_client_opts {
    const char *target;
    const char *tls_ca;
} example_client_opts;

/*
 * Takes --target and --tls-ca out of argv[i], argv[i + 1]. Returns 1 when it took
 * them, 0 when the option is not one of these.
 */
int example_client_opt(example_client_opts *o, const char *name, const char *value);

/* Connects to |o->target|; prints why not and returns NULL on failure. */
gcore_blocking_client *example_client_connect(const example_client_opts *o);

/*
 * Runs |method| with the |n| messages |reqs| (packed here), waits for the end and
 * unpacks each reply with |reply_desc| into |out| (NULL-terminated array the caller
 * frees with example_client_free_replies(), or NULL). Prints the status when it is
 * not OK. Returns the status code (GCORE_STATUS_OK: 0).
 */
int example_client_call(gcore_blocking_client *cl, const char *method,
                        const ProtobufCMessage *const *reqs, size_t n,
                        const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage ***out);

void example_client_free_replies(ProtobufCMessage **replies);

#endif
