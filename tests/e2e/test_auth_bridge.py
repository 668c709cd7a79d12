"""Password authentication and the dbg bridge, end to end.

A dbgsrv with password= or password-file= makes every client answer an
HMAC-SHA256 challenge (the qDbgsrvHello / qDbgsrvAuth handshake of
src/common/auth.h) before anything else. Stock gdb cannot, so it goes
through `dbg bridge`, which does the handshake and then relays: as a pipe
command (`target extended-remote | dbg bridge ...`) or as a plain local port
(`dbg bridge --listen`). These tests drive real gdb, real dbg and real
dbgsrv; some talk to dbgsrv with a bare RSP client, put a recording TCP proxy
between dbg and dbgsrv, or put a small fake server in front of dbg.
Everything they start is stopped by PID; every temporary file is removed.
"""
import hashlib
import hmac
import os
import re
import shlex
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

from dbgsrv_test import (TestCase, Proxy, RawClient, Via, descendants_of, hexstr, main, program,
                         run_gdb, start_gdb, wait_for)

DBGSRV = os.environ.get("DBGSRV", "dbgsrv")
DBG = os.path.join(os.path.dirname(DBGSRV), "dbg")
VERSION_MISMATCH = ("The client is not using the same version of the remoting protocol as the "
                    "server (client 2.0, server 1.0)")
GDB_TIMEOUT = 60


def mac(password, role, snonce, cnonce):
    return hmac.new(password.encode(), role.encode() + snonce + cnonce, hashlib.sha256).digest()


def rsp_frame(payload):
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    return b"$" + payload + b"#" + ("%02x" % (sum(payload) & 0xFF)).encode()


def frames_in(data, prefix):
    """The complete "$PREFIX...#cc" frames in DATA."""
    return re.findall(rb"\$" + re.escape(prefix) + rb"[^#$]*#[0-9a-fA-F]{2}", data)


class FakeServer:
    """A one-connection fake dbgsrv on loopback for testing dbg's side of the
    handshake. HELLO_FRAME is sent raw (so it can use run-length encoding);
    the answer to qDbgsrvAuth is "OK;" + the hex of smac(password, snonce,
    cnonce) - a wrong one if the fake does not know the password."""

    def __init__(self, hello_frame, snonce, password, smac_password=None):
        self.hello_frame = hello_frame
        self.snonce = snonce
        self.password = password
        self.smac_password = smac_password or password
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.lsock.settimeout(20)
        self.port = self.lsock.getsockname()[1]
        self.client_mac_ok = None
        self.after_auth = b""
        self.error = None
        self.conn = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read_packet(self, conn, buf):
        while True:
            m = re.search(rb"\$([^#$]*)#[0-9a-fA-F]{2}", buf)
            if m:
                return m.group(1).decode("latin-1"), buf[m.end():]
            chunk = conn.recv(4096)
            if not chunk:
                raise ConnectionError("dbg closed the connection")
            buf += chunk

    def _serve(self):
        try:
            conn, _ = self.lsock.accept()
            self.conn = conn
            conn.settimeout(20)
            pkt, buf = self._read_packet(conn, b"")
            if not pkt.startswith("qDbgsrvHello:"):
                raise AssertionError("expected qDbgsrvHello, got %r" % pkt)
            conn.sendall(b"+" + self.hello_frame)
            pkt, buf = self._read_packet(conn, buf)
            m = re.fullmatch(r"qDbgsrvAuth:([0-9a-f]{64});([0-9a-f]{64})", pkt)
            if not m:
                raise AssertionError("malformed qDbgsrvAuth %r" % pkt)
            cnonce = bytes.fromhex(m.group(1))
            self.client_mac_ok = hmac.compare_digest(
                bytes.fromhex(m.group(2)), mac(self.password, "client", self.snonce, cnonce))
            smac = mac(self.smac_password, "server", self.snonce, cnonce)
            conn.sendall(b"+" + rsp_frame("OK;" + smac.hex()))
            rest = buf
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                rest += chunk
            self.after_auth = rest
        except Exception as e:  # reported by the test
            self.error = e

    def close(self):
        self.lsock.close()
        if self.conn:
            try:
                self.conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.conn.close()
        self.thread.join(5)


