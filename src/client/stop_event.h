/* What a process server's stop reply says (T, S, W, X, N), as the smart
 * client needs it. A pure parser of the server's bytes. */
#ifndef DBG_STOP_EVENT_H
#define DBG_STOP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum stop_kind {
    STOP_SIGNAL,      /* T/S: a thread stopped with a signal */
    STOP_EXITED,      /* W: the process exited with a status */
    STOP_KILLED,      /* X: the process was ended by a signal */
    STOP_NO_RESUMED,  /* N: nothing is left running */
};

struct stop_event {
    enum stop_kind kind;
    int code;         /* signal number (GDB's numbering) or exit status */
    pid_t pid;        /* 0 if the reply does not say */
    pid_t tid;        /* T only; 0 if not said */
    bool breakpoint;  /* T with swbreak: */
};

/* Parses REPLY (LEN bytes); false if it is not a well-formed stop reply. */
bool stop_event_parse(const char *reply, size_t len, struct stop_event *ev);

/* The name of a GDB signal number ("SIGSEGV"), or NULL if unknown. */
const char *stop_signal_name(int gdb_signal);

#endif
