/* Serving one channel of a shared serial line (com:port=DEV,channel=N):
 * the line belongs to the device's line multiplexer (transport/linemux.h),
 * which this server joins, starting it if it is the first. Each session
 * the far side opens on the channel arrives as a socket and runs in its own
 * process, one at a time per channel, as on a plain com: line. */
#ifndef DBGSRV_SERIAL_CHANNEL_H
#define DBGSRV_SERIAL_CHANNEL_H

#include "session.h"
#include "transport_spec.h"

/* Serves until SIGTERM/SIGINT (its sessions are then ended by the
 * session-end rules) or until the line cannot be had; returns the exit
 * status. */
int serial_channel_run(const struct transport_spec *spec, const struct session_config *config);

#endif
