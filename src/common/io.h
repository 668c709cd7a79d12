/* Small I/O helpers shared by every program. */
#ifndef DBGSRV_IO_H
#define DBGSRV_IO_H

#include <stdbool.h>
#include <stddef.h>

/* Writes all N bytes, retrying on EINTR and short writes. False on error
 * (EPIPE when the peer is gone: SIGPIPE is ignored by the programs). */
bool io_write_all(int fd, const void *data, size_t n);

#endif
