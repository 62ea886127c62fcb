#include <criterion/criterion.h>

#include "wire_scan.h"

Test(wire_scan, walks_every_wire_type)
{
    /* 1: varint 150, 2: "hi", 3: fixed64, 4: fixed32 */
    static const uint8_t msg[] = {0x08, 0x96, 0x01, 0x12, 0x02, 'h',  'i', 0x19, 1, 2, 3,
                                  4,    5,    6,    7,    8,    0x25, 9,   9,    9, 9};
    gb_slice rest = gb_slice_of(msg, sizeof msg);
    gw_wire_field f;
    cr_assert_eq(gw_wire_next(&rest, &f), 1);
    cr_assert_eq(f.number, 1);
    cr_assert_eq(f.varint, 150);
    cr_assert_eq(f.record.n, 3);
    cr_assert_eq(gw_wire_next(&rest, &f), 1);
    cr_assert_eq(f.type, GW_WIRE_LEN);
    cr_assert_eq(f.payload.n, 2);
    cr_assert_eq(f.payload.p[0], 'h');
    cr_assert_eq(gw_wire_next(&rest, &f), 1);
    cr_assert_eq(f.payload.n, 8);
    cr_assert_eq(gw_wire_next(&rest, &f), 1);
    cr_assert_eq(f.number, 4);
    cr_assert_eq(f.payload.n, 4);
    cr_assert_eq(gw_wire_next(&rest, &f), 0);
}

Test(wire_scan, refuses_truncated_or_malformed_records)
{
    static const uint8_t len_past_end[] = {0x12, 0x05, 'a'};
    static const uint8_t bad_varint[] = {0x08, 0xff, 0xff};
    static const uint8_t group[] = {0x0b};
    static const uint8_t field_zero[] = {0x00, 0x01};
    const gb_slice cases[] = {gb_slice_of(len_past_end, 3), gb_slice_of(bad_varint, 3),
                              gb_slice_of(group, 1), gb_slice_of(field_zero, 2)};
    for (size_t i = 0; i < 4; i++) {
        gb_slice rest = cases[i];
        gw_wire_field f;
        cr_assert_eq(gw_wire_next(&rest, &f), -1, "case %zu", i);
    }
}
