/* Small I/O helpers shared by every program. */
#ifndef DBGSRV_IO_H
#define DBGSRV_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Writes all N bytes, retrying on EINTR and short writes. False on error
 * (EPIPE when the peer is gone: SIGPIPE is ignored by the programs). */
bool io_write_all(int fd, const void *data, size_t n);

/* Passes FD over the Unix socket SOCK (SCM_RIGHTS) with the N bytes of
 * DATA (at least one). False on error. */
bool io_send_fd(int sock, int fd, const void *data, size_t n);

/* Receives up to N bytes into BUF and the fd passed with them (close-on-exec).
 * Returns the fd, or -1 when the peer closed or failed (*GOT is then 0 or
 * -1), or -2 when bytes came without an fd. *GOT: the bytes received. */
int io_recv_fd(int sock, void *buf, size_t n, ssize_t *got);

#endif
