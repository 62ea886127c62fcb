/*
 * grpc.testing.TestService, the service of gRPC's cross-language interop suite
 * (grpc/doc/interop-test-descriptions.md), on grpc-core:
 *
 *     interop_server --port 10000 [--use_tls --tls-cert server.pem --tls-key server.key]
 *
 * Port 0 picks a free one; "listening on 127.0.0.1:PORT" says which. Responses are
 * never compressed (grpc-core negotiates no compression), so a request that says it
 * was compressed (expect_compressed) fails with INVALID_ARGUMENT, as the spec asks of
 * a server that received it uncompressed. Every method echoes the request metadata
 * x-grpc-test-echo-initial as response headers and x-grpc-test-echo-trailing-bin as
 * trailers.
 */
#include "example_server.h"

#include "grpc/testing/empty.pb-c.h"
#include "grpc/testing/messages.pb-c.h"

#include <grpc-core/frame.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ECHO_INITIAL "x-grpc-test-echo-initial"
#define ECHO_TRAILING "x-grpc-test-echo-trailing-bin"

/* Sends the echoed headers now and keeps the echoed trailers for the end of the call. */
static void echo_begin(gcore_server_call *call, gcore_metadata *trailers)
{
    const gcore_metadata *md = gcore_server_call_metadata(call);
    gcore_metadata_init(trailers);
    const gcore_md_entry *e = gcore_metadata_get(md, ECHO_TRAILING);
    if (e != NULL)
        gcore_metadata_add(trailers, ECHO_TRAILING, gb_slice_of(e->value, e->value_len), NULL);
    e = gcore_metadata_get(md, ECHO_INITIAL);
    if (e == NULL)
        return;
    gcore_metadata head;
    gcore_metadata_init(&head);
    if (gcore_metadata_add(&head, ECHO_INITIAL, gb_slice_of(e->value, e->value_len), NULL) == 0)
        gcore_server_call_send_initial_metadata(call, &head);
    gcore_metadata_free(&head);
}

/* Ends the call with |code| and |message| and the echoed trailers, which it frees. */
static void finish(gcore_server_call *call, int code, const char *message, gcore_metadata *trailers)
{
    gcore_status st;
    gcore_status_init(&st);
    gcore_status_set(&st, code >= 0 && code <= 16 ? (gcore_code)code : GCORE_STATUS_UNKNOWN,
                     message);
    gcore_server_call_finish(call, &st, trailers);
    gcore_status_clear(&st);
    gcore_metadata_free(trailers);
}

/* Ends the call with OK once it has been answered (|rv| 0); otherwise it was finished
 * already or cancelled (|rv| not 0), and only the trailers are freed. */
static void finish_if_ok(gcore_server_call *call, int rv, gcore_metadata *trailers)
{
    if (rv == 0)
        finish(call, GCORE_STATUS_OK, NULL, trailers);
    else
        gcore_metadata_free(trailers);
}

/* Reads the one request of a unary or server-streaming call, NULL when there is none
 * (the call is then finished, or cancelled). */
static void *read_one(gcore_server_call *call, const ProtobufCMessageDescriptor *d,
                      gcore_metadata *trailers)
{
    gb_buf in;
    gb_buf_init(&in, 0);
    void *m = NULL;
    int rv = gcore_server_call_read(call, &in);
    if (rv == 1)
        m = protobuf_c_message_unpack(d, NULL, in.n, in.p);
    if (m == NULL && rv >= 0)
        finish(call, GCORE_STATUS_INVALID_ARGUMENT, "bad request", trailers);
    else if (m == NULL)
        gcore_metadata_free(trailers);
    gb_buf_free(&in);
    return m;
}

/* A payload of |size| zero bytes (COMPRESSABLE, the only type). NULL when out of memory. */
static uint8_t *payload_fill(Grpc__Testing__Payload *p, int32_t size)
{
    grpc__testing__payload__init(p);
    uint8_t *body = calloc(size > 0 ? (size_t)size : 1, 1);
    p->body.data = body;
    p->body.len = size > 0 ? (size_t)size : 0;
    return body;
}

static bool wants_compressed(const Grpc__Testing__BoolValue *b)
{
    return b != NULL && b->value;
}

static bool status_set(const Grpc__Testing__EchoStatus *s)
{
    return s != NULL && s->code != 0;
}

static void empty_call(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_metadata trailers;
    echo_begin(call, &trailers);
    Grpc__Testing__Empty *req = read_one(call, &grpc__testing__empty__descriptor, &trailers);
    if (req == NULL)
        return;
    Grpc__Testing__Empty resp = GRPC__TESTING__EMPTY__INIT;
    finish_if_ok(call, example_write_msg(call, &resp), &trailers);
    grpc__testing__empty__free_unpacked(req, NULL);
}

