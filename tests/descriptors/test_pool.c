#include "test_pool_sets.h"

static const pbd_field *field(const pbd_message *m, const char *name)
{
    const pbd_field *f = pbd_message_field_by_name(m, name, strlen(name));
    cr_assert_not_null(f, "%s.%s", m->full_name, name);
    return f;
}

static const pbd_message *message(const pbd_pool *pool, const char *name)
{
    const pbd_message *m = pbd_pool_find_message(pool, name);
    cr_assert_not_null(m, "%s", name);
    return m;
}

Test(pool, examples_expose_services_methods_and_types)
{
    pbd_pool *pool = load_ok("examples");
    const pbd_method *m = pbd_pool_find_method(pool, "/helloworld.Greeter/SayHello");
    cr_assert_not_null(m);
    cr_assert_str_eq(m->name, "SayHello");
    cr_assert_str_eq(m->full_name, "helloworld.Greeter.SayHello");
    cr_assert_str_eq(m->input->full_name, "helloworld.HelloRequest");
    cr_assert_str_eq(m->output->full_name, "helloworld.HelloReply");
    cr_assert_str_eq(m->service->full_name, "helloworld.Greeter");
    cr_assert_not(m->client_streaming);
    cr_assert_not(m->server_streaming);
    const pbd_method *chat = pbd_pool_find_method(pool, "/routeguide.RouteGuide/RouteChat");
    cr_assert(chat->client_streaming && chat->server_streaming);
    cr_assert_null(pbd_pool_find_method(pool, "/helloworld.Greeter/Nope"));
    cr_assert_not_null(pbd_pool_find_service(pool, "tutorial.AddressBookService"));
    cr_assert_not_null(pbd_pool_find_file(pool, "google/protobuf/timestamp.proto"));
    cr_assert_eq(pbd_pool_n_services(pool), 4);
    pbd_pool_unref(pool);
}

Test(pool, examples_carry_json_names_and_leading_comments)
{
    pbd_pool *pool = load_ok("examples");
    const pbd_message *s = message(pool, "routeguide.RouteSummary");
    cr_assert_str_eq(field(s, "point_count")->json_name, "pointCount");
    cr_assert_eq(pbd_message_field_by_json_name(s, "elapsedTime", 11), field(s, "elapsed_time"));
    cr_assert_null(pbd_message_field_by_json_name(s, "elapsed_time", 12));
    cr_assert_str_eq(s->comment, "A RouteSummary is received in response to a RecordRoute rpc.");
    cr_assert_str_eq(field(s, "distance")->comment, "The distance covered in metres.");
    const pbd_method *m = pbd_pool_find_method(pool, "/routeguide.RouteGuide/GetFeature");
    cr_assert_str_eq(m->comment, "Obtains the feature at a given position.\n\nA feature with an "
                                 "empty name is returned if there's no feature at the given\n"
                                 "position.");
    /* A trailing comment is not a leading one. */
    cr_assert_null(field(message(pool, "tutorial.Person"), "id")->comment);
    pbd_pool_unref(pool);
}

Test(pool, examples_nested_types_enums_and_well_known_types)
{
    pbd_pool *pool = load_ok("examples");
    const pbd_message *person = message(pool, "tutorial.Person");
    const pbd_field *phones = field(person, "phones");
    cr_assert_eq(phones->label, PBD_LABEL_REPEATED);
    cr_assert_str_eq(phones->message->full_name, "tutorial.Person.PhoneNumber");
    cr_assert_str_eq(phones->message->name, "PhoneNumber");
    const pbd_field *type = field(phones->message, "type");
    cr_assert_eq(type->type, PBD_TYPE_ENUM);
    cr_assert_str_eq(type->enumeration->full_name, "tutorial.Person.PhoneType");
    cr_assert_not(type->enumeration->closed);
    const pbd_field *when = field(person, "last_updated");
    cr_assert_eq(when->message->wkt, PBD_WKT_TIMESTAMP);
    cr_assert(when->has_presence);
    cr_assert_eq(message(pool, "google.protobuf.Empty")->wkt, PBD_WKT_EMPTY);
    cr_assert_eq(person->wkt, PBD_WKT_NONE);
    const pbd_enum *cat = pbd_pool_find_enum(pool, "reco.BookCategory");
    cr_assert_str_eq(pbd_enum_value_by_number(cat, 1)->name, "SCIENCE_FICTION");
    cr_assert_eq(pbd_enum_value_by_name(cat, "SELF_HELP", 9)->number, 2);
    pbd_pool_unref(pool);
}

