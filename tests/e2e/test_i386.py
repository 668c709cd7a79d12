"""32-bit (i386) programs on the x86-64 server, through gdb as with
gdbserver: breakpoints, run, next/step/stepi, bt, print, the i386 register
set (read and written, checked against what the program put there and
what it sees afterwards), memory, hardware watchpoints, threads, signals
and their siginfo in the i386 layout ($_siginfo of a tgkill, a kill from
another process, a sigqueue and a fault, read and written), attach/detach,
shared libraries; and on the wire: the description and the 'g' layout of
the current process when a 64-bit and a 32-bit process share a session,
expedited registers, a 64-bit program that execs a 32-bit one, the ILP32
library list, bad register packets and the bytes of an i386 siginfo.

The programs are the NAME_32 builds of tests/programs (gcc -m32); without
a multilib compiler they are not built and these tests skip."""
import os
import re
import signal
import struct
import xml.etree.ElementTree as ET

from dbgsrv_test import (PROGRAMS, OutputReader, RawTestCase, TestCase, finish_gdb, hexstr, launched_pids, main,
                         parse_stop, proc_maps, program, source_line, task_states, wait_for, wait_sessions_end)

FLUSH = "maint flush register-cache"
I386_CORE = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
             "cs", "ss", "ds", "es", "fs", "gs"]
GDB_SIGUSR1 = 30            # gdb's number, on the wire
NO_M32 = ("the 32-bit test programs were not built: the compiler cannot build -m32 "
          "(install gcc-multilib, see scripts/install-deps.sh)")


def have_32bit_programs():
    return os.path.exists(os.path.join(PROGRAMS, "hello_32"))


def reg_rows(out):
    """{name: hex value} from "info registers" style output."""
    return {m.group(1): m.group(2)
            for m in re.finditer(r"^([a-z][a-z0-9_]*)\s+(0x[0-9a-f]+)\s", out, re.M)}


def le(digits):
    return int.from_bytes(bytes.fromhex(digits), "little")


def description(c):
    """The target description the server gives C now, parsed."""
    xml = ""
    while True:
        r = c.request("qXfer:features:read:target.xml:%x,400" % len(xml))
        assert r[:1] in ("m", "l"), r
        xml += r[1:]
        if r[0] == "l":
            return ET.fromstring(xml)


