"""The TLS transports, ssl: (TCP) and spipe: (a local pipe), end to end.

The certificates are made here with the openssl command line tool: a CA, a
server certificate it signed for IP:127.0.0.1 and DNS:localhost, a client
certificate it signed (CN=alice), an unrelated second CA with a client
certificate of its own (CN=mallory), and a server certificate of the first
CA for another name (DNS:other.example).

Stock gdb does not speak TLS: it goes through `dbg bridge ssl:...` (or
spipe:) as a pipe command. Covered: debugging through ssl: and spipe:; how
the client checks the server (ca= with the name the client asked for,
fingerprint= pinning, neither being a usage error); client certificates
(ca= on the server); proto=; plain clients against TLS servers and TLS
clients against plain ones (the server keeps serving); TLS with a password;
the relay processes ending with their sessions on both sides; the server's
start-up errors; binding a non-loopback address (inside a private network
namespace); a capture of the wire showing no plaintext protocol; and many
handshakes in a row (each must finish).

Every process started here is stopped by PID (dbg with its relay: by its
own process group); the certificates, pipes and logs are removed at the end.
"""
import concurrent.futures
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid

from dbgsrv_test import (DBG, DBGSRV, Proxy, TestCase, Via, descendants_of, exe_of, finish_gdb, hexstr,
                         main, proc_state, program, run_gdb, session_of, start_gdb, wait_for,
                         wait_launched, wait_sessions_end)

GDB_TIMEOUT = 60
RUNTIME_DIR = "/run/dbgsrv"          # where a root server puts its pipes
# Runs the command in a new network namespace with only loopback up.
NETNS = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']
# Without the native target, gdb cannot quietly run the program itself when
# the remote connection failed.
NO_NATIVE = "set auto-connect-native-target off"
HELLO = [NO_NATIVE, "break add", "run 3", "bt", "delete", "continue"]


