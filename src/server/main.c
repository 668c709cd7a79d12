/* dbgsrv: the process server. Command line and start-up. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "gdbserver_cli.h"
#include "gdbserver_mode.h"
#include "listener.h"
#include "registration.h"
#include "reverse.h"
#include "search_responder.h"
#include "serial_channel.h"
#include "serial_line.h"
#include "log.h"
#include "session.h"
#include "transport/transport_server.h"
#include "transport_spec.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: dbgsrv [OPTIONS]\n"
            "\n"
            "A process server for remote debugging: it runs on the machine of the\n"
            "program being debugged and serves the GDB remote protocol, so that gdb,\n"
            "lldb or dbg on another machine can debug programs here. Each client gets\n"
            "its own session; the server keeps running when sessions end.\n"
            "\n"
            "Options:\n"
            "  -t TRANSPORT        where to listen (default: tcp:port=2159)\n"
            "                        tcp:port=N         a TCP port; 0 picks a free one;\n"
            "                                           FIRST:LAST the first free in a range\n"
            "                        tcp:bind=ADDR      interface to listen on (default\n"
            "                                           127.0.0.1; ::1 or any address)\n"
            "                        tcp:ipversion=4|6  the address family\n"
            "                        npipe:pipe=NAME    a Unix socket in /run/dbgsrv (root) or\n"
            "                                           $XDG_RUNTIME_DIR/dbgsrv; %%d in NAME is\n"
            "                                           the server's PID; only this user and\n"
            "                                           root may connect, and allow=U1,U2...\n"
            "                        tcp:clicon=HOST,port=N   reverse connection: connect to a\n"
            "                                           client listening there (dbg bridge\n"
            "                                           tcp:clicon=...), retrying until it is\n"
            "                                           there; serves that one client\n"
            "                        ssl:cert=F,key=F[,ca=F][,proto=tls1.2|tls1.3]  TLS over tcp\n"
            "                                           (ca= requires client certificates)\n"
            "                        spipe:pipe=NAME,cert=F,key=F  TLS over an npipe\n"
            "                        com:port=DEVICE[,baud=RATE]  a serial line (COM2 or 2 is\n"
            "                                           /dev/ttyS1; default 115200 baud): gdb\n"
            "                                           connects with target remote DEVICE\n"
            "                        com:port=DEVICE,channel=N  channel N (0-254) of a line that\n"
            "                                           several sessions share, each on its own\n"
            "                                           channel: another dbgsrv may serve another\n"
            "                                           channel; clients use dbg bridge\n"
            "                                           com:port=DEVICE,channel=N. One process\n"
            "                                           per side owns the line and ends with\n"
            "                                           its last user\n"
            "                        stdio              one session on standard input/output:\n"
            "                                           target extended-remote | dbgsrv -t stdio\n"
            "                      e.g. -t tcp:port=2159,bind=::1\n"
            "                      with any of them: password=PW or password-file=FILE\n"
            "                      hidden: not listed by searches (dbg -QR)\n"
            "                      (clients must then connect through dbg bridge)\n"
            "      --no-remote-end refuse 'monitor endpsrv' (ending the server from a client)\n"
            "  -c CMDLINE          start CMDLINE (the rest of the command line), not debugged,\n"
            "                      and print its PID\n"
            "  -cs CMDLINE         the same, created suspended at its first instruction (a\n"
            "                      client attaches to it and continues)\n"
            "  -pc CMDLINE         an implicit command line: what gdb's 'run' starts when no\n"
            "                      remote exec-file is set\n"
            "  -x                  ignore the rest of the command line\n"
            "      --insecure      allow listening on a non-loopback address without a\n"
            "                      password or TLS (anyone who reaches it can run programs)\n"
            "  -v, --verbose       more log output (repeat for more)\n"
            "      --log-level L   error, warn, info (default), debug or trace\n"
            "  -h, --help          show this help and exit\n"
            "      --version       show the version and exit\n"
            "\n"
            "gdbserver's command line works too, so dbgsrv drops in for gdbserver:\n"
            "  dbgsrv [OPTIONS] COMM PROG [ARGS...]    create PROG, debug it, end with it\n"
            "  dbgsrv [OPTIONS] --attach COMM PID      attach to PID, end with it\n"
            "  dbgsrv [OPTIONS] --multi COMM           serve until told to end\n"
            "  COMM: HOST:PORT (binds HOST), :PORT (loopback; every interface with\n"
            "  --insecure), tcp:HOST:PORT, tcp6:HOST:PORT, [ADDR]:PORT, /dev/TTY, - or stdio.\n"
            "  Options: --once (one client, then end), --wrapper WRAPPER... --,\n"
            "  --[no-]startup-with-shell, --[no-]disable-randomization (both on by\n"
            "  default), --debug, --remote-debug, --debug-file=FILE,\n"
            "  --debug-format=all|none|timestamp, --disable-packet=vCont,T,Tthread,qC,\n"
            "  qfThreadInfo,threads. Messages as gdbserver's, on stderr. Unlike\n"
            "  gdbserver, other clients that connect meanwhile get sessions of their own.\n"
            "\n"
            "The server prints \"Listening on TRANSPORT\" once it accepts connections.\n"
            "Connect with gdb:  gdb -ex 'target extended-remote 127.0.0.1:2159'\n"
            "Stop it with SIGTERM or Ctrl-C: every session ends, processes they\n"
            "attached to are detached and keep running, processes they started are\n"
            "killed.\n");
}

/* What -c / -cs / -pc asked for. */
struct launch_request {
    char **create;       /* -c / -cs: start this now */
    bool suspended;      /* -cs */
    char **implicit;     /* -pc: what "run" with no program starts */
};

