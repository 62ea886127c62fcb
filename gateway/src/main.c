#include "commands.h"

#include <stdio.h>
#include <string.h>

static const gw_command commands[] = {
    {"serve", "run the gateway (the default: protogate [flags] serves)", gw_cmd_serve},
    {"routes", "print the HTTP routes of descriptor sets", gw_cmd_routes},
    {"openapi", "write the OpenAPI document of descriptor sets", gw_cmd_openapi},
    {"transcode", "convert one message between JSON and protobuf wire bytes", gw_cmd_transcode},
    {NULL, NULL, NULL},
};

static int usage(FILE *out)
{
    fprintf(out, "usage: protogate [<command>] [options]\n\ncommands:\n");
    for (const gw_command *c = commands; c->name != NULL; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\nprotogate <command> --help for the options of one command; without a\n"
                 "command, protogate [flags] runs serve.\n");
    return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        fputc('\n', stdout);
        return gw_cmd_serve(argc, argv); /* prints every flag of serve */
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("protogate %s\n", GW_VERSION);
        return 0;
    }
    if (strncmp(argv[1], "--", 2) == 0) /* flags first: serve */
        return gw_cmd_serve(argc, argv);
    for (const gw_command *c = commands; c->name != NULL; c++) {
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    }
    fprintf(stderr, "protogate: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
