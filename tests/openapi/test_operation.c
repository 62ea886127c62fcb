/* Operations: one per route, ids, parameters, bodies and responses (OpenAPI 3.1). */
#include "oas_test_util.h"

static cJSON *doc;

static void setup(void)
{
    oas_options opts = {.format = OAS_FORMAT_3_1};
    doc = render(OASTEST_PB, &opts);
}

static void teardown(void)
{
    cJSON_Delete(doc);
}

TestSuite(operation, .init = setup, .fini = teardown);

static const cJSON *op(const char *path, const char *verb)
{
    return at(doc, "paths", path, verb, NULL);
}

Test(operation, renders_a_variable_with_a_pattern_as_a_plain_parameter)
{
    const cJSON *p = param(op("/v1/{name}", "get"), "name");
    cr_assert_not_null(p);
    cr_expect_str_eq(str(p, "in"), "path");
    cr_expect(cJSON_IsTrue(at(p, "required", NULL)));
    cr_expect_str_eq(str(at(p, "schema", NULL), "pattern"), "^shelves/[^/]+/books/[^/]+$");
}

Test(operation, gives_double_star_variables_a_pattern_over_several_segments)
{
    const cJSON *p = param(op("/v1/archive/{name}", "get"), "name");
    cr_assert_not_null(p);
    cr_expect_str_eq(str(at(p, "schema", NULL), "pattern"), "^archives(/.*)?$");
}

Test(operation, leaves_a_plain_variable_without_pattern)
{
    const cJSON *p = param(op("/v1/books/{name}", "get"), "name");
    cr_assert_not_null(p);
    cr_expect_not(has(at(p, "schema", NULL), "pattern"));
}

Test(operation, names_nested_path_fields_by_their_dotted_path)
{
    const cJSON *o = op("/v1/{book.name}", "patch");
    cr_assert_not_null(param(o, "book.name"));
    cr_expect_str_eq(str(at(param(o, "book.name"), "schema", NULL), "type"), "string");
}

Test(operation, keeps_custom_verbs_in_the_path)
{
    cr_expect(has(at(doc, "paths", NULL), "/v1/{book.name}:move"));
    cr_expect(has(at(doc, "paths", NULL), "/v1/{shelf}:watch"));
}

Test(operation, makes_query_parameters_of_every_field_not_bound_by_path_or_body)
{
    const cJSON *o = op("/v1/{parent}/books", "get");
    static const char *const present[] = {"pageSize",        "pageToken",
                                          "genres",          "filter.publishedAfter",
                                          "filter.minPages", "filter.authors",
                                          "filter.genre",    "filter.maxReadTime",
                                          "readMask",        "ids"};
    for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
        const cJSON *p = param(o, present[i]);
        cr_expect_not_null(p, "no query parameter %s", present[i]);
        if (p != NULL)
            cr_expect_str_eq(str(p, "in"), "query");
    }
    /* path-bound, not expressible in a query (map, Struct, repeated message), recursive */
    static const char *const absent[] = {"tags", "options", "examples", "filter.then.genre"};
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        cr_expect_null(param(o, absent[i]), "unexpected query parameter %s", absent[i]);
    cr_expect_str_eq(str(param(o, "parent"), "in"), "path");
}

Test(operation, makes_repeated_query_parameters_exploded_arrays_with_enum_values)
{
    const cJSON *p = param(op("/v1/{parent}/books", "get"), "genres");
    cr_assert_not_null(p);
    cr_expect_str_eq(str(p, "style"), "form");
    cr_expect(cJSON_IsTrue(at(p, "explode", NULL)));
    const cJSON *items = at(p, "schema", "items", NULL);
    const cJSON *values = at(items, "enum", NULL);
    cr_assert_eq(cJSON_GetArraySize(values), 4);
    cr_expect_str_eq(cJSON_GetArrayItem(values, 1)->valuestring, "FICTION");
}

Test(operation, gives_well_known_types_their_query_forms)
{
    const cJSON *o = op("/v1/{parent}/books", "get");
    cr_expect_str_eq(str(at(param(o, "filter.publishedAfter"), "schema", NULL), "format"),
                     "date-time");
    cr_expect_str_eq(str(at(param(o, "filter.minPages"), "schema", NULL), "type"), "integer");
    cr_expect_str_eq(str(at(param(o, "readMask"), "schema", NULL), "type"), "string");
    cr_expect_str_eq(
        str(at(param(op("/v1/audit/log", "get"), "maxEntries"), "schema", NULL), "format"),
        "uint64");
}

Test(operation, takes_the_body_field_as_the_request_body_and_the_rest_from_the_query)
{
    const cJSON *o = op("/v1/{parent}/books", "post");
    const cJSON *schema = at(o, "requestBody", "content", "application/json", "schema", NULL);
    cr_expect_str_eq(str(schema, "$ref"), "#/components/schemas/oastest.v1.Book");
    cr_expect_not_null(param(o, "bookId"));
    cr_expect_null(param(o, "book.title"));
}

Test(operation, leaves_path_bound_fields_out_of_a_star_body)
{
    const cJSON *o = op("/v1/{book.name}:move", "post");
    const cJSON *schema = at(o, "requestBody", "content", "application/json", "schema", NULL);
    const cJSON *book = at(schema, "properties", "book", "properties", NULL);
    cr_expect_not(has(book, "name"));
    cr_expect(has(book, "title"));
    cr_expect(has(at(schema, "properties", NULL), "destinationShelf"));
    cr_expect_null(param(o, "destinationShelf"), "a star body leaves no query parameters");
}

