"""fork, vfork and exec with gdb's fork/vfork/exec events: catch fork, vfork
and exec, follow-fork-mode child and parent, detach-on-fork off (two
inferiors in one session), following an exec into a new program, and the
session-end rules for fork children (launched with a launched parent,
attached with an attached one). tests/programs/forks makes the processes."""
import os
import re
import signal

from dbgsrv_test import (source_line, TestCase, children_of, launched_pids, main, program, proc_state, session_of,
                         stopped_by, tracer_pid, wait_for)

FORKS = program("forks")
TARGET = program("exec_target")
PRE = ["set breakpoint pending on"]


class ForkTest(TestCase):
    def run_forks(self, srv, commands, timeout=60):
        return self.gdb(srv, PRE + commands, FORKS, timeout=timeout)

    def test_catch_fork_names_the_child_then_detaches_it(self):
        srv = self.server()
        out = self.run_forks(srv, ["catch fork", "run fork", "info inferiors", "continue"])
        m = re.search(r"Catchpoint 1 \(forked process (\d+)\)", out)
        self.assertTrue(m, out)
        parent = launched_pids(srv, FORKS)[0]
        self.assertNotEqual(int(m.group(1)), parent)
        self.assertIn("[Detaching after fork from child process %s]" % m.group(1), out)
        self.assertIn("exited with code 06", out)
        # The detached child ran child_work() over the parent's breakpoint
        # sites without dying, and exited by itself.
        self.assertIn("fork child exited=1 status=42 signaled=0", srv.output())

    def test_follow_fork_mode_child(self):
        srv = self.server()
        out = self.run_forks(srv, ["set follow-fork-mode child", "break child_work", "break parent_work",
                                   "run fork", "info inferiors", "continue"])
        parent = launched_pids(srv, FORKS)[0]
        self.assertIn("[Detaching after fork from parent process %d]" % parent, out)
        self.assertRegex(out, r"Thread 2\.1(?: \"[^\"]*\")? hit Breakpoint 1(\.\d+)?, child_work \(x=41\)")
        self.assertIn("[Inferior 2 (process", out)
        self.assertIn("exited with code 052", out)
        # The detached parent ran parent_work() without our breakpoint in
        # it, saw its child exit and ended by itself.
        self.assertNotIn("parent_work (x=3)", out)
        self.assertIn("fork child exited=1 status=42 signaled=0", srv.output())

    def test_follow_fork_mode_parent_keeps_breakpoints_in_the_parent(self):
        srv = self.server()
        out = self.run_forks(srv, ["break child_work", "break parent_work", "run fork", "continue"])
        self.assertIn("Detaching after fork from child process", out)
        self.assertIn("Breakpoint 2, parent_work (x=3)", out)
        self.assertNotIn("child_work (x=41)", out)
        self.assertIn("exited with code 06", out)
        self.assertIn("fork child exited=1 status=42 signaled=0", srv.output())

    def test_detach_on_fork_off_runs_both_inferiors_to_their_exit(self):
        srv = self.server()
        out = self.run_forks(srv, ["set detach-on-fork off", "set schedule-multiple on", "break child_work",
                                   "break parent_work", "run fork", "info inferiors", "continue",
                                   "inferior 1", "continue", "continue", "info inferiors"])
        m = re.search(r"\[New inferior 2 \(process (\d+)\)\]", out)
        self.assertTrue(m, out)
        self.assertRegex(out, r"Thread 2\.1(?: \"[^\"]*\")? hit Breakpoint 1(\.\d+)?, child_work \(x=41\)")
        self.assertRegex(out, r"\* 2 +process %s " % m.group(1))
        self.assertIn("[Inferior 2 (process %s) exited with code 052]" % m.group(1), out)
        self.assertRegex(out, r"hit Breakpoint 2(\.\d+)?, parent_work \(x=3\)")
        self.assertRegex(out, r"\[Inferior 1 \(process \d+\) exited with code 06\]")
        self.assertIn("fork child exited=1 status=42 signaled=0", srv.output())

    def test_catch_vfork_then_breakpoints_after_vforkdone(self):
        srv = self.server()
        out = self.run_forks(srv, ["catch vfork", "run vfork", "break parent_work", "continue", "continue"])
        self.assertRegex(out, r"Catchpoint 1 \(vforked process \d+\)")
        self.assertIn("Detaching after vfork from child process", out)
        # gdb puts its breakpoints back once the child is done with the
        # shared memory (vforkdone): the parent then stops at one.
        self.assertIn("Breakpoint 2, parent_work (x=3)", out)
        self.assertIn("exited with code 06", out)
        text = srv.output()
        self.assertIn("exec_target running: from-vfork", text)
        self.assertIn("vfork child exited=1 status=5 signaled=0", text)

    def test_vfork_follow_child_into_its_exec(self):
        srv = self.server()
        out = self.run_forks(srv, ["set follow-fork-mode child", "break target_mark", "run vfork",
                                   "info inferiors", "continue"])
        self.assertRegex(out, r"\[Attaching after Thread \d+\.\d+ vfork to child Thread \d+\.\d+\]")
        self.assertRegex(out, r"\[Detaching vfork parent process \d+ after child exec\]")
        self.assertIn("is executing new program: %s" % TARGET, out)
        self.assertIn('hit Breakpoint 1, target_mark (arg=', out)
        self.assertIn('"from-vfork"', out)
        self.assertRegex(out, r"\* 2 +process \d+ .*exec_target")
        self.assertIn("exited with code 05", out)
        self.assertIn("vfork child exited=1 status=5 signaled=0", srv.output())

    def test_catch_exec_and_a_breakpoint_in_the_new_program(self):
        srv = self.server()
        out = self.run_forks(srv, ["catch exec", "break target_mark", "run exec", "info inferiors",
                                   "continue", "bt", "continue"])
        self.assertIn("Catchpoint 1 (exec'd %s)" % TARGET, out)
        self.assertRegex(out, r"\* 1 +process \d+ .*%s" % re.escape(TARGET))
        self.assertIn('Breakpoint 2, target_mark (arg=', out)
        self.assertIn('"from-exec"', out)
        self.assertRegex(out, r"#1 .* in main \(.*\) at .*exec_target\.c")
        self.assertIn("exited with code 05", out)
        self.assertIn("exec_target running: from-exec", srv.output())

    def test_next_while_other_threads_fork(self):
        """gdb.threads/next-fork-other-thread.exp: `next` in the main thread
        while four threads fork (or vfork) all the time, in all-stop, in
        all-stop on top of non-stop, and in non-stop. A child whose fork is
        not reported yet must not show in the thread list (gdb took it for
        a process of its own and read its registers with a wrong
        description), and one whose %Stop gdb has not taken yet must not be
        resumed by a "vCont;c" of all threads (it ran to its end before gdb
        could detach it: "Can't detach process")."""
        line = source_line("fork_threads.c", "step mark")
        for how in ("fork", "vfork"):
            for before in ([], ["maint set target-non-stop on"], ["set non-stop on"]):
                srv = self.server()
                cmds = ["set print inferior-events off", "break %d" % line, "run " + how]
                cmds += ["next", "next", "next"] * 6 + ["kill"]
                out = self.gdb(srv, cmds, program("fork_threads"), before=before, timeout=120)
                what = "%s %s" % (how, before)
                # Each line in turn, with the breakpoint hit (as gdbserver's)
                # once per loop: at least 4 rounds in 18 nexts.
                self.assertGreaterEqual(out.count("next mark"), 4, what + "\n" + out)
                self.assertGreaterEqual(out.count("for (int i = 0;; i++)"), 4, what + "\n" + out)
                for bad in ("internal-error", "Can't detach", "too long", "Cannot execute", "[New inferior"):
                    self.assertNotIn(bad, out, what)
                self.assertIsNone(srv.proc.poll())

    # -- the session-end rules --

    def hold_both(self, srv, first, pid=None):
        """gdb with detach-on-fork off, stopped in the forked child's
        child_work, held there; returns (gdb, parent pid, child pid)."""
        cmds = ["set detach-on-fork off", "set schedule-multiple on"] + first + [
            "set var fork_now = 1", "break child_work", "continue", "info inferiors"] + self.pause("held")
        g = self.bg_gdb(srv, PRE + cmds, FORKS)
        self.wait_marker("held", g)
        parent = pid or launched_pids(srv, FORKS)[0]
        kids = wait_for(lambda: children_of(parent), what="the forked child")
        self.assertEqual(len(kids), 1)
        return g, parent, kids[0]

    def test_session_end_kills_a_launched_parent_and_its_child(self):
        srv = self.server()
        g, parent, child = self.hold_both(srv, ["break main", "run spin"])
        session = session_of(srv)
        for pid in (parent, child):
            self.assertEqual(tracer_pid(pid), session)
            wait_for(lambda: stopped_by(pid, session), what="process %d stopped by the session" % pid)
        g.kill()   # the client goes: the session ends by its rules
        self.assertGone(parent)
        self.assertGone(child, "fork child of a launched process")
        self.assertNoSessionsLeft(srv)

    def test_session_end_detaches_an_attached_parent_and_its_child(self):
        prog = self.start_program("forks", "spin")   # waits for its "ready" line
        srv = self.server()
        g, parent, child = self.hold_both(srv, ["attach %d" % prog.pid], pid=prog.pid)
        self.addCleanup(self.kill_if_ours, child, prog.pid)
        session = session_of(srv)
        for pid in (parent, child):
            self.assertEqual(tracer_pid(pid), session)
        g.kill()
        for pid in (parent, child):
            self.assertKeepsRunning(pid)
        self.assertNoSessionsLeft(srv)

    def kill_if_ours(self, pid, parent):
        """Kills PID if it is still the child of our PARENT program."""
        if pid in children_of(parent) or proc_state(pid) == "Z":
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


