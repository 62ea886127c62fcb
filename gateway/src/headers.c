/* Request headers become metadata; response metadata becomes headers (see headers.h). */
#include "headers.h"

#include "status_map.h"

#include <base/base64.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Never forwarded, whatever the allow-list says: hop-by-hop (RFC 9110 7.6.1) and
 * headers that the gRPC client sets itself. */
static const char *const reserved[] = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "content-type",
    "user-agent",
};

static bool is_reserved(const char *key)
{
    if (key[0] == ':' || strncasecmp(key, "grpc-", 5) == 0)
        return true;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        if (strcasecmp(key, reserved[i]) == 0)
            return true;
    }
    return false;
}

/* gRPC metadata keys: 0-9 a-z - _ . (after lower-casing). */
static bool valid_key(const char *key)
{
    if (*key == '\0')
        return false;
    for (const char *p = key; *p != '\0'; p++) {
        char c = (char)tolower((unsigned char)*p);
        if (!(isdigit((unsigned char)c) || (c >= 'a' && c <= 'z') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    }
    return true;
}

static bool ends_with_bin(const char *key)
{
    size_t n = strlen(key);
    return n >= 4 && strcasecmp(key + n - 4, "-bin") == 0;
}

int gw_md_list_add(gw_md_list *l, gb_arena *a, const char *key, const void *value, size_t len)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        gw_md *v = gb_arena_calloc(a, cap, sizeof *v);
        if (v == NULL)
            return GW_ERR_NOMEM;
        if (l->n != 0)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    size_t klen = strlen(key);
    char *k = gb_arena_strndup(a, key, klen);
    char *val = gb_arena_strndup(a, value, len);
    if (k == NULL || val == NULL)
        return GW_ERR_NOMEM;
    l->v[l->n++] = (gw_md){k, val, len};
    return 0;
}

static bool allowed(const gw_header_rules *rules, const char *name)
{
    for (size_t i = 0; rules != NULL && i < rules->n_allow; i++) {
        if (strcasecmp(rules->allow[i], name) == 0)
            return true;
    }
    return false;
}

static int add_value(const char *name, const char *mixed_key, const char *value, gb_arena *a,
                     gw_md_list *out, gb_err *err)
{
    size_t vlen = strlen(value);
    char key[256];
    size_t klen = strlen(mixed_key);
    if (klen >= sizeof key)
        return 0;
    for (size_t i = 0; i <= klen; i++)
        key[i] = (char)tolower((unsigned char)mixed_key[i]);
    if (!ends_with_bin(key))
        return gw_md_list_add(out, a, key, value, vlen);
    uint8_t *raw = gb_arena_alloc(a, gb_base64_decoded_max(vlen) + 1);
    size_t n = 0;
    if (raw == NULL)
        return GW_ERR_NOMEM;
    if (gb_base64_decode(value, vlen, raw, &n) != 0)
        return gb_err_set(err, GW_ERR_REQUEST, "header %s: value is not base64", name);
    return gw_md_list_add(out, a, key, raw, n);
}

int gw_headers_map_request(const gw_header_rules *rules, const char *name, const char *value,
                           gb_arena *a, gw_md_list *out, gb_err *err)
{
    static const char prefix[] = "grpc-metadata-";
    if (strncasecmp(name, prefix, sizeof prefix - 1) == 0) {
        const char *key = name + sizeof prefix - 1;
        if (!valid_key(key) || is_reserved(key))
            return 0;
        return add_value(name, key, value, a, out, err);
    }
    if (strcasecmp(name, "authorization") == 0)
        return gw_md_list_add(out, a, "authorization", value, strlen(value));
    if (allowed(rules, name) && valid_key(name) && !is_reserved(name))
        return add_value(name, name, value, a, out, err);
    return 0;
}

int gw_headers_add_forwarded(const char *xff, const char *xfh, const char *host,
                             const char *client_ip, gb_arena *a, gw_md_list *out)
{
    if (client_ip != NULL) {
        size_t n = (xff ? strlen(xff) + 2 : 0) + strlen(client_ip) + 1;
        char *v = gb_arena_alloc(a, n);
        if (v == NULL)
            return GW_ERR_NOMEM;
        if (xff != NULL)
            snprintf(v, n, "%s, %s", xff, client_ip);
        else
            snprintf(v, n, "%s", client_ip);
        if (gw_md_list_add(out, a, "x-forwarded-for", v, strlen(v)) != 0)
            return GW_ERR_NOMEM;
    }
    const char *fh = xfh != NULL ? xfh : host;
    if (fh != NULL && gw_md_list_add(out, a, "x-forwarded-host", fh, strlen(fh)) != 0)
        return GW_ERR_NOMEM;
    return 0;
}

int gw_headers_map_response(const char *key, const uint8_t *value, size_t len, bool trailer,
                            gb_arena *a, const char **name_out, const char **value_out)
{
    *name_out = NULL;
    *value_out = NULL;
    if (is_reserved(key) || !valid_key(key))
        return 0;
    const char *prefix = trailer ? "Grpc-Trailer-" : "Grpc-Metadata-";
    size_t n = strlen(prefix) + strlen(key) + 1;
    char *name = gb_arena_alloc(a, n);
    if (name == NULL)
        return GW_ERR_NOMEM;
    snprintf(name, n, "%s%s", prefix, key);
    char *v;
    if (ends_with_bin(key)) {
        v = gb_arena_alloc(a, gb_base64_encoded_len(len) + 1);
        if (v != NULL)
            v[gb_base64_encode(value, len, v)] = '\0';
    } else {
        v = gb_arena_strndup(a, (const char *)value, len);
    }
    if (v == NULL)
        return GW_ERR_NOMEM;
    *name_out = name;
    *value_out = v;
    return 0;
}
