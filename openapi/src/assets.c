/* Serving the embedded Swagger UI: look-up by exact name, ETag comparison. */
#include "assets_int.h"

#include <stdlib.h>
#include <string.h>

static int by_name(const void *key, const void *elem)
{
    return strcmp(key, ((const oas_asset *)elem)->name);
}

int oas_asset_find(const char *path, size_t len, const oas_asset **out)
{
    static const char prefix[] = OAS_ASSETS_PREFIX;
    const size_t plen = sizeof(prefix) - 1;
    char name[64];
    *out = NULL;
    if (path == NULL || len < plen || memcmp(path, prefix, plen) != 0)
        return OAS_ERR_NOT_FOUND;
    size_t n = len - plen;
    /* Names are flat and plain: a NUL, slash or anything longer cannot match, and
     * nothing is decoded, so "..", "%2e%2e" and friends stay unknown names. */
    if (n >= sizeof(name) || memchr(path + plen, '\0', n) != NULL)
        return OAS_ERR_NOT_FOUND;
    memcpy(name, path + plen, n);
    name[n] = '\0';
    const char *key = n == 0 ? "index.html" : name;
    *out = bsearch(key, oas_assets_table, oas_assets_count, sizeof(oas_asset), by_name);
    return *out != NULL ? 0 : OAS_ERR_NOT_FOUND;
}

/* One entity tag of an If-None-Match list, weak or strong (RFC 9110 weak comparison). */
static bool tag_equals(const char *p, size_t n, const char *etag)
{
    if (n >= 2 && p[0] == 'W' && p[1] == '/') {
        p += 2;
        n -= 2;
    }
    return n == strlen(etag) && memcmp(p, etag, n) == 0;
}

bool oas_asset_etag_matches(const oas_asset *a, const char *if_none_match)
{
    if (a == NULL || if_none_match == NULL)
        return false;
    const char *p = if_none_match;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ", \t");
        if (n == 1 && *p == '*')
            return true;
        if (n > 0 && tag_equals(p, n, a->etag))
            return true;
        p += n;
    }
    return false;
}

const oas_asset *oas_assets_all(size_t *n_out)
{
    *n_out = oas_assets_count;
    return oas_assets_table;
}
