"""The server's transports besides plain TCP, end to end.

npipe: a Unix socket in the runtime directory (/run/dbgsrv for root): gdb
debugs through it; %d/%x in the name are the server's PID; a name served by
a live server is refused, a leftover socket of a dead one replaced; the file
goes when the server stops; other users are refused unless allow= names
them; a non-root server uses its own runtime directory.
stdio: one session on dbgsrv's stdin/stdout, started by gdb through a pipe;
launched programs write to stderr so the protocol stays clean; the server
ends with gdb.
tcp port ranges: the first free port of FIRST:LAST, consecutive servers,
a range all in use.
The secure default: a non-loopback address without password or TLS is
refused unless --insecure (tested inside a private network namespace, so
nothing is exposed on real interfaces); loopback aliases are loopback.
Features this version does not have are refused by name.

Every process started here is killed by PID; every pipe name includes the
test's PID and every file created is removed.
"""
import os
import pwd
import random
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

from dbgsrv_test import (TestCase, RawClient, descendants_of, main, proc_state, program, run_gdb,
                         start_gdb, wait_for)

DBGSRV = os.environ.get("DBGSRV", "dbgsrv")
RUNTIME_DIR = "/run/dbgsrv"          # the runtime directory of a root server
NOBODY = 65534
SETPRIV_NOBODY = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups", "--"]
# Runs the command in a new network namespace with only loopback up.
NETNS = ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$0" "$@"']

_names = iter(range(1, 1000))


def unique_pipe(tag):
    return "t3-%s-%d-%d" % (tag, os.getpid(), next(_names))


def read_line(proc, timeout=20.0):
    """One line of PROC's stdout (bytes, unbuffered), "" at end of file."""
    fd = proc.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + timeout
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no line from dbgsrv within %gs (so far %r)" % (timeout, buf))
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace")


def not_running(pid):
    return proc_state(pid) in (None, "Z")


class ServerProcess:
    """dbgsrv with any transport (or failing to start). Reads its first
    line: "Listening on DESCRIPTION [(PATH)]" or nothing if it exits."""

    def __init__(self, args, prefix=(), env=None, read=True):
        self.args = list(args)
        self.closed = False
        self.log = tempfile.NamedTemporaryFile(prefix="dbgsrv-t3-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(list(prefix) + [DBGSRV] + self.args, stdout=subprocess.PIPE,
                                     stderr=self.log, stdin=subprocess.DEVNULL, env=env, bufsize=0,
                                     start_new_session=True)
        self.line = None
        self.listening = False
        self.description = self.path = self.bind = None
        self.port = None
        if read:
            self.read_announcement()

    def read_announcement(self):
        """Reads the first line: "Listening on ..." or end of file."""
        self.line = read_line(self.proc)
        m = re.match(r"Listening on (\S+)(?: \((.+)\))?\n$", self.line)
        self.listening = bool(m)
        if m:
            self.description, self.path = m.group(1), m.group(2)
            t = re.match(r"tcp:port=(\d+)(?::\d+)?,bind=(\S+)$", self.description)
            if t:
                self.port, self.bind = int(t.group(1)), t.group(2)
        return self.listening

    @property
    def pid(self):
        return self.proc.pid

    @property
    def address(self):
        """What gdb's target command takes."""
        if self.path:
            return self.path
        host = "[%s]" % self.bind if ":" in self.bind else self.bind
        return "%s:%d" % (host, self.port)

    def log_text(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def wait(self, timeout=20):
        return self.proc.wait(timeout)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout)
        return self.proc.returncode

    def close(self):
        """Stops the server (SIGTERM, so that it removes its socket file),
        killing it and what it started if that does not work."""
        if self.closed:
            return
        self.closed = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            for pid in reversed(descendants_of(self.proc.pid)):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        os.unlink(self.log.name)


class StdioTarget:
    """For run_gdb/start_gdb: gdb starts dbgsrv itself through a pipe."""
    address = "| %s -t stdio" % DBGSRV


class Address:
    def __init__(self, address):
        self.address = address


