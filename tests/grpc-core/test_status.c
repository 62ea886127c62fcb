#include <criterion/criterion.h>

#include <grpc-core/status.h>

#include <string.h>

Test(status, names_every_code)
{
    cr_assert_str_eq(gcore_status_code_name(GCORE_STATUS_OK), "OK");
    cr_assert_str_eq(gcore_status_code_name(GCORE_STATUS_DEADLINE_EXCEEDED), "DEADLINE_EXCEEDED");
    cr_assert_str_eq(gcore_status_code_name(GCORE_STATUS_UNAUTHENTICATED), "UNAUTHENTICATED");
    cr_assert_str_eq(gcore_status_code_name(17), "UNKNOWN");
    cr_assert_str_eq(gcore_status_code_name(-1), "UNKNOWN");
}

Test(status, maps_http_statuses_per_the_grpc_spec)
{
    cr_assert_eq(gcore_status_from_http(400), GCORE_STATUS_INTERNAL);
    cr_assert_eq(gcore_status_from_http(401), GCORE_STATUS_UNAUTHENTICATED);
    cr_assert_eq(gcore_status_from_http(403), GCORE_STATUS_PERMISSION_DENIED);
    cr_assert_eq(gcore_status_from_http(404), GCORE_STATUS_UNIMPLEMENTED);
    cr_assert_eq(gcore_status_from_http(429), GCORE_STATUS_UNAVAILABLE);
    cr_assert_eq(gcore_status_from_http(502), GCORE_STATUS_UNAVAILABLE);
    cr_assert_eq(gcore_status_from_http(503), GCORE_STATUS_UNAVAILABLE);
    cr_assert_eq(gcore_status_from_http(504), GCORE_STATUS_UNAVAILABLE);
    cr_assert_eq(gcore_status_from_http(500), GCORE_STATUS_UNKNOWN);
}

Test(status, owns_copies_of_message_and_details)
{
    gcore_status a, b;
    gcore_status_init(&a);
    gcore_status_init(&b);
    char msg[] = "not here";
    cr_assert_eq(gcore_status_set(&a, GCORE_STATUS_NOT_FOUND, msg), 0);
    msg[0] = 'X';
    cr_assert_eq(gcore_status_set_details(&a, (const uint8_t *)"\x08\x05", 2), 0);
    cr_assert_eq(gcore_status_copy(&b, &a), 0);
    gcore_status_clear(&a);
    cr_assert_eq(a.code, GCORE_STATUS_OK);
    cr_assert_str_eq(a.message, "");
    cr_assert_eq(b.code, GCORE_STATUS_NOT_FOUND);
    cr_assert_str_eq(b.message, "not here");
    cr_assert_eq(b.details_len, 2);
    gcore_status_clear(&b);
}

Test(status, describes_library_errors)
{
    cr_assert_str_eq(gcore_strerror(GCORE_ERR_NOMEM), "out of memory");
    cr_assert_str_eq(gcore_strerror(0), "success");
    cr_assert(strlen(gcore_strerror(-1)) > 0);
    cr_assert_str_eq(gcore_strerror(-250), "unknown error");
}
