/*
 * Logging of the gateway binary: everything goes to stderr, one line per event,
 * filtered by a level set once at start-up (GW_LOG=error|warn|info|debug, or
 * --log-level). The level is tested before any formatting happens.
 *
 *     GW_LOG(GW_LOG_WARN, "upstream %s: %s", addr, msg);
 */
#ifndef GW_LOG_H
#define GW_LOG_H

enum {
    GW_LOG_ERROR = 0,
    GW_LOG_WARN = 1,
    GW_LOG_INFO = 2,
    GW_LOG_DEBUG = 3,
};

/* The current level; lines above it are not formatted. Set before threads start. */
extern int gw_log_level;

#define GW_LOG(lvl, ...)                                                                           \
    do {                                                                                           \
        if ((lvl) <= gw_log_level)                                                                 \
            gw_log_write((lvl), __VA_ARGS__);                                                      \
    } while (0)

/**
 * Writes one line "protogate: <level>: <message>" to stderr. Thread: any (one write(2)).
 */
void gw_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Parses a level name ("error", "warn", "info", "debug"). Returns 0, or -1 when unknown. */
int gw_log_level_parse(const char *name, int *level);

/** Writes an access-log line as it is (no level prefix; newline added). Thread: any. */
void gw_log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
