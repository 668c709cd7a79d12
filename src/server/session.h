/* One client connection: its own process, one event loop over the client
 * socket and the debuggees' state changes, and the state of the remote
 * protocol conversation. */
#ifndef DBGSRV_SESSION_H
#define DBGSRV_SESSION_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "hostio.h"
#include "nonstop.h"
#include "rsp/packet.h"
#include "session_table.h"
#include "target/target.h"
#include "thread_id.h"

struct buffer {
    char *data;
    size_t len;
    size_t cap;
};

/* What the listener tells a new session. */
struct session_config {
    unsigned flags;           /* SESSION_* */
    const char *password;     /* NULL: no authentication */
    unsigned auth_delay_ms;   /* extra delay after a failure (repeat offenders) */
    char *const *implicit;    /* -pc: what "run" with no program starts (NULL: none) */
    pid_t server_pid;         /* to signal for "monitor endpsrv"; 0: the session is the server */
    bool no_remote_end;       /* --no-remote-end */
    struct session_table *table;   /* the server's sessions (NULL: make our own) */
    int slot;                 /* ours in it */
    const char *secured;      /* how the transport was secured ("" if not) */
    const struct launch_options *launch;   /* how programs start (NULL: directly) */
    unsigned disabled;        /* gdbserver's --disable-packet: DISABLE_* */
    unsigned platform_port;   /* the plain tcp port lldb's platform mode may open
                                 debug connections on (0: none, see lldb_platform.c) */
};

/* Exit status of a session process whose client failed to authenticate. */
#define SESSION_EXIT_AUTH_FAILED 77

struct session {
    int in_fd;                /* from the client */
    int out_fd;               /* to the client (the same fd for a socket) */
    char peer[80];
    int id;
    struct rsp_decoder decoder;
    bool ack_mode;            /* until QStartNoAckMode */
    bool extended;            /* '!' received: stay when processes end */
    bool ending;
    struct session_config config;
    char published_auth[96];  /* what the session table last got */
    bool authenticated;       /* or no password needed */
    bool auth_failed;
    bool nonce_sent;
    uint8_t server_nonce[32];
    /* What the client said it supports in qSupported. */
    bool client_multiprocess;
    bool client_swbreak;
    bool client_hwbreak;
    bool client_binary_upload;   /* gdb's 'x' dialect, said in qSupported */
    bool client_no_resumed;
    /* lldb's extensions, each switched on by its own packet. */
    bool client_lldb;         /* sent lldb's set-up packets: it waits for a reply to 'k',
                                 and signal numbers are Linux's */
    bool thread_suffix;       /* QThreadSuffixSupported: register packets name their thread */
    bool threads_in_stop_reply; /* QListThreadsInStopReply: threads: and thread-pcs: */
    bool error_strings;       /* QEnableErrorStrings: errors as "Enn;HEX-MESSAGE" */
    char *launch_error;       /* why the last vRun failed, for qLaunchSuccess (NULL: it worked) */
    pid_t *proc_list;         /* qfProcessInfo's matches, handed out by qsProcessInfo */
    size_t proc_list_len;
    size_t proc_list_next;
    struct buffer reply;      /* payload of the reply being built */
    bool no_reply;            /* the handler owes no reply now */
    struct buffer last_sent;  /* last framed packet, resent on '-' */
    struct ptid general;      /* Hg: thread for registers and memory */
    struct ptid cont;         /* Hc: thread for legacy c/s */
    pid_t last_stop_tid;      /* thread of the last stop reply */
    char *last_program;       /* for vRun with no file name */
    struct hostio hostio;     /* vFile: open files, chosen filesystem */
    struct buffer xfer_doc;   /* the generated qXfer document being read */
    char xfer_key[96];        /* ... which one (object and annex) */
    char **last_run;          /* the last program run and its arguments (for 'R') */
    struct target target;
    /* Non-stop mode (nonstop.c): stop replies not yet taken by the client,
     * and whether the head has been sent (notification or vStopped reply). */
    struct stop_note *stop_queue;
    bool stop_notified;
};

/* Session flags. */
enum {
    /* The protocol runs on the server's own stdin/stdout: launched
     * programs must not read or write them (their output goes to stderr). */
    SESSION_ON_STDIO = 1,
    /* Print gdbserver's messages on stderr ("Child exited with status N",
     * "Detaching from process N") for tools that wait for them. */
    SESSION_GDBSERVER_MESSAGES = 2,
    /* A serial line, which may lose or damage bytes: acknowledgements
     * stay on (no QStartNoAckMode), as gdbserver keeps them on lines it
     * does not call reliable, so that gdb resends what was lost. */
    SESSION_UNRELIABLE_LINE = 4,
};

/* Runs the session on the connection IN_FD/OUT_FD until the client goes away or the
 * session is told to end; then applies the session-end rules. Never returns:
 * the session process exits. */
void session_run(int in_fd, int out_fd, const char *peer, int id, const struct session_config *config)
    __attribute__((noreturn));

/* session_run in two steps, for a session that has a debuggee before its
 * client connects (gdbserver's "dbgsrv COMM PROG"): create it (then launch
 * or attach through s->target), and serve it once the connection is there
 * (PEER: who connected). session_serve never returns. */
struct session *session_create(const char *peer, int id, const struct session_config *config);
void session_serve(struct session *s, int in_fd, int out_fd, const char *peer) __attribute__((noreturn));
/* Frees a session that was created but will not be served (its debuggee
 * could not be made; it has no process). */
void session_free(struct session *s);

/* Sends console output to the client now (an "O" packet), e.g. for monitor
 * commands, before the command's final reply. */
void session_output(struct session *s, const char *text);

/* Sends an asynchronous notification "%NAME:TEXT" (non-stop mode). */
void session_send_notification(struct session *s, const char *name, const char *text);

/* True once the client may use the debugging packets. */
bool session_authenticated(const struct session *s);

/* --- building replies (used by the packet handlers) --- */
void reply_str(struct session *s, const char *text);
void reply_append(struct session *s, const void *data, size_t n);
void reply_printf(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_hex(struct session *s, const uint8_t *data, size_t n);
/* "E.message": an error the client can show; logged at debug level. */
void reply_error(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Enn": for the packets whose error reply must be two hex digits. */
void reply_errno(struct session *s, int code);

/* Signal numbers on the wire: gdb's own numbering, or for lldb (which reads
 * them as the Linux numbers, lldb-server's "native-signals") the host's.
 * from_client returns 0 for a number with no host signal. */
int session_signal_to_client(const struct session *s, int host_signo);
int session_signal_from_client(const struct session *s, int number);

/* The thread that Hg selected, or a sensible default; NULL if none. */
struct thread *session_general_thread(struct session *s);
struct process *session_general_process(struct session *s);

/* Starts the threads marked 'resumed' (or reports a pending event at once). */
void session_resume(struct session *s);
/* Reports the next event as a stop reply (all threads already stopped). */
void session_report_stop(struct session *s);

#endif
