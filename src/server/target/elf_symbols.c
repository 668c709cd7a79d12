#include "target/elf_symbols.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* libthread_db looks up a few dozen symbols of one library in a row: the
 * last file opened stays open for the next look-up. */
static struct {
    char path[4096];
    int fd;
    Elf *elf;
} cache = {.fd = -1};

static Elf *open_elf(const char *path)
{
    if (cache.elf && strcmp(cache.path, path) == 0)
        return cache.elf;
    if (cache.elf)
        elf_end(cache.elf);
    if (cache.fd >= 0)
        close(cache.fd);
    cache.elf = NULL;
    cache.fd = -1;
    if (elf_version(EV_CURRENT) == EV_NONE || strlen(path) >= sizeof cache.path)
        return NULL;
    cache.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (cache.fd < 0)
        return NULL;
    cache.elf = elf_begin(cache.fd, ELF_C_READ, NULL);
    if (!cache.elf || elf_kind(cache.elf) != ELF_K_ELF) {
        if (cache.elf)
            elf_end(cache.elf);
        close(cache.fd);
        cache.elf = NULL;
        cache.fd = -1;
        return NULL;
    }
    snprintf(cache.path, sizeof cache.path, "%s", path);
    return cache.elf;
}

static bool find_in(Elf *elf, Elf64_Word type, const char *name, uint64_t *value)
{
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        size_t count = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; data && i < count; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
                continue;
            const char *n = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (n && strcmp(n, name) == 0) {
                *value = sym.st_value;
                return true;
            }
        }
    }
    return false;
}

bool elf_symbol_value(const char *path, const char *name, uint64_t *value)
{
    Elf *elf = open_elf(path);
    return elf && (find_in(elf, SHT_DYNSYM, name, value) || find_in(elf, SHT_SYMTAB, name, value));
}
