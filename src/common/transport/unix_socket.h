/* npipe: the DbgSrv named pipe mapped to a Unix domain socket in the runtime
 * directory, /run/dbgsrv/ for root and $XDG_RUNTIME_DIR/dbgsrv/ otherwise.
 * Access is checked with the peer's kernel credentials (SO_PEERCRED): the
 * server's own user and root, plus the users named by allow=. */
#ifndef DBGSRV_TRANSPORT_UNIX_SOCKET_H
#define DBGSRV_TRANSPORT_UNIX_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NPIPE_MAX_ALLOW 32

struct npipe_server {
    int fd;
    int lock_fd;                 /* flock'ed NAME.lock: this name is served */
    char path[108];
    uid_t allow[NPIPE_MAX_ALLOW];
    size_t nallow;
};

/* The socket path for pipe NAME, with %d / %x replaced by PID in decimal or
 * hex. Returns false with a message if it does not fit. */
bool npipe_path(const char *name, pid_t pid, char *out, size_t len, char *err, size_t errlen);

/* Listens on the socket for pipe NAME. A name already served by a live
 * server is an error; a leftover socket of a dead one is replaced. ALLOW is
 * a comma-separated list of user names or uids, or "". */
bool npipe_listen(struct npipe_server *ns, const char *name, const char *allow, char *err, size_t errlen);

/* Accepts one connection. Returns the fd; -1 on error; -2 when the peer is
 * not allowed (the connection is closed; PEER says who it was). */
int npipe_accept(struct npipe_server *ns, char *peer, size_t peerlen);

void npipe_close(struct npipe_server *ns);
/* In a forked child: closes the inherited fds without removing anything. */
void npipe_close_inherited(struct npipe_server *ns);

#endif
