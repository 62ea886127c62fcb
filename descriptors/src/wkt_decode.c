/*
 * Wire -> JSON for the well-known types with a JSON form of their own, as python's
 * json_format prints them: Any ("@type" first, the payload's fields inline or under
 * "value" for WKT payloads), Timestamp, Duration, FieldMask, Struct, Value, ListValue
 * and the wrappers (bare values).
 */
#include "json_int.h"

#include <math.h>
#include <string.h>

/* Occurrences of field |number| within the scanned entries [base, d->n_ents). */
static void field_range(const pbd_dec *d, const pbd_message *m, uint32_t number, size_t base,
                        size_t *from, size_t *to)
{
    const pbd_field *f = pbd_message_field_by_number(m, number);
    uint32_t fidx = f != NULL ? (uint32_t)(f - m->fields) : UINT32_MAX;
    *from = base;
    while (*from < d->n_ents && d->ents[*from].fidx != fidx)
        (*from)++;
    *to = *from;
    while (*to < d->n_ents && d->ents[*to].fidx == fidx)
        (*to)++;
}

static int64_t last_varint(const pbd_dec *d, size_t from, size_t to)
{
    if (from == to)
        return 0;
    const pbd_dent *e = &d->ents[to - 1];
    return (int64_t)pbd_wire_value(e->wt, e->p, e->n);
}

static int dec_time(pbd_dec *d, const pbd_message *m, size_t base, const pbd_jpath *p)
{
    size_t sf, st, nf, nt;
    field_range(d, m, 1, base, &sf, &st);
    field_range(d, m, 2, base, &nf, &nt);
    int64_t secs = last_varint(d, sf, st);
    int32_t nanos = (int32_t)last_varint(d, nf, nt);
    int rv = m->wkt == PBD_WKT_TIMESTAMP ? pbd_timestamp_format(d->w.out, secs, nanos)
                                         : pbd_duration_format(d->w.out, secs, nanos);
    if (rv == PBD_ERR_JSON_VALUE)
        return pbd_jpath_err(d->err, p, rv, "%s out of range: seconds %lld, nanos %d", m->name,
                             (long long)secs, (int)nanos);
    return rv;
}

static int dec_field_mask(pbd_dec *d, const pbd_message *m, size_t base, const pbd_jpath *p)
{
    size_t from, to;
    field_range(d, m, 1, base, &from, &to);
    gb_buf joined;
    gb_buf_init(&joined, 0);
    int rv = 0;
    for (size_t i = from; rv == 0 && i < to; i++) {
        const pbd_dent *e = &d->ents[i];
        if (!pbd_utf8_valid(e->p, e->n))
            rv = pbd_jpath_err(d->err, p, PBD_ERR_WIRE_UTF8, "invalid UTF-8 in FieldMask");
        else if (i > from)
            rv = pbd_putc(&joined, ',');
        if (rv == 0)
            rv = pbd_fieldmask_camel(&joined, (const char *)e->p, e->n);
        if (rv == PBD_ERR_JSON_VALUE)
            rv = pbd_jpath_err(d->err, p, rv, "FieldMask path \"%.*s\" has no lowerCamel form",
                               pbd_clip((const char *)e->p, e->n, 60), (const char *)e->p);
    }
    if (rv == 0)
        rv = pbd_jw_string(d->w.out, (const char *)joined.p, joined.n);
    gb_buf_free(&joined);
    return rv;
}

/* Value: the member of the oneof `kind` set last (none: null). */
static int dec_value(pbd_dec *d, const pbd_message *m, size_t base, const pbd_jpath *p)
{
    size_t last = SIZE_MAX;
    for (size_t i = base; i < d->n_ents; i++) {
        if (last == SIZE_MAX || d->ents[i].seq > d->ents[last].seq)
            last = i;
    }
    if (last == SIZE_MAX)
        return gb_buf_append_str(d->w.out, "null");
    const pbd_field *f = &m->fields[d->ents[last].fidx];
    if (f->type == PBD_TYPE_ENUM)
        return gb_buf_append_str(d->w.out, "null");
    if (f->type == PBD_TYPE_DOUBLE) {
        /* JSON has no number for them, and their strings would read back as strings. */
        const pbd_dent *e = &d->ents[last];
        uint64_t bits = pbd_wire_value(e->wt, e->p, e->n);
        double v;
        memcpy(&v, &bits, sizeof(v));
        if (!isfinite(v))
            return pbd_jpath_err(d->err, p, PBD_ERR_JSON_VALUE,
                                 "a Value cannot hold NaN or an infinity in JSON");
    }
    size_t from, to;
    field_range(d, m, f->number, base, &from, &to);
    uint32_t other = 0; /* occurrences before another member's last one do not count */
    for (size_t i = base; i < d->n_ents; i++) {
        if (d->ents[i].fidx != d->ents[last].fidx && d->ents[i].seq + 1 > other)
            other = d->ents[i].seq + 1;
    }
    while (d->ents[from].seq < other)
        from++;
    return pbd_dec_value(d, f, from, to, p);
}

