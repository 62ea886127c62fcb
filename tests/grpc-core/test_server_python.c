/*
 * The server against a real peer: python grpcio (server_client.py) calls an
 * in-process gcore_server with test handlers, or the route_guide_server example
 * binary. Each case's client exits 0 when what it saw matches the spec.
 */
#include <criterion/criterion.h>

#include "child.h"

#include <grpc-core/health.h>
#include <grpc-core/server.h>

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLIENT GW_SOURCE_DIR "/tests/grpc-core/server_client.py"
#define ROUTE_GUIDE GW_BINARY_DIR "/examples/route_guide_server"
#define EXAMPLES_PB GW_BINARY_DIR "/examples/examples.pb"
#define SMALL_DB GW_SOURCE_DIR "/examples/data/route_guide_db.json"

static child spawn_client(const char *test_case, int port, const char *a1, const char *a2,
                          const char *a3)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    const char *argv[] = {"/usr/bin/python3", CLIENT, test_case, p, a1, a2, a3, NULL};
    return child_spawn(argv, NULL);
}

static int run_client(const char *test_case, int port, const char *a1, const char *a2,
                      const char *a3)
{
    child c = spawn_client(test_case, port, a1, a2, a3);
    return child_wait(&c);
}

/* ---- an in-process server with test handlers ---- */

static atomic_int saw_cancel;
static atomic_int slow_started;
static atomic_int done_calls;
static gcore_health *health;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits (bounded) for a flag a handler sets; the bound only stops a hung test. */
static bool wait_flag(atomic_int *flag)
{
    for (int i = 0; i < 2000 && atomic_load(flag) == 0; i++)
        sleep_ms(5);
    return atomic_load(flag) != 0;
}

static void echo(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gb_buf in;
    gb_buf_init(&in, 0);
    if (gcore_server_call_read(call, &in) == 1) {
        const gcore_metadata *md = gcore_server_call_metadata(call);
        gcore_metadata head, tail;
        gcore_metadata_init(&head);
        gcore_metadata_init(&tail);
        const gcore_md_entry *e = gcore_metadata_get(md, "x-echo");
        if (e != NULL)
            gcore_metadata_add(&head, "x-echo", gb_slice_of(e->value, e->value_len), NULL);
        e = gcore_metadata_get(md, "x-echo-bin");
        if (e != NULL)
            gcore_metadata_add(&tail, "x-echo-bin", gb_slice_of(e->value, e->value_len), NULL);
        gcore_metadata_add(&tail, "x-peer", gb_slice_str(gcore_server_call_peer(call)), NULL);
        if (head.n > 0)
            gcore_server_call_send_initial_metadata(call, &head);
        gcore_server_call_write(call, gb_slice_of(in.p, in.n));
        gcore_status st;
        gcore_status_init(&st);
        gcore_server_call_finish(call, &st, &tail);
        gcore_metadata_free(&head);
        gcore_metadata_free(&tail);
    }
    gb_buf_free(&in);
}

static void details(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_status st;
    gcore_status_init(&st);
    gcore_status_set(&st, GCORE_STATUS_INVALID_ARGUMENT,
                     "bad thing: 100% \xc3\xbc"
                     "ber");
    gcore_status_set_details(&st,
                             (const uint8_t *)"\x08\x03\x12\x03"
                                              "bad",
                             7);
    /* Built by hand around gcore_metadata_add(): reserved keys must still not go out. */
    char k1[] = "grpc-status", k2[] = "content-type";
    uint8_t v1[] = "0", v2[] = "text/plain";
    gcore_md_entry forged[] = {{k1, v1, 1}, {k2, v2, 10}};
    gcore_metadata trailers = {forged, 2, 2};
    gcore_server_call_finish(call, &st, &trailers);
    gcore_status_clear(&st);
}

static void sleeper(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    while (!gcore_server_call_cancelled(call))
        sleep_ms(5);
    gb_buf b;
    gb_buf_init(&b, 0);
    if (gcore_server_call_read(call, &b) < 0 &&
        gcore_server_call_write(call, GB_SLICE_LIT("late")) == GCORE_ERR_SHUTDOWN)
        atomic_store(&saw_cancel, 1);
    gb_buf_free(&b);
}

static void streamer(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    while (gcore_server_call_write(call, GB_SLICE_LIT("tick")) == 0)
        sleep_ms(1);
    if (gcore_server_call_cancelled(call))
        atomic_store(&saw_cancel, 1);
}

static void slow(gcore_server_call *call, void *user_data)
{
    atomic_store(&slow_started, 1);
    sleep_ms(300);
    echo(call, user_data);
}

/* A non-blocking echo: each message goes straight back; the status follows the client's
 * half-close. Runs on the I/O thread. */
static void async_echo_msg(gcore_server_call *call, gb_slice msg, void *user_data)
{
    (void)user_data;
    gcore_server_call_write(call, msg);
}

