/* Creating, attaching, detaching and killing debuggees.
 *
 * Launched processes are traced with PTRACE_O_EXITKILL: if the session
 * process dies for any reason, the kernel kills them, so a crashed session
 * never leaves a stopped orphan. Attached processes get no EXITKILL: if the
 * session dies, the kernel detaches them and they keep running. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "target/arch.h"
#include "target/target.h"

/* Fork and vfork events let us follow children or release them cleanly
 * (without our breakpoints in their memory); vfork-done says when a vfork
 * parent has its memory to itself again. Exec events let us reopen the new
 * image's memory. Syscall stops are only asked for with PTRACE_SYSCALL. */
#define TRACE_OPTIONS (PTRACE_O_TRACECLONE | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | \
                       PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE | PTRACE_O_TRACEEXEC)


static pid_t wait_tid(pid_t tid, int *status)
{
    pid_t r;
    do
        r = waitpid(tid, status, __WALL);
    while (r < 0 && errno == EINTR);
    return r;
}

struct process *target_find_process(struct target *t, pid_t pid)
{
    for (struct process *p = t->processes; p; p = p->next)
        if (p->pid == pid)
            return p;
    return NULL;
}

struct thread *target_find_thread(struct target *t, pid_t tid)
{
    for (struct process *p = t->processes; p; p = p->next)
        for (struct thread *th = p->threads; th; th = th->next)
            if (th->tid == tid)
                return th;
    return NULL;
}

struct process *target_add_process(struct target *t, pid_t pid, bool attached)
{
    struct process *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->pid = pid;
    p->attached = attached;
    p->mem_fd = -1;
    p->next = t->processes;
    t->processes = p;
    return p;
}

/* Opens /proc/PID/mem; only possible once we trace the process. An exec
 * gives the process a new address space, and the old fd keeps the old one. */
bool process_open_memory(struct process *p)
{
    if (p->mem_fd >= 0)
        close(p->mem_fd);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/mem", (int)p->pid);
    p->mem_fd = open(path, O_RDWR | O_CLOEXEC);
    if (p->mem_fd < 0)
        log_warn("cannot open %s: %s", path, strerror(errno));
    return p->mem_fd >= 0;
}

static void reclaim_terminal(const struct target *t, pid_t pid);

