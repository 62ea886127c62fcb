/* The protogate subcommands; each returns the process exit status. */
#ifndef GW_COMMANDS_H
#define GW_COMMANDS_H

typedef struct gw_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} gw_command;

/* cmd_routes.c: prints the HTTP routes of descriptor sets. */
int gw_cmd_routes(int argc, char **argv);
/* cmd_openapi.c: writes the OpenAPI document of descriptor sets. */
int gw_cmd_openapi(int argc, char **argv);

/* cmd_transcode.c: converts one message between JSON and wire bytes (stdin -> stdout). */
int gw_cmd_transcode(int argc, char **argv);

/* cmd_serve.c: runs the gateway until SIGINT/SIGTERM (also `protogate [flags]`). */
int gw_cmd_serve(int argc, char **argv);

#endif
