#include "pyserver.h"

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(int in_fd, int out_fd, const char *const *args)
{
    const char *argv[16] = {"/usr/bin/python3", GW_SOURCE_DIR "/tests/grpc-core/echo_server.py"};
    int n = 2;
    for (; args != NULL && *args != NULL && n < 15; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    setenv("GRPC_VERBOSITY", "NONE", 1); /* expected handshake failures are not news */
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    execv(argv[0], (char *const *)(uintptr_t)argv);
    _exit(127);
}

static int read_port(int fd)
{
    char line[64];
    size_t n = 0;
    while (n + 1 < sizeof(line)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 15000) <= 0)
            return -1;
        ssize_t r = read(fd, line + n, 1);
        if (r <= 0)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    char *end = NULL;
    long port = strncmp(line, "PORT ", 5) == 0 ? strtol(line + 5, &end, 10) : -1;
    return port > 0 && port < 65536 ? (int)port : -1;
}

int pyserver_start(pyserver *s, const char *const *args)
{
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(in[1]);
        close(out[0]);
        child(in[0], out[1], args);
    }
    close(in[0]);
    close(out[1]);
    s->pid = pid;
    s->stdin_fd = in[1];
    s->port = read_port(out[0]);
    close(out[0]);
    if (s->port < 0) {
        pyserver_kill(s);
        return -1;
    }
    return 0;
}

static void reap(pyserver *s)
{
    if (s->pid > 0)
        waitpid(s->pid, NULL, 0);
    s->pid = 0;
    if (s->stdin_fd >= 0)
        close(s->stdin_fd);
    s->stdin_fd = -1;
}

void pyserver_stop(pyserver *s)
{
    if (s->pid <= 0)
        return;
    close(s->stdin_fd);
    s->stdin_fd = -1;
    /* grpcio may linger on its thread pool: do not wait for it long. */
    for (int i = 0; i < 50; i++) {
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            s->pid = 0;
            return;
        }
        usleep(20000);
    }
    kill(s->pid, SIGKILL);
    reap(s);
}

void pyserver_kill(pyserver *s)
{
    if (s->pid > 0)
        kill(s->pid, SIGKILL);
    reap(s);
}

const char *pyserver_target(const pyserver *s, char *buf, size_t n)
{
    snprintf(buf, n, "127.0.0.1:%d", s->port);
    return buf;
}
