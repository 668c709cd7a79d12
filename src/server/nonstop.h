/* Non-stop mode (QNonStop:1): each thread stops and runs on its own, and
 * stops reach the client as asynchronous "%Stop:" notifications, one at a
 * time, the rest handed out by vStopped. */
#ifndef DBGSRV_NONSTOP_H
#define DBGSRV_NONSTOP_H

#include <stdbool.h>
#include <sys/types.h>

struct session;
struct thread;

/* A stop reply waiting for the client (non-stop mode). */
struct stop_note {
    char *text;
    pid_t tid;       /* the thread it reports (0: a process or thread exit) */
    pid_t child;     /* a fork or vfork event's new process (0: none) */
    struct stop_note *next;
};

/* Takes every event that is ready (thread stops, process exits, thread
 * exits for QThreadEvents) into the queue of notifications. */
void nonstop_collect_events(struct session *s);
/* Whether thread TH has a stop in the queue the client has not taken
 * with vStopped yet, or is the new process of such a fork event: gdb
 * has not seen that stop, and a resume of "all threads" must leave TH
 * stopped (as gdbserver does), or its stop would come for a running
 * thread and the fork child would run before gdb can detach it. */
bool nonstop_stop_queued(const struct session *s, const struct thread *th);
/* Sends the queue's head as "%Stop:..." unless one is outstanding. */
void nonstop_notify(struct session *s);
/* Starts the threads marked resumed that are stopped (after vCont). */
void nonstop_start_resumed(struct session *s);
/* vStopped: the head was received; replies with the next one, or OK. */
void nonstop_reply_vstopped(struct session *s);
/* '?': every stopped thread, the first as the reply, the rest queued. */
void nonstop_reply_status(struct session *s);
/* Forgets every queued notification (leaving non-stop mode, '?'). */
void nonstop_clear_queue(struct session *s);

#endif
