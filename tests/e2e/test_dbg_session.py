"""dbg's own session with a process server: dbg -premote TRANSPORT with
-p, -pn, -pb, -cimp and -c, and its session commands (.tlist, .attach,
.create, .detach, .kill, g, .endpsrv, q, qd, .help), against a real dbgsrv
and real programs. Also gdb's "info os processes", which reads the same
process list."""
import os
import re
import shutil
import signal
import subprocess
import threading

from dbgsrv_test import (DBG, TIMEOUT, OutputReader, TestCase, main, proc_state, program, tracer_pid,
                         wait_for)


class DbgProcess:
    """dbg running in the background with a pipe for its commands; its
    output is collected in a thread so that a test can wait for a line."""

    def __init__(self, args):
        self.proc = subprocess.Popen([DBG] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.lines = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, pattern, timeout=20.0):
        rx = re.compile(pattern)
        with self.cond:
            ok = self.cond.wait_for(lambda: any(rx.search(l) for l in self.lines), timeout)
            if not ok:
                raise AssertionError("dbg printed no line matching %r: %r" % (pattern, self.lines))
            return next(rx.search(l) for l in self.lines if rx.search(l))

    def send(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout=TIMEOUT):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        rc = self.proc.wait(timeout)
        self.thread.join(5)
        return rc, "\n".join(self.lines)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except BrokenPipeError:
                pass


