/* Looking up a symbol's address in an ELF file on the target machine
 * (through elfutils' libelf): its dynamic symbol table, else its full
 * one. For libthread_db's ps_pglobal_lookup. */
#ifndef DBGSRV_ELF_SYMBOLS_H
#define DBGSRV_ELF_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

/* The value (link-time address) of symbol NAME in the ELF file PATH;
 * false if the file cannot be read or has no such defined symbol. */
bool elf_symbol_value(const char *path, const char *name, uint64_t *value);

#endif
