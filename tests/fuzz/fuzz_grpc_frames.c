/*
 * The gRPC message frame reader fed in random chunks. The input is one byte that picks
 * the size limit and the encoding (identity, gzip, deflate: compressed messages are
 * inflated), four bytes that seed the chunk sizes, then the stream. The stream is
 * read whole and again in chunks (some empty, as DATA frames can be); both reads must
 * see the same messages, stop at the same byte with the same error, and end in the same
 * state. Under identity, a stream read without error to an idle end must be rebuilt
 * exactly by writing its messages back with gcore_frame_write().
 */
#include <grpc-core/frame.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 5

/* What one read of a stream saw. */
typedef struct outcome {
    gb_buf msgs;     /* every message, re-framed */
    int rc;          /* 0, or the error that stopped the read */
    size_t consumed; /* bytes taken before the end or the error */
    bool idle;
} outcome;

static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Feeds |chunk| until it is used up or the reader fails; returns 0 or the error. */
static int feed(gcore_frame_reader *r, const uint8_t *p, size_t n, outcome *o)
{
    size_t off = 0;
    do {
        size_t used = 0;
        gb_slice msg = {NULL, 0};
        int rc = gcore_frame_reader_feed(r, p + off, n - off, &used, &msg, NULL);
        if (used > n - off)
            abort();
        off += used;
        o->consumed += used;
        if (rc < 0)
            return rc;
        if (rc == GCORE_FRAME_MESSAGE) {
            if (msg.n > r->max_len || gcore_frame_write(&o->msgs, msg) != 0)
                abort();
        } else if (off != n) {
            abort(); /* MORE means every byte was taken */
        }
    } while (off < n);
    return 0;
}

/* Reads |p| in chunks of random size from |seed|, or whole when |seed| is 0. */
static void read_stream(const uint8_t *p, size_t n, size_t max_len, gcore_encoding enc,
                        uint32_t seed, outcome *o)
{
    gcore_frame_reader r;
    gcore_frame_reader_init(&r, max_len);
    gcore_frame_reader_set_encoding(&r, enc);
    gb_buf_init(&o->msgs, 0);
    o->rc = 0;
    o->consumed = 0;
    size_t off = 0;
    while (o->rc == 0 && (off < n || seed != 0)) {
        size_t chunk = n - off;
        if (seed != 0) {
            uint32_t x = xorshift(&seed);
            chunk = x % 8 == 0 ? 0 : x % 4 == 0 ? (x >> 8) % 4096 : (x >> 8) % 7 + 1;
            chunk = chunk < n - off ? chunk : n - off;
            seed = off + chunk < n ? seed : 0; /* last chunk */
        }
        o->rc = feed(&r, p + off, chunk, o);
        off += chunk;
    }
    o->idle = gcore_frame_reader_idle(&r);
    gcore_frame_reader_free(&r);
}

static bool same(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t limits[] = {0, 1, 5, 64, 1000, 4 << 20};
    if (size < HEADER)
        return 0;
    size_t max_len = limits[data[0] % 6];
    gcore_encoding enc = (gcore_encoding)(data[0] / 6 % 3);
    uint32_t seed =
        (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
    const uint8_t *p = data + HEADER;
    size_t n = size - HEADER;
    outcome whole, chunked;
    read_stream(p, n, max_len, enc, 0, &whole);
    read_stream(p, n, max_len, enc, seed | 1, &chunked);
    if (whole.rc != chunked.rc || whole.consumed != chunked.consumed ||
        whole.idle != chunked.idle ||
        !same(whole.msgs.p, whole.msgs.n, chunked.msgs.p, chunked.msgs.n))
        abort();
    if (whole.rc == 0 && whole.consumed != n)
        abort();
    if (whole.rc == 0 && whole.idle && enc == GCORE_ENCODING_IDENTITY &&
        !same(whole.msgs.p, whole.msgs.n, p, n))
        abort();
    gb_buf_free(&whole.msgs);
    gb_buf_free(&chunked.msgs);
    return 0;
}
