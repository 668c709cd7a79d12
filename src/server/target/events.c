/* The all-stop state machine.
 *
 * Every thread is either running or stopped under ptrace. When a thread that
 * the client resumed reports something the client must hear about, every
 * other thread is stopped too (SIGSTOP, waited for), and one event is
 * reported. Events that other threads reported while being stopped stay
 * pending and are reported, without resuming anything, the next time the
 * client resumes those threads: this is what makes a breakpoint hit by
 * several threads at once come out as several hits, one per continue.
 *
 * A SIGSTOP we sent may still be queued after its thread stopped for another
 * reason (sigstop_expected); it is swallowed when it arrives. */
#include <errno.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <stddef.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "target/arch.h"
#include "target/proc_info.h"
#include "target/target.h"


bool thread_resume(struct thread *th, bool step, int signo)
{
    arch_regcache_invalidate(th);
    debug_regs_apply(th);
    /* While the client catches system calls, a continue stops at each
     * entry and exit (and those not caught are resumed at once). */
    enum __ptrace_request how = step ? PTRACE_SINGLESTEP
                                     : th->proc->catch_syscalls.on ? PTRACE_SYSCALL : PTRACE_CONT;
    if (ptrace(how, th->tid, NULL, (void *)(long)signo) != 0) {
        log_debug("resume %d: %s", (int)th->tid, strerror(errno));
        return false;
    }
    th->running = true;
    th->resume_step = step;
    th->pass_on_detach = 0;   /* the client has decided about the signal */
    return true;
}

static void record(struct target *t, struct thread *th, enum stop_kind kind, int signo)
{
    th->has_pending = true;
    th->pending = (struct stop_event){.kind = kind, .signo = signo};
    th->pending_seq = ++t->event_seq;
}

/* Threads may be let go after events the client does not see only while a
 * resume is outstanding and we are not stopping everything: an event that
 * comes while the client has everything stopped (a vfork parent whose child
 * is done) leaves its thread stopped. */
static bool may_resume(const struct target *t)
{
    /* In non-stop mode no stop reply is ever owed: threads run on their own. */
    return (t->running || t->non_stop) && !t->stopping;
}

static void resume_again(struct target *t, struct thread *th)
{
    if (may_resume(t))
        thread_resume(th, th->resume_step, 0);
}

static void handle_status(struct target *t, struct thread *th, int status);

static bool take_orphan(struct target *t, pid_t tid, int *status)
{
    for (struct orphan_stop **pp = &t->orphans; *pp; pp = &(*pp)->next)
        if ((*pp)->tid == tid) {
            struct orphan_stop *o = *pp;
            *status = o->status;
            *pp = o->next;
            free(o);
            return true;
        }
    return false;
}

bool target_first_stop(struct target *t, pid_t tid, int *status)
{
    if (take_orphan(t, tid, status))
        return true;
    pid_t r;
    do
        r = waitpid(tid, status, __WALL);
    while (r < 0 && errno == EINTR);
    return r == tid;
}

/* A fork or vfork: the child is followed when the client asked for the
 * event (the parent then reports it), or let go. */
static void handle_fork(struct target *t, struct thread *parent, bool vfork)
{
    unsigned long msg = 0;
    pid_t child = ptrace(PTRACE_GETEVENTMSG, parent->tid, NULL, &msg) == 0 ? (pid_t)msg : 0;
    /* Once resumed, a vfork parent sleeps in the kernel until the child
     * execs or exits, and no SIGSTOP reaches it before that. */
    if (vfork)
        parent->vfork_wait = true;
    if (child <= 0) {
        log_warn("process %d forked, but the new process id is unknown", (int)parent->proc->pid);
        resume_again(t, parent);
        return;
    }
    if (!(vfork ? t->report_vfork : t->report_fork)) {
        fork_release_child(t, parent->proc, child);
        resume_again(t, parent);
        return;
    }
    if (!fork_adopt_child(t, parent->proc, child, vfork)) {
        resume_again(t, parent);
        return;
    }
    record(t, parent, vfork ? STOP_VFORK : STOP_FORK, SIGTRAP);
    parent->pending.child = child;
}

/* The vfork child exec'd or exited: the parent runs again, with its memory
 * its own. */
static void handle_vfork_done(struct target *t, struct thread *th)
{
    th->vfork_wait = false;
    fork_vfork_done(t, th->proc);
    if (t->report_vfork)
        record(t, th, STOP_VFORK_DONE, SIGTRAP);
    else
        resume_again(t, th);
}

/* The kernel's syscall_info ops (linux/ptrace.h, which clashes with
 * sys/ptrace.h): the first byte of the record says which stop this is. */
#define SYSCALL_INFO_ENTRY 1
#define SYSCALL_INFO_EXIT 2

/* A syscall-entry or syscall-exit stop (PTRACE_SYSCALL). Entry and exit
 * alternate per thread; the kernel says which when it can (a step or a
 * stop in between can skip an exit stop). */
