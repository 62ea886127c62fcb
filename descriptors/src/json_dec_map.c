/*
 * Map fields, wire -> JSON: every entry is a small message (key = 1, value = 2). Keys
 * are rendered as JSON object keys first, so that a key sent twice prints once with its
 * last value (sort by key, then by position), then the surviving entries are printed
 * in wire order.
 */
#include "json_int.h"

#include <stdlib.h>
#include <string.h>

enum { SMALL_MAP = 8 }; /* entries checked for repeated keys pairwise */

typedef struct map_key {
    size_t off; /* in the key text buffer */
    size_t len;
    size_t entry;
    bool dropped;
    const uint8_t *text; /* set once every key is rendered */
} map_key;

static int cmp_key(const void *a, const void *b)
{
    const map_key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n != 0 ? memcmp(x->text, y->text, n) : 0;
    if (c != 0)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static int cmp_entry(const void *a, const void *b)
{
    const map_key *x = a, *y = b;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static bool same_key(const map_key *x, const map_key *y)
{
    return x->len == y->len && (x->len == 0 || memcmp(x->text, y->text, x->len) == 0);
}

/* Marks the entries whose key comes again later: pairwise for a few, by sorting (by key,
 * then back by position) for more. */
static void drop_repeated(map_key *keys, size_t n)
{
    if (n <= SMALL_MAP) {
        for (size_t i = 0; i + 1 < n; i++) {
            for (size_t j = i + 1; j < n && !keys[i].dropped; j++)
                keys[i].dropped = same_key(&keys[i], &keys[j]);
        }
        return;
    }
    qsort(keys, n, sizeof(*keys), cmp_key);
    for (size_t i = 0; i + 1 < n; i++)
        keys[i].dropped = same_key(&keys[i], &keys[i + 1]);
    qsort(keys, n, sizeof(*keys), cmp_entry);
}

/* Renders the key of entry |e| (a map-entry message) into |keys|. */
static int render_key(pbd_dec *d, const pbd_message *em, pbd_dent e, gb_buf *keys,
                      const pbd_jpath *p)
{
    const pbd_field *kf = &em->fields[0];
    pbd_wseg seg = {e.p, e.n};
    size_t base;
    int rv = pbd_dec_scan(d, em, &seg, 1, p, &base);
    const pbd_dent *k = NULL;
    for (size_t i = base; rv == 0 && i < d->n_ents; i++) {
        if (d->ents[i].fidx == 0)
            k = &d->ents[i];
    }
    if (rv == 0 && kf->type == PBD_TYPE_STRING && k != NULL) {
        if (!pbd_utf8_valid(k->p, k->n))
            rv = pbd_jpath_err(d->err, p, PBD_ERR_WIRE_UTF8, "invalid UTF-8 in map key");
        else
            rv = pbd_append(keys, k->p, k->n);
    } else if (rv == 0 && kf->type != PBD_TYPE_STRING) {
        uint64_t v = k != NULL ? pbd_wire_value(k->wt, k->p, k->n) : 0;
        if (kf->type == PBD_TYPE_SINT32 || kf->type == PBD_TYPE_SINT64) {
            v = (v >> 1) ^ (0 - (v & 1));
            if (kf->type == PBD_TYPE_SINT32)
                v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
            rv = pbd_int_format(keys, PBD_TYPE_INT64, v, false);
        } else {
            rv = pbd_int_format(keys, kf->type, v, false);
        }
    }
    d->n_ents = base;
    return rv;
}

static int put_entry_value(pbd_dec *d, const pbd_message *em, pbd_dent e, const pbd_jpath *p)
{
    const pbd_field *vf = &em->fields[1];
    pbd_wseg seg = {e.p, e.n};
    size_t base;
    int rv = pbd_dec_scan(d, em, &seg, 1, p, &base);
    size_t from = base;
    while (from < d->n_ents && d->ents[from].fidx != 1)
        from++;
    if (rv == 0)
        rv =
            from < d->n_ents ? pbd_dec_value(d, vf, from, d->n_ents, p) : pbd_dec_default(d, vf, p);
    d->n_ents = base;
    return rv;
}

static int put_entries(pbd_dec *d, const pbd_field *f, map_key *keys, size_t n, size_t from,
                       const pbd_jpath *p)
{
    const pbd_message *em = f->message;
    int rv = pbd_jw_open(&d->w, '{');
    for (size_t i = 0; rv == 0 && i < n; i++) {
        if (keys[i].dropped)
            continue;
        pbd_jpath kp = {
            .up = p, .key = (const char *)keys[i].text, .key_len = keys[i].len, .map_key = true};
        rv = pbd_jw_key(&d->w, (const char *)keys[i].text, keys[i].len);
        if (rv == 0)
            rv = put_entry_value(d, em, d->ents[from + keys[i].entry], &kp);
    }
    return rv != 0 ? rv : pbd_jw_close(&d->w, '}');
}

int pbd_dec_map(pbd_dec *d, const pbd_field *f, size_t from, size_t to, const pbd_jpath *p)
{
    size_t n = to - from;
    gb_buf text;
    gb_buf_init(&text, 0);
    map_key *keys = calloc(n, sizeof(*keys));
    /* Storage up front: empty keys then point into it, never at NULL. */
    int rv = keys != NULL && gb_buf_reserve(&text, 64) == 0 ? 0 : PBD_ERR_NOMEM;
    for (size_t i = 0; rv == 0 && i < n; i++) {
        keys[i].off = text.n;
        keys[i].entry = i;
        rv = render_key(d, f->message, d->ents[from + i], &text, p);
        keys[i].len = text.n - keys[i].off;
    }
    if (rv == 0 && n > 1) {
        for (size_t i = 0; i < n; i++)
            keys[i].text = text.p + keys[i].off;
        drop_repeated(keys, n);
    } else if (rv == 0 && n == 1) {
        keys[0].text = text.p;
    }
    if (rv == 0)
        rv = put_entries(d, f, keys, n, from, p);
    free(keys);
    gb_buf_free(&text);
    return rv;
}
