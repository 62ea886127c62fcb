/* JSON -> wire: the ProtoJSON input rules, byte by byte, and the errors users see. */
#include "test_json_common.h"

#include <stdlib.h>

TestSuite(json_encode, .init = load_pool, .fini = free_pool);

Test(json_encode, writes_every_scalar_type_in_field_number_order)
{
    assert_wire("Scalars",
                "{\"fSint64\":\"-2\",\"fInt32\":150,\"fDouble\":1.5,\"fFloat\":-2,"
                "\"fInt64\":\"-1\",\"fUint64\":\"1\",\"fFixed64\":\"2\",\"fFixed32\":3,"
                "\"fBool\":true,\"fString\":\"hi\",\"fBytes\":\"AQI=\",\"fUint32\":4,"
                "\"fEnum\":\"BLUE\",\"fSfixed32\":-1,\"fSfixed64\":\"-1\",\"fSint32\":-1}",
                "09 00 00 00 00 00 00 f8 3f 15 00 00 00 c0 "
                "18 ff ff ff ff ff ff ff ff ff 01 20 01 28 96 01 31 02 00 00 00 00 00 00 00 "
                "3d 03 00 00 00 40 01 4a 02 68 69 62 02 01 02 68 04 70 03 "
                "7d ff ff ff ff 81 01 ff ff ff ff ff ff ff ff 88 01 01 90 01 03");
}

Test(json_encode, omits_implicit_fields_at_their_default)
{
    assert_wire("Scalars", "{\"fInt32\":0,\"fString\":\"\",\"fBool\":false,\"fEnum\":0}", "");
    assert_wire("Scalars", "{\"fDouble\":-0.0}", "09 00 00 00 00 00 00 00 80");
}

Test(json_encode, reads_64_bit_integers_exactly_from_numbers_and_strings)
{
    assert_wire("Scalars", "{\"fInt64\":9007199254740993}", "18 81 80 80 80 80 80 80 10");
    assert_wire("Scalars", "{\"fInt64\":\"9007199254740993\"}", "18 81 80 80 80 80 80 80 10");
    assert_wire("Scalars", "{\"fUint64\":18446744073709551615}",
                "20 ff ff ff ff ff ff ff ff ff 01");
    assert_wire("Scalars", "{\"fInt64\":\"-9223372036854775808\"}",
                "18 80 80 80 80 80 80 80 80 80 01");
}

Test(json_encode, accepts_exponents_for_exact_integers)
{
    assert_wire("Scalars", "{\"fInt32\":1e3}", "28 e8 07");
    assert_wire("Scalars", "{\"fInt32\":\"1.5e1\"}", "28 0f");
    assert_wire("Scalars", "{\"fInt32\":-0}", "");
    assert_wire("Scalars", "{\"fUint64\":1.8e19}", "20 80 80 a0 a8 9c 94 b6 e6 f9 01");
}

Test(json_encode, refuses_integers_out_of_range_or_with_a_fraction)
{
    assert_refused("Scalars", "{\"fInt32\":2147483648}", PBD_ERR_JSON_RANGE,
                   "fInt32: int32 out of range or not an integer: 2147483648");
    assert_refused("Scalars", "{\"fUint32\":-1}", PBD_ERR_JSON_RANGE, "fUint32: uint32");
    assert_refused("Scalars", "{\"fInt64\":\"9223372036854775808\"}", PBD_ERR_JSON_RANGE,
                   "int64 out of range");
    assert_refused("Scalars", "{\"fUint64\":\"18446744073709551616\"}", PBD_ERR_JSON_RANGE,
                   "uint64");
    assert_refused("Scalars", "{\"fInt32\":1.5}", PBD_ERR_JSON_RANGE, "not an integer: 1.5");
    assert_refused("Scalars", "{\"fInt32\":1e400}", PBD_ERR_JSON_RANGE, "fInt32");
}