static void handle_syscall_stop(struct target *t, struct thread *th)
{
    uint8_t info[128];
    long n = ptrace(PTRACE_GET_SYSCALL_INFO, th->tid, (void *)sizeof info, info);
    bool entry = n > 0 && info[0] == SYSCALL_INFO_ENTRY ? true
               : n > 0 && info[0] == SYSCALL_INFO_EXIT  ? false
                                                        : !th->in_syscall;
    errno = 0;
    long nr = ptrace(PTRACE_PEEKUSER, th->tid, (void *)offsetof(struct user_regs_struct, orig_rax), NULL);
    if (errno)
        nr = entry ? -1 : th->syscall_nr;
    th->in_syscall = entry;
    th->syscall_nr = nr;
    if (!syscall_catch_wants(&th->proc->catch_syscalls, nr)) {
        resume_again(t, th);
        return;
    }
    record(t, th, entry ? STOP_SYSCALL_ENTRY : STOP_SYSCALL_RETURN, SIGTRAP);
    th->pending.syscall_nr = nr;
}

/* After exec the process has a new address space: our breakpoints went with
 * the old one, the memory fd must be reopened, and only the thread that
 * exec'd (now with the process id) remains.
 *
 * When a thread other than the leader execs, Linux gives it the leader's
 * tid, so its stop arrives for the leader (TH here). The thread that goes
 * on is the one that exec'd (the kernel says which it was), with its own
 * state: whether the client resumed it (scheduler-locking resumes only
 * it), a SIGSTOP of ours still queued for it. */
static void handle_exec(struct target *t, struct thread *th)
{
    struct process *p = th->proc;
    unsigned long former = 0;
    if (ptrace(PTRACE_GETEVENTMSG, th->tid, NULL, &former) == 0 && (pid_t)former != th->tid) {
        for (struct thread *o = p->threads; o; o = o->next)
            if (o->tid == (pid_t)former) {
                o->running = false;
                th = o;
                break;
            }
    }
    for (struct thread *o = p->threads, *next; o; o = next) {
        next = o->next;
        if (o != th)
            thread_remove(o);
    }
    th->tid = p->pid;
    /* A vfork child that execs stops sharing its parent's memory. */
    p->vfork_parent = NULL;
    breakpoint_free_all(p);
    debug_regs_reset(p);   /* the kernel cleared the registers too */
    arch_regcache_invalidate(th);
    process_open_memory(p);
    arch_detect_abi(p, th->tid);   /* a 64-bit program may exec a 32-bit one */
    log_info("process %d executed a new program", (int)p->pid);
    record(t, th, t->report_exec ? STOP_EXEC : STOP_SIGNAL, SIGTRAP);
}

/* A thread made by a clone() that its parent single-stepped over starts
 * with the parent's EFLAGS, trap flag included: its first instruction
 * would end in a SIGTRAP nobody asked for (gdb.base/step-over-syscall.exp
 * with a target-side condition on the syscall). */
static bool clear_trap_flag(struct thread *th)
{
    const long tf = 0x100;
    void *at = (void *)offsetof(struct user_regs_struct, eflags);
    errno = 0;
    long flags = ptrace(PTRACE_PEEKUSER, th->tid, at, NULL);
    if (errno)
        return false;
    return !(flags & tf) || ptrace(PTRACE_POKEUSER, th->tid, at, (void *)(flags & ~tf)) == 0;
}

static void handle_clone(struct target *t, struct thread *parent)
{
    unsigned long msg = 0;
    ptrace(PTRACE_GETEVENTMSG, parent->tid, NULL, &msg);
    pid_t tid = (pid_t)msg;
    pid_t tgid = tid > 0 ? process_tgid(tid) : 0;
    if (tid > 0 && tgid != parent->proc->pid &&
        syscall(SYS_kcmp, parent->proc->pid, tid, KCMP_VM, 0, 0) != 0) {
        /* clone() without CLONE_THREAD or CLONE_VM makes a process of its
         * own, which the client has no event for: let go. */
        fork_release_child(t, parent->proc, tid);
        resume_again(t, parent);
        return;
    }
    /* A thread, or a clone() that shares the memory without CLONE_THREAD:
     * gdb (and gdbserver) take that for a thread too, and it runs the
     * process's code with its breakpoints. */
    struct thread *nt = tid > 0 ? thread_add(parent->proc, tid) : NULL;
    if (nt && tgid > 0 && tgid != parent->proc->pid)
        nt->tgid = tgid;
    if (nt && t->non_stop)
        nt->resumed = true;   /* running, as far as the client knows, until reported */
    if (nt) {
        /* A new clone starts with a SIGSTOP of its own; it may already have
         * been seen (as an orphan) or may still be on its way. */
        int status;
        if (!target_first_stop(t, tid, &status) || !WIFSTOPPED(status)) {
            thread_remove(nt);
            nt = NULL;
        } else if ((parent->resume_step || t->stepping_over) && !clear_trap_flag(nt)) {
            log_debug("cannot clear the trap flag of new thread %d", (int)tid);
        }
        if (nt && WSTOPSIG(status) != SIGSTOP) {
            /* Something came first; its initial SIGSTOP is still queued. */
            nt->sigstop_expected = true;
            nt->running = true;   /* let the normal path classify it */
            handle_status(t, nt, status);
        }
        if (nt)
            log_debug("new thread %d in process %d", (int)tid, (int)parent->proc->pid);
        if (nt && t->stepping_over && !nt->has_pending) {
            /* Born during a step-over: runs when its parent does. */
            nt->held = parent->held || parent->resumed;
            nt->resumed = parent->resumed;
        }
    }
    if (may_resume(t)) {
        if (nt && !nt->has_pending && t->non_stop && t->report_thread_events) {
            record(t, nt, STOP_CREATE, SIGTRAP);   /* the client sees it born, stopped */
        } else if (nt && !nt->has_pending && (!parent->resume_step || t->non_stop)) {
            /* All-stop leaves it for the step's stop; non-stop has none. */
            if (!t->non_stop)
                nt->resumed = parent->resumed;
            thread_resume(nt, false, 0);
        }
        resume_again(t, parent);
    }
}

