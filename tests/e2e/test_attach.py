"""Attaching to running processes with gdb: attach, inspect, detach (the
process keeps running), kill, several attached processes in one session,
and every attach error the server reports."""
import re
import signal
import subprocess
import time

from dbgsrv_test import (TestCase, RawClient, exe_base, le64, main, parse_stop, program, proc_state,
                         read_proc_mem, session_of, static_address, stopped_by, task_states, task_status, tasks,
                         tracer_pid, wait_for, wait_sessions_end)


# ---- helpers ----

def dead_pid():
    """A PID that certainly names no process: a child of ours, reaped."""
    p = subprocess.Popen(["true"])
    p.wait()
    assert proc_state(p.pid) is None
    return p.pid


class AttachDetachTest(TestCase):
    def test_attach_inspect_detach(self):
        srv = self.server()
        prog = self.start_program("spin")
        pid = prog.pid
        out = self.gdb(srv, ["attach %d" % pid, "info threads", "p counter",
                             "shell grep -E '^(State|TracerPid):' /proc/%d/status" % pid,
                             "detach"], program("spin"))
        self.assertIn("Thread %d.%d" % (pid, pid), out)
        m = re.search(r"\$1 = (\d+)", out)
        self.assertTrue(m, out)
        first = int(m.group(1))
        # While attached it was in a tracing stop, traced by this session.
        self.assertRegex(out, r"State:\s+t \(tracing stop\)")
        session = session_of(srv, 0)
        self.assertRegex(out, r"TracerPid:\s+%d\b" % session)
        self.assertIn("[Inferior 1 (process %d) detached]" % pid, out)
        self.assertKeepsRunning(pid)
        self.assertTrue(prog.alive())
        # It really ran on: a second attach sees a bigger counter.
        out = self.gdb(srv, ["attach %d" % pid, "p counter", "detach"], program("spin"))
        m = re.search(r"\$1 = (\d+)", out)
        self.assertTrue(m, out)
        self.assertGreater(int(m.group(1)), first)
        self.assertKeepsRunning(pid)
        wait_sessions_end(srv)
        log = srv.log_text()
        self.assertEqual(log.count("attached to pid %d" % pid), 2, log)
        self.assertEqual(log.count("detached from pid %d" % pid), 2, log)

    def test_attach_every_thread(self):
        srv = self.server()
        prog = self.start_program("spin_threads", "4")
        pid = prog.pid
        self.assertEqual(len(tasks(pid)), 5)
        out = self.gdb(srv, ["attach %d" % pid, "info threads",
                             "shell grep -h '^State:' /proc/%d/task/*/status" % pid,
                             "p counters[0]", "detach"], program("spin_threads"))
        for tid in tasks(pid):
            self.assertIn("Thread %d.%d" % (pid, tid), out)
        self.assertEqual(len(re.findall(r"State:\s+t \(tracing stop\)", out)), 5, out)
        self.assertIn("attached to pid %d (5 threads)" % pid, srv.log_text())
        self.assertIn("[Inferior 1 (process %d) detached]" % pid, out)
        self.assertKeepsRunning(pid)
        # Every thread, not only the main one, runs on.
        for tid in tasks(pid):
            st = task_status(pid, tid)
            self.assertNotIn(st["State"][0], "tT", "thread %d: %s" % (tid, st["State"]))
            self.assertEqual(st["TracerPid"], "0", "thread %d still traced" % tid)

    def test_attach_from_raw_client_and_detach_packet(self):
        srv = self.server()
        prog = self.start_program("spin")
        with RawClient(srv) as c:
            self.assertEqual(c.request("!"), "OK")   # extended mode
            reply = c.request("vAttach;%x" % prog.pid)
            self.assertRegex(reply, r"^T[0-9a-f]{2}", reply)
            session = session_of(srv, 0)
            self.assertTrue(stopped_by(prog.pid, session))
            self.assertEqual(c.request("D"), "OK")
            self.assertKeepsRunning(prog.pid)
            # In extended mode the session stays usable with no process.
            self.assertEqual(c.request("D"), "E.no process to detach from")
            self.assertEqual(c.request("?"), "W00")

    def test_plain_remote_detach_ends_the_session(self):
        srv = self.server()
        prog = self.start_program("spin")
        with RawClient(srv) as c:
            self.assertRegex(c.request("vAttach;%x" % prog.pid), r"^T[0-9a-f]{2}")
            self.assertEqual(c.request("D"), "OK")
            # Not extended: with nothing left to debug, the server hangs up.
            self.assertRaises((ConnectionError, OSError), c.read_byte)
        self.assertKeepsRunning(prog.pid)
        wait_sessions_end(srv)


