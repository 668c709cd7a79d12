"""Run control: step/next/stepi/finish/until through gdb, continue to exit,
vCont and the legacy resume packets on the wire, and ^C (through gdb and as
a raw 0x03) interrupting a running program, sleeping or busy."""
import os
import re
import signal
import time

from dbgsrv_test import (PROMPT, gdb_args, OutputReader, TestCase, exe_base, finish_gdb, launched_pids, le64, main,
                         parse_stop, program, read_proc_mem, running_under, source_line, static_address,
                         static_insns, stopped_by, task_states, wait_for)


def pc_marker(name):
    return 'python print("%s=%%#x" %% int(gdb.parse_and_eval("(long)$pc")))' % name


class GdbSteppingTest(TestCase):
    def test_next_step_finish_stepi_until(self):
        srv = self.server()
        out = self.gdb(srv, [
            "break main", "run",
            "next", "next",              # line 13 -> 14 -> 15
            "step",                      # into add()
            "bt",
            "finish",                    # back into main, value returned
            pc_marker("PC1"),
            'python print("MAIN=%#x" % int(gdb.parse_and_eval("(long)&main")))',
            "stepi",
            pc_marker("PC2"),
            "next", "next",              # 15 (second round), 14
            "until",                     # past the loop: line 16
            "p sum",
            "until 19",
            "continue"], program("hello"))
        self.assertIn("Breakpoint 1, main (", out)
        self.assertRegex(out, r"\n14\t    for \(int i = 0; i < 3; i\+\+\)\n15\t        sum = add\(sum, i\);\n")
        self.assertRegex(out, r"add \(a=0, b=0\) at \S*hello\.c:8\n8\t    return a \+ b;")
        self.assertRegex(out, r"#1  0x[0-9a-f]+ in main \(argc=1, argv=0x[0-9a-f]+\) at \S*hello\.c:15")
        self.assertIn("Value returned is $1 = 0", out)
        # stepi moved the pc by exactly one instruction of main.
        pc1 = int(re.search(r"PC1=(0x[0-9a-f]+)", out).group(1), 16)
        pc2 = int(re.search(r"PC2=(0x[0-9a-f]+)", out).group(1), 16)
        main_rt = int(re.search(r"MAIN=(0x[0-9a-f]+)", out).group(1), 16)
        main_static = static_address("hello", "main")
        insns = [a - main_static for a in static_insns("hello", "main", 20)]
        off1, off2 = pc1 - main_rt, pc2 - main_rt
        self.assertIn(off1, insns, "pc after finish is not an instruction of main:\n" + out)
        self.assertEqual(off2, insns[insns.index(off1) + 1], "stepi did not move one instruction:\n" + out)
        # until: out of the loop with the sum complete, then to line 19.
        self.assertRegex(out, r"\n16\t    printf\(\"sum=%d argc=%d\\n\", sum, argc\);\n\$2 = 3\n")
        self.assertRegex(out, r"main \(argc=1, argv=0x[0-9a-f]+\) at \S*hello\.c:19\n19\t    fflush\(stdout\);")
        self.assertIn("exited normally", out)
        self.assertIn("sum=3 argc=1", srv.output())

    def test_continue_to_exit_code(self):
        srv = self.server()
        out = self.gdb(srv, ["break add", "run", "delete", "continue", "info inferiors"],
                       program("hello"), )
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("exited normally", out)

    def test_inferior_call_and_jump(self):
        """gdb calls add() in the program (registers and stack written, a
        breakpoint at the return address), then jumps over the printf."""
        srv = self.server()
        out = self.gdb(srv, ["break 16", "run", "p add(2, 3)", "p add(sum, 10)", "p sum",
                             "jump 19"], program("hello"))
        self.assertIn("$1 = 5", out)
        self.assertIn("$2 = 13", out)
        self.assertIn("$3 = 3", out)
        self.assertIn("exited normally", out)
        self.assertNotIn("sum=", srv.output())

    def test_software_watchpoint(self):
        """A software watchpoint: gdb single-steps every instruction."""
        srv = self.server()
        out = self.gdb(srv, ["break main", "run", "set can-use-hw-watchpoints 0", "watch sum",
                             "continue", "continue", "continue", "continue"], program("hello"))
        self.assertRegex(out, r"Old value = 0\nNew value = 1\n")
        self.assertRegex(out, r"Old value = 1\nNew value = 3\n")
        self.assertIn("left the block", out)
        self.assertIn("exited normally", out)

    def test_step_into_and_out_repeatedly(self):
        """step through every call of add(): three separate entries."""
        srv = self.server()
        out = self.gdb(srv, ["break 15", "run", "step", "finish", "continue", "step", "finish",
                             "continue", "step", "finish", "continue"], program("hello"))
        self.assertIn("add (a=0, b=0) at", out)
        self.assertIn("add (a=0, b=1) at", out)
        self.assertIn("add (a=1, b=2) at", out)
        self.assertIn("Value returned is $3 = 3", out)
        self.assertIn("exited normally", out)