/* A debug register fired (DR6 says which); a single-step may have
 * finished in the same instruction, but the watchpoint is the news. */
static bool record_debug_reg_hit(struct target *t, struct thread *th)
{
    /* DR6 is read only while a debug register is in use: no extra syscall
     * on the SIGTRAPs of breakpoints and steps otherwise. */
    const struct hw_slot *hit = debug_regs_in_use(th->proc) ? debug_regs_hit(th) : NULL;
    if (!hit)
        return false;
    if (hit->type == HW_EXECUTE &&
        !breakpoint_check_hit(t, th, hit->addr, breakpoint_hw_options(th->proc, hit->addr))) {
        /* Not for the client. The kernel set the resume flag (RF) in the
         * thread's EFLAGS for an instruction breakpoint, so the thread
         * runs the instruction without trapping again: nothing to step
         * over, and nothing to remove. */
        resume_again(t, th);
        return true;
    }
    record(t, th, hit->type == HW_EXECUTE ? STOP_HWBREAK : STOP_WATCH, SIGTRAP);
    th->pending.data_addr = hit->addr;
    th->pending.watch_type = hit->type;
    return true;
}

/* A client's single-step (or range step) of TH finished: true if it goes
 * on (the PC is still in the range, and no breakpoint of ours waits at
 * it: that is reported as the step's end, before its int3 runs). */
static bool range_step_goes_on(struct thread *th)
{
    uint64_t pc;
    return th->range_end && arch_get_pc(th, &pc) && pc >= th->range_start &&
           pc < th->range_end && !breakpoint_find(th->proc, pc);
}

static void step_over_and_resume(struct target *t, struct thread *th);

static void handle_sigtrap(struct target *t, struct thread *th)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    ptrace(PTRACE_GETSIGINFO, th->tid, NULL, &si);
    if (record_debug_reg_hit(t, th))
        return;
    if (si.si_code == SI_KERNEL || si.si_code == TRAP_BRKPT) {
        /* int3 leaves the PC after itself; if one of ours is just before,
         * this is a breakpoint hit, and the PC goes back onto it. */
        uint64_t pc;
        struct sw_breakpoint *bp;
        if (arch_get_pc(th, &pc) && (bp = breakpoint_find(process_breakpoint_owner(th->proc), pc - 1))) {
            arch_set_pc(th, pc - 1);
            /* Over the program's own int3 (a permanent breakpoint) there
             * is nothing to step: the client is told, and steps past it
             * itself, whatever the condition says. */
            if (bp->saved == INT3 || breakpoint_check_hit(t, th, bp->addr, &bp->opts)) {
                record(t, th, STOP_SWBREAK, SIGTRAP);
                return;
            }
            /* The client is not told: the thread goes on past the int3,
             * now if it can, or when it is next resumed if everything is
             * being stopped. */
            th->step_over = true;
            th->step_over_addr = pc - 1;
            if (!t->stopping)
                step_over_and_resume(t, th);
            return;
        }
        uint8_t insn;
        if (si.si_code == SI_KERNEL && t->report_any_int3 && arch_get_pc(th, &pc) &&
            process_peek(th->proc, pc - 1, &insn, 1) && insn == INT3) {
            arch_set_pc(th, pc - 1);
            record(t, th, STOP_SWBREAK, SIGTRAP);   /* the program's own int3 */
            return;
        }
    }
    /* A step ends in TRAP_TRACE, or in TRAP_BRKPT when the instruction was
     * a system call (x86 reports the step at the system call's exit). */
    if ((si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT) && th->resume_step) {
        if (!t->stopping && range_step_goes_on(th)) {
            resume_again(t, th);
            return;
        }
        record(t, th, STOP_STEP, SIGTRAP);
        return;
    }
    record(t, th, STOP_SIGNAL, SIGTRAP);
}

