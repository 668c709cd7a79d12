/* Thread ids of the remote protocol: "pPID.TID" in multiprocess form, or a
 * bare "TID"; -1 means all, 0 means any. */
#ifndef DBGSRV_THREAD_ID_H
#define DBGSRV_THREAD_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ptid {
    int64_t pid;   /* -1 all, 0 any (or not given) */
    int64_t tid;   /* -1 all, 0 any */
};

#define PTID_ALL ((struct ptid){-1, -1})
#define PTID_ANY ((struct ptid){0, 0})

/* Parses a thread id at *P and advances *P past it. "pPID" alone means every
 * thread of PID. Returns false on malformed input. */
bool ptid_parse(const char **p, struct ptid *out);

/* lldb's thread suffix (after QThreadSuffixSupported): ";thread:ID;" at the
 * end of a register packet names the thread instead of Hg. Looks for it in
 * the LEN bytes of ARGS: returns 1 with *OUT set and *LEN cut to what comes
 * before it, 0 if there is none, -1 if it is malformed. */
int ptid_strip_suffix(const char *args, size_t *len, struct ptid *out);

/* Formats a thread id for a reply: "pPID.TID" if MULTIPROCESS, else "TID". */
size_t ptid_format(char *out, size_t len, int64_t pid, int64_t tid, bool multiprocess);

/* True if the thread TID of process PID is among those PTID names. */
bool ptid_matches(struct ptid ptid, int64_t pid, int64_t tid);

#endif
