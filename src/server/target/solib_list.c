#include "target/solib_list.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Bounds against a corrupt or hostile process: a link_map chain that
 * loops, a dynamic section without DT_NULL. */
#define MAX_LIBRARIES 65536
/* How many dlmopen namespaces are followed at most (glibc allows 16). */
#define MAX_NAMESPACES 256
#define MAX_DYNAMIC 4096

/* Where the fields are in struct r_debug and struct link_map (glibc), and
 * how big the auxv entries, program headers and dynamic entries are: LP64
 * for x86-64 programs, ILP32 for i386 ones. */
struct layout {
    unsigned word;             /* pointer size */
    unsigned r_debug_map;      /* r_debug.r_map, after the int r_version */
    unsigned r_debug_next;     /* r_debug_extended.r_next (r_version 2 and later) */
    unsigned lm_addr, lm_name, lm_ld, lm_next;
    unsigned phdr_size;        /* Elf64_Phdr or Elf32_Phdr */
};

static const struct layout lp64 = {8, 8, 40, 0, 8, 16, 24, sizeof(Elf64_Phdr)};
static const struct layout ilp32 = {4, 4, 20, 0, 4, 8, 12, sizeof(Elf32_Phdr)};

static const struct layout *layout_of(const struct process *p)
{
    return p->abi == ABI_I386 ? &ilp32 : &lp64;
}

/* A pointer-sized little-endian word of the process. */
static bool read_word(struct process *p, const struct layout *l, uint64_t addr, uint64_t *v)
{
    uint8_t b[8] = {0};
    if (process_read_memory(p, addr, b, l->word) != l->word)
        return false;
    *v = 0;
    for (unsigned i = l->word; i-- > 0;)
        *v = *v << 8 | b[i];
    return true;
}

/* Word I of a buffer of words of the process's size. */
static uint64_t word_at(const struct layout *l, const uint8_t *buf, size_t i)
{
    if (l->word == 4) {
        uint32_t v;
        memcpy(&v, buf + 4 * i, 4);
        return v;
    }
    uint64_t v;
    memcpy(&v, buf + 8 * i, 8);
    return v;
}

static bool read_auxv(pid_t pid, const struct layout *l, uint64_t *phdr, uint64_t *phnum)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/auxv", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    uint8_t av[16 * 128];
    ssize_t n = read(fd, av, sizeof av);
    close(fd);
    *phdr = *phnum = 0;
    /* Entries are two words: 16 bytes for LP64, 8 for ILP32. */
    size_t words = n > 0 ? (size_t)n / l->word : 0;
    for (size_t i = 0; i + 1 < words; i += 2) {
        uint64_t type = word_at(l, av, i), val = word_at(l, av, i + 1);
        if (type == AT_NULL)
            break;
        if (type == AT_PHDR)
            *phdr = val;
        else if (type == AT_PHNUM)
            *phnum = val;
    }
    return *phdr && *phnum && *phnum < 256;
}

/* The type and address of program header I of a table in BUF. */
static void phdr_at(const struct layout *l, const uint8_t *buf, size_t i, uint32_t *type, uint64_t *vaddr)
{
    if (l->word == 4) {
        Elf32_Phdr ph;
        memcpy(&ph, buf + i * sizeof ph, sizeof ph);
        *type = ph.p_type;
        *vaddr = ph.p_vaddr;
    } else {
        Elf64_Phdr ph;
        memcpy(&ph, buf + i * sizeof ph, sizeof ph);
        *type = ph.p_type;
        *vaddr = ph.p_vaddr;
    }
}

/* From the program's headers, read from its memory: its load bias (where
 * the headers are, less where the program says they are; 0 for a program
 * that is not PIE) and where its dynamic section is (0: a static
 * program). Addresses wrap at the word size. */
