"""Non-stop mode: gdb's "set non-stop on" (one thread stopped at a
breakpoint while the others run, checked from /proc; continue -a to the
end), and on the wire QNonStop, vCont's OK reply, %Stop notifications and
vStopped, vCont;t, '?', vCtrlC, QThreadEvents and malformed packets."""
import re
import time

from dbgsrv_test import (RawTestCase, Rsp, TestCase, checksum, exe_base, finish_gdb, launched_pids, main,
                         parse_stop, program, read_proc_mem, static_address, task_states, tasks, wait_for)


class NonStopRsp(Rsp):
    """An Rsp that offers thread events and waits for the asynchronous
    notifications ("%NAME:TEXT") RawClient keeps aside."""

    def __init__(self, *a, **kw):
        super().__init__(*a, features="multiprocess+;swbreak+;no-resumed+;QThreadEvents+", **kw)

    def take_buffered_notes(self):
        """Moves whole notifications already received out of the buffer."""
        while b"%" in self.buf and b"#" in self.buf[self.buf.index(b"%"):]:
            j = self.buf.index(b"%")
            k = self.buf.index(b"#", j)
            if len(self.buf) < k + 3:
                break
            self.notes.append(self.buf[j + 1:k].decode("latin-1"))
            self.buf = self.buf[:j] + self.buf[k + 3:]

    def notification(self, timeout=10.0):
        """The next %Stop notification's stop reply (text)."""
        deadline = time.time() + timeout
        while True:
            self.take_buffered_notes()
            if self.notes:
                break
            if time.time() > deadline:
                raise AssertionError("no notification within %ss" % timeout)
            with self.timeout(max(0.05, deadline - time.time())):
                try:
                    self._fill()
                except OSError:
                    pass
        note = self.notes.pop(0)
        assert note.startswith("Stop:"), note
        return note[len("Stop:"):]

    def drain(self):
        """vStopped until OK: the queued stop replies."""
        out = []
        for _ in range(1000):
            r = self.request("vStopped")
            if r == "OK":
                return out
            out.append(r)
        raise AssertionError("vStopped never said OK")

    def all_stops(self, timeout=10.0):
        """One notification and what vStopped hands out after it."""
        return [self.notification(timeout)] + self.drain()


def counter_values(pid, addr, n):
    data = read_proc_mem(pid, addr, 8 * n)
    return [int.from_bytes(data[i * 8:i * 8 + 8], "little") for i in range(n)]


