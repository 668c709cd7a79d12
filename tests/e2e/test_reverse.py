"""Reverse connections (clicon=): dbgsrv connects out to a dbg bridge that
listens, retrying until it is there, and serves that one client; dbg accepts
only the server it names."""
import os
import signal
import socket
import subprocess
import tempfile

from dbgsrv_test import DBG, DBGSRV, TestCase, _gdb_command, free_port, main, program, wait_for

class ReverseTest(TestCase):
    def start_server(self, transport):
        log = tempfile.NamedTemporaryFile(prefix="dbgsrv-rev-", suffix=".log", delete=False)
        self.addCleanup(os.unlink, log.name)
        proc = subprocess.Popen([DBGSRV, "-t", transport], stdout=subprocess.PIPE, stderr=log,
                                stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        self.addCleanup(self.stop, proc)
        proc.logname = log.name
        self.assertTrue(proc.stdout.readline().startswith("Connecting to 127.0.0.1 port"))
        return proc

    @staticmethod
    def stop(proc):
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()

    @staticmethod
    def log(proc):
        with open(proc.logname) as f:
            return f.read()

    def gdb_through(self, transport, *commands):
        hello = program("hello")
        cmd = _gdb_command(["set confirm off", "set auto-connect-native-target off",
                            "target extended-remote | %s bridge %s" % (DBG, transport),
                            "set remote exec-file " + hello] + list(commands), hello)
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              stdin=subprocess.DEVNULL, timeout=60).stdout

    def test_server_dials_a_listening_bridge(self):
        port = free_port()
        srv = self.start_server("tcp:port=%d,clicon=127.0.0.1" % port)
        # The server is already retrying when the client starts listening.
        wait_for(lambda: "retrying every second" in self.log(srv), what="the server retrying")
        out = self.gdb_through("tcp:clicon=127.0.0.1,port=%d" % port,
                               "break add", "run 4", "bt", "delete", "continue")
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("exited with code 04", out)
        self.assertNotIn("Target disconnected", out)
        # One client only: the server ends with its session.
        self.assertEqual(srv.wait(20), 0)
        self.assertIn("Connected to 127.0.0.1 port %d" % port, srv.stdout.read())

    def test_reverse_with_password(self):
        port = free_port()
        srv = self.start_server("tcp:port=%d,clicon=127.0.0.1,password=s3cret" % port)
        out = self.gdb_through("tcp:clicon=127.0.0.1,port=%d,password=s3cret" % port,
                               "break add", "run", "bt")
        self.assertIn("Breakpoint 1, add", out)
        self.assertEqual(srv.wait(20), 0)
        self.assertIn("authenticated by password", self.log(srv))

    def test_reverse_wrong_password(self):
        port = free_port()
        srv = self.start_server("tcp:port=%d,clicon=127.0.0.1,password=s3cret" % port)
        out = self.gdb_through("tcp:clicon=127.0.0.1,port=%d,password=nope" % port, "info threads")
        self.assertIn("password rejected", out)
        srv.wait(20)
        self.assertIn("password rejected", self.log(srv))

    def test_sigterm_while_waiting_for_the_client(self):
        srv = self.start_server("tcp:port=%d,clicon=127.0.0.1" % free_port())
        wait_for(lambda: "retrying" in self.log(srv), what="the server retrying")
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(10), 0)

    def test_bridge_accepts_only_the_named_server(self):
        port = free_port()
        bridge = subprocess.Popen([DBG, "bridge", "tcp:clicon=127.0.0.1,port=%d" % port],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  start_new_session=True)
        self.addCleanup(lambda: (bridge.poll() is None and bridge.kill(), bridge.wait()))
        wait_for(lambda: self.listening(port), what="the bridge listening")
        # A connection from another loopback address is not the server.
        with socket.socket() as s:
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", port))
            s.settimeout(5)
            self.assertEqual(s.recv(1), b"")   # closed at once
        self.assertIsNone(bridge.poll())        # still waiting for the right one
        srv = self.start_server("tcp:port=%d,clicon=127.0.0.1" % port)
        wait_for(lambda: "connected" in self.log(srv), what="the server connected")
        bridge.stdin.close()                    # the debugger goes away
        self.assertEqual(srv.wait(20), 0)
        bridge.wait(10)
        self.assertIn(b"refused a connection from 127.0.0.2", bridge.stderr.read())

    @staticmethod
    def listening(port):
        """True once something listens on PORT. Read from /proc/net/tcp: a
        test connection would be taken for the server's."""
        with open("/proc/net/tcp") as f:
            return any(line.split()[1].endswith(":%04X" % port) and line.split()[3] == "0A"
                       for line in f.readlines()[1:])

    def test_range_or_any_port_with_clicon_is_refused(self):
        for port in ("40000:40010", "0"):
            with self.subTest(port=port):
                p = subprocess.run([DBGSRV, "-t", "tcp:port=%s,clicon=127.0.0.1" % port], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, timeout=10)
                self.assertEqual(p.returncode, 2)
                self.assertIn("not a range, not 0", p.stderr)

    def test_clicon_with_bind_is_refused(self):
        p = subprocess.run([DBGSRV, "-t", "tcp:port=1,clicon=127.0.0.1,bind=127.0.0.1"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn("clicon", p.stderr)


if __name__ == "__main__":
    main()