class RawResumeTest(TestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.server()

    def test_continue_to_exit_reports_w(self):
        c = self.client(self.srv)
        c.run("hello", "7")
        stop = c.resume("vCont;c")
        self.assertEqual(stop["raw"], "W07;process:%x" % c.pid)
        self.assertGone(c.pid, "the program (reaped)")
        self.assertEqual(c.request("qfThreadInfo"), "l")

    def test_vcont_query(self):
        c = self.client(self.srv)
        self.assertIn("vContSupported+", c.features)
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")

    def test_vcont_step_is_one_instruction(self):
        c = self.client(self.srv)
        start = c.run("hello")
        add = c.addr("add")
        insns = [c.base + a for a in static_insns("hello", "add", 4)]
        self.assertEqual(insns[0], add)
        self.assertEqual(c.request("Z0,%x,1" % add), "OK")
        stop = c.resume("vCont;c")
        self.assertEqual((stop["kind"], stop["sig"], stop["swbreak"]), ("T", 5, True), stop["raw"])
        self.assertEqual(stop["tid"], start["tid"])
        self.assertEqual(le64(stop["regs"][0x10]), add)
        self.assertEqual(c.pc(), add)
        # gdb's way over a breakpoint: remove it, step, put it back.
        self.assertEqual(c.request("z0,%x,1" % add), "OK")
        for expected in insns[1:]:
            stop = c.resume("vCont;s:%s" % c.ptid())
            self.assertEqual((stop["kind"], stop["sig"], stop["swbreak"]), ("T", 5, False), stop["raw"])
            self.assertEqual(stop["tid"], c.tid)
            self.assertEqual(le64(stop["regs"][0x10]), expected, stop["raw"])
            self.assertEqual(c.pc(), expected)
        # Continue: add() is no longer a breakpoint, the program finishes.
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)

    def test_vcont_first_matching_action_wins(self):
        c = self.client(self.srv)
        c.run("hello")
        add = c.addr("add")
        insns = [c.base + a for a in static_insns("hello", "add", 3)]
        self.assertEqual(c.request("Z0,%x,1" % add), "OK")
        stop = c.resume("vCont;c:%s;s" % c.ptid())
        self.assertTrue(stop["swbreak"], stop["raw"])
        self.assertEqual(c.request("z0,%x,1" % add), "OK")
        # s for our thread first, then c for the rest: only a step.
        stop = c.resume("vCont;s:%s;c" % c.ptid())
        self.assertEqual((stop["sig"], stop["swbreak"]), (5, False), stop["raw"])
        self.assertEqual(c.pc(), insns[1])
        # p PID.-1 names every thread of the process.
        stop = c.resume("vCont;s:p%x.-1;c" % c.pid)
        self.assertEqual(c.pc(), insns[2], stop["raw"])
        # t for our thread first: nothing left to resume.
        self.assertEqual(c.request("vCont;t:%s;c" % c.ptid()), "N")
        # Actions for threads and processes that do not exist resume nothing.
        self.assertEqual(c.request("vCont;c:p%x.7ffffffe" % c.pid), "N")
        self.assertEqual(c.request("vCont;c:p7ffffffe.-1"), "N")
        self.assertEqual(c.pc(), insns[2])
        # The program was not resumed by any of these: the next breakpoint hit
        # is the second call of add().
        self.assertEqual(c.request("Z0,%x,1" % add), "OK")
        stop = c.resume("vCont;c:p%x.-1" % c.pid)
        self.assertTrue(stop["swbreak"], stop["raw"])
        self.assertEqual(c.request("Hg%s" % c.ptid()), "OK")
        self.assertEqual(c.request("z0,%x,1" % add), "OK")
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)

    def test_vcont_t_alone(self):
        # Without no-resumed+ the client gets an error...
        c = self.client(self.srv, features="multiprocess+;swbreak+")
        c.run("hello")
        pc = c.pc()
        reply = c.request("vCont;t")
        self.assertTrue(reply.startswith("E"), reply)
        reply = c.request("vCont;t:%s" % c.ptid())
        self.assertTrue(reply.startswith("E"), reply)
        self.assertEqual(c.pc(), pc)
        self.assertTrue(c.request("?").startswith("T05"))
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)
        # ...with it, N.
        c2 = self.client(self.srv)
        c2.run("hello")
        self.assertEqual(c2.request("vCont;t"), "N")
        self.assertEqual(c2.resume("vCont;c")["raw"], "W00;process:%x" % c2.pid)

    def test_malformed_vcont_is_an_error(self):
        c = self.client(self.srv)
        c.run("hello")
        pc = c.pc()
        for bad in ["vCont;", "vCont;x", "vCont;c;;", "vCont;cc", "vCont;c:", "vCont;c:zz",
                    "vCont;c:p", "vCont;c:p1.", "vCont;C", "vCont;Cxyz", "vCont;C100",
                    "vCont;S:%s" % c.ptid(), "vCont;c;x", "vCont;s:%s;q" % c.ptid(),
                    "vCont;c:%s;" % c.ptid() + ";", "vCont;" + "c;" * 100 + "c",
                    "vCont;c:" + "f" * 40, "vCont;c:p-2.-2"]:
            reply = c.request(bad)
            self.assertTrue(reply.startswith("E"), "%s -> %r" % (bad, reply))
            self.assertEqual(c.pc(), pc, "%s moved the program" % bad)
        self.assertTrue(c.request("?").startswith("T05"))
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)
        self.assertNotIn("died of signal", self.srv.log_text())

    def test_legacy_continue_and_step(self):
        c = self.client(self.srv)
        c.run("hello", "3")
        add = c.addr("add")
        insns = [c.base + a for a in static_insns("hello", "add", 3)]
        self.assertEqual(c.request("Hc-1"), "OK")
        self.assertEqual(c.request("Z0,%x,1" % add), "OK")
        stop = c.resume("c")
        self.assertEqual((stop["kind"], stop["sig"], stop["swbreak"]), ("T", 5, True), stop["raw"])
        self.assertEqual(c.pc(), add)
        self.assertEqual(c.request("z0,%x,1" % add), "OK")
        self.assertEqual(c.request("Hg%s" % c.ptid()), "OK")
        for expected in insns[1:]:
            stop = c.resume("s")
            self.assertEqual((stop["kind"], stop["sig"], stop["swbreak"]), ("T", 5, False), stop["raw"])
            self.assertEqual(c.pc(), expected)
        self.assertEqual(c.resume("c")["raw"], "W03;process:%x" % c.pid)


