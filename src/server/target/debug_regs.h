/* Hardware breakpoints and watchpoints: the four x86 debug address
 * registers DR0-DR3, their control register DR7 and status register DR6.
 *
 * A process keeps the wanted state (which slot watches what); each thread
 * gets it written into its own debug registers before it next runs, since
 * the registers are per thread and new threads start with none. A region
 * that is not one aligned 1, 2, 4 or 8 byte block takes several slots. */
#ifndef DBGSRV_DEBUG_REGS_H
#define DBGSRV_DEBUG_REGS_H

#include <stdbool.h>
#include <stdint.h>

#define DEBUG_REG_SLOTS 4

enum hw_point {
    HW_EXECUTE,   /* Z1: a hardware breakpoint */
    HW_WRITE,     /* Z2: a write watchpoint */
    HW_ACCESS,    /* Z4: a read or write watchpoint (x86 has no read-only one) */
};

struct hw_slot {
    unsigned refs;           /* 0: free */
    uint64_t addr;
    unsigned len;            /* 1, 2, 4 or 8; 1 for HW_EXECUTE */
    enum hw_point type;
};

struct debug_regs {
    struct hw_slot slot[DEBUG_REG_SLOTS];
    unsigned generation;     /* bumped on every change; threads compare */
};

struct process;
struct thread;

/* Adds or removes a point over [ADDR, ADDR+LEN). Returns 0, ENOSPC when
 * the free slots do not suffice, EINVAL for a bad length, ENOENT when
 * removing what is not there. */
int debug_regs_insert(struct process *p, enum hw_point type, uint64_t addr, uint64_t len);
int debug_regs_remove(struct process *p, enum hw_point type, uint64_t addr, uint64_t len);
/* Forgets every point (after exec, whose new image has none). */
void debug_regs_reset(struct process *p);

/* Writes the process's state into TH's registers if TH is behind (a
 * stopped thread, before it runs). */
bool debug_regs_apply(struct thread *th);
/* Clears TH's debug registers (before detaching: a trap after we left
 * would kill the process). */
void debug_regs_clear_thread(struct thread *th);

/* After a SIGTRAP: which slot of TH's process fired (DR6), cleared for
 * the next time. Returns the slot or NULL. */
const struct hw_slot *debug_regs_hit(struct thread *th);
/* True if the process still has a slot of TYPE at ADDR (a pending report
 * is dropped when the client removed its point meanwhile). */
bool debug_regs_has(const struct process *p, enum hw_point type, uint64_t addr);
/* True if any slot is in use. */
bool debug_regs_in_use(const struct process *p);

#endif