class NonStopProtocolTest(RawTestCase):
    CLIENT = NonStopRsp

    def start_spinning(self, nthreads=3, *args):
        c = self.c
        assert c.request("QNonStop:1") == "OK"
        c.run("spin_threads", str(nthreads), *args)
        self.assertEqual(c.request("vCont;c"), "OK")   # at once, not a stop reply
        wait_for(lambda: len(tasks(c.pid)) == nthreads + 1 and
                 all(s != "t" for s in task_states(c.pid).values()), what="every thread to run")
        return c.pid

    def test_features_and_mode_switch(self):
        c = self.c
        self.assertIn("QNonStop+", c.features)
        self.assertIn("QThreadEvents+", c.features)
        self.assertTrue(c.request("vStopped").startswith("E"))   # all-stop: no queue
        self.assertEqual(c.request("QNonStop:1"), "OK")
        self.assertEqual(c.request("?"), "OK")   # nothing stopped, nothing running
        self.assertEqual(c.request("vStopped"), "OK")
        self.assertEqual(c.request("QNonStop:0"), "OK")
        self.assertEqual(c.request("?"), "W00")   # all-stop's answer again

    def test_breakpoint_stops_only_its_thread(self):
        c = self.c
        pid = self.start_spinning(3)
        tick = c.addr("tick")
        # Inserted while every thread runs.
        self.assertEqual(c.request("Z0,%x,1" % tick), "OK")
        first = parse_stop(c.notification())
        self.assertEqual(first["sig"], 5)
        self.assertTrue(first["swbreak"], first)
        self.assertEqual(c.request("z0,%x,1" % tick), "OK")
        stops = [first] + [parse_stop(r) for r in c.drain()]
        stopped = {s["tid"] for s in stops}
        self.assertTrue(all(s["swbreak"] for s in stops), stops)
        keep = first["tid"]
        for tid in stopped - {keep}:
            self.assertEqual(c.request("vCont;c:p%x.%x" % (pid, tid)), "OK")
        # One thread stopped, the others really run (their counters move).
        counters = exe_base(pid, "spin_threads") + static_address("spin_threads", "counters")
        wait_for(lambda: sorted(task_states(pid).items()) and
                 [t for t, s in task_states(pid).items() if s == "t"] == [keep],
                 what="only thread %d stopped (%r)" % (keep, task_states(pid)))
        before = counter_values(pid, counters, 4)
        time.sleep(0.3)
        after = counter_values(pid, counters, 4)
        self.assertEqual(sum(1 for a, b in zip(before, after) if b > a), 3, (before, after))
        self.assertEqual(task_states(pid)[keep], "t")
        # Memory of a running process, registers of the stopped thread only.
        self.assertEqual(len(c.read(counters, 32)), 32)
        self.assertEqual(c.pc("p%x.%x" % (pid, keep)), tick)
        running = sorted(set(tasks(pid)) - {keep})[0]
        self.assertEqual(c.request("Hgp%x.%x" % (pid, running)), "OK")
        self.assertTrue(c.request("g").startswith("E"))
        # vCont;t: stopped, reported with signal 0.
        self.assertEqual(c.request("vCont;t:p%x.%x" % (pid, running)), "OK")
        stop = parse_stop(c.notification())
        self.assertEqual((stop["sig"], stop["tid"]), (0, running), stop)
        self.assertEqual(c.drain(), [])
        wait_for(lambda: task_states(pid)[running] == "t", what="thread %d stopped" % running)
        # '?': every stopped thread, the rest through vStopped.
        first = c.request("?")
        listed = {parse_stop(r)["tid"] for r in [first] + c.drain()}
        self.assertEqual(listed, {keep, running})
        # vCtrlC: one running thread stops with SIGINT.
        self.assertEqual(c.request("vCtrlC"), "OK")
        stop = parse_stop(c.notification())
        self.assertEqual(stop["sig"], 2, stop)
        self.assertNotIn(stop["tid"], (keep, running))
        self.assertEqual(c.drain(), [])
        # Everything on again, then killed: the server stays.
        self.assertEqual(c.request("vCont;c"), "OK")
        wait_for(lambda: all(s != "t" for s in task_states(pid).values()), what="every thread to run again")
        self.assertEqual(c.request("vKill;%x" % pid), "OK")
        self.assertIsNone(self.srv.proc.poll())

    def test_breakpoint_removed_while_threads_hit_it(self):
        """A thread that hits a breakpoint the client is removing (its hit
        is seen while z0 stops the process to take the int3 out) has the
        hit undone, as with gdbserver: it is not reported, and it runs on,
        not left stopped. Z0 and z0 go in one write, while three threads
        call the function without a pause, so such hits are many."""
        c = self.c
        c.no_ack_mode()
        pid = self.start_spinning(3, "busy")
        tick = c.addr("tick")
        for _ in range(100):
            c.send_raw(c.frame("Z0,%x,1" % tick) + c.frame("z0,%x,1" % tick))
            self.assertEqual((c.read_reply(), c.read_reply()), ("OK", "OK"))
            c.take_buffered_notes()
            if c.notes:
                c.notes.clear()
                for r in [c.request("?")] + c.drain():
                    stop = parse_stop(r)
                    self.assertTrue(stop["swbreak"], r)
                    self.assertEqual(c.request("vCont;c:p%x.%x" % (pid, stop["tid"])), "OK")
        # Whatever was still on its way has come by now.
        time.sleep(0.5)
        c.take_buffered_notes()
        with c.timeout(0.2):
            try:
                c._fill()
            except OSError:
                pass
        c.take_buffered_notes()
        self.assertEqual(c.notes, [])
        wait_for(lambda: all(s != "t" for s in task_states(pid).values()),
                 what="every thread to run (%r)" % (task_states(pid),))
        self.assertEqual(c.request("vKill;%x" % pid), "OK")

    def test_detach_while_threads_run(self):
        c = self.c
        pid = self.start_spinning(2)
        self.assertEqual(c.request("D;%x" % pid), "OK")
        # Let go whole: no thread traced or stopped, and it goes on.
        self.assertProgressesUnder(pid, 0)

    def test_thread_events_create_and_exit(self):
        c = self.c
        # In all-stop mode they are refused, not accepted and left unreported.
        self.assertTrue(c.request("QThreadEvents:1").startswith("E"))
        self.assertEqual(c.request("QThreadEvents:0"), "OK")
        self.assertEqual(c.request("QNonStop:1"), "OK")
        self.assertEqual(c.request("QThreadEvents:1"), "OK")
        c.run("threads", "2", "1")
        self.assertEqual(c.request("vCont;c"), "OK")
        created, exited, end = [], [], None
        deadline = time.time() + 30
        while end is None and time.time() < deadline:
            for r in c.all_stops(20):
                if r.startswith("T") and "create:" in r:
                    stop = parse_stop(r)
                    self.assertEqual(stop["sig"], 5, r)
                    created.append(stop["tid"])
                elif r.startswith("w"):
                    m = re.match(r"w([0-9a-f]+);p([0-9a-f]+)\.([0-9a-f]+)$", r)
                    self.assertTrue(m, r)
                    self.assertEqual(int(m.group(2), 16), c.pid)
                    exited.append(int(m.group(3), 16))
                elif r.startswith("W"):
                    end = parse_stop(r)
                else:
                    self.fail("unexpected stop %r" % r)
            for tid in created:
                # The new thread waits, stopped, until it is resumed.
                if tid in tasks(c.pid) and task_states(c.pid).get(tid) == "t":
                    self.assertEqual(c.request("vCont;c:p%x.%x" % (c.pid, tid)), "OK")
        self.assertIsNotNone(end, "no exit reported")
        self.assertEqual(end["status"], 0)
        self.assertEqual(len(created), 2, created)
        self.assertEqual(sorted(exited), sorted(created))

    def test_malformed_packets(self):
        c = self.c
        for bad in ["QNonStop:", "QNonStop:2", "QNonStop:11", "QThreadEvents:x", "vStoppedx", "vCtrlC;1"]:
            self.assertTrue(c.request(bad).startswith("E"), bad)
        self.assertEqual(c.request("QNonStop:1"), "OK")
        self.assertTrue(c.request("vCtrlC;").startswith("E"))
        self.assertTrue(c.request("vCont;t:zz").startswith("E"))
        self.assertTrue(c.request("vCont;q").startswith("E"))
        self.assertTrue(c.request("vCont;c").startswith("E"))   # no process
        c.run("spin_threads", "1")
        # A thread of no process of ours: nothing happens to anything.
        self.assertEqual(c.request("vCont;t:p7fffffff.1"), "OK")
        self.assertTrue(c.nothing_arrives(0.3))
        self.assertEqual(task_states(c.pid)[c.pid], "t")
        self.assertIn("QNonStop+", c.request("qSupported"))
        self.assertIsNone(self.srv.proc.poll())


