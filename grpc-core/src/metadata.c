#include <grpc-core/metadata.h>
#include <grpc-core/status.h>

#include <base/base64.h>

#include <stdlib.h>
#include <string.h>

void gcore_metadata_init(gcore_metadata *md)
{
    md->v = NULL;
    md->n = 0;
    md->cap = 0;
}

void gcore_metadata_free(gcore_metadata *md)
{
    for (size_t i = 0; i < md->n; i++)
        free(md->v[i].key); /* the value is in the same block (push) */
    free(md->v);
    gcore_metadata_init(md);
}

bool gcore_metadata_key_valid(gb_slice key)
{
    if (key.n == 0)
        return false;
    for (size_t i = 0; i < key.n; i++) {
        uint8_t c = key.p[i];
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

bool gcore_metadata_key_is_bin(gb_slice key)
{
    return key.n >= 4 && memcmp(key.p + key.n - 4, "-bin", 4) == 0;
}

bool gcore_metadata_key_reserved(gb_slice key)
{
    static const char *const reserved[] = {
        "content-type",     "te",      "user-agent", "connection",        "keep-alive",
        "proxy-connection", "upgrade", "host",       "transfer-encoding", "content-length",
    };
    if (key.n > 0 && key.p[0] == ':')
        return true;
    if (key.n >= 5 && memcmp(key.p, "grpc-", 5) == 0)
        return true;
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        if (gb_slice_eq_str(key, reserved[i]))
            return true;
    }
    return false;
}

static bool value_printable(gb_slice v)
{
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < 0x20 || v.p[i] > 0x7e)
            return false;
    }
    return true;
}

static int push(gcore_metadata *md, gb_slice key, const uint8_t *val, size_t n)
{
    if (md->n == md->cap) {
        size_t cap = md->cap ? md->cap * 2 : 8;
        gcore_md_entry *v = realloc(md->v, cap * sizeof(*v));
        if (v == NULL)
            return GCORE_ERR_NOMEM;
        md->v = v;
        md->cap = cap;
    }
    char *k = malloc(key.n + 1 + n + 1);
    if (k == NULL)
        return GCORE_ERR_NOMEM;
    memcpy(k, key.p, key.n);
    k[key.n] = '\0';
    uint8_t *value = (uint8_t *)k + key.n + 1;
    if (n)
        memcpy(value, val, n);
    value[n] = '\0';
    md->v[md->n++] = (gcore_md_entry){k, value, n};
    return 0;
}

int gcore_metadata_add(gcore_metadata *md, const char *key, gb_slice value, gb_err *err)
{
    gb_slice k = gb_slice_str(key);
    if (!gcore_metadata_key_valid(k))
        return gb_err_set(err, GCORE_ERR_INVALID, "metadata key \"%s\": not [0-9a-z_.-]+", key);
    if (gcore_metadata_key_reserved(k))
        return gb_err_set(err, GCORE_ERR_RESERVED, "metadata key \"%s\": reserved", key);
    if (!gcore_metadata_key_is_bin(k) && !value_printable(value))
        return gb_err_set(err, GCORE_ERR_INVALID,
                          "metadata \"%s\": value not printable ASCII (use a -bin key)", key);
    if (push(md, k, value.p, value.n) != 0)
        return gb_err_set(err, GCORE_ERR_NOMEM, "metadata \"%s\": out of memory", key);
    return 0;
}

int gcore_metadata_add_wire(gcore_metadata *md, gb_slice key, gb_slice value, gb_err *err)
{
    if (!gcore_metadata_key_valid(key))
        return gb_err_set(err, GCORE_ERR_INVALID, "metadata key \"%.*s\": not [0-9a-z_.-]+",
                          (int)(key.n > 64 ? 64 : key.n), (const char *)key.p);
    if (!gcore_metadata_key_is_bin(key)) {
        if (!value_printable(value))
            return gb_err_set(err, GCORE_ERR_INVALID, "metadata \"%.*s\": value not printable",
                              (int)key.n, (const char *)key.p);
        return push(md, key, value.p, value.n) ? gb_err_set(err, GCORE_ERR_NOMEM, "out of memory")
                                               : 0;
    }
    uint8_t *raw = malloc(gb_base64_decoded_max(value.n) + 1);
    if (raw == NULL)
        return gb_err_set(err, GCORE_ERR_NOMEM, "out of memory");
    size_t n = 0;
    int rc = gb_base64_decode((const char *)value.p, value.n, raw, &n);
    if (rc != 0) {
        free(raw);
        return gb_err_set(err, GCORE_ERR_INVALID, "metadata \"%.*s\": bad base64 value", (int)key.n,
                          (const char *)key.p);
    }
    rc = push(md, key, raw, n);
    free(raw);
    return rc ? gb_err_set(err, GCORE_ERR_NOMEM, "out of memory") : 0;
}

int gcore_metadata_append(gcore_metadata *dst, const gcore_metadata *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const gcore_md_entry *e = &src->v[i];
        if (push(dst, gb_slice_str(e->key), e->value, e->value_len) != 0)
            return GCORE_ERR_NOMEM;
    }
    return 0;
}

const gcore_md_entry *gcore_metadata_get(const gcore_metadata *md, const char *key)
{
    for (size_t i = 0; i < md->n; i++) {
        if (strcmp(md->v[i].key, key) == 0)
            return &md->v[i];
    }
    return NULL;
}

int gcore_metadata_wire_value(const gcore_md_entry *e, gb_buf *out)
{
    if (!gcore_metadata_key_is_bin(gb_slice_str(e->key)))
        return gb_buf_append(out, e->value, e->value_len);
    size_t n = gb_base64_encoded_len(e->value_len);
    int rc = gb_buf_reserve(out, n);
    if (rc != 0)
        return rc;
    /* gRPC senders should omit the padding; receivers accept both. */
    size_t w = gb_base64_encode(e->value, e->value_len, (char *)out->p + out->n);
    while (w > 0 && out->p[out->n + w - 1] == '=')
        w--;
    out->n += w;
    return 0;
}
