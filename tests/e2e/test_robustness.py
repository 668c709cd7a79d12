"""Debuggees that do awkward things: clone() a process that is not a
thread, fork a child that runs through breakpointed code (followed, then
detached by gdb), leave no resumed thread behind, and detach after a signal
the client already handled."""
from dbgsrv_test import TestCase, launched_pids, main, program, wait_for


class RobustnessTest(TestCase):
    def test_clone_of_a_process_is_not_taken_for_a_thread(self):
        srv = self.server()
        out = self.gdb(srv, ["break bp", "run", "info threads", "continue"], program("clone_process"))
        self.assertIn("Breakpoint 1, bp ()", out)
        self.assertIn("exited normally", out)
        self.assertIn("not followed: let go", srv.log_text())
        self.assertIn("clone_process done", srv.output())

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
