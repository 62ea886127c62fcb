/* The YAML emitter: block style, and quotes wherever a plain scalar would change type. */
#include "oas_int.h"

#include <criterion/criterion.h>

static char *yaml_of(const char *json)
{
    cJSON *tree = cJSON_Parse(json);
    cr_assert_not_null(tree);
    gb_buf out;
    gb_buf_init(&out, 0);
    cr_assert_eq(oas_yaml_write(tree, &out), 0);
    cr_assert_eq(gb_buf_putc(&out, '\0'), 0);
    cJSON_Delete(tree);
    return (char *)out.p;
}

static void expect_yaml(const char *json, const char *want)
{
    char *got = yaml_of(json);
    cr_expect_str_eq(got, want, "for %s", json);
    free(got);
}

Test(yaml, writes_nested_mappings_and_sequences_in_block_style)
{
    expect_yaml("{\"a\":{\"b\":[1,{\"c\":true,\"d\":null}],\"e\":[[\"x\"]]}}", "a:\n"
                                                                               "  b:\n"
                                                                               "    - 1\n"
                                                                               "    - c: true\n"
                                                                               "      d: null\n"
                                                                               "  e:\n"
                                                                               "    -\n"
                                                                               "      - x\n");
}

Test(yaml, writes_empty_containers_in_flow_style)
{
    expect_yaml("{\"items\":{},\"list\":[]}", "items: {}\nlist: []\n");
}

Test(yaml, quotes_strings_a_reader_would_take_for_something_else)
{
    expect_yaml("[\"3.1.0\",\"200\",\"yes\",\"No\",\"null\",\"~\",\"on\",\"true\",\"\",\"-x\"]",
                "- \"3.1.0\"\n- \"200\"\n- \"yes\"\n- \"No\"\n- \"null\"\n- \"~\"\n- \"on\"\n"
                "- \"true\"\n- \"\"\n- \"-x\"\n");
}

Test(yaml, quotes_indicators_and_escapes_control_characters)
{
    expect_yaml("{\"@type\":\"a: b\",\"/v1/{name}\":\"#x\",\"k\":\"line\\none\\t\\\"q\\\"\"}",
                "\"@type\": \"a: b\"\n"
                "\"/v1/{name}\": \"#x\"\n"
                "k: \"line\\none\\t\\\"q\\\"\"\n");
}

Test(yaml, leaves_plain_words_paths_and_refs_unquoted)
{
    expect_yaml("{\"$ref\":\"#/x\",\"p\":\"/v1/hello\",\"s\":\"A successful response.\"}",
                "$ref: \"#/x\"\np: /v1/hello\ns: A successful response.\n");
}