static int dec_any_payload(pbd_dec *d, const pbd_message *pm, const pbd_wseg *seg,
                           const pbd_jpath *p)
{
    if (pm->wkt != PBD_WKT_NONE && pm->wkt != PBD_WKT_EMPTY) {
        pbd_jpath vp = {.up = p, .key = "value", .key_len = 5};
        int rv = pbd_jw_key(&d->w, "value", 5);
        return rv != 0 ? rv : pbd_dec_message(d, pm, seg, 1, &vp);
    }
    if (++d->depth > d->o.max_depth) {
        d->depth--;
        return pbd_jpath_err(d->err, p, PBD_ERR_DEPTH, "nested deeper than %d levels",
                             d->o.max_depth);
    }
    int rv = pbd_dec_fields(d, pm, seg, 1, p);
    d->depth--;
    return rv;
}

static int dec_any(pbd_dec *d, const pbd_message *m, size_t base, const pbd_jpath *p)
{
    size_t tf, tt, vf, vt;
    if (base == d->n_ents)
        return gb_buf_append_str(d->w.out, "{}");
    field_range(d, m, 1, base, &tf, &tt);
    field_range(d, m, 2, base, &vf, &vt);
    const char *url = tt > tf ? (const char *)d->ents[tt - 1].p : "";
    size_t url_n = tt > tf ? d->ents[tt - 1].n : 0, off = url_n;
    pbd_wseg seg = {NULL, 0};
    if (vt > vf)
        seg = (pbd_wseg){d->ents[vt - 1].p, d->ents[vt - 1].n};
    while (off > 0 && url[off - 1] != '/')
        off--;
    char name[256];
    const pbd_message *pm = NULL;
    if (url_n - off < sizeof(name) && d->o.pool != NULL) {
        memcpy(name, url + off, url_n - off);
        name[url_n - off] = '\0';
        pm = pbd_pool_find_message(d->o.pool, name);
    }
    if (pm == NULL || !pbd_utf8_valid((const uint8_t *)url, url_n))
        return pbd_jpath_err(d->err, p, PBD_ERR_ANY_TYPE, "cannot resolve Any type \"%.*s\"",
                             pbd_clip(url, url_n, 100), url);
    int rv = pbd_jw_open(&d->w, '{');
    if (rv == 0)
        rv = pbd_jw_key(&d->w, "@type", 5);
    if (rv == 0)
        rv = pbd_jw_string(d->w.out, url, url_n);
    if (rv == 0)
        rv = dec_any_payload(d, pm, &seg, p);
    return rv != 0 ? rv : pbd_jw_close(&d->w, '}');
}

/* Struct, ListValue and the wrappers print field 1 alone, bare. */
static int dec_bare(pbd_dec *d, const pbd_message *m, size_t base, const pbd_jpath *p)
{
    size_t from, to;
    field_range(d, m, 1, base, &from, &to);
    const pbd_field *f = &m->fields[0];
    return from < to ? pbd_dec_value(d, f, from, to, p) : pbd_dec_default(d, f, p);
}

int pbd_dec_wkt(pbd_dec *d, const pbd_message *m, const pbd_wseg *segs, size_t nsegs,
                const pbd_jpath *p)
{
    size_t base;
    int rv = pbd_dec_scan(d, m, segs, nsegs, p, &base);
    if (rv != 0) {
        d->n_ents = base;
        return rv;
    }
    switch (m->wkt) {
    case PBD_WKT_ANY:
        rv = dec_any(d, m, base, p);
        break;
    case PBD_WKT_TIMESTAMP:
    case PBD_WKT_DURATION:
        rv = dec_time(d, m, base, p);
        break;
    case PBD_WKT_FIELD_MASK:
        rv = dec_field_mask(d, m, base, p);
        break;
    case PBD_WKT_VALUE:
        rv = dec_value(d, m, base, p);
        break;
    default: /* Struct, ListValue, wrappers */
        rv = dec_bare(d, m, base, p);
        break;
    }
    d->n_ents = base;
    return rv;
}
