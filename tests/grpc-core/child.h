/*
 * Child processes for integration tests: example servers and clients run as a
 * user would, their stdout read line by line. Failures are criterion assertions.
 */
#ifndef TESTS_CHILD_H
#define TESTS_CHILD_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct child {
    pid_t pid;
    FILE *out; /* its stdout */
} child;

/* Runs argv[0] (a path) with |argv| in folder |cwd| (NULL: ours), stdout to a pipe. */
child child_spawn(const char *const argv[], const char *cwd);

/* Copies the rest of its stdout to our stderr, reaps it; returns its exit code
 * (128 + signal when killed). */
int child_wait(child *c);

/* Reads its stdout until a line starting with |prefix|; copies it to |line|. */
void child_expect(child *c, const char *prefix, char *line, size_t cap);

/* Starts an example server binary with |args| (NULL-terminated) from folder /,
 * waits for "listening on HOST:PORT"; |*port| gets the port. */
child child_start_server(const char *path, const char *const *args, int *port);

/* SIGTERM, then expects a clean exit 0. */
void child_stop_server(child *c, const char *what);

/* Throwaway CA, server and client certificates (P-256) in a new folder |dir|:
 * ca.crt, server.crt/key, client.crt/key, for localhost and 127.0.0.1. */
void child_make_certs(char *dir, size_t cap);

/* rm -rf |dir|. */
void child_remove_dir(const char *dir);

#endif
