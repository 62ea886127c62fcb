/*
 * Error codes and the detail struct every library fills on user-caused errors.
 *
 * 0 is success; each library owns a range of negative codes (base -1..-99,
 * descriptors -100..-199, grpc-core -200..-299, openapi -300..-399,
 * gateway -400..-499). |msg| says where and what, for a person:
 *
 *     gb_err err = {0};
 *     if (pbd_pool_load_files(paths, n, &pool, &err) != 0)
 *         fprintf(stderr, "%s\n", err.msg);
 */
#ifndef GB_ERR_H
#define GB_ERR_H

enum {
    GB_ERR_NOMEM = -1,   /* allocation failed */
    GB_ERR_LIMIT = -2,   /* a configured size limit was reached */
    GB_ERR_INVALID = -3, /* malformed input */
    GB_ERR_IO = -4,      /* a file or socket operation failed */
};

typedef struct gb_err {
    int code;
    char msg[256];
} gb_err;

/**
 * Records |code| and a printf-style message in |err| (which may be NULL).
 * Returns |code|, so that `return gb_err_set(err, CODE, ...)` reads naturally.
 */
int gb_err_set(gb_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * Prefixes the message already in |err| with "|prefix|: " (truncating at the end).
 * Returns err->code, or 0 when |err| is NULL.
 */
int gb_err_prefix(gb_err *err, const char *prefix);

/** Returns a static description of a base error code. */
const char *gb_strerror(int code);

#endif
