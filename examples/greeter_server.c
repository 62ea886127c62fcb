/*
 * The gRPC quick start's Greeter backend in C, as greeter_server.py writes it:
 *
 *     greeter_server --port 50051
 *
 * SayHello answers {"message": "Hello, <name>!"}; SayHelloStreamReply streams
 * three greetings.
 */
#include "example_server.h"

#include "helloworld.pb-c.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const GREETINGS[] = {"Hello", "Bonjour", "Hola"};

/* Reads the one HelloRequest, or ends the call and returns NULL. */
static Helloworld__HelloRequest *read_request(gcore_server_call *call)
{
    gb_buf in;
    gb_buf_init(&in, 0);
    Helloworld__HelloRequest *req = NULL;
    int rv = gcore_server_call_read(call, &in);
    if (rv == 1)
        req = helloworld__hello_request__unpack(NULL, in.n, in.p);
    if (req == NULL && rv >= 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT,
                                      "expected one HelloRequest");
    gb_buf_free(&in);
    return req;
}

static int greet(gcore_server_call *call, const char *greeting, const char *name)
{
    size_t n = strlen(greeting) + strlen(name) + 4;
    char *text = malloc(n);
    if (text == NULL)
        return GCORE_ERR_NOMEM;
    snprintf(text, n, "%s, %s!", greeting, name);
    Helloworld__HelloReply reply;
    helloworld__hello_reply__init(&reply);
    reply.message = text;
    int rv = example_write_msg(call, &reply);
    free(text);
    return rv;
}

/*
 * SayHello does no blocking work, so it runs as a non-blocking handler on the I/O
 * thread: no hand-over to a worker and back per call (a third of the CPU time of a
 * blocking unary call under load). The reply goes out with the request; the status
 * follows the client's half-close.
 */
static void say_hello_msg(gcore_server_call *call, gb_slice msg, void *user_data)
{
    (void)user_data;
    Helloworld__HelloRequest *req = helloworld__hello_request__unpack(NULL, msg.n, msg.p);
    if (req == NULL)
        gcore_server_call_finish_code(call, GCORE_STATUS_INVALID_ARGUMENT,
                                      "expected one HelloRequest");
    else if (greet(call, GREETINGS[0], req->name) != 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    helloworld__hello_request__free_unpacked(req, NULL);
}

static void say_hello_end(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
}

static void say_hello_stream_reply(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    Helloworld__HelloRequest *req = read_request(call);
    if (req == NULL)
        return;
    int rv = 0;
    for (size_t i = 0; i < sizeof GREETINGS / sizeof GREETINGS[0] && rv == 0; i++)
        rv = greet(call, GREETINGS[i], req->name);
    if (rv == 0)
        gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
    helloworld__hello_request__free_unpacked(req, NULL);
}

static int add_methods(gcore_server *s, void *user_data)
{
    (void)user_data;
    static const gcore_server_async_handler say_hello = {NULL, say_hello_msg, say_hello_end, NULL};
    int rv = gcore_server_register_async(s, "/helloworld.Greeter/SayHello", GCORE_METHOD_UNARY,
                                         &say_hello, NULL);
    if (rv == 0)
        rv = gcore_server_register(s, "/helloworld.Greeter/SayHelloStreamReply",
                                   GCORE_METHOD_SERVER_STREAMING, say_hello_stream_reply, NULL);
    return rv;
}

int main(int argc, char **argv)
{
    example_opts o;
    if (example_parse(argc, argv, &o) != 0)
        return 2;
    static const char *const services[] = {"helloworld.Greeter", NULL};
    return example_run(&o, add_methods, NULL, services);
}
