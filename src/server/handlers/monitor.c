/* qRcmd: gdb's "monitor" commands, answered as console output ("O" packets)
 * and a final OK. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "handlers/handlers.h"
#include "log.h"
#include "rsp/hex.h"
#include "session.h"
#include "session_table.h"
#include "target/thread_db_loader.h"

static void monitor_help(struct session *s)
{
    /* gdbserver's first line: tools (and gdb's testsuite) look for it. */
    session_output(s, "The following monitor commands are supported:\n"
                      "  set debug <0|1>         debug log messages\n"
                      "  set remote-debug <0|1>  log every packet\n"
                      "  set debug-format option1[,option2,...]\n"
                      "                          the time on log lines or not: all, none, timestamp\n"
                      "  set debug-file [FILE]   log to FILE (none: back to stderr)\n"
                      "  set libthread-db-search-path [PATH]\n"
                      "                          where libthread_db.so.1 is looked for (for\n"
                      "                          thread-local storage): directories, $sdir\n"
                      "                          (the system's), $pdir (the process's thread\n"
                      "                          library's); no PATH: " THREAD_DB_DEFAULT_PATH "\n"
                      "  exit                    the same as endpsrv\n"
                      "dbgsrv's own:\n"
                      "  help                    this list\n"
                      "  version                 the server's version\n"
                      "  endpsrv                 end the process server (every session ends by\n"
                      "                          its rules: attached processes are detached,\n"
                      "                          launched ones killed)\n"
                      "  sessions                the server's sessions: id, peer, how it\n"
                      "                          authenticated, debuggees, since when\n"
                      "  set log-level LEVEL     this session's log level: error, warn, info,\n"
                      "                          debug or trace\n");
}

/* QUIET: gdbserver's "exit", which says nothing (gdb's testsuite expects
 * no output from it). */
static void monitor_endpsrv(struct session *s, bool quiet)
{
    if (s->config.no_remote_end) {
        log_warn("end of the process server requested by %s: refused (--no-remote-end)", s->peer);
        session_output(s, "refused: this process server runs with --no-remote-end\n");
        return;
    }
    log_warn("end of the process server requested by %s", s->peer);
    if (!quiet)
        session_output(s, "ending the process server\n");
    pid_t server = s->config.server_pid;
    /* The listener (or serial-line parent) ends every session, this one
     * included; a session that is the server itself just ends. */
    if (server > 1 && server == getppid())
        kill(server, SIGTERM);
    else
        s->ending = true;
}

static void monitor_sessions(struct session *s)
{
    static struct session_info all[SESSION_TABLE_SLOTS];
    size_t n = session_table_snapshot(s->config.table, all, SESSION_TABLE_SLOTS);
    char line[512];
    snprintf(line, sizeof line, "%zu session%s (* is this one):\n", n, n == 1 ? "" : "s");
    session_output(s, line);
    for (size_t i = 0; i < n; i++) {
        const struct session_info *in = &all[i];
        char since[32], debuggees[200] = "";
        struct tm tm;
        strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", localtime_r(&in->since, &tm));
        size_t used = 0;
        for (int d = 0; d < in->ndebuggees && d < SESSION_TABLE_DEBUGGEES; d++)
            used += (size_t)snprintf(debuggees + used, sizeof debuggees - used, "%s%d (%s)", d ? ", " : "",
                                     (int)in->debuggees[d], in->attached[d] ? "attached" : "launched");
        if (in->ndebuggees > SESSION_TABLE_DEBUGGEES)
            snprintf(debuggees + used, sizeof debuggees - used, ", %d more",
                     in->ndebuggees - SESSION_TABLE_DEBUGGEES);
        snprintf(line, sizeof line, "%c session %d  peer %s  authenticated: %s  debuggees: %s  since %s\n",
                 in->id == s->id ? '*' : ' ', in->id, in->peer, in->auth, in->ndebuggees ? debuggees : "none",
                 since);
        session_output(s, line);
    }
}

/* The log level "off" means: what the server started with. */
static enum log_level quiet_level(const struct session *s)
{
    return (s->config.flags & SESSION_GDBSERVER_MESSAGES) ? LOG_WARN : LOG_INFO;
}

