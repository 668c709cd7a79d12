/* .tlist, .attach, .create, .detach, .kill, and -pn's look-up by name. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "command_line.h"

#define MAX_WORDS 1024

/* cdb writes process ids in decimal with the 0n prefix. */
static void print_process(const struct remote_process *p, bool verbose)
{
    char id[24];
    snprintf(id, sizeof id, "0n%d", (int)p->pid);
    printf("%9s %s\n", id, p->name);
    if (verbose)
        printf("%9s User: %s  Command Line: %s\n", "", p->user, p->command);
}

enum command_result command_tlist(struct remote *r, char *args)
{
    char *words[3];
    int n = command_line_split_words(args, words, 3);
    bool verbose = false;
    const char *pattern = NULL;
    for (int i = 0; i < n; i++) {
        if (strcmp(words[i], "-v") == 0 && !verbose)
            verbose = true;
        else if (words[i][0] != '-' && !pattern)
            pattern = words[i];
        else
            n = -1;
    }
    if (n < 0) {
        fprintf(stderr, "dbg: usage: .tlist [-v] [PATTERN]\n");
        return COMMAND_FAILED;
    }
    struct process_list list;
    char err[300];
    if (!remote_list_processes(r, &list, err, sizeof err)) {
        fprintf(stderr, "dbg: .tlist: %s\n", err);
        return COMMAND_FAILED;
    }
    for (size_t i = 0; i < list.n; i++)
        if (!pattern || fnmatch(pattern, list.items[i].name, 0) == 0)
            print_process(&list.items[i], verbose);
    process_list_free(&list);
    fflush(stdout);
    return COMMAND_DONE;
}

pid_t processes_find_by_name(struct remote *r, const char *name)
{
    struct process_list list;
    char err[300];
    if (!remote_list_processes(r, &list, err, sizeof err)) {
        fprintf(stderr, "dbg: cannot look for '%s': %s\n", name, err);
        return 0;
    }
    pid_t found = 0;
    size_t count = 0;
    char ids[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < list.n; i++) {
        if (strcmp(list.items[i].name, name) != 0)
            continue;
        found = list.items[i].pid;
        count++;
        if (used < sizeof ids - 20)
            used += (size_t)snprintf(ids + used, sizeof ids - used, "%s0n%d", count > 1 ? ", " : "", (int)found);
    }
    process_list_free(&list);
    if (count == 0) {
        fprintf(stderr, "dbg: no process named '%s' on the target (.tlist lists them)\n", name);
        return 0;
    }
    if (count > 1) {
        fprintf(stderr, "dbg: there is more than one process named '%s' (%s): use -p PID\n", name, ids);
        return 0;
    }
    return found;
}

/* A pid as cdb takes it: decimal, 0n decimal or 0x hex. */
static bool parse_pid(const char *text, pid_t *pid)
{
    int base = 10;
    if (strncmp(text, "0n", 2) == 0)
        text += 2;
    else if (strncmp(text, "0x", 2) == 0)
        text += 2, base = 16;
    char *end;
    long v = strtol(text, &end, base);
    if (!*text || *end || v <= 0 || v > 0x7fffffff)
        return false;
    *pid = (pid_t)v;
    return true;
}

enum command_result command_attach(struct remote *r, char *args)
{
    pid_t pid;
    if (!parse_pid(args, &pid)) {
        fprintf(stderr, "dbg: usage: .attach PID (a process id greater than 0)\n");
        return COMMAND_FAILED;
    }
    char err[600];
    if (!remote_attach(r, pid, err, sizeof err)) {
        fprintf(stderr, "dbg: cannot attach to process 0n%d: %s\n", (int)pid, err);
        return COMMAND_FAILED;
    }
    printf("Attached to process 0n%d\n", (int)pid);
    fflush(stdout);
    return COMMAND_DONE;
}

enum command_result command_create(struct remote *r, char *args)
{
    char **words = calloc(MAX_WORDS, sizeof *words);
    int n = words ? command_line_split_words(args, words, MAX_WORDS) : -1;
    enum command_result result = COMMAND_FAILED;
    char err[600];
    pid_t pid;
    if (n <= 0)
        fprintf(stderr, "dbg: usage: .create COMMANDLINE (quote arguments with spaces in \"...\")\n");
    else if (!remote_create(r, words, (size_t)n, &pid, err, sizeof err))
        fprintf(stderr, "dbg: cannot create '%s': %s\n", words[0], err);
    else {
        printf("Created process 0n%d: %s\n", (int)pid, words[0]);
        fflush(stdout);
        result = COMMAND_DONE;
    }
    free(words);
    return result;
}

/* The current debuggee, or 0 after saying there is none. */
static pid_t current(struct remote *r, const char *what, const char *args)
{
    if (*args) {
        fprintf(stderr, "dbg: %s takes no arguments (it acts on the current process)\n", what);
        return 0;
    }
    if (!r->pid)
        fprintf(stderr, "dbg: %s: no process is being debugged\n", what);
    return r->pid;
}

enum command_result command_detach(struct remote *r, char *args)
{
    pid_t pid = current(r, ".detach", args);
    char err[300];
    if (!pid)
        return COMMAND_FAILED;
    if (!remote_detach(r, pid, err, sizeof err)) {
        fprintf(stderr, "dbg: cannot detach from process 0n%d: %s\n", (int)pid, err);
        return COMMAND_FAILED;
    }
    printf("Detached from process 0n%d\n", (int)pid);
    fflush(stdout);
    return COMMAND_DONE;
}

enum command_result command_kill(struct remote *r, char *args)
{
    pid_t pid = current(r, ".kill", args);
    char err[300];
    if (!pid)
        return COMMAND_FAILED;
    if (!remote_kill(r, pid, err, sizeof err)) {
        fprintf(stderr, "dbg: cannot end process 0n%d: %s\n", (int)pid, err);
        return COMMAND_FAILED;
    }
    printf("Terminated process 0n%d\n", (int)pid);
    fflush(stdout);
    return COMMAND_DONE;
}
