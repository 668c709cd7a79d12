/* Running with gdbserver's command line (gdbserver_cli.h): the program is
 * created (or attached to) before the first client comes, gdbserver's
 * messages go to stderr, and the server ends with that first session
 * unless --multi. Concurrent clients still get sessions of their own
 * (gdbserver would make them queue), except with --once. */
#ifndef DBGSRV_GDBSERVER_MODE_H
#define DBGSRV_GDBSERVER_MODE_H

#include "gdbserver_cli.h"

/* Runs the server; returns its exit status. */
int gdbserver_mode_run(struct gdbserver_options *o);

#endif
