/*
 * The server's set-up API: options, method registration, listen addresses, and
 * the calls that are refused once the server runs.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <grpc-core/blocking.h>
#include <grpc-core/health.h>
#include <grpc-core/reflection.h>
#include <grpc-core/server.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void nop(gcore_server_call *call, void *user_data)
{
    (void)call;
    (void)user_data;
}

static gcore_server *new_server(void)
{
    gcore_server *s = NULL;
    gb_err err = {0};
    cr_assert_eq(gcore_server_new(NULL, &s, &err), 0, "%s", err.msg);
    return s;
}

Test(server, listens_on_ipv4_and_ipv6_and_reports_the_port_it_picked)
{
    gcore_server *s = new_server();
    int port4 = 0, port6 = 0;
    gb_err err = {0};
    cr_assert_eq(gcore_server_listen(s, "127.0.0.1:0", &port4, &err), 0, "%s", err.msg);
    cr_assert_gt(port4, 0);
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    bool have_v6 = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    if (have_v6) {
        cr_assert_eq(gcore_server_listen(s, "[::1]:0", &port6, &err), 0, "%s", err.msg);
        cr_assert_gt(port6, 0);
    }
    cr_assert_eq(gcore_server_start(s, &err), 0, "%s", err.msg);
    /* The port really accepts connections. */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port4)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    cr_assert_eq(connect(c, (struct sockaddr *)&sa, sizeof sa), 0);
    close(c);
    gcore_server_free(s);
}

typedef struct bad_addr {
    char addr[32];
} bad_addr;