Test(pool, fields_are_sorted_by_number_with_name_indexes)
{
    pbd_pool *pool = load_ok("types3");
    const pbd_message *m = message(pool, "pbd.t3.Everything");
    for (size_t i = 1; i < m->n_fields; i++)
        cr_assert_lt(m->fields[i - 1].number, m->fields[i].number);
    for (size_t i = 1; i < m->n_fields; i++) {
        cr_assert_lt(strcmp(m->by_name[i - 1]->name, m->by_name[i]->name), 0);
        cr_assert_leq(strcmp(m->by_json_name[i - 1]->json_name, m->by_json_name[i]->json_name), 0);
    }
    cr_assert_eq(pbd_message_field_by_number(m, 536870911), field(m, "big"));
    cr_assert_null(pbd_message_field_by_number(m, 6));
    cr_assert_null(pbd_message_field_by_name(m, "plainx", 6));
    cr_assert_eq(pbd_message_field_by_name(m, "plainx", 5), field(m, "plain"));
    for (size_t i = 0; i < m->n_fields; i++)
        cr_assert_eq(m->fields[i].containing, m);
    pbd_pool_unref(pool);
}

Test(pool, json_names_follow_the_option_or_lower_camel_case)
{
    pbd_pool *pool = load_ok("types3");
    const pbd_message *m = message(pool, "pbd.t3.Everything");
    cr_assert_str_eq(field(m, "custom_json")->json_name, "renamed");
    cr_assert_str_eq(field(m, "snake_case_name")->json_name, "snakeCaseName");
    cr_assert_str_eq(field(m, "m_int32")->json_name, "mInt32");
    cr_assert_eq(pbd_message_field_by_json_name(m, "renamed", 7), field(m, "custom_json"));
    pbd_pool_unref(pool);
}

Test(pool, real_oneofs_exclude_proto3_optional)
{
    pbd_pool *pool = load_ok("types3");
    const pbd_message *m = message(pool, "pbd.t3.Everything");
    cr_assert_eq(m->n_oneofs, 2);
    cr_assert_str_eq(m->oneofs[0].name, "choice");
    cr_assert_eq(m->oneofs[0].n_fields, 3);
    cr_assert_str_eq(m->oneofs[0].fields[0]->name, "choice_text");
    cr_assert_str_eq(m->oneofs[0].fields[2]->name, "choice_nested");
    cr_assert_str_eq(m->oneofs[1].name, "second");
    cr_assert_eq(field(m, "second_flag")->oneof_index, 1);
    cr_assert_eq(field(m, "choice_number")->oneof_index, 0);
    const pbd_field *maybe = field(m, "maybe");
    cr_assert(maybe->proto3_optional && maybe->has_presence);
    cr_assert_eq(maybe->oneof_index, -1);
    cr_assert_eq(field(m, "after_oneofs")->oneof_index, -1);
    cr_assert(field(m, "choice_number")->has_presence);
    cr_assert_not(field(m, "plain")->has_presence);
    cr_assert_eq(field(m, "plain")->oneof_index, -1);
    cr_assert(field(m, "nested")->has_presence);
    cr_assert_not(field(m, "strings")->has_presence);
    pbd_pool_unref(pool);
}

