/* Wire -> JSON: grouping, merging, presence, options, escaping, and malformed input. */
#include "test_json_common.h"

TestSuite(json_decode, .init = load_pool, .fini = free_pool);

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    unsigned v;
    int used;
    while (sscanf(hex, " %2x%n", &v, &used) == 1) {
        out[n++] = (uint8_t)v;
        hex += used;
    }
    return n;
}

static int decode(const char *type, const char *hex, const pbd_json_opts *o, char **json,
                  gb_err *err)
{
    uint8_t wire[512];
    size_t n = unhex(hex, wire);
    gb_buf out;
    gb_buf_init(&out, 0);
    int rv = pbd_wire_to_json(msg(type), gb_slice_of(wire, n), o, &out, err);
    gb_buf_putc(&out, 0);
    *json = (char *)out.p;
    return rv;
}

static void assert_json(const char *type, const char *hex, const char *want)
{
    char *got;
    gb_err err = {0};
    pbd_json_opts o = opts();
    cr_assert_eq(decode(type, hex, &o, &got, &err), 0, "%s: %s", hex, err.msg);
    cr_assert_str_eq(got, want, "%s", hex);
    free(got);
}

static void assert_bad_wire(const char *type, const char *hex, int code, const char *part)
{
    char *got;
    gb_err err = {0};
    pbd_json_opts o = opts();
    int rv = decode(type, hex, &o, &got, &err);
    cr_assert_eq(rv, code, "%s: got %d (%s)", hex, rv, err.msg);
    cr_assert(strstr(err.msg, part) != NULL, "%s: message \"%s\" lacks \"%s\"", hex, err.msg, part);
    cr_assert_str_eq(got, "", "nothing is left in the output on failure");
    free(got);
}

Test(json_decode, prints_lower_camel_names_and_64_bit_integers_as_strings)
{
    assert_json("Scalars", "18 01 28 02 20 03 90 01 03",
                "{\"fInt64\":\"1\",\"fUint64\":\"3\","
                "\"fInt32\":2,\"fSint64\":\"-2\"}");
    assert_json("Names", "10 05", "{\"customName\":5}");
}

Test(json_decode, omits_implicit_defaults_even_when_on_the_wire)
{
    assert_json("Scalars", "28 00 4a 00 40 00 70 00", "{}");
    assert_json("Optionals", "08 00 12 00", "{\"oInt\":0,\"oStr\":\"\"}");
}

Test(json_decode, prints_the_shortest_floats_that_read_back)
{
    assert_json("Scalars", "09 9a 99 99 99 99 99 b9 3f 15 cd cc cc 3d",
                "{\"fDouble\":0.1,\"fFloat\":0.1}");
    assert_json("Scalars", "09 00 00 00 00 00 00 f8 7f 15 00 00 80 ff",
                "{\"fDouble\":\"NaN\",\"fFloat\":\"-Infinity\"}");
    assert_json("Scalars", "09 00 00 00 00 00 00 00 80", "{\"fDouble\":-0}");
    assert_json("Scalars", "15 db 0f 49 40", "{\"fFloat\":3.1415927}");
}

Test(json_decode, groups_repeated_fields_split_and_packed_or_not)
{
    /* rInt32 (5): packed [1,2], then unpacked 3, then packed [4] */
    assert_json("Repeated", "2a 02 01 02 28 03 2a 01 04", "{\"rInt32\":[1,2,3,4]}");
    /* uInt32 (20) declared unpacked, sent packed */
    assert_json("Repeated", "a2 01 02 07 08", "{\"uInt32\":[7,8]}");
    /* interleaved with another field */
    assert_json("Repeated", "4a 01 61 28 01 4a 01 62",
                "{\"rInt32\":[1],\"rString\":[\"a\",\"b\"]}");
}

Test(json_decode, keeps_the_last_value_of_a_singular_scalar)
{
    assert_json("Scalars", "28 01 28 02 4a 01 61 4a 01 62", "{\"fInt32\":2,\"fString\":\"b\"}");
}

