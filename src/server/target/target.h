/* The debuggee side of a session: processes, their threads, breakpoints, and
 * the ptrace state machine that keeps them in all-stop mode.
 *
 * Every process here belongs to exactly one session (the session process is
 * their tracer), so nothing in this module is shared between sessions. */
#ifndef DBGSRV_TARGET_H
#define DBGSRV_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "bp_options.h"
#include "target/debug_regs.h"

/* Why a thread stopped, as far as the client is concerned. */
enum stop_kind {
    STOP_NONE,
    STOP_SIGNAL,     /* a signal arrived (signo is the host signal) */
    STOP_SWBREAK,    /* hit one of our int3 breakpoints; PC backed up */
    STOP_STEP,       /* a single-step finished */
    STOP_INTERRUPT,  /* stopped because the client pressed ^C */
    STOP_ATTACHED,   /* the stop right after attaching */
    STOP_HWBREAK,    /* hit a hardware breakpoint (Z1) */
    STOP_WATCH,      /* a hardware watchpoint (Z2/Z4) fired */
    STOP_FORK,       /* forked: the child (stopped) is a process of the session */
    STOP_VFORK,      /* vforked: the child shares the parent's memory */
    STOP_VFORK_DONE, /* the vfork child exec'd or exited: the memory is the parent's again */
    STOP_EXEC,       /* exec'd a new program */
    STOP_SYSCALL_ENTRY,  /* entered a caught system call */
    STOP_SYSCALL_RETURN, /* returned from one */
    STOP_CREATE,     /* a new thread (QThreadEvents, non-stop): reported stopped */
};

struct stop_event {
    enum stop_kind kind;
    int signo;       /* host signal number, for STOP_SIGNAL */
    uint64_t data_addr;        /* STOP_WATCH: the watched address, */
    enum hw_point watch_type;  /* and how it was watched */
    pid_t child;     /* STOP_FORK, STOP_VFORK: the new process */
    long syscall_nr; /* STOP_SYSCALL_*: the system call */
};

/* QCatchSyscalls: which system calls stop a process (PTRACE_SYSCALL while
 * on). Numbers at or above SYSCALL_CATCH_MAX cannot be named. */
#define SYSCALL_CATCH_MAX 1024
struct syscall_catch {
    bool on;
    bool all;        /* every system call (no list given) */
    uint8_t set[SYSCALL_CATCH_MAX / 8];
};

struct regcache {
    bool gp_valid;
    bool fp_valid;
    struct user_regs_struct gp;
    uint8_t *xsave;      /* XSAVE area (or FXSAVE area without XSAVE) */
    size_t xsave_len;
};

struct process;

struct thread {
    pid_t tid;
    struct process *proc;
    /* Its thread group, for tgkill: the process's, but a clone() that
     * shares the process's memory without CLONE_THREAD is a thread here
     * (as with gdbserver) and a group of its own for the kernel. */
    pid_t tgid;
    bool running;            /* resumed, not yet seen stopped */
    bool sigstop_expected;   /* we sent a SIGSTOP not yet consumed */
    bool interrupt_requested;/* that SIGSTOP is the client's ^C */
    bool resume_step;        /* last resume was a single-step */
    uint64_t range_start, range_end;   /* vCont;r: keep stepping in [start, end) */
    int resume_signo;        /* host signal to deliver with the next resume */
    /* A signal the client gave with a resume that did not happen (an
     * event already pending was reported instead): still the thread's,
     * as gdbserver keeps it queued; it goes with the next resume. */
    int owed_signo;
    int pass_on_detach;      /* a reported signal not yet passed or suppressed */
    bool resumed;            /* the client asked it to run in this resume */
    bool zombie;             /* leader that exited while other threads live */
    bool has_pending;        /* an event not yet reported to the client */
    struct stop_event pending;
    unsigned pending_seq;    /* order of events, to report the first first */
    struct stop_event last;  /* last event reported for this thread */
    struct regcache regs;
    unsigned dregs_generation; /* the process's debug registers written so far */
    bool in_syscall;         /* between a syscall-entry stop and its exit stop */
    long syscall_nr;         /* the system call it entered */
    bool vfork_wait;         /* resumed after a vfork: blocked in the kernel (deaf to
                                SIGSTOP) until the child execs or exits */
    /* Stopped on a breakpoint whose conditions were all false (or which
     * only ran its commands): the client hears nothing, and before the
     * thread runs on it must be stepped past the int3 (events.c). */
    bool step_over;
    uint64_t step_over_addr;
    bool held;               /* stopped for someone else's step-over: run it again after */
    bool stop_requested;     /* non-stop vCont;t: its SIGSTOP is reported as signal 0 */
    struct thread *next;
};