class DbgSessionTest(TestCase):
    def transport(self, srv):
        return "tcp:server=127.0.0.1,port=%d" % srv.port

    def dbg(self, srv, *args, stdin=""):
        """Runs dbg -premote SRV ARGS to completion: (status, stdout, stderr)."""
        p = subprocess.run([DBG, "-premote", self.transport(srv)] + list(args), input=stdin,
                           capture_output=True, text=True, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr

    def bg_dbg(self, srv, *args):
        d = DbgProcess(["-premote", self.transport(srv)] + list(args))
        self.addCleanup(d.close)
        return d

    _copies = 0

    def named_program(self, name, *args):
        """A copy of the test program "spin" under a name no other process
        has, started by the test; returns (pid, its path). Killed at the end."""
        DbgSessionTest._copies += 1
        path = self.tmp_path(name)
        if not os.path.exists(path):
            shutil.copy(program("spin"), path)
        p = subprocess.Popen([path] + list(args), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             text=True, start_new_session=True)

        def reap():
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
            p.wait()
            p.stdout.close()
        self.addCleanup(reap)
        self.assertTrue(p.stdout.readline().startswith("ready"))
        return p.pid, path

    def unique(self, tag):
        return "dbgt%s%d" % (tag, os.getpid())

    def created(self, out):
        pid = int(re.search(r"Created process 0n(\d+)", out).group(1))
        self.addCleanup(self._kill_if_ours, pid)
        return pid

    @staticmethod
    def _kill_if_ours(pid):
        # Only a process this test created, and only while it is still one
        # of our test programs.
        try:
            exe = os.readlink("/proc/%d/exe" % pid)
        except OSError:
            return
        if os.path.basename(exe) in ("spin", "hello") or "dbgsrv-e2e-" in exe:
            os.kill(pid, signal.SIGKILL)

    def assert_running_untraced(self, pid):
        wait_for(lambda: tracer_pid(pid) == 0, what="process %d to be detached" % pid)
        self.assertIn(proc_state(pid), ("R", "S"))

    # -- .tlist and -pn --

    def test_tlist_lists_processes_as_cdb_does(self):
        name = self.unique("tl")
        pid, path = self.named_program(name, "arg1")
        srv = self.server()
        rc, out, err = self.dbg(srv, "-c", ".tlist; .tlist -v %s; .tlist %s*; .tlist nothing-is-called-this*"
                                % (name, name[:6]))
        self.assertEqual(rc, 0, err)
        listing = out.split("> .tlist -v")[0]
        self.assertRegex(listing, r"(?m)^\s*0n%d %s$" % (pid, name))
        self.assertRegex(listing, r"(?m)^\s*0n%d \S+$" % os.getpid())       # this test, too
        verbose = out.split("> .tlist -v")[1].split("> .tlist")[0]
        self.assertRegex(verbose, r"(?m)^\s*0n%d %s\n\s+User: root  Command Line: %s arg1$"
                         % (pid, name, re.escape(path)))
        self.assertEqual(len(re.findall(r"(?m)^\s*0n\d+ ", verbose)), 1)   # only the one named
        wildcard = out.split("> .tlist %s*" % name[:6])[1].split("> .tlist")[0]
        self.assertIn("0n%d %s" % (pid, name), wildcard)
        self.assertNotIn("0n%d " % os.getpid(), wildcard)
        nothing = out.split("> .tlist nothing-is-called-this*")[1]
        self.assertNotRegex(nothing, r"0n\d+")

    def test_attach_by_name_and_quit_detaches(self):
        name = self.unique("pn")
        pid, _ = self.named_program(name)
        srv = self.server()
        d = self.bg_dbg(srv, "-pn", name)
        d.wait_line(r"^Process '%s' is 0n%d$" % (name, pid))
        d.wait_line(r"^Attached to process 0n%d$" % pid)
        self.assertNotEqual(tracer_pid(pid), 0)
        self.assertEqual(proc_state(pid), "t")                 # stopped by the debugger
        d.send("q")
        rc, out = d.finish()
        self.assertEqual(rc, 0, out)
        self.assertIn("Detached from process 0n%d" % pid, out)   # attached: q detaches
        self.assert_running_untraced(pid)

    def test_attach_by_name_needs_exactly_one_process(self):
        name = self.unique("two")
        a, _ = self.named_program(name)
        b, _ = self.named_program(name)
        srv = self.server()
        rc, out, err = self.dbg(srv, "-pn", name)
        self.assertEqual(rc, 1)
        self.assertIn("more than one process named '%s'" % name, err)
        self.assertIn("0n%d" % a, err)
        self.assertIn("0n%d" % b, err)
        self.assertEqual((tracer_pid(a), tracer_pid(b)), (0, 0))
        rc, out, err = self.dbg(srv, "-pn", name + "absent")
        self.assertEqual(rc, 1)
        self.assertIn("no process named '%sabsent'" % name, err)

    # -- the session commands --

    def test_attach_detach_create_kill(self):
        name = self.unique("ad")
        pid, _ = self.named_program(name)
        srv = self.server()
        rc, out, err = self.dbg(srv, "-c", ".attach %d; .detach; .create %s 7 \"two words\"; .kill"
                                % (pid, program("hello")))
        self.assertEqual(rc, 0, err)
        self.assertIn("Attached to process 0n%d" % pid, out)
        self.assertIn("Detached from process 0n%d" % pid, out)
        self.assert_running_untraced(pid)
        created = self.created(out)
        self.assertIn("Terminated process 0n%d" % created, out)
        wait_for(lambda: proc_state(created) is None, what="the created process to go")

    def test_create_then_go_runs_to_exit(self):
        srv = self.server()
        reader = OutputReader(srv)
        rc, out, err = self.dbg(srv, "-c", ".create %s 5 \"two words\"; g" % program("hello"))
        self.assertEqual(rc, 0, err)
        pid = self.created(out)
        self.assertIn("Process 0n%d exited with status 5" % pid, out)
        reader.wait_line(r"^arg2=two words$")
        self.assertRegex(out, r"(?m)^> g$|^0:000> g$")

    def test_quit_kills_created_and_qd_leaves_it_running(self):
        srv = self.server()
        rc, out, err = self.dbg(srv, "-c", ".create %s; q" % program("spin"))
        self.assertEqual(rc, 0, err)
        pid = self.created(out)
        self.assertIn("Terminated process 0n%d" % pid, out)
        wait_for(lambda: proc_state(pid) is None, what="the created process to be killed")
        rc, out, err = self.dbg(srv, "-c", ".create %s; qd" % program("spin"))
        self.assertEqual(rc, 0, err)
        pid = self.created(out)
        self.assertIn("Detached from process 0n%d" % pid, out)
        self.assert_running_untraced(pid)

    def test_a_session_that_ends_leaves_the_server_serving_others(self):
        name = self.unique("so")
        pid, _ = self.named_program(name)
        srv = self.server()
        first = self.bg_dbg(srv, "-p", str(pid))
        first.wait_line(r"^Attached to process 0n%d$" % pid)
        rc, out, err = self.dbg(srv, "-c", ".create %s; q" % program("spin"))   # another session comes and goes
        self.assertEqual(rc, 0, err)
        self.assertIn("Session ended", out)
        self.assertNotEqual(tracer_pid(pid), 0)                  # the first session is untouched
        rc, out, err = self.dbg(srv, "-c", ".tlist %s" % name)   # and the server serves a third
        self.assertIn("0n%d %s" % (pid, name), out)
        first.send(".detach")
        first.wait_line(r"^Detached from process 0n%d$" % pid)
        self.assert_running_untraced(pid)
        first.send("q")
        self.assertEqual(first.finish()[0], 0)
        self.assertIsNone(srv.proc.poll())

    def test_end_of_input_is_q(self):
        srv = self.server()
        rc, out, err = self.dbg(srv, stdin=".create %s\n" % program("spin"))
        self.assertEqual(rc, 0, err)
        pid = self.created(out)
        self.assertIn("> .create", out)                         # piped commands are echoed
        self.assertIn("Terminated process 0n%d" % pid, out)
        wait_for(lambda: proc_state(pid) is None, what="the created process to be killed")

    def test_ctrl_c_breaks_in(self):
        name = self.unique("cc")
        pid, _ = self.named_program(name)
        srv = self.server()
        d = self.bg_dbg(srv, "-p", str(pid), "-c", "g")
        d.wait_line(r"^0:000> g$")
        wait_for(lambda: proc_state(pid) in ("R", "S"), what="the process to run")
        os.kill(d.proc.pid, signal.SIGINT)
        d.wait_line(r"^Process 0n%d, thread 0n%d stopped by signal SIGINT \(2\)$" % (pid, pid))
        d.send("qd")
        rc, out = d.finish()
        self.assertEqual(rc, 0, out)
        self.assert_running_untraced(pid)

    def test_help_and_bad_input(self):
        srv = self.server()
        rc, out, err = self.dbg(srv, "-c", ".help; frobnicate; .attach 0; .attach -1; .attach x; .detach; "
                                           ".kill; g; .tlist -q; .create; .create \"unterminated",
                                stdin=".tlist nothing-is-called-this\n")
        self.assertEqual(rc, 0, err)
        for cmd in (".tlist", ".attach", ".create", ".detach", ".kill", ".endpsrv", "qd", "q", "g"):
            self.assertRegex(out, r"(?m)^  %s\b" % re.escape(cmd))
        self.assertIn("unknown command 'frobnicate'", err)
        self.assertEqual(err.count("usage: .attach PID"), 3)
        self.assertIn(".detach: no process is being debugged", err)
        self.assertIn(".kill: no process is being debugged", err)
        self.assertIn("g: no process is being debugged", err)
        self.assertIn("usage: .tlist", err)
        self.assertEqual(err.count("usage: .create"), 2)
        self.assertIn("> .tlist nothing-is-called-this", out)    # still running commands
        self.assertIsNone(srv.proc.poll())
        rc, out, err = self.dbg(srv, "-p", "0")
        self.assertEqual(rc, 1)
        self.assertIn("-p 0: not a process id", err)
        rc, out, err = self.dbg(srv, "-p", "2147483647")
        self.assertEqual(rc, 1)
        self.assertIn("cannot attach to process 0n2147483647", err)
        for args in (["-pb"], ["-p", "1", "-cimp"], ["-bogus"]):
            p = subprocess.run([DBG, "-premote", self.transport(srv)] + args, capture_output=True, text=True,
                               timeout=TIMEOUT)
            self.assertEqual(p.returncode, 2, args)
        p = subprocess.run([DBG, "-p", "1"], capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 2)
        self.assertIn("-premote TRANSPORT is missing", p.stderr)
        self.assertIsNone(srv.proc.poll())

    # -- with the server's command line: -cs + -pb, -pc + -cimp --

    def test_created_suspended_resumed_by_pb(self):
        srv = self.server("-t", "tcp:port=0", "-cs", program("hello"), "3", "suspended")
        reader = OutputReader(srv)
        pid = int(reader.wait_line(r"^Created process (\d+) \(suspended\): ").group(1))
        self.addCleanup(self._kill_if_ours, pid)
        self.assertEqual(proc_state(pid), "T")
        rc, out, err = self.dbg(srv, "-p", str(pid), "-pb")
        self.assertEqual(rc, 0, err)
        self.assertIn("Attached to process 0n%d" % pid, out)
        self.assertIn("Process 0n%d exited with status 3" % pid, out)
        reader.wait_line(r"^arg2=suspended$")

    def test_implicit_command_line(self):
        srv = self.server("-t", "tcp:port=0", "-pc", program("hello"), "4", "implicit")
        reader = OutputReader(srv)
        rc, out, err = self.dbg(srv, "-cimp", "-c", "g")
        self.assertEqual(rc, 0, err)
        pid = int(re.search(r"Created process 0n(\d+) from the server's implicit command line", out).group(1))
        self.assertIn("Process 0n%d exited with status 4" % pid, out)
        reader.wait_line(r"^arg2=implicit$")
        srv2 = self.server()
        rc, out, err = self.dbg(srv2, "-cimp")
        self.assertEqual(rc, 1)
        self.assertIn("no program to run", err)

    # -- ending the server --

    def test_endpsrv_with_two_sessions_leaves_attached_processes_running(self):
        a, _ = self.named_program(self.unique("ea"))
        b, _ = self.named_program(self.unique("eb"))
        srv = self.server()
        first = self.bg_dbg(srv, "-p", str(a))
        first.wait_line(r"^Attached to process 0n%d$" % a)
        rc, out, err = self.dbg(srv, "-c", ".attach %d; .endpsrv" % b)
        self.assertIn("ending the process server", out)
        self.assertIn("the process server ended the session", err)
        self.assertEqual(srv.proc.wait(TIMEOUT), 0)
        self.assertIn("end of the process server requested by 127.0.0.1", srv.log_text())
        rc, out = first.finish()
        self.assertIn("the process server ended the session", out)
        self.assert_running_untraced(a)
        self.assert_running_untraced(b)

    def test_endpsrv_refused_with_no_remote_end(self):
        srv = self.server("-t", "tcp:port=0", "--no-remote-end")
        rc, out, err = self.dbg(srv, "-c", ".endpsrv; .tlist nothing-is-called-this")
        self.assertEqual(rc, 0, err)
        self.assertIn("refused: this process server runs with --no-remote-end", out)
        self.assertIn("> .tlist nothing-is-called-this", out)
        self.assertIsNone(srv.proc.poll())
        self.assertIn("refused (--no-remote-end)", srv.log_text())

    # -- gdb reads the same list --

    def test_gdb_info_os_processes(self):
        name = self.unique("os")
        pid, path = self.named_program(name, "xyz")
        srv = self.server()
        out = self.gdb(srv, ["info os processes"])
        self.assertRegex(out, r"(?m)^%d\s+root\s+%s xyz\s+\d+" % (pid, re.escape(path)))   # and its cores
        out = self.gdb(srv, ["info os"])
        self.assertRegex(out, r"(?m)^processes\s+Listing of all processes")
        self.assertRegex(out, r"(?m)^threads\s+Listing of all threads")
        self.assertRegex(out, r"(?m)^files\s+Listing of all file descriptors")
        out = self.gdb(srv, ["info os threads"])
        self.assertRegex(out, r"(?m)^%d\s+%s\s+%d\s+\d+" % (pid, name[:15], pid))   # its name, as gdbserver
        out = self.gdb(srv, ["info os files"])
        # Its stdout is the pipe the test reads.
        self.assertRegex(out, r"(?m)^%d\s+%s\s+1\s+pipe:\[\d+\]" % (pid, name[:15]))
        out = self.gdb(srv, ["info os procgroups"])   # the test started it in a session of its own
        self.assertRegex(out, r"(?m)^%d\s+%s\s+%d\s+%s xyz" % (pid, name[:15], pid, re.escape(path)))
        out = self.gdb(srv, ["info os sockets"])
        self.assertRegex(out, r"(?m)^127\.0\.0\.1\s+%d\s+0\.0\.0\.0\s+0\s+LISTEN\s+root\s+INET\s+STREAM"
                         % srv.port)
        out = self.gdb(srv, ["info os nosuchtype"])
        self.assertIn("Wrong osdata type?", out)      # an empty document, as from gdbserver


if __name__ == "__main__":
    main()
