/* What the x86-64 and i386 register sets share (arch_x86.c), and how each
 * describes its own (arch_x86_64.c, arch_i386.c).
 *
 * Both are read from the same kernel structures: a 64-bit tracer gets the
 * 64-bit user_regs_struct and the same FXSAVE/XSAVE area whatever the
 * tracee's mode, so a register set is a table saying where each of its
 * registers lives there, in the client's numbering. */
#ifndef DBGSRV_ARCH_X86_H
#define DBGSRV_ARCH_X86_H

#include <stdbool.h>
#include <stddef.h>

enum reg_source {
    SRC_GP,     /* user_regs_struct */
    SRC_FX,     /* the FXSAVE area (the first 512 bytes of XSAVE) */
    SRC_FTAG,   /* the x87 tag word, converted from the abridged one */
    SRC_FOP,    /* the last x87 opcode (11 bits) */
    SRC_YMMH,   /* the upper half of a ymm register (OFFSET: its index) */
};

/* The target description feature a register belongs to. */
enum reg_feature { FEAT_CORE, FEAT_SSE, FEAT_LINUX, FEAT_SEGMENTS, FEAT_AVX };

/* How a value narrower than its storage (an i386 register in a 64-bit
 * field) is widened when written. */
enum reg_widen { WIDEN_ZERO, WIDEN_SIGN };

struct reg_def {
    const char *name;
    unsigned size;          /* bytes sent to the client */
    enum reg_source source;
    unsigned offset;        /* in user_regs_struct, FXSAVE area, or ymmh index */
    unsigned src_size;      /* bytes stored at OFFSET; a narrower SIZE is its low part */
    enum reg_widen widen;
    enum reg_feature feature;
    const char *type;       /* the description's type */
    const char *group;      /* the description's group, or NULL */
};

struct arch_regset {
    const char *architecture;   /* <architecture> of the description */
    const char *triple;         /* for lldb */
    int ptr_size;
    const struct reg_def *regs;
    int num_regs;               /* with the AVX registers, which come last */
    int first_ymmh;             /* the number of registers without AVX */
    int reg_fp, reg_sp, reg_pc, reg_orig_ax;
};

extern const struct arch_regset arch_regset_x86_64;
extern const struct arch_regset arch_regset_i386;

#endif