/* x86's one-byte breakpoint instruction. */
#define INT3 0xcc

struct sw_breakpoint {
    uint64_t addr;
    uint8_t saved;           /* the original byte under the int3 */
    struct bp_options opts;  /* target-side conditions and commands (Z0;X...) */
    struct sw_breakpoint *next;
};

/* The conditions and commands of a hardware breakpoint (Z1;X...): the
 * debug registers know only addresses. */
struct hw_condition {
    uint64_t addr;
    struct bp_options opts;
    struct hw_condition *next;
};

/* The instruction set a process runs, which decides its register set
 * (arch.h) and the layouts of its data (pointers, the dynamic linker's
 * lists). A 64-bit program may exec a 32-bit one: it is found again after
 * launch, attach and exec. */
enum process_abi {
    ABI_X86_64,
    ABI_I386,    /* a 32-bit program (compatibility mode) */
};

struct process {
    pid_t pid;
    enum process_abi abi;
    bool attached;           /* vAttach'ed (detach at end) vs launched (kill at end) */
    int mem_fd;              /* /proc/PID/mem, opened once */
    bool exit_pending;       /* exited; the W/X report is still owed */
    bool job_stopped;        /* was stopped (SIGSTOP, -cs) when attached: the
                                first resume must send SIGCONT to run it */
    bool sigcont_expected;   /* that SIGCONT is ours: do not report it */
    int exit_status;         /* wait status of the leader */
    struct thread *threads;
    struct sw_breakpoint *breakpoints;
    struct debug_regs dregs;   /* hardware breakpoints and watchpoints */
    struct syscall_catch catch_syscalls;
    /* A vfork child while it shares its parent's memory: breakpoints live
     * in the parent's list (one memory, one list). NULL otherwise. */
    struct process *vfork_parent;
    pid_t fork_parent;       /* the process whose fork made this one (0: none) */
    bool unreported;         /* its fork event is not reported yet: the client
                                does not know it (hidden from thread lists) */
    struct hw_condition *hw_conditions;
    struct process *next;
};

/* A stop seen for a tid we do not know yet: a new clone's first stop can
 * arrive before its parent's clone event. */
struct orphan_stop {
    pid_t tid;
    int status;
    struct orphan_stop *next;
};

/* A thread that exited, for QThreadEvents' "w" report. */
struct thread_exit {
    pid_t pid, tid;
    int status;
    struct thread_exit *next;
};

/* How programs are started (gdbserver's --wrapper, --startup-with-shell,
 * --disable-randomization). All off: ARGV is exec'ed as it is. */
struct launch_options {
    char *const *wrapper;        /* NULL-terminated, or NULL */
    bool startup_with_shell;     /* $SHELL -c "exec PROG ARGS" */
    bool disable_randomization;
};

/* What the client asked for the programs it launches next (lldb's
 * QSetSTDIN/QSetSTDOUT/QSetSTDERR, QSetWorkingDir, QSetDisableASLR and
 * QEnvironment packets; gdb's QEnvironmentHexEncoded). They last for the
 * session: each launch uses them. Empty: the server's own defaults. */
struct launch_settings {
    char *stdio_path[3];      /* stdin, stdout, stderr of the program; NULL: the server's */
    char *working_dir;        /* NULL: the server's */
    char **env;               /* NAME=VALUE set on top of the server's environment */
    size_t env_count;
    char **unset;             /* NAMEs taken out of it (QEnvironmentUnset) */
    size_t unset_count;
    int disable_aslr;         /* -1: as the launch options say; 0 or 1: the client's choice */
    int startup_with_shell;   /* -1: as the launch options say; 0 or 1: the client's choice */
};

