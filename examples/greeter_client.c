/*
 * The gRPC quick start's Greeter client in C, as greeter_client.py writes it:
 *
 *     greeter_client --target localhost:50051 --name world
 *     Greeter client received: Hello, world!
 */
#include "example_client.h"

#include "helloworld.pb-c.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    example_client_opts o = {0};
    const char *name = "you";
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v != NULL && strcmp(argv[i], "--name") == 0) {
            name = v;
        } else if (v == NULL || !example_client_opt(&o, argv[i], v)) {
            fprintf(stderr, "usage: %s [--target HOST:PORT] [--tls-ca FILE] [--name NAME]\n",
                    argv[0]);
            return 2;
        }
    }
    gcore_blocking_client *cl = example_client_connect(&o);
    if (cl == NULL)
        return 1;
    Helloworld__HelloRequest req;
    helloworld__hello_request__init(&req);
    req.name = (char *)(uintptr_t)name;
    const ProtobufCMessage *reqs[] = {&req.base};
    ProtobufCMessage **replies;
    int code = example_client_call(cl, "/helloworld.Greeter/SayHello", reqs, 1,
                                   &helloworld__hello_reply__descriptor, &replies);
    if (code == GCORE_STATUS_OK && replies[0] != NULL)
        printf("Greeter client received: %s\n", ((Helloworld__HelloReply *)replies[0])->message);
    example_client_free_replies(replies);
    gcore_blocking_client_free(cl);
    return code == GCORE_STATUS_OK ? 0 : 1;
}
