/* New processes made by a debuggee: fork, vfork, and clone without
 * CLONE_THREAD.
 *
 * When the client asked for fork or vfork events, the child becomes a
 * process of the session, stopped and traced, with our breakpoints still in
 * its memory (a fork copied them; a vfork child shares the parent's), so
 * that the client can keep it or take the breakpoints out and detach it.
 * Otherwise, and always for clone()d processes (which the client has no
 * event for), the child is let go at once. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "target/target.h"

struct process *process_breakpoint_owner(struct process *p)
{
    while (p->vfork_parent)   /* a vfork child's vfork child shares it too */
        p = p->vfork_parent;
    return p;
}

/* Puts the original bytes back where PARENT's breakpoints are in CHILD's
 * own copy of memory (not in a copy it shares: that is the parent's), then
 * detaches it. CHILD is stopped and traced. */
static void restore_and_detach(struct process *parent, pid_t child)
{
    bool shared = syscall(SYS_kcmp, parent->pid, child, KCMP_VM, 0, 0) == 0;
    if (!shared) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", (int)child);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            log_warn("cannot open %s: %s", path, strerror(errno));
        for (struct sw_breakpoint *bp = parent->breakpoints; fd >= 0 && bp; bp = bp->next)
            if (pwrite(fd, &bp->saved, 1, (off_t)bp->addr) != 1)
                log_debug("cannot restore %#llx in child %d", (unsigned long long)bp->addr, (int)child);
        if (fd >= 0)
            close(fd);
    }
    if (ptrace(PTRACE_DETACH, child, NULL, NULL) != 0)
        log_debug("PTRACE_DETACH %d: %s", (int)child, strerror(errno));
}

void fork_release_child(struct target *t, struct process *parent, pid_t child)
{
    int status;
    if (child <= 0 || !target_first_stop(t, child, &status) || !WIFSTOPPED(status))
        return;
    restore_and_detach(parent, child);
    log_info("process %d started process %d (not followed: let go)", (int)parent->pid, (int)child);
}

/* The child's memory is a copy of the parent's, int3s included: its list
 * must say so, for the client to remove them (or hit them). */
static bool copy_breakpoints(struct process *child, const struct process *parent)
{
    for (const struct sw_breakpoint *bp = parent->breakpoints; bp; bp = bp->next) {
        struct sw_breakpoint *c = calloc(1, sizeof *c);
        if (!c)
            return false;
        c->addr = bp->addr;
        c->saved = bp->saved;
        c->next = child->breakpoints;
        child->breakpoints = c;
    }
    return true;
}

struct process *fork_adopt_child(struct target *t, struct process *parent, pid_t child, bool vfork)
{
    int status;
    if (child <= 0)
        return NULL;
    if (!target_first_stop(t, child, &status) || !WIFSTOPPED(status)) {
        log_warn("process %d forked %d, which is gone before its first stop", (int)parent->pid, (int)child);
        return NULL;
    }
    /* A child of a launched process is launched (it has PTRACE_O_EXITKILL
     * from its parent, and is killed at the end); of an attached one,
     * attached (detached at the end). */
    struct process *c = target_add_process(t, child, parent->attached);
    struct thread *th = c ? thread_add(c, child) : NULL;
    if (!th || !process_open_memory(c) || (!vfork && !copy_breakpoints(c, parent))) {
        if (c)
            target_free_process(t, c);
        restore_and_detach(parent, child);
        log_warn("cannot follow process %d (forked by %d): let go", (int)child, (int)parent->pid);
        return NULL;
    }
    c->fork_parent = parent->pid;
    c->unreported = true;
    c->catch_syscalls = parent->catch_syscalls;
    if (vfork)
        c->vfork_parent = parent;
    th->last = (struct stop_event){.kind = STOP_SIGNAL, .signo = 0};
    if (WSTOPSIG(status) != SIGSTOP) {
        /* Something came before its initial SIGSTOP, still queued. */
        th->sigstop_expected = true;
        th->has_pending = true;
        th->pending = (struct stop_event){.kind = STOP_SIGNAL, .signo = WSTOPSIG(status)};
        th->pending_seq = ++t->event_seq;
    }
    log_info("process %d %s process %d (followed)", (int)parent->pid, vfork ? "vforked" : "forked", (int)child);
    return c;
}

void fork_vfork_done(struct target *t, struct process *p)
{
    for (struct process *q = t->processes; q; q = q->next)
        if (q->vfork_parent == p)
            q->vfork_parent = NULL;
}
