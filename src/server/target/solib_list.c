#include "target/solib_list.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Bounds against a corrupt or hostile process: a link_map chain that
 * loops, a dynamic section without DT_NULL. */
#define MAX_LIBRARIES 65536
#define MAX_DYNAMIC 4096

/* struct r_debug and struct link_map (glibc, LP64). */
#define R_DEBUG_MAP 8
#define LM_ADDR 0
#define LM_NAME 8
#define LM_LD 16
#define LM_NEXT 24

static bool read_u64(struct process *p, uint64_t addr, uint64_t *v)
{
    return process_read_memory(p, addr, (uint8_t *)v, 8) == 8;
}

static bool read_auxv(pid_t pid, uint64_t *phdr, uint64_t *phnum)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/auxv", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    uint64_t av[2 * 128];
    ssize_t n = read(fd, av, sizeof av);
    close(fd);
    *phdr = *phnum = 0;
    for (ssize_t i = 0; i + 1 < n / 8; i += 2) {
        if (av[i] == AT_PHDR)
            *phdr = av[i + 1];
        else if (av[i] == AT_PHNUM)
            *phnum = av[i + 1];
    }
    return *phdr && *phnum && *phnum < 256;
}

/* DT_DEBUG's value in the program's dynamic section, in memory. */
uint64_t solib_r_debug(struct process *p)
{
    uint64_t phdr, phnum;
    if (!read_auxv(p->pid, &phdr, &phnum))
        return 0;
    Elf64_Phdr ph[256];
    if (process_read_memory(p, phdr, (uint8_t *)ph, phnum * sizeof ph[0]) != phnum * sizeof ph[0])
        return 0;
    /* The load bias: where the program headers are, less where the
     * program says they are (0 for a program that is not PIE). */
    uint64_t bias = 0, dynamic = 0;
    for (size_t i = 0; i < phnum; i++)
        if (ph[i].p_type == PT_PHDR)
            bias = phdr - ph[i].p_vaddr;
    for (size_t i = 0; i < phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dynamic = ph[i].p_vaddr + bias;
    if (!dynamic)
        return 0;   /* a static program */
    for (size_t i = 0; i < MAX_DYNAMIC; i++) {
        Elf64_Dyn d;
        if (process_read_memory(p, dynamic + i * sizeof d, (uint8_t *)&d, sizeof d) != sizeof d ||
            d.d_tag == DT_NULL)
            return 0;
        if (d.d_tag == DT_DEBUG)
            return d.d_un.d_ptr;
    }
    return 0;
}

static void read_name(struct process *p, uint64_t addr, char *out, size_t len)
{
    size_t got = 0;
    out[0] = '\0';
    while (addr && got + 1 < len) {
        size_t want = 256;
        if (want > len - 1 - got)
            want = len - 1 - got;
        size_t n = process_read_memory(p, addr + got, (uint8_t *)out + got, want);
        if (n == 0)
            break;
        out[got + n] = '\0';
        if (memchr(out + got, '\0', n))
            return;
        got += n;
    }
    out[got] = '\0';
}

bool solib_each(struct process *p, uint64_t start, uint64_t *main_lm,
                bool (*fn)(const struct solib *lib, void *ctx), void *ctx)
{
    *main_lm = 0;
    uint64_t lm = start;
    if (!lm) {
        uint64_t r_debug = solib_r_debug(p);
        if (!r_debug)
            return true;   /* nothing loaded yet (or a static program): an empty list */
        if (!read_u64(p, r_debug + R_DEBUG_MAP, &lm))
            return false;
        /* The first entry is the program itself. */
        *main_lm = lm;
        uint64_t next;
        if (lm && !read_u64(p, lm + LM_NEXT, &next))
            return false;
        lm = lm ? next : 0;
    }
    static struct solib lib;
    for (size_t count = 0; lm && count < MAX_LIBRARIES; count++) {
        uint64_t name, next;
        if (!read_u64(p, lm + LM_ADDR, &lib.l_addr) || !read_u64(p, lm + LM_NAME, &name) ||
            !read_u64(p, lm + LM_LD, &lib.l_ld) || !read_u64(p, lm + LM_NEXT, &next))
            return false;
        lib.lm = lm;
        read_name(p, name, lib.name, sizeof lib.name);
        /* Entries without a name (the program, a not yet named one) are
         * not libraries gdb could load. */
        if (lib.name[0] && !fn(&lib, ctx))
            break;
        lm = next;
    }
    return true;
}