class RangeSteppingTest(TestCase):
    """vCont;r: gdb's next and step cost one round trip per line."""

    def test_next_and_step_use_range_stepping(self):
        srv = self.server("-t", "tcp:port=0", "-v", "-v", "-v")
        out = self.gdb(srv, ["break main", "run", "next", "next", "next", "next", "step", "bt 1", "finish",
                             "continue"], program("hello"))
        self.assertRegex(out, r"\n14\t    for .*\n15\t        sum = add\(sum, i\);\n14\t.*\n15\t")
        self.assertRegex(out, r"add \(a=0, b=1\) at \S*hello\.c:8")
        self.assertIn("Value returned is $1 = 1", out)
        self.assertIn("exited normally", out)
        log = srv.log_text()
        ranges = re.findall(r"<- vCont;r([0-9a-f]+),([0-9a-f]+):", log)
        self.assertGreaterEqual(len(ranges), 5, log[-3000:])
        with_ranges = log.count("<- vCont;s:")
        # The same session with range stepping off: gdb single-steps each
        # instruction of each line itself.
        srv2 = self.server("-t", "tcp:port=0", "-v", "-v", "-v")
        out2 = self.gdb(srv2, ["set range-stepping off", "break main", "run", "next", "next", "next", "next",
                               "step", "bt 1", "finish", "continue"], program("hello"))
        self.assertIn("Value returned is $1 = 1", out2)
        log2 = srv2.log_text()
        self.assertNotIn("vCont;r", log2)
        self.assertGreater(log2.count("<- vCont;s:"), with_ranges + 5)

    def test_range_stepping_on_the_wire(self):
        srv = self.server()
        c = self.client(srv)
        c.run("hello")
        c.run_to("add")
        insns = [c.base + a for a in static_insns(program("hello"), "add", 6)]
        # Step through the first five instructions of add in one request.
        stop = c.resume("vCont;r%x,%x:%s" % (insns[0], insns[5], c.ptid()))
        self.assertEqual(stop["sig"], 5)
        self.assertEqual(c.pc(), insns[5])
        # A range the PC is not in: one step, like 's'.
        stop = c.resume("vCont;r%x,%x:%s" % (insns[0], insns[1], c.ptid()))
        self.assertNotEqual(c.pc(), insns[5])
        for bad in ("vCont;r%x" % insns[0], "vCont;r%x,%x" % (insns[1], insns[0]), "vCont;rzz,10"):
            self.assertTrue(c.request(bad).startswith("E"), bad)
        self.assertEqual(c.request("vCont?"), "vCont;c;C;s;S;t;r")
        # A breakpoint inside the range ends it before the breakpoint runs.
        self.assertEqual(c.request("vKill;%x" % c.pid), "OK")
        c.run("hello")
        c.run_to("add")
        insns = [c.base + a for a in static_insns(program("hello"), "add", 6)]
        self.assertEqual(c.request("Z0,%x,1" % insns[3]), "OK")
        c.resume("vCont;r%x,%x:%s" % (insns[0], insns[5], c.ptid()))
        self.assertEqual(c.pc(), insns[3])


