#include "chunks.h"

#include <stdio.h>

void chunks_each(const uint8_t *p, size_t n, const chunks_ops *ops, void *ud)
{
    char how[64];
    ops->reset(ud);
    ops->feed(p, n, ud);
    ops->check(ud, "whole");
    for (size_t cut = 1; cut < n; cut++) {
        ops->reset(ud);
        ops->feed(p, cut, ud);
        ops->feed(p + cut, n - cut, ud);
        snprintf(how, sizeof(how), "split at %zu", cut);
        ops->check(ud, how);
    }
    ops->reset(ud);
    for (size_t i = 0; i < n; i++)
        ops->feed(p + i, 1, ud);
    ops->check(ud, "byte by byte");
}
