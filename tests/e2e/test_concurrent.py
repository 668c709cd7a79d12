"""Several clients at once: each session is its own process, debugging its
own programs, and none can hold up, disturb or see another. The gdb
clients synchronise through marker files (gdb "shell" commands), so that a
session blocked by another one would show up as a time-out, not as luck."""
import re
import socket
import threading

from dbgsrv_test import (TestCase, RawClient, decode_reply, finish_gdb, hexstr, kill_gdb, launched, main,
                         proc_state, program, running_under, sessions, stopped_by, task_status, tracer_pid,
                         task_states, wait_for, wait_launched)


class ConcurrentTestCase(TestCase):
    def assertNoSessionsLeft(self, srv):
        """No session left, the server runs, and no session crashed."""
        super().assertNoSessionsLeft(srv)
        self.assertNotIn("died of signal", srv.log_text())

    def assertStillServes(self, srv):
        out = self.gdb(srv, ["break add", "run 5", "delete", "continue"], program("hello"))
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("exited with code 05", out)


class TwoClientsTest(ConcurrentTestCase):
    def test_one_stopped_while_other_runs_to_completion(self):
        srv = self.server()
        a = self.bg_gdb(srv, ["break add", "run 1 alpha", "p b", self.note("a-stopped"),
                              self.await_("go"), "p b", "continue", "p b", "continue", "p b",
                              "delete", "continue"], program("hello"))
        self.wait_marker("a-stopped", a)
        (path_a, pid_a), = launched(srv)
        self.assertEqual(path_a, program("hello"))
        session_a = sessions(srv)[1]
        self.assertTrue(stopped_by(pid_a, session_a))
        # B runs a threaded program through several breakpoint stops to the
        # end while A sits at its breakpoint.
        out_b = self.gdb(srv, ["break hit", "run 3 2", "info threads", "continue", "continue",
                               "delete", "continue"], program("threads"))
        self.assertEqual(out_b.count("hit Breakpoint 1, hit (id="), 3, out_b)
        self.assertIn("exited normally", out_b)
        self.assertNotIn("add (", out_b)
        self.assertNotIn("alpha", out_b)
        # A was held all along, and still is.
        self.assertTrue(stopped_by(pid_a, session_a))
        self.assertEqual(len(launched(srv)), 2)
        self.touch("go")
        out_a = finish_gdb(a)
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out_a)
        self.assertIn("Breakpoint 1, add (a=0, b=1)", out_a)
        self.assertIn("Breakpoint 1, add (a=1, b=2)", out_a)
        self.assertEqual(re.findall(r"\$\d+ = (\d+)", out_a), ["0", "0", "1", "2"], out_a)
        self.assertIn("exited with code 01", out_a)
        self.assertNotIn("hit (", out_a)
        self.assertNoSessionsLeft(srv)
        self.assertEqual(srv.stop(), 0)
        printed = srv.output()
        self.assertIn("sum=3 argc=3", printed)
        self.assertIn("arg2=alpha", printed)
        self.assertIn("calls=6", printed)

    def test_ping_pong(self):
        # Each session continues only once the other one has stopped again:
        # stops and resumes alternate between the two sessions.
        srv = self.server()
        cmds = {}
        for me, other in (("a", "b"), ("b", "a")):
            cmds[me] = ["break add"]
            run = "run 2 " + me
            for i in range(3):
                cmds[me] += [run if i == 0 else "continue", "p b", self.note("%s%d" % (me, i)),
                             self.await_("%s%d" % (other, i))]
            cmds[me] += ["delete", "continue"]
        a = self.bg_gdb(srv, cmds["a"], program("hello"))
        b = self.bg_gdb(srv, cmds["b"], program("hello"))
        out_a, out_b = finish_gdb(a), finish_gdb(b)
        for out in (out_a, out_b):
            self.assertEqual(re.findall(r"\$\d+ = (\d+)", out), ["0", "1", "2"], out)
            self.assertIn("exited with code 02", out)
        self.assertEqual(len(launched(srv)), 2)
        self.assertNoSessionsLeft(srv)
        self.assertEqual(srv.stop(), 0)
        printed = srv.output()
        self.assertIn("arg2=a\n", printed)
        self.assertIn("arg2=b\n", printed)

    def test_attach_in_two_sessions(self):
        srv = self.server()
        p1 = self.start_program("spin")
        p2 = self.start_program("spin_threads", "2")
        a = self.bg_gdb(srv, ["attach %d" % p1.pid, "p counter", self.note("a"), self.await_("a-go"),
                              "detach"], program("spin"))
        b = self.bg_gdb(srv, ["attach %d" % p2.pid, "p counters[0]", self.note("b"), self.await_("b-go"),
                              "detach"], program("spin_threads"))
        self.wait_marker("a", a, b)
        self.wait_marker("b", a, b)
        s = sessions(srv)
        tracer = {tracer_pid(p1.pid), tracer_pid(p2.pid)}
        self.assertEqual(tracer, set(s.values()), "each process traced by its own session")
        # B lets its process go; A's stays held.
        self.touch("b-go")
        out_b = finish_gdb(b)
        self.assertIn("[Inferior 1 (process %d) detached]" % p2.pid, out_b)
        wait_for(lambda: running_under(p2.pid, 0), what="B's process to run")
        self.assertTrue(stopped_by(p1.pid, tracer_pid(p1.pid)))
        self.assertNotEqual(tracer_pid(p1.pid), 0)
        self.touch("a-go")
        out_a = finish_gdb(a)
        self.assertIn("[Inferior 1 (process %d) detached]" % p1.pid, out_a)
        wait_for(lambda: running_under(p1.pid, 0), what="A's process to run")
        self.assertNoSessionsLeft(srv)


