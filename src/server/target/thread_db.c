#include "target/thread_db.h"

#include <asm/ldt.h>
#include <errno.h>
#include <proc_service.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/reg.h>
#include <sys/user.h>
#include <thread_db.h>

#include "target/elf_symbols.h"
#include "target/solib_list.h"
#include "target/thread_db_loader.h"

/* libthread_db's handle on the process: ours to define. */
struct ps_prochandle {
    struct process *proc;
};

/* --- the proc_service callbacks (exported from the executable, where
 * libthread_db finds them) --- */

ps_err_e ps_pdread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t len)
{
    return process_read_memory(ph->proc, (uint64_t)(uintptr_t)addr, buf, len) == len ? PS_OK : PS_BADADDR;
}

ps_err_e ps_pdwrite(struct ps_prochandle *ph, psaddr_t addr, const void *buf, size_t len)
{
    return process_write_memory(ph->proc, (uint64_t)(uintptr_t)addr, buf, len) == len ? PS_OK : PS_BADADDR;
}

ps_err_e ps_ptread(struct ps_prochandle *ph, psaddr_t addr, void *buf, size_t len)
{
    return ps_pdread(ph, addr, buf, len);
}

ps_err_e ps_ptwrite(struct ps_prochandle *ph, psaddr_t addr, const void *buf, size_t len)
{
    return ps_pdwrite(ph, addr, buf, len);
}

/* Only threads of the process, and only stopped ones, are touched. */
static bool ours(struct ps_prochandle *ph, lwpid_t lwp)
{
    for (struct thread *th = ph->proc->threads; th; th = th->next)
        if (th->tid == lwp && lwp > 0)
            return !th->running;
    return false;
}

/* The registers as PTRACE_GETREGS gives them, in x86-64's layout for
 * a 32-bit process too: an i386 libc describes its thread register for a
 * 64-bit libthread_db in that layout (_thread_db_register64_thread_area). */
ps_err_e ps_lgetregs(struct ps_prochandle *ph, lwpid_t lwp, prgregset_t regs)
{
    if (!ours(ph, lwp))
        return PS_BADLID;
    return ptrace(PTRACE_GETREGS, lwp, NULL, regs) == 0 ? PS_OK : PS_ERR;
}

ps_err_e ps_lsetregs(struct ps_prochandle *ph, lwpid_t lwp, const prgregset_t regs)
{
    (void)ph, (void)lwp, (void)regs;
    return PS_ERR;   /* a TLS look-up changes nothing */
}

ps_err_e ps_lgetfpregs(struct ps_prochandle *ph, lwpid_t lwp, prfpregset_t *regs)
{
    if (!ours(ph, lwp))
        return PS_BADLID;
    return ptrace(PTRACE_GETFPREGS, lwp, NULL, regs) == 0 ? PS_OK : PS_ERR;
}

ps_err_e ps_lsetfpregs(struct ps_prochandle *ph, lwpid_t lwp, const prfpregset_t *regs)
{
    (void)ph, (void)lwp, (void)regs;
    return PS_ERR;
}

pid_t ps_getpid(struct ps_prochandle *ph)
{
    return ph->proc->pid;
}

/* x86-64: the thread pointer is fs_base (libthread_db asks for FS).
 * i386: IDX is the GDT entry of the thread's %gs, whose base is it. */
ps_err_e ps_get_thread_area(struct ps_prochandle *ph, lwpid_t lwp, int idx, psaddr_t *addr)
{
    if (!ours(ph, lwp))
        return PS_BADLID;
    if (ph->proc->abi == ABI_I386) {
        struct user_desc desc;
        memset(&desc, 0, sizeof desc);
        if (ptrace(PTRACE_GET_THREAD_AREA, lwp, (void *)(long)idx, &desc) != 0)
            return PS_ERR;
        *addr = (psaddr_t)(uintptr_t)desc.base_addr;
        return PS_OK;
    }
    if (idx != FS && idx != GS)
        return PS_BADLID;
    errno = 0;
    long base = ptrace(PTRACE_PEEKUSER, lwp, (void *)(offsetof(struct user_regs_struct, fs_base) +
                                                      (idx == GS ? 8 : 0)), NULL);
    if (errno != 0)
        return PS_ERR;
    *addr = (psaddr_t)base;
    return PS_OK;
}

struct lookup {
    struct process *proc;
    const char *object, *name;
    uint64_t addr;
    bool found;
};

static bool same_object(const char *path, const char *object)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    /* libthread_db names libpthread.so.0 for symbols glibc 2.34 moved into libc. */
    return strcmp(base, object) == 0 || (strcmp(object, "libpthread.so.0") == 0 && strcmp(base, "libc.so.6") == 0);
}

