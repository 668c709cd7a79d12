/* lldb's platform mode ("platform select remote-linux", "platform connect
 * connect://HOST:PORT"): the connection is lldb's platform, which lists
 * processes (qfProcessInfo), moves files (vFile) and, to debug, asks for a
 * debug server (qLaunchGDBServer) that lldb then connects to. lldb-server
 * starts a new one on another port; a dbgsrv gives every connection its
 * own session already, so the answer is the port this server listens on:
 * lldb's second connection is simply another session. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "handlers/handlers.h"
#include "rsp/hex.h"
#include "session.h"

/* The platform's "debug server" is this server, reachable on its port only
 * when the client reached us by plain tcp (a password or TLS would have to
 * be answered by lldb itself, which it cannot). */
static bool debug_server_port(struct session *s, unsigned *port)
{
    *port = s->config.platform_port;
    return *port != 0;
}

/* qLaunchGDBServer;host:NAME;[port:N;] -> pid:PID;port:PORT; */
HANDLER(handle_qLaunchGDBServer)
{
    (void)args, (void)len;
    unsigned port;
    if (!debug_server_port(s, &port)) {
        reply_error(s, "this server's transport does not let lldb open a debug connection of its own "
                       "(platform mode needs a plain tcp server; use gdb-remote through dbg bridge)");
        return;
    }
    /* The pid is this server's: there is no process to end apart from it
     * (qKillSpawnedProcess of it is answered without killing anything). */
    s->client_lldb = true;
    reply_printf(s, "pid:%d;port:%u;", (int)s->config.server_pid, port);
}

/* qKillSpawnedProcess:PID - lldb ends the debug server it was given. That
 * is the listener itself, which must go on serving: each debug connection
 * ends with its session when lldb closes it. Any other pid is refused. */
HANDLER(handle_qKillSpawnedProcess)
{
    char *end;
    long pid = len ? strtol(args, &end, 10) : 0;
    if (!len || *end || pid <= 0) {
        reply_error(s, "malformed qKillSpawnedProcess");
        return;
    }
    if (pid == (long)s->config.server_pid)
        reply_str(s, "OK");
    else
        reply_error(s, "process %ld was not started for this platform", pid);
}

/* "MODE-HEX,PATH-HEX" -> OP(path, mode); replies "F" and the errno in hex
 * (0: done), lldb-server's form. */
static void mode_and_path(struct session *s, const char *args, size_t len, int (*op)(const char *, mode_t))
{
    const char *p = args;
    uint64_t mode;
    if (!hex_parse_u64(&p, &mode) || *p != ',') {
        reply_printf(s, "F%x", EINVAL);
        return;
    }
    p++;
    char *path = hex_decode_string(p, (size_t)(args + len - p));
    if (!path || !path[0])
        reply_printf(s, "F%x", EINVAL);
    else if (op(path, (mode_t)(mode & 07777)) != 0)
        reply_printf(s, "F%x", errno);
    else
        reply_str(s, "F0");
    free(path);
}

/* qPlatform_mkdir:MODE-HEX,PATH-HEX */
HANDLER(handle_qPlatform_mkdir)
{
    mode_and_path(s, args, len, mkdir);
}

/* qPlatform_chmod:MODE-HEX,PATH-HEX */
HANDLER(handle_qPlatform_chmod)
{
    mode_and_path(s, args, len, chmod);
}
