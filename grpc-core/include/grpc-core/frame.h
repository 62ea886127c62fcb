/*
 * gRPC length-prefixed messages: a 1-byte compressed flag, a 4-byte big-endian
 * length, then the message. The reader is a state machine fed bytes in chunks
 * of any size (HTTP/2 DATA frames split messages anywhere); it returns one
 * message at a time, so a caller can stop between messages (backpressure).
 *
 *     gcore_frame_reader r;
 *     gcore_frame_reader_init(&r, 4 << 20);          // max message size
 *     while (n > 0) {
 *         size_t used; gb_slice msg;
 *         int rc = gcore_frame_reader_feed(&r, p, n, &used, &msg, &st);
 *         if (rc < 0) fail(&st);                      // RESOURCE_EXHAUSTED / INTERNAL
 *         p += used; n -= used;
 *         if (rc == GCORE_FRAME_MESSAGE) deliver(msg); // valid until the next feed
 *     }
 *     gcore_frame_reader_free(&r);
 *
 * Compressed messages (flag 1) are inflated when the peer's grpc-encoding was given
 * with gcore_frame_reader_set_encoding() (gzip, deflate); the limit applies to the
 * compressed and to the inflated size.
 */
#ifndef GCORE_FRAME_H
#define GCORE_FRAME_H

#include <grpc-core/status.h>

#include <base/buf.h>
#include <base/slice.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GCORE_FRAME_PREFIX 5

typedef enum gcore_frame_state {
    GCORE_FRAME_READ_PREFIX,
    GCORE_FRAME_READ_BODY,
    GCORE_FRAME_FAILED,
} gcore_frame_state;

/* Message encodings a reader can take (a peer's grpc-encoding). */
typedef enum gcore_encoding {
    GCORE_ENCODING_IDENTITY = 0, /* compressed messages are refused */
    GCORE_ENCODING_GZIP = 1,
    GCORE_ENCODING_DEFLATE = 2, /* zlib format (RFC 1950), as gRPC means it */
} gcore_encoding;

typedef struct gcore_frame_reader {
    gcore_frame_state state;
    uint8_t prefix[GCORE_FRAME_PREFIX];
    size_t prefix_n;
    uint32_t len; /* of the message being read */
    size_t max_len;
    gb_buf msg;
    gcore_encoding encoding;
    bool compressed; /* the message being read */
    gb_buf plain;    /* its inflated bytes */
} gcore_frame_reader;

enum { GCORE_FRAME_MORE = 0, GCORE_FRAME_MESSAGE = 1 };

/** Sets up |r| (caller storage) to accept messages of at most |max_len| bytes. */
void gcore_frame_reader_init(gcore_frame_reader *r, size_t max_len);

/** Frees the reader's buffer. */
void gcore_frame_reader_free(gcore_frame_reader *r);

/**
 * Consumes bytes of |p| (|n| bytes) up to the end of the next complete message;
 * |*used| says how many. Returns GCORE_FRAME_MESSAGE with |*msg| borrowed until the
 * next call, GCORE_FRAME_MORE when all |n| bytes were taken without completing one,
 * or a negative GCORE_ERR_* with |st| (may be NULL) set: RESOURCE_EXHAUSTED for a
 * message over the limit (compressed or inflated), INTERNAL for a compressed message
 * while the encoding is identity, one that does not inflate, or a bad flag byte. A
 * compressed message is delivered inflated. After an error the reader stays failed.
 */
int gcore_frame_reader_feed(gcore_frame_reader *r, const uint8_t *p, size_t n, size_t *used,
                            gb_slice *msg, gcore_status *st);

/**
 * The encoding of the compressed messages to come (the peer's grpc-encoding header).
 * Thread: the reader's.
 */
void gcore_frame_reader_set_encoding(gcore_frame_reader *r, gcore_encoding enc);

/**
 * The encoding a grpc-encoding header value names: identity, gzip or deflate; any
 * other is returned as GCORE_ENCODING_IDENTITY (its compressed messages fail).
 */
gcore_encoding gcore_encoding_parse(gb_slice value);

/** True when no partial message is buffered (a stream may end here cleanly). */
bool gcore_frame_reader_idle(const gcore_frame_reader *r);

/** Writes the 5-byte prefix of an uncompressed message of |len| bytes. */
void gcore_frame_prefix(uint8_t out[GCORE_FRAME_PREFIX], uint32_t len);

/**
 * Appends |msg| with its prefix to |out|.
 * Returns 0, GCORE_ERR_LIMIT (over 4 GiB - 1, or |out|'s limit) or GCORE_ERR_NOMEM.
 */
int gcore_frame_write(gb_buf *out, gb_slice msg);

/**
 * Puts the prefix in front of the message that fills |b|, moving it in place: a
 * message built in a buffer becomes a frame without a second copy.
 * Returns 0, GCORE_ERR_LIMIT (over 4 GiB - 1, or |b|'s limit) or GCORE_ERR_NOMEM, with
 * |b| unchanged.
 */
int gcore_frame_wrap(gb_buf *b);

/**
 * Gives back the memory of the last message delivered when it is large (over 64 KiB),
 * so a reader between messages holds no copy of one; the slice it returned is invalid
 * after this. Thread: the reader's.
 */
void gcore_frame_reader_trim(gcore_frame_reader *r);

#endif
