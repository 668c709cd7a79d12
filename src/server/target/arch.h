/* The register sets of the processes a session debugs: x86-64 programs and
 * 32-bit (i386) programs, each process with its own (target.h's
 * process_abi). For each: the numbering that its target description gives
 * the client, where each register lives in the kernel's ptrace structures,
 * and the description XML itself. arch_x86.c does the work, from the
 * tables of arch_x86_64.c and arch_i386.c. */
#ifndef DBGSRV_ARCH_H
#define DBGSRV_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/target.h"

#define ARCH_MAX_REG_SIZE 16

/* For lldb's qHostInfo and QLaunchArch: the machine's own. */
#define ARCH_TRIPLE "x86_64-pc-linux-gnu"
#define ARCH_NAME "x86_64"
#define ARCH_PTR_SIZE 8

/* Probes what the CPU and kernel offer (XSAVE, AVX) using a stopped thread. */
void arch_probe(struct target *t, pid_t tid);
/* Sets P's ABI from the code segment its stopped thread TID runs in (after
 * launch, attach and exec). False if the registers cannot be read (the
 * ABI is left as it was). */
bool arch_detect_abi(struct process *p, pid_t tid);

/* P may be NULL (no process yet): then the x86-64 set. */
int arch_num_regs(const struct target *t, const struct process *p);
/* Size in bytes of register REGNO, or 0 if there is no such register. */
size_t arch_reg_size(const struct target *t, const struct process *p, int regno);
/* Total size of all registers, the length of a 'g' reply in bytes. */
size_t arch_regs_size(const struct target *t, const struct process *p);

/* The registers stop replies expedite, as P's description numbers them. */
struct arch_frame_regs {
    int fp, sp, pc;
};
struct arch_frame_regs arch_frame_regs(const struct process *p);
/* lldb's triple and pointer size for P. */
const char *arch_triple(const struct process *p);
int arch_ptr_size(const struct process *p);

/* TH's registers, in the numbering of its process's set. */
bool arch_read_reg(struct target *t, struct thread *th, int regno, uint8_t *out);
bool arch_write_reg(struct target *t, struct thread *th, int regno, const uint8_t *in);
/* Reads or writes every register in 'g' packet order. */
bool arch_read_all(struct target *t, struct thread *th, uint8_t *out);
bool arch_write_all(struct target *t, struct thread *th, const uint8_t *in);

bool arch_get_pc(struct thread *th, uint64_t *pc);
bool arch_set_pc(struct thread *th, uint64_t pc);
/* Forgets cached registers; called whenever the thread runs. */
void arch_regcache_invalidate(struct thread *th);
void arch_regcache_free(struct thread *th);

/* The target description of P's register set, "target.xml" (P NULL: the
 * x86-64 one). Valid until the next call. */
const char *arch_target_xml(const struct target *t, const struct process *p, size_t *len);

#endif