class ThreadChurnTest(TestCase):
    """Attaching to a process whose threads start and end all the time
    (gdb.threads/attach-many-short-lived-threads.exp): every thread must be
    attached. Threads still running untraced go on to create and end
    threads, and one that runs into a breakpoint kills the process with
    SIGTRAP."""

    def test_every_thread_attached_while_threads_come_and_go(self):
        """Each attach leaves no thread running. A miss is a race (a thread
        that ends before it is attached, while the one it just started is
        not yet listed), so many attaches: before the fix about one in
        twelve missed a thread."""
        srv = self.server()
        prog = self.start_program("thread_churn", "3")
        pid = prog.pid
        c = self.client(srv)
        session = session_of(srv, 0)
        for attempt in range(60):
            self.assertRegex(c.request("vAttach;%x" % pid), r"^T", "attempt %d" % attempt)
            # Nothing of the process runs: every thread there is, is in a
            # tracing stop of this session, and no thread comes or goes.
            before = task_states(pid, tracers=True)
            time.sleep(0.05)
            after = task_states(pid, tracers=True)
            self.assertEqual(sorted(before), sorted(after), "attempt %d: threads came or went" % attempt)
            untraced = {tid: st for tid, st in after.items() if st != ("t", session)}
            self.assertEqual(untraced, {}, "attempt %d" % attempt)
            self.assertEqual(c.request("D;%x" % pid), "OK")
            time.sleep(0.05)
        self.assertKeepsRunning(pid)

    def test_breakpoint_hits_after_attach(self):
        srv = self.server()
        prog = self.start_program("thread_churn", "30")
        pid = prog.pid
        commands = []
        for _ in range(3):
            commands += ["attach %d" % pid, "set breakpoint always-inserted on", "break churn_mark",
                         "continue", "continue", "continue", "detach", "set breakpoint always-inserted off",
                         "delete"]
        out = self.gdb(srv, commands, program("thread_churn"))
        self.assertNotIn("SIGTRAP", out)
        self.assertEqual(len(re.findall(r"hit Breakpoint \d+, churn_mark|Breakpoint \d+, churn_mark", out)), 9, out)
        self.assertEqual(out.count("[Inferior 1 (process %d) detached]" % pid), 3, out)
        self.assertKeepsRunning(pid)
        self.assertTrue(prog.alive())


def alarm_on_its_way(pid):
    """True while signal_storm PID sleeps in vfork with a SIGALRM sent to
    it (to its thread) and not yet taken."""
    st = task_status(pid)
    return bool(st) and st["State"][0] == "D" and int(st["SigPnd"], 16) & (1 << (signal.SIGALRM - 1)) != 0