static void unary_call(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_metadata trailers;
    echo_begin(call, &trailers);
    Grpc__Testing__SimpleRequest *req =
        read_one(call, &grpc__testing__simple_request__descriptor, &trailers);
    if (req == NULL)
        return;
    Grpc__Testing__SimpleResponse resp;
    grpc__testing__simple_response__init(&resp);
    Grpc__Testing__Payload payload;
    uint8_t *body = NULL;
    if (wants_compressed(req->expect_compressed))
        finish(call, GCORE_STATUS_INVALID_ARGUMENT, "the request was not compressed", &trailers);
    else if (status_set(req->response_status))
        finish(call, req->response_status->code, req->response_status->message, &trailers);
    else if (req->response_size < 0)
        finish(call, GCORE_STATUS_INVALID_ARGUMENT, "negative response_size", &trailers);
    else if ((body = payload_fill(&payload, req->response_size)) == NULL)
        finish(call, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory", &trailers);
    else if ((resp.payload = &payload, example_write_msg(call, &resp)) == 0)
        finish(call, GCORE_STATUS_OK, NULL, &trailers);
    else
        gcore_metadata_free(&trailers);
    free(body);
    grpc__testing__simple_request__free_unpacked(req, NULL);
}

static void sleep_us(int32_t us)
{
    if (us <= 0)
        return;
    struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000L};
    nanosleep(&ts, NULL);
}

/* Writes the responses |req| asks for. Returns 0, or a write's error (cancelled). */
static int write_responses(gcore_server_call *call,
                           const Grpc__Testing__StreamingOutputCallRequest *req)
{
    int rv = 0;
    for (size_t i = 0; i < req->n_response_parameters && rv == 0; i++) {
        const Grpc__Testing__ResponseParameters *p = req->response_parameters[i];
        sleep_us(p->interval_us);
        Grpc__Testing__StreamingOutputCallResponse resp =
            GRPC__TESTING__STREAMING_OUTPUT_CALL_RESPONSE__INIT;
        Grpc__Testing__Payload payload;
        uint8_t *body = payload_fill(&payload, p->size);
        resp.payload = &payload;
        rv = body == NULL ? GCORE_ERR_NOMEM : example_write_msg(call, &resp);
        free(body);
    }
    return rv;
}

static void streaming_output_call(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_metadata trailers;
    echo_begin(call, &trailers);
    Grpc__Testing__StreamingOutputCallRequest *req =
        read_one(call, &grpc__testing__streaming_output_call_request__descriptor, &trailers);
    if (req == NULL)
        return;
    int rv = write_responses(call, req);
    if (rv == 0 && status_set(req->response_status))
        finish(call, req->response_status->code, req->response_status->message, &trailers);
    else
        finish_if_ok(call, rv, &trailers);
    grpc__testing__streaming_output_call_request__free_unpacked(req, NULL);
}

static void streaming_input_call(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_metadata trailers;
    echo_begin(call, &trailers);
    gb_buf in;
    gb_buf_init(&in, 0);
    int32_t total = 0;
    int rv;
    while ((rv = gcore_server_call_read(call, &in)) == 1) {
        Grpc__Testing__StreamingInputCallRequest *req =
            grpc__testing__streaming_input_call_request__unpack(NULL, in.n, in.p);
        if (req == NULL) {
            rv = GCORE_ERR_INVALID;
            break;
        }
        bool compressed = wants_compressed(req->expect_compressed);
        total += req->payload != NULL ? (int32_t)req->payload->body.len : 0;
        grpc__testing__streaming_input_call_request__free_unpacked(req, NULL);
        if (compressed) {
            rv = GCORE_ERR_INVALID;
            break;
        }
    }
    gb_buf_free(&in);
    Grpc__Testing__StreamingInputCallResponse resp =
        GRPC__TESTING__STREAMING_INPUT_CALL_RESPONSE__INIT;
    resp.aggregated_payload_size = total;
    if (rv == GCORE_ERR_INVALID)
        finish(call, GCORE_STATUS_INVALID_ARGUMENT, "bad or compressed request", &trailers);
    else if (rv == 0 && example_write_msg(call, &resp) == 0)
        finish(call, GCORE_STATUS_OK, NULL, &trailers);
    else
        gcore_metadata_free(&trailers);
}

/* Answers one FullDuplexCall/HalfDuplexCall request. Returns 0 to go on, 1 when the
 * call was finished with the requested status, or a negative error. */