/* QThreadEvents in non-stop mode: the client hears of each thread's end. */
static void note_thread_exit(struct target *t, const struct thread *th, int status)
{
    if (!t->non_stop || !t->report_thread_events)
        return;
    struct thread_exit *e = calloc(1, sizeof *e);
    if (!e)
        return;
    e->pid = th->proc->pid;
    e->tid = th->tid;
    e->status = status;
    struct thread_exit **pp = &t->thread_exits;
    while (*pp)
        pp = &(*pp)->next;
    *pp = e;
}

bool target_take_thread_exit(struct target *t, struct thread_exit *out)
{
    struct thread_exit *e = t->thread_exits;
    if (!e)
        return false;
    *out = *e;
    t->thread_exits = e->next;
    free(e);
    return true;
}

static void handle_status(struct target *t, struct thread *th, int status)
{
    struct process *p = th->proc;
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
        if (th->tid == p->pid) {
            /* The leader is reported last: the whole process is gone. */
            p->exit_pending = true;
            p->exit_status = status;
            while (p->threads)
                thread_remove(p->threads);
            log_info("process %d %s %d", (int)p->pid, WIFEXITED(status) ? "exited with status" : "killed by signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        } else {
            note_thread_exit(t, th, status);
            thread_remove(th);
        }
        return;
    }
    if (!WIFSTOPPED(status))
        return;
    th->running = false;
    int sig = WSTOPSIG(status);
    int event = status >> 16;
    if (event == PTRACE_EVENT_CLONE) {
        handle_clone(t, th);
        return;
    }
    if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK) {
        handle_fork(t, th, event == PTRACE_EVENT_VFORK);
        return;
    }
    if (event == PTRACE_EVENT_VFORK_DONE) {
        handle_vfork_done(t, th);
        return;
    }
    if (event == 0 && sig == (SIGTRAP | 0x80)) {
        handle_syscall_stop(t, th);
        return;
    }
    if (event == PTRACE_EVENT_EXEC) {
        handle_exec(t, th);
        return;
    }
    if (event != 0) {
        resume_again(t, th);   /* an event we did not ask for */
        return;
    }
    if (sig == SIGSTOP && th->sigstop_expected) {
        th->sigstop_expected = false;
        if (th->interrupt_requested) {
            th->interrupt_requested = false;
            record(t, th, STOP_INTERRUPT, SIGINT);
        } else if (th->stop_requested) {
            th->stop_requested = false;
            record(t, th, STOP_SIGNAL, 0);   /* vCont;t: "stopped", no signal */
        } else {
            resume_again(t, th);
        }
        return;
    }
    if (sig == SIGCONT && p->sigcont_expected) {
        p->sigcont_expected = false;   /* ours (see target_continue_job_stopped) */
        resume_again(t, th);
        return;
    }
    if (sig == SIGTRAP) {
        handle_sigtrap(t, th);
        return;
    }
    /* Never passed unseen, as with gdbserver: SIGSEGV and SIGILL, which may
     * be one of gdb's breakpoints (its inferior calls return to a
     * breakpoint on the stack, where executing faults), and any signal
     * that comes during a step, whose handler gdb must know of. */
    if (sig > 0 && sig < TARGET_NSIG && t->pass_signals[sig] && !t->stopping && sig != SIGSEGV &&
        sig != SIGILL && !th->resume_step) {
        /* The client passes it without wanting to hear of it
         * (QPassSignals): no round trip, the program gets it now. While
         * everything is being stopped it is reported instead. */
        thread_resume(th, th->resume_step, sig);
        return;
    }
    record(t, th, STOP_SIGNAL, sig);
}

void target_continue_job_stopped(struct target *t)
{
    for (struct process *p = t->processes; p; p = p->next) {
        if (!p->job_stopped || p->pid <= 0)
            continue;
        bool resumed = false;
        for (struct thread *th = p->threads; th; th = th->next)
            resumed |= th->resumed;
        if (!resumed)
            continue;
        p->job_stopped = false;
        if (kill(p->pid, SIGCONT) == 0)
            p->sigcont_expected = true;
    }
}

bool target_nothing_resumed(const struct target *t)
{
    for (const struct process *p = t->processes; p; p = p->next)
        for (const struct thread *th = p->threads; th; th = th->next)
            if (th->resumed && th->running && !th->zombie)
                return false;
    return true;
}

bool target_has_event(struct target *t)
{
    for (struct process *p = t->processes; p; p = p->next) {
        if (p->exit_pending)
            return true;
        for (struct thread *th = p->threads; th; th = th->next)
            if (th->has_pending && th->resumed)
                return true;
    }
    return false;
}

