"""Threads: listing and selecting them through gdb and on the wire, a
breakpoint hit by several threads at once (every hit reported, one per
continue), all-stop (every thread stopped when one stops), threads traced
from their creation, ^C with several running threads, and a process whose
main thread exited first."""
import collections
import os
import re
import signal
import time

from dbgsrv_test import (PROMPT, OutputReader, RawTestCase, TestCase, exe_base, finish_gdb, launched_pids, le64,
                         main, parse_stop, program, read_proc_mem, source_line, static_address, static_insns,
                         static_line_address, task_states, tasks, wait_for)

THREAD_LINE = re.compile(r"^(\*?)\s+(\d+)\s+Thread (\d+)\.(\d+)\s+(.*)$", re.M)


def thread_rows(out):
    """[(current, gdb id, pid, tid, rest)] from "info threads" output."""
    return [(m.group(1) == "*", int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5))
            for m in THREAD_LINE.finditer(out)]


class GdbThreadsTest(TestCase):
    def test_info_threads_thread_and_bt(self):
        srv = self.server()
        out = self.gdb(srv, ["break hit", "run", "info threads", "thread 3", "bt",
                             "thread 1", "bt", "kill"], program("threads"))
        self.assertRegex(out, r"hit Breakpoint 1, hit \(id=\d\)")
        rows = thread_rows(out)
        self.assertEqual(len(rows), 5, "expected the main thread and 4 workers:\n" + out)
        self.assertEqual([r[1] for r in rows], [1, 2, 3, 4, 5])
        self.assertEqual(sum(r[0] for r in rows), 1, out)
        pid = launched_pids(srv)[0]
        self.assertEqual({r[2] for r in rows}, {pid})
        self.assertEqual(len({r[3] for r in rows}), 5)
        self.assertIn(pid, [r[3] for r in rows])
        self.assertNotIn("(running)", out)
        # Every worker is somewhere in hit() or on its way there.
        self.assertRegex(out, r"\[Switching to thread 3 \(Thread %d\.\d+\)\]" % pid)
        after3 = out[out.index("[Switching to thread 3"):]
        self.assertRegex(after3, r"#0  [^\n]*\n(#\d+ [^\n]*\n)*#\d+  0x[0-9a-f]+ in worker \(arg=0x[0-3]\) at \S*threads\.c:\d+")
        after1 = out[out.index("[Switching to thread 1"):]
        self.assertRegex(after1, r"#\d+  0x[0-9a-f]+ in main \(argc=1, argv=0x[0-9a-f]+\) at \S*threads\.c:\d+")

    def test_breakpoint_hit_by_every_thread(self):
        """4 threads x 3 rounds: exactly 12 reported hits, then calls=12."""
        srv = self.server()
        out = self.gdb(srv, ["break hit", "run"] + ["continue"] * 12, program("threads"))
        hits = re.findall(r"Breakpoint 1, hit \(id=(\d)\)", out)
        self.assertEqual(len(hits), 12, out)
        self.assertEqual(collections.Counter(hits), {"0": 3, "1": 3, "2": 3, "3": 3}, out)
        self.assertIn("exited normally", out)
        self.assertNotIn("SIGTRAP", out)
        self.assertIn("calls=12", srv.output())

    def test_next_while_other_threads_hit_the_breakpoint(self):
        """next in one thread while the others reach the breakpoint: every
        hit is still reported exactly once."""
        srv = self.server()
        out = self.gdb(srv, ["break hit", "run"] + ["next", "next", "continue"] * 12,
                       program("threads"))
        hits = re.findall(r"Breakpoint 1, hit \(id=(\d)\)", out)
        self.assertEqual(collections.Counter(hits), {"0": 3, "1": 3, "2": 3, "3": 3}, out)
        self.assertIn("exited normally", out)
        self.assertNotIn("SIGTRAP", out)
        self.assertIn("calls=12", srv.output())

    def test_many_threads_many_hits(self):
        """8 threads x 2 rounds through a gdb loop: 16 hits."""
        srv = self.server()
        script = self.tmp_path("loop.gdb")
        with open(script, "w") as f:
            f.write("set $i = 1\nwhile $i < 16\n  continue\n  set $i = $i + 1\nend\n")
        out = self.gdb(srv, ["break hit", "run 8 2", "source " + script, "continue"],
                       program("threads"))
        hits = re.findall(r"Breakpoint 1, hit \(id=(\d)\)", out)
        self.assertEqual(len(hits), 16, out)
        self.assertEqual(collections.Counter(hits), {str(i): 2 for i in range(8)}, out)
        self.assertIn("exited normally", out)
        self.assertIn("calls=16", srv.output())

    def test_all_threads_stop_when_one_stops(self):
        srv = self.server()
        cmds = ["break hit", "run", "info threads"] + self.pause("p1")
        for i in range(2, 5):
            cmds += ["continue", "info threads"] + self.pause("p%d" % i)
        gdb = self.bg_gdb(srv, cmds + ["kill"], program("threads"))
        seen = []
        for i in range(1, 5):
            self.wait_marker("p%d" % i, gdb)
            pid = launched_pids(srv)[0]
            states = task_states(pid)
            self.assertGreaterEqual(len(states), 2, states)
            self.assertEqual(set(states.values()), {"t"}, "not every thread is stopped: %s" % states)
            seen.append(sorted(states))
            self.release("p%d" % i)
        out = finish_gdb(gdb)
        self.assertEqual(out.count("hit Breakpoint 1, hit"), 4, out)
        self.assertNotIn("(running)", out)
        tables = out.split("  Id   Target Id")[1:]
        self.assertEqual(len(tables), 4, out)
        self.assertEqual(len(thread_rows(tables[0])), 5, out)
        # gdb's list at each stop is exactly the threads the kernel has.
        for table, tids in zip(tables, seen):
            self.assertEqual(sorted(r[3] for r in thread_rows(table)), tids, out)

    def test_new_threads_traced_from_birth(self):
        """A breakpoint set after the first stop (before any thread exists)
        is hit by every thread created afterwards."""
        srv = self.server()
        out = self.gdb(srv, ["break main", "run", "info threads", "break worker"] +
                       ["continue"] * 4 + ["info threads", "delete", "continue"], program("threads"))
        self.assertIn("Breakpoint 1, main (", out)
        first = out[out.index("  Id   Target Id"):]
        self.assertEqual(len(thread_rows(first.split("Breakpoint 2 at")[0])), 1, out)
        args = re.findall(r"Breakpoint 2, worker \(arg=(0x[0-9a-f]+|0x0)\)", out)
        self.assertEqual(len(args), 4, out)
        self.assertEqual(sorted(int(a, 16) for a in args), [0, 1, 2, 3], out)
        self.assertGreaterEqual(out.count("[New Thread"), 4, out)
        self.assertNotIn("SIGTRAP", out)
        self.assertIn("exited normally", out)
        self.assertIn("calls=12", srv.output())


