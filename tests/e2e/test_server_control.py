"""Controlling the server from its command line and from a client:
-c / -cs (create a process, or create it suspended at its first
instruction), -pc (the implicit command line gdb's "run" starts), -x, the
monitor commands (help, version, endpsrv, set log-level), --no-remote-end,
and sessions ending by their rules when the server itself is killed."""
import os
import signal
import subprocess

from dbgsrv_test import (DBGSRV, OutputReader, Server, TestCase, main, program, proc_state, start_gdb,
                         tracer_pid, wait_for)


class ServerControlTest(TestCase):
    def created_pid(self, reader):
        m = reader.wait_line(r"^Created process (\d+)")
        pid = int(m.group(1))
        self.addCleanup(self._kill, pid)
        return pid

    @staticmethod
    def _kill(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def test_create_runs_the_program_undebugged(self):
        srv = self.server("-t", "tcp:port=0", "-c", program("spin"), "busy")
        reader = OutputReader(srv)
        pid = self.created_pid(reader)
        reader.wait_line(r"^ready %d" % pid)
        self.assertEqual(tracer_pid(pid), 0)
        self.assertIn(proc_state(pid), ("R", "S"))
        self.assertEqual(srv.stop(), 0)
        self.assertIn(proc_state(pid), ("R", "S"))      # not a debuggee: left running

    def test_create_suspended_then_attach_and_continue(self):
        srv = self.server("-t", "tcp:port=0", "-cs", program("spin"))
        reader = OutputReader(srv)
        pid = self.created_pid(reader)
        self.assertEqual(proc_state(pid), "T")          # stopped at its first instruction
        self.assertEqual(tracer_pid(pid), 0)
        out = self.gdb(srv, ["attach %d" % pid, "p $pc", "detach"], program("spin"))
        self.assertIn("_start", out)                    # ld.so's entry: nothing has run
        self.assertEqual(proc_state(pid), "T")          # detached as it was: still suspended
        g = start_gdb(srv, ["attach %d" % pid, "continue"], program("spin"))
        self.addCleanup(lambda: (g.poll() is None and os.killpg(g.pid, signal.SIGKILL), g.wait(),
                                 g.stdout.close()))
        reader.wait_line(r"^ready %d" % pid)              # it runs once continued
        self.assertEqual(srv.stop(), 0)
        wait_for(lambda: tracer_pid(pid) == 0, what="the program detached")
        self.assertIn(proc_state(pid), ("R", "S"))

    def test_implicit_command_line(self):
        srv = self.server("-t", "tcp:port=0", "-pc", program("hello"), "6", "implicit")
        # No "set remote exec-file": gdb's run sends an empty program name.
        out = self.gdb(srv, ["file " + program("hello"), "run"])
        self.assertIn("exited with code 06", out)
        out = self.gdb(srv, ["file " + program("hello"), "run 4"])   # arguments replace its own
        self.assertIn("exited with code 04", out)
        printed = srv.output()
        self.assertIn("arg2=implicit", printed)

    def test_x_ignores_the_rest(self):
        srv = self.server("-t", "tcp:port=0", "-x", "--bogus", "-c", "/nonexistent")
        self.assertEqual(srv.stop(), 0)

    def test_create_needs_a_command_line(self):
        for opt in ("-c", "-cs", "-pc"):
            with self.subTest(opt=opt):
                p = subprocess.run([DBGSRV, "-t", "tcp:port=0", opt], capture_output=True, text=True, timeout=10)
                self.assertEqual(p.returncode, 2)
                self.assertIn("needs a command line", p.stderr)

    def test_create_of_a_missing_program(self):
        p = subprocess.run([DBGSRV, "-t", "tcp:port=0", "-c", "/nonexistent/prog"], capture_output=True,
                           text=True, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot run '/nonexistent/prog'", p.stderr)

    def test_monitor_commands(self):
        srv = self.server()
        out = self.gdb(srv, ["monitor help", "monitor version", "monitor frobnicate",
                             "monitor set log-level trace", "monitor set log-level loud"])
        self.assertIn("endpsrv", out)
        self.assertIn("dbgsrv 0.1.0 (remoting protocol 1.0)", out)
        self.assertIn("Unknown monitor command 'frobnicate'", out)   # gdbserver's words
        self.assertIn("Protocol error with Rcmd", out)                 # and its error reply
        self.assertIn("log level set for this session", out)
        self.assertIn("unknown log level", out)
        self.assertIn("trace:", srv.log_text())          # this session logs packets now

    def test_endpsrv_ends_every_session_by_the_rules(self):
        srv = self.server()
        spin = self.start_program("spin")
        other = start_gdb(srv, ["attach %d" % spin.pid, "continue"], program("spin"))
        self.addCleanup(lambda: (other.poll() is None and os.killpg(other.pid, signal.SIGKILL), other.wait(),
                                 other.stdout.close()))
        wait_for(lambda: tracer_pid(spin.pid) not in (0, None), what="the attach")
        out = self.gdb(srv, ["break add", "run", "monitor endpsrv"], program("hello"))
        self.assertIn("ending the process server", out)
        self.assertEqual(srv.proc.wait(20), 0)
        self.assertIn("end of the process server requested by 127.0.0.1", srv.log_text())
        wait_for(lambda: tracer_pid(spin.pid) == 0, what="the attached program detached")
        self.assertTrue(spin.alive())
        self.assertIn(proc_state(spin.pid), ("R", "S"))

    def test_no_remote_end(self):
        srv = self.server("-t", "tcp:port=0", "--no-remote-end")
        out = self.gdb(srv, ["monitor endpsrv"])
        self.assertIn("refused: this process server runs with --no-remote-end", out)
        self.assertIsNone(srv.proc.poll())
        self.assertIn("refused (--no-remote-end)", srv.log_text())

    def test_sessions_end_by_their_rules_when_the_server_is_killed(self):
        srv = self.server()
        spin = self.start_program("spin")
        g = start_gdb(srv, ["attach %d" % spin.pid, "continue"], program("spin"))
        self.addCleanup(lambda: (g.poll() is None and os.killpg(g.pid, signal.SIGKILL), g.wait(), g.stdout.close()))
        wait_for(lambda: tracer_pid(spin.pid) not in (0, None), what="the attach")
        session = tracer_pid(spin.pid)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(10)
        wait_for(lambda: proc_state(session) in (None, "Z"), what="the session ending")
        self.assertEqual(tracer_pid(spin.pid), 0)
        self.assertIn(proc_state(spin.pid), ("R", "S"))


if __name__ == "__main__":
    main()
