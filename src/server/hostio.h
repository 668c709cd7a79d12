/* The files a client reaches through Host I/O (vFile): which ones it has
 * open, and whose filesystem it sees (vFile:setfs: a debuggee's, which in a
 * container is not the server's). The packets are in handlers/hostio.c.
 *
 * The client never names a server fd: it gets handles, indexes into this
 * table, so that no packet can reach the connection or any other fd the
 * session holds. */
#ifndef DBGSRV_HOSTIO_H
#define DBGSRV_HOSTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define HOSTIO_MAX_FILES 64

struct hostio {
    int files[HOSTIO_MAX_FILES];   /* real fds; -1 for a free handle */
    int root_fd;                   /* the chosen filesystem's root; -1: ours */
    pid_t root_pid;                /* whose root that is (0: ours) */
};

void hostio_init(struct hostio *h);
/* Closes every file and the root (the session is ending). */
void hostio_close_all(struct hostio *h);

/* Paths are resolved in the chosen filesystem: through the root of
 * process PID (vFile:setfs), with symbolic links kept inside it; PID 0 is
 * the server's own. Every call returns -1 with errno on failure. */
int hostio_set_filesystem(struct hostio *h, pid_t pid);
int hostio_open(struct hostio *h, const char *path, int flags, mode_t mode);   /* -> a handle */
int hostio_close(struct hostio *h, int handle);
int hostio_fd(const struct hostio *h, int handle);   /* the real fd of a handle */
int hostio_unlink(struct hostio *h, const char *path);
ssize_t hostio_readlink(struct hostio *h, const char *path, char *buf, size_t len);
int hostio_stat(struct hostio *h, const char *path, struct stat *st);

#endif
