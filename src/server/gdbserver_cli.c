#include "gdbserver_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

/* Options only dbgsrv's own syntax has, and only gdbserver's has. Shared
 * ones (--help, --version, -v, --log-level, --insecure) decide nothing. */
static const char *const own_only[] = {"-t", "-c", "-cs", "-pc", "-x", "--no-remote-end"};
static const char *const gdbserver_only[] = {
    "--multi", "--once", "--attach", "--wrapper", "--debug", "--remote-debug", "--debug-file",
    "--debug-format", "--disable-packet", "--startup-with-shell", "--no-startup-with-shell",
    "--disable-randomization", "--no-disable-randomization", "--event-loop-debug", "--selftest",
};

static bool option_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || (arg[n] == '=' && name[1] == '-'));
}

static bool in(const char *arg, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (option_is(arg, list[i]))
            return true;
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

bool gdbserver_cli_detect(int argc, char **argv, bool *mixed, char *why, size_t whylen)
{
    const char *own = NULL, *theirs = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (in(a, own_only, COUNT(own_only))) {
            if (!own)
                own = a;
            /* -t takes a value; -c/-cs/-pc/-x end dbgsrv's options. */
            if (strcmp(a, "-t") == 0)
                i++;
            else if (strcmp(a, "--no-remote-end") != 0)
                break;
            continue;
        }
        if (strcmp(a, "--log-level") == 0) {
            i++;
            continue;
        }
        if (in(a, gdbserver_only, COUNT(gdbserver_only))) {
            if (!theirs)
                theirs = a;
            if (strcmp(a, "--wrapper") == 0) {   /* its words go to the "--" */
                while (i + 1 < argc && strcmp(argv[i + 1], "--") != 0)
                    i++;
                i++;
            }
            continue;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (!theirs)
                theirs = a;   /* COMM: the rest is PROG ARGS or PID */
            break;
        }
    }
    /* With -t, a bare word is just an unexpected argument (dbgsrv's own
     * parser says so); a gdbserver option beside -t is a mixed syntax. */
    *mixed = own && theirs && theirs[0] == '-' && theirs[1] == '-';
    if (*mixed)
        snprintf(why, whylen, "'%s' is dbgsrv's own syntax and '%s' gdbserver's", own, theirs);
    return theirs && !own;
}

/* "PORT" -> 1..65535 or 0 (any free one). */
static bool parse_port(const char *text, unsigned *port)
{
    char *end;
    if (!*text)
        return false;
    unsigned long v = strtoul(text, &end, 10);
    if (*end || v > 65535 || text[0] == '-' || text[0] == '+')
        return false;
    *port = (unsigned)v;
    return true;
}