class RawThreadsTest(RawTestCase):
    def thread_list(self):
        reply = self.c.request("qfThreadInfo")
        self.assertTrue(reply.startswith("m"), reply)
        ids = reply[1:].split(",")
        for i in ids:
            self.assertRegex(i, r"^p[0-9a-f]+\.[0-9a-f]+$")
        self.assertEqual(self.c.request("qsThreadInfo"), "l")
        return [(int(i[1:].split(".")[0], 16), int(i.split(".")[1], 16)) for i in ids]

    def test_thread_list_current_and_alive(self):
        c = self.c
        c.run("threads")
        self.assertEqual(self.thread_list(), [(c.pid, c.pid)])
        self.assertEqual(c.request("qC"), "QC" + c.ptid())
        hit = c.addr("hit")
        self.assertEqual(c.request("Z0,%x,1" % hit), "OK")
        stop = c.resume("vCont;c")
        self.assertEqual((stop["sig"], stop["swbreak"], stop["pid"]), (5, True, c.pid), stop["raw"])
        hitter = stop["tid"]
        self.assertNotEqual(hitter, c.pid)
        threads = self.thread_list()
        self.assertEqual({p for p, _ in threads}, {c.pid})
        tids = [t for _, t in threads]
        self.assertEqual(tids[0], c.pid, "the main thread comes first")
        self.assertEqual(len(tids), 5)
        self.assertEqual(sorted(tids), sorted(task_states(c.pid)))
        self.assertIn(hitter, tids)
        self.assertEqual(c.request("qC"), "QC" + c.ptid(hitter))
        for t in tids:
            self.assertEqual(c.request("T" + c.ptid(t)), "OK")
            self.assertEqual(c.request("T%x" % t), "OK")
            self.assertEqual(c.request("Hg" + c.ptid(t)), "OK")
            self.assertEqual(c.request("qC"), "QC" + c.ptid(t))
        self.assertEqual(c.pc(c.ptid(hitter)), hit)
        # Not threads of ours: errors.
        for bad in ["T" + c.ptid(0x7ffffffe), "Tp%x.%x" % (0x7ffffffe, c.pid), "T7ffffffe"]:
            self.assertTrue(c.request(bad).startswith("E"), bad)
        self.assertTrue(c.request("Hg" + c.ptid(0x7ffffffe)).startswith("E"))
        # Run to the line after the joins: the workers are gone.
        self.assertEqual(c.request("z0,%x,1" % hit), "OK")
        line = c.base + static_line_address(
            "threads", "threads.c:%d" % source_line("threads.c", 'printf("calls='))
        self.assertEqual(c.request("Z0,%x,1" % line), "OK")
        stop = c.resume("vCont;c")
        self.assertEqual((stop["sig"], stop["swbreak"], stop["tid"]), (5, True, c.pid), stop["raw"])
        self.assertEqual(c.pc(), line)
        self.assertEqual(self.thread_list(), [(c.pid, c.pid)])
        self.assertEqual(c.request("qC"), "QC" + c.ptid())
        self.assertEqual(c.request("T" + c.ptid()), "OK")
        for t in tids:
            if t != c.pid:
                self.assertTrue(c.request("T" + c.ptid(t)).startswith("E"), "dead thread %d alive" % t)
        self.assertEqual(c.request("z0,%x,1" % line), "OK")
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)

    def test_every_hit_reported_one_per_resume(self):
        """The gdb way over a breakpoint (remove, step the thread, insert,
        continue) with several threads at the breakpoint: 12 hits."""
        c = self.c
        c.run("threads")
        hit = c.addr("hit")
        self.assertEqual(c.request("Z0,%x,1" % hit), "OK")
        hits = collections.Counter()
        for _ in range(20):
            stop = c.resume("vCont;c")
            if stop["kind"] == "W":
                break
            self.assertEqual((stop["kind"], stop["sig"], stop["swbreak"]), ("T", 5, True), stop["raw"])
            self.assertEqual(le64(stop["regs"][0x10]), hit, stop["raw"])
            self.assertEqual(c.pc(c.ptid(stop["tid"])), hit)
            self.assertEqual(set(task_states(c.pid).values()), {"t"})
            hits[stop["tid"]] += 1
            self.assertEqual(c.request("z0,%x,1" % hit), "OK")
            step = c.resume("vCont;s:%s" % c.ptid(stop["tid"]))
            self.assertEqual((step["sig"], step["swbreak"], step["tid"]), (5, False, stop["tid"]), step["raw"])
            self.assertEqual(c.request("Z0,%x,1" % hit), "OK")
        self.assertEqual(stop["raw"], "W00;process:%x" % c.pid)
        self.assertEqual(sorted(hits.values()), [3, 3, 3, 3], hits)
        self.assertIn("calls=12", self.srv.output())

    def test_signal_of_a_resume_that_did_not_happen_is_kept(self):
        """gdb.threads/sigstep-threads.exp: gdb resumes thread X with a
        signal, but another thread's pending breakpoint hit is reported
        first, so X never ran. The signal is still X's (gdbserver keeps it
        queued): the next resume delivers it, even one that names none.
        Here the signal is SIGTERM, so the process must end by it."""
        c = self.c
        for attempt in range(10):
            c.run("threads", "4", "50")
            hit = c.addr("hit")
            self.assertEqual(c.request("Z0,%x,1" % hit), "OK")
            first = c.resume("vCont;c")
            self.assertTrue(first["swbreak"], first["raw"])
            x = first["tid"]
            # SIGTERM is 0x0f in gdb's numbering too.
            other = c.resume("vCont;C0f:%s;c" % c.ptid(x))
            if other["kind"] != "T" or other["tid"] == x or c.request("z0,%x,1" % hit) != "OK":
                # No other thread had a hit pending: X ran with its SIGTERM
                # at once (the process may be dying already). Again.
                c.request("vKill;%x" % c.pid)
                continue
            self.assertTrue(other["swbreak"], other["raw"])
            end = c.resume("vCont;c")   # no signal named: X still gets its SIGTERM
            self.assertEqual(end["raw"], "X0f;process:%x" % c.pid)
            return
        self.fail("never had a second breakpoint hit pending in 10 runs")

    def test_a_new_signal_replaces_the_kept_one(self):
        """The kept signal is used up by the next resume of its thread,
        also one that names a signal of its own: gdb decided about each
        signal once. Here X keeps SIGTERM, is then resumed with SIGCHLD
        (ignored by the program), and the program must end normally, not
        by a SIGTERM delivered later."""
        c = self.c
        for attempt in range(10):
            c.run("threads", "4", "50")
            hit = c.addr("hit")
            self.assertEqual(c.request("Z0,%x,1" % hit), "OK")
            x = c.resume("vCont;c")["tid"]
            other = c.resume("vCont;C0f:%s;c" % c.ptid(x))
            if other["kind"] != "T" or other["tid"] == x:
                c.request("vKill;%x" % c.pid)
                continue
            # SIGCHLD is 0x14 in gdb's numbering.
            again = c.resume("vCont;C14:%s;c" % c.ptid(x))
            if again["kind"] != "T":
                c.request("vKill;%x" % c.pid)
                continue
            self.assertEqual(c.request("z0,%x,1" % hit), "OK")
            self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)
            return
        self.fail("never had a second breakpoint hit pending in 10 runs")

    def test_step_one_thread_others_stay_stopped(self):
        c = self.c
        c.run("threads")
        hit = c.addr("hit")
        insns = [c.base + a for a in static_insns("threads", "hit", 2)]
        self.assertEqual(c.request("Z0,%x,1" % hit), "OK")
        stop = c.resume("vCont;c")
        me = stop["tid"]
        self.assertEqual(c.request("z0,%x,1" % hit), "OK")
        others = {t: c.pc(c.ptid(t)) for _, t in self.thread_list() if t != me}
        self.assertEqual(len(others), 4)
        for i in range(3):
            self.assertEqual(c.request("Hg" + c.ptid(me)), "OK")
            before = c.pc()
            step = c.resume("vCont;s:%s" % c.ptid(me))
            self.assertEqual((step["sig"], step["tid"]), (5, me), step["raw"])
            after = c.pc(c.ptid(me))
            self.assertEqual(le64(step["regs"][0x10]), after)
            if i == 0:
                self.assertEqual(after, insns[1])
            self.assertNotEqual(after, before)
            self.assertEqual(set(task_states(c.pid).values()), {"t"})
            self.assertEqual({t: c.pc(c.ptid(t)) for t in others}, others)
        self.assertEqual(c.resume("vCont;c")["raw"], "W00;process:%x" % c.pid)
        self.assertIn("calls=12", self.srv.output())


    def test_breakpoint_reported_while_threads_keep_starting(self):
        """Threads that start threads all the time, each then running into
        a breakpoint: every resume is answered by a hit at once. Collecting
        every pending event first would not end while the threads it
        resumes bring new ones (a clone event resumes two threads): the
        first stop came after 20 seconds, with thousands of threads stuck
        at the breakpoint."""
        c = self.c
        c.run("thread_churn", "30")
        mark = c.addr("churn_mark")
        self.assertEqual(c.request("Z0,%x,1" % mark), "OK")
        for i in range(5):
            start = time.monotonic()
            with c.timeout(10):
                stop = c.resume("vCont;c")
            took = time.monotonic() - start
            self.assertEqual((stop["kind"], stop["sig"], stop["swbreak"]), ("T", 5, True), stop["raw"])
            self.assertEqual(c.pc(c.ptid(stop["tid"])), mark)
            self.assertLess(took, 5, "stop %d took %.1f s" % (i, took))
            states = task_states(c.pid)
            self.assertEqual(set(states.values()), {"t"})
            # 30 chains of a thread or two each, plus those at the breakpoint.
            self.assertLess(len(states), 500, "stop %d: %d threads" % (i, len(states)))


