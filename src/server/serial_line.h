/* Serving on a serial line (com:): one session at a time on the line, in
 * its own process as always; when a session ends (the debugger detached, or
 * the line hung up) the line is opened again for the next one. */
#ifndef DBGSRV_SERIAL_LINE_H
#define DBGSRV_SERIAL_LINE_H

#include "session.h"
#include "transport_spec.h"

/* Returns the exit status when stopped (SIGTERM/SIGINT) or on failure. */
int serial_line_run(const struct transport_spec *spec, const struct session_config *config);

#endif
