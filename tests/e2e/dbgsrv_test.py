"""Helpers for end-to-end tests: a real dbgsrv, real gdb, real programs.

Every test starts the servers it needs on loopback with a free port
(tcp:port=0, read back from the "Listening on" line), and everything it
starts is killed by PID when the test ends. Nothing here touches a process
that the test did not start.

Environment (set by CTest): DBGSRV is the server binary, TEST_PROGRAMS the
directory of compiled test programs.
"""
import os
import pwd
import re
import signal
import socket
import subprocess
import tempfile
import time
import unittest

DBGSRV = os.environ.get("DBGSRV", "dbgsrv")
PROGRAMS = os.environ.get("TEST_PROGRAMS", ".")
GDB = os.environ.get("GDB", "gdb")
TIMEOUT = float(os.environ.get("DBGSRV_TEST_TIMEOUT", "60"))


def program(name):
    """Path of a compiled test program from tests/programs."""
    path = os.path.join(PROGRAMS, name)
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    return path


def wait_for(cond, timeout=10.0, interval=0.02, what="condition"):
    """Polls COND until it returns a true value; fails the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(interval)


def proc_state(pid):
    """The state letter of PID from /proc (R, S, T, t, Z...), or None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat[stat.rindex(")") + 2]


def tracer_pid(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("TracerPid:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return 0


def children_of(pid):
    """PIDs whose parent is PID (direct children)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def descendants_of(pid):
    out = []
    todo = [pid]
    while todo:
        for kid in children_of(todo.pop()):
            out.append(kid)
            todo.append(kid)
    return out


class Server:
    """A dbgsrv process listening on a free loopback port."""

    def __init__(self, args=None, user=None, env=None):
        self.args = list(args) if args is not None else ["-t", "tcp:port=0"]
        self.log = tempfile.NamedTemporaryFile(prefix="dbgsrv-", suffix=".log", delete=False)
        cmd = [DBGSRV] + self.args
        if user:
            pw = pwd.getpwnam(user) if not str(user).isdigit() else pwd.getpwuid(int(user))
            cmd = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                   "--clear-groups", "--"] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log,
                                     stdin=subprocess.DEVNULL, env=env, text=True,
                                     start_new_session=True)
        self.port = None
        self.bind = None
        line = self.proc.stdout.readline()
        m = re.match(r"Listening on tcp:port=(\d+),bind=(\S+)", line)
        if not m:
            self.stop()
            raise AssertionError("dbgsrv did not start: %r\n%s" % (line, self.log_text()))
        self.port = int(m.group(1))
        self.bind = m.group(2)

    @property
    def pid(self):
        return self.proc.pid

    @property
    def address(self):
        host = "[%s]" % self.bind if ":" in self.bind else self.bind
        return "%s:%d" % (host, self.port)

    def log_text(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def output(self):
        """What the server (and the programs it launched) wrote to stdout."""
        return self.proc.stdout.read()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Signals the server, waits for it, returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self):
        """Kills the server and everything below it (by PID: only ours)."""
        for pid in reversed(descendants_of(self.proc.pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self):
        if self.proc.poll() is None:
            self.kill()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.log.close()
        os.unlink(self.log.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def gdb_args(server, commands, program_path=None, extended=True, exec_file=None):
    """The gdb command line that connects to SERVER and runs COMMANDS."""
    mode = "extended-remote" if extended else "remote"
    pre = ["set pagination off", "set confirm off", "set width 0",
           "set sysroot /", "target %s %s" % (mode, server.address)]
    if exec_file:
        pre.append("set remote exec-file " + exec_file)
    cmd = [GDB, "-nx", "-batch"]
    for c in pre + list(commands):
        cmd += ["-ex", c]
    if program_path:
        cmd.append(program_path)
    return cmd


def run_gdb(server, commands, program_path=None, timeout=TIMEOUT, **kw):
    """Runs gdb in batch mode against SERVER; returns its combined output.
    With PROGRAM_PATH, it is also the remote exec-file."""
    if program_path and "exec_file" not in kw:
        kw["exec_file"] = program_path
    cmd = gdb_args(server, commands, program_path, **kw)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, text=True, timeout=timeout,
                       start_new_session=True)
    return p.stdout


def start_gdb(server, commands, program_path=None, **kw):
    """Starts gdb in batch mode without waiting (for interrupts and kills)."""
    if program_path and "exec_file" not in kw:
        kw["exec_file"] = program_path
    cmd = gdb_args(server, commands, program_path, **kw)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)


class Program:
    """A test program started directly by the test (to attach to it)."""

    def __init__(self, name, *args):
        self.proc = subprocess.Popen([program(name)] + list(args), stdout=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True,
                                     start_new_session=True)
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            self.close()
            raise AssertionError("%s did not start: %r" % (name, line))

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        if self.proc.poll() is None:
            # A stopped process does not die of SIGKILL while traced-stopped
            # by someone else; ours are never left that way, but be safe.
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def checksum(data):
    return sum(data) & 0xFF


class RawClient:
    """A bare RSP client over TCP, for protocol-level tests."""

    def __init__(self, server, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1" if ":" not in server.bind else server.bind,
                                              server.port), timeout=timeout)
        self.buf = b""
        self.ack = True

    def send_raw(self, data):
        self.sock.sendall(data)

    def frame(self, payload):
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        return b"$" + payload + b"#" + ("%02x" % checksum(payload)).encode()

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def read_byte(self):
        while not self.buf:
            self._fill()
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def read_packet(self):
        """Reads one packet; returns (payload bytes as sent, checksum ok).
        Acknowledges it when in ack mode. Skips stray '+'/'-'."""
        while True:
            b = self.read_byte()
            if b == b"$":
                break
        while b"#" not in self.buf or len(self.buf) < self.buf.index(b"#") + 3:
            self._fill()
        i = self.buf.index(b"#")
        payload, cs = self.buf[:i], self.buf[i + 1:i + 3]
        self.buf = self.buf[i + 3:]
        ok = int(cs, 16) == checksum(payload)
        if self.ack:
            self.send_raw(b"+" if ok else b"-")
        return payload, ok

    def expect_ack(self):
        b = self.read_byte()
        if b != b"+":
            raise AssertionError("expected '+', got %r" % b)

    def read_reply(self):
        """Reads one packet and returns it decoded (escapes, run lengths)."""
        raw, ok = self.read_packet()
        if not ok:
            raise AssertionError("bad checksum in reply %r" % raw)
        return decode_reply(raw).decode("latin-1")

    def request(self, payload):
        """Sends a packet and returns the decoded reply (str)."""
        self.send_raw(self.frame(payload))
        if self.ack:
            self.expect_ack()
        raw, ok = self.read_packet()
        if not ok:
            raise AssertionError("bad checksum in reply %r" % raw)
        return decode_reply(raw).decode("latin-1")

    def no_ack_mode(self):
        assert self.request("QStartNoAckMode") == "OK"
        self.ack = False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def decode_reply(raw):
    """Undoes '}' escaping and '*' run-length encoding of a reply."""
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x7D:
            out.append(raw[i + 1] ^ 0x20)
            i += 2
        elif c == 0x2A:
            out.extend(bytes([out[-1]]) * (raw[i + 1] - 29))
            i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


def hexstr(text):
    return text.encode().hex()


class TestCase(unittest.TestCase):
    """Base class: tracks servers and programs and cleans them up."""

    def setUp(self):
        self._cleanups = []

    def server(self, *args, **kw):
        s = Server(list(args) if args else None, **kw)
        self.addCleanup(s.close)
        return s

    def start_program(self, name, *args):
        p = Program(name, *args)
        self.addCleanup(p.close)
        return p

    def gdb(self, server, commands, program_path=None, **kw):
        return run_gdb(server, commands, program_path, **kw)

    def assertIn(self, member, container, msg=None):
        if member not in container:
            raise AssertionError(msg or "%r not found in:\n%s" % (member, container))

    def assertNotIn(self, member, container, msg=None):
        if member in container:
            raise AssertionError(msg or "%r unexpectedly found in:\n%s" % (member, container))


def main():
    unittest.main(verbosity=2)
