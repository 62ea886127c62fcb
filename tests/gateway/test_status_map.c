#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "status_map.h"

#include <base/err.h>

struct code_case {
    int grpc;
    int http;
    char name[24];
};

ParameterizedTestParameters(status_map, maps_every_grpc_code_to_its_http_status)
{
    static struct code_case cases[] = {
        {0, 200, "OK"},
        {1, 499, "CANCELLED"},
        {2, 500, "UNKNOWN"},
        {3, 400, "INVALID_ARGUMENT"},
        {4, 504, "DEADLINE_EXCEEDED"},
        {5, 404, "NOT_FOUND"},
        {6, 409, "ALREADY_EXISTS"},
        {7, 403, "PERMISSION_DENIED"},
        {8, 429, "RESOURCE_EXHAUSTED"},
        {9, 400, "FAILED_PRECONDITION"},
        {10, 409, "ABORTED"},
        {11, 400, "OUT_OF_RANGE"},
        {12, 501, "UNIMPLEMENTED"},
        {13, 500, "INTERNAL"},
        {14, 503, "UNAVAILABLE"},
        {15, 500, "DATA_LOSS"},
        {16, 401, "UNAUTHENTICATED"},
    };
    return cr_make_param_array(struct code_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct code_case *c, status_map, maps_every_grpc_code_to_its_http_status)
{
    cr_assert_eq(gw_status_http_from_grpc(c->grpc), c->http, "code %d", c->grpc);
    cr_assert_str_eq(gw_status_grpc_name(c->grpc), c->name);
}

Test(status_map, treats_codes_outside_the_table_as_internal_errors)
{
    cr_assert_eq(gw_status_http_from_grpc(17), 500);
    cr_assert_eq(gw_status_http_from_grpc(-1), 500);
    cr_assert_str_eq(gw_status_grpc_name(99), "UNKNOWN");
}

Test(status_map, maps_library_errors_to_grpc_codes)
{
    cr_assert_eq(gw_status_grpc_from_error(0), GW_CODE_OK);
    cr_assert_eq(gw_status_grpc_from_error(-121), GW_CODE_INVALID_ARGUMENT); /* codec */
    cr_assert_eq(gw_status_grpc_from_error(-204), GW_CODE_UNAVAILABLE);      /* transport */
    cr_assert_eq(gw_status_grpc_from_error(GB_ERR_LIMIT), GW_CODE_RESOURCE_EXHAUSTED);
    cr_assert_eq(gw_status_grpc_from_error(GW_ERR_NO_ROUTE), GW_CODE_NOT_FOUND);
    cr_assert_eq(gw_status_grpc_from_error(GW_ERR_REQUEST), GW_CODE_INVALID_ARGUMENT);
    cr_assert_eq(gw_status_grpc_from_error(GW_ERR_UPSTREAM), GW_CODE_UNAVAILABLE);
    cr_assert_eq(gw_status_grpc_from_error(GB_ERR_NOMEM), GW_CODE_INTERNAL);
}