static void async_echo_end(gcore_server_call *call, void *user_data)
{
    (void)user_data;
    gcore_server_call_finish_code(call, GCORE_STATUS_OK, NULL);
}

static atomic_int async_done;

static void async_echo_done(gcore_server_call *call, const gcore_status *st, void *user_data)
{
    (void)call;
    (void)user_data;
    if (st->code == GCORE_STATUS_OK)
        atomic_fetch_add(&async_done, 1);
}

static gcore_code check_auth(gcore_server_call *call, gcore_status *reject, void *user_data)
{
    (void)user_data;
    if (strncmp(gcore_server_call_method(call), "/test.Auth/", 11) != 0)
        return GCORE_STATUS_OK;
    const gcore_md_entry *e = gcore_metadata_get(gcore_server_call_metadata(call), "authorization");
    if (e != NULL && strcmp((const char *)e->value, "Bearer let-me-in") == 0)
        return GCORE_STATUS_OK;
    gcore_status_set(reject, GCORE_STATUS_UNAUTHENTICATED, "missing or bad token");
    return GCORE_STATUS_UNAUTHENTICATED;
}

static void count_done(gcore_server_call *call, const gcore_status *st, void *user_data)
{
    (void)call;
    (void)st;
    (void)user_data;
    atomic_fetch_add(&done_calls, 1);
}