class FourClientsTest(ConcurrentTestCase):
    def test_four_sessions_at_breakpoints_at_once(self):
        srv = self.server()
        names = ["c0", "c1", "c2", "c3"]
        everyone = ["%s-stopped" % n for n in names]
        specs = [
            # (program, run arguments, breakpoint, number of stops)
            ("hello", "10 first", "add", 3),
            ("hello", "11 second third", "add", 3),
            ("threads", "2 3", "hit", 6),
            ("threads", "5 1", "hit", 5),
        ]
        gdbs = []
        for name, (prog, args, bp, stops) in zip(names, specs):
            cmds = ["break " + bp, "run " + args, self.note(name + "-stopped"), self.await_("go")]
            cmds += ["continue"] * (stops - 1)
            cmds += ["delete", "continue"]
            gdbs.append(self.bg_gdb(srv, cmds, program(prog)))
        for marker in everyone:
            self.wait_marker(marker, *gdbs)
        # All four debuggees exist at once, each stopped by its own session.
        pids = launched(srv)
        self.assertEqual(len(pids), 4)
        tracers = set()
        for _, pid in pids:
            tracer = tracer_pid(pid)
            self.assertTrue(stopped_by(pid, tracer), "%d: %r" % (pid, task_status(pid, pid)))
            tracers.add(tracer)
        self.assertEqual(tracers, set(sessions(srv).values()))
        self.assertEqual(len(tracers), 4)
        self.touch("go")
        outs = [finish_gdb(g) for g in gdbs]
        self.assertEqual(outs[0].count("Breakpoint 1, add ("), 3, outs[0])
        self.assertIn("exited with code 012", outs[0])
        self.assertEqual(outs[1].count("Breakpoint 1, add ("), 3, outs[1])
        self.assertIn("exited with code 013", outs[1])
        self.assertEqual(outs[2].count("hit Breakpoint 1, hit (id="), 6, outs[2])
        self.assertIn("exited normally", outs[2])
        self.assertEqual(outs[3].count("hit Breakpoint 1, hit (id="), 5, outs[3])
        self.assertIn("exited normally", outs[3])
        for out in outs[:2]:
            self.assertNotIn("hit (", out)
        for out in outs[2:]:
            self.assertNotIn("add (", out)
        self.assertNoSessionsLeft(srv)
        self.assertStillServes(srv)
        self.assertEqual(srv.stop(), 0)
        printed = srv.output()
        for text in ("arg2=first", "arg2=second", "arg3=third", "calls=6", "calls=5"):
            self.assertIn(text, printed)

    def test_many_raw_clients_at_once(self):
        srv = self.server()
        n = 8
        results = [None] * n
        start = threading.Barrier(n)

        def client(i):
            try:
                with RawClient(srv, timeout=30) as c:
                    start.wait(30)
                    c.request("qSupported:multiprocess+")
                    c.no_ack_mode()
                    self.assertEqual(c.request("!"), "OK")
                    stop = c.request("vRun;%s;%s" % (hexstr(program("hello")), hexstr(str(i + 20))))
                    self.assertTrue(stop.startswith("T05"), stop)
                    c.send_raw(c.frame("vCont;c"))
                    raw, _ = c.read_packet()
                    results[i] = decode_reply(raw).decode()
            except Exception as e:   # reported below, from the main thread
                results[i] = "exception: %r" % e

        threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for i in range(n):
            self.assertIsNotNone(results[i], "client %d did not finish" % i)
            self.assertTrue(re.match(r"W%02x(;process:[0-9a-f]+)?$" % (i + 20), results[i]),
                            "client %d: %r" % (i, results[i]))
        self.assertEqual(len(launched(srv)), n)
        for _, pid in launched(srv):
            self.assertGone(pid)
        self.assertNoSessionsLeft(srv)
        self.assertStillServes(srv)


    def test_connection_storm(self):
        # Clients that connect and go at once, some without a word, some in
        # the middle of a packet: each gets a session that ends cleanly.
        srv = self.server()
        for i in range(40):
            sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            if i % 3 == 1:
                sock.sendall(b"$qSupported#37")
            elif i % 3 == 2:
                sock.sendall(b"$vRun;2f")
            sock.close()
        wait_for(lambda: srv.log_text().count("): ended") == 40, timeout=30,
                 what="40 sessions to end")
        self.assertNoSessionsLeft(srv)
        self.assertStillServes(srv)


