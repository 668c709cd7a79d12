/* g, q, qd and .endpsrv: running the debuggees, ending the session, ending
 * the server. */
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"

/* How long the server may take to end its sessions by their rules. */
#define ENDPSRV_WAIT_MS 30000

static bool no_args(const char *name, const char *args)
{
    if (*args)
        fprintf(stderr, "dbg: %s takes no arguments\n", name);
    return !*args;
}

enum command_result command_go(struct remote *r, char *args)
{
    if (!no_args("g", args))
        return COMMAND_FAILED;
    if (!r->ndebuggees) {
        fprintf(stderr, "dbg: g: no process is being debugged\n");
        return COMMAND_FAILED;
    }
    struct stop_event ev;
    if (!remote_go(r, &ev))
        return r->closed ? COMMAND_QUIT : COMMAND_FAILED;
    return COMMAND_DONE;
}

/* Ends the session: every debuggee is detached (DETACH_ALL) or, if this
 * session created it, killed. The server would apply the same rules when
 * the connection closes; doing it here reports each one. */
static enum command_result end_session(struct remote *r, bool detach_all)
{
    while (r->ndebuggees && !r->closed) {
        struct debuggee d = r->debuggees[r->ndebuggees - 1];
        char err[300];
        bool kill = d.launched && !detach_all;
        bool ok = kill ? remote_kill(r, d.pid, err, sizeof err) : remote_detach(r, d.pid, err, sizeof err);
        if (ok) {
            printf("%s process 0n%d\n", kill ? "Terminated" : "Detached from", (int)d.pid);
        } else {
            fprintf(stderr, "dbg: %s process 0n%d: %s\n", kill ? "cannot end" : "cannot detach from",
                    (int)d.pid, err);
            r->ndebuggees--;   /* the server's session-end rules still apply */
        }
    }
    printf("Session ended\n");
    fflush(stdout);
    return COMMAND_QUIT;
}

enum command_result command_quit(struct remote *r, char *args)
{
    return no_args("q", args) ? end_session(r, false) : COMMAND_FAILED;
}

enum command_result command_quit_detach(struct remote *r, char *args)
{
    return no_args("qd", args) ? end_session(r, true) : COMMAND_FAILED;
}

enum command_result command_endpsrv(struct remote *r, char *args)
{
    if (!no_args(".endpsrv", args))
        return COMMAND_FAILED;
    char err[300];
    if (!remote_monitor(r, "endpsrv", err, sizeof err)) {
        fprintf(stderr, "dbg: .endpsrv: %s\n", err);
        return COMMAND_FAILED;
    }
    if (strncmp(r->console, "ending", 6) != 0)
        return COMMAND_DONE;   /* refused: the server said why */
    /* The server ends this session with the others: wait for that, so
     * that nothing typed after .endpsrv goes to a server on its way out. */
    if (!remote_wait_closed(r, ENDPSRV_WAIT_MS))
        fprintf(stderr, "dbg: the process server did not end within %d s\n", ENDPSRV_WAIT_MS / 1000);
    return COMMAND_QUIT;
}
