/* dbgsrv: the process server. Command line and start-up. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "transport/tcp.h"
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
            "                        tcp:port=N         a TCP port; 0 picks a free one\n"
            "                        tcp:bind=ADDR      interface to listen on (default\n"
            "                                           127.0.0.1; ::1 or any address)\n"
            "                        tcp:ipversion=4|6  the address family\n"
            "                      e.g. -t tcp:port=2159,bind=::1\n"
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
    enum { OPT_VERSION = 256, OPT_LOG_LEVEL };
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"verbose", no_argument, NULL, 'v'},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {NULL, 0, NULL, 0},
    };
    const char *transport = "tcp:port=2159";
    enum log_level level = LOG_INFO;
    bool level_set = false;
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
    int fd = tcp_listen(&spec, err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "dbgsrv: %s\n", err);
        return 1;
    }
    char desc[128];
    printf("Listening on %s\n", transport_spec_format(&spec, desc, sizeof desc));
    fflush(stdout);
    log_info("dbgsrv %s listening on %s", DBGSRV_VERSION, desc);
    return listener_run(fd);
}