Test(operation, has_no_request_body_without_a_body_rule)
{
    cr_expect_not(has(op("/v1/{parent}/books", "get"), "requestBody"));
}

Test(operation, answers_with_the_response_body_field)
{
    const cJSON *schema = at(op("/v1/{parent}/books", "get"), "responses", "200", "content",
                             "application/json", "schema", NULL);
    cr_expect_str_eq(str(schema, "type"), "array");
    cr_expect_str_eq(str(at(schema, "items", NULL), "$ref"),
                     "#/components/schemas/oastest.v1.Book");
}

Test(operation, documents_errors_as_google_rpc_status)
{
    const cJSON *schema = at(op("/v1/{name}", "get"), "responses", "default", "content",
                             "application/json", "schema", NULL);
    cr_expect_str_eq(str(schema, "$ref"), "#/components/schemas/google.rpc.Status");
    const cJSON *status = at(doc, "components", "schemas", "google.rpc.Status", "properties", NULL);
    cr_expect_str_eq(str(at(status, "code", NULL), "format"), "int32");
    cr_expect_str_eq(str(at(status, "details", "items", "properties", "@type", NULL), "type"),
                     "string");
}

Test(operation, gives_operation_ids_service_method_with_suffixes_for_other_bindings)
{
    cr_expect_str_eq(str(op("/v1/{name}", "get"), "operationId"), "Library_GetBook");
    cr_expect_str_eq(str(op("/v1/archive/{name}", "get"), "operationId"), "Library_GetBook2");
    cr_expect_str_eq(str(op("/v1/books/{name}", "get"), "operationId"), "Library_GetBook3");
    cr_expect_str_eq(str(op("/v1/audit/{name}", "get"), "operationId"), "Audit_GetBook");
}

Test(operation, never_gives_two_operations_the_same_id)
{
    cJSON *seen = cJSON_CreateObject();
    const cJSON *item, *o;
    int count = 0;
    cJSON_ArrayForEach(item, at(doc, "paths", NULL))
    {
        cJSON_ArrayForEach(o, item)
        {
            const char *id = str(o, "operationId");
            cr_expect_not(has(seen, id), "operationId %s twice", id);
            cJSON_AddTrueToObject(seen, id);
            count++;
        }
    }
    cr_expect_eq(count, 16);
    cJSON_Delete(seen);
}

Test(operation, routes_methods_without_rules_at_their_grpc_path)
{
    const cJSON *o = op("/oastest.v1.Library/Ping", "post");
    cr_expect_str_eq(str(o, "operationId"), "Library_Ping");
    cr_expect(has(at(o, "requestBody", "content", NULL), "application/json"));
}

Test(operation, splits_comments_into_summary_and_description)
{
    const cJSON *o = op("/v1/{name}", "get");
    cr_expect_str_eq(str(o, "summary"), "Returns one book.");
    cr_expect_str_eq(str(o, "description"),
                     "The name is the book's resource name,\nshelves/{shelf}/books/{book}.");
    cr_expect_not(has(op("/v1/{name}", "delete"), "description"));
}

Test(operation, tags_operations_with_their_service_described_by_its_comment)
{
    cr_expect_str_eq(cJSON_GetArrayItem(at(op("/v1/{name}", "get"), "tags", NULL), 0)->valuestring,
                     "Library");
    const cJSON *tag = cJSON_GetArrayItem(at(doc, "tags", NULL), 0);
    cr_expect_str_eq(str(tag, "name"), "Library");
    cr_expect_str_eq(str(tag, "description"),
                     "Shelves of books.\n\nThe service covers every kind of route.");
}

Test(operation, marks_deprecated_methods)
{
    cr_expect(cJSON_IsTrue(at(op("/v1/{name}", "delete"), "deprecated", NULL)));
    cr_expect_not(has(op("/v1/{name}", "get"), "deprecated"));
}

Test(operation, documents_server_streams_as_ndjson_and_server_sent_events)
{
    const cJSON *content = at(op("/v1/{shelf}:watch", "get"), "responses", "200", "content", NULL);
    const cJSON *ndjson = at(content, "application/x-ndjson", "schema", "properties", NULL);
    cr_expect_str_eq(str(at(ndjson, "result", NULL), "$ref"),
                     "#/components/schemas/oastest.v1.BookEvent");
    cr_expect_str_eq(str(at(ndjson, "error", NULL), "$ref"),
                     "#/components/schemas/google.rpc.Status");
    cr_expect_str_eq(str(at(content, "text/event-stream", "schema", NULL), "$ref"),
                     "#/components/schemas/oastest.v1.BookEvent",
                     "an event's data is the message itself");
}

Test(operation, documents_http_body_replies_as_raw_bytes)
{
    static const char *const paths[] = {"/v1/{name}/cover", "/v1/{name}:read"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *content = at(op(paths[i], "get"), "responses", "200", "content", NULL);
        const cJSON *schema = at(content, "*/*", "schema", NULL);
        cr_expect_str_eq(str(schema, "format"), "binary");
        cr_expect_not(has(content, "application/json"));
        cr_expect_not(has(content, "application/x-ndjson"));
    }
    cr_expect_not(has(at(doc, "components", "schemas", NULL), "google.api.HttpBody"));
}

Test(operation, documents_client_streams_as_a_sequence_of_request_objects)
{
    const cJSON *rb = at(op("/v1/books:upload", "post"), "requestBody", NULL);
    cr_expect(has(at(rb, "content", NULL), "application/x-ndjson"));
    cr_expect(strstr(str(rb, "description"), "stream") != NULL);
}