def reg_sizes(root):
    """{regnum: size in bytes} of a parsed description."""
    return {int(r.get("regnum")): int(r.get("bitsize")) // 8 for r in root.iter("reg")}


def reg_numbers(root):
    return {r.get("name"): int(r.get("regnum")) for r in root.iter("reg")}


class I386Case(TestCase):
    def setUp(self):
        super().setUp()
        if not have_32bit_programs():
            self.skipTest(NO_M32)


class GdbI386Test(I386Case):
    def test_break_run_step_next_stepi_bt_print(self):
        srv = self.server()
        add_line = source_line("hello.c", "return a + b;")
        call_line = source_line("hello.c", "sum = add(sum, i);")
        out = self.gdb(srv, [
            "break add", "run", "show architecture", "bt", "p a", "p b", "p sizeof(long)",
            "p $pc == $eip", "finish", "next", "next", "step",
            'python print("PC1=%x" % int(gdb.parse_and_eval("(long)$pc")))', "stepi",
            'python print("PC2=%x" % int(gdb.parse_and_eval("(long)$pc")))',
            "info symbol $pc", "delete", "continue"], program("hello_32"))
        self.assertRegex(out, r"Breakpoint 1, add \(a=0, b=0\) at \S*hello\.c:%d" % add_line)
        self.assertIn('(currently "i386")', out)
        self.assertRegex(out, r"#0  add \(a=0, b=0\) at \S*hello\.c:%d\n#1  0x[0-9a-f]{8} in main "
                              r"\(argc=1, argv=0x[0-9a-f]+\) at \S*hello\.c:%d" % (add_line, call_line))
        self.assertIn("$1 = 0\n$2 = 0\n$3 = 4\n$4 = 1", out)
        self.assertIn("Value returned is $5 = 0", out)
        # finish ends mid-line; next goes round the loop, step enters add.
        self.assertRegex(out, r"\n%d\s+for \(int i = 0; i < 3; i\+\+\)" % source_line("hello.c", "for (int i = 0;"))
        self.assertRegex(out, r"add \(a=0, b=1\) at \S*hello\.c:%d" % add_line)
        pc1 = int(re.search(r"PC1=([0-9a-f]+)", out).group(1), 16)
        pc2 = int(re.search(r"PC2=([0-9a-f]+)", out).group(1), 16)
        self.assertGreater(pc2, pc1)
        self.assertLess(pc2 - pc1, 16)              # one i386 instruction on
        self.assertLess(pc2, 1 << 32)
        self.assertRegex(out, r"add \+ \d+ in section \.text")
        self.assertIn("sum=3 argc=1", srv.output())
        self.assertIn("exited normally", out)

    def test_info_registers(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break add", "run", "info registers", "p $esp == $sp && $eip == $pc", "p $orig_eax",
            "p/x $cs", "p $rax", "p sizeof($eax)", "x/2dw $esp + 8", "kill"], program("hello_32"))
        rows = reg_rows(out)
        for name in I386_CORE:
            self.assertIn(name, rows, "%s missing in:\n%s" % (name, out))
        for name in ["rax", "rip", "r8", "fs_base", "orig_rax"]:
            self.assertNotIn(name, rows)
        self.assertRegex(out, r"\neip\s+0x[0-9a-f]{8}\s+0x[0-9a-f]{8} <add\+\d+>\n")
        self.assertRegex(out, r"\neflags\s+0x[0-9a-f]+\s+\[ [A-Z ]*IF[A-Z ]* \]\n")
        self.assertEqual(rows["cs"], "0x23")        # Linux's 32-bit user code segment
        self.assertEqual(rows["ss"], "0x2b")
        self.assertLess(int(rows["esp"], 16), 1 << 32)
        self.assertIn("$1 = 1", out)
        self.assertIn("$2 = -1", out)               # not in a system call
        self.assertIn("$3 = 0x23", out)
        self.assertIn("$4 = void", out)             # no x86-64 registers here
        self.assertIn("$5 = 4", out)
        # add's arguments (0, 0) on the stack above the return address and ebp.
        self.assertRegex(out, r"0x[0-9a-f]+:\s+0\s+0\n")

    def test_register_writes_reach_the_program(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break add", "run", "finish", "p $eax = 100", "set $ecx = 0xdeadbeef", "set $eflags = $eflags | 1",
            FLUSH, "p $eax", "p/x $ecx", "p $eflags", "maint packet p0", "maint packet p1",
            "delete", "continue"], program("hello_32"))
        self.assertIn("Value returned is $1 = 0", out)
        self.assertIn("$2 = 100", out)
        self.assertIn("$3 = 100", out)
        self.assertIn("$4 = 0xdeadbeef", out)
        self.assertRegex(out, r"\$5 = \[ CF [A-Z ]*IF[A-Z ]* \]")
        self.assertEqual(re.findall(r'^received: "(.*)"$', out, re.M), ["64000000", "efbeadde"])
        # add(0, 0) "returned" 100: the program goes on from there.
        self.assertIn("sum=103 argc=1", srv.output())
        self.assertIn("exited normally", out)

    def test_x87_sse_avx_registers(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break stop_here", "run", "p $ymm7.v8_int32", "p $xmm7.v4_int32", "p $mxcsr", "p $fctrl",
            "p $st0", "info all-registers", "p $xmm8",
            "set $ymm7.v8_int32[7] = 99", "set $xmm7.v4_int32[1] = 42", "set $st0 = 2.5", FLUSH,
            "p $ymm7.v8_int32", "p $st0", "continue"], program("registers_32"))
        self.assertIn("Breakpoint 1, stop_here ()", out)
        self.assertIn("$1 = {1, 2, 3, 4, 5, 6, 7, 8}", out)
        self.assertIn("$2 = {1, 2, 3, 4}", out)
        self.assertIn("$3 = [ IM DM ZM OM UM PM ]", out)
        self.assertIn("$4 = 895", out)
        self.assertIn("$5 = 0", out)
        for name in ["st0", "st7", "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop",
                     "mxcsr", "ymm0", "ymm7"]:
            self.assertRegex(out, r"\n%s\s+\S" % name)
        for name in ["xmm8", "ymm8", "rax", "r15"]:
            self.assertNotRegex(out, r"\n%s\s+\S" % name)
        self.assertIn("$6 = void", out)
        self.assertIn("$7 = {1, 42, 3, 4, 5, 6, 7, 99}", out)
        self.assertIn("$8 = 2.5", out)
        self.assertIn("exited normally", out)
        self.assertIn("ymm7=1,42,3,4,5,6,7,99", srv.output())

    def test_memory_read_and_write(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break add", "run", "p a", "set var a = 40", "p a", "x/1dw &a", "up", "p sum",
            "delete", "continue"], program("hello_32"))
        self.assertIn("$1 = 0", out)
        self.assertIn("$2 = 40", out)
        self.assertIn("$3 = 0", out)
        self.assertRegex(out, r"\n0x[0-9a-f]{8}:\s+40\n")
        # add(40, 0) returned 40, then 41 and 43.
        self.assertIn("sum=43 argc=1", srv.output())

    def test_hardware_watchpoints(self):
        srv = self.server()
        out = self.gdb(srv, ["break main", "run", "watch counter", "continue", "continue", "continue",
                             "continue"], program("watch_32"))
        write_line = source_line("watch.c", "counter = v;   /* the write */")
        self.assertIn("Hardware watchpoint 2: counter", out)
        self.assertRegex(out, r"Old value = 0\nNew value = 1\ntouch \(v=1\) at \S*watch\.c:(%d|%d)"
                         % (write_line, write_line + 1))
        self.assertIn("Old value = 1\nNew value = 2", out)
        self.assertRegex(out, r"Thread \d+(?: \"[^\"]*\")? hit Hardware watchpoint 2: counter\n\nOld value = 2\nNew value = 100")
        self.assertIn("exited normally", out)
        self.assertNotIn("software watchpoint", out.lower())

    def test_threads(self):
        srv = self.server()
        out = self.gdb(srv, ["break hit", "run 3 2", "info threads", "bt 1", "delete", "continue"],
                       program("threads_32"))
        self.assertRegex(out, r"Thread \d+\.\d+ hit Breakpoint 1, hit \(id=[0-2]\)|Breakpoint 1, hit \(id=[0-2]\)")
        self.assertGreaterEqual(len(re.findall(r"^\*?\s+\d+\s+Thread \d+\.\d+", out, re.M)), 2, out)
        self.assertRegex(out, r"#0  hit \(id=[0-2]\) at \S*threads\.c:\d+")
        self.assertIn("calls=6", srv.output())
        self.assertIn("exited normally", out)

    def test_thread_local_variables(self):
        """`print` of a __thread variable in a 32-bit program: the 64-bit
        libthread_db reads the i386 libc's own description of its thread
        register, and the thread area is the GDT entry of %gs."""
        srv = self.server()
        out = self.gdb(srv, ["break tls_both_set", "run", "p tls_value", "thread 1", "p tls_value", "continue"],
                       program("static_tls_32"))
        self.assertIn("$1 = 2", out)
        self.assertIn("$2 = 1", out)
        self.assertNotIn("Cannot find thread-local", out)
        self.assertIn("exited normally", out)

    def test_signals(self):
        srv = self.server()
        out = self.gdb(srv, ["run usr1", "bt", 'python print("PID=%d" % gdb.selected_inferior().pid)',
                             "p $_siginfo.si_signo", "p $_siginfo.si_code", "p $_siginfo._sifields._kill.si_pid",
                             "p $_siginfo._sifields._kill.si_uid", "p $_siginfo", "continue"], program("signals_32"))
        self.assertIn("Program received signal SIGUSR1, User defined signal 1.", out)
        self.assertRegex(out, r"#\d+  0x[0-9a-f]{8} in main \(argc=2, argv=0x[0-9a-f]+\) at \S*signals\.c:\d+")
        # raise() is a tgkill (SI_TKILL) from the program itself: its siginfo
        # in the i386 layout, the sender's pid where gdb's i386 type has it.
        self.assertNotIn("Unable to read siginfo", out)
        pid = int(re.search(r"PID=(\d+)", out).group(1))
        self.assertIn("$1 = %d\n$2 = -6\n$3 = %d\n$4 = %d\n" % (signal.SIGUSR1, pid, os.getuid()), out)
        self.assertRegex(out, r"\$5 = \{si_signo = %d, si_errno = 0, si_code = -6, " % signal.SIGUSR1)
        self.assertIn("exited normally", out)
        self.assertIn("handled=1 last=%d" % signal.SIGUSR1, srv.output())
        srv = self.server()
        out = self.gdb(srv, ["run abort", "continue"], program("signals_32"))
        self.assertIn("Program received signal SIGABRT", out)
        self.assertIn("Program terminated with signal SIGABRT", out)

    def test_siginfo_of_a_signal_from_another_process(self):
        """kill() from this test (SI_USER): its pid and uid in $_siginfo."""
        srv = self.server()
        reader = OutputReader(srv)
        gdb = self.bg_gdb(srv, ["run wait", "p $_siginfo.si_signo", "p $_siginfo.si_code",
                                "p $_siginfo._sifields._kill.si_pid", "p $_siginfo._sifields._kill.si_uid",
                                "kill"], program("signals_32"))
        pid = reader.ready_pid()
        wait_for(lambda: set(task_states(pid).values()) == {"S"}, 10, what="the program to wait in pause()")
        os.kill(pid, signal.SIGUSR2)
        out = finish_gdb(gdb)
        self.assertIn("Program received signal SIGUSR2", out)
        self.assertIn("$1 = %d\n$2 = 0\n$3 = %d\n$4 = %d\n" % (signal.SIGUSR2, os.getpid(), os.getuid()), out)

    def test_siginfo_read_and_written(self):
        """sigqueue(): the value read in the i386 layout, and a new value and
        errno written there reach the program's SA_SIGINFO handler."""
        srv = self.server()
        reader = OutputReader(srv)
        out = self.gdb(srv, ["run", 'python print("PID=%d" % gdb.selected_inferior().pid)',
                             "p $_siginfo.si_signo", "p $_siginfo.si_code", "p $_siginfo._sifields._rt.si_pid",
                             "p $_siginfo._sifields._rt.si_sigval.sival_int",
                             "set $_siginfo._sifields._rt.si_sigval.sival_int = 4321",
                             "set $_siginfo.si_errno = 7", "p $_siginfo._sifields._rt.si_sigval.sival_int",
                             "continue"], program("siginfo_32"))
        self.assertIn("Program received signal SIGUSR1", out)
        pid = int(re.search(r"PID=(\d+)", out).group(1))
        self.assertIn("$1 = %d\n$2 = -1\n$3 = %d\n$4 = 1234\n$5 = 4321\n" % (signal.SIGUSR1, pid), out)
        self.assertIn("exited normally", out)
        reader.wait_line(r"^signo=%d code=-1 errno=7 value=4321$" % signal.SIGUSR1)

    def test_siginfo_of_a_fault(self):
        """SIGSEGV at 0x1234: the fault address read, and a changed one is
        what the handler is given."""
        srv = self.server()
        reader = OutputReader(srv)
        out = self.gdb(srv, ["run segv", "p $_siginfo.si_signo", "p $_siginfo.si_code",
                             "p $_siginfo._sifields._sigfault.si_addr",
                             "set $_siginfo._sifields._sigfault.si_addr = (void *) 0xfffff678",
                             "p $_siginfo._sifields._sigfault.si_addr", "continue"], program("siginfo_32"))
        self.assertIn("Program received signal SIGSEGV", out)
        self.assertIn("$1 = %d\n$2 = 1\n$3 = (void *) 0x1234\n$4 = (void *) 0xfffff678\n" % signal.SIGSEGV, out)
        self.assertIn("exited normally", out)
        reader.wait_line(r"^signo=%d code=1 addr=0xfffff678$" % signal.SIGSEGV)

    def test_attach_and_detach(self):
        srv = self.server()
        prog = self.start_program("spin_32")
        pid = prog.pid
        out = self.gdb(srv, ["attach %d" % pid, "show architecture", "p counter", "p sizeof(counter)",
                             "info registers eip cs", "bt", "detach"], program("spin_32"))
        self.assertIn('(currently "i386")', out)
        m = re.search(r"\$1 = (\d+)", out)
        self.assertTrue(m, out)
        self.assertIn("$2 = 4", out)
        self.assertRegex(out, r"\ncs\s+0x23\s")
        self.assertRegex(out, r"#\d+  0x[0-9a-f]{8} in main \(argc=1, argv=0x[0-9a-f]+\) at \S*spin\.c:\d+")
        self.assertIn("[Inferior 1 (process %d) detached]" % pid, out)
        self.assertKeepsRunning(pid)
        # It ran on after the detach.
        out = self.gdb(srv, ["attach %d" % pid, "p counter", "detach"], program("spin_32"))
        self.assertGreater(int(re.search(r"\$1 = (\d+)", out).group(1)), int(m.group(1)))
        self.assertKeepsRunning(pid)
        wait_sessions_end(srv)

    def test_shared_libraries(self):
        srv = self.server("-t", "tcp:port=0", "-v", "-v", "-v")
        out = self.gdb(srv, ["break add", "run", "info sharedlibrary", "p (int)strlen(\"four\")", "kill"],
                       program("hello_32"))
        self.assertRegex(out, r"0x[0-9a-f]{8}\s+0x[0-9a-f]{8}\s+Yes( \(\*\))?\s+\S*/ld-linux\.so\.2")
        self.assertRegex(out, r"0x[0-9a-f]{8}\s+0x[0-9a-f]{8}\s+Yes( \(\*\))?\s+\S*/libc\.so\.6")
        self.assertIn("$1 = 4", out)               # a call into the 32-bit libc
        self.assertNotIn("while parsing target library list", out)
        self.assertIn("<- qXfer:libraries-svr4:read:", srv.log_text())


