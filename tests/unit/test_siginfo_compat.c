/* Unit tests for src/server/target/siginfo_compat.c: which union member a
 * signal number and code select (siginfo_layout), and the conversion of
 * each layout from the x86-64 siginfo_t to the i386 one and back, checked
 * byte by byte at the offsets of both ABIs (not through the structures
 * under test), with round trips both ways; pointers and longs cut to 32
 * bits one way and widened (zeros or sign) the other; bytes outside the
 * layout dropped; and a layout chosen by the image's own si_code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "target/siginfo_compat.h"

#ifndef TRAP_PERF
#define TRAP_PERF 6
#endif
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

/* One field at OFF, SIZE bytes, little-endian. */
struct field {
    size_t off;
    size_t size;
    uint64_t value;
};

#define MAX_FIELDS 8

/* The same siginfo in both layouts: the three ints, then the union. */
struct sample {
    const char *what;
    int signo, errno_, code;
    enum siginfo_layout layout;
    struct field f64[MAX_FIELDS];   /* x86-64 offsets (union at 16) */
    struct field f32[MAX_FIELDS];   /* i386 offsets (union at 12) */
};

static const struct sample samples[] = {
    {"kill() (SI_USER)", SIGUSR1, 0, SI_USER, SIGINFO_KILL,
     {{16, 4, 4321}, {20, 4, 1000}}, {{12, 4, 4321}, {16, 4, 1000}}},
    {"from the kernel (SI_KERNEL)", SIGSEGV, 0, SI_KERNEL, SIGINFO_KILL,
     {{16, 4, 0}, {20, 4, 0}}, {{12, 4, 0}, {16, 4, 0}}},
    {"tgkill() (SI_TKILL)", SIGUSR1, 0, SI_TKILL, SIGINFO_RT,
     {{16, 4, 77}, {20, 4, 0}}, {{12, 4, 77}, {16, 4, 0}}},
    {"sigqueue() (SI_QUEUE)", SIGUSR1, 5, SI_QUEUE, SIGINFO_RT,
     {{16, 4, 99}, {20, 4, 1000}, {24, 4, 1234}}, {{12, 4, 99}, {16, 4, 1000}, {20, 4, 1234}}},
    {"a message queue (SI_MESGQ)", 35, 0, SI_MESGQ, SIGINFO_RT,
     {{16, 4, 12}, {20, 4, 13}, {24, 4, 0xcafe}}, {{12, 4, 12}, {16, 4, 13}, {20, 4, 0xcafe}}},
    {"a POSIX timer (SI_TIMER)", SIGALRM, 0, SI_TIMER, SIGINFO_TIMER,
     {{16, 4, 3}, {20, 4, 2}, {24, 4, 0x5555}}, {{12, 4, 3}, {16, 4, 2}, {20, 4, 0x5555}}},
    {"SIGCHLD", SIGCHLD, 0, CLD_EXITED, SIGINFO_CHLD,
     {{16, 4, 555}, {20, 4, 1000}, {24, 4, 42}, {32, 8, 7}, {40, 8, 9}},
     {{12, 4, 555}, {16, 4, 1000}, {20, 4, 42}, {24, 4, 7}, {28, 4, 9}}},
    {"SIGSEGV (SEGV_MAPERR)", SIGSEGV, 0, SEGV_MAPERR, SIGINFO_FAULT,
     {{16, 8, 0x1234}}, {{12, 4, 0x1234}}},
    {"SIGSEGV (SEGV_ACCERR)", SIGSEGV, 0, SEGV_ACCERR, SIGINFO_FAULT,
     {{16, 8, 0xf7fd0000}}, {{12, 4, 0xf7fd0000}}},
    {"SIGILL", SIGILL, 0, ILL_ILLOPN, SIGINFO_FAULT, {{16, 8, 0x8049000}}, {{12, 4, 0x8049000}}},
    {"SIGFPE", SIGFPE, 0, FPE_INTDIV, SIGINFO_FAULT, {{16, 8, 0x804a123}}, {{12, 4, 0x804a123}}},
    {"SIGTRAP (TRAP_BRKPT)", SIGTRAP, 0, TRAP_BRKPT, SIGINFO_FAULT, {{16, 8, 0x80491f0}}, {{12, 4, 0x80491f0}}},
    {"SIGBUS (BUS_ADRERR)", SIGBUS, 0, BUS_ADRERR, SIGINFO_FAULT, {{16, 8, 0xf0000000}}, {{12, 4, 0xf0000000}}},
    {"SIGBUS (BUS_MCEERR_AR)", SIGBUS, 0, BUS_MCEERR_AR, SIGINFO_FAULT_MCEERR,
     {{16, 8, 0x9000000}, {24, 2, 12}}, {{12, 4, 0x9000000}, {16, 2, 12}}},
    {"SIGBUS (BUS_MCEERR_AO)", SIGBUS, 0, BUS_MCEERR_AO, SIGINFO_FAULT_MCEERR,
     {{16, 8, 0x9001000}, {24, 2, 21}}, {{12, 4, 0x9001000}, {16, 2, 21}}},
    {"SIGSEGV (SEGV_BNDERR)", SIGSEGV, 0, SEGV_BNDERR, SIGINFO_FAULT_BNDERR,
     {{16, 8, 0x804c010}, {32, 8, 0x804c000}, {40, 8, 0x804c00f}},
     {{12, 4, 0x804c010}, {20, 4, 0x804c000}, {24, 4, 0x804c00f}}},
    {"SIGSEGV (SEGV_PKUERR)", SIGSEGV, 0, SEGV_PKUERR, SIGINFO_FAULT_PKUERR,
     {{16, 8, 0x804d000}, {32, 4, 5}}, {{12, 4, 0x804d000}, {20, 4, 5}}},
    {"SIGTRAP (TRAP_PERF)", SIGTRAP, 0, TRAP_PERF, SIGINFO_FAULT_PERF,
     {{16, 8, 0x804e000}, {24, 8, 0xabcdef}, {32, 4, 4}, {36, 4, 1}},
     {{12, 4, 0x804e000}, {16, 4, 0xabcdef}, {20, 4, 4}, {24, 4, 1}}},
    {"SIGPOLL", SIGPOLL, 0, POLL_IN, SIGINFO_POLL, {{16, 8, 0x41}, {24, 4, 7}}, {{12, 4, 0x41}, {16, 4, 7}}},
    {"F_SETSIG (SI_SIGIO)", SIGUSR2, 0, SI_SIGIO, SIGINFO_POLL, {{16, 8, 0x1}, {24, 4, 9}}, {{12, 4, 0x1}, {16, 4, 9}}},
    {"SIGSYS (SYS_SECCOMP)", SIGSYS, 1, SYS_SECCOMP, SIGINFO_SYS,
     {{16, 8, 0xf7fc1549}, {24, 4, 20}, {28, 4, 0x40000003}},
     {{12, 4, 0xf7fc1549}, {16, 4, 20}, {20, 4, 0x40000003}}},
};