ParameterizedTestParameters(server, refuses_malformed_listen_addresses)
{
    static bad_addr cases[] = {{"127.0.0.1"}, {"127.0.0.1:"}, {"[::1:0"},
                               {"::1"},       {"host:port"},  {"1.2.3.4:99999999"}};
    return cr_make_param_array(bad_addr, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(bad_addr *c, server, refuses_malformed_listen_addresses)
{
    gcore_server *s = new_server();
    gb_err err = {0};
    cr_assert_eq(gcore_server_listen(s, c->addr, NULL, &err), GCORE_ERR_INVALID, "%s", c->addr);
    cr_assert_str_eq(err.msg + strlen(err.msg) - strlen("expected host:port"),
                     "expected host:port");
    gcore_server_free(s);
}

Test(server, says_why_it_cannot_bind_a_port_in_use)
{
    gcore_server *s = new_server();
    int port;
    gb_err err = {0};
    cr_assert_eq(gcore_server_listen(s, "127.0.0.1:0", &port, &err), 0);
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    gcore_server *t = new_server();
    cr_assert_eq(gcore_server_listen(t, addr, NULL, &err), GCORE_ERR_IO);
    cr_assert(strstr(err.msg, "Address already in use") != NULL, "%s", err.msg);
    gcore_server_free(t);
    gcore_server_free(s);
}

Test(server, registers_each_method_path_once)
{
    gcore_server *s = new_server();
    cr_assert_eq(gcore_server_register(s, "/a.B/C", GCORE_METHOD_UNARY, nop, NULL), 0);
    cr_assert_eq(gcore_server_register(s, "/a.B/C", GCORE_METHOD_UNARY, nop, NULL),
                 GCORE_ERR_INVALID);
    const char *bad[] = {"", "/", "a.B/C", "/a.B", "/a.B/", "//C", "/a.B/C/D"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(gcore_server_register(s, bad[i], GCORE_METHOD_UNARY, nop, NULL),
                     GCORE_ERR_INVALID, "%s", bad[i]);
    cr_assert_eq(gcore_server_register(s, "/a.B/D", GCORE_METHOD_UNARY, NULL, NULL),
                 GCORE_ERR_INVALID);
    gcore_server_free(s);
}

Test(server, refuses_set_up_calls_once_started)
{
    gcore_server *s = new_server();
    gb_err err = {0};
    cr_assert_eq(gcore_server_start(s, &err), GCORE_ERR_STATE, "no listener yet");
    cr_assert_eq(gcore_server_listen(s, "127.0.0.1:0", NULL, &err), 0);
    cr_assert_eq(gcore_server_start(s, &err), 0, "%s", err.msg);
    cr_assert_eq(gcore_server_register(s, "/a.B/C", GCORE_METHOD_UNARY, nop, NULL),
                 GCORE_ERR_STATE);
    gcore_server_interceptor ic = {0};
    cr_assert_eq(gcore_server_add_interceptor(s, &ic), GCORE_ERR_STATE);
    cr_assert_eq(gcore_server_listen(s, "127.0.0.1:0", NULL, &err), GCORE_ERR_STATE);
    cr_assert_eq(gcore_server_start(s, &err), GCORE_ERR_STATE);
    cr_assert_eq(gcore_server_shutdown(s, 1000), 0);
    cr_assert_eq(gcore_server_shutdown(s, 1000), 0, "a second shutdown is harmless");
    gcore_server_free(s);
}

Test(server, bounds_the_message_size_options)
{
    gcore_server_opts *o = gcore_server_opts_new();
    cr_assert_eq(gcore_server_opts_set_max_recv_msg(o, 0), GCORE_ERR_INVALID);
    cr_assert_eq(gcore_server_opts_set_max_recv_msg(o, (1u << 30) + 1), GCORE_ERR_INVALID);
    cr_assert_eq(gcore_server_opts_set_max_recv_msg(o, 16u << 20), 0);
    cr_assert_eq(gcore_server_opts_set_max_send_msg(o, 0), GCORE_ERR_INVALID);
    gcore_server_opts_free(o);
}

Test(server, reports_unusable_tls_files)
{
    gcore_server_opts *o = gcore_server_opts_new();
    cr_assert_eq(
        gcore_server_opts_set_tls(o, "/nonexistent/cert.pem", "/nonexistent/key.pem", NULL), 0);
    gcore_server *s = NULL;
    gb_err err = {0};
    cr_assert_eq(gcore_server_new(o, &s, &err), GCORE_ERR_TLS);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "/nonexistent/cert.pem") != NULL, "%s", err.msg);
    gcore_server_opts_free(o);
}

Test(server, leaves_no_half_registered_health_or_reflection_service_behind)
{
    gcore_server *s = new_server();
    /* The second path of each service is taken: enabling fails ... */
    cr_assert_eq(
        gcore_server_register(s, "/grpc.health.v1.Health/Watch", GCORE_METHOD_UNARY, nop, NULL), 0);
    gcore_health *h = NULL;
    cr_assert_eq(gcore_health_enable(s, &h), GCORE_ERR_INVALID);
    cr_assert_null(h);
    cr_assert_eq(gcore_server_register(s,
                                       "/grpc.reflection.v1alpha.ServerReflection/"
                                       "ServerReflectionInfo",
                                       GCORE_METHOD_UNARY, nop, NULL),
                 0);
    gcore_reflection *r = NULL;
    gb_err err = {0};
    cr_assert_eq(gcore_reflection_enable(s, gb_slice_of(NULL, 0), &r, &err), GCORE_ERR_INVALID);
    cr_assert_null(r);
    /* ... and the first path no longer routes to the freed service. */
    cr_assert_eq(
        gcore_server_register(s, "/grpc.health.v1.Health/Check", GCORE_METHOD_UNARY, nop, NULL), 0);
    cr_assert_eq(gcore_server_register(s,
                                       "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                       GCORE_METHOD_UNARY, nop, NULL),
                 0);
    gcore_server_free(s);
}

static atomic_int stubborn_in, stubborn_release, stubborn_out;

static void pause_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

/* A handler that ignores cancellation until the test lets it go. */
static void stubborn(gcore_server_call *call, void *user_data)
{
    (void)call;
    (void)user_data;
    atomic_store(&stubborn_in, 1);
    while (!atomic_load(&stubborn_release))
        pause_ms(5);
    atomic_store(&stubborn_out, 1);
}

static void *call_stubborn(void *arg)
{
    gcore_blocking_client *cl = arg;
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts o = {.timeout_ms = 60000};
    gcore_blocking_unary(gcore_blocking_client_channel(cl), "/a.B/Stubborn", GB_SLICE_LIT("x"), &o,
                         &r);
    int code = r.status.code;
    gcore_reply_free(&r);
    return (void *)(intptr_t)code;
}

Test(server, shutdown_does_not_wait_forever_for_a_handler_that_ignores_cancellation, .timeout = 30)
{
    gcore_server *s = new_server();
    cr_assert_eq(gcore_server_register(s, "/a.B/Stubborn", GCORE_METHOD_UNARY, stubborn, NULL), 0);
    gb_err err = {0};
    int port;
    cr_assert_eq(gcore_server_listen(s, "127.0.0.1:0", &port, &err), 0, "%s", err.msg);
    cr_assert_eq(gcore_server_start(s, &err), 0, "%s", err.msg);
    char target[32];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    gcore_blocking_client *cl;
    cr_assert_eq(gcore_blocking_client_new(target, NULL, &cl, &err), 0, "%s", err.msg);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, call_stubborn, cl), 0);
    while (!atomic_load(&stubborn_in))
        pause_ms(5);
    /* Returns (the suite's timeout fails the test otherwise) while the handler runs on. */
    cr_assert_eq(gcore_server_shutdown(s, 100), 0);
    cr_assert_eq(atomic_load(&stubborn_out), 0);
    void *code;
    pthread_join(t, &code);
    cr_expect_neq((intptr_t)code, GCORE_STATUS_OK);
    gcore_server_free(s); /* the stuck worker frees it once the handler returns */
    atomic_store(&stubborn_release, 1);
    while (!atomic_load(&stubborn_out))
        pause_ms(5);
    pause_ms(50); /* lets the worker finish freeing before the leak check at exit */
    gcore_blocking_client_free(cl);
}
