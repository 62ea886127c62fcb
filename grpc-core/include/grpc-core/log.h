/*
 * Log levels passed to the log functions of channels and servers (syslog's
 * numbers: lower is more severe).
 */
#ifndef GCORE_LOG_H
#define GCORE_LOG_H

enum { GCORE_LOG_ERROR = 3, GCORE_LOG_WARN = 4, GCORE_LOG_INFO = 6, GCORE_LOG_DEBUG = 7 };

#endif
