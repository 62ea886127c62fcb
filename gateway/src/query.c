/* Query strings are decoded strictly: a stray '%' is a 400, not a guess. */
#include "query.h"

#include "status_map.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int gw_url_decode(const char *s, size_t n, bool plus_is_space, gb_arena *a, char **out,
                  size_t *out_n)
{
    char *d = gb_arena_alloc(a, n + 1);
    size_t k = 0;
    if (d == NULL)
        return GW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            d[k++] = plus_is_space && s[i] == '+' ? ' ' : s[i];
            continue;
        }
        if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
            return GW_ERR_REQUEST;
        d[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
        i += 2;
    }
    d[k] = '\0';
    *out = d;
    *out_n = k;
    return 0;
}

static int add_param(const char *p, size_t n, gb_arena *a, gw_query *out, gb_err *err)
{
    const char *eq = memchr(p, '=', n);
    size_t klen = eq != NULL ? (size_t)(eq - p) : n;
    gw_query_param *qp = &out->v[out->n];
    char *key, *value;
    size_t key_n, value_n;
    int rc = gw_url_decode(p, klen, true, a, &key, &key_n);
    if (rc == 0 && eq != NULL)
        rc = gw_url_decode(eq + 1, n - klen - 1, true, a, &value, &value_n);
    else if (rc == 0)
        rc = gw_url_decode("", 0, true, a, &value, &value_n);
    if (rc == GW_ERR_REQUEST)
        return gb_err_set(err, rc, "query parameter \"%.*s\": bad percent escape",
                          (int)(klen > 64 ? 64 : klen), p);
    if (rc != 0)
        return rc;
    if (key_n == 0 || strlen(key) != key_n)
        return gb_err_set(err, GW_ERR_REQUEST, "query parameter with an empty or invalid name");
    *qp = (gw_query_param){key, value, value_n};
    out->n++;
    return 0;
}

int gw_query_parse(const char *qs, gb_arena *a, gw_query *out, gb_err *err)
{
    out->v = NULL;
    out->n = 0;
    if (qs == NULL || *qs == '\0')
        return 0;
    size_t cap = 1;
    for (const char *p = qs; *p != '\0'; p++)
        cap += *p == '&';
    out->v = gb_arena_calloc(a, cap, sizeof *out->v);
    if (out->v == NULL)
        return GW_ERR_NOMEM;
    const char *p = qs;
    while (*p != '\0') {
        const char *amp = strchr(p, '&');
        size_t n = amp != NULL ? (size_t)(amp - p) : strlen(p);
        if (n != 0) {
            int rc = add_param(p, n, a, out, err);
            if (rc != 0)
                return rc;
        }
        p += n + (amp != NULL);
    }
    return 0;
}

const gw_query_param *gw_query_find(const gw_query *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->v[i].key, key) == 0)
            return &q->v[i];
    }
    return NULL;
}
