/* Reverse connection (clicon=): instead of listening, the server connects
 * out to a client that listens (dbg bridge with clicon=), retrying until the
 * client is there, and serves that one client. Useful where the target can
 * reach the engineer's machine but not the other way round. */
#ifndef DBGSRV_REVERSE_H
#define DBGSRV_REVERSE_H

#include "session.h"
#include "transport_spec.h"

/* Connects to SPEC->clicon and runs the session; returns only on failure or
 * when stopped by a signal before connecting (the exit status). */
int reverse_run(const struct transport_spec *spec, const struct session_config *config);

#endif
