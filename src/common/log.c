#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Logging is the one piece of process-wide state: every module logs, and
 * threading a logger through every call would obscure the code. */
static struct {
    const char *program;
    enum log_level level;
    char context[96];
} log_state = {"dbgsrv", LOG_INFO, ""};

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

void log_init(const char *program, enum log_level level)
{
    log_state.program = program;
    log_state.level = level;
}

void log_set_level(enum log_level level)
{
    log_state.level = level;
}

enum log_level log_get_level(void)
{
    return log_state.level;
}

void log_set_context(const char *context)
{
    snprintf(log_state.context, sizeof log_state.context, "%s", context);
}

bool log_level_parse(const char *name, enum log_level *level)
{
    for (int i = 0; i <= LOG_TRACE; i++)
        if (strcmp(name, level_names[i]) == 0) {
            *level = (enum log_level)i;
            return true;
        }
    return false;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > log_state.level)
        return;
    char line[1024];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld %s[%d] %s: %s%s",
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                     log_state.program, (int)getpid(), level_names[level],
                     log_state.context, log_state.context[0] ? ": " : "");
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    /* One write per line so that lines of concurrent sessions do not mix. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
