/* The smart client's side of one session with a process server: the RSP
 * conversation, the debuggees of the session (which ones it launched and
 * which it attached, for the session-end rules), and the current process
 * and thread. Everything the session commands do goes through here. */
#ifndef DBG_REMOTE_H
#define DBG_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "process_list.h"
#include "rsp_client.h"
#include "stop_event.h"

#define REMOTE_MAX_DEBUGGEES 64

struct debuggee {
    pid_t pid;
    bool launched;           /* created by this session (else attached) */
};

struct remote {
    struct rsp_client rsp;
    bool closed;             /* the server ended the connection */
    struct debuggee debuggees[REMOTE_MAX_DEBUGGEES];
    size_t ndebuggees;
    pid_t pid, tid;          /* current process and thread (0: none) */
    char console[256];       /* the start of the console output the last
                                request brought (also printed) */
};

/* Takes over FD (connected and past the handshake) and sets up the
 * session: extended mode, multiprocess. False with ERR. */
bool remote_open(struct remote *r, int fd, char *err, size_t errlen);
void remote_close(struct remote *r);

/* Sends PAYLOAD and waits for its reply, printing any console output the
 * server sends first. NULL if the connection failed (r->closed is set). The
 * reply is valid until the next request. */
const char *remote_request(struct remote *r, const char *payload, size_t *len);

/* The message of an "E.message" or "Enn" reply, into ERR; false if the
 * reply is not an error. */
bool remote_reply_error(const char *reply, char *err, size_t errlen);

/* Attaches to PID / starts ARGV (ARGC 0: the server's implicit command
 * line, -pc) / detaches from / kills a debuggee. False with ERR. */
bool remote_attach(struct remote *r, pid_t pid, char *err, size_t errlen);
bool remote_create(struct remote *r, char *const *argv, size_t argc, pid_t *pid, char *err, size_t errlen);
bool remote_detach(struct remote *r, pid_t pid, char *err, size_t errlen);
bool remote_kill(struct remote *r, pid_t pid, char *err, size_t errlen);

/* Resumes every debuggee and waits for the next event, which it returns in
 * EV (and prints). A SIGINT while waiting interrupts the debuggees. False if
 * the connection failed. */
bool remote_go(struct remote *r, struct stop_event *ev);

/* The index of the current thread in the server's thread list (for the
 * prompt); 0 if unknown. */
int remote_thread_index(struct remote *r);

/* A monitor command (qRcmd); the server's output is printed. */
bool remote_monitor(struct remote *r, const char *command, char *err, size_t errlen);

/* Waits up to TIMEOUT_MS for the server to close the connection (after
 * .endpsrv); true if it did (r->closed is then set, and said). */
bool remote_wait_closed(struct remote *r, int timeout_ms);

/* The target machine's processes (qXfer:osdata:read:processes). */
bool remote_list_processes(struct remote *r, struct process_list *out, char *err, size_t errlen);

struct debuggee *remote_find_debuggee(struct remote *r, pid_t pid);

/* Set by dbg's SIGINT handler; remote_go turns it into an interrupt. */
extern volatile int remote_interrupt_requested;

#endif
