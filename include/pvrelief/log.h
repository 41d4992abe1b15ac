/* Logging: levels, stderr or syslog (which the journal collects). Thread-safe. */
#ifndef PVRELIEF_LOG_H
#define PVRELIEF_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Sets where messages go (syslog when use_syslog, else stderr), the program name and the
 * most verbose level written. May be called again to change them. */
void log_init(const char *progname, int use_syslog, enum log_level level);
/* Parses "error", "warning", "info" or "debug"; returns the level or -1. */
int log_level_parse(const char *name);
/* Writes a message at a level; the format is checked like printf. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a message at a level from a va_list. */
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Writes an error and exits with status 1: for start-up errors only. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_err(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
