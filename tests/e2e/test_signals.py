"""Signals: reported to gdb, delivered or suppressed as gdb decides, deaths
by signal (X), signals chosen by gdb, and signals sent from outside."""
import os
import re
import signal

from dbgsrv_test import (OutputReader, RawTestCase, TestCase, finish_gdb, launched_pids, main, program,
                         task_states, wait_for)

# gdb's own signal numbers (not the host's) on the wire.
GDB_SIGABRT, GDB_SIGUSR1, GDB_SIGUSR2, GDB_SIGKILL = 6, 30, 31, 9


class GdbSignalsTest(TestCase):
    def test_usr1_reported_and_delivered(self):
        srv = self.server()
        out = self.gdb(srv, ["run usr1", "continue"], program("signals"))
        self.assertIn("Program received signal SIGUSR1", out)
        self.assertIn("exited normally", out)
        self.assertIn("handled=1 last=%d" % signal.SIGUSR1, srv.output())

    def test_signal_0_suppresses(self):
        srv = self.server()
        out = self.gdb(srv, ["run usr1", "signal 0"], program("signals"))
        self.assertIn("Program received signal SIGUSR1", out)
        self.assertIn("exited normally", out)
        self.assertIn("handled=0 last=0", srv.output())

    def test_handle_nopass_suppresses(self):
        srv = self.server()
        out = self.gdb(srv, ["handle SIGUSR1 stop print nopass", "run usr1", "continue"],
                       program("signals"))
        self.assertIn("Program received signal SIGUSR1", out)
        self.assertIn("exited normally", out)
        self.assertIn("handled=0 last=0", srv.output())

    def test_handle_nostop_pass_delivers_without_stopping(self):
        srv = self.server()
        out = self.gdb(srv, ["handle SIGUSR1 nostop noprint pass", "break after_raise", "run usr1",
                             "p handled", "continue"], program("signals"))
        self.assertNotIn("Program received signal SIGUSR1", out)
        self.assertIn("Breakpoint 1, after_raise", out)
        self.assertIn("$1 = 1", out)
        self.assertIn("exited normally", out)
        self.assertIn("handled=1 last=%d" % signal.SIGUSR1, srv.output())

    def test_abort_terminates_with_sigabrt(self):
        srv = self.server()
        out = self.gdb(srv, ["run abort", "continue", "info inferiors"], program("signals"))
        self.assertIn("Program received signal SIGABRT", out)
        self.assertIn("Program terminated with signal SIGABRT", out)
        self.assertNotIn("exited normally", out)

    def _wait_mode(self, srv, cmds):
        reader = OutputReader(srv)
        gdb = self.bg_gdb(srv, ["run wait"] + cmds, program("signals"))
        pid = reader.ready_pid()
        self.assertIn(pid, launched_pids(srv))
        return reader, gdb, pid

    def _in_pause(self, pid):
        states = task_states(pid)
        return states and set(states.values()) <= {"S"}

    def _interrupt_in_pause(self, gdb, pid, pause):
        """Once the program waits in pause(), ^C through gdb; then lets gdb go
        on past its pause PAUSE."""
        wait_for(lambda: self._in_pause(pid), 10, what="the program to wait in pause()")
        os.kill(gdb.pid, signal.SIGINT)
        self.wait_marker(pause, gdb)
        self.release(pause)

    def test_signal_chosen_by_gdb(self):
        """signals wait: interrupt, then "signal SIGUSR2" delivers it."""
        srv = self.server()
        reader, gdb, pid = self._wait_mode(srv, self.pause("stopped") + [
            "break on_signal", "signal SIGUSR2", "p sig", "p handled", "continue"] +
            self.pause("end"))
        self._interrupt_in_pause(gdb, pid, "stopped")
        self.assertEqual(reader.wait_line(r"^got (\d+)$").group(1), str(int(signal.SIGUSR2)))
        self._interrupt_in_pause(gdb, pid, "end")
        out = finish_gdb(gdb)
        self.assertIn("Breakpoint 1, on_signal (sig=%d)" % signal.SIGUSR2, out)
        self.assertIn("$1 = %d" % signal.SIGUSR2, out)
        self.assertIn("$2 = 0", out)
        self.assertEqual(out.count("Program received signal SIGINT"), 2, out)
        self.assertNotIn("SIGUSR1", out)
        self.assertEqual(reader.text().count("got "), 1, reader.text())

    def test_signal_from_outside_is_reported_and_passed(self):
        srv = self.server()
        reader, gdb, pid = self._wait_mode(srv, self.pause("usr1") + ["p last_signal", "continue"] +
                                           self.pause("end"))
        wait_for(lambda: self._in_pause(pid), 10, what="the program to wait in pause()")
        os.kill(pid, signal.SIGUSR1)
        self.wait_marker("usr1", gdb)
        self.assertEqual(set(task_states(pid).values()), {"t"})
        self.assertEqual(reader.text().count("got "), 0)
        self.release("usr1")
        self.assertEqual(reader.wait_line(r"^got (\d+)$").group(1), str(int(signal.SIGUSR1)))
        self._interrupt_in_pause(gdb, pid, "end")
        out = finish_gdb(gdb)
        self.assertIn("Program received signal SIGUSR1", out)
        self.assertIn("$1 = 0", out)
        self.assertIn("Program received signal SIGINT", out)
        self.assertEqual(reader.text().count("got "), 1, reader.text())