# A small RSP client over a Unix socket, run as a separate process so that
# it can run as another user. Prints "closed" if the server closes the
# connection, "reply PAYLOAD" for its answer to qSupported, or "error ...".
CONNECTOR = r'''
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
try:
    s.connect(sys.argv[1])
    payload = b"qSupported:multiprocess+"
    s.sendall(b"$" + payload + b"#%02x" % (sum(payload) & 0xff))
    buf = b""
    while True:
        i = buf.find(b"$")
        if i >= 0 and buf.find(b"#", i) >= 0 and len(buf) >= buf.find(b"#", i) + 3:
            print("reply " + buf[i + 1:buf.find(b"#", i)].decode("latin-1"))
            break
        chunk = s.recv(4096)
        if not chunk:
            print("closed" if not buf else "closed after %r" % buf)
            break
        buf += chunk
except (BrokenPipeError, ConnectionResetError):
    print("closed")
except Exception as e:
    print("error %s: %s" % (type(e).__name__, e))
'''


def connect(path, as_user=None):
    """Connects to the Unix socket PATH (as uid AS_USER if given), asks
    qSupported; returns the connector's one-line verdict."""
    prefix = ["setpriv", "--reuid=%d" % as_user, "--regid=%d" % as_user, "--clear-groups", "--"] \
        if as_user is not None else []
    p = subprocess.run(prefix + [sys.executable, "-c", CONNECTOR, path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, timeout=30,
                       start_new_session=True)
    return p.stdout.strip()


def free_port_range(n):
    """A range of N consecutive loopback ports that were free just now
    (below the ephemeral range, so that port=0 servers do not take them)."""
    for _ in range(200):
        base = random.randrange(20000, 30000 - n)
        socks = []
        try:
            for port in range(base, base + n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise AssertionError("no %d consecutive free ports found" % n)


def unused_uid():
    for uid in range(61000, 64000):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            if not os.path.exists("/tmp/dbgsrv-%d" % uid):
                return uid
    raise AssertionError("no unused uid")


class TransportTestCase(TestCase):
    def start(self, *args, prefix=(), env=None):
        """Starts dbgsrv, which must announce that it listens."""
        s = ServerProcess(args, prefix, env)
        self.addCleanup(s.close)
        if not s.listening:
            rc = s.proc.wait(20)
            self.fail("dbgsrv %s did not start (line %r, exit %s):\n%s" % (" ".join(args), s.line, rc,
                                                                           s.log_text()))
        return s

    def start_fails(self, *args, prefix=(), env=None):
        """Starts dbgsrv, which must exit without listening; returns its
        exit status and stderr."""
        s = ServerProcess(args, prefix, env)
        self.addCleanup(s.close)
        if s.listening:
            self.fail("dbgsrv %s should have failed but says: %s" % (" ".join(args), s.line.strip()))
        return s.wait(20), s.log_text()

    def remove_later(self, path):
        def remove():
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        self.addCleanup(remove)

    def runtime_dir(self):
        """Makes sure /run/dbgsrv exists (as the server would make it)."""
        if not os.path.isdir(RUNTIME_DIR):
            os.mkdir(RUNTIME_DIR, 0o711)

            def remove_if_empty():
                try:
                    os.rmdir(RUNTIME_DIR)
                except OSError:
                    pass
            self.addCleanup(remove_if_empty)
        return RUNTIME_DIR

    def npipe(self, name, *extra):
        """Starts a root server on pipe NAME; checks what it announces."""
        path = os.path.join(RUNTIME_DIR, name)
        self.remove_later(path)
        spec = "npipe:pipe=" + name + "".join("," + e for e in extra)
        srv = self.start("-t", spec)
        self.assertEqual(srv.line, "Listening on npipe:pipe=%s (%s)\n" % (name, path))
        return srv

    def assertReplyTo(self, verdict):
        self.assertTrue(verdict.startswith("reply ") and "PacketSize=" in verdict,
                        "no qSupported reply: %r" % verdict)


class NpipeTest(TransportTestCase):
    def test_gdb_debugs_through_a_pipe(self):
        name = unique_pipe("gdb")
        srv = self.npipe(name)
        path = os.path.join(RUNTIME_DIR, name)
        st = os.stat(path)
        self.assertTrue(stat.S_ISSOCK(st.st_mode), "%s is not a socket" % path)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o666)
        self.assertEqual(stat.S_IMODE(os.stat(RUNTIME_DIR).st_mode), 0o711)
        out = run_gdb(Address(path), ["break add", "run", "bt", "continue", "delete", "continue"],
                      program("hello"))
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("in main (", out)
        self.assertIn("Breakpoint 1, add (a=0, b=1)", out)
        self.assertIn("exited normally", out)
        self.assertIn("connection from uid 0 ", srv.log_text())
        # The socket file goes with the server.
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(path), "%s left behind" % path)

    def test_pid_in_pipe_name(self):
        base = unique_pipe("pid")
        srv = self.start("-t", "npipe:pipe=%s-%%d-%%x" % base)
        name = "%s-%d-%x" % (base, srv.pid, srv.pid)
        path = os.path.join(RUNTIME_DIR, name)
        self.remove_later(path)
        self.assertEqual(srv.line, "Listening on npipe:pipe=%s (%s)\n" % (name, path))
        self.assertReplyTo(connect(path))
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(path))

    def test_second_server_on_the_same_pipe_fails(self):
        name = unique_pipe("twice")
        first = self.npipe(name)
        rc, err = self.start_fails("-t", "npipe:pipe=" + name)
        self.assertEqual(rc, 1, err)
        self.assertIn("already served by a running process server", err)
        self.assertIn(name, err)
        # The first server keeps its socket and still serves.
        path = os.path.join(RUNTIME_DIR, name)
        self.assertTrue(os.path.exists(path))
        self.assertReplyTo(connect(path))
        self.assertIsNone(first.proc.poll())

    def test_servers_started_together_on_one_pipe(self):
        # Only one of several servers started at the same moment on a name
        # may listen: another one would steal the name (replacing the first
        # one's socket and leaving it unreachable) or lose its own.
        gate_dir = tempfile.mkdtemp(prefix="dbgsrv-t3-gate-")
        self.addCleanup(shutil.rmtree, gate_dir, True)
        gate = os.path.join(gate_dir, "gate")
        os.mkfifo(gate)
        # Each waits to open the FIFO, then becomes dbgsrv: opening it for
        # writing releases all of them at once.
        prefix = ["sh", "-c", 'echo ready; : < "$0"; exec "$@"', gate]
        for round_ in range(100):
            name = unique_pipe("race")
            self.remove_later(os.path.join(RUNTIME_DIR, name))
            servers = []
            for _ in range(8):
                s = ServerProcess(["-t", "npipe:pipe=" + name], prefix, read=False)
                self.addCleanup(s.close)
                servers.append(s)
            for s in servers:
                self.assertEqual(read_line(s.proc), "ready\n")
            release = os.open(gate, os.O_RDWR)
            try:
                listening = [s for s in servers if s.read_announcement()]
            finally:
                os.close(release)
            self.assertEqual(len(listening), 1,
                             "round %d: %d servers say they listen on pipe %s" % (round_, len(listening), name))
            for s in servers:
                s.close()

    def test_leftover_socket_of_a_dead_server_is_replaced(self):
        name = unique_pipe("stale")
        path = os.path.join(self.runtime_dir(), name)
        self.remove_later(path)
        # A socket file nobody listens on, as a killed server leaves it.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.close()
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
        srv = self.npipe(name)
        self.assertReplyTo(connect(path))
        out = run_gdb(Address(path), ["run 4"], program("hello"))
        self.assertIn("exited with code 04", out)
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(path))

    def test_killed_server_leaves_a_socket_the_next_one_replaces(self):
        name = unique_pipe("killed")
        path = os.path.join(RUNTIME_DIR, name)
        first = self.npipe(name)
        first.stop(signal.SIGKILL)
        self.assertTrue(os.path.exists(path))
        self.npipe(name)
        self.assertReplyTo(connect(path))

    def test_other_user_is_refused(self):
        name = unique_pipe("refuse")
        srv = self.npipe(name)
        path = os.path.join(RUNTIME_DIR, name)
        self.assertEqual(connect(path, as_user=NOBODY), "closed")
        wait_for(lambda: "refused a connection from uid %d" % NOBODY in srv.log_text(),
                 what="the refusal in the log")
        # The server goes on serving its own user.
        self.assertIsNone(srv.proc.poll())
        self.assertReplyTo(connect(path))

    def test_allowed_user_by_name(self):
        name = unique_pipe("allow")
        srv = self.npipe(name, "allow=nobody")
        self.assertReplyTo(connect(os.path.join(RUNTIME_DIR, name), as_user=NOBODY))
        self.assertNotIn("refused", srv.log_text())
        wait_for(lambda: "connection from uid %d " % NOBODY in srv.log_text(), what="the session in the log")

    def test_allowed_user_by_uid(self):
        name = unique_pipe("allowuid")
        srv = self.npipe(name, "allow=%d" % NOBODY)
        self.assertReplyTo(connect(os.path.join(RUNTIME_DIR, name), as_user=NOBODY))
        self.assertNotIn("refused", srv.log_text())

    def test_allow_list(self):
        name = unique_pipe("allowlist")
        srv = self.npipe(name, "allow=daemon,%d" % NOBODY)
        path = os.path.join(RUNTIME_DIR, name)
        self.assertReplyTo(connect(path, as_user=NOBODY))
        self.assertReplyTo(connect(path, as_user=pwd.getpwnam("daemon").pw_uid))
        other = unused_uid()
        self.assertEqual(connect(path, as_user=other), "closed")
        wait_for(lambda: "refused a connection from uid %d" % other in srv.log_text(),
                 what="the refusal in the log")

    def test_allow_does_not_admit_everyone(self):
        name = unique_pipe("allowother")
        srv = self.npipe(name, "allow=%d" % NOBODY)
        other = unused_uid()
        self.assertEqual(connect(os.path.join(RUNTIME_DIR, name), as_user=other), "closed")
        wait_for(lambda: "refused a connection from uid %d" % other in srv.log_text(),
                 what="the refusal in the log")

    def test_unknown_allowed_user_fails(self):
        name = unique_pipe("nouser")
        self.remove_later(os.path.join(RUNTIME_DIR, name))
        rc, err = self.start_fails("-t", "npipe:pipe=%s,allow=no-such-user-t3" % name)
        self.assertEqual(rc, 1, err)
        self.assertIn("no-such-user-t3", err)
        self.assertFalse(os.path.exists(os.path.join(RUNTIME_DIR, name)))

    def test_longest_pipe_name_is_served_as_given(self):
        # The parser takes names of up to 95 characters, and
        # /run/dbgsrv/ + 95 characters fits in a Unix socket address. The
        # server must listen on exactly that name, or refuse it - never on
        # another (shortened) one.
        name = unique_pipe("long")
        name += "n" * (95 - len(name))
        path = os.path.join(RUNTIME_DIR, name)
        self.remove_later(path)
        s = ServerProcess(["-t", "npipe:pipe=" + name])
        self.addCleanup(s.close)
        if s.listening:
            for entry in os.listdir(RUNTIME_DIR):   # what it made instead
                if name.startswith(entry) and entry != name:
                    self.remove_later(os.path.join(RUNTIME_DIR, entry))
            self.assertEqual(s.line, "Listening on npipe:pipe=%s (%s)\n" % (name, path),
                             "asked for pipe %s (%d characters), the server says:\n%s"
                             % (name, len(name), s.line))
            self.assertTrue(os.path.exists(path))
        else:
            self.assertEqual(s.wait(), 1, s.log_text())

    def test_non_root_server_uses_its_runtime_directory(self):
        xdg = tempfile.mkdtemp(prefix="dbgsrv-t3-xdg-")
        self.addCleanup(shutil.rmtree, xdg, True)
        os.chown(xdg, NOBODY, NOBODY)
        os.chmod(xdg, 0o700)
        name = unique_pipe("user")
        env = dict(os.environ, XDG_RUNTIME_DIR=xdg)
        srv = self.start("-t", "npipe:pipe=" + name, prefix=SETPRIV_NOBODY, env=env)
        path = os.path.join(xdg, "dbgsrv", name)
        self.assertEqual(srv.line, "Listening on npipe:pipe=%s (%s)\n" % (name, path))
        self.assertEqual(os.stat(path).st_uid, NOBODY)
        self.assertReplyTo(connect(path, as_user=NOBODY))
        self.assertReplyTo(connect(path))    # root may connect too
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(path))

    def test_runtime_directory_of_another_user_is_not_used(self):
        # Without XDG_RUNTIME_DIR a non-root server falls back to
        # /tmp/dbgsrv-UID. Anyone can create that name first; a directory
        # that another user owns and can write must not receive the socket
        # (its owner could replace it and impersonate the server).
        uid = unused_uid()
        squat = "/tmp/dbgsrv-%d" % uid
        os.mkdir(squat)
        self.addCleanup(shutil.rmtree, squat, True)
        os.chown(squat, NOBODY, NOBODY)      # "another user"
        os.chmod(squat, 0o777)
        env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        prefix = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % uid, "--clear-groups", "--"]
        name = unique_pipe("squat")
        s = ServerProcess(["-t", "npipe:pipe=" + name], prefix, env)
        self.addCleanup(s.close)
        if s.listening:
            self.assertFalse(s.path.startswith(squat + "/"),
                             "the socket was created in %s, owned by uid %d with mode 0777" % (squat, NOBODY))
        else:
            self.assertEqual(s.wait(), 1, s.log_text())


