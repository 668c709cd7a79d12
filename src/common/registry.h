/* The machine's registry of process servers, which searches (dbg -QR) read.
 *
 * Each visible server writes one file, RUNTIME/servers/PID.srv (see
 * runtime_dir.h), and holds an exclusive flock on it for its whole life.
 * The lock is what "alive" means: a file nobody holds a lock on belongs to a
 * server that died without cleaning up, whatever its PID is now used for.
 * Entries hold only what a client needs to connect: never a password, a
 * certificate path or a bind address beyond the one clients must reach. */
#ifndef DBGSRV_REGISTRY_H
#define DBGSRV_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct registry_entry {
    pid_t pid;
    char transport[160];   /* what clients connect to: "tcp:port=2159" */
    char reach[64];        /* where: the bound address, or "local" (pipes, lines) */
    bool stale;            /* its server is gone, and the file could not be removed */
};

/* A server's own entry while it runs. */
struct registry_handle {
    int fd;                /* -1: not registered */
    char path[160];
};

/* Writes E atomically as this process's entry and locks it. On failure
 * returns false with ERR (the server runs on, unlisted). */
bool registry_add(struct registry_handle *h, const struct registry_entry *e, char *err, size_t errlen);

/* Removes the entry (the server is ending). */
void registry_remove(struct registry_handle *h);

/* In a forked child: lets go of the inherited descriptor, leaving the entry
 * and its lock to the server. */
void registry_close_inherited(struct registry_handle *h);

/* The registry directories a search of this machine reads: the caller's own
 * and, unless $DBGSRV_RUNTIME_DIR chose one, root's. Returns how many (<= 2). */
size_t registry_dirs(char dirs[][160], size_t max);

/* Reads the entries of directory DIR into OUT (at most MAX), removing the
 * entries of dead servers where it may and marking the others stale.
 * Returns how many were stored. */
size_t registry_read(const char *dir, struct registry_entry *out, size_t max);

/* Parses the text of an entry file. False if it is not one. */
bool registry_parse(const char *text, struct registry_entry *e);

/* Formats E as an entry file's text into OUT. False if it does not fit. */
bool registry_format(const struct registry_entry *e, char *out, size_t len);

#endif
