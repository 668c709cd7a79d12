"""The com: transport on a serial line, simulated by a null modem: two pty
pairs whose master ends the test relays to each other. dbgsrv serves one
end; stock gdb talks to the other with `target extended-remote /dev/pts/N`,
as it would to a real serial port."""
import os
import re
import select
import signal
import subprocess
import tempfile
import threading
import time
import tty

from dbgsrv_test import (DBG, DBGSRV, descendants_of, TestCase, Via, _gdb_command, finish_gdb, kill_gdb, main, program,
                         wait_for)


class NullModem:
    """Two pty pairs joined master to master. Closing one side's far end
    is what a cable pulled out looks like to the other side."""

    def __init__(self):
        self.m1, s1 = os.openpty()
        self.m2, s2 = os.openpty()
        for fd in (s1, s2):
            tty.setraw(fd)
        self.path1, self.path2 = os.ttyname(s1), os.ttyname(s2)
        # Keep the slaves open so that the line exists while nobody uses it.
        self.s1, self.s2 = s1, s2
        self.stop_r, self.stop_w = os.pipe()
        self.thread = threading.Thread(target=self._relay, daemon=True)
        self.thread.start()

    def _relay(self):
        peers = {self.m1: self.m2, self.m2: self.m1}
        while True:
            r, _, _ = select.select([self.m1, self.m2, self.stop_r], [], [])
            if self.stop_r in r:
                return
            for fd in r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    continue
                if data:
                    os.write(peers[fd], data)

    def close(self):
        os.write(self.stop_w, b"x")
        self.thread.join(5)
        for fd in (self.m1, self.m2, self.s1, self.s2, self.stop_r, self.stop_w):
            os.close(fd)


class LineTestCase(TestCase):
    """A null modem for each test; start_server serves one end of it."""

    def setUp(self):
        super().setUp()
        self.line = NullModem()
        self.addCleanup(self.line.close)

    def start_server(self, transport):
        log = tempfile.NamedTemporaryFile(prefix="dbgsrv-com-", suffix=".log", delete=False)
        self.addCleanup(os.unlink, log.name)
        proc = subprocess.Popen([DBGSRV, "-t", transport], stdout=subprocess.PIPE, stderr=log,
                                stdin=subprocess.DEVNULL, text=True, start_new_session=True)

        def stop():
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
        self.addCleanup(stop)
        proc.logname = log.name
        line = proc.announcement = proc.stdout.readline()
        self.assertTrue(line.startswith("Listening on com:port=" + self.line.path1), line)
        return proc

    def gdb(self, commands, device=None):
        hello = program("hello")
        cmd = _gdb_command(["set confirm off", "set auto-connect-native-target off",
                            "set serial baud 115200",
                            "target extended-remote " + (device or self.line.path2),
                            "set remote exec-file " + hello] + list(commands), hello)
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              stdin=subprocess.DEVNULL, timeout=60).stdout