Test(json_encode, says_what_it_expected_and_what_it_got)
{
    assert_refused("Scalars", "{\"fInt32\":\"abc\"}", PBD_ERR_JSON_TYPE,
                   "fInt32: expected int32, got string \"abc\"");
    assert_refused("Scalars", "{\"fInt32\":\"\"}", PBD_ERR_JSON_TYPE,
                   "expected int32, got string \"\"");
    assert_refused("Scalars", "{\"fInt32\":\" 1\"}", PBD_ERR_JSON_TYPE, "expected int32");
    assert_refused("Scalars", "{\"fBool\":\"true\"}", PBD_ERR_JSON_TYPE,
                   "fBool: expected bool, got string \"true\"");
    assert_refused("Scalars", "{\"fString\":5}", PBD_ERR_JSON_TYPE,
                   "fString: expected string, got number 5");
    assert_refused("Scalars", "{\"fDouble\":{}}", PBD_ERR_JSON_TYPE,
                   "fDouble: expected double, got object");
    assert_refused("Scalars", "[]", PBD_ERR_JSON_TYPE,
                   "(root): expected codec.test.Scalars, got array");
}

Test(json_encode, names_the_json_path_the_user_wrote)
{
    assert_refused("All", "{\"repeated\":{\"rNested\":[{},{},{\"id\":\"x\"}]}}", PBD_ERR_JSON_TYPE,
                   "repeated.rNested[2].id: expected int32, got string \"x\"");
    assert_refused("All", "{\"maps\":{\"m_nested\":{\"k\":{\"child\":{\"id\":true}}}}}",
                   PBD_ERR_JSON_TYPE, "maps.m_nested[\"k\"].child.id: expected int32, got true");
    assert_refused("All", "{\"nested\":{\"oops\":1}}", PBD_ERR_JSON_FIELD,
                   "nested.oops: no such field in codec.test.Nested");
}

Test(json_encode, reads_floats_from_numbers_strings_and_special_names)
{
    assert_wire("Scalars", "{\"fDouble\":\"NaN\"}", "09 00 00 00 00 00 00 f8 7f");
    assert_wire("Scalars", "{\"fDouble\":\"-Infinity\"}", "09 00 00 00 00 00 00 f0 ff");
    assert_wire("Scalars", "{\"fFloat\":\"Infinity\"}", "15 00 00 80 7f");
    assert_wire("Scalars", "{\"fFloat\":\"2.5e0\"}", "15 00 00 20 40");
    assert_wire("Scalars", "{\"fFloat\":3.4028234663852886e38}", "15 ff ff 7f 7f");
}

Test(json_encode, refuses_floats_beyond_their_range)
{
    assert_refused("Scalars", "{\"fFloat\":3.5e38}", PBD_ERR_JSON_RANGE,
                   "fFloat: float out of range: 3.5e38");
    assert_refused("Scalars", "{\"fDouble\":1e309}", PBD_ERR_JSON_RANGE, "double out of range");
    assert_refused("Scalars", "{\"fDouble\":\"nan\"}", PBD_ERR_JSON_TYPE, "expected double");
}

Test(json_encode, decodes_base64_standard_or_url_safe_padded_or_not)
{
    assert_wire("Scalars", "{\"fBytes\":\"+/+/AQ==\"}", "62 04 fb ff bf 01");
    assert_wire("Scalars", "{\"fBytes\":\"-_-_AQ\"}", "62 04 fb ff bf 01");
    assert_wire("Scalars", "{\"fBytes\":\"\\u002b/+/\"}", "62 03 fb ff bf");
    assert_refused("Scalars", "{\"fBytes\":\"!!\"}", PBD_ERR_JSON_VALUE,
                   "fBytes: invalid base64 \"!!\"");
}

Test(json_encode, writes_bytes_of_every_padding_and_omits_only_implicit_empty_ones)
{
    assert_wire("Scalars", "{\"fBytes\":\"AQ\"}", "62 01 01");
    assert_wire("Scalars", "{\"fBytes\":\"AQI\"}", "62 02 01 02");
    assert_wire("Scalars", "{\"fBytes\":\"AQID\"}", "62 03 01 02 03");
    assert_wire("Scalars", "{\"fBytes\":\"\"}", "");
    assert_wire("Repeated", "{\"rBytes\":[\"\",\"AQ==\"]}", "62 00 62 01 01");
    assert_refused("Scalars", "{\"fBytes\":\"AQIDB\"}", PBD_ERR_JSON_VALUE,
                   "fBytes: invalid base64 \"AQIDB\"");
    assert_refused("Scalars", "{\"fBytes\":\"=\"}", PBD_ERR_JSON_VALUE, "invalid base64");
}