void target_free_process(struct target *t, struct process *p)
{
    reclaim_terminal(t, p->pid);
    for (struct process **pp = &t->processes; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    /* A vfork child still sharing P's memory inherits the breakpoints in
     * it: they are in its memory now, and only it can remove them. */
    for (struct process *q = t->processes; q; q = q->next)
        if (q->vfork_parent == p) {
            q->vfork_parent = NULL;
            q->breakpoints = p->breakpoints;
            p->breakpoints = NULL;
        }
    while (p->threads)
        thread_remove(p->threads);
    breakpoint_free_all(p);
    if (p->mem_fd >= 0)
        close(p->mem_fd);
    if (t->interrupt_pid == p->pid)
        t->interrupt_pid = 0;   /* its ^C goes with it */
    free(p);
}

static struct process *launch_argv(struct target *t, char *const argv[], const char *program, int extra_execs,
                                   char *err, size_t errlen);

/* Appends WORD to CMD (of size LEN) for the shell, quoted so that it stays
 * one word. False if it does not fit. */
static bool append_word(char *cmd, size_t len, const char *word)
{
    size_t n = strlen(cmd);
    if (n && n + 1 < len)
        cmd[n++] = ' ';
    if (n + 2 >= len)
        return false;
    cmd[n++] = '\'';
    for (const char *p = word; *p; p++) {
        const char *piece = *p == '\'' ? "'\\''" : NULL;
        size_t k = piece ? strlen(piece) : 1;
        if (n + k + 2 >= len)
            return false;
        if (piece)
            memcpy(cmd + n, piece, k);
        else
            cmd[n] = *p;
        n += k;
    }
    cmd[n++] = '\'';
    cmd[n] = '\0';
    return true;
}

/* What to exec for ARGV under T's launch options, and how many execs come
 * before the program itself (the shell's, the wrapper's). Returns a
 * malloc'ed argv (strings borrowed or in *CMD), NULL on overflow. */
static char **startup_argv(const struct target *t, char *const argv[], char **cmd, int *extra_execs)
{
    const struct launch_options *lo = t->launch;
    size_t nw = 0, na = 0;
    while (lo && lo->wrapper && lo->wrapper[nw])
        nw++;
    while (argv[na])
        na++;
    *extra_execs = nw ? 1 : 0;
    *cmd = NULL;
    /* The client's QStartupWithShell wins over the server's option. */
    bool with_shell = t->settings.startup_with_shell >= 0 ? t->settings.startup_with_shell == 1
                                                          : lo && lo->startup_with_shell;
    if (with_shell) {
        size_t len = 64;
        for (size_t i = 0; i < nw; i++)
            len += 4 * strlen(lo->wrapper[i]) + 3;
        for (size_t i = 0; i < na; i++)
            len += 4 * strlen(argv[i]) + 3;
        *cmd = calloc(1, len);
        char **out = calloc(4, sizeof *out);
        const char *shell = getenv("SHELL");
        if (!*cmd || !out) {
            free(*cmd);
            free(out);
            return NULL;
        }
        strcpy(*cmd, "exec");
        bool ok = true;
        for (size_t i = 0; i < nw; i++)
            ok = ok && append_word(*cmd, len, lo->wrapper[i]);
        for (size_t i = 0; i < na; i++)
            /* Each argument quoted, as gdbserver 13 does with vRun's: the
             * shell runs the program, it does not re-split or expand. */
            ok = ok && append_word(*cmd, len, argv[i]);
        out[0] = (char *)(shell && shell[0] == '/' ? shell : "/bin/sh");
        out[1] = (char *)"-c";
        out[2] = *cmd;
        *extra_execs += 1;
        if (!ok) {
            free(*cmd);
            free(out);
            return NULL;
        }
        return out;
    }
    char **out = calloc(nw + na + 1, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < nw; i++)
        out[i] = lo->wrapper[i];
    for (size_t i = 0; i < na; i++)
        out[nw + i] = argv[i];
    return out;
}

/* Runs a new process through the shell's and the wrapper's execs until the
 * program itself is exec'ed. Returns false with ERR if it ends on the way. */
static bool run_to_program(pid_t pid, int extra_execs, char *err, size_t errlen)
{
    if (!extra_execs)
        return true;
    if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) != 0) {
        snprintf(err, errlen, "PTRACE_SETOPTIONS: %s", strerror(errno));
        return false;
    }
    int sig = 0, status;
    while (extra_execs > 0) {
        if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig) != 0 || wait_tid(pid, &status) < 0) {
            snprintf(err, errlen, "lost the program during start-up: %s", strerror(errno));
            return false;
        }
        if (WIFEXITED(status)) {
            snprintf(err, errlen, "During startup program exited with code %d.", WEXITSTATUS(status));
            return false;
        }
        if (WIFSIGNALED(status)) {
            snprintf(err, errlen, "During startup program terminated with signal %s.",
                     strsignal(WTERMSIG(status)));
            return false;
        }
        sig = 0;
        if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
            extra_execs--;
        else if (WSTOPSIG(status) != SIGTRAP)
            sig = WSTOPSIG(status);   /* the shell's or wrapper's own signal */
    }
    return true;
}

struct process *target_launch(struct target *t, char *const argv[], char *err, size_t errlen)
{
    char *shell_cmd;
    int extra_execs;
    char **exec_argv = startup_argv(t, argv, &shell_cmd, &extra_execs);
    if (!exec_argv) {
        snprintf(err, errlen, "the command line is too long");
        return NULL;
    }
    struct process *p = launch_argv(t, exec_argv, argv[0], extra_execs, err, errlen);
    free(exec_argv);
    free(shell_cmd);
    return p;
}

/* Moves the terminal of our stdin, stdout or stderr (the first that is
 * one) from process group FROM to TO. Changing the foreground group from
 * the foreground needs SIGTTOU held off, as every shell does. */
