/* Schemas: the ProtoJSON mapping of every field kind, in both formats. */
#include "oas_test_util.h"

static const cJSON *prop(const cJSON *doc, const char *defs, const char *msg, const char *name)
{
    if (strcmp(defs, "definitions") == 0)
        return at(doc, "definitions", msg, "properties", name, NULL);
    return at(doc, "components", "schemas", msg, "properties", name, NULL);
}

static cJSON *doc31(void)
{
    oas_options opts = {.format = OAS_FORMAT_3_1};
    return render(OASTEST_PB, &opts);
}

#define BOOK(doc, name) prop(doc, "schemas", "oastest.v1.Book", name)

Test(schema, writes_64_bit_integers_as_strings_and_32_bit_as_integers)
{
    cJSON *doc = doc31();
    static const char *const cases[][3] = {
        {"id", "string", "int64"},           {"isbn", "string", "uint64"},
        {"signedTotal", "string", "int64"},  {"checksum", "string", "uint64"},
        {"pages", "integer", "int32"},       {"copies", "integer", "uint32"},
        {"shelfOffset", "integer", "int32"}, {"rating", "number", "double"},
        {"weight", "number", "float"},       {"cover", "string", "byte"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_expect_str_eq(str(BOOK(doc, cases[i][0]), "type"), cases[i][1], "%s", cases[i][0]);
        cr_expect_str_eq(str(BOOK(doc, cases[i][0]), "format"), cases[i][2], "%s", cases[i][0]);
    }
    cr_expect_str_eq(str(BOOK(doc, "available"), "type"), "boolean");
    cJSON_Delete(doc);
}

Test(schema, names_properties_by_json_name_or_by_proto_name_on_request)
{
    cJSON *doc = doc31();
    cr_expect(
        has(at(doc, "components", "schemas", "oastest.v1.Book", "properties", NULL), "publisher"));
    cr_expect(has(at(doc, "components", "schemas", "oastest.v1.Book", "properties", NULL),
                  "ratingsByCountry"));
    cJSON_Delete(doc);
    oas_options opts = {.proto_names = true};
    doc = render(OASTEST_PB, &opts);
    const cJSON *props = at(doc, "components", "schemas", "oastest.v1.Book", "properties", NULL);
    cr_expect(has(props, "publisher_name"));
    cr_expect(has(props, "ratings_by_country"));
    cr_expect_not(has(props, "ratingsByCountry"));
    cr_expect_not_null(param(at(doc, "paths", "/v1/{parent}/books", "get", NULL), "page_size"));
    cJSON_Delete(doc);
}

Test(schema, makes_enums_named_string_enums_of_their_value_names_with_value_notes)
{
    cJSON *doc = doc31();
    cr_expect_str_eq(str(BOOK(doc, "genre"), "$ref"), "#/components/schemas/oastest.v1.Genre");
    const cJSON *genre = at(doc, "components", "schemas", "oastest.v1.Genre", NULL);
    cr_expect_str_eq(str(genre, "type"), "string");
    const cJSON *values = at(genre, "enum", NULL);
    cr_assert_eq(cJSON_GetArraySize(values), 4);
    cr_expect_str_eq(cJSON_GetArrayItem(values, 0)->valuestring, "GENRE_UNSPECIFIED");
    cr_expect_str_eq(cJSON_GetArrayItem(values, 3)->valuestring, "HISTORY");
    cr_expect_str_eq(str(genre, "description"),
                     "What a book is about.\n\n- `FICTION`: Made up.\n- `HISTORY` (deprecated)");
    cJSON_Delete(doc);
}

Test(schema, ends_recursion_at_a_reference_to_the_named_schema)
{
    cJSON *doc = doc31();
    cr_expect_str_eq(str(BOOK(doc, "sequel"), "$ref"), "#/components/schemas/oastest.v1.Book");
    cr_expect_str_eq(str(at(BOOK(doc, "related"), "additionalProperties", NULL), "$ref"),
                     "#/components/schemas/oastest.v1.Book");
    cr_expect_str_eq(str(at(doc, "components", "schemas", "oastest.v1.Change", "properties",
                            "children", "items", NULL),
                         "$ref"),
                     "#/components/schemas/oastest.v1.Change");
    cJSON_Delete(doc);
}

Test(schema, makes_maps_objects_with_additional_properties_and_repeated_fields_arrays)
{
    cJSON *doc = doc31();
    const cJSON *map = BOOK(doc, "ratingsByCountry");
    cr_expect_str_eq(str(map, "type"), "object");
    cr_expect_str_eq(str(at(map, "additionalProperties", NULL), "format"), "int32");
    cr_expect_str_eq(str(BOOK(doc, "authors"), "type"), "array");
    cr_expect_str_eq(str(at(BOOK(doc, "authors"), "items", NULL), "type"), "string");
    cJSON_Delete(doc);
}

Test(schema, names_the_members_of_a_oneof_without_using_one_of)
{
    cJSON *doc = doc31();
    const cJSON *book = at(doc, "components", "schemas", "oastest.v1.Book", NULL);
    cr_expect(strstr(str(book, "description"), "`ebookUrl`, `printRun`") != NULL);
    cr_expect(strstr(str(BOOK(doc, "printRun"), "description"), "oneof `edition`") != NULL);
    cr_expect_not(has(book, "oneOf"));
    cJSON_Delete(doc);
}

Test(schema, inlines_well_known_types_as_their_json_forms)
{
    cJSON *doc = doc31();
    cr_expect_str_eq(str(BOOK(doc, "publishTime"), "format"), "date-time");
    cr_expect_str_eq(str(BOOK(doc, "readTime"), "pattern"), "^-?[0-9]+(\\.[0-9]{1,9})?s$");
    cr_expect_str_eq(
        cJSON_GetArrayItem(at(BOOK(doc, "readTime"), "examples", NULL), 0)->valuestring, "1.5s");
    cr_expect(cJSON_IsTrue(at(BOOK(doc, "metadata"), "additionalProperties", NULL)));
    cr_expect_not(has(BOOK(doc, "extra"), "type"), "a Value is any JSON value");
    cr_expect_str_eq(str(BOOK(doc, "labels"), "type"), "array");
    cr_expect(has(at(BOOK(doc, "attachment"), "properties", NULL), "@type"));
    cr_expect_str_eq(str(BOOK(doc, "nothing"), "type"), "object");
    cr_expect_not(has(at(doc, "components", "schemas", NULL), "google.protobuf.Timestamp"));
    cJSON_Delete(doc);
}

Test(schema, makes_wrappers_their_bare_type_or_null)
{
    cJSON *doc = doc31();
    static const char *const cases[][2] = {
        {"price", "number"},   {"sold", "string"},     {"editionNumber", "integer"},
        {"signed", "boolean"}, {"subtitle", "string"}, {"thumbnail", "string"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const cJSON *type = at(BOOK(doc, cases[i][0]), "type", NULL);
        cr_assert(cJSON_IsArray(type), "%s", cases[i][0]);
        cr_expect_str_eq(cJSON_GetArrayItem(type, 0)->valuestring, cases[i][1]);
        cr_expect_str_eq(cJSON_GetArrayItem(type, 1)->valuestring, "null");
    }
    cr_expect_str_eq(str(BOOK(doc, "sold"), "format"), "int64");
    cJSON_Delete(doc);
}

Test(schema, marks_deprecated_fields_and_carries_field_comments)
{
    cJSON *doc = doc31();
    cr_expect(cJSON_IsTrue(at(BOOK(doc, "oldTitle"), "deprecated", NULL)));
    cr_expect_str_eq(str(BOOK(doc, "oldTitle"), "description"), "Use title.");
    cr_expect_str_eq(str(BOOK(doc, "sequel"), "description"), "The next book of the series.");
    cr_expect_not(has(BOOK(doc, "title"), "deprecated"));
    cJSON_Delete(doc);
}

Test(schema, uses_definitions_and_swagger_2_forms_in_2_0)
{
    oas_options opts = {.format = OAS_FORMAT_2_0};
    cJSON *doc = render(OASTEST_PB, &opts);
    cr_expect_str_eq(str(doc, "swagger"), "2.0");
    cr_expect_not(has(doc, "components"));
    const cJSON *sequel = prop(doc, "definitions", "oastest.v1.Book", "sequel");
    cr_expect_str_eq(str(sequel, "$ref"), "#/definitions/oastest.v1.Book");
    cr_expect_not(has(sequel, "description"), "2.0 allows nothing beside $ref");
    const cJSON *sold = prop(doc, "definitions", "oastest.v1.Book", "sold");
    cr_expect_str_eq(str(sold, "type"), "string");
    cr_expect(cJSON_IsTrue(at(sold, "x-nullable", NULL)));
    cr_expect(cJSON_IsTrue(
        at(prop(doc, "definitions", "oastest.v1.Book", "oldTitle"), "x-deprecated", NULL)));
    const cJSON *create = at(doc, "paths", "/v1/{parent}/books", "post", NULL);
    const cJSON *body = param(create, "body");
    cr_assert_not_null(body);
    cr_expect_str_eq(str(body, "in"), "body");
    cr_expect_str_eq(str(at(body, "schema", NULL), "$ref"), "#/definitions/oastest.v1.Book");
    const cJSON *genres = param(at(doc, "paths", "/v1/{parent}/books", "get", NULL), "genres");
    cr_expect_str_eq(str(genres, "collectionFormat"), "multi");
    cr_expect_str_eq(str(genres, "type"), "array");
    const cJSON *name = param(at(doc, "paths", "/v1/{name}", "get", NULL), "name");
    cr_expect_str_eq(str(name, "pattern"), "^shelves/[^/]+/books/[^/]+$");
    cJSON_Delete(doc);
}

Test(schema, refuses_an_unknown_format)
{
    gb_err err = {0};
    gb_buf out;
    gb_buf_init(&out, 0);
    oas_options opts = {.format = (oas_format)7};
    const char *pb = OASTEST_PB;
    pbd_pool *pool = NULL;
    cr_assert_eq(pbd_pool_load_files(&pb, 1, &pool, &err), 0, "%s", err.msg);
    cr_expect_eq(oas_document_render(pool, &opts, &out, &err), OAS_ERR_INVALID);
    cr_expect_eq(out.n, 0);
    pbd_pool_unref(pool);
    gb_buf_free(&out);
}

Test(schema, stops_at_the_output_limit)
{
    gb_err err = {0};
    gb_buf out;
    gb_buf_init(&out, 1000);
    oas_options opts = {0};
    const char *pb = OASTEST_PB;
    pbd_pool *pool = NULL;
    cr_assert_eq(pbd_pool_load_files(&pb, 1, &pool, &err), 0, "%s", err.msg);
    cr_expect_eq(oas_document_render(pool, &opts, &out, &err), GB_ERR_LIMIT);
    cr_expect_neq(err.msg[0], '\0');
    pbd_pool_unref(pool);
    gb_buf_free(&out);
}