bool gdbserver_comm_parse(const char *comm, bool insecure, struct transport_spec *spec, char *err, size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    spec->channel = -1;
    if (strcmp(comm, "-") == 0 || strcmp(comm, "stdio") == 0) {
        spec->kind = TRANSPORT_STDIO;
        return true;
    }
    if (comm[0] == '/') {
        spec->kind = TRANSPORT_COM;
        spec->given = TSPEC_PORT;
        if (strlen(comm) >= sizeof spec->device) {
            snprintf(err, errlen, "device name '%s' is too long", comm);
            return false;
        }
        snprintf(spec->device, sizeof spec->device, "%s", comm);
        return true;
    }
    const char *rest = comm;
    spec->kind = TRANSPORT_TCP;
    spec->given = TSPEC_PORT;
    if (strncmp(rest, "tcp:", 4) == 0 || strncmp(rest, "tcp4:", 5) == 0) {
        rest = strchr(rest, ':') + 1;
        if (comm[3] == '4')
            spec->ipversion = 4;
    } else if (strncmp(rest, "tcp6:", 5) == 0) {
        rest += 5;
        spec->ipversion = 6;
    } else if (strncmp(rest, "udp:", 4) == 0 || strncmp(rest, "udp4:", 5) == 0 || strncmp(rest, "udp6:", 5) == 0) {
        /* (Other words before a colon are a host name, as in gdbserver.) */
        snprintf(err, errlen, "'%s': UDP is not a transport for the remote protocol (use tcp)", comm);
        return false;
    }
    const char *colon;
    char host[256] = "";
    if (rest[0] == '[') {   /* [V6ADDR]:PORT */
        const char *close = strchr(rest, ']');
        if (!close || close[1] != ':' || (size_t)(close - rest - 1) >= sizeof host) {
            snprintf(err, errlen, "'%s': expected [ADDRESS]:PORT", comm);
            return false;
        }
        memcpy(host, rest + 1, (size_t)(close - rest - 1));
        host[close - rest - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(rest, ':');
        if (!colon || (size_t)(colon - rest) >= sizeof host) {
            snprintf(err, errlen, "'%s' is not a COMM: use HOST:PORT, :PORT, tcp:HOST:PORT, tcp6:HOST:PORT, "
                     "a tty device (/dev/...), - or stdio", comm);
            return false;
        }
        memcpy(host, rest, (size_t)(colon - rest));
        host[colon - rest] = '\0';
    }
    if (!parse_port(colon + 1, &spec->port)) {
        snprintf(err, errlen, "'%s': bad port '%s'", comm, colon + 1);
        return false;
    }
    spec->port_last = spec->port;
    if (host[0]) {
        /* A host given explicitly is bound (gdbserver ignores it and
         * listens everywhere; binding it is what the user asked for). */
        snprintf(spec->host, sizeof spec->host, "%s", host);
        spec->given |= TSPEC_BIND;
    } else if (insecure) {
        /* ":PORT" with --insecure: every interface, as gdbserver does. */
        snprintf(spec->host, sizeof spec->host, "%s", spec->ipversion == 6 ? "::" : "0.0.0.0");
        spec->given |= TSPEC_BIND;
    }
    if (spec->ipversion)
        spec->given |= TSPEC_IPVERSION;
    return true;
}

bool gdbserver_disable_parse(const char *list, unsigned *bits, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        unsigned bits;
    } names[] = {
        {"vCont", DISABLE_VCONT}, {"T", DISABLE_T}, {"Tthread", DISABLE_TTHREAD}, {"qC", DISABLE_QC},
        {"qfThreadInfo", DISABLE_QFTHREADINFO},
        {"threads", DISABLE_QC | DISABLE_QFTHREADINFO | DISABLE_TTHREAD},
    };
    char buf[256];
    if (strlen(list) >= sizeof buf || !*list) {
        snprintf(err, errlen, "--disable-packet needs a list: vCont, T, Tthread, qC, qfThreadInfo, threads");
        return false;
    }
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < COUNT(names) && strcmp(tok, names[i].name) != 0)
            i++;
        if (i == COUNT(names)) {
            snprintf(err, errlen, "--disable-packet: unknown packet '%s' (use vCont, T, Tthread, qC, "
                     "qfThreadInfo or threads)", tok);
            return false;
        }
        *bits |= names[i].bits;
    }
    return true;
}

static bool debug_format(const char *list, bool *timestamps, char *err, size_t errlen)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "all") == 0 || strcmp(tok, "timestamp") == 0) {
            *timestamps = true;
        } else if (strcmp(tok, "none") == 0) {
            *timestamps = false;
        } else {
            snprintf(err, errlen, "--debug-format: unknown option '%s' (use all, none or timestamp)", tok);
            return false;
        }
    }
    return true;
}

static bool raise_level(struct gdbserver_options *o, enum log_level l)
{
    if (o->level < l)
        o->level = l;
    return true;
}

/* As gdbserver: a program named without a directory that is a file in the
 * current directory is that file, by its absolute name (else it is looked
 * for in $PATH). */
static void absolute_if_here(char **prog)
{
    struct stat st;
    char cwd[PATH_MAX];
    if (strchr(*prog, '/') || stat(*prog, &st) != 0 || !S_ISREG(st.st_mode) || !getcwd(cwd, sizeof cwd))
        return;
    size_t n = strlen(cwd) + 1 + strlen(*prog) + 1;
    char *abs = malloc(n);
    if (!abs)
        return;
    snprintf(abs, n, "%s/%s", cwd, *prog);
    *prog = abs;   /* lives as long as the server */
}