class PassSignalsTest(TestCase):
    def test_segv_and_ill_are_never_passed_unseen(self):
        """gdb.base/catch-gdb-caused-signals.exp: with SIGSEGV "nostop
        noprint pass", an inferior call still works: it returns to a
        breakpoint on the stack, where executing faults, and gdb must see
        that SIGSEGV (gdbserver never passes SIGSEGV, SIGILL or SIGTRAP
        unseen). The program's own SIGSEGV still reaches its handler."""
        srv = self.server()
        out = self.gdb(srv, ["break main", "run", "handle SIGSEGV nostop noprint pass",
                             "handle SIGILL nostop noprint pass", "print add(2, 3)", "continue"],
                       program("hello"))
        self.assertIn("$1 = 5", out)
        self.assertIn("exited normally", out)
        reader = OutputReader(srv)
        out = self.gdb(srv, ["handle SIGSEGV nostop noprint pass", "run segv"], program("siginfo"))
        self.assertNotIn("received signal", out)
        self.assertIn("exited normally", out)
        reader.wait_line(r"^signo=%d code=1 addr=0x" % signal.SIGSEGV)

    def test_passed_signals_cost_no_round_trip(self):
        srv = self.server("-t", "tcp:port=0", "-v", "-v", "-v")
        usr1 = str(int(signal.SIGUSR1))
        out = self.gdb(srv, ["handle SIGUSR1 nostop noprint pass", "run " + " ".join([usr1] * 10)],
                       program("raise_signals"))
        self.assertIn("exited normally", out)
        self.assertEqual(srv.output().count("got %s" % usr1), 10)
        log = srv.log_text()
        self.assertRegex(log, r"<- QPassSignals:[0-9a-f;]*\b%02x\b" % GDB_SIGUSR1)
        self.assertNotIn("-> $T%02x" % GDB_SIGUSR1, log)     # never reported


class SiginfoTest(TestCase):
    def test_read_and_write_siginfo(self):
        srv = self.server()
        reader = OutputReader(srv)
        out = self.gdb(srv, ["run", "p $_siginfo.si_signo", "p $_siginfo.si_code",
                             "p $_siginfo._sifields._rt.si_sigval.sival_int",
                             "set $_siginfo._sifields._rt.si_sigval.sival_int = 4321",
                             "set $_siginfo.si_errno = 7", "continue"], program("siginfo"))
        self.assertIn("Program received signal SIGUSR1", out)
        self.assertIn("$1 = %d" % signal.SIGUSR1, out)
        self.assertIn("$2 = -1", out)                  # SI_QUEUE
        self.assertIn("$3 = 1234", out)
        self.assertIn("exited normally", out)
        # The handler saw what gdb wrote.
        reader.wait_line(r"^signo=%d code=-1 errno=7 value=4321$" % signal.SIGUSR1)

    def test_siginfo_of_a_fault(self):
        srv = self.server()
        reader = OutputReader(srv)
        out = self.gdb(srv, ["run segv", "p $_siginfo.si_signo", "p $_siginfo.si_code",
                             "p $_siginfo._sifields._sigfault.si_addr",
                             "set $_siginfo._sifields._sigfault.si_addr = (void *) 0x7fff5678",
                             "continue"], program("siginfo"))
        self.assertIn("Program received signal SIGSEGV", out)
        self.assertIn("$1 = %d\n$2 = 1\n$3 = (void *) 0x1234\n" % signal.SIGSEGV, out)   # SEGV_MAPERR
        self.assertIn("exited normally", out)
        # The handler was given the address gdb wrote.
        reader.wait_line(r"^signo=%d code=1 addr=0x7fff5678$" % signal.SIGSEGV)

    def test_siginfo_packets(self):
        srv = self.server()
        c = self.client(srv)
        c.run("siginfo")
        stop = c.resume("vCont;c")
        self.assertEqual(stop["sig"], GDB_SIGUSR1)
        raw = c.request("qXfer:siginfo:read::0,200")
        self.assertEqual(raw[0], "l")
        data = raw[1:].encode("latin-1")
        self.assertEqual(len(data), 128)
        self.assertEqual(int.from_bytes(data[0:4], "little"), signal.SIGUSR1)
        self.assertEqual(c.request("qXfer:siginfo:read::4,4"), "m" + data[4:8].decode("latin-1"))
        for bad in ("qXfer:siginfo:read:x:0,10", "qXfer:siginfo:write::80:x", "qXfer:siginfo:write::7f:ab",
                    "qXfer:siginfo:write:4:1", "qXfer:siginfo:write::zz:1"):
            self.assertTrue(c.request(bad).startswith("E"), bad)
        self.assertEqual(c.request("qXfer:siginfo:write::4:\x09\x00\x00\x00"), "4")   # si_errno = 9
        self.assertEqual(c.request("qXfer:siginfo:read::4,4"), "m\x09\x00\x00\x00")
        self.assertIsNone(srv.proc.poll())