static int duplex_answer(gcore_server_call *call, gb_slice msg, gcore_metadata *trailers)
{
    Grpc__Testing__StreamingOutputCallRequest *req =
        grpc__testing__streaming_output_call_request__unpack(NULL, msg.n, msg.p);
    if (req == NULL) {
        finish(call, GCORE_STATUS_INVALID_ARGUMENT, "bad request", trailers);
        return 1;
    }
    int rv = 0;
    if (status_set(req->response_status)) {
        finish(call, req->response_status->code, req->response_status->message, trailers);
        rv = 1;
    } else {
        rv = write_responses(call, req);
    }
    grpc__testing__streaming_output_call_request__free_unpacked(req, NULL);
    return rv;
}

static void full_duplex_call(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_metadata trailers;
    echo_begin(call, &trailers);
    gb_buf in;
    gb_buf_init(&in, 0);
    int rv;
    while ((rv = gcore_server_call_read(call, &in)) == 1) {
        rv = duplex_answer(call, gb_slice_of(in.p, in.n), &trailers);
        if (rv != 0)
            break;
    }
    gb_buf_free(&in);
    finish_if_ok(call, rv, &trailers);
}

/* Reads every request first, then answers them in order after the half-close. */
static void half_duplex_call(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_metadata trailers;
    echo_begin(call, &trailers);
    gb_buf all, in;
    gb_buf_init(&all, 0);
    gb_buf_init(&in, 0);
    int rv;
    while ((rv = gcore_server_call_read(call, &in)) == 1) {
        if (gcore_frame_write(&all, gb_slice_of(in.p, in.n)) != 0) {
            rv = GCORE_ERR_NOMEM;
            break;
        }
    }
    gcore_frame_reader r;
    gcore_frame_reader_init(&r, SIZE_MAX);
    size_t off = 0;
    while (rv == 0 && off < all.n) {
        size_t used = 0;
        gb_slice msg;
        if (gcore_frame_reader_feed(&r, all.p + off, all.n - off, &used, &msg, NULL) ==
            GCORE_FRAME_MESSAGE)
            rv = duplex_answer(call, msg, &trailers);
        off += used;
    }
    gcore_frame_reader_free(&r);
    gb_buf_free(&in);
    gb_buf_free(&all);
    finish_if_ok(call, rv, &trailers);
}

static void unimplemented_call(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_server_call_finish_code(call, GCORE_STATUS_UNIMPLEMENTED,
                                  "UnimplementedCall is not implemented");
}

#define SERVICE "/grpc.testing.TestService/"

static int add_methods(gcore_server *s, void *user_data)
{
    static const struct {
        const char *path;
        gcore_method_kind kind;
        gcore_server_handler fn;
    } methods[] = {
        {SERVICE "EmptyCall", GCORE_METHOD_UNARY, empty_call},
        {SERVICE "UnaryCall", GCORE_METHOD_UNARY, unary_call},
        {SERVICE "StreamingOutputCall", GCORE_METHOD_SERVER_STREAMING, streaming_output_call},
        {SERVICE "StreamingInputCall", GCORE_METHOD_CLIENT_STREAMING, streaming_input_call},
        {SERVICE "FullDuplexCall", GCORE_METHOD_BIDI_STREAMING, full_duplex_call},
        {SERVICE "HalfDuplexCall", GCORE_METHOD_BIDI_STREAMING, half_duplex_call},
        {SERVICE "UnimplementedCall", GCORE_METHOD_UNARY, unimplemented_call},
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        int rv =
            gcore_server_register(s, methods[i].path, methods[i].kind, methods[i].fn, user_data);
        if (rv != 0)
            return rv;
    }
    return 0;
}

static int usage(const char *argv0)
{
    fprintf(stderr, "usage: %s --port N [--use_tls --tls-cert FILE --tls-key FILE]\n", argv0);
    return 2;
}

int main(int argc, char **argv)
{
    example_opts o;
    memset(&o, 0, sizeof o);
    char listen[32] = "";
    bool tls = false;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--use_tls") == 0) {
            tls = true;
        } else if (v != NULL && strcmp(argv[i], "--port") == 0) {
            char *end;
            unsigned long port = strtoul(v, &end, 10);
            if (*end != '\0' || port > 65535)
                return usage(argv[0]);
            snprintf(listen, sizeof listen, "127.0.0.1:%lu", port);
            i++;
        } else if (v != NULL && strcmp(argv[i], "--tls-cert") == 0) {
            o.tls_cert = argv[++i];
        } else if (v != NULL && strcmp(argv[i], "--tls-key") == 0) {
            o.tls_key = argv[++i];
        } else {
            return usage(argv[0]);
        }
    }
    if (listen[0] == '\0' || tls != (o.tls_cert != NULL && o.tls_key != NULL))
        return usage(argv[0]);
    o.listen = listen;
    static const char *const services[] = {"grpc.testing.TestService", NULL};
    return example_run(&o, add_methods, NULL, services);
}
