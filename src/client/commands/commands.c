#include "commands/commands.h"

#include <stdio.h>
#include <string.h>

static enum command_result command_help(struct remote *r, char *args);

static const struct command table[] = {
    {".tlist", ".tlist [-v] [PATTERN]", "list the target machine's processes (PATTERN: a wildcard on the "
                                        "program name; -v: user and command line too)", command_tlist},
    {".attach", ".attach PID", "attach to a running process (decimal, or 0x... hex)", command_attach},
    {".create", ".create COMMANDLINE", "start a program under the debugger, stopped at its first instruction",
     command_create},
    {".detach", ".detach", "detach from the current process and leave it running", command_detach},
    {".kill", ".kill", "end the current process", command_kill},
    {"g", "g", "resume every debuggee and wait for the next event (Ctrl-C breaks in)", command_go},
    {".endpsrv", ".endpsrv", "end the process server (and with it every session on it)", command_endpsrv},
    {"qd", "qd", "detach from every debuggee and end the session", command_quit_detach},
    {"q", "q", "end the session: kill the processes it created, detach from the ones it attached",
     command_quit},
    {".help", ".help", "this list", command_help},
};

static enum command_result command_help(struct remote *r, char *args)
{
    (void)r, (void)args;
    printf("dbg session commands:\n");
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        printf("  %-22s %s\n", table[i].usage, table[i].help);
    printf("Commands can be joined with ';'. Debugging commands (breakpoints, stepping, stack,\n"
           "memory) are not in this version of dbg: use gdb through 'dbg bridge'.\n");
    return COMMAND_DONE;
}

enum command_result commands_run(struct remote *r, char *line)
{
    size_t n = strcspn(line, " \t");
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strlen(table[i].name) == n && strncmp(line, table[i].name, n) == 0) {
            char *args = line + n;
            while (*args == ' ' || *args == '\t')
                args++;
            return table[i].run(r, args);
        }
    }
    fprintf(stderr, "dbg: unknown command '%.*s' (.help lists the commands)\n", (int)n, line);
    return COMMAND_FAILED;
}
