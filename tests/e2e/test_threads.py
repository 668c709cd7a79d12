"""Threads: listing and selecting them through gdb and on the wire, a
breakpoint hit by several threads at once (every hit reported, one per
continue), all-stop (every thread stopped when one stops) and threads traced
from their creation."""
import collections
import re
import shutil
import tempfile

from dbgsrv_test import TestCase, main, program, start_gdb, wait_for
from e2e_helpers import (Rsp, finish_gdb, gdb_pause, kill_gdb, launched_pids, le64, release,
                         source_line, static_insns, static_line_address, task_states, wait_paused)

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
        srv.stop()
        self.assertIn("calls=12", srv.output())

    def test_many_threads_many_hits(self):
        """8 threads x 2 rounds through a gdb loop: 16 hits."""
        srv = self.server()
        tmp = tempfile.mkdtemp(prefix="dbgsrv-thr-")
        self.addCleanup(shutil.rmtree, tmp, True)
        script = tmp + "/loop.gdb"
        with open(script, "w") as f:
            f.write("set $i = 1\nwhile $i < 16\n  continue\n  set $i = $i + 1\nend\n")
        out = self.gdb(srv, ["break hit", "run 8 2", "source " + script, "continue"],
                       program("threads"))
        hits = re.findall(r"Breakpoint 1, hit \(id=(\d)\)", out)
        self.assertEqual(len(hits), 16, out)
        self.assertEqual(collections.Counter(hits), {str(i): 2 for i in range(8)}, out)
        self.assertIn("exited normally", out)
        srv.stop()
        self.assertIn("calls=16", srv.output())

    def test_all_threads_stop_when_one_stops(self):
        srv = self.server()
        tmp = tempfile.mkdtemp(prefix="dbgsrv-thr-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cmds = ["break hit", "run", "info threads"] + gdb_pause(tmp, "p1")
        for i in range(2, 5):
            cmds += ["continue", "info threads"] + gdb_pause(tmp, "p%d" % i)
        gdb = start_gdb(srv, cmds + ["kill"], program("threads"))
        self.addCleanup(kill_gdb, gdb)
        for i in range(1, 5):
            wait_paused(tmp, "p%d" % i, gdb)
            pid = launched_pids(srv)[0]
            states = task_states(pid)
            self.assertGreaterEqual(len(states), 2, states)
            self.assertEqual(set(states.values()), {"t"}, "not every thread is stopped: %s" % states)
            release(tmp, "p%d" % i)
        out = finish_gdb(gdb)
        self.assertEqual(out.count("hit Breakpoint 1, hit"), 4, out)
        self.assertNotIn("(running)", out)
        tables = out.split("  Id   Target Id")[1:]
        self.assertEqual(len(tables), 4, out)
        self.assertEqual(len(thread_rows(tables[0])), 5, out)

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
        srv.stop()
        self.assertIn("calls=12", srv.output())


class RawThreadsTest(TestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.server()
        self.c = Rsp(self.srv)
        self.addCleanup(self.c.close)

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
        self.srv.stop()
        self.assertIn("calls=12", self.srv.output())

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
        self.srv.stop()
        self.assertIn("calls=12", self.srv.output())


if __name__ == "__main__":
    main()