static void put(unsigned char *buf, size_t off, size_t size, uint64_t value)
{
    for (size_t i = 0; i < size; i++)
        buf[off + i] = (unsigned char)(value >> (8 * i));
}

static uint64_t get(const unsigned char *buf, size_t off, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v |= (uint64_t)buf[off + i] << (8 * i);
    return v;
}

/* A 128-byte image of S in one layout: the three ints, then FIELDS. */
static void build(const struct sample *s, const struct field *fields, unsigned char buf[SIGINFO32_SIZE])
{
    memset(buf, 0, SIGINFO32_SIZE);
    put(buf, 0, 4, (uint32_t)s->signo);
    put(buf, 4, 4, (uint32_t)s->errno_);
    put(buf, 8, 4, (uint32_t)s->code);
    for (const struct field *f = fields; f->size; f++)
        put(buf, f->off, f->size, f->value);
}

/* BUF is S in the layout FIELDS describes, and zero everywhere else. */
static void check(const struct sample *s, const struct field *fields, const unsigned char buf[SIGINFO32_SIZE],
                  const char *which)
{
    unsigned char want[SIGINFO32_SIZE];
    build(s, fields, want);
    for (size_t i = 0; i < SIGINFO32_SIZE; i++)
        if (buf[i] != want[i])
            fail_msg("%s, %s layout: byte %zu is 0x%02x, expected 0x%02x", s->what, which, i, buf[i], want[i]);
}

static void test_layouts_of_the_samples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
        if (siginfo_layout(samples[i].signo, samples[i].code) != samples[i].layout)
            fail_msg("%s: layout %d, expected %d", samples[i].what,
                     (int)siginfo_layout(samples[i].signo, samples[i].code), (int)samples[i].layout);
}