def openssl(*args, cwd):
    p = subprocess.run(["openssl"] + list(args), cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("openssl %s failed:\n%s" % (" ".join(args), p.stdout))
    return p.stdout


def not_running(pid):
    """Gone, or a zombie nobody needs to wait for any more."""
    return proc_state(pid) in (None, "Z")


class Certs:
    """Certificates and keys in DIR: NAME.pem and NAME.key for ca, ca2 (an
    unrelated CA), server (IP:127.0.0.1, DNS:localhost), other (DNS:other.example),
    alice (a client of ca) and mallory (a client of ca2)."""

    KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

    def __init__(self, directory):
        self.dir = directory
        self._serial = 1
        self._ca("ca", "dbgsrv test CA")
        self._ca("ca2", "unrelated test CA")
        self._leaf("server", "localhost", "ca",
                   "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth")
        self._leaf("other", "other.example", "ca",
                   "subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth")
        self._leaf("alice", "alice", "ca", "extendedKeyUsage=clientAuth")
        self._leaf("mallory", "mallory", "ca2", "extendedKeyUsage=clientAuth")

    def pem(self, name):
        return os.path.join(self.dir, name + ".pem")

    def key(self, name):
        return os.path.join(self.dir, name + ".key")

    def fingerprint(self, name):
        """"SHA256:AB:CD:..." as `openssl x509 -fingerprint -sha256` shows it."""
        out = openssl("x509", "-in", self.pem(name), "-noout", "-fingerprint", "-sha256", cwd=self.dir)
        m = re.search(r"Fingerprint=((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$", out.strip())
        if not m:
            raise AssertionError("no fingerprint in %r" % out)
        return "SHA256:" + m.group(1)

    def _ca(self, name, cn):
        openssl("req", "-x509", *self.KEY, "-keyout", self.key(name), "-out", self.pem(name),
                "-days", "2", "-subj", "/CN=" + cn,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=self.dir)

    def _leaf(self, name, cn, ca, extensions):
        csr = os.path.join(self.dir, name + ".csr")
        ext = os.path.join(self.dir, name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n" + extensions + "\n")
        openssl("req", "-new", *self.KEY, "-keyout", self.key(name), "-out", csr,
                "-subj", "/CN=" + cn, cwd=self.dir)
        self._serial += 1
        openssl("x509", "-req", "-in", csr, "-CA", self.pem(ca), "-CAkey", self.key(ca),
                "-set_serial", str(self._serial), "-days", "2", "-out", self.pem(name),
                "-extfile", ext, cwd=self.dir)


class TlsTest(TestCase):
    @classmethod
    def setUpClass(cls):
        d = tempfile.mkdtemp(prefix="dbgsrv-tls-")
        cls.addClassCleanup(shutil.rmtree, d, True)
        cls.certs = Certs(d)

    # ------------------------------------------------------------ helpers
    def ssl_server(self, *extra, cert="server"):
        """A server on ssl:port=0 with CERT's certificate and key (and EXTRA
        parameters)."""
        spec = "ssl:port=0,cert=%s,key=%s" % (self.certs.pem(cert), self.certs.key(cert))
        srv = self.server("-t", spec + "".join("," + e for e in extra))
        self.assertRegex(srv.announcement, r"^Listening on ssl:port=[1-9]\d*,bind=127\.0\.0\.1\n$")
        return srv

    def ssl_client(self, port, *extra, ca="ca", server=None):
        """The transport of a dbg that checks the server with CA (None: not)."""
        t = "ssl:"
        if server:
            t += "server=%s," % server
        t += "port=%d" % port
        if ca:
            t += ",ca=" + self.certs.pem(ca)
        return t + "".join("," + e for e in extra)

    def as_client(self, name):
        return "cert=%s,key=%s" % (self.certs.pem(name), self.certs.key(name))

    def bridge(self, transport):
        return Via("| " + " ".join(shlex.quote(a) for a in [DBG, "bridge", transport]))

    def gdb_via(self, transport, commands=HELLO):
        return run_gdb(self.bridge(transport), commands, program("hello"), timeout=GDB_TIMEOUT)

    def dbg(self, *args, timeout=10):
        """Runs dbg to completion (stdin empty: after the handshake it ends).
        One that hangs is killed with its relay (its process group)."""
        p = subprocess.Popen([DBG] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)   # not reaped yet: the group is ours
            p.communicate()
            raise AssertionError("dbg %s hung for %ds (see test_many_handshakes_all_finish)"
                                 % (" ".join(args), timeout))
        return subprocess.CompletedProcess(p.args, p.returncode, out, err)

    def popen(self, cmd, **kw):
        """Starts CMD in a session of its own; cleanup kills its process group."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        p = subprocess.Popen(cmd, text=True, start_new_session=True, **kw)

        def reap():
            if p.returncode is None:   # not reaped: the group is still ours
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            p.wait()
            for f in (p.stdout, p.stderr):
                if f:
                    f.close()
        self.addCleanup(reap)
        return p

    def assert_hello_session(self, out):
        self.assertNotIn("Target disconnected", out)
        self.assertNotIn("dbg:", out)
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("in main (", out)
        self.assertIn("exited with code 03", out)

    def assert_fails(self, p, rc, *texts):
        self.assertEqual(p.returncode, rc, "dbg exit %s, stderr: %s" % (p.returncode, p.stderr))
        for t in texts:
            self.assertIn(t, p.stderr)

    def wait_log(self, srv, text, count=1, timeout=15):
        try:
            wait_for(lambda: srv.log_text().count(text) >= count, timeout,
                     what="%r x%d in the server log" % (text, count))
        except AssertionError as e:
            raise AssertionError("%s:\n%s" % (e, srv.log_text())) from None

    def peer_info(self, srv):
        """The TLS part of the peer description of each session that got
        connected: ["TLSv1.3", "TLSv1.3, client certificate /CN=alice", ...]."""
        return re.findall(r"session \d+ \([^\[)]*\[([^\]]*)\]\): connected", srv.log_text())

    def pipe_name(self, tag):
        """A pipe name of this test; its socket and lock file are removed at
        the end (registered before the server, so removed after it stopped)."""
        name = "tls-e2e-%s-%d-%s" % (tag, os.getpid(), uuid.uuid4().hex[:8])
        created_dir = not os.path.isdir(RUNTIME_DIR)

        def remove():
            for path in (os.path.join(RUNTIME_DIR, name), os.path.join(RUNTIME_DIR, name + ".lock")):
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
            if created_dir:
                try:
                    os.rmdir(RUNTIME_DIR)
                except OSError:
                    pass
        self.addCleanup(remove)
        return name

    # ------------------------------------------------------------ ssl:
    def test_gdb_debugs_over_ssl(self):
        srv = self.ssl_server()
        out = self.gdb_via(self.ssl_client(srv.port, server="127.0.0.1"))
        self.assert_hello_session(out)
        # By name: the certificate names localhost too.
        out = self.gdb_via(self.ssl_client(srv.port, server="localhost"))
        self.assert_hello_session(out)
        self.assertEqual(self.peer_info(srv), ["TLSv1.3", "TLSv1.3"])
        self.assertNotIn("TLS handshake failed", srv.log_text())

    def test_fingerprint_pinning(self):
        srv = self.ssl_server()
        fp = self.certs.fingerprint("server")
        out = self.gdb_via(self.ssl_client(srv.port, "fingerprint=" + fp, ca=None))
        self.assert_hello_session(out)
        # Other spellings of the same fingerprint.
        hexdigits = fp[len("SHA256:"):].replace(":", "")
        for spelling in ("sha256:" + fp[7:].lower(), "SHA256:" + hexdigits):
            with self.subTest(fingerprint=spelling):
                p = self.dbg("bridge", self.ssl_client(srv.port, "fingerprint=" + spelling, ca=None))
                self.assertEqual(p.returncode, 0, p.stderr)
        # The fingerprint of another certificate (of the same CA).
        p = self.dbg("bridge", self.ssl_client(srv.port, "fingerprint=" + self.certs.fingerprint("other"),
                                               ca=None))
        self.assert_fails(p, 1, "does not have the expected fingerprint")
        # A pin that is not a SHA-256 fingerprint at all.
        p = self.dbg("bridge", self.ssl_client(srv.port, "fingerprint=SHA256:" + hexdigits[:-2], ca=None))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("bad fingerprint", p.stderr)
        self.assertEqual(srv.log_text().count("launched "), 1)

    def test_client_must_verify_the_server(self):
        # Neither ca= nor fingerprint=: refused before connecting, as a
        # usage error (exit 2, like the other transport mistakes).
        srv = self.ssl_server()
        p = self.dbg("bridge", self.ssl_client(srv.port, ca=None))
        self.assertIn("the server must be verified", p.stderr)
        # It did not connect: the next client is the server's first.
        self.assertEqual(self.dbg("bridge", self.ssl_client(srv.port)).returncode, 0)
        self.wait_log(srv, "connected")
        self.assertEqual(srv.log_text().count("connection from"), 1)
        self.assertEqual(p.returncode, 2, "dbg exit %s: %s" % (p.returncode, p.stderr))

    def test_listen_bridge_that_cannot_verify_the_server_does_not_start(self):
        # The same usage error with --listen: found before offering a port
        # that could never work.
        srv = self.ssl_server()
        p = self.popen([DBG, "bridge", "--listen", "127.0.0.1:0", self.ssl_client(srv.port, ca=None)])
        line = p.stdout.readline()   # "Listening on ..." or end of file
        self.assertEqual(line, "", "dbg bridge --listen started anyway: %r" % line)
        self.assertEqual(p.wait(10), 2)
        self.assertIn("the server must be verified", p.stderr.read())

    def test_server_of_another_ca_is_rejected(self):
        srv = self.ssl_server()
        p = self.dbg("bridge", self.ssl_client(srv.port, ca="ca2"))
        self.assert_fails(p, 1, "TLS handshake failed", "certificate not accepted")
        self.wait_log(srv, "TLS handshake failed")
        self.assertEqual(self.peer_info(srv), [])

    def test_server_certificate_must_name_the_server(self):
        # Signed by the right CA, but for other.example.
        srv = self.ssl_server(cert="other")
        for host in ("127.0.0.1", "localhost"):
            with self.subTest(server=host):
                p = self.dbg("bridge", self.ssl_client(srv.port, server=host))
                self.assert_fails(p, 1, "certificate not accepted")
                self.assertRegex(p.stderr, r"(?i)mismatch")
        self.assertEqual(self.peer_info(srv), [])
        # The certificate itself is fine: pinned, it is accepted.
        p = self.dbg("bridge", self.ssl_client(srv.port, "fingerprint=" + self.certs.fingerprint("other"),
                                               ca=None))
        self.assertEqual(p.returncode, 0, p.stderr)

    # ------------------------------------------------------------ client certificates
    def test_client_certificates(self):
        srv = self.ssl_server("ca=" + self.certs.pem("ca"))
        # Without a certificate.
        p = self.dbg("bridge", self.ssl_client(srv.port))
        self.assert_fails(p, 1, "client certificate")
        self.wait_log(srv, "TLS handshake failed")
        # With alice's.
        out = self.gdb_via(self.ssl_client(srv.port, self.as_client("alice")))
        self.assert_hello_session(out)
        self.assertEqual(self.peer_info(srv), ["TLSv1.3, client certificate /CN=alice"])
        # With one from the unrelated CA.
        p = self.dbg("bridge", self.ssl_client(srv.port, self.as_client("mallory")))
        self.assert_fails(p, 1, "client certificate")
        self.wait_log(srv, "client certificate not accepted")
        self.assertEqual(len(self.peer_info(srv)), 1)
        self.assertEqual(srv.log_text().count("launched "), 1)
        # A certificate with the wrong key is refused by dbg itself.
        p = self.dbg("bridge", self.ssl_client(srv.port, "cert=%s,key=%s" % (
            self.certs.pem("alice"), self.certs.key("mallory"))))
        self.assert_fails(p, 2, "cannot load key")   # found before connecting

    def test_client_certificate_refusals_are_named_with_tls12(self):
        # With TLS 1.2 the server refuses a client certificate (missing, or
        # of another CA) within the handshake itself, with an alert. dbg
        # should still say that the client certificate is the problem, not
        # suggest that the server does not speak TLS.
        srv = self.ssl_server("ca=" + self.certs.pem("ca"))
        for extra in ("proto=tls1.2", "proto=tls1.2," + self.as_client("mallory")):
            with self.subTest(client=extra):
                p = self.dbg("bridge", self.ssl_client(srv.port, extra))
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn("client certificate", p.stderr)
                self.assertNotIn("is the other side speaking TLS?", p.stderr)
        self.assertEqual(self.peer_info(srv), [])

    # ------------------------------------------------------------ proto=
    def test_protocol_versions(self):
        srv13 = self.ssl_server("proto=tls1.3")
        p = self.dbg("bridge", self.ssl_client(srv13.port, "proto=tls1.2"))
        self.assert_fails(p, 1, "TLS handshake failed")
        self.wait_log(srv13, "TLS handshake failed")
        p = self.dbg("bridge", self.ssl_client(srv13.port, "proto=tls1.3"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.peer_info(srv13), ["TLSv1.3"])

        srv12 = self.ssl_server("proto=tls1.2")
        out = self.gdb_via(self.ssl_client(srv12.port, "proto=tls1.2"))
        self.assert_hello_session(out)
        p = self.dbg("bridge", self.ssl_client(srv12.port))   # no proto=: agrees on 1.2
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.dbg("bridge", self.ssl_client(srv12.port, "proto=tls1.3"))
        self.assert_fails(p, 1, "TLS handshake failed")
        self.assertEqual(self.peer_info(srv12), ["TLSv1.2", "TLSv1.2"])

    # ------------------------------------------------------------ mismatched clients
    def test_plain_clients_of_a_tls_server(self):
        srv = self.ssl_server()
        out = run_gdb(srv, [NO_NATIVE, "info program"], program("hello"), timeout=GDB_TIMEOUT)
        self.assertRegex(out, r"Remote communication error|Remote connection closed|Connection reset")
        self.assertNotIn("Breakpoint", out)
        self.wait_log(srv, "TLS handshake failed")
        p = self.dbg("bridge", "tcp:server=127.0.0.1,port=%d" % srv.port)
        self.assert_fails(p, 1, "is it a TLS server?")
        self.wait_log(srv, "TLS handshake failed", count=2)
        # The server goes on serving.
        self.assertIsNone(srv.proc.poll())
        self.assert_hello_session(self.gdb_via(self.ssl_client(srv.port)))
        self.assertEqual(self.peer_info(srv), ["TLSv1.3"])

    def test_tls_client_of_a_plain_server(self):
        srv = self.server("-t", "tcp:port=0")
        t0 = time.monotonic()
        bad = self.popen([DBG, "bridge", self.ssl_client(srv.port)])
        session_of(srv)
        # Others are served meanwhile, and afterwards.
        out = run_gdb(srv, HELLO, program("hello"), timeout=GDB_TIMEOUT)
        self.assert_hello_session(out)
        try:
            _, err = bad.communicate(timeout=45)
        except subprocess.TimeoutExpired:
            self.fail("dbg bridge ssl: to a plain server did not give up in 45s")
        self.assertEqual(bad.returncode, 1, err)
        self.assertIn("TLS handshake failed", err)
        # It gives up at the latest after the handshake timeout (30s).
        self.assertLess(time.monotonic() - t0, 40)
        self.assert_hello_session(run_gdb(srv, HELLO, program("hello"), timeout=GDB_TIMEOUT))
        self.assertEqual(srv.log_text().count("launched "), 2)

    # ------------------------------------------------------------ password
    def test_tls_with_password(self):
        pwf = self.tmp_path("pw")
        with open(pwf, "w") as f:
            f.write("tls and a password\n")
        wrong = self.tmp_path("wrong")
        with open(wrong, "w") as f:
            f.write("not the password\n")
        srv = self.ssl_server("password-file=" + pwf)
        out = self.gdb_via(self.ssl_client(srv.port, "password-file=" + pwf))
        self.assert_hello_session(out)
        self.assertEqual(srv.log_text().count("authenticated by password"), 1)
        self.assertRegex(srv.log_text(), r"\[TLSv1\.3\]\): authenticated by password")
        p = self.dbg("bridge", self.ssl_client(srv.port, "password-file=" + wrong))
        self.assert_fails(p, 1, "password rejected")
        p = self.dbg("bridge", self.ssl_client(srv.port))
        self.assert_fails(p, 1, "requires a password")
        self.assertEqual(srv.log_text().count("authenticated by password"), 1)

    # ------------------------------------------------------------ spipe:
    def test_gdb_debugs_over_spipe(self):
        name = self.pipe_name("spipe")
        path = os.path.join(RUNTIME_DIR, name)
        srv = self.server("-t", "spipe:pipe=%s,cert=%s,key=%s" % (name, self.certs.pem("server"),
                                                                 self.certs.key("server")))
        self.assertEqual(srv.announcement, "Listening on spipe:pipe=%s (%s)\n" % (name, path))
        out = self.gdb_via("spipe:pipe=%s,ca=%s" % (name, self.certs.pem("ca")))
        self.assert_hello_session(out)
        self.assertEqual(self.peer_info(srv), ["TLSv1.3"])
        self.assertIn("connection from uid 0 ", srv.log_text())
        # The server is still checked; a plain client is told what it is.
        p = self.dbg("bridge", "spipe:pipe=%s,ca=%s" % (name, self.certs.pem("ca2")))
        self.assert_fails(p, 1, "certificate not accepted")
        p = self.dbg("bridge", "npipe:pipe=" + name)
        self.assert_fails(p, 1, "is it a TLS server?")
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(path), "%s left behind" % path)

    # ------------------------------------------------------------ relay processes
    def relays_of(self, pid, exe):
        """The processes below PID running EXE."""
        real = os.path.realpath(exe)
        return [p for p in descendants_of(pid) if exe_of(p) == real]

    def session_with_relays(self, srv):
        """Starts gdb through dbg on SRV and holds it at the breakpoint in
        add; returns (gdb, session pid, server relay pid, dbg pids)."""
        g = start_gdb(self.bridge(self.ssl_client(srv.port)),
                      [NO_NATIVE, "break add", "run 3"] + self.pause("at-add") + ["bt", "delete", "continue"],
                      program("hello"))
        self.addCleanup(self._reap_gdb, g)
        self.wait_marker("at-add", g)
        session = session_of(srv)
        debuggee = wait_launched(srv)
        relays = self.relays_of(session, DBGSRV)
        self.assertEqual(len(relays), 1, "relays below session %d: %r" % (session, relays))
        self.assertEqual(sorted(descendants_of(srv.pid)), sorted([session, relays[0], debuggee]))
        dbgs = self.relays_of(g.pid, DBG)
        self.assertEqual(len(dbgs), 2, "dbg bridge and its relay expected below gdb: %r" % dbgs)
        return g, session, relays[0], dbgs

    def test_relays_end_with_their_sessions(self):
        srv = self.ssl_server()
        g, session, relay, dbgs = self.session_with_relays(srv)
        self.release("at-add")
        out = finish_gdb(g, GDB_TIMEOUT)
        self.assertIn("exited with code 03", out)
        wait_sessions_end(srv)
        for pid in [session, relay] + dbgs:
            wait_for(lambda: not_running(pid), what="process %d to end (%s)" % (pid, proc_state(pid)))
        self.assertEqual(srv.stop(), 0)
        self.assertEqual(descendants_of(srv.pid), [])

    def test_relays_end_when_the_server_stops_during_a_session(self):
        srv = self.ssl_server()
        g, session, relay, dbgs = self.session_with_relays(srv)
        debuggee = wait_launched(srv)
        self.assertEqual(srv.stop(), 0)
        for pid in (session, relay, debuggee):
            wait_for(lambda: not_running(pid), timeout=5,
                     what="process %d to end (%s)" % (pid, proc_state(pid)))
        self.release("at-add")
        out = finish_gdb(g, GDB_TIMEOUT)
        self.assertNotIn("exited with code 03", out)
        for pid in dbgs:
            wait_for(lambda: not_running(pid), what="dbg process %d to end" % pid)

    # ------------------------------------------------------------ server errors
    def start_fails(self, spec):
        p = subprocess.run([DBGSRV, "-t", spec], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=20, start_new_session=True)
        self.assertNotIn("Listening", p.stdout)
        return p.returncode, p.stderr

    def test_server_configuration_errors(self):
        c = self.certs
        missing = os.path.join(c.dir, "no-such-file.pem")
        usage = ["ssl:port=0", "ssl:port=0,cert=" + c.pem("server"), "ssl:port=0,key=" + c.key("server"),
                 "ssl:port=0,cert=%s,key=%s,fingerprint=%s" % (c.pem("server"), c.key("server"),
                                                               c.fingerprint("server"))]
        for spec in usage:
            with self.subTest(spec=spec):
                rc, err = self.start_fails(spec)
                self.assertEqual(rc, 2, err)
                self.assertIn("needs cert=FILE and key=FILE" if "fingerprint" not in spec
                              else "fingerprint=", err)
        unloadable = ["ssl:port=0,cert=%s,key=%s" % (missing, c.key("server")),
                      "ssl:port=0,cert=%s,key=%s" % (c.pem("server"), missing),
                      "ssl:port=0,cert=%s,key=%s" % (c.pem("server"), c.key("alice"))]
        for spec in unloadable:
            with self.subTest(spec=spec):
                rc, err = self.start_fails(spec)
                self.assertEqual(rc, 1, err)
                self.assertIn("cannot load", err)

    def test_tls_server_may_bind_any_address(self):
        # In a private network namespace, so that nothing is exposed.
        p = self.popen(NETNS + [DBGSRV, "-t", "ssl:port=0,bind=0.0.0.0,cert=%s,key=%s" % (
            self.certs.pem("server"), self.certs.key("server"))])
        line = p.stdout.readline()
        if not line:
            self.fail("no announcement; exit %s: %s" % (p.wait(10), p.stderr.read()))
        self.assertRegex(line, r"^Listening on ssl:port=[1-9]\d*,bind=0\.0\.0\.0\n$")
        p.send_signal(signal.SIGTERM)   # p is dbgsrv itself (unshare and sh exec)
        self.assertEqual(p.wait(20), 0)

    # ------------------------------------------------------------ the wire
    def test_no_plaintext_on_the_wire(self):
        srv = self.ssl_server()
        proxy = Proxy(srv.port)
        self.addCleanup(proxy.close)
        out = self.gdb_via(self.ssl_client(proxy.port, server="127.0.0.1"))
        self.assert_hello_session(out)
        wait_sessions_end(srv)
        sent, received = proxy.client_bytes(), proxy.server_bytes()
        # The capture holds the session: TLS records (handshake first) and
        # more than a handshake's worth of them.
        self.assertEqual(sent[:1], b"\x16", sent[:16])
        self.assertEqual(received[:1], b"\x16", received[:16])
        self.assertGreater(len(sent) + len(received), 8000)
        everything = sent + received
        for plain in (b"qSupported", b"vCont", b"vRun", b"qDbgsrvHello", b"PacketSize",
                      b"swbreak", hexstr(program("hello")).encode()):
            self.assertNotIn(plain, everything, "%r crossed the wire in the clear" % plain)

    # ------------------------------------------------------------ many handshakes
    def test_many_handshakes_all_finish(self):
        # Each dbg completes the TLS and dbgsrv handshakes and ends; several
        # at once, so that the processes' timing varies. None may hang.
        srv = self.ssl_server()
        transport = self.ssl_client(srv.port)
        hung, failed = [], []
        lock = threading.Lock()

        def one(_):
            with lock:
                if hung:   # one is enough; do not spend more time
                    return
            p = subprocess.Popen([DBG, "bridge", transport], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                 start_new_session=True)
            try:
                _, err = p.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)   # dbg and its relay: this group is ours
                p.communicate()
                with lock:
                    hung.append(p.pid)
                return
            if p.returncode != 0:
                with lock:
                    failed.append(err.strip())

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(300)))
        self.assertEqual(failed, [])
        self.assertFalse(hung, "%d runs of dbg bridge ssl: hung (the test stops at the first)" % len(hung))


if __name__ == "__main__":
    main()
