#include "command_line.h"

#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

bool command_line_split_commands(char *text, bool (*each)(char *command, void *ctx), void *ctx)
{
    bool quoted = false;
    char *start = text;
    for (char *p = text;; p++) {
        if (*p == '"' && (p == text || p[-1] != '\\'))
            quoted = !quoted;
        if (*p == '\0' || (*p == ';' && !quoted)) {
            bool last = *p == '\0';
            *p = '\0';
            char *cmd = trim(start);
            if (*cmd && !each(cmd, ctx))
                return false;
            if (last)
                return true;
            start = p + 1;
        }
    }
}

int command_line_split_words(char *args, char **words, int max)
{
    int n = 0;
    char *in = args, *out = args;
    for (;;) {
        while (*in == ' ' || *in == '\t')
            in++;
        if (!*in)
            return n;
        if (n == max)
            return -1;
        words[n++] = out;
        bool quoted = false;
        while (*in && (quoted || (*in != ' ' && *in != '\t'))) {
            if (*in == '"') {
                quoted = !quoted;
                in++;
            } else if (quoted && *in == '\\' && (in[1] == '"' || in[1] == '\\')) {
                *out++ = in[1];
                in += 2;
            } else {
                *out++ = *in++;
            }
        }
        if (quoted)
            return -1;
        /* OUT never passes IN: the terminator lands on text already read
         * (at worst the separator itself). */
        bool end = *in == '\0';
        *out++ = '\0';
        if (end)
            return n;
        in++;
    }
}
