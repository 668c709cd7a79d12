#include <stdlib.h>

#include "target/arch.h"
#include "target/target.h"

struct thread *thread_add(struct process *p, pid_t tid)
{
    struct thread *th = calloc(1, sizeof *th);
    if (!th)
        return NULL;
    th->tid = tid;
    th->proc = p;
    th->tgid = p->pid;
    /* Keep creation order (the leader first): clients list threads in it. */
    struct thread **tail = &p->threads;
    while (*tail)
        tail = &(*tail)->next;
    *tail = th;
    return th;
}

void thread_set_resume_signal(struct thread *th, int signo)
{
    /* A signal the client gives now replaces the owed one: gdb decides
     * about each signal once, and the owed one was already reported. */
    th->resume_signo = signo ? signo : th->owed_signo;
    th->owed_signo = 0;
}

void thread_keep_resume_signal(struct thread *th)
{
    if (th->resume_signo && !th->owed_signo)
        th->owed_signo = th->resume_signo;
    th->resume_signo = 0;
}

void thread_remove(struct thread *th)
{
    struct process *p = th->proc;
    for (struct thread **pp = &p->threads; *pp; pp = &(*pp)->next)
        if (*pp == th) {
            *pp = th->next;
            break;
        }
    arch_regcache_free(th);
    free(th);
}

size_t process_thread_count(const struct process *p)
{
    size_t n = 0;
    for (const struct thread *th = p->threads; th; th = th->next)
        n++;
    return n;
}

struct thread *process_live_thread(struct process *p)
{
    for (struct thread *th = p->threads; th; th = th->next)
        if (!th->zombie)
            return th;
    return NULL;
}
