/* The line multiplexer of com:port=DEVICE,channel=N: several sessions on
 * one serial line, each on its own channel (frames: serial_mux.h).
 *
 * Two processes reading one tty steal each other's bytes, so on each side
 * of the line one process owns the device: the multiplexer. It is forked by
 * the first dbgsrv or dbg that needs the line, and serves channels to the
 * local processes over a Unix socket in the runtime directory named after
 * the device ("linemux-dev_ttyS0"); a lock file beside it says that a
 * multiplexer runs, so that two starting at once cannot both own the line.
 * It ends when its last local user has gone.
 *
 * On the socket, a process asks with one line and gets one line back:
 *   "SERVE N\n" -> "OK\n": this process serves channel N (dbgsrv). Each
 *                 session the far side opens arrives as one byte carrying
 *                 a stream socket (SCM_RIGHTS) for that session's bytes.
 *   "OPEN N\n"  -> "OK\n": the far side accepted; from now on the same
 *                 connection carries the session's bytes (dbg bridge).
 *   either      -> "ERR message\n" and the connection is closed.
 * A session ends when either end closes its socket (a CLOSE frame tells
 * the far side) or the line hangs up. One session at a time per channel. */
#ifndef DBGSRV_TRANSPORT_LINEMUX_H
#define DBGSRV_TRANSPORT_LINEMUX_H

#include <stdbool.h>
#include <stddef.h>

/* How long a client waits for the far side to answer an OPEN. */
#define LINEMUX_OPEN_TIMEOUT_MS 5000

/* The socket path of DEVICE's multiplexer (LEN at least 108); false with
 * ERR if the runtime directory's name is too long. */
bool linemux_socket_path(const char *device, char *out, size_t len, char *err, size_t errlen);

/* The multiplexer process, forked by linemux_join: owns DEVICE at BAUD and
 * tells its starter on READY_FD "OK", "BUSY" (another one runs) or
 * "ERR message". Never returns. */
void linemux_main(const char *device, unsigned baud, int ready_fd) __attribute__((noreturn));

/* The client side: opens CHANNEL of DEVICE (starting the multiplexer if
 * none runs). Returns a stream fd carrying the session's bytes, or -1 with
 * ERR, e.g. "no process server on channel 7 of /dev/pts/3". */
int linemux_open(const char *device, unsigned baud, int channel, char *err, size_t errlen);

/* The server side: becomes the process server of CHANNEL of DEVICE.
 * Returns the fd to poll for sessions (linemux_take_session), or -1 with
 * ERR (the device cannot be opened, the channel is served already). */
int linemux_serve(const char *device, unsigned baud, int channel, char *err, size_t errlen);

/* Reads the next session from SERVE_FD (readable). Returns its stream fd;
 * -1 when the multiplexer has gone (the line hung up); -2 for a message
 * without a socket (logged; go on waiting). */
int linemux_take_session(int serve_fd);

#endif