#define TARGET_NSIG 65   /* host signals 1..64 */

struct target {
    const struct launch_options *launch;   /* NULL: exec directly */
    struct launch_settings settings;
    struct process *processes;
    struct orphan_stop *orphans;
    bool running;            /* a resume is outstanding: a stop reply is owed */
    bool stopping;           /* inside target_stop_all: leave threads stopped */
    bool stepping_over;      /* inside a step-over: new threads are held, then run */
    bool poll_again;         /* target_poll stopped before the kernel had no more */
    /* All-stop: the process a ^C is for (the newest, as gdbserver's
     * SIGINT), until a SIGINT stop is reported; 0 if none. */
    pid_t interrupt_pid;
    unsigned event_seq;
    size_t xsave_len;        /* 0 until probed; then size of the XSAVE area */
    bool have_xsave;         /* PTRACE_GETREGSET NT_X86_XSTATE works */
    bool have_avx;
    bool stdio_taken;        /* our stdin/stdout carry the protocol */
    /* QPassSignals: host signals delivered at once, never reported.
     * QProgramSignals: the only ones the server may deliver on its own
     * (at detach), once the client has said (program_signals_set). */
    bool pass_signals[TARGET_NSIG];
    bool program_signals[TARGET_NSIG];
    bool program_signals_set;
    /* What the client asked for in qSupported. Without fork or vfork
     * events, children are let go (our breakpoints taken out of their
     * memory); without exec events an exec is a SIGTRAP. */
    bool report_fork;
    bool report_vfork;
    bool report_exec;
    /* The client takes swbreak stops: an int3 of the program's own (a
     * "permanent breakpoint") is reported as one, with the PC on it, as
     * gdbserver does; gdb then steps past it itself. */
    bool report_any_int3;
    /* Non-stop mode (QNonStop:1): an event stops only its own thread, and
     * 'resumed' means "running as far as the client knows" until the
     * thread's stop is reported. */
    bool non_stop;
    /* QThreadEvents:1 (honoured in non-stop mode): new threads are
     * reported stopped, exits are collected in thread_exits. */
    bool report_thread_events;
    struct thread_exit *thread_exits;   /* oldest first */
};

/* --- process.c: creating, attaching, ending processes --- */

/* launch_settings: setters copy their strings; false when out of memory. */
void launch_settings_init(struct launch_settings *ls);
bool launch_settings_set_stdio(struct launch_settings *ls, int fd, const char *path);
int launch_settings_set_working_dir(struct launch_settings *ls, const char *dir);   /* 0 or errno; ~ expanded */
/* Sets NAME=VALUE, replacing an earlier value of NAME. */
bool launch_settings_set_env(struct launch_settings *ls, const char *name_value);
/* Takes NAME out of the program's environment. */
bool launch_settings_unset_env(struct launch_settings *ls, const char *name);
/* Back to the server's own environment (QEnvironmentReset). */
void launch_settings_reset_env(struct launch_settings *ls);
void launch_settings_free(struct launch_settings *ls);
/* Applies LS in a forked child before exec: 0 or the errno that failed. */
int launch_settings_apply(const struct launch_settings *ls);

/* Launches ARGV (ARGV[0] is the program) stopped at its first instruction.
 * On failure returns NULL with a message in ERR. */
struct process *target_launch(struct target *t, char *const argv[], char *err, size_t errlen);
/* Attaches to every thread of PID. On failure returns NULL with a message. */
struct process *target_attach(struct target *t, pid_t pid, char *err, size_t errlen);
/* Detaches from P (breakpoints removed, pending SIGSTOPs cancelled) and frees it. */
void target_detach(struct target *t, struct process *p);
/* Kills P, reaps every thread, frees it. */
void target_kill(struct target *t, struct process *p);
/* The session-end rules: attached processes are detached, launched killed. */
void target_end_all(struct target *t);
struct process *target_find_process(struct target *t, pid_t pid);
/* A new, empty process entry for PID (already traced by us). */
struct process *target_add_process(struct target *t, pid_t pid, bool attached);
struct thread *target_find_thread(struct target *t, pid_t tid);
void target_free_process(struct target *t, struct process *p);

