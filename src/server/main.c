/* dbgsrv: the process server. Command line and start-up. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "listener.h"
#include "reverse.h"
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
            "                        stdio              one session on standard input/output:\n"
            "                                           target extended-remote | dbgsrv -t stdio\n"
            "                      e.g. -t tcp:port=2159,bind=::1\n"
            "                      with any of them: password=PW or password-file=FILE\n"
            "                      (clients must then connect through dbg bridge)\n"
            "      --insecure      allow listening on a non-loopback address without a\n"
            "                      password or TLS (anyone who reaches it can run programs)\n"
            "  -v, --verbose       more log output (repeat for more)\n"
            "      --log-level L   error, warn, info (default), debug or trace\n"
            "  -h, --help          show this help and exit\n"
            "      --version       show the version and exit\n"
            "\n"
            "The server prints \"Listening on TRANSPORT\" once it accepts connections.\n"
            "Connect with gdb:  gdb -ex 'target extended-remote 127.0.0.1:2159'\n"
            "Stop it with SIGTERM or Ctrl-C: every session ends, processes they\n"
            "attached to are detached and keep running, processes they started are\n"
            "killed.\n");
}

int main(int argc, char **argv)
{
    enum { OPT_VERSION = 256, OPT_LOG_LEVEL, OPT_INSECURE };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"verbose", no_argument, NULL, 'v'},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {NULL, 0, NULL, 0},
    };
    const char *transport = "tcp:port=2159";
    enum log_level level = LOG_INFO;
    bool level_set = false;
    bool insecure = false;
    int verbose = 0;
    int c;
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
        fprintf(stderr, "dbgsrv: unexpected argument '%s'\nTry 'dbgsrv --help'.\n", argv[optind]);
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
    if (spec.kind == TRANSPORT_STDIO) {
        /* One session on our own standard input and output; the server is
         * that session and ends with it. */
        log_info("dbgsrv %s serving one session on standard input and output", DBGSRV_VERSION);
        struct session_config config = {SESSION_ON_STDIO, have_password ? password : NULL, 0};
        session_run(STDIN_FILENO, STDOUT_FILENO, "stdio", 1, &config);
    }
    if (spec.kind == TRANSPORT_COM) {
        struct session_config config = {0, have_password ? password : NULL, 0};
        return serial_line_run(&spec, &config);
    }
    if (spec.given & TSPEC_CLICON) {
        struct session_config config = {0, have_password ? password : NULL, 0};
        return reverse_run(&spec, &config);
    }
    struct transport_server server;
    if (!transport_server_open(&server, &spec, insecure || have_password, err, sizeof err)) {
        fprintf(stderr, "dbgsrv: %s\n", err);
        return 1;
    }
    printf("Listening on %s\n", server.description);
    fflush(stdout);
    log_info("dbgsrv %s listening on %s", DBGSRV_VERSION, server.description);
    return listener_run(&server, have_password ? password : NULL);
}
