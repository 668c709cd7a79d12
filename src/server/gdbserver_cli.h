/* gdbserver's command line, so that dbgsrv drops in wherever gdbserver is
 * started (IDEs, scripts, GDB's testsuite):
 *
 *   dbgsrv [OPTIONS] COMM PROG [ARGS...]
 *   dbgsrv [OPTIONS] --attach COMM PID
 *   dbgsrv [OPTIONS] --multi COMM
 *
 * COMM is HOST:PORT, :PORT, tcp:HOST:PORT, tcp6:HOST:PORT, [V6ADDR]:PORT, a
 * tty device (/dev/...), or - / stdio. The parser first decides which
 * syntax a command line uses (dbgsrv's own -t style or gdbserver's); a
 * command line that mixes them is an error that says so. */
#ifndef DBGSRV_GDBSERVER_CLI_H
#define DBGSRV_GDBSERVER_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "log.h"
#include "transport_spec.h"

/* Packets and features --disable-packet can turn off (gdbserver's list). */
enum {
    DISABLE_VCONT = 1u << 0,
    DISABLE_T = 1u << 1,          /* stop replies as S, not T */
    DISABLE_TTHREAD = 1u << 2,    /* no thread: in T stop replies */
    DISABLE_QC = 1u << 3,
    DISABLE_QFTHREADINFO = 1u << 4,
};

enum gdbserver_mode { GDBSERVER_PROGRAM, GDBSERVER_ATTACH, GDBSERVER_MULTI };

struct gdbserver_options {
    enum gdbserver_mode mode;
    const char *comm;             /* COMM as given */
    struct transport_spec spec;   /* COMM as a transport */
    bool multi, once, insecure;
    char **program;               /* PROG ARGS... (NULL-terminated, in argv) */
    pid_t attach_pid;
    char **wrapper;               /* --wrapper W... -- (NULL-terminated copy) */
    bool startup_with_shell;      /* default on, as gdbserver */
    bool disable_randomization;   /* default on, as gdbserver */
    enum log_level level;         /* --debug, --remote-debug, -v */
    bool timestamps;              /* --debug-format */
    const char *debug_file;
    unsigned disabled;            /* DISABLE_* */
};

/* True if ARGV is written in gdbserver's syntax; false for dbgsrv's own.
 * A command line mixing them sets *MIXED (with the two words in WHY). */
bool gdbserver_cli_detect(int argc, char **argv, bool *mixed, char *why, size_t whylen);

/* Parses a gdbserver-style command line. On failure returns false with a
 * message in ERR; *HELP / *VERSION / *SELFTEST are set for --help /
 * --version / --selftest[=FILTER]. */
bool gdbserver_cli_parse(int argc, char **argv, struct gdbserver_options *o, bool *help, bool *version,
                         bool *selftest, char *err, size_t errlen);

/* Turns COMM into a transport; INSECURE widens ":PORT" to every interface. */
bool gdbserver_comm_parse(const char *comm, bool insecure, struct transport_spec *spec, char *err, size_t errlen);

/* Parses --disable-packet's list into DISABLE_* bits. */
bool gdbserver_disable_parse(const char *list, unsigned *bits, char *err, size_t errlen);

#endif
