/* Numbers: exact integers from JSON text, and the shortest floats that read back. */
#include <criterion/criterion.h>

#include "json_int.h"

#include <float.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

static int parse(const char *s, bool *neg, uint64_t *mag)
{
    return pbd_num_parse_int(s, strlen(s), neg, mag);
}

Test(json_num, reads_integers_exactly_whatever_their_notation)
{
    bool neg;
    uint64_t mag;
    cr_assert_eq(parse("18446744073709551615", &neg, &mag), 0);
    cr_assert_eq(mag, UINT64_MAX);
    cr_assert_eq(parse("1844674407370955161.5e1", &neg, &mag), 0);
    cr_assert_eq(mag, UINT64_MAX);
    cr_assert_eq(parse("-12.340e2", &neg, &mag), 0);
    cr_assert(neg);
    cr_assert_eq(mag, 1234);
    cr_assert_eq(parse("0.0e-99999999999", &neg, &mag), 0);
    cr_assert_eq(mag, 0);
    cr_assert_eq(parse("100e-2", &neg, &mag), 0);
    cr_assert_eq(mag, 1);
}

Test(json_num, refuses_what_is_not_an_exact_integer_in_range)
{
    bool neg;
    uint64_t mag;
    cr_assert_eq(parse("18446744073709551616", &neg, &mag), PBD_ERR_JSON_RANGE);
    cr_assert_eq(parse("1e20", &neg, &mag), PBD_ERR_JSON_RANGE);
    cr_assert_eq(parse("1e99999999999999999999", &neg, &mag), PBD_ERR_JSON_RANGE);
    cr_assert_eq(parse("1.5", &neg, &mag), PBD_ERR_JSON_RANGE);
    cr_assert_eq(parse("15e-1", &neg, &mag), PBD_ERR_JSON_RANGE);
    cr_assert_eq(parse("+1", &neg, &mag), PBD_ERR_JSON_TYPE);
    cr_assert_eq(parse("01", &neg, &mag), PBD_ERR_JSON_TYPE);
    cr_assert_eq(parse("1.", &neg, &mag), PBD_ERR_JSON_TYPE);
    cr_assert_eq(parse("0x10", &neg, &mag), PBD_ERR_JSON_TYPE);
    cr_assert_eq(parse("", &neg, &mag), PBD_ERR_JSON_TYPE);
}

Test(json_num, checks_each_type_range)
{
    uint64_t u;
    cr_assert_eq(pbd_num_fit(PBD_TYPE_INT32, true, 2147483648u, &u), 0);
    cr_assert_eq((int32_t)u, INT32_MIN);
    cr_assert_eq(pbd_num_fit(PBD_TYPE_INT32, true, 2147483649u, &u), PBD_ERR_JSON_RANGE);
    cr_assert_eq(pbd_num_fit(PBD_TYPE_UINT32, false, 4294967296u, &u), PBD_ERR_JSON_RANGE);
    cr_assert_eq(pbd_num_fit(PBD_TYPE_FIXED64, true, 1, &u), PBD_ERR_JSON_RANGE);
    cr_assert_eq(pbd_num_fit(PBD_TYPE_SFIXED64, true, (uint64_t)INT64_MAX + 1, &u), 0);
    cr_assert_eq(pbd_num_fit(PBD_TYPE_FIXED64, false, 0, &u), 0);
}

static const char *shortest(double v, bool is_float)
{
    static char out[64];
    gb_buf b;
    gb_buf_init(&b, 0);
    cr_assert_eq(pbd_num_write_double(&b, v, is_float), 0);
    snprintf(out, sizeof(out), "%.*s", (int)b.n, (const char *)b.p);
    gb_buf_free(&b);
    return out;
}

Test(json_num, writes_the_shortest_text_that_reads_back)
{
    cr_assert_str_eq(shortest(0.1, false), "0.1");
    cr_assert_str_eq(shortest(0.1f, true), "0.1");
    cr_assert_str_eq(shortest(1.0 / 3, false), "0.3333333333333333");
    cr_assert_str_eq(shortest(1.0f / 3, true), "0.33333334");
    cr_assert_str_eq(shortest(1e21, false), "1e+21");
    cr_assert_str_eq(shortest(DBL_MAX, false), "1.7976931348623157e+308");
    cr_assert_str_eq(shortest(FLT_MAX, true), "3.4028235e+38");
    cr_assert_str_eq(shortest(5e-324, false), "4.94065645841247e-324");
    cr_assert_str_eq(shortest(NAN, false), "\"NaN\"");
    cr_assert_str_eq(shortest(-INFINITY, true), "\"-Infinity\"");
}
