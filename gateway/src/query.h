/*
 * The query string of a request URL, split and percent-decoded (application/
 * x-www-form-urlencoded: '+' is a space). Keys keep their order and repeats:
 * "?ids=1&ids=2" gives two entries, which the codec turns into a repeated field.
 *
 *     gw_query q;
 *     if (gw_query_parse("a.b=x%20y&ids=1&ids=2", &arena, &q, &err) != 0) ...
 *     // q.v[0] = {"a.b", "x y"}, q.v[1] = {"ids", "1"}, q.v[2] = {"ids", "2"}
 */
#ifndef GW_QUERY_H
#define GW_QUERY_H

#include <base/arena.h>
#include <base/err.h>

#include <stdbool.h>
#include <stddef.h>

typedef struct gw_query_param {
    const char *key;   /* decoded, NUL-terminated */
    const char *value; /* decoded, NUL-terminated; "" for "?flag" */
    size_t value_len;  /* the value may hold "%00" */
} gw_query_param;

typedef struct gw_query {
    gw_query_param *v; /* in the arena */
    size_t n;
} gw_query;

/**
 * Splits |qs| (the text after '?', without it; NULL or "" give no parameters) at '&'
 * and decodes each "key=value". Empty pieces ("a=1&&b=2") are skipped.
 * Ownership: everything is copied into |a|. Thread: any.
 * Returns 0, GW_ERR_REQUEST (a bad percent escape or an empty key; |err| says where)
 * or GW_ERR_NOMEM (arena full).
 */
int gw_query_parse(const char *qs, gb_arena *a, gw_query *out, gb_err *err);

/**
 * Percent-decodes |n| bytes of |s| into |a| (NUL-terminated), '+' as a space when
 * |plus_is_space|. Returns 0, GW_ERR_REQUEST (bad escape) or GW_ERR_NOMEM.
 */
int gw_url_decode(const char *s, size_t n, bool plus_is_space, gb_arena *a, char **out,
                  size_t *out_n);

/** The first value of |key|, or NULL. */
const gw_query_param *gw_query_find(const gw_query *q, const char *key);

#endif