/* A wait status for TID, which waitpid(-1) returned. */
static void dispatch_status(struct target *t, pid_t tid, int status)
{
    struct thread *th = target_find_thread(t, tid);
    if (th) {
        handle_status(t, th, status);
    } else if (WIFSTOPPED(status)) {
        /* Most likely a new thread whose parent's clone event has not
         * been seen yet; keep its stop for handle_clone. */
        struct orphan_stop *o = calloc(1, sizeof *o);
        if (o) {
            o->tid = tid;
            o->status = status;
            o->next = t->orphans;
            t->orphans = o;
        }
    }
    /* Anything else is a process we let go of earlier: now reaped. */
}

static bool is_zombie(pid_t pid, pid_t tid)
{
    char state = proc_info_task_state(pid, tid);
    return state == 0 || state == 'Z' || state == 'X';
}

/* A running leader that has exited (pthread_exit) while other threads
 * live: no wait status says so (the leader's exit is reported last, once
 * the others are gone), only the SIGCHLD that brought us here. As with
 * gdbserver, it is no thread any more: hidden from the client's thread
 * lists, and no longer running (when it was the only thread the client
 * resumed, nothing is left to report a stop: "N"). */
static void check_zombie_leaders(struct target *t)
{
    for (struct process *p = t->processes; p; p = p->next) {
        struct thread *leader = p->threads;
        if (leader && leader->tid == p->pid && leader->next && leader->running && !leader->zombie &&
            !leader->vfork_wait && is_zombie(p->pid, leader->tid)) {
            leader->running = false;
            leader->zombie = true;
        }
    }
}

/* A wait status kept back for a thread we know (defer_status). */
static bool take_deferred(struct target *t, pid_t *tid, int *status)
{
    for (struct orphan_stop **pp = &t->orphans; *pp; pp = &(*pp)->next)
        if (target_find_thread(t, (*pp)->tid)) {
            *tid = (*pp)->tid;
            return take_orphan(t, *tid, status);
        }
    return false;
}

/* How many wait statuses one target_poll handles at most. */
#define POLL_BATCH 64

bool target_poll(struct target *t)
{
    t->poll_again = false;
    for (int handled = 0;; handled++) {
        /* Threads that keep bringing events (a breakpoint whose condition
         * is false in a busy loop, stepped over and resumed at once) would
         * keep us here for good: after a batch the session reads its
         * client, then comes back for the rest. */
        if (handled == POLL_BATCH) {
            t->poll_again = true;
            break;
        }
        int status;
        pid_t tid;
        if (!take_deferred(t, &tid, &status)) {
            tid = waitpid(-1, &status, WNOHANG | __WALL);
            if (tid <= 0)
                break;
        }
        dispatch_status(t, tid, status);
        /* All-stop: one event to report is enough; the rest of the process
         * is stopped next, and each thread's own status is collected then.
         * Draining the kernel's queue first could take forever with a
         * program whose threads keep creating threads: every clone event
         * resumes two threads, which bring the next events. */
        if (!t->non_stop && t->running && target_has_event(t))
            break;
    }
    /* A leader may have exited while its threads live on: its SIGCHLD
     * comes with no status of its own, and may come together with other
     * threads' statuses (non-stop), so this is looked at in every poll.
     * It reads /proc only for a running leader of a process with threads. */
    check_zombie_leaders(t);
    return target_has_event(t);
}

bool target_exit_coming(const struct target *t)
{
    for (const struct process *p = t->processes; p; p = p->next) {
        /* A zombie leader left alone: the process is over, and the
         * leader's status, its exit, is reported now that the others are
         * reaped. */
        if (p->threads && p->threads->zombie && p->threads->tid == p->pid && !p->threads->next)
            return true;
        for (const struct thread *th = p->threads; th; th = th->next)
            if (!th->running && !th->zombie && proc_info_task_state(th->tgid, th->tid) != 't')
                return true;
    }
    return false;
}

