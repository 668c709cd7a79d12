"""dbgsrv as a drop-in for gdbserver: gdbserver's command line (COMM PROG
ARGS, --attach, --multi, --once, --wrapper, startup with a shell, address
randomization, debug options, --disable-packet), its messages on stderr
matched exactly, its monitor commands, stdio and serial COMMs, and gdb's MI
(the way IDEs such as VS Code's cppdbg drive it)."""
import os
import re
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time

from dbgsrv_test import (DBGSRV, GDB, TestCase, main, program, proc_state, tracer_pid, wait_for)
from test_serial import NullModem


class GdbServerProcess:
    """dbgsrv started with a gdbserver command line. stderr is collected line
    by line (gdbserver's messages); stdout is the debuggee's."""

    def __init__(self, args, env=None, wait_listening=True, cwd=None):
        self.proc = subprocess.Popen([DBGSRV] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True, env=env, start_new_session=True,
                                     cwd=cwd)
        self.lines = []
        self.out = []
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._read, args=(self.proc.stderr, self.lines), daemon=True),
                        threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True)]
        for t in self.threads:
            t.start()
        self.port = None
        if wait_listening:
            m = self.wait_line(r"^Listening on port (\d+)$")
            self.port = int(m.group(1))

    def _read(self, stream, into):
        for line in stream:
            with self.cond:
                into.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            into.append(None)   # EOF
            self.cond.notify_all()

    def wait_line(self, pattern, timeout=30, stream=None):
        lines = self.lines if stream is None else stream
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for l in lines:
                    if l is not None:
                        m = re.search(pattern, l)
                        if m:
                            return m
                if None in lines:
                    raise AssertionError("no line matching %r before EOF:\n%s" % (pattern, self.text()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no line matching %r:\n%s" % (pattern, self.text()))
                self.cond.wait(left)

    def text(self):
        with self.cond:
            return "\n".join(l for l in self.lines if l is not None)

    def messages(self):
        """Non-log lines of stderr: gdbserver's messages."""
        with self.cond:
            return [l for l in self.lines if l is not None and not re.match(r"^(\d\d:\d\d:\d\d\.\d+ )?dbgsrv\[", l)]

    def stdout(self):
        with self.cond:
            return "\n".join(l for l in self.out if l is not None)

    def wait(self, timeout=30):
        rc = self.proc.wait(timeout)
        for t in self.threads:
            t.join(5)
        return rc

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for t in self.threads:
            t.join(5)
        self.proc.stdout.close()
        self.proc.stderr.close()


def gdb_batch(commands, prog=None, timeout=60, extended=False, port=None, target=None, before=()):
    args = [GDB, "-nx", "-batch", "-ex", "set confirm off", "-ex", "set auto-connect-native-target off"]
    for c in before:   # settings that must come before the connection
        args += ["-ex", c]
    tgt = target or "%s 127.0.0.1:%d" % ("extended-remote" if extended else "remote", port)
    args += ["-ex", "target " + tgt]
    for c in commands:
        args += ["-ex", c]
    if prog:
        args.append(prog)
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.stdout + p.stderr


def listening_addresses(port):
    """The local addresses with a TCP socket listening on PORT."""
    found = []
    for path, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(path) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            addr, p = fields[1].split(":")
            if int(p, 16) == port and fields[3] == "0A":
                raw = bytes.fromhex(addr)
                if v6:
                    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.append(socket.inet_ntop(socket.AF_INET6, raw))
                else:
                    found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
    return found


class GdbServerCliTest(TestCase):
    def gs(self, *args, **kw):
        g = GdbServerProcess(args, **kw)
        self.addCleanup(g.close)
        return g

    def usage_error(self, *args):
        p = subprocess.run([DBGSRV] + list(args), capture_output=True, text=True, timeout=20,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 2, p.stderr)
        return p.stderr

    # ---- COMM PROG ARGS ----

    def test_program_on_the_command_line(self):
        hello = program("hello")
        g = self.gs("--once", "127.0.0.1:0", hello, "3", "two words")
        out = gdb_batch(["continue"], hello, port=g.port)
        self.assertIn("exited with code 03", out)
        self.assertEqual(g.wait(), 0)
        msgs = g.messages()
        pid = int(re.match(r"Process .* created; pid = (\d+)$", msgs[0]).group(1))
        self.assertEqual(msgs[0], "Process %s created; pid = %d" % (hello, pid))
        self.assertEqual(msgs[1], "Listening on port %d" % g.port)
        self.assertRegex(msgs[2], r"^Remote debugging from host 127\.0\.0\.1, port \d+$")
        self.assertEqual(msgs[3:], ["", "Child exited with status 3"])
        self.assertIn("arg2=two words", g.stdout())     # arguments stay whole through the shell

    def test_program_in_the_current_directory(self):
        """gdb.server/abspath.exp: PROG without a directory that is a file
        here is that file (by its absolute name), not a search of $PATH."""
        hello = program("hello")
        g = self.gs("--once", "127.0.0.1:0", os.path.basename(hello), "4", cwd=os.path.dirname(hello))
        self.assertEqual(g.messages()[0].split(";")[0], "Process %s created" % hello)
        out = gdb_batch(["continue"], hello, port=g.port)
        self.assertIn("exited with code 04", out)
        self.assertEqual(g.wait(), 0)

    def test_gdb_without_a_program_learns_it(self):
        """gdb.server/sysroot.exp: gdb started with no file reads the
        program's name from the server (qXfer:exec-file:read)."""
        hello = program("hello")
        g = self.gs("--once", "127.0.0.1:0", hello, "6")
        out = gdb_batch(["break add", "continue", "delete", "continue"], port=g.port)
        self.assertIn("Breakpoint 1, add", out)
        self.assertIn("exited with code 06", out)
        self.assertEqual(g.wait(), 0)

    def test_server_ends_with_its_program_without_once(self):
        hello = program("hello")
        g = self.gs("127.0.0.1:0", hello, "0")
        out = gdb_batch(["break add", "continue", "continue", "continue", "continue"], hello, port=g.port)
        self.assertIn("Breakpoint 1, add", out)
        self.assertEqual(g.wait(), 0)
        self.assertIn("Child exited with status 0", g.messages())

    def test_killed_by_a_signal(self):
        g = self.gs("--once", "127.0.0.1:0", "/bin/sh", "-c", "kill -9 $$")
        gdb_batch(["continue"], port=g.port)
        self.assertEqual(g.wait(), 0)
        self.assertEqual(g.messages()[-2:], ["", "Child terminated with signal = 0x9 (SIGKILL)"])

    def test_program_that_cannot_start(self):
        p = subprocess.run([DBGSRV, ":0", "/nonexistent/prog"], capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertIn("During startup program exited with code 127.", p.stderr)
        self.assertTrue(p.stderr.endswith("Exiting\n"), p.stderr)
        p = subprocess.run([DBGSRV, "--no-startup-with-shell", ":0", "/nonexistent/prog"], capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot run '/nonexistent/prog'", p.stderr)

    def test_other_clients_get_their_own_session_meanwhile(self):
        spin = program("spin")
        g = self.gs("127.0.0.1:0", spin)
        first = subprocess.Popen([GDB, "-nx", "-batch", "-ex", "target remote 127.0.0.1:%d" % g.port,
                                  "-ex", "continue", spin], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        self.addCleanup(lambda: (first.poll() is None and os.killpg(first.pid, signal.SIGKILL), first.wait(),
                                 first.stdout.close()))
        g.wait_line(r"^Remote debugging from host")
        hello = program("hello")
        out = gdb_batch(["set remote exec-file " + hello, "run 4", "monitor sessions"], hello, extended=True,
                        port=g.port)
        self.assertIn("exited with code 04", out)
        self.assertIn("2 sessions", out)
        self.assertIsNone(first.poll())   # the first session went on undisturbed

    def test_once_refuses_a_second_client(self):
        spin = program("spin")
        g = self.gs("--once", "127.0.0.1:0", spin)
        first = subprocess.Popen([GDB, "-nx", "-batch", "-ex", "target remote 127.0.0.1:%d" % g.port,
                                  "-ex", "continue", spin], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        self.addCleanup(lambda: (first.poll() is None and os.killpg(first.pid, signal.SIGKILL), first.wait(),
                                 first.stdout.close()))
        g.wait_line(r"^Remote debugging from host")

        def refused():
            try:
                socket.create_connection(("127.0.0.1", g.port), 1).close()
                return False
            except ConnectionRefusedError:
                return True
        wait_for(refused, what="the listening socket closed")
        os.killpg(first.pid, signal.SIGKILL)      # the client goes: the launched program with it
        self.assertEqual(g.wait(), 0)

    # ---- --attach ----

    def test_attach(self):
        spin = self.start_program("spin")
        g = self.gs("--attach", "127.0.0.1:0", str(spin.pid))
        self.assertNotIn(tracer_pid(spin.pid), (0, None))   # attached before any client came
        out = gdb_batch(["info threads", "detach"], program("spin"), port=g.port)
        self.assertIn("(process %d) detached" % spin.pid, out)
        self.assertEqual(g.wait(), 0)
        self.assertEqual(g.messages()[0], "Attached; pid = %d" % spin.pid)
        self.assertEqual(g.messages()[-1], "Detaching from process %d" % spin.pid)
        wait_for(lambda: tracer_pid(spin.pid) == 0, what="detached")
        self.assertIn(proc_state(spin.pid), ("R", "S"))

    def test_attach_after_comm(self):
        """gdbserver's older order, COMM --attach PID, which gdb's testsuite
        uses (gdb.server/attach-flag.exp: "--once localhost:PORT --attach PID")."""
        spin = self.start_program("spin")
        g = self.gs("--once", "127.0.0.1:0", "--attach", str(spin.pid))
        self.assertEqual(g.messages()[0], "Attached; pid = %d" % spin.pid)
        out = gdb_batch(["detach"], program("spin"), port=g.port)
        self.assertIn("(process %d) detached" % spin.pid, out)
        self.assertEqual(g.wait(), 0)
        wait_for(lambda: tracer_pid(spin.pid) == 0, what="detached")

    def test_attach_with_target_non_stop(self):
        """gdb.server/attach-flag.exp: --attach, then gdb with
        `maint set target-non-stop 1`. As with gdbserver, the first "?"
        reports one thread and the others run on (gdb 13 fails an assertion
        on more than one): in all-stop gdb stops them itself, in non-stop
        they keep running."""
        for non_stop in (0, 1):
            prog = self.start_program("spin_threads", "4")
            g = self.gs("--once", "127.0.0.1:0", "--attach", str(prog.pid))
            out = gdb_batch(["thread 5", "info threads", "p counters[2]", "shell sleep 0.5", "p counters[2]",
                             "detach"], program("spin_threads"), port=g.port,
                            before=["set non-stop %d" % non_stop, "maint set target-non-stop 1"])
            self.assertNotIn("internal-error", out)
            self.assertRegex(out, r"Switching to thread 5 \(Thread %d\.\d+" % prog.pid)
            self.assertEqual(len(re.findall(r"^[ *] +\d+ +Thread %d\." % prog.pid, out, re.M)), 5, out)
            first, second = [int(v) for v in re.findall(r"^\$\d+ = (\d+)$", out, re.M)]
            if non_stop:
                self.assertIn("(running)", out)
                self.assertGreater(second, first, "the other threads run on in non-stop mode")
            else:
                self.assertNotIn("(running)", out)
                self.assertEqual(second, first, "all-stop: gdb stopped every thread")
            self.assertIn("detached", out)
            self.assertEqual(g.wait(), 0)
            wait_for(lambda: tracer_pid(prog.pid) == 0, what="detached")

    def test_detached_program_outlives_the_servers_terminal(self):
        """gdb.base/dprintf-detach.exp: a program that the server launched
        (and gave its terminal, as gdbserver does) is detached; the server
        ends and the testsuite closes its terminal. The server took the
        terminal back at the detach, so the program is not in the
        foreground to get the hangup, and can be attached again."""
        import pty
        import select
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(DBGSRV, [DBGSRV, "--once", "--multi", "127.0.0.1:0"])
        out = b""
        end = time.monotonic() + 20
        while b"Listening on port" not in out and time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                out += os.read(fd, 4096)
        port = int(re.search(rb"Listening on port (\d+)", out).group(1))
        spin = program("spin")
        res = gdb_batch(["set remote exec-file " + spin, "break main", "run", "detach"], spin, extended=True,
                        port=port)
        m = re.search(r"\[Inferior 1 \(process (\d+)\) detached\]", res)
        self.assertTrue(m, res)
        prog = int(m.group(1))
        self.addCleanup(lambda: proc_state(prog) and os.kill(prog, signal.SIGKILL))
        self.assertEqual(os.waitpid(pid, 0)[1], 0)   # --once: the server is done
        os.close(fd)   # the terminal goes: a hangup for its foreground group
        time.sleep(0.5)
        self.assertIn(proc_state(prog), ("R", "S"), "the detached program died with the terminal")
        g = self.gs("--once", "127.0.0.1:0", "--attach", str(prog))
        res = gdb_batch(["detach"], spin, port=g.port)
        self.assertIn("(process %d) detached" % prog, res)

    def test_selftest(self):
        """gdb.server/unittest.exp runs "gdbserver --selftest": dbgsrv has
        none of gdbserver's unit tests and says so as gdbserver does."""
        p = subprocess.run([DBGSRV, "--selftest"], capture_output=True, text=True, timeout=20,
                           stdin=subprocess.DEVNULL)
        self.assertEqual((p.returncode, p.stdout), (0, "Selftests have been disabled for this build.\n"))

    def test_attach_failure(self):
        p = subprocess.run([DBGSRV, "--attach", ":0", "2147483646"], capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"Cannot attach to process 2147483646: .*\nExiting\n$")

    # ---- --multi ----

    def test_multi_and_monitor_exit(self):
        g = self.gs("--multi", "127.0.0.1:0")
        hello = program("hello")
        out = gdb_batch(["set remote exec-file " + hello, "run 2"], hello, extended=True, port=g.port)
        self.assertIn("exited with code 02", out)
        time.sleep(0.2)
        self.assertIsNone(g.proc.poll())          # --multi: it serves on
        out = gdb_batch(["monitor exit"], extended=True, port=g.port)
        self.assertEqual(g.wait(), 0)
        # Silent, as gdbserver's (gdb.server/ext-run.exp: gdb_test_no_output "monitor exit").
        self.assertNotIn("ending the process server", out)

    def test_no_target_description_without_a_process(self):
        """gdb.base/catch-syscall.exp "multiple targets": connected to a
        server with no process, gdb may switch architectures (i386 and
        back); an x86-64 description from the server would forbid it.
        After a launch the description is the program's again."""
        g = self.gs("--once", "--multi", "127.0.0.1:0")
        hello = program("hello")
        out = gdb_batch(["set architecture i386", "catch syscall 1", "set architecture i386:x86-64",
                         "catch syscall 1", "delete", "set architecture auto", "set remote exec-file " + hello,
                         "break add", "run", "show architecture",
                         "info registers rip", "kill", "monitor exit"],
                        hello, extended=True, port=g.port)
        self.assertIn('The target architecture is set to "i386".', out)
        self.assertNotIn("not compatible", out)
        self.assertIn("Catchpoint 1 (syscall 'exit' [1])", out)
        self.assertIn("Catchpoint 2 (syscall 'write' [1])", out)
        self.assertIn("Breakpoint 3, add", out)
        self.assertRegex(out, r"currently \"?i386:x86-64")
        self.assertRegex(out, r"rip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <add\+\d+>")
        self.assertEqual(g.wait(), 0)

    def test_restart_packet(self):
        """gdb.server/ext-restart.exp: with vRun off gdb restarts with 'R',
        which runs the last program again with its arguments."""
        hello = program("hello")
        g = self.gs("--once", "--multi", "127.0.0.1:0")
        out = gdb_batch(["set remote exec-file " + hello, "break add", "run 5", "set remote run-packet off",
                         "set remote exec-file", "set args", "run", "delete", "continue", "monitor exit"],
                        hello, extended=True, port=g.port)
        self.assertEqual(out.count("Breakpoint 1, add"), 2, out)
        self.assertIn("exited with code 05", out)
        self.assertEqual(g.wait(), 0)

    def test_multi_with_a_program_serves_on_after_it(self):
        hello = program("hello")
        g = self.gs("--multi", "127.0.0.1:0", hello, "1")
        out = gdb_batch(["continue"], hello, extended=True, port=g.port)
        self.assertIn("exited with code 01", out)
        time.sleep(0.2)
        self.assertIsNone(g.proc.poll())
        g.proc.send_signal(signal.SIGTERM)
        self.assertEqual(g.wait(), 0)

    # ---- how programs start ----

    def test_startup_with_shell_uses_the_shell(self):
        marker = os.path.join(tempfile.mkdtemp(), "shell-ran")
        shell = os.path.join(os.path.dirname(marker), "myshell")
        with open(shell, "w") as f:
            # Runs the command itself: one exec after its own, as a shell.
            f.write("#!/bin/sh\necho \"$2\" > %s\neval \"$2\"\n" % marker)
        os.chmod(shell, 0o755)
        env = dict(os.environ, SHELL=shell)
        hello = program("hello")
        g = self.gs("--once", "127.0.0.1:0", hello, "5", "$HOME", env=env)
        self.assertIn("exited with code 05", gdb_batch(["continue"], hello, port=g.port))
        g.wait()
        with open(marker) as f:
            self.assertIn("exec", f.read())
        self.assertIn("arg2=$HOME", g.stdout())   # command-line arguments are not expanded
        os.unlink(marker)
        g = self.gs("--once", "--no-startup-with-shell", "127.0.0.1:0", hello, "6", env=env)
        self.assertIn("exited with code 06", gdb_batch(["continue"], hello, port=g.port))
        g.wait()
        self.assertFalse(os.path.exists(marker))

    def test_wrapper(self):
        g = self.gs("--once", "--wrapper", "env", "WRAPPED=by-env", "--", "127.0.0.1:0", "/usr/bin/printenv",
                    "WRAPPED")
        pid = int(g.wait_line(r"created; pid = (\d+)").group(1))
        self.assertTrue(os.readlink("/proc/%d/exe" % pid).endswith("printenv"))   # stopped in the program
        out = gdb_batch(["continue"], port=g.port)
        self.assertIn("exited normally", out)
        g.wait()
        self.assertIn("by-env", g.stdout())
        self.assertIn("--wrapper needs a command", self.usage_error("--wrapper", "env", ":0", "prog"))

    def test_address_randomization(self):
        spin = program("spin")
        for opts, disabled in (((), True), (("--disable-randomization",), True),
                               (("--no-disable-randomization",), False)):
            with self.subTest(opts=opts):
                g = self.gs(*(list(opts) + ["127.0.0.1:0", spin]))
                pid = int(g.wait_line(r"created; pid = (\d+)").group(1))
                with open("/proc/%d/personality" % pid) as f:
                    persona = int(f.read(), 16)
                self.assertEqual(bool(persona & 0x0040000), disabled)
                g.close()

    # ---- debug options and monitor commands ----

    def test_debug_file_and_remote_debug(self):
        log = os.path.join(tempfile.mkdtemp(), "gs.log")
        hello = program("hello")
        g = self.gs("--once", "--remote-debug", "--debug-file=" + log, "--debug-format=none", "127.0.0.1:0", hello)
        gdb_batch(["continue"], hello, port=g.port)
        g.wait()
        with open(log) as f:
            text = f.read()
        self.assertIn("<- qSupported", text)
        self.assertRegex(text, r"(?m)^dbgsrv\[\d+\] trace")          # no timestamps
        self.assertNotIn("qSupported", g.text())                      # not on stderr

    def test_monitor_commands(self):
        log = os.path.join(tempfile.mkdtemp(), "mon.log")
        g = self.gs("--multi", "127.0.0.1:0")
        out = gdb_batch(["monitor help", "monitor set debug 1", "monitor set remote-debug 1",
                         "monitor set debug-format none", "monitor set debug-file " + log,
                         "monitor set debug 2", "monitor set debug-format sideways",
                         "monitor set remote-debug 0", "monitor set debug-file", "monitor exit"],
                        extended=True, port=g.port)
        for text in ("exit", "set remote-debug <0|1>", "Debug output enabled.", "Protocol debug output enabled.",
                     "All extra debug format options disabled.", "Debug output now goes to %s." % log, "use 0 or 1",
                     'Unknown debug-format argument: "sideways"', "Protocol debug output disabled.",
                     "Debug output now goes to standard error."):
            self.assertIn(text, out)
        self.assertEqual(g.wait(), 0)
        with open(log) as f:
            self.assertIn("<- qRcmd", f.read())

    def test_monitor_messages_are_gdbserver_s(self):
        """The words gdb's testsuite (gdb.server/server-mon.exp) expects."""
        hello = program("hello")
        g = self.gs("--once", "127.0.0.1:0", hello)
        out = gdb_batch(["monitor help", "monitor", "monitor set remote-debug 1", "monitor set remote-debug 0",
                         "monitor set debug-format all", "monitor set debug-format timestamp,none", "kill"],
                        hello, port=g.port)
        self.assertIn("The following monitor commands are supported:", out)
        self.assertRegex(out, r"Unknown monitor command.*\n(.*\n)*.*Protocol error with Rcmd")
        for text in ("Protocol debug output enabled.", "Protocol debug output disabled.",
                     "All extra debug format options enabled.",
                     "Timestamps will be added to debug output.\nAll extra debug format options disabled."):
            self.assertIn(text, out)
        g.wait()

    def test_non_existing_program_on_stdio(self):
        """gdb.server/non-existing-program.exp: the messages, in order, then the end."""
        p = subprocess.run([DBGSRV, "stdio", "non-existing-program"], capture_output=True, text=True, timeout=20,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"^stdin/stdout redirected\n(.*\n)*.*exec: non-existing-program: not found\n"
                                   r"During startup program exited with code 127\.\nExiting\n$")

    def test_disable_packet(self):
        hello = program("hello")
        g = self.gs("--disable-packet=vCont,T", "--once", "127.0.0.1:0", hello)
        out = gdb_batch(["maint packet vCont?", "maint packet ?", "maint packet qC", "continue"], hello, port=g.port)
        self.assertIn('received: ""', out)                  # vCont? unsupported
        self.assertIn('received: "S05"', out)               # no T stop replies
        self.assertRegex(out, r'received: "QC')             # qC still there
        self.assertIn("exited normally", out)               # gdb manages with c and S
        g = self.gs("--disable-packet=threads", "--once", "127.0.0.1:0", hello)
        out = gdb_batch(["maint packet qC", "maint packet qfThreadInfo", "maint packet ?"], hello, port=g.port)
        self.assertEqual(out.count('received: ""'), 2, out)
        self.assertNotIn("thread:", out)
        self.assertIn("unknown packet 'vFoo'", self.usage_error("--disable-packet=vCont,vFoo", ":0", hello))

    # ---- other COMMs ----

    def test_stdio(self):
        hello = program("hello")
        p = subprocess.run([GDB, "-nx", "-batch", "-ex", "target remote | %s - %s 7 x" % (DBGSRV, hello),
                            "-ex", "continue", hello], capture_output=True, text=True, timeout=60)
        out = p.stdout + p.stderr
        self.assertIn("exited with code 07", out)
        self.assertIn("Child exited with status 7", out)
        self.assertIn("arg2=x", out)                        # the program writes to stderr here
        self.assertIn("stdin/stdout redirected\n", out)     # and says so first, as gdbserver
        p = subprocess.run([GDB, "-nx", "-batch", "-ex", "target extended-remote | %s --multi stdio" % DBGSRV,
                            "-ex", "set remote exec-file " + hello, "-ex", "run 9", hello],
                           capture_output=True, text=True, timeout=60)
        self.assertIn("exited with code 011", p.stdout + p.stderr)

    def test_serial_line(self):
        line = NullModem()
        self.addCleanup(line.close)
        hello = program("hello")
        g = self.gs("--once", line.path1, hello, "8", wait_listening=False)
        g.wait_line(r"^Remote debugging using %s$" % re.escape(line.path1))
        out = gdb_batch(["continue"], hello, target="remote " + line.path2)
        self.assertIn("exited with code 010", out)
        self.assertEqual(g.wait(), 0)
        self.assertIn("Child exited with status 8", g.messages())

    def test_mi_like_an_ide(self):
        """VS Code's cppdbg: gdb --interpreter=mi, -target-select extended-remote."""
        g = self.gs("--multi", "127.0.0.1:0")
        hello = program("hello")
        script = "\n".join([
            "-gdb-set confirm off",
            "-file-exec-and-symbols " + hello,
            "-target-select extended-remote 127.0.0.1:%d" % g.port,
            "-gdb-set remote exec-file " + hello,
            "-break-insert add",
            "-exec-run",
            "-exec-continue",
            "-exec-continue",
            "-exec-continue",
            "-exec-continue",
            "-gdb-exit", ""])
        p = subprocess.run([GDB, "-nx", "--interpreter=mi"], input=script, capture_output=True, text=True,
                           timeout=60)
        out = p.stdout
        self.assertIn('^connected', out)
        self.assertRegex(out, r'\*stopped,reason="breakpoint-hit".*func="add"')
        self.assertIn('*stopped,reason="exited-normally"', out)

    # ---- the command line itself ----

    def test_listening_addresses(self):
        spin = program("spin")
        g = self.gs(":0", spin)
        self.assertEqual(listening_addresses(g.port), ["127.0.0.1"])    # :PORT is loopback
        g.close()
        g = self.gs("--insecure", ":0", spin)
        self.assertEqual(listening_addresses(g.port), ["0.0.0.0"])      # as gdbserver, when asked
        g.close()
        g = self.gs("[::1]:0", spin)
        self.assertEqual(listening_addresses(g.port), ["::1"])
        g.close()
        g = self.gs("tcp6::0", spin)
        self.assertEqual(listening_addresses(g.port), ["::1"])
        g.close()
        p = subprocess.run([DBGSRV, "0.0.0.0:0", spin], capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--insecure", p.stderr)

    def test_port_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            p = subprocess.run([DBGSRV, "127.0.0.1:%d" % s.getsockname()[1], program("spin")],
                               capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stderr.endswith("Can't bind address: Address already in use.\nExiting\n"), p.stderr)

    def test_sighup_ends_the_server(self):
        """gdbserver dies with its terminal: gdb's testsuite ends a --multi
        server by closing its pty (SIGHUP). The program it created goes too."""
        g = self.gs("--multi", "127.0.0.1:0", program("spin"))
        pid = int(re.match(r"Process .* created; pid = (\d+)$", g.messages()[0]).group(1))
        os.kill(g.proc.pid, signal.SIGHUP)
        g.wait()
        wait_for(lambda: proc_state(pid) in (None, "Z"), what="program gone")

    def test_host_that_does_not_resolve(self):
        """gdbserver's words, which gdb.server/server-connect.exp waits for.
        (A name with an empty label: refused without asking any resolver.)"""
        p = subprocess.run([DBGSRV, "--once", "bad..name:1234", program("spin")], capture_output=True, text=True,
                           timeout=20, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stderr, r"(?m)^bad\.\.name:1234: cannot resolve name: .+\nExiting\n$")
        # A word that only starts as "udp" is a host name too (server-connect.exp's udp123:::PORT).
        p = subprocess.run([DBGSRV, "--once", "udp123..x:1234", program("spin")], capture_output=True, text=True,
                           timeout=20, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1)
        self.assertIn("udp123..x:1234: cannot resolve name: ", p.stderr)

    def test_bad_command_lines(self):
        self.assertIn("unexpected argument ':1234' (with -t, a program is started with -c; or use gdbserver's "
                      "syntax", self.usage_error("-t", "tcp:port=0", ":1234", "prog"))
        self.assertIn("two syntaxes", self.usage_error("-t", "tcp:port=0", "--multi", ":1234"))
        self.assertIn("two syntaxes", self.usage_error("--once", "-t", "tcp:port=0"))
        self.assertIn("unknown option '--frob'", self.usage_error("--multi", "--frob", ":0"))
        self.assertIn("missing PROG", self.usage_error(":0"))
        self.assertIn("missing COMM", self.usage_error("--multi"))
        self.assertIn("not a COMM", self.usage_error("localhost", "prog"))
        self.assertIn("bad port", self.usage_error(":99999", "prog"))
        self.assertIn("UDP", self.usage_error("udp:localhost:1", "prog"))
        self.assertIn("one PID", self.usage_error("--attach", ":0", "abc"))
        self.assertIn("one PID", self.usage_error("--attach", ":0", "0"))
        self.assertIn("one PID", self.usage_error("--attach", ":0", "-1"))
        self.assertIn("--attach and --multi", self.usage_error("--attach", "--multi", ":0", "5"))
        self.assertIn("debug-format", self.usage_error("--debug-format=bogus", ":0", "prog"))
        p = subprocess.run([DBGSRV, "--once", "--help"], capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--attach COMM PID", p.stdout)


if __name__ == "__main__":
    main()
