/* x86-64 registers through ptrace.
 *
 * General registers come from PTRACE_GETREGS. Floating-point and vector
 * registers come from the XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE), whose
 * first 512 bytes are the FXSAVE layout; without XSAVE, PTRACE_GETFPREGS gives
 * the FXSAVE layout alone and the AVX feature is not described. */
#include "target/arch.h"

#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "log.h"

enum reg_source { SRC_GP, SRC_FX, SRC_FTAG, SRC_FOP, SRC_YMMH };

struct reg_def {
    const char *name;
    unsigned size;          /* bytes sent to the client */
    enum reg_source source;
    unsigned offset;        /* in user_regs_struct, FXSAVE area, or ymmh index */
    unsigned src_size;      /* bytes stored at OFFSET (zero-extended to SIZE) */
};

#define GP(n, f, sz) {n, sz, SRC_GP, offsetof(struct user_regs_struct, f), sz}
#define FX(n, off, sz, ssz) {n, sz, SRC_FX, off, ssz}

/* Order and numbering are those of the target description below. */
static const struct reg_def regs[] = {
    GP("rax", rax, 8), GP("rbx", rbx, 8), GP("rcx", rcx, 8), GP("rdx", rdx, 8),
    GP("rsi", rsi, 8), GP("rdi", rdi, 8), GP("rbp", rbp, 8), GP("rsp", rsp, 8),
    GP("r8", r8, 8), GP("r9", r9, 8), GP("r10", r10, 8), GP("r11", r11, 8),
    GP("r12", r12, 8), GP("r13", r13, 8), GP("r14", r14, 8), GP("r15", r15, 8),
    GP("rip", rip, 8), GP("eflags", eflags, 4),
    GP("cs", cs, 4), GP("ss", ss, 4), GP("ds", ds, 4), GP("es", es, 4), GP("fs", fs, 4), GP("gs", gs, 4),
    FX("st0", 32, 10, 10), FX("st1", 48, 10, 10), FX("st2", 64, 10, 10), FX("st3", 80, 10, 10),
    FX("st4", 96, 10, 10), FX("st5", 112, 10, 10), FX("st6", 128, 10, 10), FX("st7", 144, 10, 10),
    FX("fctrl", 0, 4, 2), FX("fstat", 2, 4, 2), {"ftag", 4, SRC_FTAG, 4, 1},
    FX("fiseg", 12, 4, 4), FX("fioff", 8, 4, 4), FX("foseg", 20, 4, 4), FX("fooff", 16, 4, 4),
    {"fop", 4, SRC_FOP, 6, 2},
    FX("xmm0", 160, 16, 16), FX("xmm1", 176, 16, 16), FX("xmm2", 192, 16, 16), FX("xmm3", 208, 16, 16),
    FX("xmm4", 224, 16, 16), FX("xmm5", 240, 16, 16), FX("xmm6", 256, 16, 16), FX("xmm7", 272, 16, 16),
    FX("xmm8", 288, 16, 16), FX("xmm9", 304, 16, 16), FX("xmm10", 320, 16, 16), FX("xmm11", 336, 16, 16),
    FX("xmm12", 352, 16, 16), FX("xmm13", 368, 16, 16), FX("xmm14", 384, 16, 16), FX("xmm15", 400, 16, 16),
    FX("mxcsr", 24, 4, 4),
    GP("orig_rax", orig_rax, 8),
    GP("fs_base", fs_base, 8), GP("gs_base", gs_base, 8),
    {"ymm0h", 16, SRC_YMMH, 0, 16}, {"ymm1h", 16, SRC_YMMH, 1, 16}, {"ymm2h", 16, SRC_YMMH, 2, 16},
    {"ymm3h", 16, SRC_YMMH, 3, 16}, {"ymm4h", 16, SRC_YMMH, 4, 16}, {"ymm5h", 16, SRC_YMMH, 5, 16},
    {"ymm6h", 16, SRC_YMMH, 6, 16}, {"ymm7h", 16, SRC_YMMH, 7, 16}, {"ymm8h", 16, SRC_YMMH, 8, 16},
    {"ymm9h", 16, SRC_YMMH, 9, 16}, {"ymm10h", 16, SRC_YMMH, 10, 16}, {"ymm11h", 16, SRC_YMMH, 11, 16},
    {"ymm12h", 16, SRC_YMMH, 12, 16}, {"ymm13h", 16, SRC_YMMH, 13, 16}, {"ymm14h", 16, SRC_YMMH, 14, 16},
    {"ymm15h", 16, SRC_YMMH, 15, 16},
};

