/* The shared libraries of a process, as its dynamic linker lists them:
 * the r_debug structure (found through DT_DEBUG in the program's dynamic
 * section) and its chain of link_map entries, read from the process's
 * memory. What qXfer:libraries-svr4 reports, so that gdb needs no reads of
 * its own to follow library loads. The layouts are the process's own: LP64 for x86-64
 * programs, ILP32 for i386 ones. */
#ifndef DBGSRV_SOLIB_LIST_H
#define DBGSRV_SOLIB_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/target.h"

struct solib {
    uint64_t lm;          /* the link_map entry */
    uint64_t l_addr;      /* load bias */
    uint64_t l_ld;        /* its dynamic section */
    uint64_t lmid;        /* its namespace: the address of the namespace's r_debug */
    char name[4096];
};

/* The address of r_debug in *R_DEBUG, 0 while the dynamic linker has not
 * set it up (at the first instruction). False when the program has no
 * DT_DEBUG to find it by: a static program, or the dynamic linker run as
 * the program (`ld.so PROG`), whose list only the client can find (from
 * ld.so's symbols), as with gdbserver. */
bool solib_r_debug(struct process *p, uint64_t *r_debug);

/* The load bias of the program itself (0 unless it is PIE); false if its
 * headers cannot be read. */
bool solib_program_bias(struct process *p, uint64_t *bias);

/* Calls FN for each library, until the end or FN returns false: from
 * link_map START on in namespace LMID, or with START 0 every library of
 * every namespace (dlmopen), the program itself being skipped but
 * reported in *MAIN_LM. False if r_debug or a list cannot be found or
 * read. */
bool solib_each(struct process *p, uint64_t start, uint64_t lmid, uint64_t *main_lm,
                bool (*fn)(const struct solib *lib, void *ctx), void *ctx);

#endif