/* Cuts argv at the first -c, -cs, -pc or -x (DbgSrv's options that end the
 * server's own options). Returns the new argc. */
static int split_command_line(int argc, char **argv, struct launch_request *req)
{
    memset(req, 0, sizeof *req);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-t") == 0 || strcmp(a, "--log-level") == 0) {
            i++;            /* a value, even if it looks like -c */
            continue;
        }
        if (strcmp(a, "--") == 0)
            break;
        bool c = strcmp(a, "-c") == 0, cs = strcmp(a, "-cs") == 0, pc = strcmp(a, "-pc") == 0;
        if (!c && !cs && !pc && strcmp(a, "-x") != 0)
            continue;
        if ((c || cs || pc) && i + 1 < argc) {
            if (pc)
                req->implicit = argv + i + 1;
            else
                req->create = argv + i + 1;
            req->suspended = cs;
        } else if (c || cs || pc) {
            fprintf(stderr, "dbgsrv: %s needs a command line after it\n", a);
            exit(2);
        }
        argv[i] = NULL;
        return i;
    }
    return argc;
}

/* -c: starts the program, not debugged. -cs: stopped at its first
 * instruction (traced only to get there, then let go stopped), for a client
 * to attach and resume. Either way it is not a debuggee of any session. */
static bool create_process(const struct launch_request *req)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return false;
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "dbgsrv: cannot fork: %s\n", strerror(errno));
        return false;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        close(pipefd[0]);
        if (!req->suspended || ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
            execvp(req->create[0], req->create);
        int e = errno;
        ssize_t w = write(pipefd[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(pipefd[1]);
    int e = 0;
    ssize_t n = read(pipefd[0], &e, sizeof e);
    close(pipefd[0]);
    if (n == (ssize_t)sizeof e) {
        waitpid(pid, NULL, 0);
        fprintf(stderr, "dbgsrv: cannot run '%s': %s\n", req->create[0], strerror(e));
        return false;
    }
    if (req->suspended) {
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
            fprintf(stderr, "dbgsrv: '%s' did not reach its first instruction\n", req->create[0]);
            return false;
        }
        /* Let go with a SIGSTOP: stopped, not traced, at its entry. */
        ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)SIGSTOP);
        /* It is our child: wait until the stop has happened, so that whoever
         * reads the PID next finds it stopped. */
        if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
            fprintf(stderr, "dbgsrv: '%s' ended before it could be suspended\n", req->create[0]);
            return false;
        }
    }
    printf("Created process %d%s: %s\n", (int)pid, req->suspended ? " (suspended)" : "", req->create[0]);
    fflush(stdout);
    log_info("created process %d%s: %s", (int)pid, req->suspended ? " suspended" : "", req->create[0]);
    return true;
}

