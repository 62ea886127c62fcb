/*
 * CORS: allowed origins and the allow-lists of preflights. Request header names a page
 * may send are those the gateway reads (headers.c); anything else a preflight asks for
 * is left out, so the browser refuses to send it rather than the gateway dropping it.
 */
#include "cors.h"

#include <base/buf.h>

#include <string.h>
#include <strings.h>

static const char metadata_prefix[] = "grpc-metadata-";

bool gw_cors_origin_allowed(const char *const *origins, size_t n, const char *origin)
{
    if (origin == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(origins[i], "*") == 0 || strcasecmp(origins[i], origin) == 0)
            return true;
    }
    return false;
}

static bool name_is(const char *name, size_t n, const char *want)
{
    return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

static bool may_send(const char *name, size_t n, const char *const *extra, size_t n_extra)
{
    static const char *const fixed[] = {"accept",          "accept-language", "content-language",
                                        "content-type",    "authorization",   "grpc-timeout",
                                        "x-requested-with"};
    size_t plen = sizeof metadata_prefix - 1;
    if (n > plen && strncasecmp(name, metadata_prefix, plen) == 0)
        return true;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (name_is(name, n, fixed[i]))
            return true;
    }
    for (size_t i = 0; i < n_extra; i++) {
        if (name_is(name, n, extra[i]))
            return true;
    }
    return false;
}

/* Appends |n| bytes of |name| to |b|, after ", " unless it is the first. */
static int add_name(gb_buf *b, const char *name, size_t n)
{
    int rc = b->n > 0 ? gb_buf_append(b, ", ", 2) : 0;
    return rc == 0 ? gb_buf_append(b, name, n) : rc;
}

/* The buffer's text copied into |a| ("" when empty); frees |b|. */
static const char *finish(gb_buf *b, gb_arena *a)
{
    const char *s = gb_arena_strndup(a, b->n > 0 ? (const char *)b->p : "", b->n);
    gb_buf_free(b);
    return s;
}

const char *gw_cors_allow_headers(const char *requested, const char *const *extra, size_t n_extra,
                                  gb_arena *a)
{
    gb_buf b;
    gb_buf_init(&b, 8192);
    const char *p = requested != NULL ? requested : "";
    while (*p != '\0') {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,");
        if (n > 0 && may_send(p, n, extra, n_extra) && add_name(&b, p, n) != 0) {
            gb_buf_free(&b);
            return NULL;
        }
        p += n;
    }
    return finish(&b, a);
}

const char *gw_cors_expose_headers(const gw_md_list *headers, gb_arena *a)
{
    gb_buf b;
    gb_buf_init(&b, 8192);
    size_t plen = sizeof metadata_prefix - 1;
    for (size_t i = 0; i < headers->n; i++) {
        const char *k = headers->v[i].key;
        if (strncasecmp(k, metadata_prefix, plen) == 0 && add_name(&b, k, strlen(k)) != 0) {
            gb_buf_free(&b);
            return NULL;
        }
    }
    if (b.n == 0) {
        gb_buf_free(&b);
        return NULL;
    }
    return finish(&b, a);
}