class GdbNonStopTest(TestCase):
    def test_one_thread_stopped_others_run(self):
        srv = self.server()
        cmds = ["break tick if id == 1", "run 3", "info threads"] + self.pause("hit") + \
               ["delete", "interrupt -a"] + self.pause("int") + ["kill"]
        gdb = self.bg_gdb(srv, cmds, program("spin_threads"), before=["set non-stop on"])
        self.wait_marker("hit", gdb, timeout=60)
        pid = launched_pids(srv)[0]
        counters = exe_base(pid, "spin_threads") + static_address("spin_threads", "counters")
        # Exactly one thread in a tracing stop (the others may pause for
        # a moment while the server steps one over the breakpoint).
        wait_for(lambda: list(task_states(pid).values()).count("t") == 1,
                 what="only one thread stopped (%r)" % task_states(pid))
        before = counter_values(pid, counters, 4)
        time.sleep(0.3)
        after = counter_values(pid, counters, 4)
        self.release("hit")
        # interrupt -a: every thread stops (gdb hears of it asynchronously).
        self.wait_marker("int", gdb, timeout=60)
        wait_for(lambda: set(task_states(pid).values()) == {"t"},
                 what="every thread stopped (%r)" % task_states(pid))
        self.release("int")
        out = finish_gdb(gdb)
        self.assertEqual(after[1], before[1], "thread 1 moved while stopped: %r %r" % (before, after))
        self.assertTrue(after[0] > before[0] and after[2] > before[2] and after[3] > before[3],
                        (before, after, out))
        self.assertRegex(out, r"Thread \d+ .*hit Breakpoint 1, tick \(id=1\)")
        self.assertIn("(running)", out)
        self.assertNotIn("Remote connection closed", out)

    def test_continue_one_thread(self):
        srv = self.server()
        cmds = ["break tick if id == 1", "run 3", "thread 2", "continue", "info threads"] + self.pause("again") + \
               ["kill"]
        gdb = self.bg_gdb(srv, cmds, program("spin_threads"), before=["set non-stop on"])
        self.wait_marker("again", gdb, timeout=60)
        pid = launched_pids(srv)[0]
        counters = exe_base(pid, "spin_threads") + static_address("spin_threads", "counters")
        before = counter_values(pid, counters, 4)
        time.sleep(0.3)
        after = counter_values(pid, counters, 4)
        self.release("again")
        out = finish_gdb(gdb)
        # gdb numbers threads as it meets them: 2 is the first one created,
        # the one with id 1. It ran on alone and hit the breakpoint again;
        # the others never stopped for the client.
        hits = re.findall(r"Thread (\d+) \S+ hit Breakpoint 1, tick \(id=1\)", out)
        self.assertEqual(len(hits), 2, out)
        self.assertEqual(hits, ["2", "2"], out)
        self.assertNotIn("Cannot execute", out)
        self.assertEqual(out.count("(running)"), 3, out)
        self.assertEqual(after[1], before[1], (before, after))
        self.assertTrue(all(after[i] > before[i] for i in (0, 2, 3)), (before, after))

    def test_continue_all_to_the_end(self):
        srv = self.server()
        out = self.gdb(srv, ["break hit", "run 3 1", "info threads", "thread 1", "delete", "continue -a"],
                       program("threads"), before=["set non-stop on"])
        self.assertIn("hit Breakpoint 1, hit", out)
        self.assertRegex(out, r"exited normally")
        self.assertIn("calls=3", srv.output())


if __name__ == "__main__":
    main()