EVENTS = "multiprocess+;swbreak+;no-resumed+;fork-events+;vfork-events+;exec-events+"


def cont(c, action="vCont;c"):
    """Resumes, passing SIGCHLD (14, which the parent gets when its child
    ends) back to the program as gdb does; returns the next other reply."""
    reply = c.request(action)
    while reply.startswith("T14"):
        reply = c.request("vCont;C14:p%x.%x" % (c.pid, c.tid))
    return reply


class ForkProtocolTest(TestCase):
    """The stop replies themselves, from a raw client."""

    def test_events_are_offered_only_to_a_client_that_offers_them(self):
        srv = self.server()
        plain = self.client(srv).features
        for f in ("fork-events+", "vfork-events+", "exec-events+"):
            self.assertNotIn(f, plain.split(";"))
        some = self.client(srv, features="multiprocess+;fork-events+").features.split(";")
        self.assertIn("fork-events+", some)
        self.assertNotIn("vfork-events+", some)
        self.assertNotIn("exec-events+", some)
        every = self.client(srv, features=EVENTS).features.split(";")
        for f in ("fork-events+", "vfork-events+", "exec-events+"):
            self.assertIn(f, every)

    def test_fork_reply_names_the_child_which_stays_stopped_until_detached(self):
        srv = self.server()
        c = self.client(srv, features=EVENTS)
        c.run("forks", "fork")
        reply = c.request("vCont;c")
        m = re.match(r"T05fork:p([0-9a-f]+)\.([0-9a-f]+);.*thread:p%x\.%x;" % (c.pid, c.tid), reply)
        self.assertTrue(m, reply)
        child = int(m.group(1), 16)
        self.assertEqual(int(m.group(2), 16), child)
        self.assertIn(child, children_of(c.pid))
        session = session_of(srv)
        wait_for(lambda: stopped_by(child, session), what="the child stopped by the session")
        self.assertIn("p%x.%x" % (child, child), c.request("qfThreadInfo"))
        self.assertEqual(c.request("qAttached:%x" % child), "0")   # a launched one's child
        self.assertEqual(c.request("D;%x" % child), "OK")
        wait_for(lambda: tracer_pid(child) in (0, None), what="the child detached")
        self.assertEqual(cont(c), "W06;process:%x" % c.pid)
        self.assertIn("fork child exited=1 status=42 signaled=0", srv.output())

    def test_vfork_then_vforkdone_when_the_child_execs(self):
        srv = self.server()
        c = self.client(srv, features=EVENTS)
        c.run("forks", "vfork")
        reply = c.request("vCont;c")
        m = re.match(r"T05vfork:p([0-9a-f]+)\.[0-9a-f]+;", reply)
        self.assertTrue(m, reply)
        child = int(m.group(1), 16)
        self.assertEqual(c.request("D;%x" % child), "OK")
        reply = c.request("vCont;c:p%x.-1" % c.pid)
        self.assertTrue(reply.startswith("T05vforkdone:;"), reply)
        self.assertIn("thread:p%x.%x;" % (c.pid, c.tid), reply)
        self.assertEqual(cont(c), "W06;process:%x" % c.pid)

    def test_exec_reply_names_the_new_program(self):
        srv = self.server()
        c = self.client(srv, features=EVENTS)
        c.run("forks", "exec")
        reply = c.request("vCont;c")
        m = re.match(r"T05exec:([0-9a-f]+);", reply)
        self.assertTrue(m, reply)
        self.assertEqual(bytes.fromhex(m.group(1)).decode(), os.path.realpath(TARGET))
        self.assertEqual(c.request("vCont;c"), "W05;process:%x" % c.pid)

    def test_without_the_events_children_are_let_go_and_exec_is_a_sigtrap(self):
        srv = self.server()
        c = self.client(srv)
        c.run("forks", "fork")
        self.assertEqual(cont(c), "W06;process:%x" % c.pid)
        self.assertIn("not followed: let go", srv.log_text())
        c.run("forks", "exec")
        reply = c.request("vCont;c")
        self.assertTrue(reply.startswith("T05"), reply)
        self.assertNotIn("exec:", reply)


if __name__ == "__main__":
    main()