def live_states(pid):
    """States of the tasks of PID that have not exited (zombies left out)."""
    return {t: s for t, s in task_states(pid).items() if s not in "ZX"}


class InterruptThreadsTest(TestCase):
    """^C with several running threads, and after the main thread exited."""

    def _raw_interrupts(self, prog, args, counter_expr, nthreads):
        srv = self.server()
        reader = OutputReader(srv)
        c = self.client(srv)
        c.run(prog, *args)
        counter = c.addr(counter_expr)
        c.send_raw(c.frame("vCont;c"))
        self.assertEqual(reader.ready_pid(), c.pid)
        last = 0
        for _ in range(2):
            wait_for(lambda: set(live_states(c.pid).values()) <= set("RSD"), 10, what="running threads")
            wait_for(lambda: int.from_bytes(read_proc_mem(c.pid, counter, 8), "little") > last + 5, 10,
                     what="the program to make progress")
            t0 = time.monotonic()
            c.send_raw(b"\x03")
            with c.timeout(PROMPT):
                try:
                    stop = parse_stop(c.read_reply())
                except OSError:
                    self.fail("no stop reply %.1fs after ^C; threads: %s" % (PROMPT, task_states(c.pid)))
            self.assertLess(time.monotonic() - t0, PROMPT)
            self.assertEqual((stop["kind"], stop["sig"], stop["pid"]), ("T", 2, c.pid), stop["raw"])
            states = live_states(c.pid)
            self.assertEqual(len(states), nthreads, task_states(c.pid))
            self.assertEqual(set(states.values()), {"t"}, "not every thread stopped: %s" % states)
            listed = self.thread_ids(c)
            self.assertTrue(set(states) <= set(listed), (states, listed))
            value = int.from_bytes(c.read(counter, 8), "little")
            self.assertGreater(value, last)
            last = value
            c.send_raw(c.frame("vCont;c"))
        c.send_raw(b"\x03")
        self.assertTrue(c.read_reply().startswith("T02"))
        self.assertEqual(c.request("vKill;%x" % c.pid), "OK")
        self.assertNotIn("died of signal", srv.log_text())

    def thread_ids(self, c):
        reply = c.request("qfThreadInfo")
        self.assertTrue(reply.startswith("m"), reply)
        return [int(i.split(".")[1], 16) for i in reply[1:].split(",")]

    def test_interrupt_sleeping_threads(self):
        self._raw_interrupts("mtspin", ["3"], "counters[2]", 4)

    def test_interrupt_busy_threads(self):
        self._raw_interrupts("mtspin", ["3", "busy"], "counters[1]", 4)

    def test_interrupt_after_main_thread_exited(self):
        self._raw_interrupts("leader_exit", ["2", "1", "spin"], "spins", 2)

    def test_gdb_interrupt_threads(self):
        srv = self.server()
        reader = OutputReader(srv)
        gdb = self.bg_gdb(srv, ["run 4 busy", "info threads"] + self.pause("int") +
                          ["p counters[0] > 0 && counters[3] > 0", "kill"], program("mtspin"))
        pid = reader.ready_pid()
        self.assertIn(pid, launched_pids(srv))
        counters = exe_base(pid, "mtspin") + static_address("mtspin", "counters")
        wait_for(lambda: all(read_proc_mem(pid, counters, 32)[i * 8:i * 8 + 8] != bytes(8) for i in range(4)),
                 10, what="every thread to run")
        os.kill(gdb.pid, signal.SIGINT)
        self.wait_marker("int", gdb, timeout=PROMPT * 2)
        states = task_states(pid)
        self.release("int")
        out = finish_gdb(gdb)
        self.assertEqual(len(states), 5, states)
        self.assertEqual(set(states.values()), {"t"}, states)
        self.assertRegex(out, r'(Program|Thread \d+(?: "[^"]*")?) received signal SIGINT')
        self.assertEqual(len(thread_rows(out)), 5, out)
        self.assertNotIn("(running)", out)
        self.assertIn("$1 = 1", out)


