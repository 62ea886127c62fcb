#include <grpc-core/frame.h>

#include <base/err.h>

#include <stdio.h>
#include <string.h>
#include <zlib.h>

void gcore_frame_reader_init(gcore_frame_reader *r, size_t max_len)
{
    r->state = GCORE_FRAME_READ_PREFIX;
    r->prefix_n = 0;
    r->len = 0;
    r->max_len = max_len;
    gb_buf_init(&r->msg, 0);
    r->encoding = GCORE_ENCODING_IDENTITY;
    r->compressed = false;
    gb_buf_init(&r->plain, 0);
}

void gcore_frame_reader_free(gcore_frame_reader *r)
{
    gb_buf_free(&r->msg);
    gb_buf_free(&r->plain);
}

void gcore_frame_reader_set_encoding(gcore_frame_reader *r, gcore_encoding enc)
{
    r->encoding = enc;
}

gcore_encoding gcore_encoding_parse(gb_slice value)
{
    if (gb_slice_eq_str(value, "gzip"))
        return GCORE_ENCODING_GZIP;
    if (gb_slice_eq_str(value, "deflate"))
        return GCORE_ENCODING_DEFLATE;
    return GCORE_ENCODING_IDENTITY;
}

#define TRIM_ABOVE (64 * 1024)

void gcore_frame_reader_trim(gcore_frame_reader *r)
{
    if (r->state == GCORE_FRAME_READ_BODY)
        return; /* in the middle of a message: its bytes are in r->msg */
    if (r->msg.cap > TRIM_ABOVE)
        gb_buf_free(&r->msg);
    if (r->plain.cap > TRIM_ABOVE)
        gb_buf_free(&r->plain);
}

bool gcore_frame_reader_idle(const gcore_frame_reader *r)
{
    return r->state == GCORE_FRAME_READ_PREFIX && r->prefix_n == 0;
}

static int fail(gcore_frame_reader *r, gcore_status *st, gcore_code code, const char *msg)
{
    r->state = GCORE_FRAME_FAILED;
    if (st != NULL)
        gcore_status_set(st, code, msg);
    return code == GCORE_STATUS_RESOURCE_EXHAUSTED ? GCORE_ERR_LIMIT : GCORE_ERR_INVALID;
}

