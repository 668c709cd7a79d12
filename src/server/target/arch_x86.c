/* x86 registers through ptrace, for both register sets (arch_x86.h).
 *
 * General registers come from PTRACE_GETREGS. Floating-point and vector
 * registers come from the XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE), whose
 * first 512 bytes are the FXSAVE layout; without XSAVE, PTRACE_GETFPREGS gives
 * the FXSAVE layout alone and the AVX feature is not described. */
#include "target/arch.h"

#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "log.h"
#include "target/arch_x86.h"

#define FX_AREA 512
#define XSAVE_HEADER 512        /* xstate_bv lives here */
#define XFEATURE_X87 1u
#define XFEATURE_SSE 2u
#define XFEATURE_AVX 4u
#define XSAVE_MAX 16384         /* enough for every current XSAVE layout */
#define YMMH_BYTES 256          /* 16 upper halves, whether the set uses 8 or 16 */

/* The code segment selectors Linux gives 32-bit and 64-bit user code
 * (__USER32_CS, __USER_CS): what mode the thread really runs in, whatever
 * its ELF file says. */
#define USER32_CS 0x23

/* Offset of the AVX state in the standard XSAVE layout (CPUID 0xD.2 EBX). */
static unsigned ymmh_offset = 576;

static const struct arch_regset *regset_of(const struct process *p)
{
    return p && p->abi == ABI_I386 ? &arch_regset_i386 : &arch_regset_x86_64;
}

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
        if ((xcr0 & XFEATURE_AVX) && __get_cpuid_count(0xd, 2, &a, &b, &c, &d) && b + YMMH_BYTES <= iov.iov_len) {
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

bool arch_detect_abi(struct process *p, pid_t tid)
{
    struct user_regs_struct gp;
    if (ptrace(PTRACE_GETREGS, tid, NULL, &gp) != 0) {
        log_warn("cannot read the registers of %d to tell its mode: %s", (int)tid, strerror(errno));
        return false;
    }
    enum process_abi abi = gp.cs == USER32_CS ? ABI_I386 : ABI_X86_64;
    if (abi != p->abi)
        log_info("process %d runs %s code", (int)p->pid, abi == ABI_I386 ? "32-bit (i386)" : "64-bit (x86-64)");
    p->abi = abi;
    return true;
}

int arch_num_regs(const struct target *t, const struct process *p)
{
    const struct arch_regset *rs = regset_of(p);
    return t->have_avx ? rs->num_regs : rs->first_ymmh;
}

size_t arch_reg_size(const struct target *t, const struct process *p, int regno)
{
    if (regno < 0 || regno >= arch_num_regs(t, p))
        return 0;
    return regset_of(p)->regs[regno].size;
}

size_t arch_regs_size(const struct target *t, const struct process *p)
{
    size_t n = 0;
    for (int i = 0; i < arch_num_regs(t, p); i++)
        n += regset_of(p)->regs[i].size;
    return n;
}

struct arch_frame_regs arch_frame_regs(const struct process *p)
{
    const struct arch_regset *rs = regset_of(p);
    return (struct arch_frame_regs){rs->reg_fp, rs->reg_sp, rs->reg_pc};
}

const char *arch_triple(const struct process *p)
{
    return regset_of(p)->triple;
}

int arch_ptr_size(const struct process *p)
{
    return regset_of(p)->ptr_size;
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
    if (regno < 0 || regno >= arch_num_regs(t, th->proc))
        return false;
    const struct reg_def *r = &regset_of(th->proc)->regs[regno];
    memset(out, 0, r->size);
    switch (r->source) {
    case SRC_GP:
        if (!fetch_gp(th))
            return false;
        /* Little-endian: a 32-bit register is the low part of its field. */
        memcpy(out, (const uint8_t *)&th->regs.gp + r->offset, r->size < r->src_size ? r->size : r->src_size);
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

/* Stores IN into a general register field of SRC_SIZE bytes, widening a
 * narrower value as the register says. */
static void put_gp(struct thread *th, const struct reg_def *r, const uint8_t *in)
{
    uint8_t *field = (uint8_t *)&th->regs.gp + r->offset;
    if (r->size < r->src_size) {
        bool negative = r->widen == WIDEN_SIGN && (in[r->size - 1] & 0x80);
        memset(field + r->size, negative ? 0xff : 0, r->src_size - r->size);
        memcpy(field, in, r->size);
    } else {
        memcpy(field, in, r->src_size);
    }
}

/* Applies one register into the cache without storing it to the thread.
 * Returns the XSAVE feature bit the register belongs to (0 for GP). */
static uint64_t apply_reg(struct thread *th, const struct reg_def *r, const uint8_t *in)
{
    switch (r->source) {
    case SRC_GP:
        put_gp(th, r, in);
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
            memset(th->regs.xsave + ymmh_offset, 0, YMMH_BYTES);
        memcpy(th->regs.xsave + ymmh_offset + 16 * r->offset, in, 16);
        return XFEATURE_AVX;
    }
    }
    return 0;
}

bool arch_write_reg(struct target *t, struct thread *th, int regno, const uint8_t *in)
{
    if (regno < 0 || regno >= arch_num_regs(t, th->proc))
        return false;
    const struct arch_regset *rs = regset_of(th->proc);
    const struct reg_def *r = &rs->regs[regno];
    if (r->source == SRC_GP) {
        if (!fetch_gp(th))
            return false;
        uint64_t old_pc = th->regs.gp.rip;
        apply_reg(th, r, in);
        /* A thread stopped inside an interrupted system call would have
         * the kernel restart it at the new PC (2 bytes before it): a new
         * PC means no restart, as gdb's write_pc does. lldb relies on the
         * server for this when it calls a function in the program. */
        if (regno == rs->reg_pc && th->regs.gp.rip != old_pc)
            th->regs.gp.orig_rax = (unsigned long long)-1;
        if (!store_gp(th)) {
            th->regs.gp_valid = false;
            return false;
        }
        return true;
    }
    if (!fetch_fp(t, th))
        return false;
    uint64_t feature = apply_reg(th, r, in);
    if (!store_fp(t, th, feature)) {
        th->regs.fp_valid = false;
        return false;
    }
    return true;
}

bool arch_read_all(struct target *t, struct thread *th, uint8_t *out)
{
    const struct arch_regset *rs = regset_of(th->proc);
    size_t off = 0;
    for (int i = 0; i < arch_num_regs(t, th->proc); i++) {
        if (!arch_read_reg(t, th, i, out + off))
            return false;
        off += rs->regs[i].size;
    }
    return true;
}

bool arch_write_all(struct target *t, struct thread *th, const uint8_t *in)
{
    if (!fetch_gp(th) || !fetch_fp(t, th))
        return false;
    const struct arch_regset *rs = regset_of(th->proc);
    uint64_t features = 0;
    size_t off = 0;
    for (int i = 0; i < arch_num_regs(t, th->proc); i++) {
        features |= apply_reg(th, &rs->regs[i], in + off);
        off += rs->regs[i].size;
    }
    bool ok = store_gp(th) && store_fp(t, th, features);
    if (!ok)
        arch_regcache_invalidate(th);
    return ok;
}

/* rip holds eip for a 32-bit thread (its upper half is zero), so the PC
 * is the same field in both sets. */
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
    "<target version=\"1.0\">\n";

static const char xml_core_types[] =
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

static const char *const feature_names[] = {
    [FEAT_CORE] = "org.gnu.gdb.i386.core",
    [FEAT_SSE] = "org.gnu.gdb.i386.sse",
    [FEAT_LINUX] = "org.gnu.gdb.i386.linux",
    [FEAT_SEGMENTS] = "org.gnu.gdb.i386.segments",
    [FEAT_AVX] = "org.gnu.gdb.i386.avx",
};

struct xml_buf {
    char data[16384];
    size_t len;
    bool overflow;
};

static void xml_printf(struct xml_buf *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xml_printf(struct xml_buf *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sizeof x->data - x->len;
    int n = vsnprintf(x->data + x->len, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room)
        x->overflow = true;
    else
        x->len += (size_t)n;
}

/* Registers come in feature order in both tables: a feature starts where
 * the previous register belongs to another. */
const char *arch_target_xml(const struct target *t, const struct process *p, size_t *len)
{
    static struct xml_buf xml;
    const struct arch_regset *rs = regset_of(p);
    xml.len = 0;
    xml.overflow = false;
    xml_printf(&xml, "%s<architecture>%s</architecture>\n<osabi>GNU/Linux</osabi>\n", xml_head, rs->architecture);
    int n = arch_num_regs(t, p);
    for (int i = 0; i < n; i++) {
        const struct reg_def *r = &rs->regs[i];
        if (i == 0 || r->feature != rs->regs[i - 1].feature) {
            if (i > 0)
                xml_printf(&xml, "</feature>\n");
            xml_printf(&xml, "<feature name=\"%s\">\n", feature_names[r->feature]);
            if (r->feature == FEAT_CORE)
                xml_printf(&xml, "%s", xml_core_types);
            else if (r->feature == FEAT_SSE)
                xml_printf(&xml, "%s", xml_sse_types);
        }
        xml_printf(&xml, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%d\"", r->name, r->size * 8, r->type, i);
        if (r->group)
            xml_printf(&xml, " group=\"%s\"", r->group);
        xml_printf(&xml, "/>\n");
    }
    xml_printf(&xml, "</feature>\n</target>\n");
    if (xml.overflow)   /* the tables are fixed: a bug, not an input */
        log_error("target description truncated");
    *len = xml.len;
    return xml.data;
}