/* A large `bytes` field: its length takes three varint bytes, and a bad character at the
 * very end refuses the whole text with nothing left in the output. */
Test(json_encode, decodes_large_bytes_and_refuses_a_bad_last_character)
{
    enum { RAW = 300000 };
    size_t b64 = (RAW + 2) / 3 * 4;
    char *json = malloc(b64 + 16);
    cr_assert_not_null(json);
    memcpy(json, "{\"fBytes\":\"", 11);
    for (size_t i = 0; i < b64; i++)
        json[11 + i] = "AQID"[i % 4];
    memcpy(json + 11 + b64, "\"}", 3);
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    cr_assert_eq(encode_with("Scalars", json, &o, &out, &err), 0, "%s", err.msg);
    static const uint8_t head[] = {0x62, 0xe0, 0xa7, 0x12};
    cr_assert_eq(out.n, sizeof(head) + RAW);
    cr_assert_eq(memcmp(out.p, head, sizeof(head)), 0);
    for (size_t i = 0; i < RAW; i++)
        cr_assert_eq(out.p[sizeof(head) + i], i % 3 + 1, "byte %zu", i);
    gb_buf_free(&out);
    json[11 + b64 - 1] = '.';
    gb_buf_init(&out, 0);
    cr_assert_eq(pbd_json_to_wire(msg("Scalars"), json, strlen(json), &o, &out, &err),
                 PBD_ERR_JSON_VALUE);
    cr_assert_eq(out.n, 0);
    gb_buf_free(&out);
    free(json);
}

Test(json_encode, unescapes_strings_and_refuses_lone_surrogates)
{
    assert_wire("Scalars", "{\"fString\":\"\\u00e9\\ud83d\\ude00\\n\"}",
                "4a 07 c3 a9 f0 9f 98 80 0a");
    assert_refused("Scalars", "{\"fString\":\"\\ud800\"}", PBD_ERR_JSON_VALUE,
                   "fString: unpaired surrogate");
}

Test(json_encode, reads_enums_by_name_alias_or_number)
{
    assert_wire("Scalars", "{\"fEnum\":\"CRIMSON\"}", "70 01");
    assert_wire("Scalars", "{\"fEnum\":3}", "70 03");
    assert_wire("Scalars", "{\"fEnum\":\"2\"}", "70 02");
    assert_wire("Scalars", "{\"fEnum\":-7}", "70 f9 ff ff ff ff ff ff ff ff 01");
    assert_refused("Scalars", "{\"fEnum\":\"PURPLE\"}", PBD_ERR_JSON_ENUM,
                   "fEnum: unknown value \"PURPLE\" of enum codec.test.Color");
}

Test(json_encode, skips_unknown_fields_and_enum_names_when_asked)
{
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    o.ignore_unknown = true;
    cr_assert_eq(encode_with("Scalars",
                             "{\"x\":{\"deep\":[1,{}]},\"fEnum\":\"PURPLE\",\"fInt32\":1}", &o,
                             &out, &err),
                 0, "%s", err.msg);
    cr_assert_eq(out.n, 2);
    cr_assert_eq(out.p[0], 0x28);
    gb_buf_free(&out);
    cr_assert_eq(
        encode_with("Repeated", "{\"rEnum\":[\"PINK\"],\"uEnum\":[\"PINK\"]}", &o, &out, &err), 0,
        "%s", err.msg);
    cr_assert_eq(out.n, 0, "nothing is left of a repeated field whose names are all unknown");
    gb_buf_free(&out);
}