bool process_open_memory(struct process *p);
/* The thread group (process) a tid belongs to, 0 if unknown. */
pid_t process_tgid(pid_t tid);

/* --- thread.c --- */
struct thread *thread_add(struct process *p, pid_t tid);
void thread_remove(struct thread *th);
/* The signal TH is resumed with: SIGNO, or else one it is still owed
 * from a resume that did not happen (which is used up either way). */
void thread_set_resume_signal(struct thread *th, int signo);
/* TH was not resumed after all (an event was reported first): the signal
 * the client gave it stays its own, for its next resume (owed_signo). */
void thread_keep_resume_signal(struct thread *th);
size_t process_thread_count(const struct process *p);
/* P's first thread that is not an exited leader (a zombie), or NULL. */
struct thread *process_live_thread(struct process *p);

/* --- fork.c: new processes (fork, vfork, clone without CLONE_THREAD) --- */

/* Lets CHILD go (not followed), our breakpoints taken out of its memory. */
void fork_release_child(struct target *t, struct process *parent, pid_t child);
/* Makes CHILD (from PTRACE_GETEVENTMSG, > 0) a stopped process of the
 * session, with PARENT's breakpoints (a fork copied them into its memory;
 * a vfork child shares PARENT's). NULL if it is gone. */
struct process *fork_adopt_child(struct target *t, struct process *parent, pid_t child, bool vfork);
/* The vfork child of P stopped sharing P's memory (it exec'd or exited). */
void fork_vfork_done(struct target *t, struct process *p);
/* The process whose list holds P's breakpoints (its vfork parent while
 * they share memory). */
struct process *process_breakpoint_owner(struct process *p);

/* --- syscall_catch.c --- */
void syscall_catch_clear(struct syscall_catch *c);
/* Adds NR to the list; false if out of range. */
bool syscall_catch_add(struct syscall_catch *c, uint64_t nr);
bool syscall_catch_wants(const struct syscall_catch *c, long nr);

/* --- events.c: the all-stop state machine --- */

/* Waits for the first stop of a new task (it may have been seen already,
 * as an orphan). False if it is gone. */
bool target_first_stop(struct target *t, pid_t tid, int *status);

/* Handles the wait statuses available now (WNOHANG), recording events, up
 * to a batch (then poll_again is set: call it again soon, without waiting
 * for SIGCHLD). Returns true if some event is ready to be reported. */
bool target_poll(struct target *t);
/* Stops every running thread of every process (all-stop). */
void target_stop_all(struct target *t);
/* Picks the next reportable event and clears it. Returns the thread, or NULL;
 * for a process exit returns NULL and sets *EXITED to the process (to be
 * reported and freed by the caller). */
struct thread *target_take_event(struct target *t, struct stop_event *ev, struct process **exited);
/* Called before resuming the threads marked 'resumed': true if one of them
 * already has an event to report (then nothing must be resumed). Stale
 * events are dropped: a breakpoint hit whose breakpoint is gone, a finished
 * step for a thread that is now continued. */
bool target_pending_event_ready(struct target *t);
/* Before resuming: threads the client resumes that sit on a breakpoint
 * it was not told about are stepped over it first (every thread is
 * stopped then). An event on the way is recorded (check
 * target_pending_event_ready again). */
void target_step_over_resumed(struct target *t);
/* True if no thread the client resumed is still running (they all exited,
 * or became zombies): a stop reply is owed even without an event. */
bool target_nothing_resumed(const struct target *t);
/* True if a thread we hold stopped is no longer in its ptrace stop (a
 * SIGKILL woke it: another thread called exit, or exec'd), or a zombie
 * leader is all that is left of its process: an exit or an exec is on its
 * way. Until then "nothing resumed is left" is not the news: the
 * process's end is. */
bool target_exit_coming(const struct target *t);
/* True if an event is ready to be reported now. */
bool target_has_event(struct target *t);
/* After a stop reply: nothing is resumed any more. */
void target_clear_resumed(struct target *t);
/* Resumes TH (step or continue, delivering host signal SIGNO if nonzero). */
bool thread_resume(struct thread *th, bool step, int signo);
/* Before resuming: processes that were job-stopped when attached get the
 * SIGCONT that lets them run (the client asked them to run). */