class AttachSignalTest(TestCase):
    """Attaching to a process with a signal on its way
    (gdb.threads/attach-into-signal.exp, nonthreaded): the signal stops it
    before our SIGSTOP does, and the attach stop is that signal, as with
    gdbserver; gdb reports it and passes it on."""

    def test_raw_attach_stop_is_the_signal(self):
        srv = self.server()
        prog = self.start_program("signal_storm")
        pid = prog.pid
        handled = exe_base(pid, "signal_storm") + static_address("signal_storm", "handled")
        c = self.client(srv)
        for attempt in range(3):
            wait_for(lambda: alarm_on_its_way(pid), 10, what="a SIGALRM on its way")
            stop = parse_stop(c.request("vAttach;%x" % pid))
            self.assertEqual((stop["kind"], stop["sig"], stop["tid"]), ("T", 14, pid), stop["raw"])
            self.assertTrue(c.request("?").startswith("T0e"))
            before = le64(read_proc_mem(pid, handled, 8).hex())
            # The detach gives the program its signal: it goes on (it
            # would say "lost" and exit otherwise).
            self.assertEqual(c.request("D;%x" % pid), "OK")
            wait_for(lambda: le64(read_proc_mem(pid, handled, 8).hex()) > before, 10,
                     what="the program to take its SIGALRM")
        self.assertKeepsRunning(pid)
        self.assertTrue(prog.alive())

    def test_gdb_reports_the_signal(self):
        srv = self.server()
        prog = self.start_program("signal_storm")
        pid = prog.pid
        commands = ["handle SIGALRM stop print pass"]
        for _ in range(3):
            commands += ["shell sleep 0.3", "attach %d" % pid, "detach"]
        out = self.gdb(srv, commands, program("signal_storm"))
        self.assertGreaterEqual(out.count("received signal SIGALRM"), 2, out)
        self.assertEqual(out.count("[Inferior 1 (process %d) detached]" % pid), 3, out)
        self.assertKeepsRunning(pid)
        self.assertTrue(prog.alive())


class KillAttachedTest(TestCase):
    def test_kill_attached(self):
        srv = self.server()
        prog = self.start_program("spin")
        other = self.start_program("spin")
        out = self.gdb(srv, ["attach %d" % prog.pid, "kill", "info inferiors",
                             "attach %d" % other.pid, "p counter", "detach"], program("spin"))
        self.assertIn("[Inferior 1 (process %d) killed]" % prog.pid, out)
        # The program the test started died of SIGKILL, as our child.
        self.assertEqual(prog.proc.wait(10), -9)
        # The same session then attached to another process and let it go.
        self.assertIn("[Inferior 1 (process %d) detached]" % other.pid, out)
        self.assertKeepsRunning(other.pid)
        self.assertIn("killed pid %d" % prog.pid, srv.log_text())
        wait_sessions_end(srv)


    def test_kill_attached_threads(self):
        srv = self.server()
        prog = self.start_program("spin_threads", "3")
        out = self.gdb(srv, ["attach %d" % prog.pid, "info threads", "kill", "info inferiors"],
                       program("spin_threads"))
        self.assertIn("[Inferior 1 (process %d) killed]" % prog.pid, out)
        self.assertEqual(prog.proc.wait(10), -9)
        wait_sessions_end(srv)


class MultiprocessTest(TestCase):
    def test_detach_one_of_two(self):
        srv = self.server("-t", "tcp:port=0", "--log-level", "trace")
        p1 = self.start_program("spin")
        p2 = self.start_program("spin")
        state = "shell grep -E '^(State|TracerPid):' /proc/%d/status /proc/%d/status" % (p1.pid, p2.pid)
        out = self.gdb(srv, ["attach %d" % p1.pid, "add-inferior", "inferior 2",
                             "attach %d" % p2.pid, "info inferiors",
                             "detach", state,
                             "maint packet D;%x" % p2.pid,
                             "inferior 1", "p counter", "detach"], program("spin"))
        self.assertRegex(out, r"\n\s*1\s+process %d\s" % p1.pid)
        self.assertRegex(out, r"\n\*\s*2\s+process %d\s" % p2.pid)
        self.assertIn("[Inferior 2 (process %d) detached]" % p2.pid, out)
        # After detaching inferior 2 only: it runs free, inferior 1 is still held.
        session = session_of(srv, 0)
        self.assertRegex(out, r"/proc/%d/status:State:\s+t \(tracing stop\)" % p1.pid)
        self.assertRegex(out, r"/proc/%d/status:TracerPid:\s+%d\b" % (p1.pid, session))
        self.assertRegex(out, r"/proc/%d/status:State:\s+[RS] " % p2.pid)
        self.assertRegex(out, r"/proc/%d/status:TracerPid:\s+0\b" % p2.pid)
        # D;PID of a process that is no longer in the session.
        self.assertIn('received: "E.no process %d in this session"' % p2.pid, out)
        self.assertRegex(out, r"\$1 = \d+")
        self.assertIn("[Inferior 1 (process %d) detached]" % p1.pid, out)
        # gdb used the multiprocess form of the packet.
        self.assertIn("<- D;%x" % p2.pid, srv.log_text())
        self.assertKeepsRunning(p1.pid)
        self.assertKeepsRunning(p2.pid)

    def test_kill_one_of_two(self):
        srv = self.server()
        p1 = self.start_program("spin")
        p2 = self.start_program("spin")
        out = self.gdb(srv, ["attach %d" % p1.pid, "add-inferior", "inferior 2",
                             "attach %d" % p2.pid, "kill inferiors 2",
                             "maint packet vKill;%x" % p2.pid,
                             "inferior 1", "p counter", "detach"], program("spin"))
        self.assertEqual(p2.proc.wait(10), -9)
        self.assertIn('received: "E.no process %d in this session"' % p2.pid, out)
        self.assertRegex(out, r"\$1 = \d+")
        self.assertIn("[Inferior 1 (process %d) detached]" % p1.pid, out)
        self.assertKeepsRunning(p1.pid)


