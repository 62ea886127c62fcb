/* Well-known types both ways, as the ProtoJSON spec writes them, and their errors. */
#include "test_json_common.h"

TestSuite(json_wkt, .init = load_pool, .fini = free_pool);

Test(json_wkt, normalizes_timestamps_to_utc_with_0_3_6_or_9_digits)
{
    assert_round_trip("Wkt", "{\"ts\":\"1972-01-01T10:00:20.021-05:00\"}",
                      "{\"ts\":\"1972-01-01T15:00:20.021Z\"}");
    assert_round_trip("Wkt", "{\"ts\":\"2000-01-01T00:00:00.1+01:30\"}",
                      "{\"ts\":\"1999-12-31T22:30:00.100Z\"}");
    assert_round_trip("Wkt", "{\"ts\":\"2000-01-01T00:00:00.000001z\"}",
                      "{\"ts\":\"2000-01-01T00:00:00.000001Z\"}");
    assert_round_trip("Wkt", "{\"ts\":\"1969-12-31T23:59:59.123456789Z\"}",
                      "{\"ts\":\"1969-12-31T23:59:59.123456789Z\"}");
    assert_round_trip("Wkt", "{\"ts\":\"1970-01-01T00:00:00Z\"}",
                      "{\"ts\":\"1970-01-01T00:00:00Z\"}");
    assert_round_trip("Wkt",
                      "{\"stamps\":[\"0001-01-01T00:00:00Z\","
                      "\"9999-12-31T23:59:59.999999999Z\"]}",
                      "{\"stamps\":[\"0001-01-01T00:00:00Z\",\"9999-12-31T23:59:59.999999999Z\"]}");
}

Test(json_wkt, refuses_timestamps_out_of_range_or_malformed)
{
    assert_refused("Wkt", "{\"ts\":\"0001-01-01T00:00:00+00:01\"}", PBD_ERR_JSON_RANGE,
                   "ts: Timestamp out of range");
    assert_refused("Wkt", "{\"ts\":\"2021-02-29T00:00:00Z\"}", PBD_ERR_JSON_VALUE,
                   "ts: expected an RFC 3339 Timestamp, got \"2021-02-29T00:00:00Z\"");
    assert_refused("Wkt", "{\"ts\":\"2020-01-01 00:00:00Z\"}", PBD_ERR_JSON_VALUE, "RFC 3339");
    assert_refused("Wkt", "{\"ts\":\"2020-01-01T00:00:00.1234567890Z\"}", PBD_ERR_JSON_VALUE,
                   "RFC 3339");
    assert_refused("Wkt", "{\"ts\":\"2020-01-01T00:00:00\"}", PBD_ERR_JSON_VALUE, "RFC 3339");
    assert_refused("Wkt", "{\"ts\":1}", PBD_ERR_JSON_TYPE, "ts: expected Timestamp, got number");
}

Test(json_wkt, writes_durations_with_sign_and_0_3_6_or_9_digits)
{
    assert_round_trip("Wkt", "{\"dur\":\"1.5s\"}", "{\"dur\":\"1.500s\"}");
    assert_round_trip("Wkt", "{\"dur\":\"-0.000000001s\"}", "{\"dur\":\"-0.000000001s\"}");
    assert_round_trip("Wkt", "{\"dur\":\"-3.0001s\"}", "{\"dur\":\"-3.000100s\"}");
    assert_round_trip("Wkt", "{\"dur\":\"0s\"}", "{\"dur\":\"0s\"}");
    assert_round_trip("Wkt", "{\"dur\":\"315576000000.999999999s\"}",
                      "{\"dur\":\"315576000000.999999999s\"}");
}