class LeaderExitTest(TestCase):
    def test_breakpoints_after_main_thread_exited(self):
        srv = self.server()
        out = self.gdb(srv, ["break hit", "run 3 2"] + ["continue"] * 6, program("leader_exit"))
        hits = re.findall(r"Breakpoint 1, hit \(id=(\d)\)", out)
        self.assertEqual(collections.Counter(hits), {"0": 2, "1": 2, "2": 2}, out)
        self.assertIn("exited normally", out)
        self.assertIn("last worker done calls=6", srv.output())

    def test_raw_hits_after_main_thread_exited(self):
        srv = self.server()
        c = self.client(srv)
        c.run("leader_exit", "3", "2")
        hit = c.addr("hit")
        self.assertEqual(c.request("Z0,%x,1" % hit), "OK")
        n = 0
        for _ in range(10):
            stop = c.resume("vCont;c")
            if stop["kind"] != "T":
                break
            self.assertEqual((stop["sig"], stop["swbreak"]), (5, True), stop["raw"])
            self.assertNotEqual(stop["tid"], c.pid)
            n += 1
            self.assertEqual(c.request("z0,%x,1" % hit), "OK")
            step = c.resume("vCont;s:%s" % c.ptid(stop["tid"]))
            self.assertEqual((step["kind"], step["tid"]), ("T", stop["tid"]), step["raw"])
            self.assertEqual(c.request("Z0,%x,1" % hit), "OK")
        self.assertEqual(stop["raw"], "W00;process:%x" % c.pid)
        self.assertEqual(n, 6)

    def test_exited_main_thread_is_not_listed(self):
        """gdb.threads/leader-exit.exp: the zombie leader has no registers
        and no frame; as with gdbserver it is gone from the thread list."""
        srv = self.server()
        out = self.gdb(srv, ["break hit", "run 2 1", "info threads", "kill"], program("leader_exit"))
        pid = launched_pids(srv)[0]
        rows = thread_rows(out)
        self.assertEqual(len(rows), 2, out)
        self.assertNotIn(pid, [r[3] for r in rows], out)
        self.assertNotIn("Could not read registers", out)

    def test_exited_main_thread_is_not_listed_in_non_stop(self):
        """The leader ran on as far as the client knew when it left: the
        server notices that it is a zombie."""
        srv = self.server()
        out = self.gdb(srv, ["break hit", "run 2 1", "info threads", "kill"], program("leader_exit"),
                       before=["set non-stop on"])
        self.assertRegex(out, r"hit Breakpoint 1, hit")
        pid = launched_pids(srv)[0]
        rows = thread_rows(out)
        self.assertTrue(rows, out)
        self.assertNotIn(pid, [r[3] for r in rows], out)

    def test_exited_main_thread_on_the_wire(self):
        srv = self.server()
        c = self.client(srv)
        c.run("leader_exit", "2", "1")
        c.run_to("hit")
        self.assertNotIn(c.ptid(c.pid), c.request("qfThreadInfo"))
        self.assertNotIn('id="%s"' % c.ptid(c.pid), c.request("qXfer:threads:read::0,fff"))
        self.assertEqual(c.request("T%s" % c.ptid(c.pid)), "E01")
        self.assertEqual(c.request("Hg%s" % c.ptid(c.pid)), "E01")
        self.assertNotEqual(c.request("qC"), "QC%s" % c.ptid(c.pid))

    def test_main_thread_resumed_alone_leaves(self):
        """gdb.threads/no-unwaited-for-left.exp: with scheduler-locking the
        main thread alone runs and exits (pthread_exit), leaving no resumed
        thread: "N", and gdb lists the thread that is left."""
        srv = self.server()
        out = self.gdb(srv, ["break leaving", "break after_leader", "run", "set scheduler-locking on", "continue",
                             "info threads", "thread 2", "set scheduler-locking off", "continue", "continue"],
                       program("leader_leaves"), timeout=40)
        self.assertIn("Breakpoint 1, leaving ()", out)
        self.assertIn("No unwaited-for children left.", out)
        listed = out[out.index("No unwaited-for children left."):out.index("[Switching to thread 2")]
        rows = thread_rows(listed)
        self.assertEqual([r[1] for r in rows], [2], out)
        self.assertIn("The current thread <Thread ID 1> has terminated", listed)
        self.assertRegex(out, r"hit Breakpoint 2, after_leader \(\)")
        self.assertIn("exited normally", out)
        self.assertIn("leader_leaves: main thread gone", srv.output())

    def test_thread_resumed_alone_exits_the_process(self):
        """gdb.threads/non-ldr-exit.exp: with scheduler-locking a thread
        alone runs and calls exit(): the stopped main thread dies too, and
        the news is the process's exit, not "no resumed thread is left"."""
        srv = self.server()
        for _ in range(3):
            out = self.gdb(srv, ["break mark", "run", "set scheduler-locking on", "continue", "info threads"],
                           program("thread_exits_process"), timeout=30)
            self.assertRegex(out, r"hit Breakpoint 1, mark \(\)")
            self.assertNotIn("No unwaited-for children left", out)
            self.assertRegex(out, r"\[Inferior 1 \(process \d+\) exited with code 03\]")
            self.assertIn("No threads.", out)


    def test_many_threads_ending_at_once(self):
        """gdb.threads/process-dies-while-detaching.exp: hundreds of threads
        call _exit() together after a stop. Their exits come in several
        batches of wait statuses, the leader's last; whatever the batch the
        last thread falls into, the news is the process's exit, never "no
        resumed thread is left" while the leader's exit still waits."""
        srv = self.server()
        for n in (63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256) * 2:
            out = self.gdb(srv, ["tbreak mark", "run %d" % n, "continue"], program("threads_exit_together"),
                           timeout=60)
            self.assertRegex(out, r"hit Temporary breakpoint 1, mark \(\)", out)
            self.assertNotIn("No unwaited-for children left", out)
            self.assertRegex(out, r"\[Inferior 1 \(process \d+\) exited normally\]", out)

