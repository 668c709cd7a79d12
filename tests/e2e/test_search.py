"""Finding process servers: dbg -QR (this machine's registry), dbg -QR HOST
(a unicast search) and dbg -QR --lan (multicast), hidden and reverse
servers never listed, port ranges shown with the port in use first, stale
entries pruned or marked, and monitor sessions.

The network searches run in two network namespaces the test creates and
joins with a veth pair: "server" and "client" hosts with their own
loopback, so no other server on this machine answers and nothing leaves it."""
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import unittest

from dbgsrv_test import DBG, Server, TestCase, main, program, start_gdb, tracer_pid, wait_for


def ip(*args):
    subprocess.run(["ip"] + list(args), check=True, capture_output=True, timeout=20)


class Namespaces:
    """Two namespaces, "srv" (10.N.M.1) and "cli" (10.N.M.2), on one veth link."""

    def __init__(self):
        tag = "%d%04x" % (os.getpid() % 100000, random.randrange(0x10000))
        self.srv, self.cli = "dsrv-s" + tag, "dsrv-c" + tag
        a, b = random.randrange(64, 250), random.randrange(1, 250)
        self.srv_addr, self.cli_addr = "10.%d.%d.1" % (a, b), "10.%d.%d.2" % (a, b)
        veth_s, veth_c = "vs" + tag, "vc" + tag
        ip("netns", "add", self.srv)
        try:
            ip("netns", "add", self.cli)
            ip("link", "add", veth_s, "type", "veth", "peer", "name", veth_c)
            ip("link", "set", veth_s, "netns", self.srv)
            ip("link", "set", veth_c, "netns", self.cli)
            for ns, dev, addr in ((self.srv, veth_s, self.srv_addr), (self.cli, veth_c, self.cli_addr)):
                ip("-n", ns, "addr", "add", addr + "/24", "dev", dev)
                ip("-n", ns, "link", "set", dev, "up")
                ip("-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise

    def close(self):
        for ns in (self.srv, self.cli):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=20)

    def exec_prefix(self, ns):
        return ["ip", "netns", "exec", ns]


def have_netns():
    return shutil.which("ip") is not None and os.geteuid() == 0


