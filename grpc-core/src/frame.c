#include <grpc-core/frame.h>

#include <base/err.h>

#include <stdio.h>
#include <string.h>

void gcore_frame_reader_init(gcore_frame_reader *r, size_t max_len)
{
    r->state = GCORE_FRAME_READ_PREFIX;
    r->prefix_n = 0;
    r->len = 0;
    r->max_len = max_len;
    gb_buf_init(&r->msg, 0);
}

void gcore_frame_reader_free(gcore_frame_reader *r)
{
    gb_buf_free(&r->msg);
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
    if (flag == 1)
        return fail(r, st, GCORE_STATUS_INTERNAL,
                    "compressed message without a supported grpc-encoding");
    if (flag != 0)
        return fail(r, st, GCORE_STATUS_INTERNAL, "invalid message flag byte");
    if (r->len > r->max_len) {
        char m[96];
        snprintf(m, sizeof(m), "message of %u bytes exceeds the limit of %zu", r->len, r->max_len);
        return fail(r, st, GCORE_STATUS_RESOURCE_EXHAUSTED, m);
    }
    /* Grow as bytes arrive: a length prefix alone must not reserve the whole limit. */
    gb_buf_reset(&r->msg);
    if (gb_buf_reserve(&r->msg, r->len < 65536 ? r->len : 65536) != 0)
        return fail(r, st, GCORE_STATUS_RESOURCE_EXHAUSTED, "out of memory for a message");
    r->state = GCORE_FRAME_READ_BODY;
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
            *msg = gb_slice_of(r->msg.p, r->msg.n);
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
