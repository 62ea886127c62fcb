#include <criterion/criterion.h>

#include "config.h"
#include "status_map.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static gw_config cfg;

static void setup(void)
{
    gw_config_init(&cfg);
}

static void teardown(void)
{
    gw_config_free(&cfg);
}

TestSuite(config, .init = setup, .fini = teardown);

static int json(const char *text, gb_err *err)
{
    return gw_config_parse_json(&cfg, text, strlen(text), "test.json", err);
}

Test(config, has_documented_defaults)
{
    cr_assert_str_eq(cfg.listen, "127.0.0.1:8080");
    cr_assert_eq(cfg.timeout_ms, 30000u);
    cr_assert_eq(cfg.max_body, 4u << 20);
    cr_assert(cfg.swagger_ui);
    cr_assert_not(cfg.discard_unknown);
    cr_assert_eq(cfg.stream_format, GW_STREAM_NDJSON);
    cr_assert_eq(cfg.n_cors_origins, 0);
}

Test(config, reads_flags_with_separate_or_joined_values)
{
    const char *argv[] = {"serve",
                          "--descriptor-set",
                          "a.pb",
                          "--descriptor-set=b.pb",
                          "--backend",
                          "127.0.0.1:50051",
                          "--listen=[::1]:9000",
                          "--timeout",
                          "250ms",
                          "--emit-unpopulated",
                          "--proto-names",
                          "--enums-as-ints",
                          "--discard-unknown",
                          "--no-swagger-ui",
                          "--max-body",
                          "1MiB",
                          "--stream-format",
                          "sse"};
    gb_err err = {0};
    cr_assert_eq(gw_config_parse_args(&cfg, sizeof argv / sizeof argv[0], argv, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(cfg.n_descriptor_sets, 2);
    cr_assert_str_eq(cfg.descriptor_sets[0], "a.pb");
    cr_assert_str_eq(cfg.descriptor_sets[1], "b.pb");
    cr_assert_str_eq(cfg.backend, "127.0.0.1:50051");
    cr_assert_str_eq(cfg.listen, "[::1]:9000");
    cr_assert_eq(cfg.timeout_ms, 250u);
    cr_assert(cfg.emit_unpopulated && cfg.proto_names && cfg.enums_as_ints);
    cr_assert(cfg.discard_unknown);
    cr_assert_not(cfg.swagger_ui);
    cr_assert_eq(cfg.max_body, 1u << 20);
    cr_assert_eq(cfg.stream_format, GW_STREAM_SSE);
}

Test(config, refuses_unknown_flags_and_missing_values)
{
    const char *unknown[] = {"serve", "--bogus"};
    const char *missing[] = {"serve", "--backend"};
    const char *bad[] = {"serve", "--timeout", "soon"};
    gb_err err = {0};
    cr_assert_eq(gw_config_parse_args(&cfg, 2, unknown, &err), GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "--bogus") != NULL, "%s", err.msg);
    cr_assert_eq(gw_config_parse_args(&cfg, 2, missing, &err), GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "--backend") != NULL, "%s", err.msg);
    cr_assert_eq(gw_config_parse_args(&cfg, 3, bad, &err), GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "soon") != NULL, "%s", err.msg);
}

