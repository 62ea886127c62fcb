#include <criterion/criterion.h>

#include <base/buf.h>
#include <base/err.h>

Test(buf, grows_as_bytes_are_appended)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gb_buf_putc(&b, (uint8_t)'a' + (uint8_t)(i % 26)), 0);
    cr_assert_eq(gb_buf_printf(&b, "%d-%s", 42, "x"), 0);
    cr_assert_eq(b.n, 1004);
    cr_assert_eq(memcmp(b.p + 1000, "42-x", 4), 0);
    gb_buf_free(&b);
}

Test(buf, stops_at_its_limit)
{
    gb_buf b;
    gb_buf_init(&b, 8);
    cr_assert_eq(gb_buf_append(&b, "12345678", 8), 0);
    cr_assert_eq(gb_buf_putc(&b, '9'), GB_ERR_LIMIT);
    cr_assert_eq(b.n, 8, "a refused append leaves the content alone");
    gb_buf_free(&b);
}