Test(json_decode, merges_repeated_occurrences_of_a_message_field)
{
    /* nested (7) {id:1, name:"a"} then {name:"b", child:{id:3}} */
    assert_json("All", "3a 05 08 01 12 01 61 3a 07 12 01 62 1a 02 08 03",
                "{\"nested\":{\"id\":1,\"name\":\"b\",\"child\":{\"id\":3}}}");
}

Test(json_decode, keeps_the_oneof_member_set_last)
{
    assert_json("Oneofs", "08 05 12 01 78", "{\"bStr\":\"x\"}");
    assert_json("Oneofs", "12 01 78 08 05", "{\"aInt\":5}");
    /* c_msg, then a_int, then c_msg again: only the last c_msg counts */
    assert_json("Oneofs", "1a 02 08 01 08 05 1a 02 12 00", "{\"cMsg\":{}}");
    assert_json("Oneofs", "08 00", "{\"aInt\":0}");
}

Test(json_decode, prints_maps_as_objects_keeping_the_last_duplicate_key)
{
    assert_json("Maps", "12 04 08 01 10 02 12 04 08 03 10 04 12 04 08 01 10 05",
                "{\"mInt32\":{\"3\":4,\"1\":5}}");
    assert_json("Maps", "62 02 08 01 62 00", "{\"mBool\":{\"true\":\"\",\"false\":\"\"}}");
    assert_json("Maps", "32 04 08 01 10 03", "{\"mSint32\":{\"-1\":-2}}");
    assert_json("Maps", "6a 03 0a 01 6b", "{\"mNested\":{\"k\":{}}}");
}

Test(json_decode, prints_enum_names_and_unknown_numbers)
{
    assert_json("Scalars", "70 01", "{\"fEnum\":\"RED\"}");
    assert_json("Scalars", "70 2a", "{\"fEnum\":42}");
    char *got;
    gb_err err = {0};
    pbd_json_opts o = opts();
    o.enums_as_ints = true;
    cr_assert_eq(decode("Scalars", "70 03", &o, &got, &err), 0);
    cr_assert_str_eq(got, "{\"fEnum\":3}");
    free(got);
}

Test(json_decode, prints_bytes_as_padded_standard_base64)
{
    assert_json("Scalars", "62 04 fb ff bf 01", "{\"fBytes\":\"+/+/AQ==\"}");
}

Test(json_decode, escapes_strings_for_json_and_javascript)
{
    assert_json("Scalars", "4a 0b 22 5c 0a 01 e2 80 a8 e2 80 a9 7f",
                "{\"fString\":\"\\\"\\\\\\n\\u0001\\u2028\\u2029\x7f\"}");
    assert_json("Scalars", "4a 02 c3 a9", "{\"fString\":\"\xc3\xa9\"}");
}

Test(json_decode, emits_unpopulated_fields_without_presence_when_asked)
{
    char *got;
    gb_err err = {0};
    pbd_json_opts o = opts();
    o.emit_unpopulated = true;
    cr_assert_eq(decode("Oneofs", "", &o, &got, &err), 0);
    cr_assert_str_eq(got, "{\"after\":\"\"}");
    free(got);
    cr_assert_eq(decode("Nested", "", &o, &got, &err), 0);
    cr_assert_str_eq(got, "{\"id\":0,\"name\":\"\",\"children\":[]}");
    free(got);
    cr_assert_eq(decode("Optionals", "", &o, &got, &err), 0);
    cr_assert_str_eq(got, "{}");
    free(got);
}

Test(json_decode, uses_proto_names_when_asked)
{
    char *got;
    gb_err err = {0};
    pbd_json_opts o = opts();
    o.use_proto_names = true;
    cr_assert_eq(decode("Names", "08 01 10 02", &o, &got, &err), 0);
    cr_assert_str_eq(got, "{\"field_one\":1,\"renamed\":2}");
    free(got);
}

