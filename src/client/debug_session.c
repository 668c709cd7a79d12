#include "debug_session.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "commands/commands.h"
#include "command_line.h"
#include "console.h"
#include "server_connection.h"
#include "transport/transport_client.h"
#include "transport_spec.h"

struct options {
    const char *transport;
    const char *commands;    /* -c */
    const char *pid_text;    /* -p */
    const char *name;        /* -pn */
    bool resume;             /* -pb: do not break in on attach */
    bool implicit;           /* -cimp */
};

static void on_interrupt(int sig)
{
    (void)sig;
    remote_interrupt_requested = 1;
}

static bool usage_error(const char *msg)
{
    fprintf(stderr, "dbg: %s\nTry 'dbg --help'.\n", msg);
    return false;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **value = strcmp(a, "-premote") == 0 ? &o->transport
                             : strcmp(a, "-c") == 0     ? &o->commands
                             : strcmp(a, "-p") == 0     ? &o->pid_text
                             : strcmp(a, "-pn") == 0    ? &o->name
                                                        : NULL;
        if (value) {
            if (*value)
                return usage_error("an option is given twice");
            if (i + 1 == argc) {
                fprintf(stderr, "dbg: option '%s' needs a value\n", a);
                return false;
            }
            *value = argv[++i];
        } else if (strcmp(a, "-pb") == 0) {
            o->resume = true;
        } else if (strcmp(a, "-cimp") == 0) {
            o->implicit = true;
        } else {
            fprintf(stderr, "dbg: unknown option '%s'\nTry 'dbg --help'.\n", a);
            return false;
        }
    }
    if (!o->transport)
        return usage_error("-premote TRANSPORT is missing");
    if ((o->pid_text != NULL) + (o->name != NULL) + o->implicit > 1)
        return usage_error("-p, -pn and -cimp exclude each other");
    if (o->resume && !o->pid_text && !o->name)
        return usage_error("-pb goes with -p PID or -pn NAME");
    return true;
}

/* The cdb prompt: process index in this session : thread index. */
static void make_prompt(struct remote *r, char *out, size_t len)
{
    size_t index = 0;
    for (size_t i = 0; i < r->ndebuggees; i++)
        if (r->debuggees[i].pid == r->pid)
            index = i;
    if (r->pid)
        snprintf(out, len, "%zu:%03d> ", index, remote_thread_index(r));
    else
        snprintf(out, len, "> ");
}

struct script {
    struct remote *r;
    bool echo;     /* show each command after a prompt (not typed at a terminal) */
    bool quit;
};

static bool run_one(char *command, void *ctx)
{
    struct script *sc = ctx;
    if (sc->echo) {
        /* A transcript of -c commands and piped input shows what ran. */
        char prompt[32];
        make_prompt(sc->r, prompt, sizeof prompt);
        printf("%s%s\n", prompt, command);
        fflush(stdout);
    }
    sc->quit = commands_run(sc->r, command) == COMMAND_QUIT || sc->r->closed;
    return !sc->quit;
}

/* -p, -pn, -cimp, -pb. False if the session cannot start as asked. */
static bool start_debuggee(struct remote *r, const struct options *o)
{
    pid_t pid = 0;
    char err[600];
    if (o->pid_text) {
        char *end;
        long v = strtol(o->pid_text, &end, 0);
        if (!*o->pid_text || *end || v <= 0 || v > 0x7fffffff) {
            fprintf(stderr, "dbg: -p %s: not a process id\n", o->pid_text);
            return false;
        }
        pid = (pid_t)v;
    } else if (o->name) {
        pid = processes_find_by_name(r, o->name);
        if (!pid)
            return false;
        printf("Process '%s' is 0n%d\n", o->name, (int)pid);
    }
    if (pid) {
        if (!remote_attach(r, pid, err, sizeof err)) {
            fprintf(stderr, "dbg: cannot attach to process 0n%d: %s\n", (int)pid, err);
            return false;
        }
        printf("Attached to process 0n%d\n", (int)pid);
    } else if (o->implicit) {
        if (!remote_create(r, NULL, 0, &pid, err, sizeof err)) {
            fprintf(stderr, "dbg: cannot start the implicit command line (-cimp): %s\n", err);
            return false;
        }
        printf("Created process 0n%d from the server's implicit command line\n", (int)pid);
    }
    fflush(stdout);
    if (o->resume) {
        struct stop_event ev;
        return remote_go(r, &ev);
    }
    return true;
}

int debug_session_main(int argc, char **argv)
{
    struct options o;
    if (!parse_options(argc, argv, &o))
        return 2;
    struct transport_spec spec;
    char err[512];
    static char password[AUTH_PASSWORD_MAX];
    bool have_password;
    if (!transport_spec_parse(o.transport, &spec, err, sizeof err) ||
        !transport_client_prepare(&spec, err, sizeof err) ||
        !auth_load_password(&spec, password, sizeof password, &have_password, err, sizeof err)) {
        fprintf(stderr, "dbg: %s\n", err);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_interrupt};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

    int fd = server_connect(&spec, have_password ? password : NULL, AUTH_PROTOCOL_MAJOR, AUTH_PROTOCOL_MINOR);
    if (fd < 0)
        return 1;
    struct remote r;
    if (!remote_open(&r, fd, err, sizeof err)) {
        fprintf(stderr, "dbg: %s\n", err);
        close(fd);
        return 1;
    }
    char desc[300];
    transport_spec_format(&spec, desc, sizeof desc);
    printf("Connected to the process server at %s\n", desc);
    fflush(stdout);
    int status = 0;
    bool quit = false;
    if (!start_debuggee(&r, &o)) {
        status = 1;
        quit = true;
    }
    if (!quit && o.commands) {
        char *copy = strdup(o.commands);
        struct script sc = {&r, true, false};
        if (copy)
            command_line_split_commands(copy, run_one, &sc);
        free(copy);
        quit = sc.quit;
    }
    bool interactive = console_interactive();
    while (!quit && !r.closed) {
        char prompt[32], *line;
        if (interactive)
            make_prompt(&r, prompt, sizeof prompt);
        enum console_result got = console_read_line(interactive ? prompt : "", r.rsp.fd, &line);
        if (got == CONSOLE_SERVER_CLOSED) {
            fprintf(stderr, "dbg: the process server ended the session\n");
            break;
        }
        if (got == CONSOLE_EOF) {
            /* End of input ends the session as q does. */
            commands_run(&r, (char[]){"q"});
            break;
        }
        struct script sc = {&r, !interactive, false};
        command_line_split_commands(line, run_one, &sc);
        quit = sc.quit;
    }
    remote_close(&r);
    return status;
}