static void move_terminal(const struct target *t, pid_t from, pid_t to)
{
    if (t->stdio_taken || from <= 0)
        return;
    for (int fd = 0; fd <= 2; fd++) {
        if (!isatty(fd) || tcgetpgrp(fd) != from)
            continue;
        sigset_t ttou, old;
        sigemptyset(&ttou);
        sigaddset(&ttou, SIGTTOU);
        sigprocmask(SIG_BLOCK, &ttou, &old);
        if (tcsetpgrp(fd, to) != 0)
            log_debug("tcsetpgrp %d -> %d: %s", (int)from, (int)to, strerror(errno));
        sigprocmask(SIG_SETMASK, &old, NULL);
        return;
    }
}

/* A launched program is the leader of its own process group (as with
 * gdbserver: the server's Ctrl-C is not the program's). If the server runs
 * in the foreground of a terminal, the program gets that terminal, so that
 * it can read from it as it would without a debugger (gdbserver does the
 * same); a server in the background or without one keeps its own. */
static void give_terminal(const struct target *t, pid_t pid)
{
    setpgid(pid, pid);   /* also done by the child: whichever runs first */
    move_terminal(t, getpgrp(), pid);
}

/* The terminal back from PID's group when it leaves the session (it
 * exited, or was detached): a detached program left in the foreground
 * would get the terminal's SIGHUP when the server's terminal closes (as a
 * testsuite closes it), and the server could not read it any more. */
static void reclaim_terminal(const struct target *t, pid_t pid)
{
    move_terminal(t, pid, getpgrp());
}

static struct process *launch_argv(struct target *t, char *const argv[], const char *program, int extra_execs,
                                   char *err, size_t errlen)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot fork: %s", strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return NULL;
    }
    if (pid == 0) {
        /* The debuggee must not inherit the server's signal set-up. */
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < NSIG; s++)
            signal(s, SIG_DFL);
        close(pipefd[0]);
        if (t->stdio_taken) {
            /* The protocol is on stdin/stdout: the program gets no input
             * and writes to stderr, as with gdbserver's stdio mode. */
            int null = open("/dev/null", O_RDONLY);
            if (null >= 0)
                dup2(null, STDIN_FILENO);
            dup2(STDERR_FILENO, STDOUT_FILENO);
            /* gdbserver says so on stderr (tools wait for it). */
            if (t->launch) {
                static const char said[] = "stdin/stdout redirected\n";
                ssize_t w = write(STDERR_FILENO, said, sizeof said - 1);
                (void)w;
            }
        }
        /* Its own process group, as gdbserver gives it: a Ctrl-C typed at
         * the server's terminal is not the program's. */
        setpgid(0, 0);
        /* The client's QSetDisableASLR wins over the server's option. */
        bool no_aslr = t->settings.disable_aslr >= 0 ? t->settings.disable_aslr == 1
                                                     : t->launch && t->launch->disable_randomization;
        if (no_aslr)
            personality((unsigned long)personality(0xffffffff) | ADDR_NO_RANDOMIZE);
        int e = launch_settings_apply(&t->settings);
        if (e == 0 && ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0) {
            if (strchr(argv[0], '/'))
                execv(argv[0], argv);
            else
                execvp(argv[0], argv);
        }
        if (e == 0)
            e = errno;
        ssize_t w = write(pipefd[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    give_terminal(t, pid);
    close(pipefd[1]);
    int exec_errno = 0;
    ssize_t n;
    do
        n = read(pipefd[0], &exec_errno, sizeof exec_errno);
    while (n < 0 && errno == EINTR);
    close(pipefd[0]);

    int status;
    if (wait_tid(pid, &status) < 0 || n == (ssize_t)sizeof exec_errno || !WIFSTOPPED(status)) {
        if (n == (ssize_t)sizeof exec_errno)
            snprintf(err, errlen, "cannot run '%s': %s", argv[0], strerror(exec_errno));
        else
            snprintf(err, errlen, "'%s' exited before its first instruction", argv[0]);
        if (WIFSTOPPED(status)) {
            kill(pid, SIGKILL);
            wait_tid(pid, &status);
        }
        return NULL;
    }
    if (!run_to_program(pid, extra_execs, err, errlen)) {
        kill(pid, SIGKILL);
        wait_tid(pid, &status);
        return NULL;
    }
    if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(TRACE_OPTIONS | PTRACE_O_EXITKILL)) != 0)
        log_warn("PTRACE_SETOPTIONS %d: %s", (int)pid, strerror(errno));
    struct process *p = target_add_process(t, pid, false);
    if (p)
        process_open_memory(p);
    struct thread *th = p ? thread_add(p, pid) : NULL;
    if (!th) {
        kill(pid, SIGKILL);
        wait_tid(pid, &status);
        if (p)
            target_free_process(t, p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    th->last = (struct stop_event){.kind = STOP_SIGNAL, .signo = SIGTRAP};
    if (!t->xsave_len)
        arch_probe(t, pid);
    if (!arch_detect_abi(p, pid)) {
        /* Without knowing its mode its registers would be misread. */
        snprintf(err, errlen, "cannot read the registers of '%s'", program);
        target_kill(t, p);
        return NULL;
    }
    log_info("launched %s: pid %d", program, (int)pid);
    return p;
}

/* What /proc/PID/status says about a process we are asked to attach to. */
struct proc_status {
    char state;      /* 'Z' for a zombie, ... ; 0 if unknown */
    pid_t tgid;      /* the process a thread id belongs to */
    pid_t ppid;
    pid_t tracer;
};

static bool read_status(pid_t pid, struct proc_status *st)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    memset(st, 0, sizeof *st);
    if (!f)
        return false;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "State: %c", &st->state) == 1 || sscanf(line, "Tgid: %d", &st->tgid) == 1 ||
            sscanf(line, "PPid: %d", &st->ppid) == 1)
            continue;
        if (sscanf(line, "TracerPid: %d", &st->tracer) == 1)
            break;
    }
    fclose(f);
    return true;
}

