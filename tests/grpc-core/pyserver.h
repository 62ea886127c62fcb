/*
 * Runs tests/grpc-core/echo_server.py (a grpcio server) as a child process on a
 * free loopback port, for tests that need a real gRPC peer.
 */
#ifndef TESTS_PYSERVER_H
#define TESTS_PYSERVER_H

#include <sys/types.h>

typedef struct pyserver {
    pid_t pid;
    int port;
    int stdin_fd; /* closing it makes the server exit */
} pyserver;

/**
 * Starts the server with extra arguments |args| (NULL-terminated, may be NULL) and
 * waits for it to print its port. Returns 0, or -1 (the test should fail).
 */
int pyserver_start(pyserver *s, const char *const *args);

/** Stops it gracefully and reaps it. */
void pyserver_stop(pyserver *s);

/** Kills it at once (SIGKILL), as a crash would, and reaps it. */
void pyserver_kill(pyserver *s);

/** "127.0.0.1:<port>" into |buf|. */
const char *pyserver_target(const pyserver *s, char *buf, size_t n);

#endif
