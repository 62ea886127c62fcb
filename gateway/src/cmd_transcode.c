/*
 * `protogate transcode`: JSON on stdin to protobuf wire bytes on stdout, or back, for
 * one message type of the descriptor sets, with the gateway's own codec.
 */
#include "commands.h"

#include <base/buf.h>
#include <descriptors/json_codec.h>
#include <descriptors/pool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct transcode_args {
    const char **files;
    size_t n_files;
    const char *type;
    int to_binary; /* 1: JSON -> wire, 0: wire -> JSON, -1: not given */
    pbd_json_opts opts;
} transcode_args;

static int usage(FILE *out)
{
    fprintf(out, "usage: protogate transcode --descriptor-set FILE... --type pkg.Msg\n"
                 "                           (--to-binary | --to-json) [options] < in > out\n\n"
                 "Converts one message between ProtoJSON and protobuf wire bytes.\n\n"
                 "  --descriptor-set FILE...  binary FileDescriptorSets (repeatable)\n"
                 "  --type NAME               the message type, fully qualified\n"
                 "  --to-binary               JSON in, wire bytes out\n"
                 "  --to-json                 wire bytes in, JSON out\n"
                 "  --ignore-unknown          skip unknown JSON fields and enum names\n"
                 "  --proto-names             print proto field names, not lowerCamel\n"
                 "  --emit-unpopulated        print fields at their default too\n"
                 "  --enums-as-ints           print enum numbers, not names\n"
                 "  --indent                  pretty-print with two spaces\n"
                 "  -h, --help                this text\n");
    return out == stdout ? 0 : 2;
}

/* A flag without a value; returns false when |a| is none of them. */
static bool parse_flag(const char *a, transcode_args *t)
{
    if (strcmp(a, "--to-binary") == 0)
        t->to_binary = 1;
    else if (strcmp(a, "--to-json") == 0)
        t->to_binary = 0;
    else if (strcmp(a, "--ignore-unknown") == 0)
        t->opts.ignore_unknown = true;
    else if (strcmp(a, "--proto-names") == 0)
        t->opts.use_proto_names = true;
    else if (strcmp(a, "--emit-unpopulated") == 0)
        t->opts.emit_unpopulated = true;
    else if (strcmp(a, "--enums-as-ints") == 0)
        t->opts.enums_as_ints = true;
    else if (strcmp(a, "--indent") == 0)
        t->opts.indent = 2;
    else
        return false;
    return true;
}

/* Returns 0, 1 for --help, -1 (message printed) for bad arguments. */
static int parse_args(int argc, char **argv, transcode_args *t)
{
    bool in_list = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return 1;
        if (parse_flag(a, t)) {
            in_list = false;
        } else if (strcmp(a, "--descriptor-set") == 0) {
            in_list = true;
        } else if (strncmp(a, "--descriptor-set=", 17) == 0) {
            t->files[t->n_files++] = a + 17;
        } else if (strcmp(a, "--type") == 0 && i + 1 < argc) {
            t->type = argv[++i];
            in_list = false;
        } else if (strncmp(a, "--type=", 7) == 0) {
            t->type = a + 7;
        } else if (in_list && a[0] != '-') {
            t->files[t->n_files++] = a;
        } else {
            fprintf(stderr, "protogate transcode: unknown argument '%s'\n", a);
            return -1;
        }
    }
    const char *missing = t->n_files == 0      ? "--descriptor-set FILE"
                          : t->type == NULL    ? "--type NAME"
                          : t->to_binary == -1 ? "--to-binary or --to-json"
                                               : NULL;
    if (missing != NULL) {
        fprintf(stderr, "protogate transcode: %s is required\n", missing);
        return -1;
    }
    return 0;
}

static int read_all(FILE *in, gb_buf *b)
{
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0) {
        if (gb_buf_append(b, chunk, got) != 0)
            return -1;
    }
    return ferror(in) ? -1 : 0;
}

static int convert(const transcode_args *t, const pbd_message *m, gb_buf *out)
{
    gb_buf in;
    gb_err err = {0};
    gb_buf_init(&in, 0);
    int rv = read_all(stdin, &in);
    if (rv != 0) {
        fprintf(stderr, "protogate transcode: cannot read stdin\n");
    } else if (t->to_binary) {
        rv = pbd_json_to_wire(m, (const char *)in.p, in.n, &t->opts, out, &err);
    } else {
        rv = pbd_wire_to_json(m, gb_slice_of(in.p, in.n), &t->opts, out, &err);
        if (rv == 0)
            rv = gb_buf_putc(out, '\n');
    }
    if (rv != 0 && err.msg[0] != '\0')
        fprintf(stderr, "protogate transcode: %s\n", err.msg);
    gb_buf_free(&in);
    return rv;
}

static int run(transcode_args *t)
{
    pbd_pool *pool = NULL;
    gb_err err = {0};
    if (pbd_pool_load_files(t->files, t->n_files, &pool, &err) != 0) {
        fprintf(stderr, "protogate transcode: %s\n", err.msg);
        return 1;
    }
    int status = 1;
    const pbd_message *m = pbd_pool_find_message(pool, t->type);
    gb_buf out;
    gb_buf_init(&out, 0);
    t->opts.pool = pool;
    if (m == NULL)
        fprintf(stderr, "protogate transcode: no message type '%s'\n", t->type);
    else if (convert(t, m, &out) == 0 && fwrite(out.p, 1, out.n, stdout) == out.n &&
             fflush(stdout) == 0)
        status = 0;
    gb_buf_free(&out);
    pbd_pool_unref(pool);
    return status;
}

int gw_cmd_transcode(int argc, char **argv)
{
    transcode_args t = {.to_binary = -1};
    pbd_json_opts_init(&t.opts);
    t.files = calloc((size_t)argc, sizeof(*t.files));
    if (t.files == NULL) {
        fprintf(stderr, "protogate transcode: out of memory\n");
        return 1;
    }
    int rc = parse_args(argc, argv, &t);
    int status = rc == 1 ? usage(stdout) : rc != 0 ? usage(stderr) : run(&t);
    free(t.files);
    return status;
}
