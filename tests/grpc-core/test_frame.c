#include <criterion/criterion.h>

#include "chunks.h"

#include <grpc-core/frame.h>

#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST
#include <zlib.h>

/* The encoding each pass's reader is given (identity unless a test says otherwise). */
static gcore_encoding pass_encoding;

/* What a reader saw over one pass of chunked input. */
struct seen {
    gcore_frame_reader r;
    gb_buf msgs; /* each message as <len byte><bytes> */
    size_t count;
    int error;
    gcore_status st;
};

static void reset(void *ud)
{
    struct seen *s = ud;
    gcore_frame_reader_free(&s->r);
    gcore_frame_reader_init(&s->r, 64);
    gcore_frame_reader_set_encoding(&s->r, pass_encoding);
    gb_buf_reset(&s->msgs);
    s->count = 0;
    s->error = 0;
    gcore_status_clear(&s->st);
}

static void feed(const uint8_t *p, size_t n, void *ud)
{
    struct seen *s = ud;
    while (n > 0 && s->error == 0) {
        size_t used = 0;
        gb_slice msg;
        int rc = gcore_frame_reader_feed(&s->r, p, n, &used, &msg, &s->st);
        cr_assert_leq(used, n);
        p += used;
        n -= used;
        if (rc < 0)
            s->error = rc;
        if (rc == GCORE_FRAME_MESSAGE) {
            gb_buf_putc(&s->msgs, (uint8_t)msg.n);
            gb_buf_append(&s->msgs, msg.p, msg.n);
            s->count++;
        }
    }
    /* A zero-length message completes with no bytes left to feed. */
    size_t used;
    gb_slice msg;
    if (s->error == 0 &&
        gcore_frame_reader_feed(&s->r, NULL, 0, &used, &msg, &s->st) == GCORE_FRAME_MESSAGE) {
        gb_buf_putc(&s->msgs, 0);
        s->count++;
    }
}

static const uint8_t three_msgs[] = {0, 0, 0, 0, 3, 'a', 'b', 'c', 0,   0,
                                     0, 0, 0, 0, 0, 0,   0,   2,   'x', 'y'};

static void check_three(void *ud, const char *how)
{
    struct seen *s = ud;
    static const uint8_t want[] = {3, 'a', 'b', 'c', 0, 2, 'x', 'y'};
    cr_assert_eq(s->error, 0, "%s", how);
    cr_assert_eq(s->count, 3, "%s: %zu messages", how, s->count);
    cr_assert_eq(s->msgs.n, sizeof(want), "%s", how);
    cr_assert_eq(memcmp(s->msgs.p, want, sizeof(want)), 0, "%s", how);
    cr_assert(gcore_frame_reader_idle(&s->r), "%s", how);
}

static void init_seen(struct seen *s)
{
    memset(s, 0, sizeof(*s));
    gcore_frame_reader_init(&s->r, 64);
    gb_buf_init(&s->msgs, 0);
    gcore_status_init(&s->st);
}

static void free_seen(struct seen *s)
{
    gcore_frame_reader_free(&s->r);
    gb_buf_free(&s->msgs);
    gcore_status_clear(&s->st);
}

static void run_passes(const uint8_t *in, size_t n, void (*check)(void *, const char *))
{
    struct seen s;
    init_seen(&s);
    chunks_each(in, n, &(chunks_ops){reset, feed, check}, &s);
    free_seen(&s);
}

Test(frame, reads_messages_in_every_split)
{
    run_passes(three_msgs, sizeof(three_msgs), check_three);
}

static void check_too_big(void *ud, const char *how)
{
    struct seen *s = ud;
    cr_assert_eq(s->error, GCORE_ERR_LIMIT, "%s", how);
    cr_assert_eq(s->st.code, GCORE_STATUS_RESOURCE_EXHAUSTED, "%s", how);
    cr_assert_eq(s->count, 1, "%s: the message before the big one arrives", how);
}

Test(frame, refuses_a_message_over_the_limit_as_resource_exhausted)
{
    static const uint8_t in[] = {0, 0, 0, 0, 1, 'k', 0, 0, 0, 0, 65, 'z'};
    run_passes(in, sizeof(in), check_too_big);
}

static void check_compressed(void *ud, const char *how)
{
    struct seen *s = ud;
    cr_assert_eq(s->error, GCORE_ERR_INVALID, "%s", how);
    cr_assert_eq(s->st.code, GCORE_STATUS_INTERNAL, "%s", how);
    cr_assert_eq(s->count, 0, "%s", how);
}

Test(frame, refuses_a_compressed_message_as_internal)
{
    static const uint8_t in[] = {1, 0, 0, 0, 2, 'h', 'i'};
    run_passes(in, sizeof(in), check_compressed);
}

Test(frame, refuses_an_unknown_flag_byte_as_internal)
{
    static const uint8_t in[] = {7, 0, 0, 0, 0};
    run_passes(in, sizeof(in), check_compressed);
}