Test(json_decode, indents_two_spaces_like_python)
{
    char *got;
    gb_err err = {0};
    pbd_json_opts o = opts();
    o.indent = 2;
    cr_assert_eq(decode("Nested", "08 01 22 00 22 02 08 02", &o, &got, &err), 0);
    cr_assert_str_eq(got, "{\n  \"id\": 1,\n  \"children\": [\n    {},\n    {\n      \"id\": 2\n"
                          "    }\n  ]\n}");
    free(got);
}

Test(json_decode, skips_unknown_fields_of_every_wire_type)
{
    assert_json("Nested",
                "f8 07 01 f9 07 01 02 03 04 05 06 07 08 fa 07 01 00 fd 07 01 02 03 04 08 07",
                "{\"id\":7}");
}

Test(json_decode, refuses_malformed_wire_data)
{
    assert_bad_wire("Nested", "08", PBD_ERR_WIRE, "malformed varint");
    assert_bad_wire("Nested", "08 ff ff ff ff ff ff ff ff ff 7f", PBD_ERR_WIRE, "malformed varint");
    assert_bad_wire("Nested", "12 05 61", PBD_ERR_WIRE, "length past the end");
    assert_bad_wire("Nested", "1a 03 08 01", PBD_ERR_WIRE, "length past the end");
    assert_bad_wire("Nested", "1a 02 12 05", PBD_ERR_WIRE, "child: length past the end");
    assert_bad_wire("Nested", "0a 00", PBD_ERR_WIRE, "id: wrong wire type");
    assert_bad_wire("Nested", "0b 0c", PBD_ERR_WIRE, "groups are not supported");
    assert_bad_wire("Nested", "0e", PBD_ERR_WIRE, "invalid wire type");
    assert_bad_wire("Nested", "00", PBD_ERR_WIRE, "malformed tag");
    assert_bad_wire("Scalars", "31 01 02", PBD_ERR_WIRE, "truncated fixed-size value");
    assert_bad_wire("Repeated", "3a 03 01 02 03", PBD_ERR_WIRE, "rFixed32: truncated packed");
    assert_bad_wire("Repeated", "2a 01 ff", PBD_ERR_WIRE, "rInt32: malformed packed varint");
}

Test(json_decode, refuses_invalid_utf8_in_strings)
{
    assert_bad_wire("Nested", "1a 03 12 01 ff", PBD_ERR_WIRE_UTF8, "child.name: invalid UTF-8");
    assert_bad_wire("Maps", "0a 03 0a 01 ff", PBD_ERR_WIRE_UTF8,
                    "mString: invalid UTF-8 in map key");
}