Test(json_wkt, refuses_durations_out_of_range_or_malformed)
{
    assert_refused("Wkt", "{\"dur\":\"315576000001s\"}", PBD_ERR_JSON_RANGE,
                   "dur: Duration out of range");
    assert_refused("Wkt", "{\"dur\":\"1\"}", PBD_ERR_JSON_VALUE, "expected a Duration");
    assert_refused("Wkt", "{\"dur\":\"1.s\"}", PBD_ERR_JSON_VALUE, "expected a Duration");
    assert_refused("Wkt", "{\"dur\":\"+1s\"}", PBD_ERR_JSON_VALUE, "expected a Duration");
}

Test(json_wkt, refuses_durations_with_inconsistent_signs_on_the_wire)
{
    /* dur (3) { seconds: 1, nanos: -1 } */
    static const uint8_t wire[] = {0x1a, 0x0d, 0x08, 0x01, 0x10, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_wire_refused("Wkt", wire, sizeof(wire), PBD_ERR_JSON_VALUE,
                        "dur: Duration out of range: seconds 1, nanos -1");
}

Test(json_wkt, converts_field_masks_between_camel_and_snake_case)
{
    assert_wire("Wkt", "{\"mask\":\"fooBar.bazQux,x\"}",
                "3a 14 0a 0f 66 6f 6f 5f 62 61 72 2e 62 61 7a 5f 71 75 78 0a 01 78");
    assert_round_trip("Wkt", "{\"mask\":\"fooBar.bazQux,x\"}", "{\"mask\":\"fooBar.bazQux,x\"}");
    assert_round_trip("Wkt", "{\"mask\":\"\"}", "{\"mask\":\"\"}");
    assert_refused("Wkt", "{\"mask\":\"foo_bar\"}", PBD_ERR_JSON_VALUE,
                   "mask: FieldMask paths are lowerCamel");
}

Test(json_wkt, refuses_field_mask_paths_without_a_camel_form)
{
    /* mask (7) { paths: "foo_1" } */
    static const uint8_t wire[] = {0x3a, 0x07, 0x0a, 0x05, 'f', 'o', 'o', '_', '1'};
    assert_wire_refused("Wkt", wire, sizeof(wire), PBD_ERR_JSON_VALUE,
                        "mask: FieldMask path \"foo_1\" has no lowerCamel form");
}

Test(json_wkt, maps_struct_value_and_list_value_to_plain_json)
{
    assert_round_trip("Wkt", "{\"st\":{\"a\":[1,\"x\",null,true,{\"b\":{}}]}}",
                      "{\"st\":{\"a\":[1,\"x\",null,true,{\"b\":{}}]}}");
    assert_round_trip("Wkt", "{\"val\":2.5,\"list\":[[],{}]}", "{\"val\":2.5,\"list\":[[],{}]}");
    assert_round_trip("Wkt", "{\"val\":null}", "{\"val\":null}");
    assert_round_trip("Wkt", "{\"st\":{}}", "{\"st\":{}}");
    assert_wire("Wkt", "{\"val\":\"s\"}", "2a 03 1a 01 73");
    assert_wire("Wkt", "{\"val\":true}", "2a 02 20 01");
}

Test(json_wkt, refuses_struct_nesting_past_the_limit)
{
    enum { DEPTH = 60 };
    char json[16 + DEPTH * 8];
    size_t n = (size_t)snprintf(json, sizeof(json), "{\"st\":");
    for (int i = 0; i < DEPTH; i++)
        n += (size_t)snprintf(json + n, sizeof(json) - n, "{\"a\":");
    n += (size_t)snprintf(json + n, sizeof(json) - n, "1");
    memset(json + n, '}', DEPTH + 1);
    json[n + DEPTH + 1] = '\0';
    assert_refused("Wkt", json, PBD_ERR_DEPTH, "st.a.a.a");
}

Test(json_wkt, prints_wrappers_as_bare_values_and_null_as_unset)
{
    assert_round_trip("Wkt",
                      "{\"wInt64\":\"-5\",\"wUint32\":7,\"wBool\":false,\"wString\":\"\","
                      "\"wBytes\":\"AQ==\",\"wFloat\":\"NaN\",\"wDouble\":null}",
                      "{\"wFloat\":\"NaN\",\"wInt64\":\"-5\",\"wUint32\":7,\"wBool\":false,"
                      "\"wString\":\"\",\"wBytes\":\"AQ==\"}");
    assert_wire("Wkt", "{\"wInt32\":0}", "6a 00");
    assert_refused("Wkt", "{\"wInt32\":\"x\"}", PBD_ERR_JSON_TYPE,
                   "wInt32: expected int32, got string \"x\"");
}

Test(json_wkt, inlines_any_payload_fields_after_the_type)
{
    assert_round_trip("Wkt",
                      "{\"any\":{\"id\":7,\"@type\":\"type.googleapis.com/codec.test.Nested\"}}",
                      "{\"any\":{\"@type\":\"type.googleapis.com/codec.test.Nested\",\"id\":7}}");
    assert_round_trip("Wkt", "{\"any\":{}}", "{\"any\":{}}");
}

Test(json_wkt, puts_well_known_any_payloads_under_value)
{
    assert_round_trip(
        "Wkt",
        "{\"any\":{\"@type\":\"type.googleapis.com/google.protobuf.Duration\",\"value\":\"2s\"}}",
        "{\"any\":{\"@type\":\"type.googleapis.com/google.protobuf.Duration\",\"value\":\"2s\"}}");
    assert_round_trip("Wkt",
                      "{\"any\":{\"@type\":\"x/google.protobuf.Any\",\"value\":"
                      "{\"@type\":\"y/codec.test.Nested\",\"name\":\"n\"}}}",
                      "{\"any\":{\"@type\":\"x/google.protobuf.Any\",\"value\":"
                      "{\"@type\":\"y/codec.test.Nested\",\"name\":\"n\"}}}");
}

Test(json_wkt, refuses_any_without_a_resolvable_type)
{
    assert_refused("Wkt", "{\"any\":{\"id\":1}}", PBD_ERR_JSON_TYPE,
                   "any: an Any needs a string \"@type\"");
    assert_refused("Wkt", "{\"any\":{\"@type\":\"type.googleapis.com/no.Such\"}}", PBD_ERR_ANY_TYPE,
                   "any: cannot resolve Any type \"type.googleapis.com/no.Such\"");
    assert_refused("Wkt", "{\"any\":{\"@type\":\"x/google.protobuf.Duration\"}}", PBD_ERR_JSON_TYPE,
                   "needs a \"value\" member");
    assert_refused("Wkt", "{\"any\":{\"@type\":\"x/codec.test.Nested\",\"bad\":1}}",
                   PBD_ERR_JSON_FIELD, "any.bad: no such field in codec.test.Nested");
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o;
    pbd_json_opts_init(&o);
    const char *json = "{\"any\":{\"@type\":\"x/codec.test.Nested\"}}";
    cr_assert_eq(encode_with("Wkt", json, &o, &out, &err), PBD_ERR_ANY_TYPE,
                 "without a pool, no type resolves");
    gb_buf_free(&out);
}

Test(json_wkt, accepts_empty_as_an_empty_object)
{
    assert_wire("Wkt", "{\"empty\":{}}", "42 00");
    assert_round_trip("Wkt", "{\"empty\":{}}", "{\"empty\":{}}");
    assert_refused("Wkt", "{\"empty\":{\"x\":1}}", PBD_ERR_JSON_FIELD, "empty.x: no such field");
}

Test(json_wkt, refuses_a_value_number_that_json_cannot_hold)
{
    /* val (5) { number_value (2): NaN } */
    static const uint8_t wire[] = {0x2a, 0x09, 0x11, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f};
    assert_wire_refused("Wkt", wire, sizeof(wire), PBD_ERR_JSON_VALUE,
                        "val: a Value cannot hold NaN or an infinity in JSON");
}