Test(json_encode, accepts_proto_names_and_json_names)
{
    assert_wire("Names", "{\"field_one\":1,\"customName\":2,\"renamed\":3}", "08 01 10 03");
    assert_wire("Names", "{\"alreadyCamelCase\":1,\"already_camelCase\":2}", "18 02");
    assert_refused("Names", "{\"Renamed\":1}", PBD_ERR_JSON_FIELD, "Renamed: no such field");
}

Test(json_encode, lets_the_last_duplicate_key_win)
{
    assert_wire("Scalars", "{\"fInt32\":1,\"f_int32\":2,\"fInt32\":3}", "28 03");
    assert_wire("Repeated", "{\"rInt32\":[1,2],\"rInt32\":[3]}", "2a 01 03");
}

Test(json_encode, treats_null_as_the_default)
{
    assert_wire("Scalars", "{\"fInt32\":null,\"fString\":null}", "");
    assert_wire("All", "{\"nested\":null,\"repeated\":null}", "");
    assert_wire("Repeated", "{\"rInt32\":null,\"rNested\":null}", "");
    assert_wire("Wkt", "{\"val\":null}", "2a 02 08 00");
    assert_wire("Wkt", "{\"wInt32\":null}", "");
    assert_wire("Oneofs", "{\"dNull\":null}", "20 00");
}

Test(json_encode, packs_repeated_scalars_and_leaves_unpacked_ones_alone)
{
    assert_wire("Repeated", "{\"rInt32\":[1,-1],\"uInt32\":[1,2]}",
                "2a 0b 01 ff ff ff ff ff ff ff ff ff 01 a0 01 01 a0 01 02");
    assert_wire("Repeated", "{\"rFixed32\":[1,2],\"rString\":[\"a\",\"\"]}",
                "3a 08 01 00 00 00 02 00 00 00 4a 01 61 4a 00");
    assert_wire("Repeated", "{\"rNested\":[{},{\"id\":1}]}", "9a 01 00 9a 01 02 08 01");
}

Test(json_encode, refuses_null_elements_and_non_arrays)
{
    assert_refused("Repeated", "{\"rInt32\":[1,null]}", PBD_ERR_JSON_TYPE,
                   "rInt32[1]: null is not allowed");
    assert_refused("Repeated", "{\"rNested\":[null]}", PBD_ERR_JSON_TYPE, "rNested[0]: null");
    assert_refused("Repeated", "{\"rInt32\":1}", PBD_ERR_JSON_TYPE,
                   "rInt32: expected array, got number 1");
}

Test(json_encode, writes_map_entries_with_key_and_value_for_every_key_type)
{
    assert_wire("Maps", "{\"mString\":{\"a\":\"\"}}", "0a 05 0a 01 61 12 00");
    assert_wire("Maps", "{\"mInt32\":{\"-1\":0}}", "12 0d 08 ff ff ff ff ff ff ff ff ff 01 10 00");
    assert_wire("Maps", "{\"mBool\":{\"true\":\"t\",\"false\":\"f\"}}",
                "62 05 08 01 12 01 74 62 05 08 00 12 01 66");
    assert_wire("Maps", "{\"mSint32\":{\"-1\":1}}", "32 04 08 01 10 02");
    assert_wire("Maps", "{\"mFixed64\":{\"1\":true}}", "4a 0b 09 01 00 00 00 00 00 00 00 10 01");
    assert_wire("Maps", "{\"mUint64\":{\"18446744073709551615\":\"1\"}}",
                "2a 0d 08 ff ff ff ff ff ff ff ff ff 01 10 01");
    assert_wire("Maps", "{\"mNested\":{\"k\":{}}}", "6a 05 0a 01 6b 12 00");
}

Test(json_encode, refuses_map_keys_of_the_wrong_form)
{
    assert_refused("Maps", "{\"mInt32\":{\"x\":1}}", PBD_ERR_JSON_TYPE,
                   "mInt32[\"x\"]: expected int32, got string \"x\"");
    assert_refused("Maps", "{\"mBool\":{\"yes\":\"\"}}", PBD_ERR_JSON_TYPE,
                   "mBool[\"yes\"]: expected bool");
    assert_refused("Maps", "{\"mInt32\":[1]}", PBD_ERR_JSON_TYPE, "expected object (map)");
    assert_refused("Maps", "{\"mInt32\":{\"1\":null}}", PBD_ERR_JSON_TYPE,
                   "mInt32[\"1\"]: null is not allowed");
}