/* gdbserver's "monitor set ..." commands. False if WHAT is none of them. */
static bool monitor_gdbserver_set(struct session *s, const char *what)
{
    char value[256];
    if ((strncmp(what, "debug ", 6) == 0 && sscanf(what + 6, "%255s", value) == 1) ||
        (strncmp(what, "remote-debug ", 13) == 0 && sscanf(what + 13, "%255s", value) == 1)) {
        bool remote = strncmp(what, "remote-", 7) == 0;
        if (strcmp(value, "1") != 0 && strcmp(value, "0") != 0 && strcmp(value, "on") != 0 &&
            strcmp(value, "off") != 0) {
            session_output(s, "use 0 or 1\n");
            return true;
        }
        bool on = value[0] == '1' || strcmp(value, "on") == 0;
        log_set_level(on ? (remote ? LOG_TRACE : LOG_DEBUG) : quiet_level(s));
        /* gdbserver's words. */
        session_output(s, on ? (remote ? "Protocol debug output enabled.\n" : "Debug output enabled.\n")
                             : (remote ? "Protocol debug output disabled.\n" : "Debug output disabled.\n"));
        return true;
    }
    if (strncmp(what, "debug-format ", 13) == 0 && sscanf(what + 13, "%255s", value) == 1) {
        /* As gdbserver: the options one after the other, each saying what
         * it did. */
        bool stamps = false;
        char said[512] = "";
        char *save = NULL;
        for (char *tok = strtok_r(value, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            const char *msg;
            if (strcmp(tok, "none") == 0) {
                stamps = false;
                msg = "All extra debug format options disabled.\n";
            } else if (strcmp(tok, "all") == 0) {
                stamps = true;
                msg = "All extra debug format options enabled.\n";
            } else if (strcmp(tok, "timestamp") == 0) {
                stamps = true;
                msg = "Timestamps will be added to debug output.\n";
            } else {
                char bad[300];
                snprintf(bad, sizeof bad, "Unknown debug-format argument: \"%s\" (use all, none or timestamp)\n",
                         tok);
                session_output(s, bad);
                return true;
            }
            if (strlen(said) + strlen(msg) < sizeof said)
                strcat(said, msg);
        }
        log_set_timestamps(stamps);
        session_output(s, said);
        return true;
    }
    if (strcmp(what, "libthread-db-search-path") == 0 || strncmp(what, "libthread-db-search-path ", 25) == 0) {
        /* No PATH: back to the default. Either way the next TLS question
         * searches again. */
        const char *path = what + 24;
        path += strspn(path, " ");
        char msg[4400];
        if (!thread_db_set_search_path(path))
            snprintf(msg, sizeof msg, "out of memory\n");
        else
            snprintf(msg, sizeof msg, "libthread-db-search-path set to `%s'\n", thread_db_search_path());
        session_output(s, msg);
        return true;
    }
    if (strcmp(what, "debug-file") == 0 || strncmp(what, "debug-file ", 11) == 0) {
        const char *file = what[10] ? what + 11 : "";
        char msg[4600];
        if (!log_set_file(file))
            snprintf(msg, sizeof msg, "cannot open %s: %s\n", file, strerror(errno));
        else
            snprintf(msg, sizeof msg, "Debug output now goes to %s.\n", *file ? file : "standard error");
        session_output(s, msg);
        return true;
    }
    return false;
}

/* qRcmd,HEX */
HANDLER(handle_monitor)
{
    char cmd[4352];
    if (len % 2 || len / 2 >= sizeof cmd || !hex_decode((uint8_t *)cmd, args, len / 2)) {
        reply_error(s, "malformed monitor command");
        return;
    }
    cmd[len / 2] = '\0';
    char level[16];
    if (strcmp(cmd, "help") == 0) {
        monitor_help(s);
    } else if (strcmp(cmd, "version") == 0) {
        char v[120];
        snprintf(v, sizeof v, "dbgsrv %s (remoting protocol %d.%d)\n", DBGSRV_VERSION, AUTH_PROTOCOL_MAJOR,
                 AUTH_PROTOCOL_MINOR);
        session_output(s, v);
    } else if (strcmp(cmd, "sessions") == 0) {
        monitor_sessions(s);
    } else if (strcmp(cmd, "endpsrv") == 0) {
        monitor_endpsrv(s, false);
    } else if (sscanf(cmd, "set log-level %15s", level) == 1) {
        enum log_level l;
        if (log_level_parse(level, &l)) {
            log_set_level(l);
            session_output(s, "log level set for this session\n");
        } else {
            session_output(s, "unknown log level (use error, warn, info, debug or trace)\n");
        }
    } else if (strcmp(cmd, "exit") == 0) {
        monitor_endpsrv(s, true);
    } else if (strncmp(cmd, "set ", 4) == 0 && monitor_gdbserver_set(s, cmd + 4)) {
        /* answered */
    } else {
        /* gdbserver's words, and its error reply (gdb: "Protocol error with
         * Rcmd"). */
        char msg[sizeof cmd + 64];
        snprintf(msg, sizeof msg, "Unknown monitor command '%s' (try 'monitor help').\n", cmd);
        session_output(s, msg);
        reply_str(s, "E01");
        return;
    }
    reply_str(s, "OK");
}
