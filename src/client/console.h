/* The smart client's command input: lines from the terminal (with line
 * editing and history through libedit) or from a pipe or file, while the
 * connection to the server is watched so that a session the server ends
 * is noticed at once, not at the next command. */
#ifndef DBG_CONSOLE_H
#define DBG_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

enum console_result {
    CONSOLE_LINE,            /* *line holds a command (without the newline) */
    CONSOLE_EOF,             /* the input ended */
    CONSOLE_SERVER_CLOSED,   /* SERVER_FD became readable or hung up */
};

/* Reads the next line, showing PROMPT on a terminal. SERVER_FD is watched
 * (-1: not). The line is valid until the next call. */
enum console_result console_read_line(const char *prompt, int server_fd, char **line);

/* True if commands come from a terminal. */
bool console_interactive(void);

#endif