void target_continue_job_stopped(struct target *t);
/* Non-stop: the event of stopped TH (which the client resumed) is still
 * worth reporting; a stale one is dropped (false). */
bool target_pending_valid(struct target *t, struct thread *th);
/* Non-stop: TH, stopped on a breakpoint the client was not told about, is
 * stepped over it (its process's other threads held meanwhile) and run. */
void target_step_over_thread(struct target *t, struct thread *th);
/* Non-stop vCont;t: stops running TH; the stop is reported as signal 0. */
void target_request_stop(struct target *t, struct thread *th);
/* Non-stop: stops every running thread of P for a moment (removing a
 * breakpoint: a thread that has just trapped on it must be seen to have
 * hit it while it is still there), then runs them again. Events that come
 * up meanwhile are recorded and leave their threads stopped. */
void target_hold_process(struct target *t, struct process *p);
void target_release_process(struct target *t, struct process *p);
/* Takes the oldest thread exit recorded for QThreadEvents (false: none). */
bool target_take_thread_exit(struct target *t, struct thread_exit *out);
/* Interrupts the running target (^C): a SIGSTOP reported as SIGINT, to a
 * running thread of process interrupt_pid if it has one, else of any. */
void target_interrupt(struct target *t);
/* A ^C not yet answered (interrupt_pid) becomes the event of a thread
 * of its process that the client resumed, if there is one: the resume
 * reports it at once. */
bool target_take_interrupt(struct target *t);

/* --- memory.c --- */
/* Reads up to LEN bytes at ADDR; returns bytes read (0 if none). Breakpoint
 * bytes are shown as the original contents. */
size_t process_read_memory(struct process *p, uint64_t addr, uint8_t *buf, size_t len);
/* Writes LEN bytes at ADDR, keeping inserted breakpoints in place. Returns
 * bytes written. */
size_t process_write_memory(struct process *p, uint64_t addr, const uint8_t *buf, size_t len);
/* Raw access without breakpoint shadowing (used by the breakpoint code). */
bool process_peek(struct process *p, uint64_t addr, uint8_t *buf, size_t len);
bool process_poke(struct process *p, uint64_t addr, const uint8_t *buf, size_t len);

/* --- breakpoint.c --- */
/* Inserts a breakpoint at ADDR, or replaces the conditions and commands of
 * the one there (gdb re-sends Z0 when they change). Takes OPTS (NULL:
 * none), even on failure. Returns 0 or an errno. */
int breakpoint_insert(struct process *p, uint64_t addr, struct bp_options *opts);
int breakpoint_remove(struct process *p, uint64_t addr);   /* 0 or errno */
struct sw_breakpoint *breakpoint_find(struct process *p, uint64_t addr);
/* These two take P's own list only, never its vfork parent's: the parent's
 * breakpoints stay in the memory they share. */
void breakpoint_remove_all(struct process *p);
/* Forgets every breakpoint and hardware breakpoint condition without
 * touching memory (after exec, or when the process is gone). */
void breakpoint_free_all(struct process *p);
/* TH stopped on a breakpoint at ADDR, its PC on it: evaluates OPTS's
 * conditions (any true, or failing to evaluate, counts as true, as in
 * gdbserver), runs its commands when they hold, and says whether the
 * client must hear of the hit: when a condition holds and there are no
 * commands (dprintf's commands report nothing). */
bool breakpoint_check_hit(struct target *t, struct thread *th, uint64_t addr, const struct bp_options *opts);
/* The conditions of the hardware breakpoint at ADDR: replaced by OPTS
 * (taken; NULL or empty: none). 0 or ENOMEM. */
int breakpoint_set_hw_options(struct process *p, uint64_t addr, struct bp_options *opts);
/* They, or NULL. */
const struct bp_options *breakpoint_hw_options(const struct process *p, uint64_t addr);

/* --- signals.c --- */
int signal_to_gdb(int host_signo);
int signal_from_gdb(int gdb_signo);   /* 0 if it has no host equivalent */

#endif
