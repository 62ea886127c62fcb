#include <criterion/criterion.h>

#include <base/err.h>

#include <string.h>

Test(err, formats_the_message_and_returns_the_code)
{
    gb_err err = {0};
    cr_assert_eq(gb_err_set(&err, GB_ERR_INVALID, "%s: expected %s", "a.b", "int32"),
                 GB_ERR_INVALID);
    cr_assert_str_eq(err.msg, "a.b: expected int32");
    cr_assert_eq(gb_err_set(NULL, GB_ERR_LIMIT, "ignored"), GB_ERR_LIMIT);
}

Test(err, prefixes_within_the_buffer)
{
    gb_err err = {0};
    gb_err_set(&err, GB_ERR_IO, "cannot open");
    gb_err_prefix(&err, "greeter.pb");
    cr_assert_str_eq(err.msg, "greeter.pb: cannot open");
    memset(err.msg, 'x', sizeof(err.msg) - 1);
    err.msg[sizeof(err.msg) - 1] = '\0';
    gb_err_prefix(&err, "file");
    cr_assert_eq(strlen(err.msg), sizeof(err.msg) - 1);
    cr_assert_eq(strncmp(err.msg, "file: xxx", 9), 0);
}
