"""How sessions end, and what happens to their processes: gdb quitting,
disconnecting, detaching, killing, being killed, a dropped connection, and
the server being stopped with SIGTERM or SIGINT. Processes a session
attached to are detached and keep running (never left stopped or traced);
processes it launched are killed; no zombie and no session process is left.
"""
import os
import select
import signal
import socket
import struct

from dbgsrv_test import (TestCase, RawClient, hexstr, kill_gdb, launched_pids, main, program, proc_state,
                         running_under, session_of, session_pids, stopped_by, task_states, wait_for,
                         wait_launched, wait_progress)


# Programs that keep running: sleeping, busy, and with threads.
RUNNING = (["spin"], ["spin", "busy"], ["spin_threads", "3"])


class GdbQuitsTest(TestCase):
    def test_quit_kills_launched_at_breakpoint(self):
        srv = self.server()
        out = self.gdb(srv, ["break tick", "run", "p counter"], program("spin"))
        self.assertIn("Breakpoint 1, tick ()", out)
        pid = wait_launched(srv, program("spin"))
        self.assertGone(pid)
        self.assertIn("killed pid %d" % pid, srv.log_text())
        self.assertNoSessionsLeft(srv)

    def test_quit_kills_every_thread_of_launched(self):
        srv = self.server()
        out = self.gdb(srv, ["break tick if id == 2", "run 3", "info threads"], program("spin_threads"))
        self.assertIn("hit Breakpoint 1, tick (id=2)", out)
        pid = wait_launched(srv, program("spin_threads"))
        self.assertGone(pid)
        self.assertNoSessionsLeft(srv)

    def test_quit_detaches_attached(self):
        srv = self.server()
        prog = self.start_program("spin_threads", "2")
        out = self.gdb(srv, ["attach %d" % prog.pid, "info threads", "p counters[1]"],
                       program("spin_threads"))
        self.assertRegex(out, r"\$1 = \d+")
        self.assertKeepsRunning(prog.pid)
        self.assertNoSessionsLeft(srv)

    def test_kill_keeps_the_session(self):
        # vKill kills; in extended-remote the session stays, with no process.
        srv = self.server()
        out = self.gdb(srv, ["break add", "run", "kill", "info inferiors", "delete", "run 4"],
                       program("hello"))
        first, second = wait_for(lambda: launched_pids(srv)[1:] and launched_pids(srv),
                                 what="two launches")
        self.assertIn("[Inferior 1 (process %d) killed]" % first, out)
        self.assertIn("exited with code 04", out)
        self.assertGone(first)
        self.assertGone(second)
        self.assertNoSessionsLeft(srv)


class DisconnectTest(TestCase):
    def test_disconnect_with_attached_and_launched(self):
        srv = self.server()
        prog = self.start_program("spin")
        hello = program("hello")
        out = self.gdb(srv, ["attach %d" % prog.pid, "add-inferior", "inferior 2", "file " + hello,
                             "set remote exec-file " + hello, "break add", "run",
                             "info inferiors", "disconnect"], program("spin"))
        self.assertIn("hit Breakpoint 1, add (a=0, b=0)", out)
        launched = wait_launched(srv, hello)
        self.assertRegex(out, r"process %d\s" % prog.pid)
        self.assertRegex(out, r"process %d\s" % launched)
        self.assertGone(launched)
        self.assertKeepsRunning(prog.pid)
        self.assertNoSessionsLeft(srv)
        log = srv.log_text()
        self.assertIn("detached from pid %d" % prog.pid, log)
        self.assertIn("killed pid %d" % launched, log)

    def test_disconnect_with_launched(self):
        srv = self.server()
        out = self.gdb(srv, ["break add", "run", "disconnect"], program("hello"))
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertGone(wait_launched(srv, program("hello")))
        self.assertNoSessionsLeft(srv)

    def test_disconnect_with_attached(self):
        srv = self.server()
        prog = self.start_program("spin")
        out = self.gdb(srv, ["attach %d" % prog.pid, "p counter", "disconnect"], program("spin"))
        self.assertRegex(out, r"\$1 = \d+")
        self.assertKeepsRunning(prog.pid)
        self.assertNoSessionsLeft(srv)

    def test_detach_of_launched_leaves_it_running(self):
        srv = self.server()
        out = self.gdb(srv, ["break tick", "run", "delete", "detach"], program("spin"))
        pid = wait_launched(srv, program("spin"))
        self.assertIn("[Inferior 1 (process %d) detached]" % pid, out)
        # gdb has exited and the session has ended: the program runs on.
        self.assertNoSessionsLeft(srv)
        self.assertKeepsRunning(pid, "detached launched process")
        self.assertNotIn("killed pid %d" % pid, srv.log_text())

    def test_detached_launched_process_exit_is_reaped(self):
        # A launched process that the client detached from is still a child
        # of the session process: when it exits, the session must reap it (no
        # zombie) and go on serving.
        srv = self.server()
        with RawClient(srv) as c:
            self.assertEqual(c.request("!"), "OK")
            self.assertRegex(c.request("vRun;" + hexstr(program("spin"))), r"^T05")
            pid = wait_launched(srv, program("spin"))
            self.assertEqual(c.request("D"), "OK")
            self.assertKeepsRunning(pid, "detached launched process")
            os.kill(pid, signal.SIGKILL)
            self.assertGone(pid, "detached launched process (killed)")
            self.assertEqual(c.request("?"), "W00")
            self.assertRegex(c.request("vRun;" + hexstr(program("spin"))), r"^T05")
            second = wait_launched(srv, program("spin"), 2)
        self.assertGone(second)
        self.assertNoSessionsLeft(srv)


