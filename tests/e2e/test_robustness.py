"""Debuggees that do awkward things: clone() a process that shares the
memory but is not a thread, fork a child that runs through breakpointed code (followed, then
detached by gdb), leave no resumed thread behind, and detach after a signal
the client already handled."""
import re

from dbgsrv_test import TestCase, launched_pids, main, proc_state, program, wait_for


class RobustnessTest(TestCase):
    def test_clone_sharing_memory_is_a_thread(self):
        """gdb.threads/clone-thread_db.exp: clone(CLONE_VM) without
        CLONE_THREAD is a thread for gdb, as with gdbserver: it stops at
        a breakpoint in its code, and everything runs to the end."""
        srv = self.server()
        out = self.gdb(srv, ["break clone_child_mark", "break bp", "run", "info threads", "continue",
                             "continue"], program("clone_process"))
        # Named: read from the clone's own thread group in /proc.
        self.assertRegex(out, r'Thread 2 "clone_process" hit Breakpoint 1, clone_child_mark \(\)')
        self.assertRegex(out, r"\* 2 +Thread (\d+)\.(?!\1\b)\d+ .*clone_child_mark")
        self.assertRegex(out, r"hit Breakpoint 2, bp \(\)")
        self.assertIn("exited normally", out)
        self.assertIn("clone_process done", srv.output())

    def test_kill_with_a_clone_sharing_memory(self):
        """That clone is a thread group of its own: killing the process
        does not kill it, the server must (it waited for it forever)."""
        srv = self.server()
        out = self.gdb(srv, ["break bp", "run", "info threads", "kill", "info threads"], program("clone_process"),
                       timeout=20)
        self.assertRegex(out, r"hit Breakpoint 1, bp \(\)")
        clone = re.search(r"\n  2 +Thread (\d+)\.((?!\1\b)\d+) ", out)
        self.assertTrue(clone, out)
        self.assertRegex(out, r"\[Inferior 1 \(process \d+\) killed\]")
        self.assertNotIn("packet error", out)
        self.assertIn("No threads.", out)
        for pid in (int(clone.group(1)), int(clone.group(2))):
            wait_for(lambda: proc_state(pid) is None, 10, what="task %d to be gone" % pid)

    def test_forked_child_is_released_without_our_breakpoints(self):
        srv = self.server()
        out = self.gdb(srv, ["break work", "run", "continue"], program("fork_child"))
        self.assertIn("Breakpoint 1, work (x=1)", out)     # the parent's call only
        self.assertIn("exited with code 03", out)
        # gdb asks for fork events: the server follows the child, gdb takes
        # its breakpoints out and detaches it (a client without fork events
        # gets the child let go at once: test_fork.py). The child ran work()
        # over the parent's breakpoint address: it must have exited normally
        # (status 7), not died of SIGTRAP.
        self.assertIn("(followed)", srv.log_text())
        self.assertIn("child exited=1 status=7 signaled=0", srv.output())

    def test_no_resumed_thread_left_is_reported(self):
        srv = self.server()
        out = self.gdb(srv, ["break mark", "run", "set scheduler-locking on", "delete", "continue",
                             "info threads", "set scheduler-locking off", "thread 1", "continue"],
                       program("thread_exit"), timeout=60)
        self.assertIn("hit Breakpoint 1, mark ()", out)
        self.assertIn("No unwaited-for children left.", out)   # gdb's reading of "N"
        self.assertIn("exited normally", out)
        self.assertIn("thread_exit done", srv.output())

    def test_detach_does_not_deliver_a_handled_signal_again(self):
        srv = self.server()
        out = self.gdb(srv, ["break bp", "run", "continue", "detach"], program("signal_detach"))
        self.assertIn("Program received signal SIGUSR1", out)
        self.assertIn("hit Breakpoint 1, bp ()", out)
        self.assertIn("detached]", out)
        # The program goes on and reports its count on stderr (the server's
        # log): the signal was handled once, and detaching must not send it
        # again.
        wait_for(lambda: srv.log_text().count("count=") >= 3, what="the program reporting")
        log = srv.log_text()
        self.assertIn("count=1", log)
        self.assertNotIn("count=2", log)
        self.assertTrue(launched_pids(srv))


if __name__ == "__main__":
    main()