static void test_layout_choice(void **state)
{
    (void)state;
    /* Sent by a process, whatever the signal: kill or rt. */
    assert_int_equal(siginfo_layout(SIGSEGV, SI_USER), SIGINFO_KILL);
    assert_int_equal(siginfo_layout(SIGCHLD, SI_USER), SIGINFO_KILL);
    assert_int_equal(siginfo_layout(SIGSYS, SI_TKILL), SIGINFO_RT);
    assert_int_equal(siginfo_layout(SIGCHLD, SI_QUEUE), SIGINFO_RT);
    assert_int_equal(siginfo_layout(SIGTRAP, SI_ASYNCIO), SIGINFO_RT);
    assert_int_equal(siginfo_layout(SIGPOLL, SI_TIMER), SIGINFO_TIMER);
    assert_int_equal(siginfo_layout(SIGSEGV, SI_KERNEL), SIGINFO_KILL);
    assert_int_equal(siginfo_layout(SIGUSR1, SI_SIGIO), SIGINFO_POLL);
    /* Codes of the kernel's own, per signal. */
    assert_int_equal(siginfo_layout(SIGTRAP, TRAP_HWBKPT), SIGINFO_FAULT);
    assert_int_equal(siginfo_layout(SIGTRAP, TRAP_UNK), SIGINFO_FAULT);
    assert_int_equal(siginfo_layout(SIGFPE, 15), SIGINFO_FAULT);
    assert_int_equal(siginfo_layout(SIGILL, 11), SIGINFO_FAULT);
    assert_int_equal(siginfo_layout(SIGSEGV, 10), SIGINFO_FAULT);
    assert_int_equal(siginfo_layout(SIGCHLD, CLD_CONTINUED), SIGINFO_CHLD);
    assert_int_equal(siginfo_layout(SIGPOLL, POLL_HUP), SIGINFO_POLL);
    /* A positive code no signal of its own defines: taken for SIGPOLL's
     * up to the highest of those, else only the sender. */
    assert_int_equal(siginfo_layout(SIGUSR1, 3), SIGINFO_POLL);
    assert_int_equal(siginfo_layout(SIGBUS, 6), SIGINFO_POLL);
    assert_int_equal(siginfo_layout(SIGSYS, 3), SIGINFO_POLL);
    assert_int_equal(siginfo_layout(SIGUSR1, 7), SIGINFO_KILL);
    assert_int_equal(siginfo_layout(SIGFPE, 16), SIGINFO_KILL);
    assert_int_equal(siginfo_layout(SIGSEGV, 0x7f), SIGINFO_KILL);
}

/* Each sample from x86-64 to i386. */
static void test_to_32(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const struct sample *s = &samples[i];
        siginfo_t si;
        struct siginfo32 c;
        build(s, s->f64, (unsigned char *)&si);
        memset(&c, 0xee, sizeof c);
        siginfo_to_32(&si, &c);
        check(s, s->f32, (const unsigned char *)&c, "i386");
    }
}

/* Each sample from i386 to x86-64. */
static void test_from_32(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const struct sample *s = &samples[i];
        struct siginfo32 c;
        siginfo_t si;
        build(s, s->f32, (unsigned char *)&c);
        memset(&si, 0xee, sizeof si);
        siginfo_from_32(&c, &si);
        check(s, s->f64, (const unsigned char *)&si, "x86-64");
    }
}

static void test_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        const struct sample *s = &samples[i];
        siginfo_t si, back;
        struct siginfo32 c, back32;
        build(s, s->f64, (unsigned char *)&si);
        siginfo_to_32(&si, &c);
        siginfo_from_32(&c, &back);
        if (memcmp(&si, &back, sizeof si) != 0)
            fail_msg("%s: x86-64 -> i386 -> x86-64 differs", s->what);
        build(s, s->f32, (unsigned char *)&c);
        siginfo_from_32(&c, &si);
        siginfo_to_32(&si, &back32);
        if (memcmp(&c, &back32, sizeof c) != 0)
            fail_msg("%s: i386 -> x86-64 -> i386 differs", s->what);
    }
}

/* The structure's member names and glibc's, against the byte offsets of
 * the samples. */
static void test_named_fields(void **state)
{
    (void)state;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    si.si_pid = 99;
    si.si_uid = 1000;
    si.si_value.sival_int = -2;
    struct siginfo32 c;
    siginfo_to_32(&si, &c);
    assert_int_equal(c.si_signo, SIGUSR1);
    assert_int_equal(c.si_code, SI_QUEUE);
    assert_int_equal(c.fields.rt.pid, 99);
    assert_int_equal(c.fields.kill.pid, 99);
    assert_int_equal(c.fields.rt.uid, 1000);
    assert_int_equal(c.fields.rt.sigval.sival_int, -2);
    assert_int_equal(get((const unsigned char *)&c, 20, 4), 0xfffffffe);

    struct siginfo32 f;
    memset(&f, 0, sizeof f);
    f.si_signo = SIGSEGV;
    f.si_code = SEGV_BNDERR;
    f.fields.sigfault.addr = 0x10;
    f.fields.sigfault.u.bnd.lower = 0x20;
    f.fields.sigfault.u.bnd.upper = 0x30;
    siginfo_from_32(&f, &si);
    assert_ptr_equal(si.si_addr, (void *)0x10);
    assert_ptr_equal(si.si_lower, (void *)0x20);
    assert_ptr_equal(si.si_upper, (void *)0x30);
}

