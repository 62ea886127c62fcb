/*
 * Splits a client-streaming request body into its messages as the bytes arrive:
 * newline-delimited JSON objects ({..}\n{..}) or one JSON array of objects
 * ([{..},{..}]), whichever the first non-blank byte says. Each object is handed
 * over as soon as its closing brace is read; only the object being read is held.
 * This finds where values end (strings, escapes, nesting); the codec parses them.
 *
 *     gw_split s;
 *     gw_split_init(&s, 4 << 20);
 *     gw_split_feed(&s, chunk, n, send_one, call, &err);   // per body chunk
 *     gw_split_finish(&s, &err);                           // at the end of the body
 *     gw_split_free(&s);
 */
#ifndef GW_SPLIT_H
#define GW_SPLIT_H

#include <base/buf.h>
#include <base/err.h>

#include <stdbool.h>
#include <stddef.h>

typedef enum gw_split_state {
    GW_SPLIT_START = 0, /* nothing but blanks so far */
    GW_SPLIT_BETWEEN,   /* between objects (array: after '[' or ',') */
    GW_SPLIT_OBJECT,    /* inside an object */
    GW_SPLIT_AFTER,     /* array: after an object, before ',' or ']' */
    GW_SPLIT_END,       /* array: after ']' */
} gw_split_state;

typedef struct gw_split {
    gw_split_state state;
    bool array;
    bool in_string;
    bool escape;
    unsigned depth;
    size_t offset; /* bytes seen, for error messages */
    size_t count;  /* objects emitted */
    gb_buf cur;    /* the object being read */
} gw_split;

/* Called with one complete JSON object; returns 0, or an error code to stop. */
typedef int (*gw_split_emit)(void *user_data, const char *json, size_t n);

/** Sets up a splitter whose objects may be at most |max_object| bytes. */
void gw_split_init(gw_split *s, size_t max_object);

/**
 * Feeds |n| more body bytes; calls |emit| for each object completed. Returns 0, what
 * |emit| returned, GB_ERR_LIMIT (an object over the limit) or GB_ERR_INVALID with |err|
 * saying where ("request stream: byte 17: expected '{'").
 */
int gw_split_feed(gw_split *s, const char *p, size_t n, gw_split_emit emit, void *user_data,
                  gb_err *err);

/** The body has ended: GB_ERR_INVALID when it stops inside an object or an open array. */
int gw_split_finish(gw_split *s, gb_err *err);

/** Frees the splitter's buffer. */
void gw_split_free(gw_split *s);

#endif
