/* grpc-core's client over TLS against a grpcio server, with a CA made per test. */
#include <criterion/criterion.h>

#include "pyserver.h"

#include <grpc-core/blocking.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[64];
static char ca[128], other_ca[128], srv_cert[128], srv_key[128], cli_cert[128], cli_key[128];
static pyserver srv;

static void make_pki(void)
{
    snprintf(dir, sizeof(dir), "/tmp/gcore-tls-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "bash %s/tests/grpc-core/make_certs.sh %s", GW_SOURCE_DIR, dir);
    cr_assert_eq(system(cmd), 0, "openssl failed: %s", cmd);
    snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
    snprintf(other_ca, sizeof(other_ca), "%s/other-ca.pem", dir);
    snprintf(srv_cert, sizeof(srv_cert), "%s/server.pem", dir);
    snprintf(srv_key, sizeof(srv_key), "%s/server.key", dir);
    snprintf(cli_cert, sizeof(cli_cert), "%s/client.pem", dir);
    snprintf(cli_key, sizeof(cli_key), "%s/client.key", dir);
}

static void start_server(bool mtls)
{
    make_pki();
    const char *args[] = {"--tls", srv_cert, srv_key, mtls ? "--client-ca" : NULL, ca, NULL};
    cr_assert_eq(pyserver_start(&srv, args), 0, "python grpc TLS server did not start");
}

static void teardown(void);

static void setup(void)
{
    start_server(false);
}

static void setup_mtls(void)
{
    teardown();
    start_server(true);
}

/* Criterion runs the suite's set-up before a test's own and both tear-downs: the
 * tests' own set-ups start by undoing the suite's, and tearing down twice is harmless. */
static void teardown(void)
{
    pyserver_stop(&srv);
    if (dir[0] != '\0') {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        cr_assert_eq(system(cmd), 0);
    }
    dir[0] = '\0';
}

/* One unary call over a new channel with |o|; returns its status code, message in |msg|. */
static gcore_code call_with(gcore_channel_opts *o, char *msg, size_t n)
{
    char target[32];
    gcore_blocking_client *cl;
    gb_err err = {0};
    o->tls = true;
    cr_assert_eq(
        gcore_blocking_client_new(pyserver_target(&srv, target, sizeof(target)), o, &cl, &err), 0,
        "%s", err.msg);
    gcore_reply r;
    gcore_reply_init(&r);
    gcore_call_opts co = {.timeout_ms = 20000};
    cr_assert_eq(gcore_blocking_unary(gcore_blocking_client_channel(cl), "/test.Echo/Unary",
                                      GB_SLICE_LIT("secret"), &co, &r),
                 0);
    gcore_code code = r.status.code;
    snprintf(msg, n, "%s", r.status.message);
    if (code == GCORE_STATUS_OK)
        cr_assert(r.n_msgs == 1 && memcmp(r.msgs[0].p, "secret", 6) == 0);
    gcore_reply_free(&r);
    gcore_blocking_client_free(cl);
    return code;
}

TestSuite(tls, .init = setup, .fini = teardown, .timeout = 60);

Test(tls, calls_a_server_whose_certificate_names_its_ip)
{
    char msg[256];
    gcore_channel_opts o = {.ca_file = ca};
    cr_assert_eq(call_with(&o, msg, sizeof(msg)), GCORE_STATUS_OK, "%s", msg);
}

Test(tls, calls_a_server_by_its_dns_name)
{
    char msg[256];
    gcore_channel_opts o = {.ca_file = ca, .server_name = "localhost"};
    cr_assert_eq(call_with(&o, msg, sizeof(msg)), GCORE_STATUS_OK, "%s", msg);
}

/* True when the process maps a file whose path contains |name|. */
static bool maps_file(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f);
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f) != NULL)
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

Test(tls, loads_openssl_only_once_a_tls_channel_is_made)
{
    cr_assert(!maps_file("/libssl.so"), "libssl is mapped before any TLS channel");
    char msg[256];
    gcore_channel_opts o = {.ca_file = ca};
    cr_assert_eq(call_with(&o, msg, sizeof(msg)), GCORE_STATUS_OK, "%s", msg);
    cr_assert(maps_file("/libssl.so"), "libssl is not mapped after a TLS call");
}

Test(tls, refuses_a_server_signed_by_another_ca)
{
    char msg[256];
    gcore_channel_opts o = {.ca_file = other_ca};
    cr_assert_eq(call_with(&o, msg, sizeof(msg)), GCORE_STATUS_UNAVAILABLE, "%s", msg);
    cr_assert(strstr(msg, "certificate verify failed") != NULL, "%s", msg);
}

Test(tls, refuses_a_certificate_for_another_host_name)
{
    char msg[256];
    gcore_channel_opts o = {.ca_file = ca, .server_name = "wrong.example"};
    cr_assert_eq(call_with(&o, msg, sizeof(msg)), GCORE_STATUS_UNAVAILABLE, "%s", msg);
    cr_assert(strstr(msg, "hostname mismatch") != NULL, "%s", msg);
}

Test(tls, reports_a_missing_ca_file_when_the_channel_is_made)
{
    gcore_loop *loop;
    cr_assert_eq(gcore_loop_new(&loop), 0);
    gcore_channel *ch = NULL;
    gb_err err = {0};
    char missing[160];
    snprintf(missing, sizeof(missing), "%s/nope.pem", dir);
    gcore_channel_opts o = {.tls = true, .ca_file = missing};
    cr_assert_eq(gcore_channel_new(loop, "127.0.0.1:1", &o, &ch, &err), GCORE_ERR_TLS);
    cr_assert(strstr(err.msg, "CA file") != NULL, "%s", err.msg);
    gcore_loop_free(loop);
}

Test(tls, presents_a_client_certificate_for_mutual_tls, .init = setup_mtls)
{
    char msg[256];
    gcore_channel_opts o = {.ca_file = ca, .cert_file = cli_cert, .key_file = cli_key};
    cr_assert_eq(call_with(&o, msg, sizeof(msg)), GCORE_STATUS_OK, "%s", msg);
}

Test(tls, is_refused_without_a_client_certificate_when_one_is_required, .init = setup_mtls)
{
    char msg[256];
    gcore_channel_opts o = {.ca_file = ca};
    cr_assert_eq(call_with(&o, msg, sizeof(msg)), GCORE_STATUS_UNAVAILABLE, "%s", msg);
}
