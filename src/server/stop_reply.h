/* Stop replies: "T" for a stopped thread (with the stop reason and the
 * registers gdb needs first, so that it does not have to ask), "W"/"X" for a
 * process that exited or was killed. */
#ifndef DBGSRV_STOP_REPLY_H
#define DBGSRV_STOP_REPLY_H

#include "session.h"

void stop_reply_thread(struct session *s, struct thread *th, const struct stop_event *ev);
void stop_reply_exit(struct session *s, const struct process *p);
/* The signal number (the client's numbering) a stop reply gives EV. */
int stop_reply_signal(const struct session *s, const struct stop_event *ev);

#endif
