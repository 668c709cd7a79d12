/* Splitting what the user types: command strings at ';', command lines
 * into words. Pure functions over the text. */
#ifndef DBG_COMMAND_LINE_H
#define DBG_COMMAND_LINE_H

#include <stdbool.h>

/* Splits a command string at ';' outside double quotes, in place; calls
 * EACH for every trimmed, non-empty command until it returns false. Returns
 * false if EACH did. */
bool command_line_split_commands(char *text, bool (*each)(char *command, void *ctx), void *ctx);

/* Splits ARGS into words (double quotes group, \" and \\ escape within
 * them), in place. Returns the number of words stored in WORDS (at most
 * MAX), or -1 on an unterminated quote or too many words. */
int command_line_split_words(char *args, char **words, int max);

#endif