class SearchTest(TestCase):
    def setUp(self):
        super().setUp()
        self.runtime = tempfile.mkdtemp(prefix="dbgsrv-rt-")
        os.chmod(self.runtime, 0o700)
        self.addCleanup(shutil.rmtree, self.runtime, True)
        self.env = dict(os.environ, DBGSRV_RUNTIME_DIR=self.runtime)

    def start(self, *args, ns=None):
        prefix = ["ip", "netns", "exec", ns] if ns else ()
        return self.server(*args, env=self.env, prefix=prefix)

    def dbg(self, *args, ns=None, rc=None):
        prefix = ["ip", "netns", "exec", ns] if ns else []
        p = subprocess.run(prefix + [DBG, "-QR"] + list(args), capture_output=True, text=True, env=self.env,
                           timeout=30)
        if rc is not None:
            self.assertEqual(p.returncode, rc, p.stdout + p.stderr)
        return p.stdout + p.stderr

    def listed(self, out):
        return re.findall(r"^Remote Process Server - (.*)$", out, re.M)

    def entries(self):
        d = os.path.join(self.runtime, "servers")
        return sorted(f for f in os.listdir(d) if f.endswith(".srv")) if os.path.isdir(d) else []

    # ---- this machine: the registry ----

    def test_local_search_lists_visible_servers(self):
        tcp = self.start("-t", "tcp:port=0")
        pipe = self.start("-t", "npipe:pipe=AnotherPipe%d")
        self.start("-t", "tcp:port=0,hidden")
        self.start("-t", "npipe:pipe=Secret%d,hidden")
        out = self.dbg(rc=0)
        self.assertRegex(out, r"^Servers on \S+:\n")
        self.assertEqual(sorted(self.listed(out)),
                         sorted(["tcp:port=%d" % tcp.port, "npipe:pipe=AnotherPipe%d" % pipe.pid]))
        self.assertEqual(len(self.entries()), 2)   # hidden ones wrote nothing either

    def test_search_reveals_no_secret(self):
        pw = os.path.join(self.runtime, "pw")
        with open(pw, "w") as f:
            f.write("s3cret-pass\n")
        self.start("-t", "tcp:port=0,password-file=" + pw)
        self.start("-t", "tcp:port=0,password=other-secret")
        out = self.dbg(rc=0)
        self.assertEqual(len(self.listed(out)), 2)
        for entry in self.entries():
            with open(os.path.join(self.runtime, "servers", entry)) as f:
                text = f.read()
            self.assertNotIn("secret", text)
            self.assertNotIn("pass", text)
            self.assertNotIn(pw, text)
        self.assertNotIn("secret", out)
        self.assertNotIn("password", out)

    def test_port_range_shows_the_port_in_use_first(self):
        first = self.start("-t", "tcp:port=0")   # a free port to build a range on
        port = first.port
        first.stop()
        srv = self.start("-t", "tcp:port=%d:%d" % (port, port + 5))
        self.assertEqual(self.listed(self.dbg(rc=0)), ["tcp:port=%d:%d" % (srv.port, port + 5)])
        self.assertEqual(srv.port, port)
        second = self.start("-t", "tcp:port=%d:%d" % (port, port + 5))   # the range's next free port
        self.assertGreater(second.port, port)
        self.assertIn("tcp:port=%d:%d" % (second.port, port + 5), self.listed(self.dbg(rc=0)))

    def test_reverse_connection_servers_are_not_listed(self):
        port = self.start("-t", "tcp:port=0").port   # something else listed
        rev = subprocess.Popen([DBGSRV_PATH(), "-t", "tcp:clicon=127.0.0.1,port=%d" % free_port_()],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env,
                               start_new_session=True)
        self.addCleanup(lambda: (rev.kill(), rev.wait()))
        wait_for(lambda: rev.poll() is None, what="the reverse server running")
        self.assertEqual(self.listed(self.dbg(rc=0)), ["tcp:port=%d" % port])

    def test_entries_go_with_their_server(self):
        srv = self.start("-t", "tcp:port=0")
        self.assertEqual(len(self.entries()), 1)
        self.assertEqual(srv.stop(), 0)
        self.assertEqual(self.entries(), [])
        self.assertIn("(none)", self.dbg(rc=0))

    def test_stale_entry_of_a_killed_server_is_pruned(self):
        srv = self.start("-t", "tcp:port=0")
        keep = self.start("-t", "tcp:port=0")
        srv.stop(signal.SIGKILL)
        self.assertEqual(len(self.entries()), 2)         # it could not clean up
        self.assertEqual(self.listed(self.dbg(rc=0)), ["tcp:port=%d" % keep.port])
        self.assertEqual(len(self.entries()), 1)         # provably dead: pruned
        # Connecting to where it was gives a clear error.
        p = subprocess.run(["gdb", "-batch", "-iex", "set remotetimeout 10", "-ex",
                            "target extended-remote | %s bridge tcp:port=%d" % (DBG, srv.port)],
                           capture_output=True, text=True, timeout=30)
        self.assertIn("connection refused", (p.stdout + p.stderr).lower())

    def test_stale_entry_that_cannot_be_removed_is_marked(self):
        srv = self.start("-t", "tcp:port=0")
        srv.stop(signal.SIGKILL)
        d = os.path.join(self.runtime, "servers")
        # A reader that may not remove it (an unprivileged user) marks it instead.
        os.chmod(self.runtime, 0o711)
        os.chmod(d, 0o755)
        out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", DBG, "-QR"],
                             capture_output=True, text=True, env=self.env, timeout=30).stdout
        self.assertIn("Remote Process Server - tcp:port=%d (stale: its server is gone)" % srv.port, out)
        self.assertEqual(len(self.entries()), 1)

    def test_garbage_in_the_registry_is_ignored(self):
        srv = self.start("-t", "tcp:port=0")
        d = os.path.join(self.runtime, "servers")
        for name, text in (("1.srv", "pid=abc\n"), ("2.srv", "\x00\xff" * 100), ("3.srv", ""),
                           ("4.srv", "pid=4\ntransport=\x1b[31mred\nreach=local\n")):
            with open(os.path.join(d, name), "w", errors="surrogateescape") as f:
                f.write(text)
        self.assertEqual(self.listed(self.dbg(rc=0)), ["tcp:port=%d" % srv.port])

    def test_bad_options(self):
        self.assertIn("unknown option", self.dbg("--frob", rc=2))
        self.assertIn("either a HOST or --lan", self.dbg("--lan", "host", rc=2))
        self.assertIn("--wait takes seconds", self.dbg("--wait", "x", rc=2))
        self.assertIn("cannot resolve", self.dbg("no-such-host.invalid", rc=2))

    # ---- monitor sessions ----

    def test_monitor_sessions(self):
        srv = self.start("-t", "tcp:port=0")
        spin = self.start_program("spin")
        other = start_gdb(srv, ["attach %d" % spin.pid, "continue"], program("spin"))
        self.addCleanup(self._reap_gdb, other)
        wait_for(lambda: tracer_pid(spin.pid) not in (0, None), what="the attach")
        out = self.gdb(srv, ["break add", "run", "monitor sessions"], program("hello"))
        lines = [l for l in out.splitlines() if re.match(r"^[* ] session \d+", l)]
        self.assertEqual(len(lines), 2, out)
        self.assertIn("2 sessions", out)
        mine = [l for l in lines if l.startswith("*")]
        theirs = [l for l in lines if l.startswith(" ")]
        self.assertEqual(len(mine), 1)
        self.assertRegex(theirs[0], r"session 1  peer 127\.0\.0\.1:\d+  authenticated: none  "
                                    r"debuggees: %d \(attached\)  since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d" % spin.pid)
        self.assertRegex(mine[0], r"session 2 .*debuggees: \d+ \(launched\)")

    def test_monitor_sessions_shows_how_a_session_authenticated(self):
        srv = self.start("-t", "tcp:port=0,password=pw1")
        p = subprocess.run(["gdb", "-batch", "-iex", "set remotetimeout 10", "-ex", "target extended-remote | %s bridge tcp:port=%d,password=pw1"
                            % (DBG, srv.port), "-ex", "monitor sessions"], capture_output=True, text=True,
                           timeout=60)
        self.assertRegex(p.stdout + p.stderr, r"\* session 1  peer \S+  authenticated: password  debuggees: none")

    # ---- other hosts: the network searches ----

    def netns(self):
        if not have_netns():
            self.skipTest("needs root and iproute2 for network namespaces")
        n = Namespaces()
        self.addCleanup(n.close)
        return n

    def test_search_of_another_host(self):
        n = self.netns()
        pw = ["password=pw"]
        wide = self.start("-t", "tcp:port=2159,bind=0.0.0.0," + pw[0], ns=n.srv)
        ranged = self.start("-t", "tcp:port=3000:3010,bind=%s,%s" % (n.srv_addr, pw[0]), ns=n.srv)
        lo = self.start("-t", "tcp:port=0", ns=n.srv)                          # loopback only
        self.start("-t", "npipe:pipe=AnotherPipe", ns=n.srv)                   # this machine only
        self.start("-t", "tcp:port=4000,bind=0.0.0.0,hidden," + pw[0], ns=n.srv)  # hidden
        out = self.dbg(n.srv_addr, ns=n.cli, rc=0)
        self.assertTrue(out.startswith("Servers on %s:\n" % n.srv_addr), out)
        self.assertEqual(sorted(self.listed(out)), ["tcp:port=2159", "tcp:port=3000:3010"])
        self.assertEqual((wide.port, ranged.port), (2159, 3000))
        # On the server host itself, its loopback reaches the wildcard, the
        # loopback and the pipe servers, not the one bound to the veth address.
        local = self.listed(self.dbg("127.0.0.1", ns=n.srv, rc=0))
        self.assertEqual(sorted(local), sorted(["tcp:port=2159", "tcp:port=%d" % lo.port,
                                                "npipe:pipe=AnotherPipe"]))
        # Its registry lists all four visible ones.
        self.assertEqual(len(self.listed(self.dbg(ns=n.srv, rc=0))), 4)
        # DbgSrv's \\HOST spelling.
        self.assertEqual(sorted(self.listed(self.dbg("\\\\" + n.srv_addr, ns=n.cli, rc=0))),
                         ["tcp:port=2159", "tcp:port=3000:3010"])

    def test_lan_search(self):
        n = self.netns()
        self.start("-t", "tcp:port=2159,bind=0.0.0.0,password=pw", ns=n.srv)
        self.start("-t", "tcp:port=2160,bind=0.0.0.0,password=pw", ns=n.srv)
        self.start("-t", "tcp:port=0", ns=n.srv)                # loopback: not on the network
        out = self.dbg("--lan", "--wait", "1", ns=n.cli, rc=0)
        blocks = re.findall(r"^Servers on (\S+) \((\S+)\):$", out, re.M)
        self.assertEqual(len(blocks), 1, out)
        self.assertEqual(blocks[0][1], n.srv_addr)
        self.assertEqual(sorted(self.listed(out)), ["tcp:port=2159", "tcp:port=2160"])

    def test_no_answer(self):
        n = self.netns()
        out = self.dbg(n.srv_addr, "--wait", "0.5", ns=n.cli, rc=1)
        self.assertIn("no answer", out)
        out = self.dbg("--lan", "--wait", "0.5", ns=n.cli, rc=1)
        self.assertIn("No process server answered", out)
        # A hidden server stays silent too.
        self.start("-t", "tcp:port=2159,bind=0.0.0.0,hidden,password=pw", ns=n.srv)
        self.assertIn("no answer", self.dbg(n.srv_addr, "--wait", "0.5", ns=n.cli, rc=1))

    def test_stray_datagrams_get_no_answer_and_do_no_harm(self):
        n = self.netns()
        srv = self.start("-t", "tcp:port=2159,bind=0.0.0.0,password=pw", ns=n.srv)
        script = ("import socket\n"
                  "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                  "s.settimeout(0.5)\n"
                  "for d in [b'', b'DBGSRV-SEARCH 1 \\n', b'DBGSRV-SEARCH 1 0123456789ABCDEF\\n',\n"
                  "          b'DBGSRV-SEARCH 2 0123456789abcdef\\n', b'\\xff' * 5000, b'x' * 60000]:\n"
                  "    s.sendto(d, ('%s', 2159))\n"
                  "try:\n"
                  "    print(s.recvfrom(9000))\n"
                  "except socket.timeout:\n"
                  "    print('silent')\n" % n.srv_addr)
        p = subprocess.run(["ip", "netns", "exec", n.cli, "python3", "-c", script], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(p.stdout.strip(), "silent", p.stderr)
        self.assertIsNone(srv.proc.poll())
        self.assertEqual(self.listed(self.dbg(n.srv_addr, ns=n.cli, rc=0)), ["tcp:port=2159"])


def DBGSRV_PATH():
    from dbgsrv_test import DBGSRV
    return DBGSRV


def free_port_():
    from dbgsrv_test import free_port
    return free_port()


if __name__ == "__main__":
    main()