/* Waits until TH is stopped (or gone). Returns false if it is gone. */
static void wait_stopped(struct target *t, pid_t tid)
{
    struct thread *th;
    int polls = 0;
    while ((th = target_find_thread(t, tid)) && th->running && !th->zombie && !th->vfork_wait) {
        int status;
        if (take_orphan(t, tid, &status)) {
            handle_status(t, th, status);   /* seen already, kept back (wait_step) */
            continue;
        }
        bool leader = th->tid == th->proc->pid && th->proc->threads->next;
        pid_t r = waitpid(tid, &status, __WALL | (leader ? WNOHANG : 0));
        if (r == 0) {
            /* Leader of a multi-threaded process: poll, and give up on it
             * if it turns out to be a zombie. */
            if (++polls % 50 == 0 && is_zombie(th->proc->pid, tid)) {
                th->running = false;
                th->zombie = true;
                return;
            }
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (r < 0) {
            if (errno == EINTR)
                continue;
            thread_remove(th);
            return;
        }
        handle_status(t, th, status);
    }
}

/* Stops every running thread of ONLY (NULL: of every process) and waits
 * for them; t->stopping must be set. */
static void stop_threads(struct target *t, struct process *only)
{
    size_t count = 0;
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th && (!only || p == only); th = th->next) {
            count++;
            if (th->running && !th->sigstop_expected && !th->zombie && !th->vfork_wait) {
                if (tgkill(th->tgid, th->tid, SIGSTOP) == 0)
                    th->sigstop_expected = true;
                else if (errno == ESRCH)
                    th->zombie = true;   /* not in the group: never wait for it */
            }
        }
    /* Wait for non-leaders first: a leader's exit is only reported once the
     * others have been reaped, so waiting for it first could deadlock. */
    pid_t *tids = calloc(count ? count : 1, sizeof *tids);
    if (tids) {
        size_t n = 0;
        for (struct process *p = t->processes; p; p = p->next)
            for (struct thread *th = p->threads; th && (!only || p == only); th = th->next)
                if (th->tid != p->pid)
                    tids[n++] = th->tid;
        for (struct process *p = t->processes; p; p = p->next)
            if ((!only || p == only) && target_find_thread(t, p->pid))
                tids[n++] = p->pid;
        for (size_t i = 0; i < n; i++)
            wait_stopped(t, tids[i]);
        free(tids);
    }
}

void target_stop_all(struct target *t)
{
    t->stopping = true;
    stop_threads(t, NULL);
    t->stopping = false;
}

/* ---- stepping past a breakpoint the client was not told about ---- */

/* Keeps a wait status of a thread that cannot be dealt with now (see
 * wait_step) for target_poll, or for wait_stopped if it waits for it. */
static void defer_status(struct target *t, pid_t tid, int status)
{
    struct orphan_stop *o = calloc(1, sizeof *o);
    if (!o) {
        log_warn("out of memory: an event of thread %d is lost", (int)tid);
        return;
    }
    o->tid = tid;
    o->status = status;
    struct orphan_stop **pp = &t->orphans;
    while (*pp)
        pp = &(*pp)->next;
    *pp = o;   /* the oldest first: take_orphan finds it first */
}

/* Waits for the end of the single-step of TH over a breakpoint, every
 * other thread of its process stopped. The instruction may be an execve
 * or an exit_group: the kernel then kills the other threads, and an exec
 * ends only once they are reaped, so their exits are taken meanwhile
 * (waiting for TH's tid alone would hang). A thread other than the leader
 * that execs reports it under the process id: then TH holds the exec
 * event under its new tid, and 0 is returned. Statuses of other processes
 * (they may run: non-stop, or an all-stop resume) are kept for later.
 * Returns TH's tid with its status, 0, or -1 if TH is gone. */
static pid_t wait_step(struct target *t, struct thread *th, int *status)
{
    struct process *p = th->proc;
    pid_t tid = th->tid;
    for (;;) {
        pid_t r = waitpid(-1, status, __WALL);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || r == tid)
            return r;
        struct thread *o = target_find_thread(t, r);
        if (o && o->proc != p) {
            defer_status(t, r, *status);
            continue;
        }
        dispatch_status(t, r, *status);
        if (target_find_thread(t, tid) != th)
            return 0;
    }
}

/* Steps TH (stopped, every other thread of its process stopped too) over
 * the int3 it sits on: the original byte back for one instruction, then
 * the int3 again. Whatever else happens on the way (a signal, a
 * watchpoint, the end of the client's own step) is recorded as usual.
 * t->stopping must be set, so that nothing is resumed meanwhile. */
static void step_over_one(struct target *t, struct thread *th)
{
    struct process *p = th->proc;
    uint64_t addr = th->step_over_addr, pc;
    th->step_over = false;
    struct sw_breakpoint *bp = breakpoint_find(p, addr);
    /* Stale: the client removed the breakpoint or moved the PC. */
    if (!bp || !arch_get_pc(th, &pc) || pc != addr)
        return;
    uint8_t saved = bp->saved, int3 = INT3;
    if (!process_poke(p, addr, &saved, 1))
        return;
    pid_t tid = th->tid;
    bool stepped = false;
    /* A few tries: a clone event in the middle of the instruction stops
     * the step before it ends. */
    for (int tries = 0; tries < 8 && !stepped; tries++) {
        arch_regcache_invalidate(th);
        debug_regs_apply(th);
        if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL) != 0)
            break;
        th->running = true;
        int status;
        pid_t r = wait_step(t, th, &status);
        if (r == 0) {
            th = NULL;   /* it exec'd: its event is recorded, under the process id */
            break;
        }
        if (r != tid) {
            thread_remove(th);
            th = NULL;
            break;
        }
        if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGTRAP && (status >> 16) == 0) {
            th->running = false;
            siginfo_t si;
            memset(&si, 0, sizeof si);
            ptrace(PTRACE_GETSIGINFO, tid, NULL, &si);
            stepped = true;
            if (record_debug_reg_hit(t, th))
                break;
            if (si.si_code != TRAP_TRACE && si.si_code != TRAP_BRKPT)
                record(t, th, STOP_SIGNAL, SIGTRAP);   /* the instruction trapped by itself (int3) */
            else if (th->resume_step && !range_step_goes_on(th))
                record(t, th, STOP_STEP, SIGTRAP);     /* the client's step is this one */
            break;
        }
        handle_status(t, th, status);
        if (!(th = target_find_thread(t, tid)) || th->has_pending || th->running)
            break;
    }
    /* The process may be gone: then the poke fails, harmlessly. */
    if (breakpoint_find(p, addr) == bp && target_find_process(t, p->pid) == p)
        process_poke(p, addr, &int3, 1);
    if (th && !stepped)
        log_debug("thread %d: step over %#llx did not finish", (int)tid, (unsigned long long)addr);
}

