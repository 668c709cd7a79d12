"""lldb as a client: real `lldb -b` (batch mode) against a real dbgsrv,
debugging the test programs. Skipped when lldb is not installed.

lldb 14 in batch mode waits for ever in `gdb-remote` when the server has
no process yet (its synchronous connect waits for a stop that cannot come;
llvm issue 79430, the same with lldb-server): the connect is therefore run
in asynchronous mode, through lldb's Python, and everything after it in
the usual synchronous mode.

Every test checks that what lldb shows came through dbgsrv: launched
programs must be in the server's "launched" log (lldb would otherwise start
them itself with a local lldb-server), and values are checked against the
program's source or /proc.
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

from dbgsrv_test import (DBG, DBGSRV, TIMEOUT, free_port, RawTestCase, TestCase, decode_reply, descendants_of, launched_pids, le64,
                         main, parse_stop, program, proc_state, source_line, tasks, wait_for)

LLDB = shutil.which(os.environ.get("LLDB", "lldb"))


def lldb_python_path():
    """The directory of lldb's Python module, or None. Debian's lldb 14
    reports a wrong one (`lldb -P`), so look where the package puts it."""
    if not LLDB:
        return None
    reported = subprocess.run([LLDB, "-P"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, timeout=30).stdout.strip()
    candidates = [reported] + sorted(glob.glob("/usr/lib/llvm-*/lib/python3*/dist-packages"))
    for d in candidates:
        if d and os.path.exists(os.path.join(d, "lldb", "embedded_interpreter.py")):
            return d
    return None


PYTHON_PATH = lldb_python_path()
SKIP_REASON = ("lldb is not installed (scripts/install-deps.sh installs it)" if not LLDB else
               "lldb's Python module is missing (needed for the asynchronous connect)"
               if not PYTHON_PATH else None)


def run_lldb(address, commands, program_path=None, timeout=TIMEOUT, platform=False):
    """Runs lldb in batch mode: connects to ADDRESS (host:port), then runs
    COMMANDS; returns its combined output. Killed (its process group) on
    timeout. With PLATFORM, the connection is lldb's platform
    (remote-linux) instead of a gdb-remote one."""
    if platform:
        cmd = [LLDB, "-b", "-x", "--no-use-colors", "-o", "platform select remote-linux",
               "-o", "platform connect connect://" + address]
        return _run(cmd, commands, program_path, timeout)
    cmd = [LLDB, "-b", "-x", "--no-use-colors",
           "-o", "script lldb.debugger.SetAsync(True)",
           "-o", "gdb-remote " + address,
           # The asynchronous connect returns at once: wait until the
           # process object is connected before anything else runs (an
           # attach too early goes to lldb's local platform instead).
           "-o", "script import time; [time.sleep(0.05) for _ in range(400) if "
                 "lldb.debugger.GetSelectedTarget().GetProcess().GetState() not in "
                 "(lldb.eStateConnected, lldb.eStateStopped)]",
           "-o", "script lldb.debugger.SetAsync(False)"]
    return _run(cmd, commands, program_path, timeout)


def _run(cmd, commands, program_path, timeout):
    for c in commands:
        cmd += ["-o", c]
    if program_path:
        cmd.append(program_path)
    # lldb embeds the system's Python, which finds its home from the
    # python3 in PATH: a pyenv or venv python3 there would hide the
    # system's modules (six) from lldb's.
    env = dict(os.environ, PYTHONPATH=PYTHON_PATH, PYTHONHOME="/usr", TERM="dumb")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, text=True, env=env, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)   # its own group: only lldb and what it started
        out, _ = p.communicate()
        raise AssertionError("lldb did not finish in %ds:\n%s" % (timeout, out))
    return out


@unittest.skipIf(SKIP_REASON, SKIP_REASON)
class LldbTest(TestCase):

    def lldb(self, srv, commands, prog=None):
        return run_lldb(srv.address, commands, program(prog) if prog else None)

    def launched_by(self, srv, out):
        """The pid lldb says it launched; it must be one dbgsrv launched."""
        m = re.search(r"Process (\d+) launched: '([^']+)'", out)
        self.assertTrue(m, "lldb launched nothing:\n" + out)
        pid = int(m.group(1))
        self.assertIn(pid, launched_pids(srv), "pid %d not launched by dbgsrv:\n%s" % (pid, out))
        return pid

    def test_launch_breakpoint_continue_and_values(self):
        srv = self.server()
        out = self.lldb(srv, ["breakpoint set --name add", "process launch",
                              "frame variable", "continue", "frame variable",
                              "memory read --size 4 --format d --count 1 &b",
                              "register read rip", "bt", "kill"], "hello")
        pid = self.launched_by(srv, out)
        self.assertIn("stop reason = breakpoint 1.1", out)
        # First call: add(0, 0); after continue: add(0, 1).
        self.assertRegex(out, r"add\(a=0, b=0\) at hello\.c:%d" % source_line("hello.c", "a breakpoint target"))
        self.assertIn("(int) a = 0\n(int) b = 0", out)
        self.assertIn("(int) a = 0\n(int) b = 1", out)
        m = re.search(r"^0x[0-9a-f]+: 1$", out, re.M)
        self.assertTrue(m, "memory read of b did not show 1:\n" + out)
        rip = re.search(r"rip = (0x[0-9a-f]+)\s+hello`add \+ \d+ at hello\.c", out)
        self.assertTrue(rip, out)
        frame0 = re.search(r"\* frame #0: (0x[0-9a-f]+) hello`add\(a=0, b=1\)", out)
        self.assertTrue(frame0, out)
        self.assertEqual(int(rip.group(1), 16), int(frame0.group(1), 16))
        self.assertRegex(out, r"frame #1: 0x[0-9a-f]+ hello`main\(argc=1, ")
        self.assertIn("Process %d exited with status = 9" % pid, out)
        wait_for(lambda: proc_state(pid) is None, what="the killed program to be gone")

    def test_file_line_breakpoint_and_stepping(self):
        srv = self.server()
        line = source_line("hello.c", "sum = add(sum, i)")
        out = self.lldb(srv, ["breakpoint set --file hello.c --line %d" % line, "process launch",
                              "frame variable i sum", "step", "frame variable", "finish", "next",
                              "frame variable sum", "kill"], "hello")
        pid = self.launched_by(srv, out)
        self.assertRegex(out, r"hello`main\(argc=1, argv=0x[0-9a-f]+\) at hello\.c:%d" % line)
        self.assertIn("(int) i = 0\n(int) sum = 0", out)
        # step: into add(), on its first line.
        self.assertRegex(out, r"stop reason = step in\n\s+frame #0: 0x[0-9a-f]+ hello`add\(a=0, b=0\) "
                              r"at hello\.c:%d" % source_line("hello.c", "a breakpoint target"))
        # finish, then next: back in main past the call, sum assigned.
        self.assertIn("stop reason = step out", out)
        self.assertRegex(out, r"stop reason = step over\n\s+frame #0: 0x[0-9a-f]+ hello`main\(")
        self.assertIn("(int) sum = 0", out)
        self.assertIn("Process %d exited with status = 9" % pid, out)

    def test_launch_arguments_output_file_and_exit(self):
        srv = self.server()
        out_file = self.tmp_path("hello.out")
        out = self.lldb(srv, ["process launch --stdout %s -- 7 second" % out_file, "process status"], "hello")
        self.launched_by(srv, out)
        # QSetSTDOUT: the program wrote its arguments to the file lldb named.
        with open(out_file) as f:
            self.assertEqual(f.read(), "sum=3 argc=3\narg1=7\narg2=second\n")
        self.assertRegex(out, r"Process \d+ exited with status = 7 \(0x00000007\)")

    def test_launch_working_dir_and_environment(self):
        srv = self.server()
        out_file = self.tmp_path("sh.out")
        out = run_lldb(srv.address, ["settings set target.env-vars DBGSRV_PROBE=from-lldb",
                                     "process launch -w /usr/share -o %s -- -c 'pwd; echo $DBGSRV_PROBE'" % out_file],
                       "/bin/sh")
        self.launched_by(srv, out)
        with open(out_file) as f:
            self.assertEqual(f.read(), "/usr/share\nfrom-lldb\n")

    def test_plain_batch_connect_to_gdbserver_style_server(self):
        """With the program given to the server (gdbserver's command line),
        a plain `lldb -b -o 'gdb-remote ...'` connects: there is a process."""
        port = free_port()
        srv = subprocess.Popen([DBGSRV, "127.0.0.1:%d" % port, program("hello")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                               start_new_session=True)
        self.addCleanup(self.stop_tree, srv)
        created = re.search(r"pid = (\d+)", srv.stderr.readline())
        self.assertTrue(created)
        pid = int(created.group(1))
        wait_for(lambda: "Listening on port %d" % port in srv.stderr.readline(), what="the server to listen")
        p = subprocess.run([LLDB, "-b", "-x", "--no-use-colors", "-o", "gdb-remote 127.0.0.1:%d" % port,
                            "-o", "breakpoint set --name add", "-o", "continue", "-o", "frame variable",
                            "-o", "kill", program("hello")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, text=True, timeout=TIMEOUT, start_new_session=True)
        self.assertIn("Process %d stopped" % pid, p.stdout)
        self.assertIn("(int) a = 0\n(int) b = 0", p.stdout)
        self.assertIn("Process %d exited with status = 9" % pid, p.stdout)
        wait_for(lambda: srv.poll() is not None, what="the server to end with its program")

    def test_attach_and_detach_leaves_program_running(self):
        srv = self.server()
        spin = self.start_program("spin")
        out = self.lldb(srv, ["process attach --pid %d" % spin.pid, "thread list",
                              "memory read --size 8 --format u --count 1 &counter",
                              "register read rip rsp", "bt", "detach"])
        self.assertIn("Process %d stopped" % spin.pid, out)
        self.assertIn("stop reason = signal SIGSTOP", out)
        self.assertRegex(out, r"\* thread #1: tid = %d, " % spin.pid)
        m = re.search(r"^0x[0-9a-f]+: (\d+)$", out, re.M)
        self.assertTrue(m and int(m.group(1)) > 0, "counter not read:\n" + out)
        self.assertRegex(out, r"rsp = 0x[0-9a-f]+")
        self.assertRegex(out, r"spin`main\(argc=1, argv=0x[0-9a-f]+\) at spin\.c")
        self.assertIn("Process %d detached" % spin.pid, out)
        self.assertTrue(spin.alive())
        self.assertKeepsRunning(spin.pid, "attached program")

    def test_forks_are_let_go_for_lldb(self):
        # lldb 14 offers fork events but cannot take them: its children are
        # let go, and the parent runs on to its breakpoint and its end.
        srv = self.server()
        out = self.lldb(srv, ["breakpoint set --name parent_work", "process launch -- vfork", "continue"],
                        "forks")
        self.assertIn("stop reason = breakpoint 1.1", out)
        self.assertIn("exited with status = 6", out)
        self.assertIn("not followed: let go", srv.log_text())
        self.assertNotIn("(followed)", srv.log_text())

    def test_attach_refuses_server_and_bad_pids(self):
        srv = self.server()
        out = self.lldb(srv, ["process attach --pid %d" % srv.pid])
        self.assertRegex(out, r"error: .*process %d is the process server itself" % srv.pid)
        self.assertIsNone(srv.proc.poll())

    def test_threads(self):
        srv = self.server()
        out = self.lldb(srv, ["breakpoint set --name hit", "process launch -- 4 1", "thread list",
                              "frame variable id", "kill"], "threads")
        pid = self.launched_by(srv, out)
        listed = [int(t) for t in re.findall(r"thread #\d+: tid = (\d+),", out)]
        # main (in pthread_join) and the four workers, all stopped at once.
        self.assertEqual(len(listed), 5, out)
        self.assertIn(pid, listed)
        self.assertRegex(out, r"stop reason = breakpoint 1\.1")
        self.assertRegex(out, r"\(int\) id = [0-3]\b")
        self.assertIn("Process %d exited with status = 9" % pid, out)

    def test_watchpoint(self):
        """`watchpoint set variable`: lldb's Z2 on the x86 debug registers;
        each write stops the program, with the old and new values."""
        srv = self.server()
        out = self.lldb(srv, ["breakpoint set --name main", "process launch", "watchpoint set variable counter",
                              "continue", "frame variable counter", "continue", "kill"], "watch")
        pid = self.launched_by(srv, out)
        self.assertRegex(out, r"Watchpoint created: Watchpoint 1: addr = 0x[0-9a-f]+ size = 4 .*type = w")
        self.assertIn("old value: 0\nnew value: 1", out)
        self.assertIn("(volatile int) counter = 1", out)
        self.assertIn("old value: 1\nnew value: 2", out)
        self.assertEqual(out.count("stop reason = watchpoint 1"), 2, out)
        self.assertIn("Process %d exited with status = 9" % pid, out)

    def test_thread_infos_spare_round_trips(self):
        """With jstopinfo in each stop reply lldb asks no qThreadStopInfo per
        thread, and jThreadsInfo gives it every thread in one reply."""
        srv = self.server()
        log = tempfile.NamedTemporaryFile(prefix="lldb-packets-", suffix=".log", delete=False)
        log.close()
        self.addCleanup(os.unlink, log.name)
        out = self.lldb(srv, ["log enable -f %s gdb-remote packets" % log.name, "breakpoint set --name hit",
                              "process launch -- 4 1", "thread list", "kill"], "threads")
        pid = self.launched_by(srv, out)
        with open(log.name, errors="replace") as f:
            packets = f.read()
        self.assertIn("send packet: $jThreadsInfo", packets)
        # The reply as sent, run-length encoding undone (a pid like 1111
        # is sent as "1* ").
        reply = re.search(r'read packet: \$(\[\{"tid":.*)#[0-9a-f]{2}$', packets, re.M)
        self.assertTrue(reply, packets)
        self.assertTrue(decode_reply(reply.group(1).encode("latin-1")).startswith(b'[{"tid":%d,' % pid), reply.group(1))
        # (One thread at the launch stop: it has no jstopinfo, as with
        # lldb-server, and lldb asks for it.)
        after_launch = packets[packets.index("send packet: $c#"):]
        self.assertIn("jstopinfo:", after_launch)
        self.assertNotIn("qThreadStopInfo", after_launch)
        # The list is still right: five threads (main and 4 workers) at the
        # first stop, the reporting one with its breakpoint.
        first = out[out.index("(lldb) thread list"):out.index("(lldb) kill")]
        self.assertEqual(len(re.findall(r"thread #\d+: tid = \d+,", first)), 5, first)
        self.assertRegex(first, r"\* thread #\d+: tid = \d+, 0x[0-9a-f]+ threads`hit\(id=[0-3]\) .*"
                                r"name = 'threads', stop reason = breakpoint 1\.1")
        self.assertNotIn("SIGTRAP", out)
        self.assertIn("Process %d exited with status = 9" % pid, out)

    def test_through_password_bridge(self):
        srv = self.server("-t", "tcp:port=0,password=s3cret")
        bridge = subprocess.Popen([DBG, "bridge", "--listen", "127.0.0.1:0",
                                   "tcp:server=127.0.0.1,port=%d,password=s3cret" % srv.port],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                  text=True, start_new_session=True)
        self.addCleanup(self.stop_tree, bridge)
        m = re.match(r"Listening on tcp:port=(\d+),bind=127\.0\.0\.1$", bridge.stdout.readline().strip())
        self.assertTrue(m, "dbg bridge --listen did not start")
        out = run_lldb("127.0.0.1:" + m.group(1),
                       ["breakpoint set --name add", "process launch", "frame variable", "kill"],
                       program("hello"))
        self.launched_by(srv, out)
        self.assertIn("(int) a = 0\n(int) b = 0", out)
        # Straight to the server, lldb cannot answer the challenge: dbgsrv
        # launches nothing (lldb then runs the program itself, locally).
        run_lldb(srv.address, ["process launch"], program("hello"))
        self.assertEqual(len(launched_pids(srv)), 1)
        self.assertIn("without authenticating; closing", srv.log_text())

    def test_platform_mode(self):
        """platform select remote-linux + platform connect: process list,
        files both ways, mkdir, and attach (lldb asks qLaunchGDBServer for
        a debug connection: another session on the same port)."""
        prog = self.start_program("spin")
        srv = self.server("-t", "tcp:port=0", "-v", "-v", "-v")
        src = self.tmp_path("to-target.txt")
        with open(src, "w") as f:
            f.write("put by lldb\n")
        back = self.tmp_path("back.txt")
        out = run_lldb(srv.address, ["platform process list -n spin", "platform put-file %s %s.put" % (src, src),
                                     "platform get-file %s.put %s" % (src, back),
                                     "platform mkdir %s" % self.tmp_path("made"),
                                     "process attach --pid %d" % prog.pid, "bt", "detach"],
                       program("spin"), platform=True)
        self.assertIn("Connected: yes", out)
        self.assertRegex(out, r"(?m)^%d\s+\d+\s+\S+\s+.*spin$" % prog.pid)
        with open(back) as f:
            self.assertEqual(f.read(), "put by lldb\n")
        self.assertTrue(os.path.isdir(self.tmp_path("made")))
        self.assertRegex(out, r"frame #\d+: 0x[0-9a-f]+ spin`main\(argc=1, ")
        self.assertIn("Process %d detached" % prog.pid, out)
        self.assertIn("<- qLaunchGDBServer", srv.log_text())   # the debug connection came from the platform
        wait_for(lambda: proc_state(prog.pid) in ("R", "S"), what="the program to run on")
        # "process launch" on this platform: lldb 14 launches locally here
        # (with Debian's lldb-server platform just the same, never asking
        # it), so launching is tested through gdb-remote above.

    def test_platform_of_a_password_server_debugs_nothing(self):
        prog = self.start_program("spin")
        srv = self.server("-t", "tcp:port=0,password=s3cret")
        run_lldb(srv.address, ["process attach --pid %d" % prog.pid], program("spin"), platform=True)
        self.assertIn("without authenticating; closing", srv.log_text())
        self.assertNotIn("attached to pid", srv.log_text())

    def stop_tree(self, bridge):
        pids = descendants_of(bridge.pid) if bridge.poll() is None else []
        if bridge.poll() is None:
            bridge.kill()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        bridge.wait()
        for f in (bridge.stdout, bridge.stderr):
            if f:
                f.close()


class LldbThreadPacketsTest(RawTestCase):
    """lldb's thread packets on the wire: qThreadStopInfo, the "jstopinfo"
    of a stop reply after QListThreadsInStopReply, and jThreadsInfo."""

    def setUp(self):
        super().setUp()
        c = self.c
        self.assertEqual(c.request("QListThreadsInStopReply"), "OK")
        c.run("named_threads")
        addr = c.addr("all_named")
        self.assertEqual(c.request("Z0,%x,1" % addr), "OK")
        self.raw = c.request("vCont;c")
        self.stop = parse_stop(self.raw)
        self.assertTrue(self.stop["swbreak"], self.raw)

    def fields(self, reply):
        return dict(f.partition(":")[::2] for f in reply[3:].split(";") if f)

    def names(self):
        return {t: open("/proc/%d/task/%d/comm" % (self.c.pid, t)).read().strip() for t in tasks(self.c.pid)}

    def test_jstopinfo_in_the_stop_reply(self):
        c, stop = self.c, self.stop
        f = self.fields(self.raw)
        self.assertEqual(sorted(int(t, 16) for t in f["threads"].split(",")), sorted(tasks(c.pid)))
        infos = json.loads(bytes.fromhex(f["jstopinfo"]))
        self.assertEqual(sorted(i["tid"] for i in infos), sorted(tasks(c.pid)))
        names = self.names()
        for i in infos:
            self.assertEqual(i["name"], names[i["tid"]], i)
            self.assertNotIn("registers", i, "jstopinfo is abridged")
            if i["tid"] == stop["tid"]:
                self.assertEqual((i["signal"], i["reason"]), (5, "breakpoint"), i)
            else:
                self.assertNotIn("reason", i, i)
                self.assertNotIn("signal", i, i)
        # qThreadStopInfo: the same, a thread at a time.
        for tid in tasks(c.pid):
            r = parse_stop(c.request("qThreadStopInfo%x" % tid))
            self.assertEqual((r["tid"], r["sig"]), (tid, 5 if tid == stop["tid"] else 0), r["raw"])
        for bad in ["qThreadStopInfo", "qThreadStopInfo0", "qThreadStopInfozz", "qThreadStopInfo7ffffffe"]:
            self.assertTrue(c.request(bad).startswith("E"), bad)

    def test_jthreadsinfo(self):
        c, stop = self.c, self.stop
        reply = c.request("jThreadsInfo")
        infos = json.loads(reply)
        self.assertEqual([i["tid"] for i in infos][0], c.pid, "the main thread first")
        self.assertEqual(sorted(i["tid"] for i in infos), sorted(tasks(c.pid)))
        names = self.names()
        self.assertEqual(sorted(i["name"] for i in infos), ["named_threads", "worker-1", "worker-2"])
        for i in infos:
            t = i["tid"]
            self.assertEqual(i["name"], names[t])
            # Registers 16 (rip), 7 (rsp), 6 (rbp): as 'p' reads them.
            self.assertEqual(sorted(i["registers"]), ["16", "6", "7"], i)
            for num, val in i["registers"].items():
                self.assertEqual(val, c.reg(int(num), c.ptid(t)), (t, num))
            if t == stop["tid"]:
                self.assertEqual((i["signal"], i["reason"]), (5, "breakpoint"), i)
                self.assertEqual(le64(i["registers"]["16"]), c.addr("all_named"))
            else:
                self.assertNotIn("reason", i)
        # Garbage after the name is another packet: not this one.
        self.assertEqual(c.request("jThreadsInfox"), "")
        # Once the process is gone there is nothing to tell.
        c.request("vKill;%x" % c.pid)
        self.assertTrue(c.request("jThreadsInfo").startswith("E"))


if __name__ == "__main__":
    main()
