/* The smart client's commands, cdb style (".attach", "q", ...): one table,
 * one file per family. Each command gets the text after its name. */
#ifndef DBG_COMMANDS_H
#define DBG_COMMANDS_H

#include <stdbool.h>

#include "remote.h"

enum command_result {
    COMMAND_DONE,     /* back to the prompt */
    COMMAND_FAILED,   /* it said why on stderr; back to the prompt */
    COMMAND_QUIT,     /* the session is over */
};

struct command {
    const char *name;
    const char *usage;
    const char *help;
    enum command_result (*run)(struct remote *r, char *args);
};

/* Runs one command line. */
enum command_result commands_run(struct remote *r, char *line);

/* processes.c: the target machine's processes and this session's debuggees */
enum command_result command_tlist(struct remote *r, char *args);
enum command_result command_attach(struct remote *r, char *args);
enum command_result command_create(struct remote *r, char *args);
enum command_result command_detach(struct remote *r, char *args);
enum command_result command_kill(struct remote *r, char *args);
/* The one process of the target named NAME (-pn); 0 after saying why if
 * there is none or more than one. */
pid_t processes_find_by_name(struct remote *r, const char *name);

/* session.c: running, ending the session, ending the server */
enum command_result command_go(struct remote *r, char *args);
enum command_result command_quit(struct remote *r, char *args);
enum command_result command_quit_detach(struct remote *r, char *args);
enum command_result command_endpsrv(struct remote *r, char *args);

#endif
