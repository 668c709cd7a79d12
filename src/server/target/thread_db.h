/* Thread-local storage addresses through glibc's libthread_db, which knows
 * the layout of glibc's thread descriptors and TLS blocks: the server
 * answers qGetTLSAddr as gdbserver does, so gdb can print __thread
 * variables. libthread_db reads the process through the proc_service
 * callbacks defined in thread_db.c (memory, registers, symbols, looked up
 * in the loaded libraries' ELF files). The library is found on
 * libthread-db-search-path (thread_db_loader.h). 32-bit processes too:
 * an i386 libc describes its thread register for a 64-bit libthread_db,
 * and the thread area is the GDT entry of %gs. */
#ifndef DBGSRV_THREAD_DB_H
#define DBGSRV_THREAD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/target.h"

/* The address of the variable at OFFSET in the TLS block of the module
 * whose link_map is LM, for thread TH (stopped). False with ERR. */
bool thread_db_tls_address(struct thread *th, uint64_t lm, uint64_t offset, uint64_t *addr, char *err,
                           size_t errlen);

#endif
