/* One write(2) per line, so that lines from the worker threads never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int gw_log_level = GW_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

__attribute__((format(printf, 2, 0))) static void write_line(const char *prefix, const char *fmt,
                                                             va_list ap)
{
    char line[1024];
    size_t n = 0;
    int k = snprintf(line, sizeof line, "%s", prefix);
    if (k > 0)
        n = (size_t)k < sizeof line ? (size_t)k : sizeof line - 1;
    k = vsnprintf(line + n, sizeof line - n, fmt, ap);
    if (k > 0)
        n += (size_t)k < sizeof line - n ? (size_t)k : sizeof line - n - 1;
    if (n >= sizeof line - 1)
        n = sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}

void gw_log_write(int level, const char *fmt, ...)
{
    char prefix[32];
    int lv = level < GW_LOG_ERROR ? GW_LOG_ERROR : level > GW_LOG_DEBUG ? GW_LOG_DEBUG : level;
    snprintf(prefix, sizeof prefix, "protogate: %s: ", level_names[lv]);
    va_list ap;
    va_start(ap, fmt);
    write_line(prefix, fmt, ap);
    va_end(ap);
}

void gw_log_access(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    write_line("", fmt, ap);
    va_end(ap);
}

int gw_log_level_parse(const char *name, int *level)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *level = i;
            return 0;
        }
    }
    return -1;
}