pid_t process_tgid(pid_t tid)
{
    struct proc_status st;
    return read_status(tid, &st) ? st.tgid : 0;
}

static pid_t tracer_of(pid_t pid)
{
    struct proc_status st;
    return read_status(pid, &st) ? st.tracer : 0;
}

/* True if PID runs the same executable as this process (another session,
 * or a TLS relay, of this server). */
static bool same_program(pid_t pid)
{
    char path[64], theirs[512], ours[512];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
    ssize_t a = readlink(path, theirs, sizeof theirs - 1);
    ssize_t b = readlink("/proc/self/exe", ours, sizeof ours - 1);
    if (a <= 0 || b <= 0)
        return true;   /* cannot tell: stay on the safe side */
    return a == b && memcmp(theirs, ours, (size_t)a) == 0;
}

/* Refuses what must never be attached, with the reason: the server itself,
 * another session of this server, a thread id given for a process, a
 * process already traced or already exited. */
static bool attach_allowed(struct target *t, pid_t pid, char *err, size_t errlen)
{
    if (pid <= 0) {
        snprintf(err, errlen, "invalid process id %d", (int)pid);
        return false;
    }
    if (pid == getpid() || pid == getppid()) {
        snprintf(err, errlen, "process %d is the process server itself", (int)pid);
        return false;
    }
    if (target_find_process(t, pid)) {
        snprintf(err, errlen, "process %d is already being debugged in this session", (int)pid);
        return false;
    }
    struct proc_status st;
    if (!read_status(pid, &st)) {
        snprintf(err, errlen, "no such process: %d", (int)pid);
        return false;
    }
    if (st.ppid == getppid() && same_program(pid)) {
        snprintf(err, errlen, "process %d is another session of this process server", (int)pid);
        return false;
    }
    if (st.tgid && st.tgid != pid) {
        snprintf(err, errlen, "%d is a thread of process %d; attach to the process", (int)pid, (int)st.tgid);
        return false;
    }
    if (st.state == 'Z' || st.state == 'X') {
        snprintf(err, errlen, "process %d has exited (it is a zombie waiting for its parent)", (int)pid);
        return false;
    }
    if (st.tracer) {
        snprintf(err, errlen, "process %d is already traced by process %d; detach that debugger first",
                 (int)pid, (int)st.tracer);
        return false;
    }
    return true;
}

