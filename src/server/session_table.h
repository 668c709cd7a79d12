/* The table of a server's sessions, for "monitor sessions": who is
 * connected, how they authenticated, what they debug, since when.
 *
 * Sessions are separate processes, so the table is a small shared mapping
 * that the listener creates before forking. The listener claims and frees
 * slots; each session writes only its own slot. A sequence counter (odd
 * while a slot is being written) lets readers skip a half-written slot
 * instead of locking. */
#ifndef DBGSRV_SESSION_TABLE_H
#define DBGSRV_SESSION_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define SESSION_TABLE_SLOTS 128
#define SESSION_TABLE_DEBUGGEES 8

struct session_info {
    pid_t pid;                     /* the session process; 0: free slot */
    int id;
    time_t since;
    char peer[96];
    char auth[96];                 /* "none", "password", "TLS1.3 ..." */
    int ndebuggees;                /* may exceed SESSION_TABLE_DEBUGGEES */
    pid_t debuggees[SESSION_TABLE_DEBUGGEES];
    bool attached[SESSION_TABLE_DEBUGGEES];
};

struct session_table;

/* A table shared with the children forked after it (NULL if none could be
 * mapped: sessions then only know themselves). */
struct session_table *session_table_create(void);

/* Claims a slot for session ID from PEER; returns its index or -1 if full. */
int session_table_claim(struct session_table *t, int id, const char *peer);

/* The listener, after forking: the session's process. */
void session_table_set_pid(struct session_table *t, int slot, pid_t pid);

/* The listener, once the session process has been reaped. */
void session_table_free(struct session_table *t, int slot);

/* The session itself: who its client is (when it learns it late), how it
 * authenticated, and its debuggees. */
void session_table_set_peer(struct session_table *t, int slot, const char *peer);
void session_table_set_auth(struct session_table *t, int slot, const char *auth);
void session_table_set_debuggees(struct session_table *t, int slot, const pid_t *pids, const bool *attached,
                                 int n);

/* A consistent copy of every used slot, in id order; returns how many. */
size_t session_table_snapshot(struct session_table *t, struct session_info *out, size_t max);

#endif
