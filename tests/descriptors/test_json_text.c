/* Path variables and query parameters: one text value for a (nested) field. */
#include "test_json_common.h"

TestSuite(json_text, .init = load_pool, .fini = free_pool);

static void assert_text(const char *type, const char *path, const char *value, const char *want)
{
    gb_buf wire, json;
    gb_err err = {0};
    gb_buf_init(&wire, 0);
    gb_buf_init(&json, 0);
    cr_assert_eq(pbd_text_to_wire(msg(type), path, value, strlen(value), &wire, &err), 0,
                 "%s=%s: %s", path, value, err.msg);
    pbd_json_opts o = opts();
    cr_assert_eq(pbd_wire_to_json(msg(type), gb_slice_of(wire.p, wire.n), &o, &json, &err), 0, "%s",
                 err.msg);
    gb_buf_putc(&json, 0);
    cr_assert_str_eq((char *)json.p, want, "%s=%s", path, value);
    gb_buf_free(&wire);
    gb_buf_free(&json);
}

static void assert_text_refused(const char *type, const char *path, const char *value, int code,
                                const char *part)
{
    gb_buf wire;
    gb_err err = {0};
    gb_buf_init(&wire, 0);
    int rv = pbd_text_to_wire(msg(type), path, value, strlen(value), &wire, &err);
    cr_assert_eq(rv, code, "%s=%s: got %d (%s)", path, value, rv, err.msg);
    cr_assert(strstr(err.msg, part) != NULL, "message \"%s\" lacks \"%s\"", err.msg, part);
    cr_assert_eq(wire.n, 0);
    gb_buf_free(&wire);
}

Test(json_text, parses_scalars_from_their_text)
{
    assert_text("Scalars", "f_int64", "-9223372036854775808",
                "{\"fInt64\":\"-9223372036854775808\"}");
    assert_text("Scalars", "fUint64", "18446744073709551615",
                "{\"fUint64\":\"18446744073709551615\"}");
    assert_text("Scalars", "f_bool", "true", "{\"fBool\":true}");
    assert_text("Scalars", "f_bool", "1", "{\"fBool\":true}");
    assert_text("Scalars", "f_bool", "False", "{}");
    assert_text("Scalars", "f_double", "-Infinity", "{\"fDouble\":\"-Infinity\"}");
    assert_text("Scalars", "f_float", "1.5e2", "{\"fFloat\":150}");
    assert_text("Scalars", "f_enum", "BLUE", "{\"fEnum\":\"BLUE\"}");
    assert_text("Scalars", "f_enum", "2", "{\"fEnum\":\"GREEN\"}");
    assert_text("Scalars", "f_string", "a \"b\" {c}", "{\"fString\":\"a \\\"b\\\" {c}\"}");
    assert_text("Scalars", "f_bytes", "-_-_", "{\"fBytes\":\"+/+/\"}");
    assert_text("Scalars", "f_sint32", "-3", "{\"fSint32\":-3}");
}

Test(json_text, writes_defaults_so_that_they_override_the_body)
{
    gb_buf wire;
    gb_err err = {0};
    gb_buf_init(&wire, 0);
    cr_assert_eq(pbd_text_to_wire(msg("Scalars"), "f_int32", "0", 1, &wire, &err), 0);
    cr_assert_eq(wire.n, 2);
    cr_assert_eq(wire.p[0], 0x28);
    cr_assert_eq(wire.p[1], 0x00);
    gb_buf_free(&wire);
}

Test(json_text, follows_dotted_paths_of_proto_or_json_names)
{
    assert_text("All", "nested.child.name", "leaf", "{\"nested\":{\"child\":{\"name\":\"leaf\"}}}");
    assert_text("All", "names.customName", "9", "{\"names\":{\"customName\":9}}");
}

Test(json_text, appends_one_element_per_call_for_repeated_fields)
{
    gb_buf wire, json;
    gb_err err = {0};
    gb_buf_init(&wire, 0);
    gb_buf_init(&json, 0);
    cr_assert_eq(pbd_text_to_wire(msg("Repeated"), "r_int32", "1", 1, &wire, &err), 0);
    cr_assert_eq(pbd_text_to_wire(msg("Repeated"), "rInt32", "2", 1, &wire, &err), 0);
    cr_assert_eq(pbd_text_to_wire(msg("Repeated"), "r_string", "x", 1, &wire, &err), 0);
    pbd_json_opts o = opts();
    cr_assert_eq(pbd_wire_to_json(msg("Repeated"), gb_slice_of(wire.p, wire.n), &o, &json, &err),
                 0);
    gb_buf_putc(&json, 0);
    cr_assert_str_eq((char *)json.p, "{\"rInt32\":[1,2],\"rString\":[\"x\"]}");
    gb_buf_free(&wire);
    gb_buf_free(&json);
}

