/* Debuggee memory through /proc/PID/mem: one pread/pwrite per request rather
 * than a ptrace call per word, and writes reach read-only pages (the kernel
 * forces them for the tracer), which is how breakpoints go into text. */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "target/target.h"

bool process_peek(struct process *p, uint64_t addr, uint8_t *buf, size_t len)
{
    ssize_t n = pread(p->mem_fd, buf, len, (off_t)addr);
    return n == (ssize_t)len;
}

/* Falls back to PTRACE_POKEDATA where a kernel refuses writes through
 * /proc/PID/mem (proc_mem.force_override=never). */
static bool poke_words(struct process *p, uint64_t addr, const uint8_t *buf, size_t len)
{
    pid_t tid = p->threads ? p->threads->tid : p->pid;
    while (len) {
        uint64_t base = addr & ~(uint64_t)7;
        size_t skip = (size_t)(addr - base);
        size_t n = 8 - skip < len ? 8 - skip : len;
        errno = 0;
        long word = ptrace(PTRACE_PEEKDATA, tid, (void *)base, NULL);
        if (errno)
            return false;
        memcpy((uint8_t *)&word + skip, buf, n);
        if (ptrace(PTRACE_POKEDATA, tid, (void *)base, (void *)word) != 0)
            return false;
        addr += n;
        buf += n;
        len -= n;
    }
    return true;
}

bool process_poke(struct process *p, uint64_t addr, const uint8_t *buf, size_t len)
{
    ssize_t n = pwrite(p->mem_fd, buf, len, (off_t)addr);
    if (n == (ssize_t)len)
        return true;
    return poke_words(p, addr, buf, len);
}

size_t process_read_memory(struct process *p, uint64_t addr, uint8_t *buf, size_t len)
{
    if (addr + len < addr)          /* wraps around the address space */
        len = (size_t)(0 - addr);
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(p->mem_fd, buf + done, len - done, (off_t)(addr + done));
        if (n <= 0)
            break;                  /* the rest is unmapped: a partial read */
        done += (size_t)n;
    }
    /* Show the client the original bytes, not our int3s. */
    for (struct sw_breakpoint *bp = process_breakpoint_owner(p)->breakpoints; bp; bp = bp->next)
        if (bp->addr >= addr && bp->addr < addr + done)
            buf[bp->addr - addr] = bp->saved;
    return done;
}

size_t process_write_memory(struct process *p, uint64_t addr, const uint8_t *buf, size_t len)
{
    if (addr + len < addr)
        return 0;
    uint8_t tmp[4096];
    size_t done = 0;
    while (done < len) {
        size_t n = len - done < sizeof tmp ? len - done : sizeof tmp;
        uint64_t a = addr + done;
        memcpy(tmp, buf + done, n);
        /* A write over a breakpoint updates the saved byte and leaves the
         * int3 in place, so the breakpoint keeps working. */
        for (struct sw_breakpoint *bp = process_breakpoint_owner(p)->breakpoints; bp; bp = bp->next)
            if (bp->addr >= a && bp->addr < a + n) {
                bp->saved = tmp[bp->addr - a];
                tmp[bp->addr - a] = INT3;
            }
        if (!process_poke(p, a, tmp, n))
            break;
        done += n;
    }
    return done;
}