class RawSignalsTest(RawTestCase):
    def test_pass_signals_on_the_wire(self):
        c = self.c
        for bad in ("QPassSignals:zz", "QPassSignals:1e;;1f", "QPassSignals:100",
                    "QProgramSignals:x"):
            self.assertTrue(c.request(bad).startswith("E"), bad)
        self.assertEqual(c.request("QPassSignals:%x;%x" % (GDB_SIGUSR1, GDB_SIGUSR2)), "OK")
        c.run("signals", "usr1")
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)
        self.assertIn("handled=1 last=%d" % signal.SIGUSR1, self.srv.output())

    def test_program_signals_decide_what_detach_delivers(self):
        # The program's output goes to the server's stdout: read it there.
        reader = OutputReader(self.srv)
        c = self.client(self.srv)
        c.run("signals", "usr1")
        self.assertEqual(c.resume("vCont;c")["sig"], GDB_SIGUSR1)
        self.assertEqual(c.request("QProgramSignals:"), "OK")   # the program may get none
        self.assertEqual(c.request("D;%x" % c.pid), "OK")
        reader.wait_line(r"^handled=0 last=0$")
        c.run("signals", "usr1")
        self.assertEqual(c.resume("vCont;c")["sig"], GDB_SIGUSR1)
        self.assertEqual(c.request("QProgramSignals:%x" % GDB_SIGUSR1), "OK")
        self.assertEqual(c.request("D;%x" % c.pid), "OK")
        reader.wait_line(r"^handled=1 last=%d$" % signal.SIGUSR1)

    def test_signal_numbers_on_the_wire(self):
        c = self.c
        c.run("signals", "usr1")
        stop = c.resume("vCont;c")
        self.assertEqual((stop["kind"], stop["sig"], stop["tid"]), ("T", GDB_SIGUSR1, c.pid), stop["raw"])
        self.assertTrue(c.request("?").startswith("T%02x" % GDB_SIGUSR1))
        self.assertEqual(c.resume("vCont;C%02x:%s" % (GDB_SIGUSR1, c.ptid()))["raw"],
                         "W00;process:%x" % c.pid)
        self.assertIn("handled=1 last=%d" % signal.SIGUSR1, self.srv.output())

    def test_legacy_C_delivers_another_signal(self):
        c = self.c
        c.run("signals", "usr1")
        stop = c.resume("c")
        self.assertEqual(stop["sig"], GDB_SIGUSR1, stop["raw"])
        # Deliver SIGUSR2 instead of SIGUSR1.
        self.assertEqual(c.resume("C%02x" % GDB_SIGUSR2)["raw"], "W00;process:%x" % c.pid)
        self.assertIn("handled=1 last=%d" % signal.SIGUSR2, self.srv.output())

    def test_abort_is_an_x_reply(self):
        c = self.c
        c.run("signals", "abort")
        stop = c.resume("vCont;c")
        self.assertEqual((stop["kind"], stop["sig"]), ("T", GDB_SIGABRT), stop["raw"])
        self.assertEqual(c.resume("vCont;C%02x:%s" % (GDB_SIGABRT, c.ptid()))["raw"],
                         "X%02x;process:%x" % (GDB_SIGABRT, c.pid))
        wait_for(lambda: not task_states(c.pid), 10, what="the program to be gone")

    def test_continue_with_sigkill(self):
        c = self.c
        c.run("signals", "wait")
        self.assertEqual(c.resume("vCont;C%02x:%s" % (GDB_SIGKILL, c.ptid()))["raw"],
                         "X%02x;process:%x" % (GDB_SIGKILL, c.pid))

    def test_step_with_signal_enters_handler(self):
        """S with a signal: the step stops at the first instruction of the
        handler (the signal is delivered before the step)."""
        c = self.c
        c.run("signals", "usr1")
        stop = c.resume("vCont;c")
        self.assertEqual(stop["sig"], GDB_SIGUSR1, stop["raw"])
        handler = c.addr("on_signal")
        stop = c.resume("vCont;S%02x:%s" % (GDB_SIGUSR1, c.ptid()))
        self.assertEqual((stop["kind"], stop["sig"]), ("T", 5), stop["raw"])
        self.assertEqual(c.pc(), handler)
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)
        self.assertIn("handled=1", self.srv.output())


