#include "log.h"

#include <fcntl.h>
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
    int fd;                 /* where lines go */
    bool no_timestamps;
} log_state = {"dbgsrv", LOG_INFO, "", STDERR_FILENO, false};

bool log_set_file(const char *file)
{
    int fd = STDERR_FILENO;
    if (file && *file) {
        fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
            return false;
    }
    if (log_state.fd != STDERR_FILENO)
        close(log_state.fd);
    log_state.fd = fd;
    return true;
}

void log_set_timestamps(bool on)
{
    log_state.no_timestamps = !on;
}

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
    int n = 0;
    if (!log_state.no_timestamps)
        n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000);
    n += snprintf(line + n, sizeof line - (size_t)n, "%s[%d] %s: %s%s", log_state.program, (int)getpid(),
                  level_names[level], log_state.context, log_state.context[0] ? ": " : "");
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
    ssize_t w = write(log_state.fd, line, len);
    (void)w;
}