static bool look_in(const struct solib *lib, void *ctx)
{
    struct lookup *lk = ctx;
    if (lk->object && !same_object(lib->name, lk->object))
        return true;
    /* The file as the process sees it (its root may not be ours). */
    char path[4096 + 64];
    uint64_t value;
    snprintf(path, sizeof path, "/proc/%d/root%s", (int)lk->proc->pid, lib->name);
    if (lib->name[0] == '/' && elf_symbol_value(path, lk->name, &value)) {
        lk->addr = lib->l_addr + value;
        lk->found = true;
        return false;
    }
    return true;
}

ps_err_e ps_pglobal_lookup(struct ps_prochandle *ph, const char *object, const char *name, psaddr_t *addr)
{
    struct lookup lk = {ph->proc, object, name, 0, false};
    uint64_t main_lm;
    solib_each(ph->proc, 0, 0, &main_lm, look_in, &lk);
    if (!lk.found && object) {
        lk.object = NULL;   /* a symbol another object ended up holding */
        solib_each(ph->proc, 0, 0, &main_lm, look_in, &lk);
    }
    if (!lk.found) {
        /* A static program holds libc (and its thread library) itself. */
        char path[64];
        uint64_t value, bias;
        snprintf(path, sizeof path, "/proc/%d/exe", (int)ph->proc->pid);
        if (solib_program_bias(ph->proc, &bias) && elf_symbol_value(path, name, &value)) {
            lk.addr = bias + value;
            lk.found = true;
        }
    }
    if (!lk.found)
        return PS_NOSYM;
    *addr = (psaddr_t)(uintptr_t)lk.addr;
    return PS_OK;
}

ps_err_e ps_pstop(struct ps_prochandle *ph)
{
    (void)ph;
    return PS_OK;   /* everything is stopped while the client asks */
}

ps_err_e ps_pcontinue(struct ps_prochandle *ph)
{
    (void)ph;
    return PS_OK;
}

ps_err_e ps_lstop(struct ps_prochandle *ph, lwpid_t lwp)
{
    (void)ph, (void)lwp;
    return PS_OK;
}

ps_err_e ps_lcontinue(struct ps_prochandle *ph, lwpid_t lwp)
{
    (void)ph, (void)lwp;
    return PS_OK;
}

/* --- the one question we ask libthread_db --- */

struct agent {
    struct ps_prochandle ph;
    td_thragent_t *ta;
    td_err_e error;   /* of the last library offered */
};

/* A library is the right one when it knows the process (a libthread_db
 * of another glibc says TD_VERSION). */
static bool accept_agent(const struct thread_db_lib *lib, void *ctx)
{
    struct agent *a = ctx;
    a->error = lib->ta_new(&a->ph, &a->ta);
    return a->error == TD_OK;
}

bool thread_db_tls_address(struct thread *th, uint64_t lm, uint64_t offset, uint64_t *addr, char *err,
                           size_t errlen)
{
    /* A new agent per question: libthread_db keeps no state worth
     * keeping, and a process that exec'ed or loaded libc since cannot
     * leave a stale one behind. */
    struct agent a = {.ph = {th->proc}, .ta = NULL, .error = TD_OK};
    const struct thread_db_lib *lib = thread_db_find(th->proc, accept_agent, &a, err, errlen);
    if (!lib) {
        if (a.error == TD_NOLIBTHREAD)
            snprintf(err, errlen, "the process has no thread library loaded (yet)");
        return false;
    }
    td_thrhandle_t handle;
    psaddr_t result = NULL;
    td_err_e e = lib->ta_map_lwp2thr(a.ta, th->tid, &handle);
    if (e == TD_OK && lm) {
        e = lib->thr_tls_get_addr(&handle, (psaddr_t)(uintptr_t)lm, (size_t)offset, &result);
    } else if (e == TD_OK) {
        /* No link_map: a static program, whose TLS is module 1's. */
        e = lib->thr_tlsbase ? lib->thr_tlsbase(&handle, 1, &result) : TD_NOCAPAB;
        if (e == TD_OK)
            result = (char *)result + offset;
    }
    lib->ta_delete(a.ta);
    if (e != TD_OK) {
        snprintf(err, errlen, e == TD_TLSDEFER ? "the thread has not allocated that TLS block yet"
                              : e == TD_NOTLS ? "that module has no thread-local storage"
                                              : "libthread_db cannot find it (error %d)", (int)e);
        return false;
    }
    *addr = (uint64_t)(uintptr_t)result;
    return true;
}
