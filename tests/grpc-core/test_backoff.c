#include <criterion/criterion.h>

#include "client_int.h"

Test(backoff, grows_by_1_6_from_one_second_up_to_two_minutes)
{
    uint64_t d = 1000;
    static const uint64_t want[] = {1000,  1600,  2560,  4096,   6553,   10484, 16774,
                                    26838, 42940, 68704, 109926, 120000, 120000};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        uint64_t before = d;
        cr_assert_eq(before, want[i], "attempt %zu: %llu", i, (unsigned long long)before);
        gcore_backoff_next(&d, 120000, 0);
    }
}

Test(backoff, jitters_within_twenty_percent)
{
    for (uint32_t rnd = 0; rnd < 5000; rnd += 7) {
        uint64_t d = 1000;
        uint64_t wait = gcore_backoff_next(&d, 120000, rnd);
        cr_assert(wait >= 800 && wait <= 1200, "%llu", (unsigned long long)wait);
    }
    uint64_t d = 1000;
    cr_assert_eq(gcore_backoff_next(&d, 120000, 0), 800);
    d = 1000;
    cr_assert_eq(gcore_backoff_next(&d, 120000, 400), 1200);
}
