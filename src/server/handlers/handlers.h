/* RSP packet handlers, grouped by concern (one file each). Each gets the
 * packet's arguments (after its name) and builds the reply in the session. */
#ifndef DBGSRV_HANDLERS_H
#define DBGSRV_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct session;

#define HANDLER(name) void name(struct session *s, const char *args, size_t len)

/* handshake.c: dbg's version check and password authentication */
HANDLER(handle_hello);
HANDLER(handle_auth);

/* monitor.c: gdb's "monitor" commands */
HANDLER(handle_monitor);

/* query.c: connection set-up and general queries */
HANDLER(handle_qSupported);
HANDLER(handle_QStartNoAckMode);
HANDLER(handle_extended_mode);
HANDLER(handle_qXfer_features);
HANDLER(handle_qXfer_auxv);
HANDLER(handle_qXfer_exec_file);
HANDLER(handle_qSymbol);
HANDLER(handle_qAttached);
/* The qXfer helpers shared by every object: splits "ANNEX:OFFSET,LENGTH"
 * (replying with an error if malformed), and replies with the window
 * OFF/WANT of an object of TOTAL bytes ("m" if more follows, "l" if not). */
bool xfer_parse_request(struct session *s, const char *args, char *annex, size_t annex_len, uint64_t *off,
                        uint64_t *want);
void xfer_reply_window(struct session *s, const void *data, size_t total, uint64_t off, uint64_t want);

/* osdata.c: qXfer:osdata:read (gdb's "info os") */
HANDLER(handle_qXfer_osdata);

/* process_control.c: vRun, vAttach, vKill, D, k, ? */
HANDLER(handle_vRun);
HANDLER(handle_vAttach);
HANDLER(handle_vKill);
HANDLER(handle_detach);
HANDLER(handle_kill);
HANDLER(handle_restart);
/* What 'R' runs again: a copy of ARGV (NULL-terminated). */
void session_remember_run(struct session *s, char *const *argv);
HANDLER(handle_status_query);

/* run_control.c: vCont and the legacy c/C/s/S */
HANDLER(handle_vCont_query);
HANDLER(handle_vCont);
HANDLER(handle_continue);
HANDLER(handle_continue_signal);
HANDLER(handle_step);
HANDLER(handle_step_signal);

/* threads.c */
HANDLER(handle_set_thread);
HANDLER(handle_thread_alive);
HANDLER(handle_qC);
HANDLER(handle_qfThreadInfo);
HANDLER(handle_qsThreadInfo);

/* registers.c */
HANDLER(handle_read_registers);
HANDLER(handle_write_registers);
HANDLER(handle_read_register);
HANDLER(handle_write_register);

/* memory.c */
HANDLER(handle_read_memory);
HANDLER(handle_write_memory);
HANDLER(handle_write_memory_binary);

/* breakpoints.c */
HANDLER(handle_insert_breakpoint);
HANDLER(handle_remove_breakpoint);

#endif