#define NUM_REGS_ALL ((int)(sizeof regs / sizeof regs[0]))
#define FIRST_YMMH 60
#define FX_AREA 512
#define XSAVE_HEADER 512        /* xstate_bv lives here */
#define XFEATURE_X87 1u
#define XFEATURE_SSE 2u
#define XFEATURE_AVX 4u
#define XSAVE_MAX 16384         /* enough for every current XSAVE layout */

/* Offset of the AVX state in the standard XSAVE layout (CPUID 0xD.2 EBX). */
static unsigned ymmh_offset = 576;

void arch_probe(struct target *t, pid_t tid)
{
    uint8_t *buf = calloc(1, XSAVE_MAX);
    if (!buf)
        return;
    struct iovec iov = {buf, XSAVE_MAX};
    if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) == 0 && iov.iov_len > FX_AREA) {
        t->have_xsave = true;
        t->xsave_len = iov.iov_len;
        uint64_t xcr0;
        /* The kernel stores XCR0 in the software-reserved bytes 464..471. */
        memcpy(&xcr0, buf + 464, sizeof xcr0);
        unsigned a, b, c, d;
        if ((xcr0 & XFEATURE_AVX) && __get_cpuid_count(0xd, 2, &a, &b, &c, &d) && b + 256 <= iov.iov_len) {
            t->have_avx = true;
            ymmh_offset = b;
        }
    } else {
        t->have_xsave = false;
        t->xsave_len = sizeof(struct user_fpregs_struct);
    }
    free(buf);
    log_debug("registers: xsave=%d (%zu bytes) avx=%d", t->have_xsave, t->xsave_len, t->have_avx);
}

int arch_num_regs(const struct target *t)
{
    return t->have_avx ? NUM_REGS_ALL : FIRST_YMMH;
}

size_t arch_reg_size(const struct target *t, int regno)
{
    if (regno < 0 || regno >= arch_num_regs(t))
        return 0;
    return regs[regno].size;
}

size_t arch_regs_size(const struct target *t)
{
    size_t n = 0;
    for (int i = 0; i < arch_num_regs(t); i++)
        n += regs[i].size;
    return n;
}

void arch_regcache_invalidate(struct thread *th)
{
    th->regs.gp_valid = false;
    th->regs.fp_valid = false;
}

void arch_regcache_free(struct thread *th)
{
    free(th->regs.xsave);
    th->regs.xsave = NULL;
    arch_regcache_invalidate(th);
}

static bool fetch_gp(struct thread *th)
{
    if (th->regs.gp_valid)
        return true;
    if (ptrace(PTRACE_GETREGS, th->tid, NULL, &th->regs.gp) != 0) {
        log_debug("PTRACE_GETREGS %d: %s", th->tid, strerror(errno));
        return false;
    }
    th->regs.gp_valid = true;
    return true;
}

static bool fetch_fp(struct target *t, struct thread *th)
{
    if (th->regs.fp_valid)
        return true;
    if (!th->regs.xsave) {
        th->regs.xsave = calloc(1, t->xsave_len < FX_AREA ? FX_AREA : t->xsave_len);
        if (!th->regs.xsave)
            return false;
    }
    if (t->have_xsave) {
        struct iovec iov = {th->regs.xsave, t->xsave_len};
        if (ptrace(PTRACE_GETREGSET, th->tid, (void *)NT_X86_XSTATE, &iov) != 0)
            return false;
        th->regs.xsave_len = iov.iov_len;
    } else {
        if (ptrace(PTRACE_GETFPREGS, th->tid, NULL, th->regs.xsave) != 0)
            return false;
        th->regs.xsave_len = sizeof(struct user_fpregs_struct);
    }
    th->regs.fp_valid = true;
    return true;
}

static bool store_gp(struct thread *th)
{
    return ptrace(PTRACE_SETREGS, th->tid, NULL, &th->regs.gp) == 0;
}

static bool store_fp(struct target *t, struct thread *th, uint64_t features)
{
    if (t->have_xsave) {
        uint64_t bv;
        memcpy(&bv, th->regs.xsave + XSAVE_HEADER, sizeof bv);
        bv |= features;   /* components written become "in use" */
        memcpy(th->regs.xsave + XSAVE_HEADER, &bv, sizeof bv);
        struct iovec iov = {th->regs.xsave, th->regs.xsave_len};
        return ptrace(PTRACE_SETREGSET, th->tid, (void *)NT_X86_XSTATE, &iov) == 0;
    }
    return ptrace(PTRACE_SETFPREGS, th->tid, NULL, th->regs.xsave) == 0;
}

/* The FXSAVE area keeps an abridged tag (one "not empty" bit per physical
 * register); the client wants the full two-bit tag, which depends on the
 * register contents: 0 valid, 1 zero, 2 special, 3 empty. */