class InterruptTest(TestCase):
    """^C while the program runs: through gdb (SIGINT to gdb, which sends
    0x03) and as a raw 0x03 byte; twice in a row, continuing in between."""

    def _gdb_interrupt_twice(self, *args):
        srv = self.server()
        reader = OutputReader(srv)
        run = "run" + "".join(" " + a for a in args)
        gdb = self.bg_gdb(srv, [run] + self.pause("i1") + ["p counter", "continue"] +
                          self.pause("i2") + ["p counter", "p $pc"], program("spin"))
        pid = reader.ready_pid()
        self.assertIn(pid, launched_pids(srv))
        counter = exe_base(pid, "spin") + static_address("spin", "counter")
        last = 0
        for name in ("i1", "i2"):
            wait_for(lambda: running_under(pid), 20, what="the program to run")
            # It makes progress (the counter, read by the test itself).
            wait_for(lambda: le64(read_proc_mem(pid, counter, 8).hex()) > last, 10,
                     what="the counter to move")
            t0 = time.monotonic()
            os.kill(gdb.pid, signal.SIGINT)
            self.wait_marker(name, gdb)
            self.assertLess(time.monotonic() - t0, PROMPT, "interrupt took too long")
            self.assertTrue(stopped_by(pid), task_states(pid))
            last = le64(read_proc_mem(pid, counter, 8).hex())
            self.release(name)
        out = finish_gdb(gdb)
        self.assertEqual(out.count("Program received signal SIGINT"), 2, out)
        counts = [int(v) for v in re.findall(r"^\$\d+ = (\d+)$", out, re.M)]
        self.assertEqual(len(counts), 2, out)
        self.assertGreater(counts[0], 0, out)
        self.assertGreater(counts[1], counts[0], "the program did not run after the first interrupt:\n" + out)
        self.assertRegex(out, r"\$3 = \(void \(\*\)\(\)\) 0x[0-9a-f]+")
        self.assertNotIn("died of signal", srv.log_text())

    def test_gdb_interrupt_sleeping(self):
        self._gdb_interrupt_twice()

    def test_gdb_interrupt_busy(self):
        self._gdb_interrupt_twice("busy")

    def _raw_interrupt(self, *args):
        srv = self.server()
        reader = OutputReader(srv)
        c = self.client(srv)
        c.run("spin", *args)
        counter = c.addr("counter")
        c.send_raw(c.frame("vCont;c"))
        self.assertEqual(reader.ready_pid(), c.pid)
        last = 0
        for round_ in range(3):
            wait_for(lambda: running_under(c.pid), 10, what="the program to run")
            # It really runs: the counter moves (read by the test itself).
            wait_for(lambda: le64(read_proc_mem(c.pid, counter, 8).hex()) > last + 10, 10,
                     what="the counter to move")
            t0 = time.monotonic()
            # The third time, two ^C at once: still one stop.
            c.send_raw(b"\x03\x03" if round_ == 2 else b"\x03")
            stop = parse_stop(c.read_reply())
            self.assertLess(time.monotonic() - t0, PROMPT, "interrupt took too long")
            self.assertEqual((stop["kind"], stop["sig"]), ("T", 2), stop["raw"])
            self.assertEqual((stop["pid"], stop["tid"]), (c.pid, c.pid))
            self.assertTrue(stopped_by(c.pid))
            value = le64(c.read(counter, 8).hex())
            self.assertGreater(value, last)
            last = value
            self.assertTrue(c.request("?").startswith("T02"))
            # Resume (in between rounds the stop must not come back by itself).
            c.send_raw(c.frame("vCont;c"))
        self.assertTrue(c.nothing_arrives(0.5), "a stray reply after a double ^C: %r" % c.buf)
        c.send_raw(b"\x03")
        self.assertTrue(c.read_reply().startswith("T02"))
        self.assertEqual(c.request("vKill;%x" % c.pid), "OK")
        self.assertGone(c.pid, "the program")

    def test_interrupt_between_a_stop_and_the_next_resume(self):
        """gdb.base/random-signal.exp: gdb steps on its own (a software
        watchpoint) and the user's ^C reaches the server between a step's
        stop and the next step. The next resume stops at once with SIGINT
        (gdbserver sends the process a SIGINT), or the ^C would be lost."""
        srv = self.server()
        c = self.client(srv)
        c.run("spin")
        c.send_raw(b"\x03")   # everything is stopped: nothing to interrupt yet
        self.assertTrue(c.nothing_arrives(0.3), "a reply to a ^C while stopped: %r" % c.buf)
        pc = c.pc()
        stop = c.resume("vCont;s:%s" % c.ptid())
        self.assertEqual((stop["kind"], stop["sig"]), ("T", 2), stop["raw"])
        self.assertEqual(c.pc(), pc, "the program moved before the interrupt was reported")
        # Reported once: the next step is a step.
        stop = c.resume("vCont;s:%s" % c.ptid())
        self.assertEqual((stop["kind"], stop["sig"]), ("T", 5), stop["raw"])
        self.assertNotEqual(c.pc(), pc)
        # A ^C left over from one program is not the next one's.
        c.send_raw(b"\x03")
        self.assertTrue(c.nothing_arrives(0.3))
        self.assertEqual(c.request("vKill;%x" % c.pid), "OK")
        c.run("hello")
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)

    def test_gdb_interrupt_while_stepping_a_software_watchpoint(self):
        """The same through gdb in a terminal: `watch` with hardware
        watchpoints off makes gdb single-step; ^C must stop it with
        SIGINT."""
        import pty
        import select
        srv = self.server()
        # gdb_args's command line, but interactive: gdb reads the terminal.
        cmd = [a for a in gdb_args(srv, ["break main", "run", "set can-use-hw-watchpoints 0", "watch counter"],
                                   program("spin")) if a != "-batch"]
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp(cmd[0], cmd)
        self.addCleanup(lambda: (os.kill(pid, signal.SIGKILL), os.waitpid(pid, 0)))
        out = b""

        def read_until(pattern, timeout):
            nonlocal out
            end = time.monotonic() + timeout
            while time.monotonic() < end and not re.search(pattern, out):
                r, _, _ = select.select([fd], [], [], 0.1)
                if r:
                    try:
                        out += os.read(fd, 4096)
                    except OSError:
                        break
            return re.search(pattern, out)
        self.assertTrue(read_until(rb"Watchpoint 2: counter", 30), out)
        os.write(fd, b"continue\n")
        self.assertTrue(read_until(rb"Continuing", 10), out)
        time.sleep(0.5)
        os.write(fd, b"\x03")
        self.assertTrue(read_until(rb"received signal SIGINT", 20), out.decode(errors="replace"))
        os.write(fd, b"kill\n")

    def test_raw_interrupt_sleeping(self):
        self._raw_interrupt()

    def test_raw_interrupt_busy(self):
        self._raw_interrupt("busy")

    def test_raw_interrupt_while_stopped(self):
        """gdb sends ^C whatever it believes, also between a stop reply and
        its next resume; the program must then stop with SIGINT once
        resumed (gdbserver sends it a SIGINT, which waits in it), and only
        once."""
        srv = self.server()
        c = self.client(srv)
        c.run("spin")
        c.send_raw(b"\x03")
        self.assertTrue(c.nothing_arrives(0.3), c.buf)
        with c.timeout(PROMPT):
            stop = c.resume("vCont;c")
        self.assertEqual((stop["kind"], stop["sig"], stop["pid"]), ("T", 2, c.pid), stop["raw"])
        c.send_raw(c.frame("vCont;c"))
        self.assertTrue(c.nothing_arrives(0.5), "the ^C stopped the program twice: %r" % c.buf)
        c.send_raw(b"\x03")
        self.assertTrue(c.read_reply().startswith("T02"))
        self.assertEqual(c.request("vKill;%x" % c.pid), "OK")

    def test_raw_interrupt_while_stopped_is_for_the_newest_process(self):
        """With two processes, as gdbserver's SIGINT: the ^C is for the
        newest one, and waits while gdb steps a thread of the other one
        over a breakpoint (gdb.threads/detach-step-over.exp: gdb then
        detaches the process the SIGINT came from)."""
        srv = self.server()
        c = self.client(srv)
        c.run("spin")
        older = c.pid
        c.run("spin")
        newest = c.pid
        c.send_raw(b"\x03")
        self.assertTrue(c.nothing_arrives(0.3), c.buf)
        with c.timeout(PROMPT):
            step = c.resume("vCont;s:p%x.%x" % (older, older))
        self.assertEqual((step["kind"], step["sig"], step["pid"]), ("T", 5, older), step["raw"])
        with c.timeout(PROMPT):
            stop = c.resume("vCont;c")
        self.assertEqual((stop["kind"], stop["sig"], stop["pid"]), ("T", 2, newest), stop["raw"])
        for pid in (older, newest):
            self.assertEqual(c.request("vKill;%x" % pid), "OK")

    def test_gdb_interrupt_while_gdb_steps_over_false_conditions(self):
        """Busy threads over a breakpoint whose condition gdb evaluates and
        finds false: gdb stops and resumes the program all the time, so its
        ^C mostly comes while the program is stopped. It must still stop
        the program (before, gdb went on forever)."""
        srv = self.server()
        reader = OutputReader(srv)
        line = source_line("mtspin.c", "counters[id]++")
        gdb = self.bg_gdb(srv, ["set breakpoint condition-evaluation host", "break mtspin.c:%d if 0" % line,
                                "run 6 busy"] + self.pause("int") + ["info threads", "kill"], program("mtspin"))
        pid = reader.ready_pid()
        self.assertIn(pid, launched_pids(srv))
        time.sleep(1)   # gdb evaluates the condition of hit after hit
        os.kill(gdb.pid, signal.SIGINT)
        self.wait_marker("int", gdb, timeout=PROMPT * 2)
        self.assertTrue(stopped_by(pid), task_states(pid))
        self.release("int")
        out = finish_gdb(gdb)
        self.assertRegex(out, r'(Program|Thread \d+(?: "[^"]*")?) received signal SIGINT')
        self.assertNotIn("(running)", out)


if __name__ == "__main__":
    main()
