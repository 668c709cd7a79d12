"""Memory: reading and writing data and read-only data through gdb, partial
reads at the end of what is readable, binary writes (X) with bytes that need
escaping, breakpoint bytes hidden from the client, and large reads."""
import re

from dbgsrv_test import (RawTestCase, TestCase, decode_reply, escape_binary, finish_gdb, launched_pids, main,
                         proc_maps, program, read_proc_mem, readable_region, received, static_gdb)


def static_breakpoint(prog, location):
    """(link-time address, original bytes there) of gdb's "break LOCATION"."""
    out = static_gdb(prog, "break " + location)
    addr = int(re.search(r"Breakpoint 1 at (0x[0-9a-f]+)", out).group(1), 16)
    dump = static_gdb(prog, "x/2xb %#x" % addr)
    data = bytes(int(b, 16) for b in re.findall(r"\t0x([0-9a-f]{2})", dump))
    assert len(data) == 2, dump
    return addr, data


def gap_after_mapping(pid):
    """End of a readable private mapping of PID that is followed by at least
    one unmapped page."""
    maps = proc_maps(pid)
    for (start, end, perms, _, name), nxt in zip(maps, maps[1:]):
        if perms.startswith("r") and not name.startswith("[v") and nxt[0] >= end + 4096:
            return end
    raise AssertionError("no gap in the address space of %d" % pid)


def py_edge(cmd):
    """A gdb command that runs maint packet CMD with {e} the value of edge."""
    return ("python e = int(gdb.parse_and_eval('(long)edge')); "
            "gdb.execute('maint packet ' + %r.format(e=e))" % cmd)


class GdbMemoryTest(TestCase):
    def test_read_and_write_data_and_rodata(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break stop_here", "run", "x/s rodata", "x/s buffer",
            "set var buffer[0] = 'X'",
            "set {char}&rodata = 'R'",
            "python a = int(gdb.parse_and_eval('(long)&rodata')); gdb.execute('maint packet M%x,1:45' % (a + 1))",
            "x/s rodata", "p buffer", "continue"], program("memory"))
        self.assertRegex(out, r"<rodata>:\t\"read-only data!\"")
        self.assertRegex(out, r"<buffer>:\t\"initial buffer contents\"")
        self.assertEqual(received(out), ["OK"])
        self.assertRegex(out, r"<rodata>:\t\"REad-only data!\"")
        self.assertIn('"Xnitial buffer contents"', out)
        self.assertIn("exited normally", out)
        self.assertIn("rodata=REad-only data! buffer=Xnitial buffer contents", srv.output())

    def test_partial_read_at_unmapped_edge(self):
        """edge: 8 readable bytes, then an unmapped page. A read across the
        end gives the 8 bytes; a read inside the unmapped page an error."""
        srv = self.server()
        out = self.gdb(srv, ["break stop_here", "run", "x/8xb edge",
                             py_edge("m{e:x},10"), py_edge("m{e:x},8"), py_edge("m{e:x},1000"),
                             "python e = int(gdb.parse_and_eval('(long)edge')); "
                             "gdb.execute('maint packet m%x,8' % (e + 8)); "
                             "gdb.execute('maint packet m%x,1' % (e + 8 + 100))",
                             "x/8xb edge + 8", "kill"], program("memory"))
        self.assertRegex(out, r"0x[0-9a-f]+:(\t0xab){8}\n")
        r = received(out)
        self.assertEqual(len(r), 5, out)
        self.assertEqual(r[1], "ab" * 8)
        self.assertEqual(r[0], "ab" * 8, "m<edge>,10 read past the readable bytes:\n" + out)
        self.assertEqual(r[2], "ab" * 8, "m<edge>,1000 read past the readable bytes:\n" + out)
        for reply in r[3:]:
            self.assertRegex(reply, r"^E[0-9a-f]{2}$", "a read in the unmapped page:\n" + out)
        self.assertIn("Cannot access memory at address", out)

    def test_breakpoint_bytes_are_hidden(self):
        srv = self.server()
        offset, original = static_breakpoint("memory", "stop_here")
        gdb = self.bg_gdb(srv, [
            "set breakpoint always-inserted on", "break stop_here", "run", "x/2xb $pc",
            "python gdb.execute('maint packet m%x,2' % int(gdb.parse_and_eval('(long)$pc')))",
            'python print("PC=%x" % int(gdb.parse_and_eval("(long)$pc")))'] +
            self.pause("bp") + ["continue"], program("memory"))
        self.wait_marker("bp", gdb)
        pid = launched_pids(srv)[0]
        # The test reads the debuggee's memory itself: the int3 is there.
        base = proc_maps(pid)[0][0]
        actual = read_proc_mem(pid, base + offset, 2)
        self.release("bp")
        out = finish_gdb(gdb)
        pc = int(re.search(r"PC=([0-9a-f]+)", out).group(1), 16)
        self.assertEqual(pc, base + offset)
        self.assertEqual(actual, b"\xcc" + original[1:])
        self.assertRegex(out, r"<stop_here\+\d+>:\t0x%02x\t0x%02x\n" % (original[0], original[1]))
        self.assertEqual(received(out), [original.hex()])
        self.assertIn("exited normally", out)

    def test_large_read(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break stop_here", "run",
            "python pid = gdb.selected_inferior().pid; "
            "regions = [l.split()[0].split('-') for l in open('/proc/%d/maps' % pid) "
            "if l.split()[1] == 'r-xp']; "
            "start = [int(a, 16) for a, b in regions if int(b, 16) - int(a, 16) >= 0x10000][0]; "
            "gdb.execute('maint packet m%x,10000' % start)",
            "kill"], program("memory"))
        r = received(out)
        self.assertEqual(len(r), 1, out[:3000])
        self.assertRegex(r[0], r"^[0-9a-f]+$")
        self.assertEqual(len(r[0]), 0x20000)