bool gdbserver_cli_parse(int argc, char **argv, struct gdbserver_options *o, bool *help, bool *version,
                         bool *selftest, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->startup_with_shell = true;
    o->disable_randomization = true;
    o->level = LOG_WARN;   /* gdbserver's stderr carries its messages, not a log */
    o->timestamps = true;
    *help = *version = *selftest = false;
    bool attach = false;
    const char *comm = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "-") != 0; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        const char *val = eq ? eq + 1 : NULL;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *help = true;
            return true;
        } else if (strcmp(a, "--version") == 0) {
            *version = true;
            return true;
        } else if (option_is(a, "--selftest")) {
            /* gdbserver's own unit tests: dbgsrv has none of them (its
             * tests are its repository's); say so as a gdbserver built
             * without them does. */
            *selftest = true;
            return true;
        } else if (strcmp(a, "--multi") == 0) {
            o->multi = true;
        } else if (strcmp(a, "--once") == 0) {
            o->once = true;
        } else if (strcmp(a, "--attach") == 0) {
            attach = true;
        } else if (strcmp(a, "--insecure") == 0) {
            o->insecure = true;
        } else if (strcmp(a, "--wrapper") == 0) {
            int start = ++i;
            while (i < argc && strcmp(argv[i], "--") != 0)
                i++;
            if (i == argc || i == start) {
                snprintf(err, errlen, "--wrapper needs a command ended by '--': --wrapper WRAPPER... --");
                return false;
            }
            o->wrapper = calloc((size_t)(i - start + 1), sizeof *o->wrapper);
            if (!o->wrapper) {
                snprintf(err, errlen, "out of memory");
                return false;
            }
            for (int k = start; k < i; k++)
                o->wrapper[k - start] = argv[k];
        } else if (strcmp(a, "--startup-with-shell") == 0) {
            o->startup_with_shell = true;
        } else if (strcmp(a, "--no-startup-with-shell") == 0) {
            o->startup_with_shell = false;
        } else if (strcmp(a, "--disable-randomization") == 0) {
            o->disable_randomization = true;
        } else if (strcmp(a, "--no-disable-randomization") == 0) {
            o->disable_randomization = false;
        } else if (option_is(a, "--debug")) {
            /* --debug or --debug=THEMES (gdbserver 14's form): all is debug. */
            raise_level(o, LOG_DEBUG);
        } else if (strcmp(a, "--remote-debug") == 0) {
            raise_level(o, LOG_TRACE);
        } else if (strcmp(a, "--event-loop-debug") == 0) {
            raise_level(o, LOG_DEBUG);
        } else if (option_is(a, "--debug-file") && val) {
            if (!*val) {
                snprintf(err, errlen, "--debug-file needs a file name");
                return false;
            }
            o->debug_file = val;
        } else if (option_is(a, "--debug-format") && val) {
            if (!debug_format(val, &o->timestamps, err, errlen))
                return false;
        } else if (option_is(a, "--disable-packet") && val) {
            if (!gdbserver_disable_parse(val, &o->disabled, err, errlen))
                return false;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            raise_level(o, o->level < LOG_INFO ? LOG_INFO : (enum log_level)(o->level + (o->level < LOG_TRACE)));
        } else if (strcmp(a, "--log-level") == 0 && i + 1 < argc) {
            if (!log_level_parse(argv[++i], &o->level)) {
                snprintf(err, errlen, "unknown log level '%s' (use error, warn, info, debug or trace)", argv[i]);
                return false;
            }
        } else {
            snprintf(err, errlen, "unknown option '%s'", a);
            return false;
        }
    }
    if (i == argc) {
        snprintf(err, errlen, "missing COMM (HOST:PORT, :PORT, a tty device, - or stdio)");
        return false;
    }
    comm = argv[i++];
    o->comm = comm;
    if (!gdbserver_comm_parse(comm, o->insecure, &o->spec, err, errlen))
        return false;
    /* gdbserver still takes the older order "COMM --attach PID" (gdb's
     * testsuite uses it). */
    if (i < argc && strcmp(argv[i], "--attach") == 0) {
        attach = true;
        i++;
    }
    if (attach && o->multi) {
        snprintf(err, errlen, "--attach and --multi do not go together");
        return false;
    }
    if (attach) {
        char *end;
        long pid = i < argc ? strtol(argv[i], &end, 10) : 0;
        if (i + 1 != argc || *end || pid <= 0 || pid > 0x7fffffff) {
            snprintf(err, errlen, "--attach needs COMM and one PID (a positive number)");
            return false;
        }
        o->mode = GDBSERVER_ATTACH;
        o->attach_pid = (pid_t)pid;
    } else if (i < argc) {
        o->mode = GDBSERVER_PROGRAM;
        o->program = argv + i;
        absolute_if_here(&o->program[0]);
    } else if (o->multi) {
        o->mode = GDBSERVER_MULTI;
    } else {
        snprintf(err, errlen, "missing PROG (or use --attach COMM PID, or --multi COMM)");
        return false;
    }
    return true;
}
