"""The com: transport on a serial line, simulated by a null modem: two pty
pairs whose master ends the test relays to each other. dbgsrv serves one
end; stock gdb talks to the other with `target extended-remote /dev/pts/N`,
as it would to a real serial port."""
import os
import select
import signal
import subprocess
import tempfile
import threading
import tty

from dbgsrv_test import DBGSRV, TestCase, _gdb_command, main, program, wait_for


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


class SerialTest(TestCase):
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
        line = proc.stdout.readline()
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

    def test_bad_baud_and_channels(self):
        for transport, needle in (("com:port=%s,baud=12345" % self.line.path1, "unsupported baud rate 12345"),
                                  ("com:port=%s,channel=3" % self.line.path1, "channel")):
            with self.subTest(transport=transport):
                p = subprocess.run([DBGSRV, "-t", transport], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, timeout=10)
                self.assertEqual(p.returncode, 2)
                self.assertIn(needle, p.stderr)


if __name__ == "__main__":
    main()