class AuthBridgeTest(TestCase):
    # ---------------------------------------------------------- helpers
    def tmpfile(self, content, prefix="dbgsrv-pw-"):
        fd, path = tempfile.mkstemp(prefix=prefix)
        with os.fdopen(fd, "w") as f:
            f.write(content)
        self.addCleanup(os.unlink, path)
        return path

    def pw_server(self, password, via_file=True):
        if via_file:
            return self.server("-t", "tcp:port=0,password-file=" + self.tmpfile(password + "\n"))
        return self.server("-t", "tcp:port=0,password=" + password)

    def transport(self, srv, password=None, password_file=None):
        t = "tcp:server=127.0.0.1,port=%d" % srv.port
        if password is not None:
            t += ",password=" + password
        if password_file is not None:
            t += ",password-file=" + password_file
        return t

    def bridge_cmd(self, transport, *options):
        return " ".join(shlex.quote(a) for a in [DBG, "bridge"] + list(options) + [transport])

    def gdb_via_bridge(self, transport, commands, *options, prog="hello"):
        """Runs gdb through `dbg bridge TRANSPORT`; returns (output, seconds)."""
        t0 = time.monotonic()
        out = run_gdb(Via("| " + self.bridge_cmd(transport, *options)), commands,
                      program(prog) if prog else None, timeout=GDB_TIMEOUT)
        return out, time.monotonic() - t0

    def dbg(self, *args, stdin=subprocess.DEVNULL, timeout=30):
        """Runs dbg to completion; returns (CompletedProcess, seconds)."""
        t0 = time.monotonic()
        p = subprocess.run([DBG] + list(args), stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout,
                           start_new_session=True)
        return p, time.monotonic() - t0

    def popen(self, cmd, **kw):
        """Starts CMD in its own session; cleanup kills it and what it started."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        p = subprocess.Popen(cmd, text=True, start_new_session=True, **kw)
        self.addCleanup(self.kill_tree, p)
        return p

    def kill_tree(self, p):
        # Collect the children first: once P dies they are reparented.
        pids = descendants_of(p.pid) if p.poll() is None else []
        if p.poll() is None:
            p.kill()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        p.wait()
        for f in (p.stdin, p.stdout, p.stderr):
            if f:
                f.close()

    def listen_bridge(self, transport, listen="127.0.0.1:0"):
        p = self.popen([DBG, "bridge", "--listen", listen, transport])
        line = p.stdout.readline()
        m = re.match(r"Listening on tcp:port=(\d+),bind=127\.0\.0\.1$", line.strip())
        if not m:
            self.kill_tree(p)
            raise AssertionError("dbg bridge --listen did not start: %r %s" % (line, p.stderr.read()))
        return p, int(m.group(1))

    def assert_hello_session(self, out):
        self.assertNotIn("Target disconnected", out)
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("in main (", out)
        self.assertIn("exited with code 03", out)

    # Without the native target, gdb cannot quietly run the program itself
    # when the remote connection failed.
    NO_NATIVE = "set auto-connect-native-target off"
    HELLO = [NO_NATIVE, "break add", "run 3", "bt", "delete", "continue"]

    def wait_log(self, srv, text, count=1, timeout=15):
        if isinstance(text, str):
            return wait_for(lambda: srv.log_text().count(text) >= count, timeout,
                            what="%r x%d in the server log" % (text, count))
        return wait_for(lambda: len(text.findall(srv.log_text())) >= count, timeout,
                        what="%r x%d in the server log" % (text.pattern, count))

    def raw_hello(self, client):
        reply = client.request("qDbgsrvHello:1.0")
        m = re.fullmatch(r"DbgsrvHello:1\.0;auth=hmac-sha256;nonce=([0-9a-f]{64})", reply)
        self.assertTrue(m, "unexpected hello reply %r" % reply)
        return bytes.fromhex(m.group(1))

    def assert_closed(self, client):
        with self.assertRaises((ConnectionError, OSError)):
            for _ in range(10):
                client.read_byte()

    # ------------------------------------------------- gdb through dbg
    def test_gdb_through_bridge_password_file(self):
        srv = self.pw_server("correct horse")
        pwf = self.tmpfile("correct horse\n")
        out, _ = self.gdb_via_bridge(self.transport(srv, password_file=pwf), self.HELLO)
        self.assert_hello_session(out)
        self.assertNotIn("dbg:", out)
        self.assertIn("authenticated by password", srv.log_text())

    def test_long_password_with_spaces(self):
        pw = ("a long pass phrase with spaces, commas=and equals; " * 6)[:300]
        self.assertEqual(len(pw), 300)
        srv = self.pw_server(pw)
        out, _ = self.gdb_via_bridge(self.transport(srv, password_file=self.tmpfile(pw)),
                                     self.HELLO)
        self.assert_hello_session(out)
        # The whole password counts: the same one but for its last character fails.
        p, _ = self.dbg("bridge", self.transport(srv, password_file=self.tmpfile(pw[:-1] + "X")))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("dbg: password rejected", p.stderr)

    def test_one_character_password(self):
        srv = self.pw_server("x", via_file=False)
        out, _ = self.gdb_via_bridge(self.transport(srv, password="x"), self.HELLO)
        self.assert_hello_session(out)
        p, _ = self.dbg("bridge", self.transport(srv, password="y"))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("dbg: password rejected", p.stderr)

    def test_very_long_password_not_silently_truncated(self):
        # Longer than AUTH_PASSWORD_MAX: either refused outright, or compared
        # in full - never cut short so that another password is accepted.
        pw = "0123456789" * 200
        pwf = self.tmpfile(pw + "\n")
        srv_proc = self.popen([DBGSRV, "-t", "tcp:port=0,password-file=" + pwf])
        line = srv_proc.stdout.readline()
        if not line.startswith("Listening on"):
            self.assertEqual(srv_proc.wait(10), 2)
            self.assertIn("password", srv_proc.stderr.read())
            return
        port = int(re.search(r"port=(\d+)", line).group(1))
        other = pw[:-1] + "X"
        p, _ = self.dbg("bridge", "tcp:port=%d,password-file=%s" % (port, self.tmpfile(other)))
        self.assertEqual(p.returncode, 1,
                         "a different %d-character password was accepted: %s" % (len(other), p.stderr))

    def test_comma_in_password_needs_password_file(self):
        pw = "a,b=c d"
        srv = self.pw_server(pw)
        p, _ = self.dbg("bridge", self.transport(srv, password_file=self.tmpfile(pw)))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        # password=a,b is password "a" and then a parameter "b".
        p, _ = self.dbg("bridge", "tcp:port=%d,password=a,b" % srv.port)
        self.assertEqual(p.returncode, 2)
        self.assertIn("'b'", p.stderr)
        self.assertIn("unknown parameter", p.stderr)
        d = subprocess.run([DBGSRV, "-t", "tcp:port=0,password=a,b"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=10)
        self.assertEqual(d.returncode, 2)
        self.assertIn("'b'", d.stderr)
        self.assertNotIn("Listening", d.stdout)

    def test_plain_gdb_refused_by_password_server(self):
        srv = self.pw_server("pw")
        out = run_gdb(srv, ["info target"], timeout=GDB_TIMEOUT)
        self.assertIn("warning: Remote failure reply: E.this process server requires a password: "
                      "connect through 'dbg bridge", out)
        self.wait_log(srv, "without authenticating")
        self.assertNotIn("authenticated by password", srv.log_text())

    def test_plain_gdb_without_password_skips_handshake(self):
        srv = self.server()
        out = self.gdb(srv, self.HELLO, program("hello"))
        self.assert_hello_session(out)
        c = RawClient(srv)
        self.addCleanup(c.close)
        self.assertEqual(c.request("qDbgsrvHello:1.0"), "DbgsrvHello:1.0;auth=none")

    # -------------------------------------------------- wrong password
    def test_wrong_password_through_gdb(self):
        srv = self.pw_server("right")
        out, secs = self.gdb_via_bridge(self.transport(srv, password_file=self.tmpfile("wrong")),
                                        ["info target"], prog=None)
        self.assertIn("dbg: password rejected", out)
        self.assertGreaterEqual(secs, 0.9)
        self.wait_log(srv, re.compile(r"password rejected for 127\.0\.0\.1:\d+"))
        self.wait_log(srv, "authentication failed for 127.0.0.1 (1 recent failure)")
        self.assertNotIn("authenticated by password", srv.log_text())

    def test_repeated_failures_are_slowed_down(self):
        srv = self.pw_server("right", via_file=False)
        bad = self.transport(srv, password="wrong")
        times = []
        for n in range(1, 5):
            p, secs = self.dbg("bridge", bad)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr, "dbg: password rejected\n")
            times.append(secs)
            # The listener counts the failure when the session ends.
            self.wait_log(srv, "authentication failed for 127.0.0.1 (%d recent failure%s)"
                          % (n, "" if n == 1 else "s"))
        self.assertGreaterEqual(times[0], 0.9, times)
        # The delay grows with the failures (no upper bound on the time:
        # a loaded machine may take longer anyway).
        self.assertLess(times[0], times[3], times)
        self.assertGreaterEqual(times[1], 0.9, times)
        self.assertGreaterEqual(times[2], 1.4, times)
        self.assertGreaterEqual(times[3], 1.9, times)
        # The right password is not slowed down by the failures.
        p, secs = self.dbg("bridge", self.transport(srv, password="right"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLess(secs, 0.9)

    def test_other_clients_served_while_a_failure_waits(self):
        srv = self.pw_server("right")
        failing = self.popen([DBG, "bridge", self.transport(srv, password="wrong")])
        self.wait_log(srv, "session 1 (127.0.0.1:")
        good = self.popen([DBG, "bridge", self.transport(srv, password="right")],
                          stdin=subprocess.PIPE)
        self.wait_log(srv, "authenticated by password")
        # Session 2 got in while session 1 was still being made to wait.
        self.assertIsNone(failing.poll(), "the failing client already ended")
        log = srv.log_text()
        self.assertNotIn("password rejected", log)
        self.assertIn("session 2 (127.0.0.1:", log[:log.index("authenticated by password")])
        self.assertEqual(failing.wait(15), 1)
        self.assertIn("dbg: password rejected", failing.stderr.read())
        self.assertIsNone(good.poll())
        good.stdin.close()
        self.assertEqual(good.wait(15), 0)

    def test_missing_password_on_client(self):
        srv = self.pw_server("pw")
        p, _ = self.dbg("bridge", self.transport(srv))
        self.assertEqual(p.returncode, 1)
        self.assertIn("the server requires a password: add password-file=FILE", p.stderr)

    def test_password_given_but_server_has_none(self):
        srv = self.server()
        out, _ = self.gdb_via_bridge(self.transport(srv, password="unneeded"), self.HELLO)
        self.assert_hello_session(out)
        self.assertNotIn("authenticated by password", srv.log_text())

    # ------------------------------------------------- protocol version
    def test_protocol_version_major_mismatch(self):
        srv = self.pw_server("pw")
        p, _ = self.dbg("bridge", "--protocol-version", "2.0", self.transport(srv, password="pw"))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "dbg: " + VERSION_MISMATCH + "\n")
        self.wait_log(srv, VERSION_MISMATCH)
        self.assertNotIn("authenticated by password", srv.log_text())
        # The same for a bare client, which is then disconnected.
        c = RawClient(srv)
        self.addCleanup(c.close)
        self.assertEqual(c.request("qDbgsrvHello:2.0"), "E." + VERSION_MISMATCH)
        self.assert_closed(c)

    def test_protocol_version_same_major(self):
        srv = self.pw_server("pw")
        out, _ = self.gdb_via_bridge(self.transport(srv, password="pw"),
                                     [self.NO_NATIVE, "run 3"], "--protocol-version", "1.9")
        self.assertIn("exited with code 03", out)
        self.assertNotIn("dbg:", out)
        self.assertNotIn("Target disconnected", out)
        self.assertIn("authenticated by password", srv.log_text())

    # ------------------------------------------------- traffic capture
    def test_password_never_on_the_wire(self):
        pw = "Quokka-Marmalade-8317-unmistakable"
        srv = self.pw_server(pw)
        proxy = Proxy(srv.port)
        self.addCleanup(proxy.close)
        transport = "tcp:server=127.0.0.1,port=%d,password-file=%s" % (proxy.port, self.tmpfile(pw))
        out, _ = self.gdb_via_bridge(transport, self.HELLO)
        self.assert_hello_session(out)
        wait_for(lambda: b"vRun" in proxy.client_bytes(), what="the session in the capture")
        sent, received = proxy.client_bytes(), proxy.server_bytes()
        everything = sent + received
        for form in (pw.encode(), hexstr(pw).encode(), hexstr(pw).upper().encode(),
                     pw.encode()[:12]):
            self.assertNotIn(form, everything, "the password crossed the wire as %r" % form)
        self.assertEqual(len(frames_in(sent, b"qDbgsrvHello:1.0")), 1)
        self.assertEqual(len(frames_in(sent, b"qDbgsrvAuth:")), 1)
        self.assertIn(b"DbgsrvHello:1.0;auth=hmac-sha256;nonce=", received)
        self.assertIn(b"$OK;", received)
        # The handshake came first; gdb's own traffic after it.
        self.assertLess(sent.index(b"qDbgsrvAuth:"), sent.index(b"qSupported"))

    # ------------------------------------------------- bare clients
    def test_bare_client_handshake_and_tampering(self):
        pw = "pass word"
        srv = self.pw_server(pw)
        # Before authenticating, ordinary packets end the session.
        c = RawClient(srv)
        self.addCleanup(c.close)
        self.assertIn("requires a password", c.request("qSupported"))
        self.assert_closed(c)
        # The right MAC: the server proves it knows the password too.
        c = RawClient(srv)
        self.addCleanup(c.close)
        snonce = self.raw_hello(c)
        cnonce = os.urandom(32)
        reply = c.request("qDbgsrvAuth:%s;%s" % (cnonce.hex(), mac(pw, "client", snonce, cnonce).hex()))
        self.assertEqual(reply, "OK;" + mac(pw, "server", snonce, cnonce).hex())
        self.assertIn("PacketSize=", c.request("qSupported"))
        # A tampered MAC.
        c = RawClient(srv)
        self.addCleanup(c.close)
        port = c.sock.getsockname()[1]
        snonce = self.raw_hello(c)
        good = mac(pw, "client", snonce, cnonce)
        bad = bytes([good[0] ^ 1]) + good[1:]
        t0 = time.monotonic()
        self.assertEqual(c.request("qDbgsrvAuth:%s;%s" % (cnonce.hex(), bad.hex())),
                         "E.password rejected")
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        self.assert_closed(c)
        self.wait_log(srv, "password rejected for 127.0.0.1:%d" % port)
        # A MAC with no challenge before it.
        c = RawClient(srv)
        self.addCleanup(c.close)
        self.assertEqual(c.request("qDbgsrvAuth:%s;%s" % (cnonce.hex(), good.hex())),
                         "E.password rejected")

    def test_garbage_before_the_handshake(self):
        """Noise before the handshake (line noise, a port scanner, a client
        restarted mid-packet) is skipped; a well-formed packet other than the
        handshake ends the session with the reason; other clients are
        served throughout."""
        srv = self.pw_server("noise-pw")
        c = self.client(srv, cls=RawClient)
        c.send_raw(b"\x00\xff\r\nGET / HTTP/1.0\r\n\r\n+-+\x03$trunc")   # no complete packet
        c.send_raw(b"$qDbgsrvHello:1.0#00")                                     # bad checksum: '-'
        c.expect_byte(b"-")
        snonce = self.raw_hello(c)
        self.assertEqual(len(snonce), 32)
        c.close()
        c = self.client(srv, cls=RawClient)
        c.send_raw(b"\x16\x03\x01\x00\x05hello")                              # a TLS client hello, say
        reply = c.request("qSupported:multiprocess+")
        self.assertIn("requires a password", reply)
        self.assert_closed(c)
        self.wait_log(srv, "without authenticating")
        out, _ = self.gdb_via_bridge(self.transport(srv, password="noise-pw"), self.HELLO)
        self.assert_hello_session(out)

    def test_recorded_authentication_cannot_be_replayed(self):
        pw = "replay me"
        srv = self.pw_server(pw)
        proxy = Proxy(srv.port)
        self.addCleanup(proxy.close)
        p, _ = self.dbg("bridge", "tcp:port=%d,password=%s" % (proxy.port, pw))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.wait_log(srv, "authenticated by password")
        captured = frames_in(proxy.client_bytes(), b"qDbgsrvAuth:")
        self.assertEqual(len(captured), 1)
        c = RawClient(srv)
        self.addCleanup(c.close)
        self.raw_hello(c)   # a new nonce
        c.send_raw(captured[0])
        c.expect_ack()
        self.assertEqual(c.read_reply(), "E.password rejected")
        self.assert_closed(c)
        self.wait_log(srv, "authentication failed for 127.0.0.1 (1 recent failure)")
        self.assertEqual(srv.log_text().count("authenticated by password"), 1)

    # ------------------------------------------------- dbg against a fake
    def fake_handshake(self, snonce_hex, hello_payload, password, smac_password=None):
        fake = FakeServer(rsp_frame(hello_payload), bytes.fromhex(snonce_hex), password,
                          smac_password)
        self.addCleanup(fake.close)
        p, _ = self.dbg("bridge", "tcp:port=%d,password=%s" % (fake.port, password),
                        stdin=subprocess.DEVNULL)
        return fake, p

    def test_dbg_checks_the_server_knows_the_password(self):
        nonce = "0123456789abcdef" * 4
        fake, p = self.fake_handshake(nonce, "DbgsrvHello:1.0;auth=hmac-sha256;nonce=" + nonce,
                                      "secret", smac_password="guess")
        self.assertEqual(p.returncode, 1)
        self.assertIn("the server could not prove it knows the password", p.stderr)
        fake.thread.join(10)
        self.assertIsNone(fake.error)
        self.assertTrue(fake.client_mac_ok)

    def test_dbg_reads_run_length_encoded_handshake(self):
        # dbgsrv run-length encodes its replies (as RSP allows); a nonce with
        # a run of four equal hex digits then reaches dbg as "7* ".
        nonce = "7777" + "0123456789abcdef" * 3 + "0123456789ab"
        self.assertEqual(len(nonce), 64)
        payload = "DbgsrvHello:1.0;auth=hmac-sha256;nonce=" + nonce.replace("7777", "7* ", 1)
        fake, p = self.fake_handshake(nonce, payload, "secret")
        self.assertEqual(p.stderr, "")
        self.assertEqual(p.returncode, 0)
        fake.thread.join(10)
        self.assertIsNone(fake.error)
        self.assertTrue(fake.client_mac_ok)

    def test_many_handshakes_with_real_server(self):
        # Random nonces and MACs often contain runs of equal hex digits,
        # which dbgsrv run-length encodes: every handshake must still work.
        srv = self.pw_server("pw")
        failures = []
        for _ in range(200):
            p, _ = self.dbg("bridge", self.transport(srv, password="pw"))
            if p.returncode != 0:
                failures.append(p.stderr.strip())
        self.assertEqual(failures, [], "%d of 200 handshakes failed" % len(failures))

    # ------------------------------------------------- --listen
    def test_listen_bridge_serves_plain_gdb(self):
        srv = self.pw_server("pw")
        bridge, port = self.listen_bridge(self.transport(srv, password_file=self.tmpfile("pw")))
        out = run_gdb(Via("127.0.0.1:%d" % port), self.HELLO, program("hello"),
                      timeout=GDB_TIMEOUT)
        self.assert_hello_session(out)
        self.assertEqual(srv.log_text().count("authenticated by password"), 1)
        self.assertIsNone(bridge.poll())

    def test_listen_bridge_two_gdbs_at_once(self):
        srv = self.pw_server("pw")
        bridge, port = self.listen_bridge(self.transport(srv, password="pw"))
        flag = os.path.join(tempfile.mkdtemp(prefix="dbgsrv-auth-"), "go")
        self.addCleanup(os.rmdir, os.path.dirname(flag))
        self.addCleanup(lambda: os.path.exists(flag) and os.unlink(flag))
        via = Via("127.0.0.1:%d" % port)
        first = start_gdb(via, [self.NO_NATIVE, "break add", "run 3",
                                "shell while [ ! -e %s ]; do sleep 0.02; done" % flag,
                                "bt", "delete", "continue"], program("hello"))
        self.addCleanup(self.kill_tree, first)
        self.wait_log(srv, "launched ")
        out2 = run_gdb(via, self.HELLO, program("hello"), timeout=GDB_TIMEOUT)
        self.assertIsNone(first.poll(), "the first gdb ended early")
        open(flag, "w").close()
        out1, _ = first.communicate(timeout=GDB_TIMEOUT)
        self.assert_hello_session(out1)
        self.assert_hello_session(out2)
        self.assertEqual(srv.log_text().count("authenticated by password"), 2)

    def test_listen_refuses_non_loopback_without_insecure(self):
        # In a private network namespace, so that nothing is ever exposed.
        p = subprocess.run(["unshare", "--net", DBG, "bridge", "--listen", "0.0.0.0:0",
                            "tcp:port=1,password=x"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=20)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("refusing to listen", p.stderr)
        self.assertNotIn("Listening", p.stdout)
        # With --insecure it listens (still inside the namespace).
        q = self.popen(["unshare", "--net", DBG, "bridge", "--insecure", "--listen", "0.0.0.0:0",
                        "tcp:port=1,password=x"])
        self.assertRegex(q.stdout.readline(), r"^Listening on tcp:port=\d+,bind=0\.0\.0\.0$")

    # ------------------------------------------------- other transports
    def test_npipe_with_password(self):
        name = "auth-e2e-%s" % uuid.uuid4().hex[:12]
        path = "/run/dbgsrv/" + name
        self.addCleanup(lambda: os.path.exists(path) and os.unlink(path))
        pwf = self.tmpfile("pipe secret")
        log = tempfile.TemporaryFile(mode="w+")
        self.addCleanup(log.close)
        srv = self.popen([DBGSRV, "-t", "npipe:pipe=%s,password-file=%s" % (name, pwf)], stderr=log)
        self.assertEqual(srv.stdout.readline().strip(),
                         "Listening on npipe:pipe=%s (%s)" % (name, path))
        out, _ = self.gdb_via_bridge("npipe:pipe=%s,password-file=%s" % (name, pwf), self.HELLO)
        self.assert_hello_session(out)
        p, secs = self.dbg("bridge", "npipe:pipe=%s,password=wrong" % name)
        self.assertEqual(p.returncode, 1)
        self.assertIn("dbg: password rejected", p.stderr)
        self.assertGreaterEqual(secs, 0.9)
        p, _ = self.dbg("bridge", "npipe:pipe=%s" % name)
        self.assertEqual(p.returncode, 1)
        self.assertIn("requires a password", p.stderr)

        def logged():
            log.seek(0)
            return log.read()
        wait_for(lambda: "authentication failed for uid 0" in logged(), what="failure logged")
        self.assertEqual(logged().count("authenticated by password"), 1)

    def test_password_server_may_bind_non_loopback(self):
        def start(args):
            return self.popen(["unshare", "--net", "sh", "-c",
                               'ip link set lo up && exec "$0" "$@"', DBGSRV] + args)
        srv = start(["-t", "tcp:port=0,bind=0.0.0.0,password=x"])
        self.assertRegex(srv.stdout.readline(), r"^Listening on tcp:port=\d+,bind=0\.0\.0\.0$")
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(20), 0)
        # Without a password (and without --insecure) it is refused.
        plain = start(["-t", "tcp:port=0,bind=0.0.0.0"])
        self.assertNotEqual(plain.wait(20), 0)
        self.assertIn("refusing to listen", plain.stderr.read())

    # ------------------------------------------------- errors
    def run_dbgsrv(self, *args):
        return subprocess.run([DBGSRV] + list(args), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=10)

    def test_bad_password_files(self):
        missing = os.path.join(tempfile.gettempdir(), "no-such-pw-%s" % uuid.uuid4().hex)
        d = self.run_dbgsrv("-t", "tcp:port=0,password-file=" + missing)
        self.assertEqual(d.returncode, 2)
        self.assertIn("cannot read password-file", d.stderr)
        self.assertNotIn("Listening", d.stdout)
        d = self.run_dbgsrv("-t", "tcp:port=0,password-file=" + self.tmpfile(""))
        self.assertEqual(d.returncode, 2)
        self.assertNotIn("Listening", d.stdout)
        d = self.run_dbgsrv("-t", "tcp:port=0,password-file=" + self.tmpfile("\n"))
        self.assertEqual(d.returncode, 2)
        p, _ = self.dbg("bridge", "tcp:port=1,password-file=" + missing)
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot read password-file", p.stderr)

    def test_dbg_command_line(self):
        p, _ = self.dbg("bridge", "tcp:bind=127.0.0.1,port=1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("server=", p.stderr)
        p, _ = self.dbg("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command", p.stderr)
        p, _ = self.dbg()
        self.assertEqual(p.returncode, 2)
        p, _ = self.dbg("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("dbg bridge", p.stdout)
        p, _ = self.dbg("--version")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, "dbg 0.1.0 (remoting protocol 1.0)\n")
        p, _ = self.dbg("bridge", "--protocol-version", "two", "tcp:port=1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("bad protocol version", p.stderr)


if __name__ == "__main__":
    main()