class SerialTest(LineTestCase):

    def test_gdb_debugs_over_the_line(self):
        srv = self.start_server("com:port=%s,baud=115200" % self.line.path1)
        out = self.gdb(["break add", "run 6", "bt", "delete", "continue"])
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("exited with code 06", out)
        self.assertNotIn("Target disconnected", out)
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(20), 0)

    def test_one_gdb_after_another_on_the_same_line(self):
        """A serial line does not hang up when gdb exits, so the session
        goes on and serves the next gdb that connects, as gdbserver does."""
        srv = self.start_server("com:port=%s" % self.line.path1)
        for code in (1, 2):
            out = self.gdb(["run %d" % code])
            self.assertIn("exited with code 0%d" % code, out)
        with open(srv.logname) as f:
            log = f.read()
        self.assertEqual(log.count("launched " + program("hello")), 2, log)
        self.assertNotIn("session 2", log)
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(20), 0)

    def test_acknowledgements_stay_on(self):
        """A serial line may lose bytes: the server does not offer no-ack
        mode there, so gdb keeps acknowledging and resends what was lost
        (on tcp it is offered)."""
        self.start_server("com:port=%s" % self.line.path1)
        hello = program("hello")
        cmd = _gdb_command(["set confirm off", "set sysroot /", "set debug remote 1",
                            "target extended-remote " + self.line.path2, "set debug remote 0",
                            "set remote exec-file " + hello, "run 3"], hello)
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             stdin=subprocess.DEVNULL, timeout=60).stdout
        self.assertIn("exited with code 03", out)
        self.assertRegex(out, r"Packet received: .*PacketSize=")
        self.assertNotRegex(out, r"Packet received: .*QStartNoAckMode\+")
        self.assertNotIn("Sending packet: $QStartNoAckMode", out)
        srv = self.server()
        out = subprocess.run(_gdb_command(["set debug remote 1", "target extended-remote " + srv.address]),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             stdin=subprocess.DEVNULL, timeout=60).stdout
        self.assertRegex(out, r"Packet received: .*QStartNoAckMode\+")

    def test_com_number_maps_to_ttyS(self):
        p = subprocess.run([DBGSRV, "-t", "com:port=COM200"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("/dev/ttyS199", p.stderr)

    def test_not_a_serial_line(self):
        p = subprocess.run([DBGSRV, "-t", "com:port=/dev/null"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a serial line", p.stderr)

    def test_bad_baud(self):
        for transport in ("com:port=%s,baud=12345" % self.line.path1,
                          "com:port=%s,baud=12345,channel=3" % self.line.path1):
            with self.subTest(transport=transport):
                p = subprocess.run([DBGSRV, "-t", transport], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, timeout=10)
                self.assertEqual(p.returncode, 2)
                self.assertIn("unsupported baud rate 12345", p.stderr)


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().decode(errors="replace").split("\0")
    except (FileNotFoundError, ProcessLookupError):
        return []


def _comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _session_id(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(stat[stat.rindex(")") + 2:].split()[3])   # after the state, ppid and pgrp


class ChannelTest(LineTestCase):
    """com:...,channel=N: dbgsrv processes serve channels on one end of the
    null modem, dbg bridge opens them from the other end, and a line
    multiplexer on each end owns its tty."""

    def setUp(self):
        super().setUp()
        self.started = []   # pids of what the test started (each leads a session of its own)
        self.sessions = set()
        self.addCleanup(self.kill_leftovers)

    def start_server(self, transport):
        proc = super().start_server(transport)
        self.started.append(proc.pid)
        self.sessions.add(proc.pid)
        return proc

    def line_processes(self):
        """PIDs of the processes of this test's line: in a session that a
        process the test started leads (or one of their descendants, such
        as the dbg bridge gdb starts in a session of its own), and naming
        one of its ptys: the servers, the bridges and gdbs, and the
        multiplexers forked by them. Sessions seen once are remembered, so
        that a multiplexer whose starter has ended is still found."""
        for pid in self.started:
            for kid in descendants_of(pid):
                sid = _session_id(kid)
                if sid:
                    self.sessions.add(sid)
        out = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            pid = int(entry)
            if _session_id(pid) in self.sessions and any(
                    self.line.path1 in a or self.line.path2 in a for a in _cmdline(pid)):
                out.append(pid)
        return out

    def kill_leftovers(self):
        for pid in self.line_processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def assertNothingLeft(self):
        wait_for(lambda: not self.line_processes(), timeout=20,
                 what="the line's processes to end: %r" % [(p, _cmdline(p)) for p in self.line_processes()])

    def bridge(self, channel):
        return "| %s bridge com:port=%s,channel=%d" % (DBG, self.line.path2, channel)

    def channel_gdb(self, channel, commands, prog):
        g = self.bg_gdb(Via(self.bridge(channel)), commands, program(prog))
        self.started.append(g.pid)
        self.sessions.add(g.pid)
        return g

    def run_bridge(self, channel, device=None):
        p = subprocess.Popen([DBG, "bridge", "com:port=%s,channel=%d" % (device or self.line.path2, channel)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        self.started.append(p.pid)
        self.sessions.add(p.pid)
        out, err = p.communicate(timeout=60)
        return p.returncode, err

    def test_two_gdbs_on_two_channels_at_once(self):
        srv1 = self.start_server("com:port=%s,channel=1" % self.line.path1)
        srv2 = self.start_server("com:port=%s,channel=2" % self.line.path1)
        self.assertEqual(srv1.announcement, "Listening on com:port=%s,channel=1\n" % self.line.path1)
        self.assertEqual(srv2.announcement, "Listening on com:port=%s,channel=2\n" % self.line.path1)
        # Each gdb stops in its program, then waits for the other to have
        # stopped too: both sessions are open and stopped at once, and
        # their commands interleave on the line. They go on once the test
        # has looked at the processes ("checked").
        g1 = self.channel_gdb(1, ["break add", "run 5", self.note("one-stopped"), self.await_("two-stopped", "checked"),
                                  "print a + b", "print b", self.note("one-printed"), self.await_("two-printed"),
                                  "delete", "continue"], "hello")
        g2 = self.channel_gdb(2, ["break tick", "run", self.note("two-stopped"), self.await_("one-stopped", "checked"),
                                  "print counter", "continue", "print counter", self.note("two-printed"),
                                  self.await_("one-printed"), "kill"], "spin")
        self.wait_marker("one-stopped", g1, g2)
        self.wait_marker("two-stopped", g1, g2)
        # One multiplexer per end of the line, whoever started it.
        muxes = [p for p in self.line_processes() if _comm(p) == "dbgsrv-linemux"]
        self.assertEqual(len(muxes), 2, [(p, _cmdline(p)) for p in self.line_processes()])
        self.touch("checked")
        out1, out2 = finish_gdb(g1), finish_gdb(g2)
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out1)
        self.assertIn("$1 = 0", out1)
        self.assertIn("exited with code 05", out1)
        self.assertIn("Breakpoint 1, tick ()", out2)
        self.assertRegex(out2, r"\$1 = 0\n")
        self.assertRegex(out2, r"\$2 = 1\n")
        self.assertNotIn("Remote connection closed", out1 + out2)
        # Each program ran under its own channel's server.
        for srv, channel, prog in ((srv1, 1, "hello"), (srv2, 2, "spin")):
            with open(srv.logname) as f:
                log = f.read()
            self.assertIn("session 1: connection from com:port=%s,channel=%d" % (self.line.path1, channel), log)
            self.assertIn("launched " + program(prog), log)
        srv1.send_signal(signal.SIGTERM)
        srv2.send_signal(signal.SIGTERM)
        self.assertEqual(srv1.wait(20), 0)
        self.assertEqual(srv2.wait(20), 0)
        self.assertNothingLeft()

    def test_a_channel_is_opened_again_after_its_session(self):
        srv = self.start_server("com:port=%s,channel=4" % self.line.path1)
        for code in (1, 2):
            g = self.channel_gdb(4, ["run %d" % code], "hello")
            self.assertIn("exited with code 0%d" % code, finish_gdb(g))
            # Noise on the line between the sessions (written into the
            # server's end): dropped and logged, and the next session works.
            os.write(self.line.m1, b"$qSupported#37\xa5\x01\x04\x00\x00\x05\x00garbage")
        with open(srv.logname) as f:
            log = f.read()
        self.assertIn("session 2: connection from", log)
        self.assertIn("bytes outside any frame", log)
        self.assertIn("bad frame header", log)
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(20), 0)
        self.assertNothingLeft()

    def test_channel_nobody_serves(self):
        srv = self.start_server("com:port=%s,channel=1" % self.line.path1)
        start = time.monotonic()
        rc, err = self.run_bridge(7)
        self.assertEqual(rc, 1, err)
        self.assertIn("no process server on channel 7 of %s" % self.line.path2, err)
        self.assertLess(time.monotonic() - start, 4, "the far side's refusal should come at once")
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(20), 0)
        self.assertNothingLeft()

    def test_no_multiplexer_on_the_other_end(self):
        start = time.monotonic()
        rc, err = self.run_bridge(3)
        self.assertEqual(rc, 1, err)
        self.assertIn("no process server on channel 3 of %s (no answer" % self.line.path2, err)
        self.assertLess(time.monotonic() - start, 15)
        self.assertNothingLeft()

    def test_same_channel_twice_is_refused(self):
        srv = self.start_server("com:port=%s,channel=1" % self.line.path1)
        p = subprocess.run([DBGSRV, "-t", "com:port=%s,channel=1" % self.line.path1], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=20)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("channel 1 of %s is already served" % self.line.path1, p.stderr)
        self.assertEqual(p.stdout, "")
        # The first one still serves it.
        g = self.channel_gdb(1, ["run 3"], "hello")
        self.assertIn("exited with code 03", finish_gdb(g))
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(20), 0)
        self.assertNothingLeft()

    def test_sigterm_ends_the_session_on_a_channel(self):
        srv = self.start_server("com:port=%s,channel=9" % self.line.path1)
        g = self.channel_gdb(9, ["break tick", "run", self.note("stopped"), self.await_("never")], "spin")
        self.wait_marker("stopped", g)
        self.assertEqual(len([p for p in self.line_processes() if _comm(p) == "dbgsrv-linemux"]), 2)
        with open(srv.logname) as f:
            pid = int(re.search(r"launched \S+: pid (\d+)", f.read()).group(1))
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(20), 0)
        self.assertGone(pid)   # launched by the session: killed as it ends
        # The far side was told: the bridge's channel closed and it ended,
        # while gdb still runs its shell command.
        wait_for(lambda: not [p for p in self.line_processes() if _comm(p) == "dbg"],
                 what="the bridge to end")
        self.assertIsNone(g.poll())
        kill_gdb(g)
        self.assertNothingLeft()


if __name__ == "__main__":
    main()