class ThreadListTest(TestCase):
    """qXfer:threads:read: every thread with its name and core in one
    transfer, which gdb uses at each stop."""

    def test_gdb_shows_thread_names(self):
        srv = self.server("-t", "tcp:port=0", "-v", "-v", "-v")
        out = self.gdb(srv, ["break all_named", "run", "info threads", "continue"], program("named_threads"))
        self.assertRegex(out, r'\* 1    Thread (\d+)\.\1 "named_threads" all_named \(\)')
        self.assertRegex(out, r'Thread \d+\.\d+ "worker-1"')
        self.assertRegex(out, r'Thread \d+\.\d+ "worker-2"')
        self.assertIn("exited normally", out)
        self.assertIn("<- qXfer:threads:read::0,", srv.log_text())

    def test_the_list_on_the_wire(self):
        srv = self.server()
        c = self.client(srv)
        c.run("named_threads")
        c.run_to("all_named")
        reply = c.request("qXfer:threads:read::0,fff")
        self.assertTrue(reply.startswith("l<?xml"), reply)
        found = {int(t, 16): (name, int(core)) for t, core, name in
                 re.findall(r'<thread id="p%x\.([0-9a-f]+)" core="(\d+)" name="([^"]*)"/>' % c.pid, reply)}
        self.assertEqual(sorted(found), sorted(tasks(c.pid)))
        self.assertEqual(sorted(n for n, _ in found.values()), ["named_threads", "worker-1", "worker-2"])
        self.assertTrue(all(0 <= core < os.cpu_count() for _, core in found.values()))
        # Read in small windows, the same document.
        parts, off = "", 0
        while True:
            r = c.request("qXfer:threads:read::%x,40" % off)
            parts += r[1:]
            off += len(r) - 1
            if r[0] == "l":
                break
        self.assertEqual(parts, reply[1:])
        self.assertTrue(c.request("qXfer:threads:read:x:0,fff").startswith("E"))