class StdioTest(TransportTestCase):
    def test_gdb_session_on_stdio(self):
        out = run_gdb(StdioTarget, ["break add", "run 3 x", "bt", "delete", "continue"], program("hello"))
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        self.assertIn("in main (", out)
        # The program's output reached gdb (on dbgsrv's stderr) without
        # disturbing the protocol, and its exit code came back.
        self.assertIn("sum=3 argc=3", out)
        self.assertIn("arg2=x", out)
        self.assertIn("exited with code 03", out)
        # The server and the program have ended with gdb.
        m = re.search(r"dbgsrv\[(\d+)\] \w+: dbgsrv \S+ serving one session", out)
        self.assertTrue(m, "no start-up line from dbgsrv in:\n" + out)
        server_pid = int(m.group(1))
        m = re.search(r"launched \S+: pid (\d+)", out)
        self.assertTrue(m, "no launch line from dbgsrv in:\n" + out)
        inferior = int(m.group(1))
        wait_for(lambda: not_running(server_pid), what="dbgsrv %d to exit" % server_pid)
        wait_for(lambda: not_running(inferior), what="program %d to exit" % inferior)

    def test_server_and_program_end_when_gdb_dies(self):
        gdb = start_gdb(StdioTarget, ["break add", "run",
                                      "python print('AT-BREAKPOINT', flush=True)",
                                      "python import time; time.sleep(30)"], program("hello"))
        procs = []

        def kill_gdb():
            for pid, exe in procs:
                try:
                    if os.readlink("/proc/%d/exe" % pid) == exe:   # still ours
                        os.kill(pid, signal.SIGKILL)
                except (FileNotFoundError, ProcessLookupError):
                    pass
            if gdb.poll() is None:
                gdb.kill()
            gdb.wait()
            gdb.stdout.close()
        self.addCleanup(kill_gdb)
        seen = []
        deadline = time.monotonic() + 30
        for line in gdb.stdout:
            seen.append(line)
            if "AT-BREAKPOINT" in line or time.monotonic() > deadline:
                break
        out = "".join(seen)
        self.assertIn("Breakpoint 1, add (a=0, b=0)", out)
        m = re.search(r"dbgsrv\[(\d+)\] \w+: dbgsrv \S+ serving one session", out)
        self.assertTrue(m, "no start-up line from dbgsrv in:\n" + out)
        server_pid = int(m.group(1))
        m = re.search(r"launched \S+: pid (\d+)", out)
        self.assertTrue(m, "no launch line from dbgsrv in:\n" + out)
        inferior = int(m.group(1))
        procs.extend([(inferior, os.path.realpath(program("hello"))),
                      (server_pid, os.path.realpath(DBGSRV))])   # killed by the cleanup if still there
        self.assertEqual(proc_state(inferior), "t")
        gdb.kill()
        gdb.wait()
        wait_for(lambda: not_running(server_pid), what="dbgsrv %d to exit after gdb died" % server_pid)
        wait_for(lambda: not_running(inferior), what="program %d to be killed" % inferior)

    def test_protocol_stream_holds_only_packets(self):
        # Drive dbgsrv -t stdio directly: everything on its stdout must be
        # acknowledgements and packets, the program's output on stderr.
        hello = program("hello")
        p = subprocess.Popen([DBGSRV, "-t", "stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)

        def cleanup():
            if p.poll() is None:
                for pid in reversed(descendants_of(p.pid)):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                p.kill()
            p.wait()
            for f in (p.stdin, p.stdout, p.stderr):
                f.close()
        self.addCleanup(cleanup)

        def frame(payload):
            payload = payload.encode("latin-1")
            return b"$" + payload + b"#%02x" % (sum(payload) & 0xFF)

        stream = b""

        def reply():
            nonlocal stream
            deadline = time.monotonic() + 20
            while True:
                m = re.search(rb"\$([^#]*)#[0-9a-fA-F]{2}", stream[reply.pos:])
                if m:
                    reply.pos += m.end()
                    return m.group(1).decode("latin-1")
                self.assertLess(time.monotonic(), deadline, "no reply; stdout so far %r" % stream)
                ready, _, _ = select.select([p.stdout], [], [], 1)
                if ready:
                    chunk = os.read(p.stdout.fileno(), 4096)
                    self.assertTrue(chunk, "dbgsrv closed stdout; so far %r" % stream)
                    stream += chunk
        reply.pos = 0

        def request(payload):
            p.stdin.write(frame(payload))
            p.stdin.flush()
            answer = reply()
            p.stdin.write(b"+")
            p.stdin.flush()
            return answer

        self.assertIn("PacketSize=", request("qSupported:multiprocess+"))
        self.assertEqual(request("!"), "OK")
        stop = request("vRun;%s;%s" % (hello.encode().hex(), b"7".hex()))
        self.assertTrue(stop.startswith("T"), stop)
        done = request("vCont;c")
        self.assertTrue(done.startswith("W07"), done)
        p.stdin.close()     # the client goes away: the session ends
        while True:
            ready, _, _ = select.select([p.stdout], [], [], 20)
            self.assertTrue(ready, "dbgsrv did not close stdout")
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            stream += chunk
        err = p.stderr.read()
        self.assertEqual(p.wait(20), 0, err)
        leftover = re.sub(rb"\+|\$[^#$]*#[0-9a-fA-F]{2}", b"", stream)
        self.assertEqual(leftover, b"", "stray bytes on the protocol stream: %r" % stream)
        err = err.decode(errors="replace")
        self.assertIn("sum=3 argc=2", err)
        self.assertIn("arg1=7", err)


class PortRangeTest(TransportTestCase):
    def test_first_free_port_and_consecutive_servers(self):
        for attempt in range(5):
            base = free_port_range(3)
            last = base + 2
            first = self.start("-t", "tcp:port=%d:%d" % (base, last))
            if first.port != base:      # taken meanwhile by someone else: again
                first.close()
                continue
            self.assertEqual(first.line, "Listening on tcp:port=%d:%d,bind=127.0.0.1\n" % (base, last))
            second = self.start("-t", "tcp:port=%d:%d" % (base, last))
            if second.port != base + 1:
                continue
            self.assertEqual(second.line, "Listening on tcp:port=%d:%d,bind=127.0.0.1\n" % (base + 1, last))
            # Both serve.
            with RawClient(first) as c:
                self.assertIn("PacketSize=", c.request("qSupported"))
            out = run_gdb(second, ["run 2"], program("hello"))
            self.assertIn("exited with code 02", out)
            return
        self.fail("the port range was taken by others in every attempt")

    def test_last_port_of_a_range_is_still_shown_as_a_range(self):
        for attempt in range(5):
            base = free_port_range(2)
            holders = []
            try:
                h = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                holders.append(h)
                h.bind(("127.0.0.1", base))
                h.listen(1)
            except OSError:
                for h in holders:
                    h.close()
                continue
            self.addCleanup(h.close)
            srv = self.start("-t", "tcp:port=%d:%d" % (base, base + 1))
            if srv.port != base + 1:
                continue
            # "Listening on tcp:port=P:LAST": the same form whichever port of
            # the range was free, so that whoever reads it can parse it.
            self.assertEqual(srv.line, "Listening on tcp:port=%d:%d,bind=127.0.0.1\n" % (base + 1, base + 1))
            return
        self.fail("the port range was taken by others in every attempt")

    def test_range_all_in_use_fails(self):
        base = free_port_range(3)
        last = base + 2
        for port in range(base, last + 1):
            h = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.addCleanup(h.close)
            h.bind(("127.0.0.1", port))
            h.listen(1)
        rc, err = self.start_fails("-t", "tcp:port=%d:%d" % (base, last))
        self.assertEqual(rc, 1, err)
        self.assertIn("every port from %d to %d" % (base, last), err)
        self.assertIn("already in use", err)

    def test_bad_ranges_are_usage_errors(self):
        for spec in ("tcp:port=2000:1999", "tcp:port=0:10", "tcp:port=1:70000"):
            with self.subTest(spec=spec):
                rc, err = self.start_fails("-t", spec)
                self.assertEqual(rc, 2, err)
                self.assertIn("bad port", err)


class SecureDefaultTest(TransportTestCase):
    def test_any_address_refused_without_insecure(self):
        rc, err = self.start_fails("-t", "tcp:port=0,bind=0.0.0.0", prefix=NETNS)
        self.assertEqual(rc, 1, err)
        self.assertIn("refusing to listen", err)
        self.assertIn("--insecure", err)

    def test_any_ipv6_address_refused_without_insecure(self):
        rc, err = self.start_fails("-t", "tcp:port=0,bind=::,ipversion=6", prefix=NETNS)
        if "Address family not supported" in err or "cannot resolve" in err:
            self.skipTest("no IPv6: " + err)
        self.assertEqual(rc, 1, err)
        self.assertIn("refusing to listen", err)
        self.assertIn("--insecure", err)

    def test_any_address_with_insecure_listens(self):
        srv = self.start("--insecure", "-t", "tcp:port=0,bind=0.0.0.0", prefix=NETNS)
        self.assertRegex(srv.line, r"^Listening on tcp:port=[1-9]\d*,bind=0\.0\.0\.0\n$")
        self.assertEqual(srv.stop(), 0)

    def test_any_address_with_password_listens(self):
        # A password is the other way to make such an address acceptable.
        srv = self.start("-t", "tcp:port=0,bind=0.0.0.0,password=t3-secret", prefix=NETNS)
        self.assertRegex(srv.line, r"^Listening on tcp:port=[1-9]\d*,bind=0\.0\.0\.0\n$")
        self.assertNotIn("t3-secret", srv.line)
        self.assertEqual(srv.stop(), 0)

    def test_loopback_aliases_are_loopback(self):
        for host in ("127.0.0.2", "127.1.2.3"):
            with self.subTest(host=host):
                srv = self.start("-t", "tcp:port=0,bind=" + host)
                self.assertRegex(srv.line, r"^Listening on tcp:port=[1-9]\d*,bind=%s\n$" % re.escape(host))
                with socket.create_connection((host, srv.port), timeout=10) as c:
                    c.sendall(b"$qSupported#37")
                    data = b""
                    while b"#" not in data.partition(b"$")[2]:
                        chunk = c.recv(4096)
                        self.assertTrue(chunk, "connection closed; got %r" % data)
                        data += chunk
                    self.assertIn(b"PacketSize=", data)
                self.assertEqual(srv.stop(), 0)


class NotAvailableTest(TransportTestCase):
    def test_com_channels_open_the_device(self):
        # com channels are available now: channel= is no longer refused,
        # the device is opened and must be a serial line.
        rc, err = self.start_fails("-t", "com:port=/dev/null,channel=1")
        self.assertEqual(rc, 1, err)
        self.assertIn("not a serial line", err)

    def test_tls_server_without_certificate_is_a_usage_error(self):
        for spec in ("ssl:", "ssl:port=0,cert=/nonexistent.pem", "spipe:pipe=" + unique_pipe("spipe")):
            with self.subTest(spec=spec):
                rc, err = self.start_fails("-t", spec)
                self.assertEqual(rc, 2, err)
                self.assertIn("needs cert=FILE and key=FILE", err)

    def test_server_parameter_is_for_clients(self):
        rc, err = self.start_fails("-t", "tcp:server=127.0.0.1,port=0")
        self.assertEqual(rc, 2, err)
        self.assertIn("bind=", err)

    def test_parameter_of_another_kind_is_a_usage_error(self):
        rc, err = self.start_fails("-t", "stdio:port=1")
        self.assertEqual(rc, 2, err)
        self.assertIn("does not apply", err)


if __name__ == "__main__":
    main()
