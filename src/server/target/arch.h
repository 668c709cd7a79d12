/* The register set of the target architecture (x86-64): the numbering that
 * the target description gives the client, where each register lives in the
 * kernel's ptrace structures, and the target description XML itself. */
#ifndef DBGSRV_ARCH_H
#define DBGSRV_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/target.h"

/* Client register numbers that stop replies expedite. */
#define ARCH_REG_FP 6   /* rbp */
#define ARCH_REG_SP 7   /* rsp */
#define ARCH_REG_PC 16  /* rip */

#define ARCH_MAX_REG_SIZE 16

/* For lldb's qHostInfo, qProcessInfo and QLaunchArch. */
#define ARCH_TRIPLE "x86_64-pc-linux-gnu"
#define ARCH_NAME "x86_64"
#define ARCH_PTR_SIZE 8

/* Probes what the CPU and kernel offer (XSAVE, AVX) using a stopped thread. */
void arch_probe(struct target *t, pid_t tid);

int arch_num_regs(const struct target *t);
/* Size in bytes of register REGNO, or 0 if there is no such register. */
size_t arch_reg_size(const struct target *t, int regno);
/* Total size of all registers, the length of a 'g' reply in bytes. */
size_t arch_regs_size(const struct target *t);

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

/* The target description, "target.xml". */
const char *arch_target_xml(const struct target *t, size_t *len);

#endif