class TlsTest(TestCase):
    """__thread variables (qGetTLSAddr, answered through libthread_db)."""

    def test_gdb_prints_each_threads_own_value(self):
        srv = self.server()
        out = self.gdb(srv, ["break tls_ready", "run", "p tls_counter", "p plugin_tls", "thread 2",
                             "p tls_counter", "p plugin_tls", "set var tls_counter = 9", "continue"],
                       program("tls"))
        self.assertIn("$1 = 7", out)        # the main thread's: the initial values
        self.assertIn("$2 = 5", out)
        self.assertIn("$3 = 42", out)       # the worker's own
        self.assertIn("$4 = 142", out)
        self.assertNotIn("Cannot find thread-local", out)
        self.assertIn("exited normally", out)

    def test_libthread_db_search_path(self):
        """gdbserver's `monitor set libthread-db-search-path`: a path without
        libthread_db makes TLS fail cleanly; "$pdir" (the directory of the
        process's own libc) finds it again, in the same session; no PATH is
        the default. Another session keeps its own path."""
        srv = self.server()
        out = self.gdb(srv, ["break tls_ready", "run",
                             "monitor set libthread-db-search-path /foo/bar", "p tls_counter",
                             "monitor set libthread-db-search-path $pdir", "p tls_counter",
                             "monitor set libthread-db-search-path /foo/bar:$sdir", "p plugin_tls",
                             "monitor set libthread-db-search-path /foo/bar", "monitor set libthread-db-search-path",
                             "p tls_counter", "monitor help", "continue"],
                       program("tls"))
        self.assertIn("libthread-db-search-path set to `/foo/bar'", out)
        self.assertRegex(out, r"Cannot find thread-local storage for Thread \d+\.\d+, executable file "
                              r"\S*tls:\s+Remote target failed to process qGetTLSAddr request")
        self.assertIn("libthread-db-search-path set to `$pdir'\n$1 = 7", out)
        self.assertIn("libthread-db-search-path set to `/foo/bar:$sdir'\n$2 = 5", out)
        self.assertIn("libthread-db-search-path set to `$sdir:$pdir'\n$3 = 7", out)
        self.assertIn("set libthread-db-search-path [PATH]", out)
        self.assertIn("exited normally", out)
        # A session of its own starts from the default.
        out = self.gdb(srv, ["break tls_ready", "run", "p tls_counter", "continue"], program("tls"))
        self.assertIn("$1 = 7", out)
        self.assertIn("exited normally", out)

    def test_static_program(self):
        """gdb.threads/staticthreads.exp: a static program's TLS has no
        link_map; gdb asks with lm 0 and libthread_db is asked for module
        1's block (its symbols are in the program itself)."""
        srv = self.server()
        out = self.gdb(srv, ["break tls_both_set", "run", "p tls_value", "thread 1", "p tls_value",
                             "continue"], program("static_tls"))
        self.assertIn("$1 = 2", out)
        self.assertIn("$2 = 1", out)
        self.assertNotIn("Cannot find thread-local", out)
        self.assertIn("exited normally", out)
        self.assertIn("main 1", srv.output())

    def test_the_packet(self):
        srv = self.server()
        c = self.client(srv)
        c.run("tls")
        # At the first instruction no thread library is loaded yet.
        reply = c.request("qGetTLSAddr:%s,0,0" % c.ptid())
        self.assertTrue(reply.startswith("E"), reply)
        c.run_to("tls_ready")
        libs = re.findall(r'<library name="([^"]*)" lm="0x([0-9a-f]+)"', c.request("qXfer:libraries-svr4:read::0,fff"))
        plugin_lm = [int(lm, 16) for name, lm in libs if name.endswith("libplugin.so")][0]
        addr = int(c.request("qGetTLSAddr:%s,0,%x" % (c.ptid(), plugin_lm)), 16)
        self.assertEqual(int.from_bytes(c.read(addr, 4), "little"), 5)   # plugin_tls in the main thread
        for bad in ("qGetTLSAddr:", "qGetTLSAddr:%s" % c.ptid(), "qGetTLSAddr:%s,0" % c.ptid(),
                    "qGetTLSAddr:%s,zz,0" % c.ptid(), "qGetTLSAddr:p1.1,0,0", "qGetTLSAddr:%s,0,10" % c.ptid()):
            self.assertTrue(c.request(bad).startswith("E"), bad)
        self.assertIsNone(srv.proc.poll())