class GdbKilledTest(TestCase):
    def test_launched_stopped(self):
        srv = self.server()
        g = self.bg_gdb(srv, ["break tick", "run", self.hold("stopped")], program("spin"))
        self.wait_marker("stopped", g)
        pid = wait_launched(srv, program("spin"))
        self.assertTrue(stopped_by(pid, session_of(srv, 0)), task_states(pid, tracers=True))
        kill_gdb(g)
        self.assertGone(pid)
        self.assertNoSessionsLeft(srv)

    def test_launched_running(self):
        for args in RUNNING:
            with self.subTest(args=args):
                srv = self.server()
                path = program(args[0])
                g = self.bg_gdb(srv, ["run " + " ".join(args[1:])], path)
                pid = wait_launched(srv, path)
                self.assertProgressesUnder(pid, session_of(srv, 0))
                kill_gdb(g)
                self.assertGone(pid)
                self.assertNoSessionsLeft(srv)

    def test_attached_stopped(self):
        srv = self.server()
        prog = self.start_program("spin_threads", "3")
        g = self.bg_gdb(srv, ["attach %d" % prog.pid, self.hold("attached")], program("spin_threads"))
        self.wait_marker("attached", g)
        self.assertTrue(stopped_by(prog.pid, session_of(srv, 0)), task_states(prog.pid, tracers=True))
        kill_gdb(g)
        self.assertKeepsRunning(prog.pid)
        self.assertNoSessionsLeft(srv)

    def test_attached_running(self):
        for args in RUNNING:
            with self.subTest(args=args):
                srv = self.server()
                prog = self.start_program(*args)
                g = self.bg_gdb(srv, ["attach %d" % prog.pid, "continue"], program(args[0]))
                self.assertProgressesUnder(prog.pid, session_of(srv, 0))
                kill_gdb(g)
                self.assertKeepsRunning(prog.pid)
                self.assertNoSessionsLeft(srv)


    def test_attached_at_breakpoint(self):
        # Stopped at a breakpoint (several threads may have hit it at once):
        # on detach every breakpoint must be gone and every PC right, or the
        # program dies of SIGTRAP or worse once let go.
        for args in (["spin"], ["spin_threads", "4"]):
            with self.subTest(args=args):
                srv = self.server()
                prog = self.start_program(*args)
                g = self.bg_gdb(srv, ["attach %d" % prog.pid, "break tick", "continue",
                                      self.hold("hit%d" % len(args))], program(args[0]))
                self.wait_marker("hit%d" % len(args), g)
                self.assertTrue(stopped_by(prog.pid, session_of(srv, 0)), task_states(prog.pid, tracers=True))
                kill_gdb(g)
                self.assertKeepsRunning(prog.pid)
                self.assertTrue(prog.alive(), "died: %r" % prog.proc.returncode)
                self.assertNoSessionsLeft(srv)
                # Still alive a little later (a stray int3 would have killed it).
                wait_progress(prog.pid, 20, "more progress")
                self.assertTrue(prog.alive(), "died: %r" % prog.proc.returncode)

    def test_attached_with_breakpoint_being_hit(self):
        # gdb keeps resuming past a conditional breakpoint that every thread
        # hits all the time; it is killed at some point in that dance.
        for args in (["spin", "busy"], ["spin_threads", "4"]):
            with self.subTest(args=args):
                srv = self.server()
                prog = self.start_program(*args)
                g = self.bg_gdb(srv, ["attach %d" % prog.pid, "break tick if $sp == 0", "continue"],
                                program(args[0]))
                session = session_of(srv, 0)
                wait_for(lambda: task_states(prog.pid, tracers=True)
                         and all(tr == session for _, tr in task_states(prog.pid, tracers=True).values()),
                         what="the attach")
                wait_progress(prog.pid, 20, "breakpoint hits")
                out = kill_gdb(g)
                self.assertIn("Breakpoint 1 at", out)
                self.assertNotIn("rror", out)
                self.assertKeepsRunning(prog.pid)
                self.assertNoSessionsLeft(srv)
                wait_progress(prog.pid, 20, "more progress")
                self.assertTrue(prog.alive(), "died: %r" % prog.proc.returncode)


    def test_attached_signal_is_not_lost(self):
        # A signal that arrived while the session held the process, reported
        # to gdb or not yet seen, is delivered once the process is let go.
        for reported in (False, True):
            with self.subTest(reported_to_gdb=reported):
                srv = self.server()
                prog = self.start_program("signals", "wait")
                if reported:
                    cmds = ["attach %d" % prog.pid, "handle SIGUSR1 stop print pass", "continue",
                            self.hold("got-signal")]
                    g = self.bg_gdb(srv, cmds, program("signals"))
                    wait_for(lambda: running_under(prog.pid, session_of(srv, 0)),
                             what="the attached program to be resumed")
                    os.kill(prog.pid, signal.SIGUSR1)
                    self.wait_marker("got-signal", g)
                else:
                    g = self.bg_gdb(srv, ["attach %d" % prog.pid, self.hold("attached")], program("signals"))
                    self.wait_marker("attached", g)
                    os.kill(prog.pid, signal.SIGUSR1)
                out = kill_gdb(g)
                if reported:
                    self.assertIn("Program received signal SIGUSR1", out)
                ready, _, _ = select.select([prog.proc.stdout], [], [], 10)
                self.assertTrue(ready, "the program printed nothing: SIGUSR1 lost on detach")
                self.assertEqual(prog.proc.stdout.readline(), "got %d\n" % signal.SIGUSR1)
                wait_for(lambda: running_under(prog.pid, 0), what="the program to be let go")
                self.assertNoSessionsLeft(srv)


