/* Child processes for the integration tests (child.h). */
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include "child.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

child child_spawn(const char *const argv[], const char *cwd)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    if (cwd != NULL)
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
    child c = {0};
    cr_assert_eq(posix_spawn(&c.pid, argv[0], &fa, NULL, (char *const *)(uintptr_t)argv, environ),
                 0, "spawn %s", argv[0]);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    c.out = fdopen(fds[0], "r");
    return c;
}

int child_wait(child *c)
{
    char line[512];
    while (fgets(line, sizeof line, c->out) != NULL)
        fputs(line, stderr); /* what the child said, for the test log */
    fclose(c->out);
    int st;
    while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void child_expect(child *c, const char *prefix, char *line, size_t cap)
{
    while (fgets(line, (int)cap, c->out) != NULL) {
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            return;
    }
    cr_assert_fail("the child never printed \"%s\"", prefix);
}

child child_start_server(const char *path, const char *const *args, int *port)
{
    const char *argv[24] = {path};
    size_t n = 1;
    for (size_t i = 0; args != NULL && args[i] != NULL && n + 1 < sizeof argv / sizeof argv[0]; i++)
        argv[n++] = args[i];
    child c = child_spawn(argv, "/");
    char line[256];
    child_expect(&c, "listening on ", line, sizeof line);
    const char *colon = strrchr(line, ':');
    cr_assert_not_null(colon);
    *port = (int)strtol(colon + 1, NULL, 10);
    return c;
}

void child_stop_server(child *c, const char *what)
{
    kill(c->pid, SIGTERM);
    cr_expect_eq(child_wait(c), 0, "%s did not exit cleanly", what);
}

/* Throwaway CA, server and client certificates (P-256), made with openssl req. */
void child_make_certs(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/gcore-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "set -e; cd %s; K='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';"
             "openssl req -x509 $K -keyout ca.key -out ca.crt -days 1 -subj /CN=gcore-test-ca;"
             "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext;"
             "for n in server client; do "
             "openssl req $K -keyout $n.key -out $n.csr -subj /CN=localhost;"
             "openssl x509 -req -in $n.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1"
             " -extfile san.ext -out $n.crt; done",
             dir);
    cr_assert_eq(system(cmd), 0, "openssl failed");
}

void child_remove_dir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}