/* TH, stopped on a breakpoint the client must not hear of, while the rest
 * of the target runs: the other threads of its process are stopped (none
 * may run through the missing int3), TH steps over it (and so does any
 * other thread found in the same state meanwhile), and all of them run
 * again, unless an event the client must hear of came up; then they stay
 * stopped for target_stop_all and the report. */
static void step_over_and_resume(struct target *t, struct thread *th)
{
    struct process *p = th->proc;
    t->stopping = true;
    t->stepping_over = true;
    /* In non-stop mode threads may be held already (target_hold_process):
     * they must run again at the end too. */
    for (struct thread *o = p->threads; o; o = o->next)
        o->held = (t->non_stop && o->held) || o == th || (o->running && !o->zombie);
    stop_threads(t, p);
    if (target_find_process(t, p->pid) == p) {
        for (;;) {
            struct thread *next = NULL;
            for (struct thread *o = p->threads; o && !next; o = o->next)
                if (o->step_over && !o->running && o->held)
                    next = o;
            if (!next)
                break;
            step_over_one(t, next);
        }
    }
    t->stepping_over = false;
    t->stopping = false;
    bool report = target_has_event(t);
    if (target_find_process(t, p->pid) != p)
        return;
    for (struct thread *o = p->threads; o; o = o->next) {
        bool held = o->held;
        o->held = false;
        /* All-stop leaves them for the report; in non-stop only the
         * thread with the event stops. */
        if (held && (!report || t->non_stop) && !o->running && !o->has_pending && !o->zombie && !o->step_over)
            thread_resume(o, o->resume_step, 0);
    }
}

/* The next thread the client resumes that must be stepped over first. */
static struct thread *next_step_over(struct target *t)
{
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next) {
            if (!th->step_over || !th->resumed || th->running)
                continue;
            if (th->resume_signo) {
                /* The signal's handler runs first; the int3 is met (and
                 * its condition evaluated) again when it returns. */
                th->step_over = false;
                continue;
            }
            return th;
        }
    return NULL;
}

void target_step_over_resumed(struct target *t)
{
    t->stopping = true;
    t->stepping_over = true;
    /* From the start each time: a step may end threads (an exit). */
    struct thread *th;
    while ((th = next_step_over(t)))
        step_over_one(t, th);
    t->stepping_over = false;
    t->stopping = false;
}

bool target_pending_valid(struct target *t, struct thread *th)
{
    if (th->pending.kind == STOP_FORK || th->pending.kind == STOP_VFORK)
        return target_find_process(t, th->pending.child) != NULL;
    if (th->pending.kind == STOP_SYSCALL_ENTRY || th->pending.kind == STOP_SYSCALL_RETURN)
        return syscall_catch_wants(&th->proc->catch_syscalls, th->pending.syscall_nr);
    if (th->pending.kind == STOP_SWBREAK) {
        uint64_t pc;
        return arch_get_pc(th, &pc) && breakpoint_find(process_breakpoint_owner(th->proc), pc);
    }
    if (th->pending.kind == STOP_STEP)
        return th->resume_step;
    if (th->pending.kind == STOP_HWBREAK || th->pending.kind == STOP_WATCH)
        return debug_regs_has(th->proc, th->pending.watch_type, th->pending.data_addr);
    return true;
}

bool target_pending_event_ready(struct target *t)
{
    bool ready = false;
    for (struct process *p = t->processes; p; p = p->next) {
        if (p->exit_pending)
            ready = true;
        for (struct thread *th = p->threads; th; th = th->next) {
            if (!th->resumed || !th->has_pending)
                continue;
            if (target_pending_valid(t, th))
                ready = true;
            else
                th->has_pending = false;
        }
    }
    return ready;
}