Test(config, reads_every_section_of_a_config_file)
{
    gb_err err = {0};
    cr_assert_eq(json("{\"backend\":\"b:1\",\"timeout\":\"2s\","
                      "\"print\":{\"proto_names\":true},"
                      "\"limits\":{\"max_body\":1024,\"max_header\":\"16KiB\","
                      "\"idle_timeout\":\"5s\",\"request_timeout\":\"7s\"},"
                      "\"streaming\":{\"format\":\"array\"},"
                      "\"cors\":{\"allowed_origins\":[\"https://a.example\"]},"
                      "\"forward_headers\":[\"x-request-id\"],"
                      "\"backend_tls\":{\"ca_file\":\"ca.pem\",\"server_name\":\"api\"},"
                      "\"services\":{\"routeguide.RouteGuide\":{\"backend\":\"r:2\","
                      "\"tls\":{\"cert_file\":\"c.pem\",\"key_file\":\"k.pem\"}}}}",
                      &err),
                 0, "%s", err.msg);
    cr_assert_str_eq(cfg.backend, "b:1");
    cr_assert_eq(cfg.timeout_ms, 2000u);
    cr_assert(cfg.proto_names);
    cr_assert_eq(cfg.max_body, 1024u);
    cr_assert_eq(cfg.max_header, 16u << 10);
    cr_assert_eq(cfg.idle_timeout_s, 5u);
    cr_assert_eq(cfg.request_timeout_s, 7u);
    cr_assert_eq(cfg.stream_format, GW_STREAM_ARRAY);
    cr_assert_str_eq(cfg.cors_origins[0], "https://a.example");
    cr_assert_str_eq(cfg.forward_headers[0], "x-request-id");
    cr_assert(cfg.backend_tls.enabled);
    cr_assert_str_eq(cfg.backend_tls.ca_file, "ca.pem");
    gw_service_config scratch;
    const gw_service_config *s = gw_config_service(&cfg, "routeguide.RouteGuide", &scratch);
    cr_assert_str_eq(s->backend, "r:2");
    cr_assert_str_eq(s->tls.key_file, "k.pem");
    s = gw_config_service(&cfg, "helloworld.Greeter", &scratch);
    cr_assert_str_eq(s->backend, "b:1");
    cr_assert_str_eq(s->tls.server_name, "api");
}

Test(config, refuses_unknown_keys_naming_them)
{
    gb_err err = {0};
    cr_assert_eq(json("{\"limits\":{\"max_bodyy\":1}}", &err), GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "limits.max_bodyy: unknown key") != NULL, "%s", err.msg);
    cr_assert_eq(json("{\"lissten\":\"x\"}", &err), GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "lissten") != NULL, "%s", err.msg);
    cr_assert_eq(json("{\"services\":{\"a.B\":{\"backend\":\"x:1\",\"port\":1}}}", &err),
                 GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "services.a.B.port") != NULL, "%s", err.msg);
}

Test(config, refuses_values_of_the_wrong_type)
{
    gb_err err = {0};
    cr_assert_eq(json("{\"discard_unknown\":\"yes\"}", &err), GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "discard_unknown") != NULL, "%s", err.msg);
    cr_assert_eq(json("{\"streaming\":{\"format\":\"xml\"}}", &err), GW_ERR_CONFIG);
    cr_assert_eq(json("[1]", &err), GW_ERR_CONFIG);
    cr_assert_eq(json("{", &err), GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "invalid JSON") != NULL, "%s", err.msg);
}

Test(config, lets_flags_override_the_config_file)
{
    char path[] = "/tmp/gwcfgXXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char text[] = "{\"backend\":\"file:1\",\"listen\":\"127.0.0.1:1\"}";
    cr_assert_eq(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    const char *argv[] = {"serve", "--listen", "127.0.0.1:2", "--config", path};
    gb_err err = {0};
    int rc = gw_config_parse_args(&cfg, 5, argv, &err);
    unlink(path);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_str_eq(cfg.backend, "file:1");
    cr_assert_str_eq(cfg.listen, "127.0.0.1:2");
}

Test(config, names_a_missing_config_file)
{
    const char *argv[] = {"serve", "--config", "/nonexistent/gw.json"};
    gb_err err = {0};
    cr_assert_eq(gw_config_parse_args(&cfg, 3, argv, &err), GW_ERR_CONFIG);
    cr_assert(strstr(err.msg, "/nonexistent/gw.json") != NULL, "%s", err.msg);
}

Test(config, parses_durations_and_sizes)
{
    uint64_t ms;
    size_t sz;
    cr_assert_eq(gw_duration_parse("0", &ms), 0);
    cr_assert_eq(ms, 0u);
    cr_assert_eq(gw_duration_parse("1h", &ms), 0);
    cr_assert_eq(ms, 3600000u);
    cr_assert_eq(gw_duration_parse("10", &ms), -1);
    cr_assert_eq(gw_duration_parse("-1s", &ms), -1);
    cr_assert_eq(gw_size_parse("64KiB", &sz), 0);
    cr_assert_eq(sz, 65536u);
    cr_assert_eq(gw_size_parse("2M", &sz), 0);
    cr_assert_eq(sz, 2u << 20);
    cr_assert_eq(gw_size_parse("1G", &sz), -1);
}