/* Pointers and longs lose their upper half going to i386; coming back,
 * pointers and the perf data get zeros there, longs and clock_t the sign. */
static void test_widths(void **state)
{
    (void)state;
    siginfo_t si;
    struct siginfo32 c;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGSEGV;
    si.si_code = SEGV_MAPERR;
    si.si_addr = (void *)0x7fff12345678;
    siginfo_to_32(&si, &c);
    assert_int_equal(c.fields.sigfault.addr, 0x12345678);
    c.fields.sigfault.addr = 0xfffff000;
    siginfo_from_32(&c, &si);
    assert_ptr_equal(si.si_addr, (void *)0xfffff000);

    memset(&c, 0, sizeof c);
    c.si_signo = SIGPOLL;
    c.si_code = POLL_ERR;
    c.fields.sigpoll.band = -1;
    c.fields.sigpoll.fd = 3;
    siginfo_from_32(&c, &si);
    assert_int_equal(si.si_band, -1L);
    assert_int_equal(si.si_fd, 3);
    si.si_band = 0x100000041L;
    siginfo_to_32(&si, &c);
    assert_int_equal(c.fields.sigpoll.band, 0x41);

    memset(&c, 0, sizeof c);
    c.si_signo = SIGCHLD;
    c.si_code = CLD_KILLED;
    c.fields.sigchld.utime = -5;
    c.fields.sigchld.stime = 0x7fffffff;
    siginfo_from_32(&c, &si);
    assert_int_equal(si.si_utime, -5L);
    assert_int_equal(si.si_stime, 0x7fffffffL);

    memset(&c, 0, sizeof c);
    c.si_signo = SIGTRAP;
    c.si_code = TRAP_PERF;
    c.fields.sigfault.u.perf.data = 0xfffffffe;
    siginfo_from_32(&c, &si);
    assert_int_equal(get((const unsigned char *)&si, 24, 8), 0xfffffffe);

    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    si.si_value.sival_ptr = (void *)0x1122334455667788;
    siginfo_to_32(&si, &c);
    assert_int_equal(c.fields.rt.sigval.sival_ptr, 0x55667788);
    siginfo_from_32(&c, &si);
    assert_ptr_equal(si.si_value.sival_ptr, (void *)0x55667788);
}

/* Only the layout's member crosses, either way: what a write puts
 * elsewhere, and whatever else the bytes held, is dropped. */
static void test_bytes_outside_the_layout(void **state)
{
    (void)state;
    siginfo_t si;
    struct siginfo32 c;
    memset(&si, 0x5a, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_errno = 0;
    si.si_code = SI_USER;
    si.si_pid = 10;
    si.si_uid = 20;
    siginfo_to_32(&si, &c);
    const struct sample kill = {"kill() with junk after it", SIGUSR1, 0, SI_USER, SIGINFO_KILL,
                                {{16, 4, 10}, {20, 4, 20}}, {{12, 4, 10}, {16, 4, 20}}};
    check(&kill, kill.f32, (const unsigned char *)&c, "i386");
    memset(&c, 0x5a, sizeof c);
    c.si_signo = SIGUSR1;
    c.si_errno = 0;
    c.si_code = SI_USER;
    c.fields.kill.pid = 10;
    c.fields.kill.uid = 20;
    siginfo_from_32(&c, &si);
    check(&kill, kill.f64, (const unsigned char *)&si, "x86-64");
}

/* A write that changes si_code changes the layout the image is read back
 * with: the value written after it crosses. */
static void test_layout_follows_a_written_code(void **state)
{
    (void)state;
    siginfo_t si;
    struct siginfo32 c;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_USER;
    si.si_pid = 10;
    siginfo_to_32(&si, &c);
    put((unsigned char *)&c, 8, 4, (uint32_t)SI_QUEUE);
    put((unsigned char *)&c, 20, 4, 4321);
    siginfo_from_32(&c, &si);
    assert_int_equal(si.si_code, SI_QUEUE);
    assert_int_equal(si.si_pid, 10);
    assert_int_equal(si.si_value.sival_int, 4321);

    put((unsigned char *)&c, 8, 4, (uint32_t)SI_USER);
    siginfo_from_32(&c, &si);
    assert_int_equal(si.si_value.sival_int, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts_of_the_samples),
        cmocka_unit_test(test_layout_choice),
        cmocka_unit_test(test_to_32),
        cmocka_unit_test(test_from_32),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_named_fields),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_bytes_outside_the_layout),
        cmocka_unit_test(test_layout_follows_a_written_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
