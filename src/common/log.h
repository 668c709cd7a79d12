/* Logging with levels, to stderr. Each line carries the time, the program,
 * the process id (each session is its own process) and a level, so that the
 * interleaved lines of concurrent sessions can be told apart. */
#ifndef DBGSRV_LOG_H
#define DBGSRV_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

void log_init(const char *program, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Sets a prefix such as "session 3 (127.0.0.1:50112)" for later lines. */
void log_set_context(const char *context);
/* "error", "warn", "info", "debug", "trace" -> level; false if unknown. */
bool log_level_parse(const char *name, enum log_level *level);

/* Log lines go to FILE instead of stderr (appended; NULL or "" for stderr
 * again). False with errno if it cannot be opened. */
bool log_set_file(const char *file);
/* Whether lines start with the time (gdbserver's --debug-format). */
void log_set_timestamps(bool on);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __VA_ARGS__)

#endif
