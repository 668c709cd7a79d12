/* RSP packet handlers, grouped by concern (one file each). Each gets the
 * packet's arguments (after its name) and builds the reply in the session. */
#ifndef DBGSRV_HANDLERS_H
#define DBGSRV_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* xfer.c: the qXfer helpers shared by every object: splits "ANNEX:OFFSET,LENGTH"
 * (replying with an error if malformed), and replies with the window
 * OFF/WANT of an object of TOTAL bytes ("m" if more follows, "l" if not). */
bool xfer_parse_request(struct session *s, const char *args, char *annex, size_t annex_len, uint64_t *off,
                        uint64_t *want);
void xfer_reply_window(struct session *s, const void *data, size_t total, uint64_t off, uint64_t want);
/* A generated document (XML) under KEY (object and annex): MAKE writes it
 * into F, or replies with an error and returns false. */
void xfer_reply_document(struct session *s, const char *key, uint64_t off, uint64_t want,
                         bool (*make)(struct session *s, FILE *f, void *ctx), void *ctx);
/* TEXT with XML's special characters as entities (control bytes as spaces). */
void xml_put_escaped(FILE *f, const char *text);

/* hostio.c: vFile (files on the target machine) */
HANDLER(handle_vFile_setfs);
HANDLER(handle_vFile_open);
HANDLER(handle_vFile_close);
HANDLER(handle_vFile_pread);
HANDLER(handle_vFile_pwrite);
HANDLER(handle_vFile_fstat);
HANDLER(handle_vFile_unlink);
HANDLER(handle_vFile_readlink);
HANDLER(handle_vFile_size);
HANDLER(handle_vFile_mode);
HANDLER(handle_vFile_exists);

/* libraries.c: qXfer:libraries-svr4:read */
HANDLER(handle_qXfer_libraries_svr4);

/* signals.c: QPassSignals, QProgramSignals */
HANDLER(handle_QPassSignals);
HANDLER(handle_QProgramSignals);
HANDLER(handle_qXfer_siginfo_read);
HANDLER(handle_qXfer_siginfo_write);

/* lldb_platform.c: lldb's platform mode */
HANDLER(handle_qLaunchGDBServer);
HANDLER(handle_qKillSpawnedProcess);
HANDLER(handle_qPlatform_mkdir);
HANDLER(handle_qPlatform_chmod);

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

/* non_stop.c: non-stop mode and thread events */
HANDLER(handle_QNonStop);
HANDLER(handle_vStopped);
HANDLER(handle_vCtrlC);
HANDLER(handle_QThreadEvents);
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
HANDLER(handle_qXfer_threads);
HANDLER(handle_qGetTLSAddr);

/* registers.c */
HANDLER(handle_read_registers);
HANDLER(handle_write_registers);
HANDLER(handle_read_register);
HANDLER(handle_write_register);

/* memory.c */
HANDLER(handle_read_memory);
HANDLER(handle_write_memory);
HANDLER(handle_write_memory_binary);
HANDLER(handle_read_memory_binary);

/* breakpoints.c */
HANDLER(handle_insert_breakpoint);
HANDLER(handle_remove_breakpoint);
/* Z1/Z2/Z4 and z: the debug registers. Z3 (read watchpoints) stays
 * unsupported: x86 cannot watch reads alone, and gdb then emulates them
 * with access watchpoints. */
HANDLER(handle_insert_hw_break);
HANDLER(handle_remove_hw_break);
HANDLER(handle_insert_write_watch);
HANDLER(handle_remove_write_watch);
HANDLER(handle_insert_access_watch);
HANDLER(handle_remove_access_watch);

/* catch_syscalls.c: QCatchSyscalls (gdb's catch syscall) */
HANDLER(handle_QCatchSyscalls);

/* lldb_setup.c: lldb's set-up packets, qEcho, qThreadStopInfo, jThreadsInfo */
HANDLER(handle_QThreadSuffixSupported);
HANDLER(handle_QListThreadsInStopReply);
HANDLER(handle_QEnableErrorStrings);
HANDLER(handle_qEcho);
HANDLER(handle_qThreadStopInfo);
HANDLER(handle_jThreadsInfo);

/* host_info.c */
HANDLER(handle_qHostInfo);

/* launch_settings.c: how vRun starts programs (lldb's QSet... packets) */
HANDLER(handle_QSetSTDIN);
HANDLER(handle_QSetSTDOUT);
HANDLER(handle_QSetSTDERR);
HANDLER(handle_QSetWorkingDir);
HANDLER(handle_qGetWorkingDir);
HANDLER(handle_QSetDisableASLR);
HANDLER(handle_QEnvironment);
HANDLER(handle_QEnvironmentHexEncoded);
HANDLER(handle_QEnvironmentUnset);
HANDLER(handle_QEnvironmentReset);
HANDLER(handle_QDisableRandomization);
HANDLER(handle_QStartupWithShell);
HANDLER(handle_QLaunchArch);
HANDLER(handle_qLaunchSuccess);

/* process_info.c: lldb's process queries (read /proc only) */
HANDLER(handle_qProcessInfo);
HANDLER(handle_qProcessInfoPID);
HANDLER(handle_qfProcessInfo);
HANDLER(handle_qsProcessInfo);

#endif