Test(frame, stays_failed_after_an_error)
{
    static const uint8_t bad[] = {1, 0, 0, 0, 0};
    static const uint8_t good[] = {0, 0, 0, 0, 0};
    gcore_frame_reader r;
    gcore_frame_reader_init(&r, 16);
    size_t used;
    gb_slice msg;
    cr_assert_lt(gcore_frame_reader_feed(&r, bad, sizeof(bad), &used, &msg, NULL), 0);
    cr_assert_lt(gcore_frame_reader_feed(&r, good, sizeof(good), &used, &msg, NULL), 0);
    gcore_frame_reader_free(&r);
}

Test(frame, reports_a_partial_message_as_not_idle)
{
    static const uint8_t part[] = {0, 0, 0, 0, 4, 'a'};
    gcore_frame_reader r;
    gcore_frame_reader_init(&r, 16);
    size_t used;
    gb_slice msg;
    cr_assert_eq(gcore_frame_reader_feed(&r, part, sizeof(part), &used, &msg, NULL),
                 GCORE_FRAME_MORE);
    cr_assert_eq(used, sizeof(part));
    cr_assert_not(gcore_frame_reader_idle(&r));
    gcore_frame_reader_free(&r);
}

Test(frame, writes_what_it_reads)
{
    gb_buf out;
    gb_buf_init(&out, 0);
    cr_assert_eq(gcore_frame_write(&out, GB_SLICE_LIT("abc")), 0);
    cr_assert_eq(gcore_frame_write(&out, GB_SLICE_LIT("")), 0);
    cr_assert_eq(gcore_frame_write(&out, GB_SLICE_LIT("xy")), 0);
    cr_assert_eq(out.n, sizeof(three_msgs));
    cr_assert_eq(memcmp(out.p, three_msgs, out.n), 0);
    gb_buf_free(&out);
}

Test(frame, writes_a_big_endian_length)
{
    uint8_t p[GCORE_FRAME_PREFIX];
    gcore_frame_prefix(p, 0x01020304);
    static const uint8_t want[] = {0, 1, 2, 3, 4};
    cr_assert_eq(memcmp(p, want, 5), 0);
}

Test(frame, refuses_to_write_past_the_buffer_limit)
{
    gb_buf out;
    gb_buf_init(&out, 6);
    cr_assert_eq(gcore_frame_write(&out, GB_SLICE_LIT("ab")), GCORE_ERR_LIMIT);
    gb_buf_free(&out);
}

Test(frame, wraps_a_message_in_its_own_buffer)
{
    gb_buf b;
    gb_buf_init(&b, 0);
    cr_assert_eq(gcore_frame_wrap(&b), 0);
    static const uint8_t empty[] = {0, 0, 0, 0, 0};
    cr_assert(b.n == sizeof(empty) && memcmp(b.p, empty, b.n) == 0);
    gb_buf_reset(&b);
    gb_buf_append(&b, "abc", 3);
    cr_assert_eq(gcore_frame_wrap(&b), 0);
    cr_assert(b.n == 8 && memcmp(b.p, three_msgs, 8) == 0);
    gb_buf_free(&b);
    gb_buf_init(&b, 6); /* no room for the prefix: refused, the message as it was */
    gb_buf_append(&b, "ab", 2);
    cr_assert_eq(gcore_frame_wrap(&b), GCORE_ERR_LIMIT);
    cr_assert(b.n == 2 && memcmp(b.p, "ab", 2) == 0);
    gb_buf_free(&b);
}

/* |n| bytes of message |seed| with its prefix. */
static void put_big(gb_buf *out, size_t n, unsigned seed)
{
    gb_buf_reserve(out, n);
    for (size_t i = 0; i < n; i++)
        out->p[out->n + i] = (uint8_t)(i * 13 + seed);
    out->n += n;
    gcore_frame_wrap(out);
}

static bool is_big(gb_slice msg, size_t n, unsigned seed)
{
    for (size_t i = 0; i < msg.n; i++) {
        if (msg.p[i] != (uint8_t)(i * 13 + seed))
            return false;
    }
    return msg.n == n;
}

Test(frame, gives_back_a_large_buffer_between_messages_only)
{
    enum { BIG = 300000 };
    gb_buf in;
    gb_buf_init(&in, 0);
    put_big(&in, BIG, 1);
    gcore_frame_reader r;
    gcore_frame_reader_init(&r, 1 << 20);
    size_t used = 0;
    gb_slice msg;
    /* Trimmed in the middle of the message: its bytes so far stay. */
    cr_assert_eq(gcore_frame_reader_feed(&r, in.p, 1000, &used, &msg, NULL), GCORE_FRAME_MORE);
    gcore_frame_reader_trim(&r);
    cr_assert_eq(gcore_frame_reader_feed(&r, in.p + 1000, in.n - 1000, &used, &msg, NULL),
                 GCORE_FRAME_MESSAGE);
    cr_assert(is_big(msg, BIG, 1));
    gcore_frame_reader_trim(&r);
    cr_assert_eq(r.msg.cap, 0, "the message's buffer is freed");
    gb_buf_reset(&in);
    put_big(&in, BIG, 2);
    cr_assert_eq(gcore_frame_reader_feed(&r, in.p, in.n, &used, &msg, NULL), GCORE_FRAME_MESSAGE);
    cr_assert(is_big(msg, BIG, 2), "the reader works on after a trim");
    gcore_frame_reader_free(&r);
    gb_buf_free(&in);
}