class RawMemoryTest(RawTestCase):
    def setUp(self):
        super().setUp()
        self.c.run("memory")
        self.stop_here = self.c.run_to("stop_here")
        self.edge = int.from_bytes(self.c.read(self.c.addr("edge"), 8), "little")

    def test_binary_write_with_escapes(self):
        c = self.c
        buf = c.addr("buffer")
        data = b"$#}*\x00\x03+-" + bytes([0x7d, 0x7d, 0x2a, 0x2a, 0x23, 0x24, 0, 0]) + bytes(range(0xf0, 0x100))
        data = data + b"}" * (64 - len(data))
        self.assertEqual(len(data), 64)
        payload = ("X%x,%x:" % (buf, len(data))).encode() + escape_binary(data)
        self.assertEqual(c.request(payload), "OK")
        self.assertEqual(c.read(buf, 64), data)
        self.assertEqual(read_proc_mem(c.pid, buf, 64), data)
        # Every byte value, 256 bytes ending at the end of the readable page.
        every = bytes(range(256))
        addr = self.edge + 8 - 256
        self.assertEqual(c.request(("X%x,100:" % addr).encode() + escape_binary(every)), "OK")
        self.assertEqual(c.read(addr, 256), every)
        self.assertEqual(read_proc_mem(c.pid, addr, 256), every)
        # X into read-only data.
        ro = c.addr("rodata")
        self.assertEqual(c.request(("X%x,4:" % ro).encode() + escape_binary(b"$*#}")), "OK")
        self.assertEqual(c.read(ro, 6), b"$*#}-o")
        # The zero-length probe, and lengths that do not match the data.
        self.assertEqual(c.request("X%x,0:" % buf), "OK")
        for bad in [("X%x,2:" % buf).encode() + b"a", ("X%x,1:" % buf).encode() + b"ab",
                    b"X", b"X1", b"X%x" % buf, b"Xzz,1:a"]:
            self.assertRegex(c.request(bad), r"^E", bad)
        self.assertEqual(c.read(buf, 64), data)

    def test_binary_read_x(self):
        """x: gdb's dialect ('b' and the bytes) after binary-upload+; a
        binary reply decodes to what m reads."""
        c = self.c
        buf = c.addr("buffer")
        data = bytes(range(256))
        addr = self.edge + 8 - 256
        self.assertEqual(c.request(("X%x,100:" % addr).encode() + escape_binary(data)), "OK")
        self.assertIn("binary-upload+", c.features)
        self.assertEqual(c.request("x%x,100" % addr).encode("latin-1"), b"b" + data)
        # A read across the unmapped edge stops there; none at all is an error.
        self.assertEqual(c.request("x%x,100" % (self.edge + 8 - 16)).encode("latin-1"), b"b" + data[-16:])
        self.assertRegex(c.request("x%x,10" % (self.edge + 8)), r"^E[0-9a-f]{2}$")
        self.assertEqual(c.request("x%x,0" % buf), "b")
        for bad in ("x", "x%x" % buf, "xzz,1", "x%x,1,2" % buf):
            self.assertRegex(c.request(bad), r"^E[0-9a-f]{2}$", bad)

    def test_binary_read_x_lldb_dialect(self):
        c = self.client(self.srv)
        self.assertEqual(c.request("QThreadSuffixSupported"), "OK")   # lldb says who it is
        self.assertEqual(c.request("x0,0"), "OK")                     # lldb's probe
        c.run("memory")
        c.run_to("stop_here")
        buf = c.addr("buffer")
        self.assertEqual(c.request("x%x,8" % buf).encode("latin-1"), c.read(buf, 8))   # no 'b'

    def test_hex_write(self):
        c = self.c
        buf = c.addr("buffer")
        self.assertEqual(c.request("M%x,5:48454c4c4f" % buf), "OK")
        self.assertEqual(c.read(buf, 8), b"HELLOal ")
        for bad in ["M%x,5:48454c4c" % buf, "M%x,2:zzzz" % buf, "M%x,1:" % buf, "M%x" % buf,
                    "M,1:00", "M%x,1:000" % buf]:
            self.assertRegex(c.request(bad), r"^E", bad)
        self.assertRegex(c.request("M0,1:00"), r"^E[0-9a-f]{2}$")
        self.assertEqual(c.read(buf, 8), b"HELLOal ")

    def test_partial_read_before_unmapped_gap(self):
        c = self.c
        end = gap_after_mapping(c.pid)
        self.assertEqual(c.read(end - 8, 16), read_proc_mem(c.pid, end - 8, 8))
        self.assertEqual(len(c.read(end - 100, 0x10000)), 100)
        self.assertRegex(c.request("m%x,8" % end), r"^E[0-9a-f]{2}$")
        self.assertRegex(c.request("m%x,1" % (end + 100)), r"^E[0-9a-f]{2}$")
        # Addresses that do not exist at all.
        self.assertRegex(c.request("m0,8"), r"^E[0-9a-f]{2}$")
        self.assertRegex(c.request("mffffffffffffff00,100"), r"^E[0-9a-f]{2}$")
        self.assertRegex(c.request("mfffffffffffffff0,100"), r"^E[0-9a-f]{2}$")
        for bad in ["m", "m1", "m1,", "m,1", "mzz,1", "m1,zz", "m1,1x"]:
            self.assertRegex(c.request(bad), r"^E[0-9a-f]{2}$", bad)

    def test_partial_read_at_unmapped_edge(self):
        c = self.c
        self.assertEqual(c.request("m%x,10" % self.edge), "ab" * 8)
        self.assertRegex(c.request("m%x,8" % (self.edge + 8)), r"^E[0-9a-f]{2}$")

    def test_breakpoint_shadowing(self):
        c = self.c
        offset, original = static_breakpoint("memory", "stop_here")
        addr = c.base + offset
        self.assertEqual(read_proc_mem(c.pid, addr, 2), original)
        self.assertEqual(c.request("Z0,%x,1" % addr), "OK")
        self.assertEqual(c.request("Z0,%x,1" % addr), "OK")     # idempotent
        self.assertEqual(read_proc_mem(c.pid, addr, 2), b"\xcc" + original[1:])
        self.assertEqual(c.read(addr, 2), original)
        self.assertEqual(c.read(addr - 3, 5)[3:], original)
        # Writing over the breakpoint keeps the int3 and changes what is shown.
        self.assertEqual(c.request("M%x,2:%s" % (addr, original.hex())), "OK")
        self.assertEqual(read_proc_mem(c.pid, addr, 2), b"\xcc" + original[1:])
        self.assertEqual(c.read(addr, 2), original)
        self.assertEqual(c.request("z0,%x,1" % addr), "OK")
        self.assertEqual(read_proc_mem(c.pid, addr, 2), original)
        self.assertEqual(c.request("z0,%x,1" % addr), "OK")     # already gone: fine
        for bad in ["Z0,", "Z0,zz,1", "Z0,%x" % addr, "Z0,%x,1;X" % addr, "Z0,%x,1x" % addr]:
            self.assertRegex(c.request(bad), r"^E", bad)
        self.assertRegex(c.request("Z0,8,1"), r"^E")
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)

    def test_large_read(self):
        c = self.c
        start, end = readable_region(c.pid, 0x10000)
        c.send_raw(c.frame("m%x,10000" % start))
        raw, ok = c.read_packet()
        self.assertTrue(ok)
        data = decode_reply(raw)
        self.assertEqual(len(data), 0x20000)
        self.assertEqual(bytes.fromhex(data.decode()), read_proc_mem(c.pid, start, 0x10000))
        # More than fits in a packet: clamped, never an overlong reply.
        reply = c.request("m%x,100000" % start)
        self.assertLessEqual(len(reply), 0x20000)
        self.assertEqual(bytes.fromhex(reply), read_proc_mem(c.pid, start, len(reply) // 2))


class TwoProcessesTest(TestCase):
    def test_memory_of_the_selected_process(self):
        """Two processes in one session: m, M and Z0 act on the process of
        the thread selected with Hg."""
        srv = self.server()
        c = self.client(srv)
        c.run("memory")
        first, base1 = c.pid, c.base
        c.run("memory")
        second, base2 = c.pid, c.base
        self.assertNotEqual(first, second)
        off = c.addr("buffer") - c.base
        for pid, base, text in [(first, base1, b"first"), (second, base2, b"second")]:
            self.assertEqual(c.request("Hgp%x.%x" % (pid, pid)), "OK")
            self.assertEqual(c.request("M%x,%x:%s" % (base + off, len(text), text.hex())), "OK")
        for pid, base, text in [(first, base1, b"first"), (second, base2, b"second")]:
            self.assertEqual(c.request("Hgp%x.%x" % (pid, pid)), "OK")
            self.assertEqual(c.read(base + off, len(text)), text)
            self.assertEqual(read_proc_mem(pid, base + off, len(text)), text)
        # A breakpoint in the second process only.
        bp_off, original = static_breakpoint("memory", "stop_here")
        self.assertEqual(c.request("Z0,%x,1" % (base2 + bp_off)), "OK")
        self.assertEqual(read_proc_mem(second, base2 + bp_off, 1), b"\xcc")
        self.assertEqual(read_proc_mem(first, base1 + bp_off, 1), original[:1])
        self.assertEqual(c.request("z0,%x,1" % (base2 + bp_off)), "OK")
        self.assertEqual(read_proc_mem(second, base2 + bp_off, 1), original[:1])
        for pid in (first, second):
            self.assertEqual(c.request("vKill;%x" % pid), "OK")
        self.assertEqual(c.request("qfThreadInfo"), "l")


if __name__ == "__main__":
    main()