int main(int argc, char **argv)
{
    enum { OPT_VERSION = 256, OPT_LOG_LEVEL, OPT_INSECURE, OPT_NO_REMOTE_END };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"verbose", no_argument, NULL, 'v'},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"no-remote-end", no_argument, NULL, OPT_NO_REMOTE_END},
        {NULL, 0, NULL, 0},
    };
    const char *transport = "tcp:port=2159";
    enum log_level level = LOG_INFO;
    bool level_set = false;
    bool insecure = false;
    int verbose = 0;
    bool no_remote_end = false;
    struct launch_request launch;
    int c;
    /* gdbserver's command line is understood too (a drop-in for it). */
    bool mixed;
    char why[200];
    if (gdbserver_cli_detect(argc, argv, &mixed, why, sizeof why) || mixed) {
        if (mixed) {
            fprintf(stderr, "dbgsrv: a command line in two syntaxes: %s. Use one: dbgsrv -t TRANSPORT ... "
                    "or gdbserver's dbgsrv [OPTIONS] COMM PROG...\nTry 'dbgsrv --help'.\n", why);
            return 2;
        }
        static struct gdbserver_options gs;
        bool help, version, selftest;
        char err[300];
        if (!gdbserver_cli_parse(argc, argv, &gs, &help, &version, &selftest, err, sizeof err)) {
            fprintf(stderr, "dbgsrv: %s\nTry 'dbgsrv --help'.\n", err);
            return 2;
        }
        if (selftest) {
            printf("Selftests have been disabled for this build.\n");   /* gdbserver's, without them */
            return 0;
        }
        if (help || version) {
            if (help)
                usage(stdout);
            else
                printf("dbgsrv %s\n", DBGSRV_VERSION);
            return 0;
        }
        return gdbserver_mode_run(&gs);
    }
    /* -c, -cs and -pc take the rest of the command line; -x ignores it. */
    argc = split_command_line(argc, argv, &launch);
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            transport = optarg;
            break;
        case 'v':
            verbose++;
            break;
        case OPT_LOG_LEVEL:
            if (!log_level_parse(optarg, &level)) {
                fprintf(stderr, "dbgsrv: unknown log level '%s' (use error, warn, info, debug or trace)\n",
                        optarg);
                return 2;
            }
            level_set = true;
            break;
        case OPT_INSECURE:
            insecure = true;
            break;
        case OPT_NO_REMOTE_END:
            no_remote_end = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case OPT_VERSION:
            printf("dbgsrv %s\n", DBGSRV_VERSION);
            return 0;
        case ':':
            fprintf(stderr, "dbgsrv: option '%s' needs a value\nTry 'dbgsrv --help'.\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "dbgsrv: unknown option '%s'\nTry 'dbgsrv --help'.\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dbgsrv: unexpected argument '%s' (with -t, a program is started with -c; or use "
                "gdbserver's syntax, dbgsrv COMM PROG..., without -t)\nTry 'dbgsrv --help'.\n", argv[optind]);
        return 2;
    }
    if (!level_set) {
        level = (enum log_level)(LOG_INFO + verbose);
        if (level > LOG_TRACE)
            level = LOG_TRACE;
    }
    log_init("dbgsrv", level);

    /* Block the signals the listener waits for before anything can be
     * told we are listening: one sent in between stays pending for the
     * listener's signalfd instead of killing the server. */
    listener_block_signals();

    struct transport_spec spec;
    char err[256];
    if (!transport_spec_parse(transport, &spec, err, sizeof err)) {
        fprintf(stderr, "dbgsrv: %s\n", err);
        return 2;
    }
    if (!transport_server_check(&spec, err, sizeof err)) {
        fprintf(stderr, "dbgsrv: %s\n", err);
        return 2;
    }
    static char password[AUTH_PASSWORD_MAX];
    bool have_password;
    if (!auth_load_password(&spec, password, sizeof password, &have_password, err, sizeof err)) {
        fprintf(stderr, "dbgsrv: %s\n", err);
        return 2;
    }
    struct session_config config = {
        .password = have_password ? password : NULL,
        .implicit = launch.implicit,
        .no_remote_end = no_remote_end,
    };
    if (spec.kind == TRANSPORT_STDIO) {
        /* One session on our own standard input and output; the server is
         * that session and ends with it. */
        log_info("dbgsrv %s serving one session on standard input and output", DBGSRV_VERSION);
        config.flags = SESSION_ON_STDIO;
        session_run(STDIN_FILENO, STDOUT_FILENO, "stdio", 1, &config);
    }
    if ((spec.kind == TRANSPORT_COM || (spec.given & TSPEC_CLICON)) && launch.create && !create_process(&launch))
        return 1;
    if (spec.kind == TRANSPORT_COM && spec.channel >= 0)
        return serial_channel_run(&spec, &config);
    if (spec.kind == TRANSPORT_COM)
        return serial_line_run(&spec, &config);
    if (spec.given & TSPEC_CLICON)
        return reverse_run(&spec, &config);
    struct transport_server server;
    if (!transport_server_open(&server, &spec, insecure || have_password, err, sizeof err)) {
        fprintf(stderr, "dbgsrv: %s\n", err);
        return 1;
    }
    /* Visible to searches (dbg -QR) unless hidden, before anyone is told
     * we are listening. */
    struct registry_entry entry;
    struct registry_handle registry = {.fd = -1};
    struct search_responder search = {{-1, -1}};
    registration_entry(&server, &entry);
    registration_add(&registry, &spec, &entry);
    if (!spec.hidden)
        search_responder_open(&search, entry.reach);
    printf("Listening on %s\n", server.description);
    fflush(stdout);
    /* After the Listening line, which scripts wait for first. */
    if (launch.create && !create_process(&launch)) {
        registry_remove(&registry);
        search_responder_close(&search);
        transport_server_close(&server);
        return 1;
    }
    log_info("dbgsrv %s listening on %s", DBGSRV_VERSION, server.description);
    struct listener_options lo = {.registry = &registry, .search = &search};
    return listener_run(&server, &config, &lo);
}
