/* qRcmd: gdb's "monitor" commands, answered as console output ("O" packets)
 * and a final OK. */
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

static void monitor_help(struct session *s)
{
    session_output(s, "dbgsrv monitor commands:\n"
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

static void monitor_endpsrv(struct session *s)
{
    if (s->config.no_remote_end) {
        log_warn("end of the process server requested by %s: refused (--no-remote-end)", s->peer);
        session_output(s, "refused: this process server runs with --no-remote-end\n");
        return;
    }
    log_warn("end of the process server requested by %s", s->peer);
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

/* qRcmd,HEX */
HANDLER(handle_monitor)
{
    char cmd[256];
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
        monitor_endpsrv(s);
    } else if (sscanf(cmd, "set log-level %15s", level) == 1) {
        enum log_level l;
        if (log_level_parse(level, &l)) {
            log_set_level(l);
            session_output(s, "log level set for this session\n");
        } else {
            session_output(s, "unknown log level (use error, warn, info, debug or trace)\n");
        }
    } else {
        char msg[320];
        snprintf(msg, sizeof msg, "unknown monitor command '%s' (try 'monitor help')\n", cmd);
        session_output(s, msg);
    }
    reply_str(s, "OK");
}