/* The prefix is complete: check it and size the body buffer. */
static int start_body(gcore_frame_reader *r, gcore_status *st)
{
    uint8_t flag = r->prefix[0];
    r->len = (uint32_t)r->prefix[1] << 24 | (uint32_t)r->prefix[2] << 16 |
             (uint32_t)r->prefix[3] << 8 | (uint32_t)r->prefix[4];
    if (flag == 1 && r->encoding == GCORE_ENCODING_IDENTITY)
        return fail(r, st, GCORE_STATUS_INTERNAL,
                    "compressed message without a supported grpc-encoding");
    if (flag > 1)
        return fail(r, st, GCORE_STATUS_INTERNAL, "invalid message flag byte");
    if (r->len > r->max_len) {
        char m[96];
        snprintf(m, sizeof(m), "message of %u bytes exceeds the limit of %zu", r->len, r->max_len);
        return fail(r, st, GCORE_STATUS_RESOURCE_EXHAUSTED, m);
    }
    /* Grow as bytes arrive: a length prefix alone must not reserve the whole limit. */
    r->compressed = flag == 1;
    gb_buf_reset(&r->msg);
    if (gb_buf_reserve(&r->msg, r->len < 65536 ? r->len : 65536) != 0)
        return fail(r, st, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a message");
    r->state = GCORE_FRAME_READ_BODY;
    return 0;
}

/* Inflates the message into r->plain, refusing to produce more than max_len bytes. */
static int inflate_msg(gcore_frame_reader *r, gcore_status *st)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    int bits = r->encoding == GCORE_ENCODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS;
    if (inflateInit2(&z, bits) != Z_OK)
        return fail(r, st, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a message");
    gb_buf_reset(&r->plain);
    z.next_in = r->msg.p;
    z.avail_in = (uInt)r->msg.n; /* at most 4 GiB - 1: the prefix's range */
    int zr = Z_OK;
    while (zr == Z_OK && r->plain.n <= r->max_len) {
        /* One byte past the limit tells a message over it from one that fits exactly. */
        size_t room = r->max_len - r->plain.n + 1;
        room = room < 65536 ? room : 65536;
        if (gb_buf_reserve(&r->plain, room) != 0) {
            zr = Z_MEM_ERROR;
            break;
        }
        z.next_out = r->plain.p + r->plain.n;
        z.avail_out = (uInt)room;
        zr = inflate(&z, Z_NO_FLUSH);
        r->plain.n += room - z.avail_out;
    }
    bool whole = zr == Z_STREAM_END && z.avail_in == 0;
    inflateEnd(&z);
    if (zr == Z_MEM_ERROR)
        return fail(r, st, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a message");
    if (r->plain.n > r->max_len) {
        char m[96];
        snprintf(m, sizeof(m), "message inflates past the limit of %zu bytes", r->max_len);
        return fail(r, st, GCORE_STATUS_RESOURCE_EXHAUSTED, m);
    }
    if (!whole)
        return fail(r, st, GCORE_STATUS_INTERNAL, "compressed message does not inflate");
    return 0;
}

int gcore_frame_reader_feed(gcore_frame_reader *r, const uint8_t *p, size_t n, size_t *used,
                            gb_slice *msg, gcore_status *st)
{
    size_t off = 0;
    *used = 0;
    while (off < n || (r->state == GCORE_FRAME_READ_BODY && r->msg.n == r->len)) {
        switch (r->state) {
        case GCORE_FRAME_READ_PREFIX: {
            size_t take = GCORE_FRAME_PREFIX - r->prefix_n;
            take = take < n - off ? take : n - off;
            memcpy(r->prefix + r->prefix_n, p + off, take);
            r->prefix_n += take;
            off += take;
            if (r->prefix_n < GCORE_FRAME_PREFIX)
                break;
            int rc = start_body(r, st);
            if (rc != 0) {
                *used = off;
                return rc;
            }
            break;
        }
        case GCORE_FRAME_READ_BODY: {
            size_t take = r->len - r->msg.n;
            take = take < n - off ? take : n - off;
            if (take > 0 && gb_buf_append(&r->msg, p + off, take) != 0) {
                *used = off;
                return fail(r, st, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a message");
            }
            off += take;
            if (r->msg.n < r->len)
                break;
            r->state = GCORE_FRAME_READ_PREFIX;
            r->prefix_n = 0;
            *used = off;
            if (r->compressed) {
                int rc = inflate_msg(r, st);
                if (rc != 0)
                    return rc;
            }
            *msg = r->compressed ? gb_slice_of(r->plain.p, r->plain.n)
                                 : gb_slice_of(r->msg.p, r->msg.n);
            return GCORE_FRAME_MESSAGE;
        }
        case GCORE_FRAME_FAILED:
            return GCORE_ERR_INVALID;
        }
    }
    *used = off;
    return r->state == GCORE_FRAME_FAILED ? GCORE_ERR_INVALID : GCORE_FRAME_MORE;
}

void gcore_frame_prefix(uint8_t out[GCORE_FRAME_PREFIX], uint32_t len)
{
    out[0] = 0;
    out[1] = (uint8_t)(len >> 24);
    out[2] = (uint8_t)(len >> 16);
    out[3] = (uint8_t)(len >> 8);
    out[4] = (uint8_t)len;
}

int gcore_frame_wrap(gb_buf *b)
{
    if (b->n > UINT32_MAX)
        return GCORE_ERR_LIMIT;
    int rc = gb_buf_reserve(b, GCORE_FRAME_PREFIX);
    if (rc != 0)
        return rc == GB_ERR_LIMIT ? GCORE_ERR_LIMIT : GCORE_ERR_NOMEM;
    if (b->n != 0)
        memmove(b->p + GCORE_FRAME_PREFIX, b->p, b->n);
    gcore_frame_prefix(b->p, (uint32_t)b->n);
    b->n += GCORE_FRAME_PREFIX;
    return 0;
}

int gcore_frame_write(gb_buf *out, gb_slice msg)
{
    if (msg.n > UINT32_MAX)
        return GCORE_ERR_LIMIT;
    uint8_t prefix[GCORE_FRAME_PREFIX];
    gcore_frame_prefix(prefix, (uint32_t)msg.n);
    int rc = gb_buf_reserve(out, GCORE_FRAME_PREFIX + msg.n);
    if (rc != 0)
        return rc == GB_ERR_LIMIT ? GCORE_ERR_LIMIT : GCORE_ERR_NOMEM;
    gb_buf_append(out, prefix, sizeof(prefix));
    gb_buf_append(out, msg.p, msg.n);
    return 0;
}