static bool program_layout(struct process *p, const struct layout *l, uint64_t *bias, uint64_t *dynamic)
{
    uint8_t ph[256 * sizeof(Elf64_Phdr)];
    uint64_t phdr, phnum;
    if (!read_auxv(p->pid, l, &phdr, &phnum))
        return false;
    size_t table = phnum * l->phdr_size;
    if (process_read_memory(p, phdr, ph, table) != table)
        return false;
    uint64_t mask = l->word == 4 ? 0xffffffffu : UINT64_MAX;
    uint64_t phdr_vaddr = phdr, dynamic_vaddr = 0;
    for (size_t i = 0; i < phnum; i++) {
        uint32_t type;
        uint64_t vaddr;
        phdr_at(l, ph, i, &type, &vaddr);
        if (type == PT_PHDR)
            phdr_vaddr = vaddr;
        else if (type == PT_DYNAMIC)
            dynamic_vaddr = vaddr;
    }
    *bias = (phdr - phdr_vaddr) & mask;
    *dynamic = dynamic_vaddr ? (dynamic_vaddr + *bias) & mask : 0;
    return true;
}

bool solib_program_bias(struct process *p, uint64_t *bias)
{
    uint64_t dynamic;
    return program_layout(p, layout_of(p), bias, &dynamic);
}

/* DT_DEBUG's value in the program's dynamic section, in memory. */
bool solib_r_debug(struct process *p, uint64_t *r_debug)
{
    const struct layout *l = layout_of(p);
    uint64_t bias, dynamic;
    *r_debug = 0;
    if (!program_layout(p, l, &bias, &dynamic))
        return false;
    if (!dynamic)
        return false;   /* a static program */
    /* Dynamic entries are a tag and a value, each a word. */
    for (size_t i = 0; i < MAX_DYNAMIC; i++) {
        uint64_t tag, val;
        uint64_t at = dynamic + i * 2 * l->word;
        if (!read_word(p, l, at, &tag) || !read_word(p, l, at + l->word, &val) || tag == DT_NULL)
            return false;
        if (tag == DT_DEBUG) {
            *r_debug = val;
            return true;
        }
    }
    return false;
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

/* The entries of one link_map chain from LM on; false if one cannot be
 * read, *STOP when FN asked to stop. */
static bool each_in_chain(struct process *p, const struct layout *l, uint64_t lm, uint64_t lmid,
                          bool (*fn)(const struct solib *lib, void *ctx), void *ctx, bool *stop)
{
    static struct solib lib;
    for (size_t count = 0; lm && count < MAX_LIBRARIES; count++) {
        uint64_t name, next;
        if (!read_word(p, l, lm + l->lm_addr, &lib.l_addr) || !read_word(p, l, lm + l->lm_name, &name) ||
            !read_word(p, l, lm + l->lm_ld, &lib.l_ld) || !read_word(p, l, lm + l->lm_next, &next))
            return false;
        lib.lm = lm;
        lib.lmid = lmid;
        read_name(p, name, lib.name, sizeof lib.name);
        /* Entries without a name (the program, a not yet named one) are
         * not libraries gdb could load. */
        if (lib.name[0] && !fn(&lib, ctx)) {
            *stop = true;
            return true;
        }
        lm = next;
    }
    return true;
}

bool solib_each(struct process *p, uint64_t start, uint64_t lmid, uint64_t *main_lm,
                bool (*fn)(const struct solib *lib, void *ctx), void *ctx)
{
    const struct layout *l = layout_of(p);
    *main_lm = 0;
    bool stop = false;
    if (start)
        return each_in_chain(p, l, start, lmid, fn, ctx, &stop);
    uint64_t r_debug;
    if (!solib_r_debug(p, &r_debug))
        return false;
    /* One r_debug per namespace (dlmopen): the default one first, whose
     * first entry is the program itself; the others are chained through
     * r_next from version 2 of the structure on. Each namespace is known
     * by the address of its r_debug, as gdbserver reports it (lmid). */
    for (unsigned ns = 0; r_debug && ns < MAX_NAMESPACES && !stop; ns++) {
        uint64_t lm, next_ns;
        uint32_t version;
        if (process_read_memory(p, r_debug, (uint8_t *)&version, 4) != 4 ||
            !read_word(p, l, r_debug + l->r_debug_map, &lm))
            return false;
        if (ns == 0) {
            *main_lm = lm;   /* the program */
            uint64_t next;
            if (lm && !read_word(p, l, lm + l->lm_next, &next))
                return false;
            lm = lm ? next : 0;
        }
        if (!each_in_chain(p, l, lm, r_debug, fn, ctx, &stop))
            return false;
        if (version < 2 || !read_word(p, l, r_debug + l->r_debug_next, &next_ns))
            break;
        r_debug = next_ns;
    }
    return true;
}
