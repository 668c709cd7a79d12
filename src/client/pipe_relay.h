/* dbg pipe-relay NAME: joins this process's stdin/stdout to the local pipe
 * NAME. It is what npipe:server=HOST runs on HOST through ssh; the dbg on
 * the engineer's machine does the handshake through it. */
#ifndef DBG_PIPE_RELAY_H
#define DBG_PIPE_RELAY_H

int pipe_relay(const char *name);

#endif
