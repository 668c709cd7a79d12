/* The processes of the target machine, read from /proc: what gdb's
 * "info os processes" and dbg's .tlist show. Reading only: nothing here
 * signals or traces a process. */
#ifndef DBGSRV_PROC_LIST_H
#define DBGSRV_PROC_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_info {
    pid_t pid;
    char user[33];        /* the owner's name, or its uid in decimal */
    char *command;        /* the command line, arguments joined by spaces;
                             "[comm]" for a process without one (kernel threads) */
    int core;             /* the CPU it last ran on, -1 if unknown */
};

/* Fills *OUT with every process that is still there when its /proc entry
 * is read (a process that ends meanwhile is skipped), in pid order.
 * Returns false only if /proc cannot be read at all. */
bool proc_list_read(struct proc_info **out, size_t *n);
void proc_list_free(struct proc_info *list, size_t n);

#endif
