/* The i386 register set, for 32-bit programs: gdb's i386 GNU/Linux
 * numbering (the order of the 'g' packet), as gdbserver describes it on
 * Linux (core, sse, linux and, with AVX, avx features).
 *
 * A 64-bit tracer reads a 32-bit tracee through the 64-bit structures: the
 * i386 registers are the low halves of their x86-64 counterparts (eax of
 * rax, eip of rip...), and the FXSAVE/XSAVE area has the same layout, of
 * which a 32-bit program can use xmm0-7 and ymm0-7 only. */
#include <stddef.h>
#include <sys/user.h>

#include "target/arch_x86.h"

/* The upper halves of the 64-bit fields are zero for a 32-bit task; a
 * write keeps them so. orig_eax is sign-extended: -1 ("no system call to
 * restart") must stay -1 in orig_rax. */
#define GP32(n, f, feat, ty, w) {n, 4, SRC_GP, offsetof(struct user_regs_struct, f), 8, w, feat, ty, NULL}
#define CORE(n, f, ty) GP32(n, f, FEAT_CORE, ty, WIDEN_ZERO)
#define ST(n, off) {n, 10, SRC_FX, off, 10, WIDEN_ZERO, FEAT_CORE, "i387_ext", NULL}
#define X87(n, src, off, ssz) {n, 4, src, off, ssz, WIDEN_ZERO, FEAT_CORE, "int", "float"}
#define XMM(n, off) {n, 16, SRC_FX, off, 16, WIDEN_ZERO, FEAT_SSE, "vec128", NULL}
#define YMMH(n, i) {n, 16, SRC_YMMH, i, 16, WIDEN_ZERO, FEAT_AVX, "uint128", NULL}

static const struct reg_def regs[] = {
    CORE("eax", rax, "int32"), CORE("ecx", rcx, "int32"), CORE("edx", rdx, "int32"),
    CORE("ebx", rbx, "int32"), CORE("esp", rsp, "data_ptr"), CORE("ebp", rbp, "data_ptr"),
    CORE("esi", rsi, "int32"), CORE("edi", rdi, "int32"),
    CORE("eip", rip, "code_ptr"), CORE("eflags", eflags, "i386_eflags"),
    CORE("cs", cs, "int32"), CORE("ss", ss, "int32"), CORE("ds", ds, "int32"),
    CORE("es", es, "int32"), CORE("fs", fs, "int32"), CORE("gs", gs, "int32"),
    ST("st0", 32), ST("st1", 48), ST("st2", 64), ST("st3", 80),
    ST("st4", 96), ST("st5", 112), ST("st6", 128), ST("st7", 144),
    X87("fctrl", SRC_FX, 0, 2), X87("fstat", SRC_FX, 2, 2), X87("ftag", SRC_FTAG, 4, 1),
    X87("fiseg", SRC_FX, 12, 4), X87("fioff", SRC_FX, 8, 4), X87("foseg", SRC_FX, 20, 4),
    X87("fooff", SRC_FX, 16, 4), X87("fop", SRC_FOP, 6, 2),
    XMM("xmm0", 160), XMM("xmm1", 176), XMM("xmm2", 192), XMM("xmm3", 208),
    XMM("xmm4", 224), XMM("xmm5", 240), XMM("xmm6", 256), XMM("xmm7", 272),
    {"mxcsr", 4, SRC_FX, 24, 4, WIDEN_ZERO, FEAT_SSE, "i386_mxcsr", "vector"},
    GP32("orig_eax", orig_rax, FEAT_LINUX, "int", WIDEN_SIGN),
    YMMH("ymm0h", 0), YMMH("ymm1h", 1), YMMH("ymm2h", 2), YMMH("ymm3h", 3),
    YMMH("ymm4h", 4), YMMH("ymm5h", 5), YMMH("ymm6h", 6), YMMH("ymm7h", 7),
};

const struct arch_regset arch_regset_i386 = {
    .architecture = "i386",
    .triple = "i386-pc-linux-gnu",
    .ptr_size = 4,
    .regs = regs,
    .num_regs = (int)(sizeof regs / sizeof regs[0]),
    .first_ymmh = 42,
    .reg_fp = 5,    /* ebp */
    .reg_sp = 4,    /* esp */
    .reg_pc = 8,    /* eip */
    .reg_orig_ax = 41,
};