Test(json_encode, refuses_two_members_of_a_oneof_and_ignores_null_ones)
{
    assert_refused("Oneofs", "{\"aInt\":1,\"bStr\":\"x\"}", PBD_ERR_JSON_ONEOF,
                   "fields \"aInt\" and \"bStr\" of oneof choice are both set");
    assert_wire("Oneofs", "{\"aInt\":null,\"bStr\":\"x\"}", "12 01 78");
    assert_wire("Oneofs", "{\"aInt\":0}", "08 00");
}

Test(json_encode, writes_proto3_optional_fields_at_their_default)
{
    assert_wire("Optionals", "{\"oInt\":0,\"oStr\":\"\",\"oEnum\":\"COLOR_UNSPECIFIED\"}",
                "08 00 12 00 18 00");
}

Test(json_encode, back_patches_lengths_past_127_bytes)
{
    char json[400];
    snprintf(json, sizeof(json), "{\"child\":{\"name\":\"%0200d\"}}", 0);
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    cr_assert_eq(encode_with("Nested", json, &o, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(out.n, 3 + 3 + 200);
    cr_assert_eq(out.p[0], 0x1a);
    cr_assert_eq(out.p[1], 0xcb); /* 203 = 0xcb 0x01 */
    cr_assert_eq(out.p[2], 0x01);
    cr_assert_eq(out.p[3], 0x12);
    cr_assert_eq(out.p[4], 0xc8);
    cr_assert_eq(out.p[5], 0x01);
    gb_buf_free(&out);
}

Test(json_encode, refuses_nesting_past_the_limit_without_overflowing_the_stack)
{
    enum { DEPTH = 100000 };
    char *json = malloc(DEPTH * 10 + 16);
    size_t n = 0;
    for (int i = 0; i < DEPTH; i++)
        n += (size_t)snprintf(json + n, 11, "{\"child\":");
    json[n++] = '1';
    memset(json + n, '}', DEPTH);
    json[n + DEPTH] = '\0';
    assert_refused("Nested", json, PBD_ERR_DEPTH, "nested deeper than");
    free(json);
}

Test(json_encode, honours_a_configured_depth_limit)
{
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    o.max_depth = 3;
    cr_assert_eq(encode_with("Nested", "{\"child\":{\"child\":{}}}", &o, &out, &err), 0);
    gb_buf_free(&out);
    cr_assert_eq(encode_with("Nested", "{\"child\":{\"child\":{\"child\":{}}}}", &o, &out, &err),
                 PBD_ERR_DEPTH);
    cr_assert_str_eq(err.msg, "child.child.child: nested deeper than 3 levels");
    gb_buf_free(&out);
}

Test(json_encode, refuses_malformed_json_with_its_position)
{
    assert_refused("Scalars", "{\"fInt32\":1,}", PBD_ERR_JSON_SYNTAX,
                   "invalid JSON at line 1 column 13");
    assert_refused("Scalars", "{\n \"a\" 1}", PBD_ERR_JSON_SYNTAX, "line 2 column 6: expected ':'");
    assert_refused("Scalars", "{} x", PBD_ERR_JSON_SYNTAX, "trailing characters");
    assert_refused("Scalars", "{\"fDouble\":NaN}", PBD_ERR_JSON_SYNTAX, "unexpected character");
    assert_refused("Scalars", "{\"fInt32\":01}", PBD_ERR_JSON_SYNTAX, "expected ',' or '}'");
    assert_refused("Scalars", "\"\xff\"", PBD_ERR_JSON_SYNTAX, "invalid UTF-8");
    assert_refused("Scalars", "", PBD_ERR_JSON_SYNTAX, "unexpected end of input");
}

Test(json_encode, encodes_one_field_for_a_body_field_rule)
{
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    gb_buf_init(&out, 0);
    const char *json = "{\"id\":1}";
    cr_assert_eq(pbd_json_to_wire_field(msg("All"), "nested", json, strlen(json), &o, &out, &err),
                 0, "%s", err.msg);
    cr_assert_eq(out.n, 4);
    cr_assert_eq(memcmp(out.p, "\x3a\x02\x08\x01", 4), 0);
    gb_buf_reset(&out);
    cr_assert_eq(pbd_json_to_wire_field(msg("All"), "nope", json, strlen(json), &o, &out, &err),
                 PBD_ERR_FIELD_PATH);
    cr_assert_eq(pbd_json_to_wire_field(msg("Repeated"), "r_int32", "[1,2]", 5, &o, &out, &err), 0);
    cr_assert_eq(out.n, 4);
    gb_buf_free(&out);
}

Test(json_encode, stops_at_the_output_limit)
{
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    gb_buf_init(&out, 8);
    const char *json = "{\"fString\":\"0123456789\"}";
    cr_assert_eq(pbd_json_to_wire(msg("Scalars"), json, strlen(json), &o, &out, &err),
                 GB_ERR_LIMIT);
    cr_assert_eq(out.n, 0);
    gb_buf_free(&out);
}

Test(json_encode, describes_its_error_codes)
{
    for (int code = PBD_ERR_JSON_INTERNAL; code <= PBD_ERR_JSON_SYNTAX; code++)
        cr_assert_str_neq(pbd_strerror(code), "unknown error", "%d", code);
}

Test(json_encode, handles_empty_strings_for_every_string_form)
{
    assert_refused("Scalars", "{\"fInt32\":\"\\u0031\\u0032x\"}", PBD_ERR_JSON_TYPE, "fInt32");
    assert_refused("Wkt", "{\"any\":{\"@type\":\"\"}}", PBD_ERR_ANY_TYPE, "cannot resolve");
    assert_refused("Wkt", "{\"dur\":\"\"}", PBD_ERR_JSON_VALUE, "expected a Duration");
    assert_wire("Wkt", "{\"mask\":\"\"}", "3a 00");
    assert_refused("Scalars", "{\"fEnum\":\"\"}", PBD_ERR_JSON_ENUM, "unknown value \"\"");
}

Test(json_encode, reads_back_the_shortest_text_of_the_largest_float)
{
    assert_wire("Scalars", "{\"fFloat\":-3.4028235e+38}", "15 ff ff 7f ff");
    assert_wire("Scalars", "{\"fFloat\":3.40282356e38}", "15 ff ff 7f 7f");
    assert_refused("Scalars", "{\"fFloat\":3.4028237e38}", PBD_ERR_JSON_RANGE,
                   "float out of range");
}

Test(json_encode, refuses_unknown_numbers_of_closed_enums)
{
    assert_refused("codec.test2.P2", "{\"k\":7}", PBD_ERR_JSON_ENUM,
                   "k: unknown number 7 of enum codec.test2.Kind");
    assert_wire("codec.test2.P2", "{\"a\":0,\"ks\":[\"TWO\",1]}", "08 00 1a 02 02 01");
}

Test(json_encode, lexes_long_strings_with_escapes_and_refuses_bad_bytes_in_them)
{
    assert_wire("Scalars",
                "{\"fString\":\"abcdefghijklmnop\\\"q\\u00e9rstuvwxyz\xc3\xa9 0123456789\"}",
                "4a 2a 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70 22 71 c3 a9 72 73 74 75 "
                "76 77 78 79 7a c3 a9 20 30 31 32 33 34 35 36 37 38 39");
    assert_refused("Scalars", "{\"fString\":\"abcdefghijkl\tmn\"}", PBD_ERR_JSON_SYNTAX,
                   "control character in string");
    assert_refused("Scalars", "{\"fString\":\"abcdefghijkl\xffmn\"}", PBD_ERR_JSON_SYNTAX,
                   "invalid UTF-8");
    assert_refused("Scalars", "{\"fString\":\"abcdefghijklmnop", PBD_ERR_JSON_SYNTAX,
                   "unterminated string");
}
