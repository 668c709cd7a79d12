"""Registers: reading the general, x87, SSE, AVX, segment-base and Linux
registers through gdb; writing them (checked after flushing gdb's register
cache, on the wire, and by the program itself); the target description and
the g/G/p/P packets, good and bad."""
import re
import xml.etree.ElementTree as ET

from dbgsrv_test import RawTestCase, TestCase, le64, main, program, received

FLUSH = "maint flush register-cache"
CORE_REGS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
             "r12", "r13", "r14", "r15", "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs"]


def reg_rows(out):
    """{name: (hex, natural)} from "info registers" style output."""
    return {m.group(1): (m.group(2), m.group(3))
            for m in re.finditer(r"^([a-z][a-z0-9_]*)\s+(0x[0-9a-f]+|\S+)\s+(.*)$", out, re.M)}


class GdbRegistersTest(TestCase):
    def test_read_registers(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break stop_here", "run", "info registers",
            "info registers fs_base gs_base orig_rax",
            'python print("FSB=%d" % int(gdb.parse_and_eval("*(long *)$fs_base == $fs_base")))',
            'python print("RSP=%d" % int(gdb.parse_and_eval("$rsp == $sp && $rip == $pc")))',
            "p $xmm0", "p $ymm0", "p $st0", "p $mxcsr", "p $fctrl",
            "info all-registers", "maint packet p10",
            'python print("PC=%x" % int(gdb.parse_and_eval("(long)$pc")))'], program("registers"))
        self.assertIn("Breakpoint 1, stop_here ()", out)
        rows = reg_rows(out)
        for name in CORE_REGS + ["fs_base", "gs_base", "orig_rax"]:
            self.assertIn(name, rows, "%s missing in:\n%s" % (name, out))
        self.assertRegex(out, r"\nrip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <stop_here\+\d+>\n")
        self.assertRegex(out, r"\neflags\s+0x[0-9a-f]+\s+\[ [A-Z ]*IF[A-Z ]* \]\n")
        self.assertEqual(rows["cs"][0], "0x33")
        self.assertEqual(rows["ss"][0], "0x2b")
        self.assertNotEqual(int(rows["fs_base"][0], 16), 0)
        self.assertIn("FSB=1", out)      # glibc's TCB starts with a pointer to itself
        self.assertIn("RSP=1", out)
        self.assertRegex(out, r"\norig_rax\s+0xffffffffffffffff\s+-1\n")
        self.assertRegex(out, r"= \{v4_float = .*v2_double = .*v4_int32 = .*uint128 = \d+\}")
        self.assertRegex(out, r"= \{.*v8_float = .*v8_int32 = \{.*v4_int64 = .*v2_int128 = .*\}")
        self.assertRegex(out, r"\n\$3 = 0\n")
        self.assertIn("$4 = [ IM DM ZM OM UM PM ]", out)
        self.assertIn("$5 = 895", out)
        for name in ["st7", "fctrl", "fstat", "ftag", "fop", "mxcsr", "ymm0", "ymm15"]:
            self.assertRegex(out, r"\n%s\s+\S" % name)
        # The same pc on the wire as through gdb.
        pc = int(re.search(r"PC=([0-9a-f]+)", out).group(1), 16)
        self.assertEqual(le64(received(out)[0]), pc)

    def test_write_general_registers(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break stop_here", "run",
            "set $rax = 0x1234", "set $r15 = -2", "set $rbx = 0x1122334455667788",
            "set $eflags = $eflags | 1",
            FLUSH,
            "p/x $rax", "p $r15", "p/x $rbx", "p $eflags",
            "maint packet p0", "maint packet p1", "maint packet pf", "kill"], program("registers"))
        self.assertIn("$1 = 0x1234", out)
        self.assertIn("$2 = -2", out)
        self.assertIn("$3 = 0x1122334455667788", out)
        self.assertRegex(out, r"\$4 = \[ CF [A-Z ]*IF[A-Z ]* \]")
        self.assertEqual(received(out), ["3412000000000000", "8877665544332211", "feffffffffffffff"])

    def test_write_vector_and_x87_registers(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break stop_here", "run",
            "set $xmm1.v4_int32[0] = 77", "set $ymm1.v8_int32[7] = 55",
            "set $xmm15.v2_int64[1] = -3", "set $st0 = 1.5", "set $mxcsr = 0x1f80 | 0x8000",
            FLUSH,
            "p $xmm1.v4_int32[0]", "p $ymm1.v8_int32[7]", "p $xmm15.v2_int64[1]", "p $st0",
            "p/x $mxcsr", "p $ymm1.v8_int32[0]",
            "maint packet p29", "maint packet p3d", "kill"], program("registers"))
        self.assertIn("$1 = 77", out)
        self.assertIn("$2 = 55", out)
        self.assertIn("$3 = -3", out)
        self.assertIn("$4 = 1.5", out)
        self.assertIn("$5 = 0x9f80", out)
        self.assertIn("$6 = 77", out)
        xmm1, ymm1h = received(out)
        self.assertEqual(len(xmm1), 32)
        self.assertEqual(xmm1[:8], "4d000000")
        self.assertEqual(len(ymm1h), 32)
        self.assertEqual(ymm1h[24:], "37000000")

    def test_ymm7_write_reaches_the_thread(self):
        srv = self.server()
        out = self.gdb(srv, ["break stop_here", "run", "p $ymm7.v8_int32",
                             "set $ymm7.v8_int32[7] = 99", "continue"], program("registers"))
        self.assertIn("$1 = {1, 2, 3, 4, 5, 6, 7, 8}", out)
        self.assertIn("exited normally", out)
        self.assertIn("ymm7=1,2,3,4,5,6,7,99", srv.output())

    def test_xmm7_write_reaches_the_thread(self):
        srv = self.server()
        out = self.gdb(srv, ["break stop_here", "run", "set $xmm7.v4_int32[1] = 42",
                             "p $ymm7.v8_int32", "continue"], program("registers"))
        self.assertIn("$1 = {1, 42, 3, 4, 5, 6, 7, 8}", out)
        self.assertIn("exited normally", out)
        self.assertIn("ymm7=1,42,3,4,5,6,7,8", srv.output())

    def test_target_description_and_g_length(self):
        srv = self.server()
        cmds = ["break stop_here", "run"]
        cmds += ["maint packet qXfer:features:read:target.xml:%x,fff" % (i * 0xfff) for i in range(8)]
        cmds += ["maint packet g", "continue"]
        out = self.gdb(srv, cmds, program("registers"))
        replies = received(out)
        self.assertEqual(len(replies), 9, out)
        xml = ""
        for r in replies[:8]:
            self.assertIn(r[:1], ("m", "l"), r[:100])
            xml += r[1:]
            if r[:1] == "l":
                break
        else:
            self.fail("target.xml never ended with an 'l' reply")
        xml = re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), xml).replace("\\\\", "\\")
        self.assertIn("<architecture>i386:x86-64</architecture>", xml)
        root = ET.fromstring(xml)
        features = [f.get("name") for f in root.iter("feature")]
        for f in ["org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.linux",
                  "org.gnu.gdb.i386.segments", "org.gnu.gdb.i386.avx"]:
            self.assertIn(f, features)
        regs = list(root.iter("reg"))
        names = [r.get("name") for r in regs]
        for n in ["rip", "eflags", "fs_base", "gs_base", "orig_rax", "xmm15", "ymm15h", "st7", "mxcsr"]:
            self.assertIn(n, names)
        nums = [int(r.get("regnum")) for r in regs]
        self.assertEqual(nums, list(range(len(regs))))
        g = replies[8]
        self.assertRegex(g, r"^[0-9a-f]+$")
        self.assertEqual(len(g), sum(int(r.get("bitsize")) for r in regs) // 4)
        self.assertIn("exited normally", out)

    def test_bad_register_packets(self):
        srv = self.server()
        out = self.gdb(srv, ["break stop_here", "run",
                             "maint packet P999=00", "maint packet p999", "maint packet Pzz=00",
                             "maint packet P10", "maint packet P10=12", "maint packet pfffffffffffffffff",
                             "maint packet G00", "maint packet G", "maint packet Gxyz",
                             "maint packet p10", "p $ymm7.v8_int32", "continue"], program("registers"))
        replies = received(out)
        self.assertEqual(len(replies), 10, out)
        for r in replies[:9]:
            self.assertTrue(r.startswith("E"), "expected an error, got %r:\n%s" % (r, out))
        self.assertRegex(replies[9], r"^[0-9a-f]{16}$")
        self.assertIn("$1 = {1, 2, 3, 4, 5, 6, 7, 8}", out)
        self.assertIn("exited normally", out)
        self.assertIn("ymm7=1,2,3,4,5,6,7,8", srv.output())


class RawRegistersTest(RawTestCase):
    def setUp(self):
        super().setUp()
        self.c.run("registers")
        self.stop_here = self.c.run_to("stop_here")

    def sizes(self):
        xml, off = "", 0
        while True:
            r = self.c.request("qXfer:features:read:target.xml:%x,400" % off)
            xml += r[1:]
            off += len(r) - 1
            if r[0] == "l":
                break
        return [int(r.get("bitsize")) // 8 for r in ET.fromstring(xml).iter("reg")]

    def test_g_matches_p(self):
        c = self.c
        sizes = self.sizes()
        g = bytes.fromhex(c.request("g"))
        self.assertEqual(len(g), sum(sizes))
        off = 0
        for num, size in enumerate(sizes):
            self.assertEqual(c.request("p%x" % num), g[off:off + size].hex(), "register %d" % num)
            off += size
        self.assertEqual(le64(c.request("p10")), self.stop_here)
        # ymm7h (regnum 67) holds 5..8, xmm7 (47) 1..4.
        self.assertEqual(c.request("p2f"), bytes.fromhex("01000000020000000300000004000000").hex())
        self.assertEqual(c.request("p43"), bytes.fromhex("05000000060000000700000008000000").hex())

    def test_G_round_trip_and_change(self):
        c = self.c
        sizes = self.sizes()
        g = bytearray.fromhex(c.request("g"))
        self.assertEqual(c.request("G" + g.hex()), "OK")
        self.assertEqual(c.request("g"), g.hex())
        g[0:8] = (0x5a5a).to_bytes(8, "little")            # rax
        ymm7h = sum(sizes[:67])
        g[ymm7h + 12:ymm7h + 16] = (99).to_bytes(4, "little")
        self.assertEqual(c.request("G" + g.hex()), "OK")
        self.assertEqual(c.request("p0"), "5a5a000000000000")
        self.assertEqual(c.request("g"), g.hex())
        # Wrong lengths: errors, nothing changed.
        for bad in ["G" + g.hex()[:-2], "G" + g.hex() + "00", "G" + g.hex()[:-1], "G"]:
            self.assertTrue(c.request(bad).startswith("E"), bad[:20])
        self.assertEqual(c.request("g"), g.hex())
        self.assertEqual(c.request("P0=0100000000000000"), "OK")
        self.assertEqual(c.request("p0"), "0100000000000000")
        for bad in ["P0=01", "P0=010000000000000000", "P%x=00" % len(sizes), "P-1=00", "P0",
                    "P=00", "p%x" % len(sizes), "p", "pzz"]:
            self.assertTrue(c.request(bad).startswith("E"), bad)
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)
        self.assertIn("ymm7=1,2,3,4,5,6,7,99", self.srv.output())


if __name__ == "__main__":
    main()