Test(json_text, parses_well_known_types_from_their_string_form)
{
    assert_text("Wkt", "ts", "2020-01-02T03:04:05.5+01:00",
                "{\"ts\":\"2020-01-02T02:04:05.500Z\"}");
    assert_text("Wkt", "dur", "-1.5s", "{\"dur\":\"-1.500s\"}");
    assert_text("Wkt", "mask", "a.bC,d", "{\"mask\":\"a.bC,d\"}");
    assert_text("Wkt", "w_int64", "5", "{\"wInt64\":\"5\"}");
    assert_text("Wkt", "w_bool", "false", "{\"wBool\":false}");
    assert_text("Wkt", "w_string", "s", "{\"wString\":\"s\"}");
}

Test(json_text, names_the_parameter_in_errors)
{
    assert_text_refused("All", "scalars.f_int32", "abc", PBD_ERR_JSON_TYPE,
                        "scalars.f_int32: expected int32, got string \"abc\"");
    assert_text_refused("All", "scalars.f_int32", "", PBD_ERR_JSON_TYPE, "expected int32");
    assert_text_refused("All", "scalars.f_uint32", "-1", PBD_ERR_JSON_RANGE, "scalars.f_uint32");
    assert_text_refused("All", "scalars.f_bool", "yes", PBD_ERR_JSON_TYPE, "expected bool");
    assert_text_refused("All", "scalars.f_enum", "PINK", PBD_ERR_JSON_ENUM, "unknown value");
    assert_text_refused("All", "wkt.ts", "yesterday", PBD_ERR_JSON_VALUE,
                        "wkt.ts: expected an RFC 3339 Timestamp");
    assert_text_refused("All", "scalars.f_string", "\xff", PBD_ERR_JSON_VALUE,
                        "parameter \"scalars.f_string\": invalid UTF-8");
}

Test(json_text, refuses_paths_that_name_no_settable_field)
{
    assert_text_refused("All", "nested.nope", "1", PBD_ERR_FIELD_PATH,
                        "parameter \"nested.nope\": no field \"nope\" in codec.test.Nested");
    assert_text_refused("All", "repeated.r_nested.id", "1", PBD_ERR_FIELD_PATH,
                        "\"r_nested\" is not a singular message field");
    assert_text_refused("All", "scalars.f_int32.x", "1", PBD_ERR_FIELD_PATH,
                        "\"f_int32\" is not a singular message field");
    assert_text_refused("All", "nested", "1", PBD_ERR_FIELD_PATH, "has no text form");
    assert_text_refused("Maps", "m_string", "1", PBD_ERR_FIELD_PATH, "has no text form");
    assert_text_refused("Wkt", "st", "{}", PBD_ERR_FIELD_PATH, "has no text form");
}

Test(json_text, takes_an_empty_value_without_storage)
{
    gb_buf wire;
    gb_err err = {0};
    gb_buf_init(&wire, 0);
    cr_assert_eq(pbd_text_to_wire(msg("Scalars"), "f_string", NULL, 0, &wire, &err), 0);
    cr_assert_eq(wire.n, 2);
    cr_assert_eq(pbd_text_to_wire(msg("Scalars"), "f_int32", NULL, 0, &wire, &err),
                 PBD_ERR_JSON_TYPE);
    gb_buf_free(&wire);
}

Test(json_text, sets_map_entries_by_key)
{
    assert_text("Maps", "m_string[a.b]", "v", "{\"mString\":{\"a.b\":\"v\"}}");
    assert_text("Maps", "mInt32[-5]", "7", "{\"mInt32\":{\"-5\":7}}");
    assert_text("Maps", "m_bool[true]", "x", "{\"mBool\":{\"true\":\"x\"}}");
    assert_text("Maps", "m_sfixed64[3]", "BLUE", "{\"mSfixed64\":{\"3\":\"BLUE\"}}");
    assert_text("Maps", "m_ts[k]", "1970-01-01T00:00:01Z",
                "{\"mTs\":{\"k\":\"1970-01-01T00:00:01Z\"}}");
    assert_text("All", "maps.m_string[]", "e", "{\"maps\":{\"mString\":{\"\":\"e\"}}}");
    assert_text_refused("Maps", "mInt32[x]", "1", PBD_ERR_JSON_TYPE,
                        "expected int32, got string \"x\"");
    assert_text_refused("Maps", "m_nested[k]", "1", PBD_ERR_FIELD_PATH, "has no text form");
    assert_text_refused("Scalars", "f_int32[k]", "1", PBD_ERR_FIELD_PATH,
                        "\"f_int32\" is not a map");
    assert_text_refused("Maps", "m_string[k", "1", PBD_ERR_FIELD_PATH, "malformed map key");
}