Test(pool, maps_of_every_key_type_are_map_entries)
{
    static const struct {
        const char *field;
        pbd_type key;
    } maps[] = {
        {"m_int32", PBD_TYPE_INT32},       {"m_int64", PBD_TYPE_INT64},
        {"m_uint32", PBD_TYPE_UINT32},     {"m_uint64", PBD_TYPE_UINT64},
        {"m_sint32", PBD_TYPE_SINT32},     {"m_sint64", PBD_TYPE_SINT64},
        {"m_fixed32", PBD_TYPE_FIXED32},   {"m_fixed64", PBD_TYPE_FIXED64},
        {"m_sfixed32", PBD_TYPE_SFIXED32}, {"m_sfixed64", PBD_TYPE_SFIXED64},
        {"m_bool", PBD_TYPE_BOOL},         {"m_string", PBD_TYPE_STRING},
    };
    pbd_pool *pool = load_ok("types3");
    const pbd_message *m = message(pool, "pbd.t3.Everything");
    for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
        const pbd_field *f = field(m, maps[i].field);
        cr_assert(f->is_map, "%s", maps[i].field);
        cr_assert_eq(f->label, PBD_LABEL_REPEATED);
        cr_assert(f->message->map_entry);
        cr_assert_eq(f->message->n_fields, 2);
        cr_assert_eq(f->message->fields[0].number, 1);
        cr_assert_eq(f->message->fields[0].type, maps[i].key, "%s", maps[i].field);
        cr_assert_eq(f->message->fields[1].number, 2);
    }
    const pbd_field *value = &field(m, "m_string")->message->fields[1];
    cr_assert_str_eq(value->message->full_name, "pbd.t3.Everything.Nested");
    cr_assert_not(field(m, "nested")->is_map);
    cr_assert_not(field(m, "strings")->is_map);
    pbd_pool_unref(pool);
}

Test(pool, packing_follows_syntax_and_option)
{
    pbd_pool *pool = load_ok("types3");
    const pbd_message *m = message(pool, "pbd.t3.Everything");
    cr_assert(field(m, "packed_default")->packed);
    cr_assert(field(m, "colors")->packed);
    cr_assert(field(m, "doubles")->packed);
    cr_assert_not(field(m, "unpacked")->packed);
    cr_assert_not(field(m, "strings")->packed);
    cr_assert_not(field(m, "plain")->packed);
    pbd_pool_unref(pool);
    pool = load_ok("types2");
    const pbd_message *l = message(pool, "pbd.t2.Legacy");
    cr_assert_not(field(l, "unpacked_default")->packed);
    cr_assert_not(field(l, "levels")->packed);
    cr_assert(field(l, "packed")->packed);
    pbd_pool_unref(pool);
}

Test(pool, proto2_defaults_presence_and_closed_enums)
{
    pbd_pool *pool = load_ok("types2");
    const pbd_message *l = message(pool, "pbd.t2.Legacy");
    cr_assert_str_eq(field(l, "count")->default_value, "42");
    cr_assert_str_eq(field(l, "level")->default_value, "HIGH");
    cr_assert_str_eq(field(l, "text")->default_value, "hi");
    cr_assert_null(field(l, "id")->default_value);
    cr_assert_eq(field(l, "id")->label, PBD_LABEL_REQUIRED);
    cr_assert(field(l, "count")->has_presence);
    cr_assert(field(l, "id")->has_presence);
    cr_assert_not(field(l, "packed")->has_presence);
    const pbd_enum *level = pbd_pool_find_enum(pool, "pbd.t2.Level");
    cr_assert(level->closed);
    cr_assert_str_eq(level->values[0].name, "LOW");
    cr_assert_not(l->file->proto3);
    pbd_pool_unref(pool);
}

Test(pool, enum_aliases_keep_the_first_declared_value_by_number)
{
    pbd_pool *pool = load_ok("types3");
    const pbd_enum *e = pbd_pool_find_enum(pool, "pbd.t3.Color");
    cr_assert(e->allow_alias);
    cr_assert_eq(e->n_values, 5);
    cr_assert_eq(e->n_by_number, 4);
    cr_assert_str_eq(pbd_enum_value_by_number(e, 1)->name, "RED");
    cr_assert_eq(pbd_enum_value_by_name(e, "CRIMSON", 7)->number, 1);
    cr_assert_null(pbd_enum_value_by_number(e, 9));
    cr_assert_null(pbd_enum_value_by_name(e, "RE", 2));
    cr_assert(pbd_enum_value_by_name(e, "BLUE", 4)->deprecated);
    cr_assert_str_eq(e->values[0].comment, "The default.");
    cr_assert_str_eq(e->comment, "An enum whose values share numbers.");
    cr_assert_not(e->closed);
    pbd_pool_unref(pool);
}

