/* dbg: the client side of dbgsrv. For now its bridge, which lets stock gdb
 * and lldb reach a process server over transports and authentication they
 * do not speak. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "bridge.h"
#include "debug_session.h"
#include "log.h"
#include "pipe_relay.h"
#include "search.h"
#include "transport/transport_client.h"
#include "transport_spec.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: dbg -premote TRANSPORT [-p PID [-pb] | -pn NAME [-pb] | -cimp] [-c \"CMD; CMD\"]\n"
            "       dbg bridge [OPTIONS] TRANSPORT\n"
            "       dbg -QR [HOST | --lan] [--wait SECONDS]\n"
            "       dbg --help | --version\n"
            "\n"
            "dbg -premote opens a session with a process server at a command prompt:\n"
            "  -p PID      attach to process PID of the target machine\n"
            "  -pn NAME    attach to the process whose program is NAME (refused if there\n"
            "              are several: use -p)\n"
            "  -pb         do not break in on attach: resume and wait for the next event\n"
            "              (a process created with dbgsrv -cs starts running)\n"
            "  -cimp       start the server's implicit command line (dbgsrv -pc ...)\n"
            "  -c \"CMDS\"   run these commands (joined with ';') first\n"
            "Commands: .tlist [-v] [PATTERN], .attach PID, .create CMDLINE, .detach, .kill,\n"
            "g, .endpsrv, q (end the session: kill what it created, detach what it\n"
            "attached), qd (detach from everything and end), .help. End of input is q.\n"
            "\n"
            "dbg bridge connects to a dbgsrv process server (checking the protocol\n"
            "version and answering its password challenge) and then relays the GDB\n"
            "remote protocol between the server and a debugger:\n"
            "\n"
            "  gdb -ex 'target extended-remote | dbg bridge tcp:server=box17,port=2159,password-file=pw'\n"
            "\n"
            "TRANSPORT says where the server is:\n"
            "  tcp:server=HOST,port=N       (server defaults to 127.0.0.1)\n"
            "  npipe:pipe=NAME              a pipe (Unix socket) of a server on this machine\n"
            "  npipe:server=HOST,pipe=NAME  the same on another machine, over ssh\n"
            "  ssl:server=HOST,port=N,ca=FILE|fingerprint=SHA256:...  TLS (also cert=,key=)\n"
            "  spipe:pipe=NAME,ca=FILE      TLS over a pipe\n"
            "  tcp:clicon=SERVER,port=N     wait for SERVER to connect (reverse connection)\n"
            "  com:port=DEVICE,baud=RATE    a serial line\n"
            "  com:port=DEVICE,channel=N    channel N of a serial line that several sessions\n"
            "                               share (dbgsrv -t com:port=...,channel=N on the\n"
            "                               other end); fails at once if nobody serves N, or\n"
            "                               after 5 s if nothing answers on the line\n"
            "  ...,password=PW | ...,password-file=FILE   the server's password (the\n"
            "                               password itself never crosses the wire)\n"
            "\n"
            "Options:\n"
            "  --listen [HOST:]PORT   instead of stdin/stdout, offer a plain local port\n"
            "                         (default host 127.0.0.1) for debuggers that cannot\n"
            "                         run a pipe command, e.g. lldb's gdb-remote; each\n"
            "                         connection gets its own connection to the server\n"
            "  --insecure             allow --listen on a non-loopback address\n"
            "  --protocol-version M.m speak another protocol version (for testing the\n"
            "                         server's version check)\n"
            "  -h, --help, --version\n"
            "\n"
            "dbg -QR lists process servers: with no HOST those of this machine (from its\n"
            "registry), with HOST (or \\\\HOST) those HOST shows to this machine, with --lan\n"
            "those of every host on the local network that answers (IPv4 multicast).\n"
            "Servers started with 'hidden' and reverse connections are never listed.\n"
            "\n"
            "npipe:server=HOST,pipe=NAME reaches a pipe on another machine over ssh:\n"
            "dbg runs 'dbg pipe-relay NAME' there (the ssh account is the authentication).\n"
            "$DBG_SSH is the ssh command (default ssh), $DBG_REMOTE_DBG dbg's path on HOST.\n");
}

int main(int argc, char **argv)
{
    /* Only a serial line's multiplexer (com:...,channel=N), which dbg may
     * start, logs: its warnings (a hang-up, damaged frames) on stderr. */
    log_init("dbg", LOG_WARN);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("dbg %s (remoting protocol %d.%d)\n", DBGSRV_VERSION, AUTH_PROTOCOL_MAJOR, AUTH_PROTOCOL_MINOR);
        return 0;
    }
    if (argc >= 2 && argv[1][0] == '-' && strcmp(argv[1], "-QR") != 0)
        return debug_session_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "-QR") == 0)
        return search_main(argc - 2, argv + 2);
    if (argc == 3 && strcmp(argv[1], "pipe-relay") == 0)
        return pipe_relay(argv[2]);
    if (argc < 2 || strcmp(argv[1], "bridge") != 0) {
        fprintf(stderr, "dbg: %s\nTry 'dbg --help'.\n",
                argc < 2 ? "missing command (this version has 'bridge')" : "unknown command");
        return 2;
    }
    enum { OPT_LISTEN = 256, OPT_INSECURE, OPT_PROTOCOL };
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"protocol-version", required_argument, NULL, OPT_PROTOCOL},
        {NULL, 0, NULL, 0},
    };
    struct bridge_options opt = {.major = AUTH_PROTOCOL_MAJOR, .minor = AUTH_PROTOCOL_MINOR};
    int c;
    opterr = 0;
    optind = 2;
    while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN:
            opt.listen = optarg;
            break;
        case OPT_INSECURE:
            opt.insecure = true;
            break;
        case OPT_PROTOCOL:
            if (!auth_parse_version(optarg, &opt.major, &opt.minor)) {
                fprintf(stderr, "dbg: bad protocol version '%s' (expected MAJOR.MINOR)\n", optarg);
                return 2;
            }
            break;
        case ':':
            fprintf(stderr, "dbg: option '%s' needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "dbg: unknown option '%s'\nTry 'dbg --help'.\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "dbg: bridge needs exactly one TRANSPORT\nTry 'dbg --help'.\n");
        return 2;
    }
    struct transport_spec spec;
    char err[512];
    static char password[AUTH_PASSWORD_MAX];
    bool have_password;
    if (!transport_spec_parse(argv[optind], &spec, err, sizeof err) ||
        !transport_client_prepare(&spec, err, sizeof err) ||
        !auth_load_password(&spec, password, sizeof password, &have_password, err, sizeof err)) {
        fprintf(stderr, "dbg: %s\n", err);
        return 2;
    }
    opt.upstream = &spec;
    opt.password = have_password ? password : NULL;
    return bridge_run(&opt);
}
