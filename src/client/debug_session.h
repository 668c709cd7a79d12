/* dbg -premote TRANSPORT ...: a session with a process server at dbg's
 * command prompt (cdb's smart-client command line: -p, -pn, -pb, -cimp,
 * -c). */
#ifndef DBG_DEBUG_SESSION_H
#define DBG_DEBUG_SESSION_H

/* ARGV holds every argument after "dbg". Returns the exit status. */
int debug_session_main(int argc, char **argv);

#endif