# Host signal -> (gdb's name, gdb's number on the wire), from gdb's signals.def.
SIGNAL_TABLE = {
    1: ("SIGHUP", 1), 2: ("SIGINT", 2), 3: ("SIGQUIT", 3), 4: ("SIGILL", 4), 6: ("SIGABRT", 6),
    7: ("SIGBUS", 10), 8: ("SIGFPE", 8), 10: ("SIGUSR1", 30), 11: ("SIGSEGV", 11),
    12: ("SIGUSR2", 31), 13: ("SIGPIPE", 13), 14: ("SIGALRM", 14), 15: ("SIGTERM", 15),
    17: ("SIGCHLD", 20), 18: ("SIGCONT", 19), 20: ("SIGTSTP", 18), 21: ("SIGTTIN", 21),
    22: ("SIGTTOU", 22), 23: ("SIGURG", 16), 24: ("SIGXCPU", 24), 25: ("SIGXFSZ", 25),
    26: ("SIGVTALRM", 26), 27: ("SIGPROF", 27), 28: ("SIGWINCH", 28), 29: ("SIGIO", 23),
    30: ("SIGPWR", 32), 31: ("SIGSYS", 12),
    34: ("SIG34", 46), 35: ("SIG35", 47), 40: ("SIG40", 52), 50: ("SIG50", 62),
    63: ("SIG63", 75), 64: ("SIG64", 78),
}


class SignalNumbersTest(TestCase):
    """Every signal reported under gdb's name and number, and delivered
    back to the program when gdb passes it."""

    def test_signals_through_gdb(self):
        srv = self.server()
        sigs = sorted(SIGNAL_TABLE)
        cmds = ["handle %s stop print pass" % SIGNAL_TABLE[s][0] for s in sigs]
        cmds += ["run " + " ".join(str(s) for s in sigs)] + ["continue"] * len(sigs)
        out = self.gdb(srv, cmds, program("raise_signals"))
        reported = re.findall(r"Program received signal (\S+?),", out)
        self.assertEqual(reported, [SIGNAL_TABLE[s][0] for s in sigs], out)
        self.assertIn("exited normally", out)
        printed = srv.output()
        self.assertEqual(printed, "".join("got %d\n" % s for s in sigs) + "done\n")

    def test_signal_numbers_on_the_wire(self):
        srv = self.server()
        c = self.client(srv)
        sigs = sorted(SIGNAL_TABLE)
        c.run("raise_signals", *[str(s) for s in sigs])
        stop = c.resume("vCont;c")
        for i, sig in enumerate(sigs):
            num = SIGNAL_TABLE[sig][1]
            self.assertEqual((stop["kind"], stop["sig"]), ("T", num), "host signal %d: %s" % (sig, stop["raw"]))
            self.assertEqual(c.request("?")[:3], "T%02x" % num)
            # Deliver it back: vCont;C and the legacy C, in turn.
            stop = c.resume("vCont;C%02x:%s" % (num, c.ptid()) if i % 2 == 0 else "C%02x" % num)
        self.assertEqual(stop["raw"], "W00;process:%x" % c.pid)
        self.assertEqual(srv.output(), "".join("got %d\n" % s for s in sigs) + "done\n")

if __name__ == "__main__":
    main()