class ConnectionDropTest(TestCase):
    def attach_raw(self, srv, prog):
        c = self.client(srv, RawClient)
        self.assertRegex(c.request("vAttach;%x" % prog.pid), r"^T[0-9a-f]{2}")
        return c

    def reset(self, c):
        """Drops the connection with a TCP reset, as a crashed peer would."""
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()

    def test_close_after_attach(self):
        srv = self.server()
        prog = self.start_program("spin")
        c = self.attach_raw(srv, prog)
        self.assertTrue(stopped_by(prog.pid, session_of(srv, 0)))
        c.close()
        self.assertKeepsRunning(prog.pid)
        self.assertNoSessionsLeft(srv)

    def test_reset_after_attach(self):
        srv = self.server()
        prog = self.start_program("spin_threads", "2")
        c = self.attach_raw(srv, prog)
        self.reset(c)
        self.assertKeepsRunning(prog.pid)
        self.assertNoSessionsLeft(srv)

    def test_drop_while_attached_process_runs(self):
        for args in RUNNING:
            with self.subTest(args=args):
                srv = self.server()
                prog = self.start_program(*args)
                c = self.attach_raw(srv, prog)
                c.send_raw(c.frame("vCont;c"))
                c.expect_ack()
                self.assertProgressesUnder(prog.pid, session_of(srv, 0))
                self.reset(c)
                self.assertKeepsRunning(prog.pid)
                self.assertNoSessionsLeft(srv)

    def test_drop_after_run(self):
        for running in (False, True):
            with self.subTest(running=running):
                srv = self.server()
                c = self.client(srv, RawClient)
                self.assertEqual(c.request("!"), "OK")
                self.assertRegex(c.request("vRun;" + hexstr(program("spin_threads")) + ";" + hexstr("2")),
                                 r"^T05")
                pid = wait_launched(srv, program("spin_threads"))
                if running:
                    c.send_raw(c.frame("vCont;c"))
                    c.expect_ack()
                    self.assertProgressesUnder(pid, session_of(srv, 0))
                self.reset(c)
                self.assertGone(pid)
                self.assertNoSessionsLeft(srv)