static uint32_t full_ftag(const uint8_t *fx)
{
    uint16_t fstat;
    memcpy(&fstat, fx + 2, 2);
    unsigned top = (fstat >> 11) & 7;
    uint8_t abridged = fx[4];
    uint32_t tag = 0;
    for (unsigned phys = 0; phys < 8; phys++) {
        unsigned t;
        if (!(abridged & (1u << phys))) {
            t = 3;
        } else {
            const uint8_t *r = fx + 32 + 16 * ((phys - top) & 7);
            uint16_t exp;
            uint64_t mant;
            memcpy(&mant, r, 8);
            memcpy(&exp, r + 8, 2);
            exp &= 0x7fff;
            if (exp == 0x7fff)
                t = 2;
            else if (exp == 0)
                t = mant == 0 ? 1 : 2;
            else
                t = (mant >> 63) ? 0 : 2;
        }
        tag |= t << (2 * phys);
    }
    return tag;
}

static uint8_t abridged_ftag(uint32_t full)
{
    uint8_t a = 0;
    for (unsigned phys = 0; phys < 8; phys++)
        if (((full >> (2 * phys)) & 3) != 3)
            a |= (uint8_t)(1u << phys);
    return a;
}

static bool ymmh_in_use(const struct thread *th)
{
    uint64_t bv;
    memcpy(&bv, th->regs.xsave + XSAVE_HEADER, sizeof bv);
    return (bv & XFEATURE_AVX) != 0;
}

bool arch_read_reg(struct target *t, struct thread *th, int regno, uint8_t *out)
{
    if (regno < 0 || regno >= arch_num_regs(t))
        return false;
    const struct reg_def *r = &regs[regno];
    memset(out, 0, r->size);
    switch (r->source) {
    case SRC_GP:
        if (!fetch_gp(th))
            return false;
        memcpy(out, (const uint8_t *)&th->regs.gp + r->offset, r->src_size);
        return true;
    case SRC_FX:
        if (!fetch_fp(t, th))
            return false;
        memcpy(out, th->regs.xsave + r->offset, r->src_size);
        return true;
    case SRC_FTAG: {
        if (!fetch_fp(t, th))
            return false;
        uint32_t tag = full_ftag(th->regs.xsave);
        memcpy(out, &tag, 4);
        return true;
    }
    case SRC_FOP: {
        if (!fetch_fp(t, th))
            return false;
        uint16_t fop;
        memcpy(&fop, th->regs.xsave + r->offset, 2);
        fop &= 0x7ff;
        memcpy(out, &fop, 2);
        return true;
    }
    case SRC_YMMH:
        if (!fetch_fp(t, th))
            return false;
        if (ymmh_in_use(th))   /* otherwise in init state: zero */
            memcpy(out, th->regs.xsave + ymmh_offset + 16 * r->offset, 16);
        return true;
    }
    return false;
}

/* Applies one register into the cache without storing it to the thread.
 * Returns the XSAVE feature bit the register belongs to (0 for GP). */
static uint64_t apply_reg(struct thread *th, int regno, const uint8_t *in)
{
    const struct reg_def *r = &regs[regno];
    switch (r->source) {
    case SRC_GP:
        memcpy((uint8_t *)&th->regs.gp + r->offset, in, r->src_size);
        return 0;
    case SRC_FX:
        memcpy(th->regs.xsave + r->offset, in, r->src_size);
        return (r->offset >= 160 || r->offset == 24) ? XFEATURE_SSE : XFEATURE_X87;
    case SRC_FTAG: {
        uint32_t full;
        memcpy(&full, in, 4);
        th->regs.xsave[4] = abridged_ftag(full);
        return XFEATURE_X87;
    }
    case SRC_FOP: {
        uint16_t fop;
        memcpy(&fop, in, 2);
        fop &= 0x7ff;
        memcpy(th->regs.xsave + r->offset, &fop, 2);
        return XFEATURE_X87;
    }
    case SRC_YMMH: {
        if (!ymmh_in_use(th))   /* leaving init state: the other halves are zero */
            memset(th->regs.xsave + ymmh_offset, 0, 256);
        memcpy(th->regs.xsave + ymmh_offset + 16 * r->offset, in, 16);
        return XFEATURE_AVX;
    }
    }
    return 0;
}

bool arch_write_reg(struct target *t, struct thread *th, int regno, const uint8_t *in)
{
    if (regno < 0 || regno >= arch_num_regs(t))
        return false;
    if (regs[regno].source == SRC_GP) {
        if (!fetch_gp(th))
            return false;
        uint64_t old_pc = th->regs.gp.rip;
        apply_reg(th, regno, in);
        /* A thread stopped inside an interrupted system call would have
         * the kernel restart it at the new PC (2 bytes before it): a new
         * PC means no restart, as gdb's write_pc does. lldb relies on the
         * server for this when it calls a function in the program. */
        if (regno == ARCH_REG_PC && th->regs.gp.rip != old_pc)
            th->regs.gp.orig_rax = (unsigned long long)-1;
        if (!store_gp(th)) {
            th->regs.gp_valid = false;
            return false;
        }
        return true;
    }
    if (!fetch_fp(t, th))
        return false;
    uint64_t feature = apply_reg(th, regno, in);
    if (!store_fp(t, th, feature)) {
        th->regs.fp_valid = false;
        return false;
    }
    return true;
}