/* Attaches one thread and waits for its attach stop. Returns 0 or errno. */
static int attach_thread(struct process *p, pid_t tid)
{
    if (ptrace(PTRACE_ATTACH, tid, NULL, NULL) != 0)
        return errno;
    struct thread *th = thread_add(p, tid);
    if (!th)
        return ENOMEM;
    int status;
    if (wait_tid(tid, &status) < 0 || !WIFSTOPPED(status)) {
        thread_remove(th);
        return ESRCH;
    }
    ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)(long)TRACE_OPTIONS);
    if (WSTOPSIG(status) != SIGSTOP) {
        /* Something else got there first; our SIGSTOP is still queued. */
        th->sigstop_expected = true;
        th->has_pending = true;
        th->pending = (struct stop_event){.kind = STOP_SIGNAL, .signo = WSTOPSIG(status)};
    }
    return 0;
}

struct process *target_attach(struct target *t, pid_t pid, char *err, size_t errlen)
{
    if (!attach_allowed(t, pid, err, errlen))
        return NULL;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    pid_t tracer;
    struct proc_status before;
    bool job_stopped = read_status(pid, &before) && before.state == 'T';
    struct process *p = target_add_process(t, pid, true);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->job_stopped = job_stopped;
    int e = attach_thread(p, pid);
    if (e) {
        target_free_process(t, p);
        if (e == ESRCH)
            snprintf(err, errlen, "no such process: %d", (int)pid);
        else if (e == EPERM && (tracer = tracer_of(pid)))
            snprintf(err, errlen, "process %d is already traced by process %d", (int)pid, (int)tracer);
        else if (e == EPERM)
            snprintf(err, errlen, "permission denied attaching to process %d (the process server runs as "
                     "uid %d; check the process owner, kernel.yama.ptrace_scope and CAP_SYS_PTRACE)",
                     (int)pid, (int)getuid());
        else
            snprintf(err, errlen, "cannot attach to process %d: %s", (int)pid, strerror(e));
        return NULL;
    }
    /* Attach every other thread. Threads not yet attached keep creating
     * and ending threads meanwhile, and a directory read while entries go
     * can skip live ones: so any thread attached counts as news, and so
     * does a thread id we could not attach (gone before we got to it: its
     * siblings still run), and only two passes in a row without news end
     * the loop, as in gdbserver. A failure counts once per id, so that a
     * thread that cannot be attached does not keep the loop going; but the
     * id is tried again in each pass: thread ids wrap around quickly in
     * such a process (pid_max is often 32768), and a new thread may have
     * the id of one that failed. */
    pid_t *failed = NULL;
    size_t nfailed = 0, cap = 0;
    for (int quiet = 0; quiet < 2;) {
        bool news = false;
        DIR *d = opendir(path);
        if (!d)
            break;
        struct dirent *de;
        while ((de = readdir(d))) {
            pid_t tid = (pid_t)atoi(de->d_name);
            if (tid <= 0 || target_find_thread(t, tid))
                continue;
            int why = attach_thread(p, tid);
            bool seen = false;
            for (size_t i = 0; i < nfailed && !seen; i++)
                seen = failed[i] == tid;
            if (why == 0 || !seen)
                news = true;
            if (why == 0 || seen)
                continue;
            log_debug("attach: thread %d of process %d not attached: %s", (int)tid, (int)pid, strerror(why));
            if (nfailed == cap) {
                size_t ncap = cap ? 2 * cap : 64;
                pid_t *grown = realloc(failed, ncap * sizeof *failed);
                if (!grown)
                    continue;
                failed = grown;
                cap = ncap;
            }
            failed[nfailed++] = tid;
        }
        closedir(d);
        quiet = news ? 0 : quiet + 1;
    }
    free(failed);
    if (!process_open_memory(p)) {
        target_detach(t, p);
        snprintf(err, errlen, "cannot access the memory of process %d", (int)pid);
        return NULL;
    }
    struct thread *leader = p->threads;
    if (leader->tid == pid && leader->has_pending && leader->pending.kind == STOP_SIGNAL) {
        /* A signal stopped the leader before our SIGSTOP did: the attach
         * stop is that signal, as in gdbserver (gdb then reports it, and
         * passes it on when it resumes or detaches the program). */
        leader->has_pending = false;
        leader->last = leader->pending;
        leader->pass_on_detach = leader->pending.signo;
    } else if (leader->tid == pid) {
        leader->last = (struct stop_event){.kind = STOP_ATTACHED, .signo = SIGSTOP};
    }
    if (!t->xsave_len)
        arch_probe(t, pid);
    if (!arch_detect_abi(p, p->threads->tid)) {
        target_detach(t, p);
        snprintf(err, errlen, "cannot read the registers of process %d", (int)pid);
        return NULL;
    }
    log_info("attached to pid %d (%zu threads)", (int)pid, process_thread_count(p));
    return p;
}