Test(pool, deprecated_flags_and_nested_scopes)
{
    pbd_pool *pool = load_ok("types3");
    const pbd_message *m = message(pool, "pbd.t3.Everything");
    cr_assert(field(m, "old")->deprecated);
    cr_assert_not(field(m, "plain")->deprecated);
    cr_assert(message(pool, "pbd.t3.Deprecated")->deprecated);
    cr_assert_not(m->deprecated);
    const pbd_message *deeper = message(pool, "pbd.t3.Everything.Nested.Deeper");
    cr_assert_str_eq(field(deeper, "back")->message->full_name, "pbd.t3.Everything.Nested");
    cr_assert_str_eq(field(deeper, "color")->enumeration->full_name, "pbd.t3.Color");
    cr_assert_str_eq(field(m, "deeper")->message->full_name, "pbd.t3.Everything.Nested.Deeper");
    const pbd_message *nested = message(pool, "pbd.t3.Everything.Nested");
    cr_assert_str_eq(nested->comment, "Declared inside Everything.");
    cr_assert_str_eq(field(nested, "kind")->enumeration->full_name, "pbd.t3.Everything.Kind");
    pbd_pool_unref(pool);
}

Test(pool, files_keep_their_bytes_and_dependencies)
{
    pbd_pool *pool = load_ok("types3");
    const pbd_file *f = pbd_pool_find_file(pool, "pbd/types3.proto");
    cr_assert_not_null(f);
    cr_assert_str_eq(f->package, "pbd.t3");
    cr_assert(f->proto3);
    cr_assert_eq(f->n_deps, 1);
    cr_assert_str_eq(f->deps[0]->name, "google/protobuf/timestamp.proto");
    cr_assert_gt(f->serialized.n, 100);
    /* The serialized bytes start with field 1 (name): tag 0x0a, length, "pbd/types3.proto". */
    cr_assert_eq(f->serialized.p[0], 0x0a);
    cr_assert_eq(memcmp(f->serialized.p + 2, "pbd/types3.proto", 16), 0);
    cr_assert_eq(pbd_pool_n_files(pool), 2);
    cr_assert_eq(pbd_pool_file(pool, 1), f);
    cr_assert_null(pbd_pool_file(pool, 2));
    size_t n = pbd_pool_n_messages(pool);
    cr_assert_gt(n, 5);
    cr_assert_null(pbd_pool_message(pool, n));
    cr_assert_gt(pbd_pool_n_enums(pool), 1);
    pbd_pool_unref(pool);
}

Test(pool, references_keep_the_pool_alive)
{
    pbd_pool *pool = load_ok("types3");
    pbd_pool *again = pbd_pool_ref(pool);
    cr_assert_eq(again, pool);
    pbd_pool_unref(pool);
    cr_assert_not_null(pbd_pool_find_message(again, "pbd.t3.Everything"));
    pbd_pool_unref(again);
}

#include <pthread.h>

static void *ref_unref(void *arg)
{
    pbd_pool *pool = arg;
    for (int i = 0; i < 10000; i++)
        pbd_pool_unref(pbd_pool_ref(pool));
    return NULL;
}

Test(pool, references_are_taken_and_dropped_from_many_threads)
{
    pbd_pool *pool = load_ok("types2");
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, ref_unref, pool), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    /* Still exactly one reference: the pool is alive and the last unref frees it (ASan). */
    cr_assert_not_null(pbd_pool_find_message(pool, "pbd.t2.Legacy"));
    pbd_pool_unref(pool);
}

Test(pool, resolves_types_imported_from_another_file_and_package)
{
    pbd_pool *pool = load_ok("uses_dep");
    const pbd_field *same = field(message(pool, "pbd.dep.User"), "same");
    cr_assert_str_eq(same->message->full_name, "pbd.dup.Same");
    cr_assert_str_eq(same->message->file->name, "pbd/dup_a.proto");
    const pbd_file *user_file = message(pool, "pbd.dep.User")->file;
    cr_assert_eq(user_file->n_deps, 1);
    cr_assert_str_eq(user_file->deps[0]->name, "pbd/dup_a.proto");
    pbd_pool_unref(pool);
}

Test(pool, reserved_numbers_and_names_leave_no_fields)
{
    pbd_pool *pool = load_ok("types3");
    const pbd_message *m = message(pool, "pbd.t3.Everything");
    for (uint32_t n = 6; n <= 9; n++)
        cr_assert_null(pbd_message_field_by_number(m, n), "reserved %u", n);
    cr_assert_null(pbd_message_field_by_number(m, 15));
    cr_assert_null(pbd_message_field_by_name(m, "retired", 7));
    cr_assert_not_null(pbd_message_field_by_number(m, 5));
    pbd_pool_unref(pool);
}