class KilledClientTest(ConcurrentTestCase):
    def test_sigkill_of_one_gdb_leaves_the_other_alone(self):
        srv = self.server()
        a = self.bg_gdb(srv, ["break tick", "run 3", self.hold("a")],
                        program("spin_threads"))
        b = self.bg_gdb(srv, ["break add", "run 7 bravo", "p b", self.note("b"), self.await_("b-go"),
                              "continue", "p b", "delete", "continue"], program("hello"))
        self.wait_marker("a", a, b)
        self.wait_marker("b", a, b)
        procs = dict(launched(srv))
        pid_a, pid_b = procs[program("spin_threads")], procs[program("hello")]
        s = sessions(srv)
        session_a = tracer_pid(pid_a)
        session_b = tracer_pid(pid_b)
        self.assertEqual({session_a, session_b}, set(s.values()))
        kill_gdb(a)
        # A's session ends and takes its debuggee with it...
        self.assertGone(pid_a, "A's debuggee")
        self.assertGone(session_a, "A's session")
        # ...while B's session and debuggee are untouched, still at the breakpoint.
        self.assertTrue(stopped_by(pid_b, session_b))
        self.assertIsNotNone(proc_state(session_b))
        self.touch("b-go")
        out_b = finish_gdb(b)
        self.assertEqual(re.findall(r"\$\d+ = (\d+)", out_b), ["0", "1"], out_b)
        self.assertIn("exited with code 07", out_b)
        self.assertNoSessionsLeft(srv)
        self.assertStillServes(srv)
        self.assertEqual(srv.stop(), 0)
        self.assertIn("arg2=bravo", srv.output())

    def test_sigkill_of_one_gdb_while_the_other_runs(self):
        srv = self.server()
        prog = self.start_program("spin")
        # B: attached and running under "continue".
        b = self.bg_gdb(srv, ["attach %d" % prog.pid, "continue"], program("spin"))
        wait_for(lambda: sessions(srv) and running_under(prog.pid, sessions(srv)[1]), what="B running")
        session_b = sessions(srv)[1]
        # A: a launched program, running too.
        a = self.bg_gdb(srv, ["run"], program("spin_threads"))
        pid_a = wait_launched(srv)
        wait_for(lambda: 2 in sessions(srv) and running_under(pid_a, sessions(srv)[2]), what="A running")
        kill_gdb(a)
        self.assertGone(pid_a, "A's debuggee")
        # B's process still runs under B's session, B's gdb is still there.
        self.assertTrue(running_under(prog.pid, session_b), task_states(prog.pid, tracers=True))
        self.assertIsNone(b.poll())
        # A new session can still be served meanwhile.
        self.assertStillServes(srv)
        self.assertTrue(running_under(prog.pid, session_b), task_states(prog.pid, tracers=True))
        kill_gdb(b)
        wait_for(lambda: running_under(prog.pid, 0), what="B's process to be let go")
        self.assertNoSessionsLeft(srv)


if __name__ == "__main__":
    main()