/* Appends |plain| compressed in |enc| (gzip or deflate) as one message with flag 1. */
static void put_compressed(gb_buf *out, gcore_encoding enc, const char *plain, size_t n)
{
    uint8_t z_out[512];
    z_stream z;
    memset(&z, 0, sizeof(z));
    int bits = enc == GCORE_ENCODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS;
    cr_assert_eq(deflateInit2(&z, 9, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (const Bytef *)plain;
    z.avail_in = (uInt)n;
    z.next_out = z_out;
    z.avail_out = sizeof(z_out);
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = z.total_out;
    deflateEnd(&z);
    uint8_t prefix[GCORE_FRAME_PREFIX];
    gcore_frame_prefix(prefix, (uint32_t)len);
    prefix[0] = 1;
    gb_buf_append(out, prefix, sizeof(prefix));
    gb_buf_append(out, z_out, len);
}

static void check_inflated(void *ud, const char *how)
{
    struct seen *s = ud;
    static const uint8_t want[] = "\x11hello hello hello\x02xy";
    cr_assert_eq(s->error, 0, "%s: %s", how, s->st.message);
    cr_assert_eq(s->count, 2, "%s: %zu messages", how, s->count);
    cr_assert_eq(s->msgs.n, sizeof(want) - 1, "%s", how);
    cr_assert_eq(memcmp(s->msgs.p, want, s->msgs.n), 0, "%s", how);
}

Test(frame, inflates_gzip_and_deflate_messages_in_every_split)
{
    static const gcore_encoding encs[] = {GCORE_ENCODING_GZIP, GCORE_ENCODING_DEFLATE};
    for (size_t i = 0; i < 2; i++) {
        gb_buf in;
        gb_buf_init(&in, 0);
        put_compressed(&in, encs[i], "hello hello hello", 17);
        gb_buf_append(&in, "\0\0\0\0\2xy", 7); /* an uncompressed one may follow */
        pass_encoding = encs[i];
        run_passes(in.p, in.n, check_inflated);
        gb_buf_free(&in);
    }
}

static void check_inflates_too_far(void *ud, const char *how)
{
    struct seen *s = ud;
    cr_assert_eq(s->error, GCORE_ERR_LIMIT, "%s", how);
    cr_assert_eq(s->st.code, GCORE_STATUS_RESOURCE_EXHAUSTED, "%s", how);
    cr_assert_eq(s->count, 1, "%s: the 64-byte message fits the limit exactly", how);
}

Test(frame, refuses_a_message_that_inflates_past_the_limit)
{
    char a[65];
    memset(a, 'a', sizeof(a));
    gb_buf in;
    gb_buf_init(&in, 0);
    put_compressed(&in, GCORE_ENCODING_GZIP, a, 64);
    put_compressed(&in, GCORE_ENCODING_GZIP, a, 65); /* 20-odd bytes on the wire */
    pass_encoding = GCORE_ENCODING_GZIP;
    run_passes(in.p, in.n, check_inflates_too_far);
    gb_buf_free(&in);
}

static void check_corrupt(void *ud, const char *how)
{
    struct seen *s = ud;
    cr_assert_eq(s->error, GCORE_ERR_INVALID, "%s", how);
    cr_assert_eq(s->st.code, GCORE_STATUS_INTERNAL, "%s", how);
    cr_assert_eq(s->count, 0, "%s", how);
}

Test(frame, refuses_a_compressed_message_that_does_not_inflate_as_internal)
{
    gb_buf in;
    gb_buf_init(&in, 0);
    put_compressed(&in, GCORE_ENCODING_DEFLATE, "hello", 5);
    in.n--; /* the stream's end is cut off: shorten the message and its prefix */
    in.p[4]--;
    pass_encoding = GCORE_ENCODING_DEFLATE;
    run_passes(in.p, in.n, check_corrupt);
    gb_buf_reset(&in);
    put_compressed(&in, GCORE_ENCODING_DEFLATE, "hello", 5); /* zlib data, gzip header expected */
    pass_encoding = GCORE_ENCODING_GZIP;
    run_passes(in.p, in.n, check_corrupt);
    gb_buf_free(&in);
}

Test(frame, knows_the_encodings_it_can_inflate)
{
    cr_assert_eq(gcore_encoding_parse(GB_SLICE_LIT("gzip")), GCORE_ENCODING_GZIP);
    cr_assert_eq(gcore_encoding_parse(GB_SLICE_LIT("deflate")), GCORE_ENCODING_DEFLATE);
    cr_assert_eq(gcore_encoding_parse(GB_SLICE_LIT("identity")), GCORE_ENCODING_IDENTITY);
    cr_assert_eq(gcore_encoding_parse(GB_SLICE_LIT("snappy")), GCORE_ENCODING_IDENTITY);
}