/* The signal a thread should get as it is let go: one that stopped it and
 * that the program would have received without a debugger. SIGTRAP and
 * SIGSTOP are the debugger's own; SIGINT is gdb's interrupt. */
static int detach_signal(const struct target *t, const struct thread *th)
{
    if (th->owed_signo)
        return th->owed_signo;   /* the client gave it; it was never delivered */
    int signo = th->has_pending && th->pending.kind == STOP_SIGNAL ? th->pending.signo : th->pass_on_detach;
    if (signo == SIGTRAP || signo == SIGSTOP || signo == SIGINT)
        return 0;
    /* QProgramSignals: what the client lets the program have. */
    if (t->program_signals_set && (signo <= 0 || signo >= TARGET_NSIG || !t->program_signals[signo]))
        return 0;
    return signo;
}

/* A fork child whose fork event the client has not had yet: the client does
 * not know it, so it shares its parent's fate. */
static struct process *unreported_child(struct target *t, const struct process *parent)
{
    for (struct process *q = t->processes; q; q = q->next)
        if (q->unreported && q->fork_parent == parent->pid)
            return q;
    return NULL;
}

void target_detach(struct target *t, struct process *p)
{
    for (struct process *c; (c = unreported_child(t, p));)
        target_detach(t, c);
    /* Non-stop: threads may run, and only a stopped tracee can be let go
     * with its pending SIGSTOPs and debug registers seen to. */
    if (t->non_stop)
        target_hold_process(t, p);
    breakpoint_remove_all(p);
    for (struct thread *th = p->threads; th; th = th->next) {
        /* A SIGSTOP we sent but never saw would stop the process after we
         * let go; a SIGCONT discards it. */
        if (th->sigstop_expected)
            tgkill(th->tgid, th->tid, SIGCONT);
        debug_regs_clear_thread(th);
        if (th->running && th->vfork_wait)
            log_info("thread %d waits for its vfork child: the kernel detaches it when the session ends",
                     (int)th->tid);
        if (ptrace(PTRACE_DETACH, th->tid, NULL, (void *)(long)detach_signal(t, th)) != 0)
            log_debug("PTRACE_DETACH %d: %s", (int)th->tid, strerror(errno));
    }
    log_info("detached from pid %d", (int)p->pid);
    target_free_process(t, p);
}

void target_kill(struct target *t, struct process *p)
{
    for (struct process *c; (c = unreported_child(t, p));)
        target_kill(t, c);
    if (p->pid > 0 && !p->exit_pending)
        kill(p->pid, SIGKILL);
    /* A clone() that shares the memory without CLONE_THREAD is a thread
     * group of its own, which that SIGKILL does not reach: waiting for it
     * below would hang. */
    for (struct thread *th = p->threads; th; th = th->next)
        if (th->tgid != p->pid)
            tgkill(th->tgid, th->tid, SIGKILL);
    /* Reap the other threads first: the leader's exit is reported only once
     * the rest of its thread group is gone. */
    int status;
    for (struct thread *th = p->threads; th; th = th->next)
        if (th->tid != p->pid)
            wait_tid(th->tid, &status);
    if (!p->exit_pending)
        while (wait_tid(p->pid, &status) > 0 && !WIFEXITED(status) && !WIFSIGNALED(status))
            ;
    log_info("killed pid %d", (int)p->pid);
    target_free_process(t, p);
}

void target_end_all(struct target *t)
{
    if (t->running)
        target_stop_all(t);
    t->running = false;
    while (t->processes) {
        struct process *p = t->processes;
        if (p->exit_pending)
            target_free_process(t, p);
        else if (p->attached)
            target_detach(t, p);
        else
            target_kill(t, p);
    }
    while (t->orphans) {
        struct orphan_stop *o = t->orphans;
        t->orphans = o->next;
        free(o);
    }
}
