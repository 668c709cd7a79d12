/* What /proc says about any process of the machine: ids, owner, program.
 * Read-only: nothing here signals or traces, so a pid from a packet may be
 * looked up without belonging to the session (lldb's process listings). */
#ifndef DBGSRV_PROC_INFO_H
#define DBGSRV_PROC_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_info {
    pid_t pid;
    pid_t ppid;
    uid_t uid, euid;
    gid_t gid, egid;
    char path[512];     /* the executable (or the command name in brackets
                           when the executable cannot be read) */
    const char *name;   /* the last part of path */
    char args[1024];    /* the command line, arguments separated by NULs */
    size_t args_len;
};

/* Reads what /proc has on PID (> 0). False if there is no such process. */
bool proc_info_read(pid_t pid, struct proc_info *out);

/* Calls FN for each process of the machine, in /proc order, until FN
 * returns false. */
void proc_info_each(bool (*fn)(const struct proc_info *info, void *ctx), void *ctx);

/* A thread's name (its comm; "" if gone) and the CPU it last ran on (-1
 * if unknown), from /proc/PID/task/TID/stat. */
void proc_info_read_task(pid_t pid, pid_t tid, char *name, size_t namelen, int *core);

/* The state letter of thread TID of PID in /proc ('t': stopped by ptrace,
 * 'Z': a zombie), or 0 when the thread is gone. */
char proc_info_task_state(pid_t pid, pid_t tid);

/* PID's command line with spaces between the arguments, or its bracketed
 * name when it has none (kernel threads), into OUT. */
void proc_info_command(const struct proc_info *pi, char *out, size_t outlen);

#endif