class Rsp32Test(RawTestCase):
    def setUp(self):
        super().setUp()
        if not have_32bit_programs():
            self.skipTest(NO_M32)

    def test_description_and_g_follow_the_current_process(self):
        c = self.c
        stop64 = c.run("hello")
        pid64, tid64 = c.pid, c.tid
        self.assertEqual(sorted(stop64["regs"]), [6, 7, 0x10])      # rbp, rsp, rip
        self.assertTrue(all(len(v) == 16 for v in stop64["regs"].values()), stop64)
        stop32 = c.run("hello_32")
        pid32 = c.pid
        self.assertNotEqual(pid32, pid64)
        self.assertEqual(sorted(stop32["regs"]), [4, 5, 8])         # esp, ebp, eip
        self.assertTrue(all(len(v) == 8 for v in stop32["regs"].values()), stop32)
        pc32 = le(stop32["regs"][8])
        # Both in one session; each thread gets its own process's set.
        for rounds in range(2):
            self.assertEqual(c.request("Hgp%x.%x" % (pid32, pid32)), "OK")
            root = description(c)
            self.assertEqual(root.findtext("architecture"), "i386")
            features = [f.get("name") for f in root.iter("feature")]
            for f in ["org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.linux"]:
                self.assertIn(f, features)
            self.assertNotIn("org.gnu.gdb.i386.segments", features)
            nums = reg_numbers(root)
            self.assertEqual([nums[n] for n in I386_CORE], list(range(16)))
            self.assertEqual(nums["st0"], 16)
            self.assertEqual(nums["xmm0"], 32)
            self.assertEqual(nums["mxcsr"], 40)
            self.assertEqual(nums["orig_eax"], 41)
            if "org.gnu.gdb.i386.avx" in features:
                self.assertEqual(nums["ymm0h"], 42)
                self.assertEqual(max(nums.values()), 49)
            else:
                self.assertEqual(max(nums.values()), 41)
            sizes = reg_sizes(root)
            g = bytes.fromhex(c.request("g"))
            self.assertEqual(len(g), sum(sizes.values()))
            self.assertEqual(le(c.request("p8")), pc32)                # still at the first instruction
            self.assertEqual(g[32:36], pc32.to_bytes(4, "little"))     # eip after 8 registers
            self.assertEqual(le(c.request("p4")), le(stop32["regs"][4]))
            self.assertEqual(le(c.request("pa")), 0x23)                # cs
            self.assertTrue(c.request("p%x" % (max(nums.values()) + 1)).startswith("E"))
            qpi = c.request("qProcessInfo")
            self.assertIn("triple:%s;" % hexstr("i386-pc-linux-gnu"), qpi)
            self.assertIn("ptrsize:4;", qpi)

            self.assertEqual(c.request("Hgp%x.%x" % (pid64, tid64)), "OK")
            root = description(c)
            self.assertEqual(root.findtext("architecture"), "i386:x86-64")
            g = bytes.fromhex(c.request("g"))
            self.assertEqual(len(g), sum(reg_sizes(root).values()))
            self.assertEqual(le(c.request("p12")), 0x33)               # cs, x86-64 numbering
            self.assertIn("ptrsize:8;", c.request("qProcessInfo"))

    def test_bad_register_packets(self):
        c = self.c
        c.run("hello_32")
        size = len(bytes.fromhex(c.request("g")))
        self.assertTrue(c.request("G" + "00" * (size - 1)).startswith("E"))
        self.assertTrue(c.request("G" + "00" * (size + 1)).startswith("E"))
        self.assertTrue(c.request("P8=1234").startswith("E"))          # eip is 4 bytes
        self.assertTrue(c.request("P8=0011223344556677").startswith("E"))
        self.assertTrue(c.request("P%x=00000000" % 0x100).startswith("E"))
        self.assertTrue(c.request("pffffffffffffffffff").startswith("E"))
        # A good write of a 4-byte register, and a G of the right size.
        self.assertEqual(c.request("P0=78563412"), "OK")
        self.assertEqual(c.request("p0"), "78563412")
        g = c.request("g")
        self.assertEqual(c.request("G" + g), "OK")
        self.assertEqual(c.request("g"), g)
        self.assertIsNone(self.srv.proc.poll())

    def test_exec_of_a_32_bit_program(self):
        c = self.c
        stop = c.run("/bin/sh", "-c", "exec " + program("hello_32"))
        self.assertEqual(sorted(stop["regs"]), [6, 7, 0x10])
        self.assertEqual(description(c).findtext("architecture"), "i386:x86-64")
        # The shell execs the 32-bit program: the exec stop is reported
        # with i386 registers, and the description follows.
        stop = c.resume("vCont;c")
        self.assertEqual(stop["kind"], "T", stop)
        self.assertEqual(stop["sig"], 5, stop)
        self.assertEqual(sorted(stop["regs"]), [4, 5, 8], stop)
        root = description(c)
        self.assertEqual(root.findtext("architecture"), "i386")
        self.assertEqual(len(bytes.fromhex(c.request("g"))), sum(reg_sizes(root).values()))
        self.assertEqual(os.path.realpath(os.readlink("/proc/%d/exe" % c.pid)),
                         os.path.realpath(program("hello_32")))
        self.assertEqual(le(c.request("pa")), 0x23)
        stop = c.resume("vCont;c")
        self.assertEqual(stop["kind"], "W", stop)
        self.assertIn(c.pid, launched_pids(self.srv))

    def test_siginfo_in_the_i386_layout(self):
        c = self.c
        c.run("siginfo_32")
        stop = c.resume("vCont;c")
        self.assertEqual(stop["sig"], GDB_SIGUSR1, stop["raw"])
        raw = c.request("qXfer:siginfo:read::0,200")
        self.assertEqual(raw[0], "l")
        data = raw[1:].encode("latin-1")
        self.assertEqual(len(data), 128)
        # si_signo, si_errno, si_code, then _rt at byte 12 (not 16):
        # pid, uid, the 32-bit sigval; nothing after it.
        words = struct.unpack("<32i", data)
        self.assertEqual(words[:6], (signal.SIGUSR1, 0, -1, c.pid, os.getuid(), 1234))
        self.assertEqual(set(words[6:]), {0})
        self.assertEqual(c.request("qXfer:siginfo:read::14,4"), "m" + data[20:24].decode("latin-1"))
        self.assertEqual(c.request("qXfer:siginfo:read::80,4"), "l")
        for bad in ("qXfer:siginfo:write::80:x", "qXfer:siginfo:write::7f:ab"):
            self.assertTrue(c.request(bad).startswith("E"), bad)
        # sival_int = 4321, si_errno = 9, written at their i386 offsets.
        self.assertEqual(c.request("qXfer:siginfo:write::14:\xe1\x10\x00\x00"), "4")
        self.assertEqual(c.request("qXfer:siginfo:write::4:\x09\x00\x00\x00"), "4")
        data = c.request("qXfer:siginfo:read::0,80")[1:].encode("latin-1")
        self.assertEqual(struct.unpack("<32i", data)[:6], (signal.SIGUSR1, 9, -1, c.pid, os.getuid(), 4321))
        self.assertEqual(c.resume("vCont;C%02x:%s" % (GDB_SIGUSR1, c.ptid()))["raw"], "W00;process:%x" % c.pid)
        self.assertIn("signo=%d code=-1 errno=9 value=4321" % signal.SIGUSR1, self.srv.output())

    def test_library_list_with_ilp32_layouts(self):
        c = self.c
        c.run("hello_32")
        c.run_to("add")
        reply = c.request("qXfer:libraries-svr4:read::0,fff")
        self.assertTrue(reply.startswith("l"), reply)
        libs = [(m.group(1), int(m.group(2), 16), int(m.group(3), 16)) for m in
                re.finditer(r'<library name="([^"]*)" lm="0x([0-9a-f]+)" l_addr="0x([0-9a-f]+)" '
                            r'l_ld="0x[0-9a-f]+" lmid="0x[0-9a-f]+"/>', reply)]
        main_lm = re.search(r'main-lm="0x([0-9a-f]+)"', reply)
        self.assertTrue(main_lm, reply)
        self.assertLess(int(main_lm.group(1), 16), 1 << 32)
        names = [n for n, _, _ in libs]
        self.assertTrue(any(n.endswith("/ld-linux.so.2") for n in names), names)
        libc = [l for l in libs if l[0].endswith("/libc.so.6")]
        self.assertEqual(len(libc), 1, names)
        # l_addr is where libc is mapped (its first mapping).
        path = libc[0][0]
        base = min(m[0] for m in proc_maps(c.pid) if os.path.realpath(m[-1] or "/") == os.path.realpath(path))
        self.assertEqual(libc[0][2], base)
        self.assertTrue(all(lm < 1 << 32 for _, lm, _ in libs))


if __name__ == "__main__":
    main()