static gcore_server *start_test_server(int *port)
{
    gcore_server_opts *o = gcore_server_opts_new();
    cr_assert_eq(gcore_server_opts_set_max_recv_msg(o, (16u << 20) + 64), 0);
    cr_assert_eq(gcore_server_opts_set_max_send_msg(o, (16u << 20) + 64), 0);
    gcore_server_opts_set_workers(o, 1); /* more start when long calls hold it */
    gcore_server *s;
    gb_err err = {0};
    cr_assert_eq(gcore_server_new(o, &s, &err), 0, "%s", err.msg);
    gcore_server_opts_free(o);
    static const struct {
        const char *path;
        gcore_method_kind kind;
        gcore_server_handler fn;
    } m[] = {
        {"/test.Test/Echo", GCORE_METHOD_UNARY, echo},
        {"/test.Test/Details", GCORE_METHOD_UNARY, details},
        {"/test.Test/Sleep", GCORE_METHOD_UNARY, sleeper},
        {"/test.Test/Stream", GCORE_METHOD_SERVER_STREAMING, streamer},
        {"/test.Test/Slow", GCORE_METHOD_UNARY, slow},
        {"/test.Auth/Secret", GCORE_METHOD_UNARY, echo},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        cr_assert_eq(gcore_server_register(s, m[i].path, m[i].kind, m[i].fn, NULL), 0);
    static const gcore_server_async_handler echo_async = {NULL, async_echo_msg, async_echo_end,
                                                          async_echo_done};
    cr_assert_eq(
        gcore_server_register_async(s, "/test.Async/Echo", GCORE_METHOD_UNARY, &echo_async, NULL),
        0);
    cr_assert_eq(gcore_server_register_async(s, "/test.Async/Chat", GCORE_METHOD_BIDI_STREAMING,
                                             &echo_async, NULL),
                 0);
    cr_assert_eq(gcore_health_enable(s, &health), 0);
    gcore_server_interceptor ic = {check_auth, count_done, NULL};
    cr_assert_eq(gcore_server_add_interceptor(s, &ic), 0);
    cr_assert_eq(gcore_server_listen(s, "127.0.0.1:0", port, &err), 0, "%s", err.msg);
    cr_assert_gt(*port, 0);
    cr_assert_eq(gcore_server_start(s, &err), 0, "%s", err.msg);
    return s;
}

static void in_process_case(const char *name)
{
    int port;
    gcore_server *s = start_test_server(&port);
    cr_expect_eq(run_client(name, port, NULL, NULL, NULL), 0, "client case %s", name);
    gcore_server_free(s);
    gcore_health_free(health);
}

TestSuite(server_python, .timeout = 120);

Test(server_python, answers_an_unknown_method_with_unimplemented)
{
    in_process_case("unimplemented");
}

Test(server_python, ends_a_call_past_its_deadline_and_the_handler_sees_it_cancelled)
{
    in_process_case("deadline");
    cr_assert(wait_flag(&saw_cancel), "the handler never saw the call cancelled");
}

Test(server_python, tells_the_handler_when_the_client_cancels_mid_stream)
{
    in_process_case("cancel");
    cr_assert(wait_flag(&saw_cancel), "the handler never saw the cancellation");
}

Test(server_python, carries_text_and_binary_metadata_both_ways)
{
    in_process_case("metadata");
}

Test(server_python, sends_percent_encoded_messages_and_status_details)
{
    in_process_case("details");
}

Test(server_python, lets_an_interceptor_reject_unauthenticated_calls)
{
    in_process_case("auth");
    cr_assert_geq(atomic_load(&done_calls), 2, "on_done saw %d calls", atomic_load(&done_calls));
}

static bool wait_count(atomic_int *n, int want)
{
    for (int i = 0; i < 2000 && atomic_load(n) < want; i++)
        sleep_ms(5);
    return atomic_load(n) >= want;
}

Test(server_python, serves_non_blocking_handlers_on_the_io_thread)
{
    in_process_case("async");
    cr_assert(wait_count(&async_done, 2), "on_done ran %d times", atomic_load(&async_done));
}

Test(server_python, refuses_compressed_messages_with_unimplemented)
{
    in_process_case("compressed");
}

Test(server_python, echoes_16_mib_and_refuses_more_than_the_limit)
{
    in_process_case("big");
}

Test(server_python, serves_1000_concurrent_calls_on_one_channel)
{
    in_process_case("many");
}

Test(server_python, drains_a_call_in_flight_on_graceful_shutdown)
{
    int port;
    gcore_server *s = start_test_server(&port);
    char line[256];
    child c = spawn_client("drain", port, NULL, NULL, NULL);
    child_expect(&c, "started", line, sizeof line);
    cr_assert(wait_flag(&slow_started));
    cr_assert_eq(gcore_server_shutdown(s, 10000), 0);
    cr_expect_eq(child_wait(&c), 0);
    gcore_server_free(s);
    gcore_health_free(health);
}

Test(server_python, streams_health_changes_to_a_watcher)
{
    int port;
    gcore_server *s = start_test_server(&port);
    char line[256];
    child c = spawn_client("watch", port, NULL, NULL, NULL);
    child_expect(&c, "watching", line, sizeof line);
    cr_assert_eq(gcore_health_set(health, "test.Svc", GCORE_HEALTH_SERVING), 0);
    child_expect(&c, "serving", line, sizeof line);
    cr_assert_eq(gcore_health_set(health, "test.Svc", GCORE_HEALTH_NOT_SERVING), 0);
    cr_expect_eq(child_wait(&c), 0);
    cr_assert_eq(gcore_health_set(health, "test.Svc", (gcore_health_status)7), GCORE_ERR_INVALID);
    gcore_server_free(s);
    gcore_health_free(health);
}

/* ---- the route_guide_server example ---- */

static child start_route_guide(int *port, const char *tls_dir, bool mtls)
{
    char cert[256], key[256], ca[256];
    snprintf(cert, sizeof cert, "%s/server.crt", tls_dir ? tls_dir : "");
    snprintf(key, sizeof key, "%s/server.key", tls_dir ? tls_dir : "");
    snprintf(ca, sizeof ca, "%s/ca.crt", tls_dir ? tls_dir : "");
    /* The small database these cases expect, not the tutorial's. */
    const char *args[16] = {"--listen",  "127.0.0.1:0", "--descriptor-set",
                            EXAMPLES_PB, "--workers",   "4",
                            "--db",      SMALL_DB};
    int n = 8;
    if (tls_dir != NULL) {
        args[n++] = "--tls-cert";
        args[n++] = cert;
        args[n++] = "--tls-key";
        args[n++] = key;
    }
    if (mtls) {
        args[n++] = "--tls-client-ca";
        args[n++] = ca;
    }
    return child_start_server(ROUTE_GUIDE, args, port);
}

static void stop_route_guide(child *c)
{
    child_stop_server(c, "route_guide_server");
}

static void route_guide_case(const char *name)
{
    int port;
    child srv = start_route_guide(&port, NULL, false);
    cr_expect_eq(run_client(name, port, NULL, NULL, NULL), 0, "client case %s", name);
    stop_route_guide(&srv);
}

Test(server_python, route_guide_serves_all_four_kinds_of_call)
{
    route_guide_case("route");
}

Test(server_python, route_guide_answers_health_check_and_watch)
{
    route_guide_case("health");
}

Test(server_python, route_guide_answers_reflection_v1_and_v1alpha)
{
    route_guide_case("reflection");
}

Test(server_python, route_guide_serves_over_tls_with_alpn_h2)
{
    char dir[64], ca[128];
    child_make_certs(dir, sizeof dir);
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    int port;
    child srv = start_route_guide(&port, dir, false);
    cr_expect_eq(run_client("tls", port, ca, NULL, NULL), 0);
    stop_route_guide(&srv);
    child_remove_dir(dir);
}

Test(server_python, route_guide_requires_a_client_certificate_for_mtls)
{
    char dir[64], ca[128], cert[128], key[128];
    child_make_certs(dir, sizeof dir);
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    snprintf(cert, sizeof cert, "%s/client.crt", dir);
    snprintf(key, sizeof key, "%s/client.key", dir);
    int port;
    child srv = start_route_guide(&port, dir, true);
    cr_expect_eq(run_client("mtls", port, ca, cert, key), 0);
    stop_route_guide(&srv);
    child_remove_dir(dir);
}
