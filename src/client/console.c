#include "console.h"

#include <editline/readline.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool console_interactive(void)
{
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

/* libedit's callback interface hands the line to a function without a
 * context argument, so the line it read waits here. */
static struct {
    char *line;
    bool done;
    bool installed;
    char prompt[64];
} edit;

static void take_line(char *line)
{
    edit.line = line;
    edit.done = true;
}

/* Plain input: a buffer of bytes read from stdin, handed out line by line. */
static struct {
    char buf[65536];
    size_t len;
    char *line;
} plain;

/* A complete line already in the buffer; NULL if none. */
static char *plain_take_line(void)
{
    char *nl = memchr(plain.buf, '\n', plain.len);
    if (!nl)
        return NULL;
    size_t n = (size_t)(nl - plain.buf);
    free(plain.line);
    plain.line = malloc(n + 1);
    if (!plain.line)
        return NULL;
    memcpy(plain.line, plain.buf, n);
    plain.line[n] = '\0';
    if (n > 0 && plain.line[n - 1] == '\r')
        plain.line[n - 1] = '\0';
    memmove(plain.buf, nl + 1, plain.len - n - 1);
    plain.len -= n + 1;
    return plain.line;
}

static enum console_result wait_input(int server_fd)
{
    for (;;) {
        struct pollfd p[2] = {{STDIN_FILENO, POLLIN, 0}, {server_fd, POLLIN, 0}};
        int n = poll(p, server_fd >= 0 ? 2 : 1, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return CONSOLE_EOF;
        /* The server says nothing while every debuggee is stopped: any
         * byte, or a hang-up, means the session is over. */
        if (server_fd >= 0 && p[1].revents)
            return CONSOLE_SERVER_CLOSED;
        if (p[0].revents)
            return CONSOLE_LINE;
    }
}

static enum console_result read_edited(const char *prompt, int server_fd, char **line)
{
    free(edit.line);
    edit.line = NULL;
    edit.done = false;
    if (!edit.installed || strcmp(edit.prompt, prompt) != 0) {
        snprintf(edit.prompt, sizeof edit.prompt, "%s", prompt);
        rl_callback_handler_install(edit.prompt, take_line);
        edit.installed = true;
    }
    while (!edit.done) {
        enum console_result r = wait_input(server_fd);
        if (r != CONSOLE_LINE) {
            rl_callback_handler_remove();
            edit.installed = false;
            putchar('\n');
            return r;
        }
        rl_callback_read_char();
    }
    rl_callback_handler_remove();
    edit.installed = false;
    if (!edit.line)
        return CONSOLE_EOF;
    if (*edit.line)
        add_history(edit.line);
    *line = edit.line;
    return CONSOLE_LINE;
}

static enum console_result read_plain(int server_fd, char **line)
{
    for (;;) {
        if ((*line = plain_take_line()) != NULL)
            return CONSOLE_LINE;
        enum console_result r = wait_input(server_fd);
        if (r != CONSOLE_LINE)
            return r;
        if (plain.len == sizeof plain.buf)
            plain.len = 0;   /* a line longer than the buffer is dropped */
        ssize_t n = read(STDIN_FILENO, plain.buf + plain.len, sizeof plain.buf - plain.len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (plain.len == 0)
                return CONSOLE_EOF;
            plain.buf[plain.len++] = '\n';   /* a last line without newline */
            continue;
        }
        plain.len += (size_t)n;
    }
}

enum console_result console_read_line(const char *prompt, int server_fd, char **line)
{
    if (console_interactive())
        return read_edited(prompt, server_fd, line);
    return read_plain(server_fd, line);
}