class AttachErrorTest(TestCase):
    def test_no_such_process(self):
        srv = self.server()
        pid = dead_pid()
        out = self.gdb(srv, ["maint packet vAttach;%x" % pid, "attach %d" % pid, "info inferiors"])
        self.assertIn('received: "E.no such process: %d"' % pid, out)
        self.assertIn("Attaching to process %d failed" % pid, out)
        self.assertIn("error reply: no such process: %d" % pid, srv.log_text())

    def test_malformed_pid(self):
        srv = self.server()
        out = self.gdb(srv, ["maint packet vAttach;zz", "maint packet vAttach;0"])
        self.assertEqual(out.count('received: "E.malformed vAttach packet"'), 2, out)

    def test_already_traced_by_another_session(self):
        srv = self.server()
        prog = self.start_program("spin")
        pid = prog.pid
        with RawClient(srv) as first:
            self.assertRegex(first.request("vAttach;%x" % pid), r"^T[0-9a-f]{2}")
            holder = session_of(srv, 0)
            self.assertTrue(stopped_by(pid, holder))
            out = self.gdb(srv, ["maint packet vAttach;%x" % pid, "attach %d" % pid, "info inferiors"],
                           program("spin"))
            self.assertIn('received: "E.process %d is already traced by process %d; '
                          'detach that debugger first"' % (pid, holder), out)
            self.assertIn("Attaching to process %d failed" % pid, out)
            # The failed attempts did not disturb the first session's hold.
            self.assertTrue(stopped_by(pid, holder))
            self.assertEqual(first.request("qC"), "QC%x" % pid)
        # The first session is gone: the process was let go, and can be attached.
        self.assertKeepsRunning(pid)
        out = self.gdb(srv, ["attach %d" % pid, "p counter", "detach"], program("spin"))
        self.assertIn("[Inferior 1 (process %d) detached]" % pid, out)
        self.assertKeepsRunning(pid)

    def test_already_attached_in_this_session(self):
        srv = self.server()
        prog = self.start_program("spin")
        out = self.gdb(srv, ["attach %d" % prog.pid, "maint packet vAttach;%x" % prog.pid,
                             "p counter", "detach"], program("spin"))
        self.assertIn('received: "E.process %d is already being debugged in this session"' % prog.pid, out)
        self.assertRegex(out, r"\$1 = \d+")
        self.assertIn("[Inferior 1 (process %d) detached]" % prog.pid, out)
        self.assertKeepsRunning(prog.pid)

    def test_permission_denied(self):
        # The server runs as nobody (uid/gid 65534); the target is ours (root).
        srv = self.server(user="65534")
        prog = self.start_program("spin")
        pid = prog.pid
        out = self.gdb(srv, ["maint packet vAttach;%x" % pid, "attach %d" % pid, "info inferiors",
                             "run 6"], program("hello"))
        self.assertIn('received: "E.permission denied attaching to process %d (' % pid, out)
        self.assertIn("uid 65534", out)
        self.assertIn("Attaching to process %d failed" % pid, out)
        self.assertIn("error reply: permission denied attaching to process %d" % pid, srv.log_text())
        # The session is still usable (it can run a program as nobody).
        self.assertIn("exited with code 06", out)
        # The target was not touched.
        self.assertKeepsRunning(pid)

    def test_server_itself(self):
        srv = self.server()
        # The listener, from a gdb session.
        out = self.gdb(srv, ["maint packet vAttach;%x" % srv.pid, "attach %d" % srv.pid,
                             "info inferiors"])
        self.assertIn('received: "E.process %d is the process server itself"' % srv.pid, out)
        self.assertIn("Attaching to process %d failed" % srv.pid, out)
        # A session's own process, from that session.
        with RawClient(srv) as c:
            c.request("qSupported")
            session = session_of(srv, 1)
            self.assertEqual(c.request("vAttach;%x" % session),
                             "E.process %d is the process server itself" % session)
            self.assertEqual(c.request("vAttach;%x" % srv.pid),
                             "E.process %d is the process server itself" % srv.pid)
            self.assertNotIn(proc_state(session), ("t", "T"))
        self.assertNotIn(proc_state(srv.pid), ("t", "T"))
        self.assertEqual(tracer_pid(srv.pid), 0)
        self.assertNoSessionsLeft(srv)

    def test_other_session_process(self):
        # Another session's process is not "the server itself" for this one,
        # but attaching to it must fail cleanly and leave it working.
        srv = self.server()
        with RawClient(srv) as first:
            first.request("qSupported")
            s1 = session_of(srv, 0)
            with RawClient(srv) as second:
                reply = second.request("vAttach;%x" % s1)
                if reply.startswith("T"):
                    second.request("D")
                self.assertEqual(first.request("qSupported")[:10], "PacketSize")
                self.assertNotIn(proc_state(s1), ("t", "T"))
                self.assertEqual(tracer_pid(s1), 0)

    def test_thread_id_is_not_a_process(self):
        # vAttach names a process. Given the id of a non-leader thread, the
        # server must either refuse, or attach the whole process under its
        # real process id (the thread group id), never invent a process
        # whose pid is a thread id.
        srv = self.server()
        prog = self.start_program("spin_threads", "2")
        tid = tasks(prog.pid)[-1]
        self.assertNotEqual(tid, prog.pid)
        with RawClient(srv) as c:
            self.assertIn("multiprocess+", c.request("qSupported:multiprocess+"))
            self.assertEqual(c.request("!"), "OK")
            reply = c.request("vAttach;%x" % tid)
            if not reply.startswith("E"):
                m = re.search(r"thread:p([0-9a-f]+)\.([0-9a-f]+);", reply)
                self.assertTrue(m, reply)
                self.assertEqual(int(m.group(1), 16), prog.pid,
                                 "attached to thread %d of process %d, but the stop reply names process "
                                 "%d: %r" % (tid, prog.pid, int(m.group(1), 16), reply))
                self.assertEqual(c.request("D;%x" % prog.pid), "OK")
        self.assertKeepsRunning(prog.pid)
        self.assertNotIn("attached to pid %d" % tid, srv.log_text())

    def test_zombie(self):
        # A process that has exited but is not yet reaped: an error, and not a
        # misleading one (the server runs as root, permission is not the issue).
        srv = self.server()
        z = subprocess.Popen(["true"])
        self.addCleanup(z.wait)
        wait_for(lambda: proc_state(z.pid) == "Z", what="the zombie")
        out = self.gdb(srv, ["maint packet vAttach;%x" % z.pid, "run 2"], program("hello"))
        m = re.search(r'received: "(.*)"', out)
        self.assertTrue(m and m.group(1).startswith("E."), out)
        self.assertNotIn("permission denied", m.group(1))
        self.assertIn("exited with code 02", out)


if __name__ == "__main__":
    main()
