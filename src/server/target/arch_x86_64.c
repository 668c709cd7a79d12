/* The x86-64 register set: gdb's amd64 GNU/Linux numbering (the order of
 * the 'g' packet), where each register lives, and its description. */
#include <stddef.h>
#include <sys/user.h>

#include "target/arch_x86.h"

#define GP(n, f, sz, feat, ty) {n, sz, SRC_GP, offsetof(struct user_regs_struct, f), sz, WIDEN_ZERO, feat, ty, NULL}
#define CORE(n, f, sz, ty) GP(n, f, sz, FEAT_CORE, ty)
#define ST(n, off) {n, 10, SRC_FX, off, 10, WIDEN_ZERO, FEAT_CORE, "i387_ext", NULL}
#define X87(n, src, off, ssz) {n, 4, src, off, ssz, WIDEN_ZERO, FEAT_CORE, "int", "float"}
#define XMM(n, off) {n, 16, SRC_FX, off, 16, WIDEN_ZERO, FEAT_SSE, "vec128", NULL}
#define YMMH(n, i) {n, 16, SRC_YMMH, i, 16, WIDEN_ZERO, FEAT_AVX, "uint128", NULL}

static const struct reg_def regs[] = {
    CORE("rax", rax, 8, "int64"), CORE("rbx", rbx, 8, "int64"), CORE("rcx", rcx, 8, "int64"),
    CORE("rdx", rdx, 8, "int64"), CORE("rsi", rsi, 8, "int64"), CORE("rdi", rdi, 8, "int64"),
    CORE("rbp", rbp, 8, "data_ptr"), CORE("rsp", rsp, 8, "data_ptr"),
    CORE("r8", r8, 8, "int64"), CORE("r9", r9, 8, "int64"), CORE("r10", r10, 8, "int64"),
    CORE("r11", r11, 8, "int64"), CORE("r12", r12, 8, "int64"), CORE("r13", r13, 8, "int64"),
    CORE("r14", r14, 8, "int64"), CORE("r15", r15, 8, "int64"),
    CORE("rip", rip, 8, "code_ptr"), CORE("eflags", eflags, 4, "i386_eflags"),
    CORE("cs", cs, 4, "int32"), CORE("ss", ss, 4, "int32"), CORE("ds", ds, 4, "int32"),
    CORE("es", es, 4, "int32"), CORE("fs", fs, 4, "int32"), CORE("gs", gs, 4, "int32"),
    ST("st0", 32), ST("st1", 48), ST("st2", 64), ST("st3", 80),
    ST("st4", 96), ST("st5", 112), ST("st6", 128), ST("st7", 144),
    X87("fctrl", SRC_FX, 0, 2), X87("fstat", SRC_FX, 2, 2), X87("ftag", SRC_FTAG, 4, 1),
    X87("fiseg", SRC_FX, 12, 4), X87("fioff", SRC_FX, 8, 4), X87("foseg", SRC_FX, 20, 4),
    X87("fooff", SRC_FX, 16, 4), X87("fop", SRC_FOP, 6, 2),
    XMM("xmm0", 160), XMM("xmm1", 176), XMM("xmm2", 192), XMM("xmm3", 208),
    XMM("xmm4", 224), XMM("xmm5", 240), XMM("xmm6", 256), XMM("xmm7", 272),
    XMM("xmm8", 288), XMM("xmm9", 304), XMM("xmm10", 320), XMM("xmm11", 336),
    XMM("xmm12", 352), XMM("xmm13", 368), XMM("xmm14", 384), XMM("xmm15", 400),
    {"mxcsr", 4, SRC_FX, 24, 4, WIDEN_ZERO, FEAT_SSE, "i386_mxcsr", "vector"},
    GP("orig_rax", orig_rax, 8, FEAT_LINUX, "int"),
    GP("fs_base", fs_base, 8, FEAT_SEGMENTS, "int"), GP("gs_base", gs_base, 8, FEAT_SEGMENTS, "int"),
    YMMH("ymm0h", 0), YMMH("ymm1h", 1), YMMH("ymm2h", 2), YMMH("ymm3h", 3),
    YMMH("ymm4h", 4), YMMH("ymm5h", 5), YMMH("ymm6h", 6), YMMH("ymm7h", 7),
    YMMH("ymm8h", 8), YMMH("ymm9h", 9), YMMH("ymm10h", 10), YMMH("ymm11h", 11),
    YMMH("ymm12h", 12), YMMH("ymm13h", 13), YMMH("ymm14h", 14), YMMH("ymm15h", 15),
};

const struct arch_regset arch_regset_x86_64 = {
    .architecture = "i386:x86-64",
    .triple = "x86_64-pc-linux-gnu",
    .ptr_size = 8,
    .regs = regs,
    .num_regs = (int)(sizeof regs / sizeof regs[0]),
    .first_ymmh = 60,
    .reg_fp = 6,    /* rbp */
    .reg_sp = 7,    /* rsp */
    .reg_pc = 16,   /* rip */
    .reg_orig_ax = 57,
};