Test(json_decode, refuses_nesting_past_the_limit)
{
    enum { DEPTH = 5000 };
    /* child { child { ... } }, built from the inside out: a tag and a length per level. */
    uint8_t *buf = malloc(DEPTH * 4);
    size_t len = 0;
    for (int i = 0; i < DEPTH; i++) {
        uint8_t head[4];
        size_t h = 0;
        head[h++] = 0x1a;
        size_t v = len;
        do {
            head[h++] = (uint8_t)(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
            v >>= 7;
        } while (v != 0);
        memmove(buf + h, buf, len);
        memcpy(buf, head, h);
        len += h;
    }
    gb_buf out;
    gb_err err = {0};
    gb_buf_init(&out, 0);
    pbd_json_opts o = opts();
    cr_assert_eq(pbd_wire_to_json(msg("Nested"), gb_slice_of(buf, len), &o, &out, &err),
                 PBD_ERR_DEPTH);
    cr_assert(strstr(err.msg, "nested deeper than 100 levels") != NULL, "%s", err.msg);
    gb_buf_free(&out);
    free(buf);
}

Test(json_decode, refuses_unresolvable_any_types)
{
    /* any (1) { type_url: "x/no.Such" } */
    assert_bad_wire("Wkt", "0a 0b 0a 09 78 2f 6e 6f 2e 53 75 63 68", PBD_ERR_ANY_TYPE,
                    "any: cannot resolve Any type \"x/no.Such\"");
}

Test(json_decode, decodes_an_empty_message_given_as_a_null_pointer)
{
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    gb_buf_init(&out, 0);
    cr_assert_eq(pbd_wire_to_json(msg("Wkt"), gb_slice_of(NULL, 0), &o, &out, &err), 0);
    cr_assert_eq(out.n, 2);
    gb_buf_free(&out);
    assert_json("Wkt", "3a 00", "{\"mask\":\"\"}");
}

Test(json_decode, reads_no_byte_past_the_end_of_the_wire)
{
    static const char *const cases[][2] = {
        {"Oneofs", "12 01 73"},        {"Scalars", "4a 01 73"}, {"Repeated", "4a 01 73"},
        {"Scalars", "15 00 00 80 3f"}, {"Maps", "0a 00"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t tmp[16];
        size_t n = unhex(cases[i][1], tmp);
        uint8_t *wire = malloc(n); /* exactly sized, so ASan sees any over-read */
        memcpy(wire, tmp, n);
        gb_buf out;
        gb_err err = {0};
        pbd_json_opts o = opts();
        gb_buf_init(&out, 0);
        cr_assert_eq(pbd_wire_to_json(msg(cases[i][0]), gb_slice_of(wire, n), &o, &out, &err), 0,
                     "%s", err.msg);
        gb_buf_free(&out);
        free(wire);
    }
}

Test(json_decode, drops_unknown_numbers_of_closed_enums_as_unknown_fields)
{
    assert_json("codec.test2.P2", "10 07", "{}");
    assert_json("codec.test2.P2", "10 02 10 07", "{\"k\":\"TWO\"}");
    assert_json("codec.test2.P2", "1a 03 01 07 02 18 09 18 01",
                "{\"ks\":[\"ONE\",\"TWO\",\"ONE\"]}");
    assert_json("codec.test2.P2", "08 00", "{\"a\":0}");
}

Test(json_decode, prints_empty_map_keys)
{
    assert_json("Maps", "0a 02 12 00 0a 00", "{\"mString\":{\"\":\"\"}}");
}

Test(json_decode, prints_the_first_value_as_the_default_of_an_enum_without_zero)
{
    char *got;
    gb_err err = {0};
    pbd_json_opts o = opts();
    o.emit_unpopulated = true;
    o.enums_as_ints = true;
    cr_assert_eq(decode("codec.test2.P2", "", &o, &got, &err), 0, "%s", err.msg);
    cr_assert(strstr(got, "\"k\":1,") != NULL, "%s", got);
    cr_assert(strstr(got, "\"k2\":2,") != NULL, "%s", got);
    free(got);
}

Test(json_decode, prints_one_field_for_a_response_body_rule)
{
    static const uint8_t wire[] = {0x12, 0x02, 0x28, 0x01, 0x12, 0x02, 0x28, 0x02, 0x4a, 0x01, 'x'};
    gb_buf out;
    gb_err err = {0};
    pbd_json_opts o = opts();
    gb_buf_init(&out, 0);
    cr_assert_eq(pbd_wire_to_json_field(msg("All"), "repeated", gb_slice_of(wire, sizeof(wire)), &o,
                                        &out, &err),
                 0, "%s", err.msg);
    gb_buf_putc(&out, 0);
    cr_assert_str_eq((char *)out.p, "{\"rInt32\":[1,2]}");
    gb_buf_reset(&out);
    cr_assert_eq(
        pbd_wire_to_json_field(msg("All"), "text", gb_slice_of(wire, sizeof(wire)), &o, &out, &err),
        0);
    cr_assert_eq(pbd_wire_to_json_field(msg("All"), "nested", gb_slice_of(wire, sizeof(wire)), &o,
                                        &out, &err),
                 0);
    gb_buf_putc(&out, 0);
    cr_assert_str_eq((char *)out.p, "\"x\"{}");
    cr_assert_eq(
        pbd_wire_to_json_field(msg("All"), "nope", gb_slice_of(wire, sizeof(wire)), &o, &out, &err),
        PBD_ERR_FIELD_PATH);
    gb_buf_free(&out);
}

Test(json_decode, prints_fields_out_of_order_and_split_as_python_does)
{
    /* The JSON python's json_format.MessageToJson prints for the same bytes. Nested:
     * id 1; children[0] {name "a", id 2} (out of order inside); children[1] {id 3,
     * children {id 4}, name "b", children {id 5}} (split inside); name "x" after the
     * children; children again {id 6}; id 7 (a singular field twice). */
    assert_json("Nested",
                "08 01 22 05 12 01 61 08 02 22 0d 08 03 22 02 08 04 12 01 62 22 02 08 05"
                "12 01 78 22 02 08 06 08 07",
                "{\"id\":7,\"name\":\"x\",\"children\":[{\"id\":2,\"name\":\"a\"},"
                "{\"id\":3,\"name\":\"b\",\"children\":[{\"id\":4},{\"id\":5}]},{\"id\":6}]}");
    /* in order around an element that is not */
    assert_json("Nested", "08 01 22 05 12 01 61 08 02 22 02 08 06",
                "{\"id\":1,\"children\":[{\"id\":2,\"name\":\"a\"},{\"id\":6}]}");
    /* mInt32 {1: 2}, mString {"k": "v"}, mInt32 {3: 4}, mInt32 {1: 5} */
    assert_json("Maps",
                "12 04 08 01 10 02 0a 06 0a 01 6b 12 01 76 12 04 08 03 10 04 12 04 08 01 10 05",
                "{\"mString\":{\"k\":\"v\"},\"mInt32\":{\"3\":4,\"1\":5}}");
}

Test(json_decode, checks_utf8_while_escaping_long_strings)
{
    /* 17 ASCII bytes, a tab, U+00E9, 9 ASCII bytes, U+2028, U+20AC (lead byte 0xe2 too) */
    assert_json("Scalars",
                "4a 23 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 09 c3 a9 30 31 32 33 "
                "34 35 36 37 38 e2 80 a8 e2 82 ac",
                "{\"fString\":\"abcdefghijklmnopq\\t\xc3\xa9"
                "012345678\\u2028\xe2\x82\xac\"}");
    /* after an escape; truncated; overlong; a surrogate; past U+10FFFF */
    assert_bad_wire("Scalars", "4a 0c 61 62 63 64 65 66 67 68 69 6a 0a ff", PBD_ERR_WIRE_UTF8,
                    "fString: invalid UTF-8");
    assert_bad_wire("Scalars", "4a 0c 61 62 63 64 65 66 67 68 69 6a e2 80", PBD_ERR_WIRE_UTF8,
                    "fString: invalid UTF-8");
    assert_bad_wire("Scalars", "4a 0a 61 62 63 64 65 66 67 68 c0 80", PBD_ERR_WIRE_UTF8,
                    "fString: invalid UTF-8");
    assert_bad_wire("Scalars", "4a 0b 61 62 63 64 65 66 67 68 ed a0 80", PBD_ERR_WIRE_UTF8,
                    "fString: invalid UTF-8");
    assert_bad_wire("Scalars", "4a 0d 61 62 63 64 65 66 67 68 22 f4 90 80 80", PBD_ERR_WIRE_UTF8,
                    "fString: invalid UTF-8");
}

Test(json_decode, keeps_the_last_duplicate_key_of_a_map_with_many_entries)
{
    /* mInt32 {1: 1} ... {9: 9}, then {1: 10}: key 1 once, with its last value, where it
     * came last (python prints the same members, in its hash order) */
    assert_json("Maps",
                "12 04 08 01 10 01 12 04 08 02 10 02 12 04 08 03 10 03 12 04 08 04 10 04 "
                "12 04 08 05 10 05 12 04 08 06 10 06 12 04 08 07 10 07 12 04 08 08 10 08 "
                "12 04 08 09 10 09 12 04 08 01 10 0a",
                "{\"mInt32\":{\"2\":2,\"3\":3,\"4\":4,\"5\":5,\"6\":6,\"7\":7,\"8\":8,\"9\":9,"
                "\"1\":10}}");
}