class ExecFromThreadTest(TestCase):
    """A thread other than the main one execs: Linux gives it the process
    id, the other threads vanish, and its stop comes for the old leader's
    tid (gdb.threads/non-ldr-exc-*.exp, thread-execl.exp)."""

    EVENTS = "multiprocess+;swbreak+;no-resumed+;exec-events+"

    def test_scheduler_locking_continue_over_the_exec(self):
        """Only the thread that execs is resumed: the exec is still its
        event, reported, not "nothing resumed is left"."""
        srv = self.server()
        out = self.gdb(srv, ["break before_exec", "break new_image", "run thread", "set scheduler-locking on",
                             "continue", "info threads", "continue"], program("thread_exec"), timeout=60)
        self.assertRegex(out, r"Thread 2 [^\n]*hit Breakpoint 1, before_exec")
        self.assertIn("is executing new program", out)
        self.assertNotIn("No unwaited-for children left", out)
        self.assertRegex(out, r"hit Breakpoint 2, new_image \(\)")
        rows = thread_rows(out[out.index("new_image ()"):])
        self.assertEqual(len(rows), 1, out)
        self.assertEqual(rows[0][2], rows[0][3], out)   # the one thread left has the process id
        self.assertIn("exited normally", out)
        self.assertIn("thread_exec: new image", srv.output())

    def _step_over_the_exec(self, mode):
        """A breakpoint whose condition is false, evaluated by the server,
        right on the syscall instruction that execs (as in gdb.threads/
        step-over-exec.exp): the server steps the thread over it while the
        others stay stopped; the kernel kills them, and finishes the exec
        only once their exits are reaped."""
        srv = self.server()
        out = self.gdb(srv, ["break *exec_insn if 0", "break new_image", "run " + mode, "continue"],
                       program("thread_exec"), timeout=30)
        self.assertIn("is executing new program", out)
        self.assertRegex(out, r"Breakpoint 2, new_image \(\)")
        self.assertIn("exited normally", out)
        self.assertIn("thread_exec: new image", srv.output())

    def test_step_over_a_breakpoint_on_the_exec_of_a_thread(self):
        self._step_over_the_exec("raw-thread")

    def test_step_over_a_breakpoint_on_the_exec_of_the_main_thread(self):
        self._step_over_the_exec("raw-leader")

    def test_exec_reply_names_the_process_id(self):
        srv = self.server()
        c = self.client(srv, features=self.EVENTS)
        c.run("thread_exec", "thread")
        bp = c.addr("before_exec")
        self.assertEqual(c.request("Z0,%x,1" % bp), "OK")
        hit = c.resume("vCont;c")
        self.assertTrue(hit["swbreak"], hit["raw"])
        self.assertNotEqual(hit["tid"], c.pid)
        self.assertEqual(c.request("z0,%x,1" % bp), "OK")
        # Only the thread that execs runs (the main one stays stopped).
        reply = c.request("vCont;c:%s" % c.ptid(hit["tid"]))
        self.assertRegex(reply, r"^T05exec:[0-9a-f]+;.*thread:p%x\.%x;" % (c.pid, c.pid))
        self.assertEqual(c.request("qfThreadInfo"), "m%s" % c.ptid(c.pid))


if __name__ == "__main__":
    main()