struct thread *target_take_event(struct target *t, struct stop_event *ev, struct process **exited)
{
    *exited = NULL;
    for (struct process *p = t->processes; p; p = p->next)
        if (p->exit_pending) {
            *exited = p;
            return NULL;
        }
    struct thread *best = NULL;
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next)
            if (th->has_pending && th->resumed && (!best || th->pending_seq < best->pending_seq))
                best = th;
    if (best) {
        best->has_pending = false;
        best->last = best->pending;
        best->pass_on_detach = best->pending.kind == STOP_SIGNAL ? best->pending.signo : 0;
        *ev = best->pending;
        /* The client hears of the child now: from here on it is its. */
        struct process *child = ev->kind == STOP_FORK || ev->kind == STOP_VFORK
                                    ? target_find_process(t, ev->child) : NULL;
        if (child)
            child->unreported = false;
    }
    return best;
}

void target_clear_resumed(struct target *t)
{
    t->running = false;
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next) {
            th->resumed = false;
            /* A SIGSTOP of a ^C still on its way is swallowed like any
             * other: the ^C itself waits in t->interrupt_pid until its
             * SIGINT stop is reported. */
            th->interrupt_requested = false;
        }
}

/* Interrupts a running thread of P; with NO_STEPS, not one that is only
 * single-stepping. */
static bool interrupt_process(struct process *p, bool no_steps)
{
    for (struct thread *th = p->threads; th; th = th->next) {
        if (!th->running || th->zombie || th->vfork_wait || (no_steps && th->resume_step && !th->range_end))
            continue;
        /* A leader that has exited (its threads live on) would swallow
         * the SIGSTOP: interrupt a live thread instead. */
        if (th->tid == p->pid && th->next && is_zombie(p->pid, th->tid)) {
            th->zombie = true;
            continue;
        }
        th->interrupt_requested = true;
        if (!th->sigstop_expected && tgkill(th->tgid, th->tid, SIGSTOP) == 0)
            th->sigstop_expected = true;
        return true;
    }
    return false;
}

void target_interrupt(struct target *t)
{
    struct process *mine = t->interrupt_pid ? target_find_process(t, t->interrupt_pid) : NULL;
    if (mine && interrupt_process(mine, false))
        return;
    /* Its process is not running: gdbserver's SIGINT would wait in it.
     * Another process that runs on is stopped instead, but not for a
     * thread that only single-steps: that ends by itself in a moment (gdb
     * steps a thread over a breakpoint so), and the ^C waits for the next
     * resume. */
    for (struct process *p = t->processes; p; p = p->next)
        if (p != mine && interrupt_process(p, mine != NULL && !t->non_stop))
            return;
}

bool target_take_interrupt(struct target *t)
{
    /* gdbserver's SIGINT would stop the process as soon as it runs: so
     * does the ^C at the first resume of its process (it waits while only
     * other processes are resumed). */
    struct process *mine = t->interrupt_pid ? target_find_process(t, t->interrupt_pid) : NULL;
    for (struct thread *th = mine ? mine->threads : NULL; th; th = th->next)
        if (th->resumed && !th->running && !th->zombie && !th->has_pending) {
            record(t, th, STOP_INTERRUPT, SIGINT);
            return true;
        }
    return false;
}

void target_step_over_thread(struct target *t, struct thread *th)
{
    step_over_and_resume(t, th);
}

void target_request_stop(struct target *t, struct thread *th)
{
    (void)t;
    if (!th->running || th->zombie || th->vfork_wait)
        return;   /* stopped already (its event is on the way), or deaf to SIGSTOP */
    th->stop_requested = true;
    if (!th->sigstop_expected && tgkill(th->tgid, th->tid, SIGSTOP) == 0)
        th->sigstop_expected = true;
}

void target_hold_process(struct target *t, struct process *p)
{
    t->stopping = true;
    for (struct thread *o = p->threads; o; o = o->next)
        o->held = o->running && !o->zombie && !o->vfork_wait;
    stop_threads(t, p);
    t->stopping = false;
}

/* The next held thread of P that can run on, after its hold. */
static struct thread *next_held(struct process *p)
{
    for (struct thread *o = p->threads; o; o = o->next)
        if (o->held)
            return o;
    return NULL;
}

void target_release_process(struct target *t, struct process *p)
{
    if (target_find_process(t, p->pid) != p)
        return;
    struct thread *o;
    while ((o = next_held(p))) {
        o->held = false;
        /* An event the hold itself made stale (a hit of the breakpoint the
         * hold was for, which is gone now) is undone, as gdbserver does:
         * the thread goes on, its PC already back on the instruction. */
        if (o->has_pending && !target_pending_valid(t, o))
            o->has_pending = false;
        if (o->running || o->has_pending || o->zombie)
            continue;
        if (o->step_over)
            step_over_and_resume(t, o);   /* met a breakpoint not for the client meanwhile */
        else
            thread_resume(o, o->resume_step, 0);
        if (target_find_process(t, p->pid) != p)
            return;
    }
}