bool arch_read_all(struct target *t, struct thread *th, uint8_t *out)
{
    size_t off = 0;
    for (int i = 0; i < arch_num_regs(t); i++) {
        if (!arch_read_reg(t, th, i, out + off))
            return false;
        off += regs[i].size;
    }
    return true;
}

bool arch_write_all(struct target *t, struct thread *th, const uint8_t *in)
{
    if (!fetch_gp(th) || !fetch_fp(t, th))
        return false;
    uint64_t features = 0;
    size_t off = 0;
    for (int i = 0; i < arch_num_regs(t); i++) {
        features |= apply_reg(th, i, in + off);
        off += regs[i].size;
    }
    bool ok = store_gp(th) && store_fp(t, th, features);
    if (!ok)
        arch_regcache_invalidate(th);
    return ok;
}

bool arch_get_pc(struct thread *th, uint64_t *pc)
{
    if (!fetch_gp(th))
        return false;
    *pc = th->regs.gp.rip;
    return true;
}

bool arch_set_pc(struct thread *th, uint64_t pc)
{
    if (!fetch_gp(th))
        return false;
    if (th->regs.gp.rip != pc)
        th->regs.gp.orig_rax = (unsigned long long)-1;   /* no syscall restart: see arch_write_reg */
    th->regs.gp.rip = pc;
    return store_gp(th);
}

/* ---- target description ---- */

static const char xml_head[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386:x86-64</architecture>\n"
    "<osabi>GNU/Linux</osabi>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<flags id=\"i386_eflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
    "<field name=\"ID\" start=\"21\" end=\"21\"/></flags>\n";

static const char xml_sse_types[] =
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
    "<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>"
    "<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>"
    "<field name=\"uint128\" type=\"uint128\"/></union>\n"
    "<flags id=\"i386_mxcsr\" size=\"4\">"
    "<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
    "<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
    "<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
    "<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
    "<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
    "<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
    "<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/></flags>\n";

/* Type and group of each register in the description, by number. */
static void reg_xml(char *out, size_t len, int i)
{
    const char *type = "int64", *group = "";
    if (i == 6 || i == 7)
        type = "data_ptr";
    else if (i == 16)
        type = "code_ptr";
    else if (i == 17)
        type = "i386_eflags";
    else if (i >= 18 && i <= 23)
        type = "int32";
    else if (i >= 24 && i <= 31)
        type = "i387_ext";
    else if (i >= 32 && i <= 39)
        type = "int", group = " group=\"float\"";
    else if (i >= 40 && i <= 55)
        type = "vec128";
    else if (i == 56)
        type = "i386_mxcsr", group = " group=\"vector\"";
    else if (i >= 57 && i <= 59)
        type = "int";
    else if (i >= FIRST_YMMH)
        type = "uint128";
    snprintf(out, len, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%d\"%s/>\n",
             regs[i].name, regs[i].size * 8, type, i, group);
}

const char *arch_target_xml(const struct target *t, size_t *len)
{
    static char xml[16384];
    size_t n = 0;
    char line[160];
#define PUT(s) do { size_t l_ = strlen(s); memcpy(xml + n, s, l_); n += l_; } while (0)
    PUT(xml_head);
    for (int i = 0; i < 40; i++) {
        reg_xml(line, sizeof line, i);
        PUT(line);
    }
    PUT("</feature>\n<feature name=\"org.gnu.gdb.i386.sse\">\n");
    PUT(xml_sse_types);
    for (int i = 40; i < 57; i++) {
        reg_xml(line, sizeof line, i);
        PUT(line);
    }
    PUT("</feature>\n<feature name=\"org.gnu.gdb.i386.linux\">\n");
    reg_xml(line, sizeof line, 57);
    PUT(line);
    PUT("</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n");
    reg_xml(line, sizeof line, 58);
    PUT(line);
    reg_xml(line, sizeof line, 59);
    PUT(line);
    PUT("</feature>\n");
    if (t->have_avx) {
        PUT("<feature name=\"org.gnu.gdb.i386.avx\">\n");
        for (int i = FIRST_YMMH; i < NUM_REGS_ALL; i++) {
            reg_xml(line, sizeof line, i);
            PUT(line);
        }
        PUT("</feature>\n");
    }
    PUT("</target>\n");
#undef PUT
    xml[n] = '\0';
    *len = n;
    return xml;
}