class SessionDiesTest(TestCase):
    def test_session_process_killed(self):
        # A session process that dies without cleaning up (SIGKILL): its
        # launched debuggee dies with it (PTRACE_O_EXITKILL), its attached
        # one is let go by the kernel, and the listener reaps the session
        # and goes on serving.
        srv = self.server()
        prog = self.start_program("spin")
        with RawClient(srv) as c:
            self.assertEqual(c.request("!"), "OK")
            self.assertRegex(c.request("vAttach;%x" % prog.pid), r"^T[0-9a-f]{2}")
            self.assertRegex(c.request("vRun;" + hexstr(program("spin"))), r"^T05")
            launched = wait_launched(srv, program("spin"))
            session = session_of(srv, 0)
            self.assertTrue(stopped_by(prog.pid, session))
            self.assertTrue(stopped_by(launched, session))
            os.kill(session, signal.SIGKILL)
            wait_for(lambda: "died of signal 9" in srv.log_text(), what="the listener to see it")
            # Dead (its parent is gone: reaping it falls to init).
            wait_for(lambda: proc_state(launched) in (None, "Z"), what="the launched process to die")
            self.assertKeepsRunning(prog.pid)
            self.assertNoSessionsLeft(srv)
        out = self.gdb(srv, ["run 3"], program("hello"))
        self.assertIn("exited with code 03", out)


class ServerStopTest(TestCase):
    def test_sigterm_ends_every_session(self):
        srv = self.server()
        # Session 1: a launched program, stopped at a breakpoint.
        g1 = self.bg_gdb(srv, ["break tick", "run", self.hold("launched")], program("spin"))
        self.wait_marker("launched", g1)
        launched = wait_launched(srv, program("spin"))
        s1 = session_of(srv, 0)
        self.assertTrue(stopped_by(launched, s1))
        # Session 2: an attached program, running under gdb's "continue".
        prog = self.start_program("spin_threads", "3")
        g2 = self.bg_gdb(srv, ["attach %d" % prog.pid, "continue"], program("spin_threads"))
        self.assertProgressesUnder(prog.pid, session_of(srv, 1))
        sessions = session_pids(srv)
        self.assertEqual(srv.stop(signal.SIGTERM), 0, srv.log_text())
        self.assertGone(launched)
        self.assertKeepsRunning(prog.pid)
        for pid in sessions:
            self.assertGone(pid, "session process")
        # gdb of the running session saw the connection close and ended.
        g2.wait(20)
        log = srv.log_text()
        self.assertIn("shutting down: ending 2 session(s)", log)
        self.assertEqual(log.count("ending (server shutting down)"), 2, log)
        self.assertIn("info: stopped", log)

    def test_sigint_ends_every_session(self):
        srv = self.server()
        # Session 1: a launched program, running.
        g1 = self.bg_gdb(srv, ["run 2"], program("spin_threads"))
        launched = wait_launched(srv, program("spin_threads"))
        self.assertProgressesUnder(launched, session_of(srv, 0))
        # Session 2: an attached program, stopped.
        prog = self.start_program("spin")
        g2 = self.bg_gdb(srv, ["attach %d" % prog.pid, self.hold("attached")], program("spin"))
        self.wait_marker("attached", g2)
        self.assertTrue(stopped_by(prog.pid, session_of(srv, 1)))
        # Session 3: a raw client attached and running, session 4: idle.
        other = self.start_program("spin", "busy")
        c = self.client(srv, RawClient)
        self.assertRegex(c.request("vAttach;%x" % other.pid), r"^T[0-9a-f]{2}")
        c.send_raw(c.frame("vCont;c"))
        c.expect_ack()
        self.assertProgressesUnder(other.pid, session_of(srv, 2))
        idle = self.client(srv, RawClient)
        idle.request("qSupported")
        session_of(srv, 3)
        sessions = session_pids(srv)
        self.assertEqual(srv.stop(signal.SIGINT), 0, srv.log_text())
        self.assertGone(launched)
        self.assertKeepsRunning(prog.pid)
        self.assertKeepsRunning(other.pid)
        for pid in sessions:
            self.assertGone(pid, "session process")
        g1.wait(20)
        self.assertIn("shutting down: ending 4 session(s)", srv.log_text())


if __name__ == "__main__":
    main()
