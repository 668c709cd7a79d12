"""Hardware breakpoints and watchpoints (the x86 debug registers) through
gdb: watch, rwatch, awatch and hbreak with the right stop reasons, a
thread started later that hits a watchpoint, the clear error when the four
registers are used up, detaching with watchpoints set, and the Z1/Z2/Z4
packets themselves."""
import time

from dbgsrv_test import TestCase, le64, main, proc_state, program, source_line, tracer_pid, wait_for


class WatchpointTest(TestCase):
    def run_watch(self, *commands):
        srv = self.server()
        return self.gdb(srv, ["break main", "run"] + list(commands), program("watch"))

    def test_watch_stops_after_each_write_in_every_thread(self):
        out = self.run_watch("watch counter", "continue", "continue", "continue", "continue")
        self.assertIn("Hardware watchpoint 2: counter", out)
        self.assertRegex(out, r"Old value = 0\nNew value = 1\ntouch \(v=1\) at \S*watch\.c:%d"
                         % source_line("watch.c", "counter = v;   /* the write */") + "|" +
                         r"Old value = 0\nNew value = 1\ntouch \(v=1\) at \S*watch\.c:%d"
                         % (source_line("watch.c", "counter = v;   /* the write */") + 1))
        self.assertIn("Old value = 1\nNew value = 2", out)
        # The worker thread starts with empty debug registers: the server
        # writes them before it first runs.
        self.assertRegex(out, r"Thread \d+(?: \"[^\"]*\")? hit Hardware watchpoint 2: counter\n\nOld value = 2\nNew value = 100")
        self.assertIn("exited normally", out)
        self.assertNotIn("software watchpoint", out.lower())

    def test_rwatch_and_awatch(self):
        out = self.run_watch("rwatch counter", "awatch bytes[1]", "continue", "continue", "continue")
        # x86 cannot watch reads alone: gdb emulates rwatch with an access
        # watchpoint and reports only the read.
        self.assertIn("Hardware read watchpoint 2: counter", out)
        self.assertRegex(out, r"Hardware read watchpoint 2: counter\n\nValue = 2\n")
        self.assertRegex(out, r"Hardware access \(read/write\) watchpoint 3: bytes\[1\]\n\n"
                              r"(Old value = 0 '\\000'\nNew value = 120 'x'|Value = 120 'x')")

    def test_hbreak(self):
        out = self.run_watch("hbreak touch", "continue", "continue", "info breakpoints", "continue")
        self.assertIn("Hardware assisted breakpoint 2 at", out)
        self.assertIn("Breakpoint 2, touch (v=1)", out)
        self.assertIn("Breakpoint 2, touch (v=2)", out)
        self.assertRegex(out, r"hw breakpoint\s+keep y\s+0x[0-9a-f]+ in touch at \S*watch\.c:\d+\n"
                              r"\s+breakpoint already hit 2 times")
        self.assertIn("exited normally", out)

    def test_a_region_wider_than_the_registers_is_refused(self):
        out = self.run_watch("watch wide", "continue", "delete 2", "watch wide[7]", "continue", "continue")
        self.assertIn("Could not insert hardware watchpoint 2", out)
        self.assertIn("Old value = 0\nNew value = 7", out)      # one element fits
        self.assertIn("exited normally", out)

    def test_five_hardware_breakpoints_do_not_fit(self):
        out = self.run_watch("hbreak touch", "hbreak worker", "watch counter", "watch reader_sink",
                             "hbreak main", "continue")
        self.assertIn("Could not insert hardware breakpoint", out)
        self.assertIn("You may have requested too many hardware breakpoints/watchpoints", out)

    def test_detach_with_a_watchpoint_leaves_the_program_running(self):
        prog = self.start_program("spin")
        srv = self.server()
        out = self.gdb(srv, ["attach %d" % prog.pid, "watch counter", "continue", "detach"], program("spin"))
        self.assertIn("Hardware watchpoint 1: counter", out)
        self.assertRegex(out, r"Old value = \d+\nNew value = \d+")
        wait_for(lambda: tracer_pid(prog.pid) == 0, what="the program to be detached")
        time.sleep(0.3)   # it writes counter every millisecond: a trap would kill it
        self.assertTrue(prog.alive())
        self.assertIn(proc_state(prog.pid), ("R", "S"))

    def test_packets(self):
        srv = self.server()
        c = self.client(srv, features="multiprocess+;swbreak+;hwbreak+;no-resumed+")
        c.run("watch")
        counter = c.addr("counter")
        # Z3: reads alone cannot be watched on x86 (the empty reply lets gdb emulate).
        self.assertEqual(c.request("Z3,%x,4" % counter), "")
        for bad in ("Z2,%x" % counter, "Z2,%x,0" % counter, "Z2,zz,4", "Z1,%x,1,2" % counter):
            self.assertTrue(c.request(bad).startswith("E"), bad)
        # An unaligned 4 bytes takes three registers (1 + 2 + 1), a fourth fits, a fifth does not.
        self.assertEqual(c.request("Z2,%x,4" % (counter + 1)), "OK")
        self.assertEqual(c.request("Z4,%x,8" % (counter & ~7)), "OK")
        reply = c.request("Z1,%x,1" % c.addr("touch"))
        self.assertTrue(reply.startswith("E."), reply)
        self.assertIn("no free hardware debug register", reply)
        self.assertEqual(c.request("z2,%x,4" % (counter + 1)), "OK")
        self.assertEqual(c.request("z2,%x,4" % (counter + 1)), "OK")      # already gone: still OK
        self.assertEqual(c.request("z4,%x,8" % (counter & ~7)), "OK")
        self.assertEqual(c.request("Z2,%x,4" % counter), "OK")
        stop = c.resume("vCont;c")
        self.assertEqual(stop["sig"], 5)
        self.assertIn("watch:%x;" % counter, stop["raw"])
        self.assertEqual(c.request("z2,%x,4" % counter), "OK")
        self.assertEqual(c.request("Z1,%x,1" % c.addr("touch")), "OK")
        stop = c.resume("vCont;c")
        self.assertIn("hwbreak:;", stop["raw"])
        self.assertEqual(le64(stop["regs"][0x10]), c.addr("touch"))        # stopped before it runs


if __name__ == "__main__":
    main()
