/*
 * The example backends and clients as a user runs them, from the folder /, with
 * their defaults (the tutorial's feature database, the built-in descriptor set):
 * the C clients against the C servers, and python grpcio (server_client.py)
 * against each server.
 */
#include <criterion/criterion.h>

#include "child.h"

#include <grpc-core/blocking.h>

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define EX GW_BINARY_DIR "/examples/"
#define CLIENT GW_SOURCE_DIR "/tests/grpc-core/server_client.py"

TestSuite(examples, .timeout = 120);

/* Runs |argv| to the end; its whole stdout goes to |out|. Returns the exit code. */
static int run_capture(const char *const argv[], char *out, size_t cap)
{
    child c = child_spawn(argv, "/");
    size_t n = fread(out, 1, cap - 1, c.out);
    out[n] = '\0';
    return child_wait(&c);
}

static void target_of(int port, char *buf, size_t cap)
{
    snprintf(buf, cap, "localhost:%d", port);
}

static const char *const PORT0[] = {"--port", "0", NULL};

Test(examples, greeter_client_prints_the_greeting_of_greeter_server)
{
    int port;
    child srv = child_start_server(EX "greeter_server", PORT0, &port);
    char target[64], out[512];
    target_of(port, target, sizeof target);
    const char *argv[] = {EX "greeter_client", "--target", target, "--name", "world", NULL};
    cr_expect_eq(run_capture(argv, out, sizeof out), 0);
    cr_expect_str_eq(out, "Greeter client received: Hello, world!\n");
    child_stop_server(&srv, "greeter_server");
}

Test(examples, greeter_client_talks_tls_to_a_greeter_server_with_a_certificate)
{
    char dir[64], cert[128], key[128], ca[128];
    child_make_certs(dir, sizeof dir);
    snprintf(cert, sizeof cert, "%s/server.crt", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    const char *args[] = {"--port", "0", "--tls-cert", cert, "--tls-key", key, NULL};
    int port;
    child srv = child_start_server(EX "greeter_server", args, &port);
    char target[64], out[512];
    target_of(port, target, sizeof target);
    const char *argv[] = {
        EX "greeter_client", "--target", target, "--tls-ca", ca, "--name", "tls", NULL};
    cr_expect_eq(run_capture(argv, out, sizeof out), 0);
    cr_expect_str_eq(out, "Greeter client received: Hello, tls!\n");
    child_stop_server(&srv, "greeter_server");
    child_remove_dir(dir);
}

Test(examples, greeter_client_fails_with_a_message_when_no_server_listens)
{
    const char *argv[] = {EX "greeter_client", "--target", "127.0.0.1:1", "--name", "x", NULL};
    char out[512];
    cr_expect_eq(run_capture(argv, out, sizeof out), 1);
    cr_expect_str_empty(out);
}

Test(examples, route_guide_client_runs_the_four_kinds_of_call_on_the_tutorial_db)
{
    int port;
    child srv = child_start_server(EX "route_guide_server", PORT0, &port);
    char target[64];
    static char out[65536];
    target_of(port, target, sizeof target);
    const char *argv[] = {EX "route_guide_client", "--target", target, NULL};
    cr_expect_eq(run_capture(argv, out, sizeof out), 0, "%s", out);
    static const char *const want[] = {
        "Feature called Berkshire Valley Management Area Trail, Jefferson, NJ, USA at latitude: "
        "409146138, longitude: -746188906\n",
        "Found no feature at latitude: 0, longitude: 0\n",
        "Feature called 3387 Richmond Terrace, Staten Island, NY 10303, USA at latitude: "
        "406411633, longitude: -741722051\n",
        "Finished trip with 10 points\nPassed 10 features\n",
        "Received message First message at latitude: 0, longitude: 0\n"
        "Received message Third message at latitude: 1, longitude: 0\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(out, want[i]), "the output lacks %s", want[i]);
    child_stop_server(&srv, "route_guide_server");
}

static void python_case(const char *server, const char *test_case)
{
    int port;
    child srv = child_start_server(server, PORT0, &port);
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    const char *argv[] = {"/usr/bin/python3", CLIENT, test_case, p, NULL};
    child c = child_spawn(argv, NULL);
    cr_expect_eq(child_wait(&c), 0, "client case %s", test_case);
    child_stop_server(&srv, server);
}

Test(examples, greeter_server_answers_grpcio_with_health_and_reflection)
{
    python_case(EX "greeter_server", "greeter_example");
}

Test(examples, route_guide_server_serves_the_tutorial_db_to_grpcio)
{
    python_case(EX "route_guide_server", "route_tutorial");
}

Test(examples, reco_server_recommends_books_by_category_to_grpcio)
{
    python_case(EX "reco_server", "reco");
}

static atomic_int watch_msgs, watch_done;

static void on_watch_msg(gcore_call *call, gb_slice msg, void *user_data)
{
    (void)call;
    (void)msg;
    (void)user_data;
    atomic_fetch_add(&watch_msgs, 1);
}

static void on_watch_done(gcore_call *call, const gcore_status *st, const gcore_metadata *md,
                          void *user_data)
{
    (void)call;
    (void)st;
    (void)md;
    (void)user_data;
    atomic_store(&watch_done, 1);
}

/* Waits (bounded: the bound only stops a hung test) for |flag|. */
static bool wait_for(atomic_int *flag)
{
    for (int i = 0; i < 4000 && atomic_load(flag) == 0; i++) {
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
    }
    return atomic_load(flag) != 0;
}

Test(examples, a_second_sigterm_stops_a_server_that_is_draining_a_long_call)
{
    int port;
    child srv = child_start_server(EX "greeter_server", PORT0, &port);
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    gcore_blocking_client *cl;
    gb_err err = {0};
    cr_assert_eq(gcore_blocking_client_new(target, NULL, &cl, &err), 0, "%s", err.msg);
    /* A health Watch keeps a call open: the graceful shutdown would wait 5 s for it. */
    gcore_call *call;
    gcore_call_handlers h = {NULL, on_watch_msg, on_watch_done};
    cr_assert_eq(gcore_call_start(gcore_blocking_client_channel(cl), "/grpc.health.v1.Health/Watch",
                                  NULL, &h, NULL, &call),
                 0);
    cr_assert_eq(gcore_call_send(call, gb_slice_of(NULL, 0), true), 0);
    cr_assert(wait_for(&watch_msgs), "no status from Watch");
    kill(srv.pid, SIGTERM);
    char line[256];
    child_expect(&srv, "shutting down", line, sizeof line);
    kill(srv.pid, SIGTERM);
    cr_expect_eq(child_wait(&srv), 128 + SIGTERM, "the second SIGTERM did not end the server");
    cr_expect(wait_for(&watch_done));
    gcore_call_release(call);
    gcore_blocking_client_free(cl);
}
