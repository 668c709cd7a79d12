"""Helpers for end-to-end tests: a real dbgsrv, real gdb, real programs.

Every test starts the servers it needs on loopback with a free port
(tcp:port=0, read back from the "Listening on" line), and everything it
starts is killed by PID when the test ends. Nothing here touches a process
that the test did not start.

Environment (set by CTest): DBGSRV is the server binary, TEST_PROGRAMS the
directory of compiled test programs.

Sections: test programs and waiting; process state from /proc; servers;
gdb; raw RSP client; test base class.
"""
import contextlib
import functools
import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

DBGSRV = os.environ.get("DBGSRV", "dbgsrv")
DBG = os.path.join(os.path.dirname(DBGSRV), "dbg")   # the client, built next to the server
PROGRAMS = os.environ.get("TEST_PROGRAMS", ".")
GDB = os.environ.get("GDB", "gdb")
TIMEOUT = float(os.environ.get("DBGSRV_TEST_TIMEOUT", "60"))

# How long an interrupt (^C) may take to stop a program ("promptly").
PROMPT = 5.0


# ---------------------------------------------------------------------------
# Test programs and waiting
#
# The compiled test programs, their sources and ELF headers; polling.
# ---------------------------------------------------------------------------


def program(name):
    """Path of a compiled test program from tests/programs."""
    path = os.path.join(PROGRAMS, name)
    if not os.path.exists(path):
        raise FileNotFoundError(path)
    return path


def source_line(prog_source, text):
    """Line number of the first line of tests/programs/PROG_SOURCE containing TEXT."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "programs", prog_source)
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if text in line:
                return i
    raise AssertionError("%r not in %s" % (text, prog_source))


def elf_word_size(path):
    """4 for a 32-bit ELF file PATH, 8 for a 64-bit one."""
    with open(path, "rb") as f:
        head = f.read(5)
    assert head[:4] == b"\x7fELF" and head[4] in (1, 2), "not an ELF file: " + path
    return 4 if head[4] == 1 else 8


def elf_entry(path):
    """The entry point recorded in the header of the ELF file PATH (32 or 64-bit)."""
    with open(path, "rb") as f:
        head = f.read(32)
    return struct.unpack_from("<I" if elf_word_size(path) == 4 else "<Q", head, 24)[0]


def free_port():
    """A loopback TCP port that was free a moment ago (for tests where the
    client side listens, as with reverse connections)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


# ---------------------------------------------------------------------------
# Process state from /proc
#
# What the kernel says about a process: its state, threads, tracer, progress,
# memory and mappings. Only for processes the test itself started (or those
# of the servers it started).
# ---------------------------------------------------------------------------


def _stat(path):
    """The fields of a /proc .../stat file after the command name (the state
    letter first), or None if the process or thread is gone."""
    try:
        with open(path) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat[stat.rindex(")") + 2:].split()


def proc_state(pid):
    """The state letter of PID from /proc (R, S, T, t, Z...), or None if gone."""
    fields = _stat("/proc/%d/stat" % pid)
    return fields[0] if fields else None


def children_of(pid):
    """PIDs whose parent is PID (direct children)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat("/proc/%s/stat" % entry)
        if fields and int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def descendants_of(pid):
    """PIDs of the children of PID, their children, and so on."""
    out = []
    todo = [pid]
    while todo:
        for kid in children_of(todo.pop()):
            out.append(kid)
            todo.append(kid)
    return out


def tasks(pid):
    """The thread ids of PID, sorted ([] if it is gone)."""
    try:
        return sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    except FileNotFoundError:
        return []


def task_status(pid, tid=None):
    """The fields of /proc/PID/task/TID/status (of /proc/PID/status without
    TID) as a dict of strings, {} if gone."""
    path = "/proc/%d/status" % pid if tid is None else "/proc/%d/task/%d/status" % (pid, tid)
    try:
        with open(path) as f:
            return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except (FileNotFoundError, ProcessLookupError):
        return {}


def tracer_pid(pid):
    """The PID tracing PID (0: none), or None if PID is gone."""
    st = task_status(pid)
    return int(st.get("TracerPid", 0)) if st else None


def task_states(pid, tracers=False):
    """{tid: state letter} for every thread of PID; with TRACERS,
    {tid: (state letter, tracer pid)}. Threads that go meanwhile are left out."""
    out = {}
    for tid in tasks(pid):
        st = task_status(pid, tid)
        if st:
            out[tid] = (st["State"][0], int(st["TracerPid"])) if tracers else st["State"][0]
    return out


def running_under(pid, tracer=None):
    """True if PID has threads and none is stopped, nor the leader dead;
    with TRACER, every one is traced by TRACER (0: by nobody). Another
    thread that is just ending (Z, X) is the program's own business: a
    program whose threads come and go always has one."""
    s = task_states(pid, tracers=True)
    return bool(s) and all(state not in ("tTZX" if tid == pid else "tT") and (tracer is None or tr == tracer)
                           for tid, (state, tr) in s.items())


def stopped_by(pid, tracer=None):
    """True if PID has threads and every one is in a tracing stop (under
    TRACER, if given)."""
    s = task_states(pid, tracers=True)
    return bool(s) and all(state == "t" and (tracer is None or tr == tracer)
                           for state, tr in s.values())


def activity(pid):
    """Context switches and CPU time of all threads of PID: grows only
    while it runs."""
    total = 0
    for tid in tasks(pid):
        st = task_status(pid, tid)
        total += int(st.get("voluntary_ctxt_switches", 0)) + int(st.get("nonvoluntary_ctxt_switches", 0))
        # A busy loop never switches voluntarily: count its CPU time too.
        fields = _stat("/proc/%d/task/%d/stat" % (pid, tid))
        if fields and len(fields) > 11:
            total += int(fields[11])   # utime
    return total


def wait_progress(pid, amount=5, what=None):
    """Waits until the activity of PID has grown by AMOUNT."""
    before = activity(pid)
    wait_for(lambda: activity(pid) >= before + amount, what=what or "process %d to make progress" % pid)


def exe_of(pid):
    """The executable of PID, or None if gone."""
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None


def proc_maps(pid):
    """The mappings of PID: [(start, end, perms, offset, path or "")]."""
    maps = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            maps.append((start, end, fields[1], int(fields[2], 16), fields[5] if len(fields) > 5 else ""))
    return maps


def exe_base(pid, prog):
    """Load address of the test program PROG in process PID (from its maps)."""
    path = os.path.realpath(program(prog))
    for start, _, _, offset, name in proc_maps(pid):
        if name == path and offset == 0:
            return start
    raise AssertionError("%s is not mapped in process %d" % (path, pid))


def readable_region(pid, min_size, perms="r-xp"):
    """(start, end) of a mapping of PID with PERMS of at least MIN_SIZE bytes."""
    for start, end, mperms, _, _ in proc_maps(pid):
        if mperms == perms and end - start >= min_size:
            return start, end
    raise AssertionError("no %s mapping of %d bytes in process %d" % (perms, min_size, pid))


def read_proc_mem(pid, addr, n):
    """Reads N bytes of the memory of PID (a debuggee this test launched).
    When the main thread has exited (its /proc/PID/mem is gone), through one
    of the threads left."""
    paths = ["/proc/%d/mem" % pid] + ["/proc/%d/task/%d/mem" % (pid, t) for t in tasks(pid)]
    for path in paths:
        try:
            with open(path, "rb", buffering=0) as f:
                f.seek(addr)
                return f.read(n)
        except (ProcessLookupError, FileNotFoundError):
            continue
    raise ProcessLookupError("no memory for process %d" % pid)


# ---------------------------------------------------------------------------
# Servers
#
# A dbgsrv under test, the programs a test starts itself, and what the
# server's log and stdout tell about its sessions and the programs it
# launched.
# ---------------------------------------------------------------------------


class Server:
    """A dbgsrv process listening on a free loopback port (tcp: or ssl:), or
    on a pipe (npipe: or spipe:; then path is its socket file). announcement
    is its "Listening on ..." line."""

    def __init__(self, args=None, user=None, env=None, prefix=()):
        self.args = list(args) if args is not None else ["-t", "tcp:port=0"]
        self.log = tempfile.NamedTemporaryFile(prefix="dbgsrv-", suffix=".log", delete=False)
        cmd = list(prefix) + [DBGSRV] + self.args   # prefix: e.g. ip netns exec NS
        if user:
            pw = pwd.getpwnam(user) if not str(user).isdigit() else pwd.getpwuid(int(user))
            cmd = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                   "--clear-groups", "--"] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log,
                                     stdin=subprocess.DEVNULL, env=env, text=True,
                                     start_new_session=True)
        self.port = None
        self.bind = None
        self.path = None
        line = self.announcement = self.proc.stdout.readline()
        m = re.match(r"Listening on (?:tcp|ssl):port=(\d+)(?::\d+)?,bind=(\S+)", line)
        p = re.match(r"Listening on (?:npipe|spipe):pipe=\S+ \((.+)\)$", line.rstrip("\n"))
        if not (m or p):
            self.stop()
            raise AssertionError("dbgsrv did not start: %r\n%s" % (line, self.log_text()))
        if m:
            self.port = int(m.group(1))
            self.bind = m.group(2)
        else:
            self.path = p.group(1)

    @property
    def pid(self):
        return self.proc.pid

    @property
    def address(self):
        if self.path:
            return self.path
        host = "[%s]" % self.bind if ":" in self.bind else self.bind
        return "%s:%d" % (host, self.port)

    def log_text(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def output(self):
        """What the server (and the programs it launched) wrote to stdout;
        stops the server first if it still runs."""
        self.stop()
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


def launched(srv):
    """[(program path, pid)] in launch order, from the "launched PATH: pid N"
    lines of the log of SRV (a server we started)."""
    return [(path, int(pid)) for path, pid in re.findall(r"launched (\S+): pid (\d+)", srv.log_text())]


def launched_pids(srv, path=None):
    """PIDs of the programs SRV launched (only those of PATH, if given)."""
    return [pid for prog, pid in launched(srv) if path is None or prog == path]


def wait_launched(srv, path=None, count=1):
    """Waits until SRV has launched COUNT programs (of PATH, if given);
    returns the pid of the COUNTth."""
    what = "a launched " + path if path else "a launched program"
    return wait_for(lambda: launched_pids(srv, path)[count - 1:], what=what)[0]


def kill_launched(srv):
    """Kills what SRV launched that still runs: only PIDs from our own
    server's log, and only if they are still test programs."""
    programs_dir = os.path.realpath(PROGRAMS)
    for pid in launched_pids(srv):
        exe = exe_of(pid)
        if exe and os.path.dirname(exe) == programs_dir:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def sessions(srv):
    """{session number: session pid} from the log of SRV."""
    return {int(n): int(pid) for n, pid in
            re.findall(r"session (\d+): connection from \S+ \(pid (\d+)\)", srv.log_text())}


def session_pids(srv):
    """PIDs of the session processes of SRV, in the order they started."""
    return list(sessions(srv).values())


def session_of(srv, index=0):
    """Waits for the session process number INDEX (from 0) of SRV; returns its pid."""
    return wait_for(lambda: session_pids(srv)[index:], what="session %d" % (index + 1))[0]


def wait_sessions_end(srv):
    """Waits until the listener SRV has no child left: no session, no zombie."""
    wait_for(lambda: not descendants_of(srv.pid),
             what="the server's children to go: %r" % [(p, proc_state(p)) for p in descendants_of(srv.pid)])


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


class OutputReader:
    """Reads the server's stdout (where the debuggees print) in a thread so
    that a test can wait for a line while gdb is running."""

    def __init__(self, srv):
        self.lines = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._run, args=(srv.proc.stdout,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for line in stream:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, pattern, timeout=20.0):
        """Waits for a line matching PATTERN (a regex); returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = rx.search(line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no line matching %r in program output: %r" % (pattern, self.lines))
                self.cond.wait(left)

    def ready_pid(self):
        """Waits for the "ready PID" line of a test program; returns PID."""
        return int(self.wait_line(r"^ready (\d+)$").group(1))

    def text(self):
        with self.cond:
            return "\n".join(self.lines)


# ---------------------------------------------------------------------------
# gdb
#
# gdb in batch mode: against a server (to completion, or in the
# background), and on a program file alone for link-time facts.
# ---------------------------------------------------------------------------


class Via:
    """Stands in for a Server in run_gdb/start_gdb: gdb's target is ADDRESS
    ("| dbg bridge ..." or "127.0.0.1:PORT")."""

    def __init__(self, address):
        self.address = address


def _gdb_command(commands, program_path=None):
    """The command line of a batch gdb that runs COMMANDS (on PROGRAM_PATH)."""
    # gdb resends a packet whose reply takes over 2 s (its remotetimeout),
    # and then takes the second reply for the next packet's: a loaded
    # machine with a password or TLS handshake on the way may take that
    # long, and the session would go out of step.
    cmd = [GDB, "-nx", "-batch", "-iex", "set remotetimeout 10"]
    for c in commands:
        cmd += ["-ex", c]
    if program_path:
        cmd.append(program_path)
    return cmd


def gdb_args(server, commands, program_path=None, extended=True, exec_file=None, before=()):
    """The gdb command line that connects to SERVER and runs COMMANDS.
    PROGRAM_PATH is also the remote exec-file unless EXEC_FILE is given.
    BEFORE: commands for before connecting (such as "set non-stop on")."""
    mode = "extended-remote" if extended else "remote"
    pre = ["set pagination off", "set confirm off", "set width 0",
           "set sysroot /"] + list(before) + ["target %s %s" % (mode, server.address)]
    exec_file = exec_file or program_path
    if exec_file:
        pre.append("set remote exec-file " + exec_file)
    return _gdb_command(pre + list(commands), program_path)


def run_gdb(server, commands, program_path=None, timeout=TIMEOUT, **kw):
    """Runs gdb in batch mode against SERVER; returns its combined output.
    With PROGRAM_PATH, it is also the remote exec-file."""
    p = subprocess.run(gdb_args(server, commands, program_path, **kw), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                       timeout=timeout, start_new_session=True)
    return p.stdout


def start_gdb(server, commands, program_path=None, **kw):
    """Starts gdb in batch mode without waiting (for interrupts and kills),
    in a process group of its own."""
    return subprocess.Popen(gdb_args(server, commands, program_path, **kw), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)


def kill_gdb(proc, read=True):
    """Kills a gdb started with start_gdb, with the shell commands it may be
    running (its process group: only ours); returns its output (with READ)."""
    if proc.returncode is None:   # not reaped: its pid and group are still ours
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    return proc.stdout.read() if read else None


def finish_gdb(proc, timeout=60):
    """Waits for a gdb started with start_gdb to end; returns its output."""
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_gdb(proc, read=False)
        out, _ = proc.communicate()
        raise AssertionError("gdb did not finish in %ds:\n%s" % (timeout, out))
    return out


def received(out):
    """The replies printed by gdb's "maint packet" commands, in order."""
    return re.findall(r'^received: "(.*)"$', out, re.M)


@functools.lru_cache(maxsize=None)
def static_gdb(prog, *commands):
    """Output of gdb running COMMANDS on the test program PROG alone."""
    return subprocess.run(_gdb_command(commands, program(prog)), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                          timeout=60).stdout


def _static_addr(prog, value, what):
    """The address gdb's Python expression VALUE gives in PROG alone."""
    out = static_gdb(prog, 'python print("ADDR=%%#x" %% %s)' % value)
    m = re.search(r"ADDR=(0x[0-9a-f]+)", out)
    if not m:
        raise AssertionError("no address for %s in %s:\n%s" % (what, prog, out))
    return int(m.group(1), 16)


def static_address(prog, expr):
    """Link-time address (offset from the load base of the PIE) of EXPR."""
    return _static_addr(prog, 'int(gdb.parse_and_eval("(long)&%s"))' % expr, expr)


def static_line_address(prog, location):
    """Link-time address of the first instruction of a source LOCATION (file:line)."""
    return _static_addr(prog, 'gdb.decode_line("%s")[1][0].pc' % location, location)


def static_insns(prog, func, n):
    """Link-time addresses of the first N instructions of FUNC."""
    out = static_gdb(prog, "x/%di %s" % (n, func))
    addrs = [int(a, 16) for a in re.findall(r"^\s*(?:=> )?(0x[0-9a-f]+) <", out, re.M)]
    if len(addrs) < n:
        raise AssertionError("cannot disassemble %s in %s:\n%s" % (func, prog, out))
    return addrs[:n]


# ---------------------------------------------------------------------------
# Raw RSP client
#
# The remote serial protocol spoken by the test itself: framing, escaping,
# stop replies, and a client over TCP.
# ---------------------------------------------------------------------------


def checksum(data):
    return sum(data) & 0xFF


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


def escape_binary(data, special=b"$#}*"):
    """Escapes the bytes of SPECIAL in DATA ('}' then the byte xor 0x20), as
    in the binary data of an X packet."""
    out = bytearray()
    for b in data:
        if b in special:
            out += bytes([0x7D, b ^ 0x20])
        else:
            out.append(b)
    return bytes(out)


def hexstr(text):
    return text.encode().hex()


def le64(digits):
    """The little-endian number written in hex DIGITS."""
    return int.from_bytes(bytes.fromhex(digits), "little")


def parse_stop(reply):
    """Parses a stop reply into a dict: kind ('T', 'W', 'X', 'S', 'N', 'E'),
    sig/status, and for T: regs {num: hex}, pid, tid, swbreak."""
    r = {"raw": reply, "kind": reply[:1]}
    if reply[:1] in ("T", "S"):
        r["sig"] = int(reply[1:3], 16)
        r["regs"] = {}
        r["swbreak"] = False
        for field in reply[3:].split(";"):
            if not field:
                continue
            key, _, val = field.partition(":")
            if key == "thread":
                m = re.match(r"p([0-9a-f]+)\.([0-9a-f]+)$", val)
                if m:
                    r["pid"], r["tid"] = int(m.group(1), 16), int(m.group(2), 16)
                else:
                    r["pid"], r["tid"] = None, int(val, 16)
            elif key == "swbreak":
                r["swbreak"] = True
            elif re.match(r"^[0-9a-f]+$", key):
                r["regs"][int(key, 16)] = val
    elif reply[:1] in ("W", "X"):
        m = re.match(r"[WX]([0-9a-f]{2})(?:;process:([0-9a-f]+))?$", reply)
        if m:
            r["status"] = int(m.group(1), 16)
            r["pid"] = int(m.group(2), 16) if m.group(2) else None
    return r


class RawClient:
    """A bare RSP client over TCP, for protocol-level tests."""

    def __init__(self, server, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1" if ":" not in server.bind else server.bind,
                                              server.port), timeout=timeout)
        self.buf = b""
        self.ack = True
        self.notes = []   # notifications received (see read_packet)

    def send_raw(self, data):
        self.sock.sendall(data)

    def frame(self, payload):
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        return b"$" + payload + b"#" + ("%02x" % checksum(payload)).encode()

    @contextlib.contextmanager
    def timeout(self, seconds):
        """Reads within the block time out after SECONDS (socket.timeout)."""
        before = self.sock.gettimeout()
        self.sock.settimeout(seconds)
        try:
            yield
        finally:
            self.sock.settimeout(before)

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

    def expect_byte(self, want):
        b = self.read_byte()
        if b != want:
            raise AssertionError("expected %r, got %r (then %r)" % (want, b, self.buf[:40]))

    def expect_ack(self):
        self.expect_byte(b"+")

    def nothing_arrives(self, seconds=0.3):
        """True if the server sends nothing within SECONDS (what it does
        send is kept for the next read)."""
        if self.buf:
            return False
        with self.timeout(seconds):
            try:
                data = self.sock.recv(100)
            except socket.timeout:
                data = b""
        self.buf += data
        return data == b""

    def read_packet(self):
        """Reads one packet; returns (payload bytes as sent, checksum ok).
        Acknowledges it when in ack mode. Skips stray '+'/'-'. Asynchronous
        notifications ("%NAME:TEXT", non-stop mode) are kept in self.notes
        (they are never acknowledged)."""
        while True:
            b = self.read_byte()
            if b not in (b"$", b"%"):
                continue
            while b"#" not in self.buf or len(self.buf) < self.buf.index(b"#") + 3:
                self._fill()
            i = self.buf.index(b"#")
            payload, cs = self.buf[:i], self.buf[i + 1:i + 3]
            self.buf = self.buf[i + 3:]
            ok = int(cs, 16) == checksum(payload)
            if b == b"$":
                break
            assert ok, "bad checksum in notification %r" % payload
            self.notes.append(payload.decode("latin-1"))
        if self.ack:
            self.send_raw(b"+" if ok else b"-")
        return payload, ok

    def packet(self):
        """Reads one packet with a good checksum; returns it as sent (bytes)."""
        raw, ok = self.read_packet()
        if not ok:
            raise AssertionError("bad checksum in reply %r" % raw)
        return raw

    def read_reply(self):
        """Reads one packet and returns it decoded (escapes, run lengths)."""
        return decode_reply(self.packet()).decode("latin-1")

    def request(self, payload):
        """Sends a packet and returns the decoded reply (str)."""
        self.send_raw(self.frame(payload))
        if self.ack:
            self.expect_ack()
        return self.read_reply()

    def no_ack_mode(self):
        assert self.request("QStartNoAckMode") == "OK"
        self.ack = False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Rsp(RawClient):
    """RawClient plus the set-up and bookkeeping most raw tests need."""

    def __init__(self, server, features="multiprocess+;swbreak+;no-resumed+", ack=False, timeout=15.0):
        super().__init__(server, timeout=timeout)
        self.server = server
        self.features = self.request("qSupported:" + features)
        if not ack:
            self.no_ack_mode()
        assert self.request("!") == "OK"
        self.pid = self.tid = None
        self.base = None

    def run(self, prog, *args):
        """vRun of a test program; returns the parsed initial stop."""
        parts = [program(prog)] + list(args)
        reply = self.request("vRun;" + ";".join(hexstr(p) for p in parts))
        stop = parse_stop(reply)
        if stop["kind"] != "T":
            raise AssertionError("vRun %s: %r" % (prog, reply))
        self.pid, self.tid = stop["pid"], stop["tid"]
        if self.pid not in launched_pids(self.server):
            raise AssertionError("pid %s not launched by our server" % self.pid)
        self.prog = prog
        self.base = self.load_base()
        return stop

    def auxv(self):
        data = b""
        while True:
            raw = self.request("qXfer:auxv:read::%x,%x" % (len(data), 0x1000))
            assert raw[:1] in ("m", "l"), raw
            data += raw[1:].encode("latin-1")
            if raw[:1] == "l":
                # Entries are two words of the program's size.
                fmt = "<II" if elf_word_size(program(self.prog)) == 4 else "<QQ"
                size = struct.calcsize(fmt)
                return {k: v for k, v in struct.iter_unpack(fmt, data[:len(data) // size * size])}

    def load_base(self):
        """Load address of the PIE program: AT_ENTRY minus the ELF entry."""
        return self.auxv()[9] - elf_entry(program(self.prog))

    def addr(self, expr):
        return self.base + static_address(self.prog, expr)

    def resume(self, packet):
        """Sends a resume packet and waits for its stop reply (parsed)."""
        return parse_stop(self.request(packet))

    def run_to(self, expr):
        """Continues to a breakpoint at EXPR, then removes it; returns its address."""
        addr = self.addr(expr)
        assert self.request("Z0,%x,1" % addr) == "OK"
        stop = self.resume("vCont;c")
        assert stop["swbreak"], stop
        assert self.request("z0,%x,1" % addr) == "OK"
        return addr

    def reg(self, num, thread=None):
        if thread is not None:
            assert self.request("Hg" + thread) == "OK"
        return self.request("p%x" % num)

    def pc(self, thread=None):
        return le64(self.reg(0x10, thread))

    def read(self, addr, n):
        reply = self.request("m%x,%x" % (addr, n))
        assert not reply.startswith("E"), "m%x,%x: %s" % (addr, n, reply)
        return bytes.fromhex(reply)

    def ptid(self, tid=None):
        return "p%x.%x" % (self.pid, tid if tid is not None else self.tid)


# ---------------------------------------------------------------------------
# Traffic capture
#
# A recording TCP proxy on loopback, to see what crosses the wire between a
# client and a server.
# ---------------------------------------------------------------------------


class Proxy:
    """A loopback TCP proxy to 127.0.0.1:UPSTREAM that records every byte:
    client_bytes (towards the server) and server_bytes (back), per connection."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.lsock.settimeout(0.1)
        self.port = self.lsock.getsockname()[1]
        self.lock = threading.Lock()
        self.connections = []   # [bytearray to server, bytearray to client]
        self.socks = []
        self.threads = []
        self.stopping = False
        self._start(self._accept_loop)

    def _start(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        self.threads.append(t)
        t.start()

    def _accept_loop(self):
        while not self.stopping:
            try:
                c, _ = self.lsock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            c.settimeout(None)
            u = socket.create_connection(("127.0.0.1", self.upstream))
            rec = [bytearray(), bytearray()]
            with self.lock:
                self.socks += [c, u]
                self.connections.append(rec)
            self._start(self._pump, c, u, rec[0])
            self._start(self._pump, u, c, rec[1])

    def _pump(self, src, dst, record):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            with self.lock:
                record += data
            try:
                dst.sendall(data)
            except OSError:
                return

    def client_bytes(self):
        with self.lock:
            return b"".join(bytes(r[0]) for r in self.connections)

    def server_bytes(self):
        with self.lock:
            return b"".join(bytes(r[1]) for r in self.connections)

    def close(self):
        self.stopping = True
        self.lsock.close()
        with self.lock:
            socks = list(self.socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        for t in self.threads:
            t.join(5)


# ---------------------------------------------------------------------------
# Test base class
#
# TestCase starts servers, programs, gdb and clients for a test and cleans
# them all up; it also gives marker files (for gdb to say where it is, and to
# wait for the test) and checks on how processes run.
# ---------------------------------------------------------------------------


class TestCase(unittest.TestCase):
    """Base class: tracks what a test starts and cleans it up."""

    _tmp = None

    def setUp(self):
        self._cleanups = []

    # -- starting things --

    def server(self, *args, **kw):
        """A Server (args: its command line); at the end, it and whatever it
        launched that still runs are killed."""
        s = Server(list(args) if args else None, **kw)
        self.addCleanup(s.close)
        self.addCleanup(kill_launched, s)
        return s

    def start_program(self, name, *args):
        p = Program(name, *args)
        self.addCleanup(p.close)
        return p

    def gdb(self, server, commands, program_path=None, **kw):
        return run_gdb(server, commands, program_path, **kw)

    def bg_gdb(self, server, commands, program_path=None, **kw):
        """gdb in the background, in its own process group (killed at the end)."""
        g = start_gdb(server, commands, program_path, **kw)
        self.addCleanup(self._reap_gdb, g)
        return g

    def _reap_gdb(self, g):
        kill_gdb(g, read=False)
        g.stdout.close()

    def client(self, server, cls=Rsp, **kw):
        """A client (an Rsp, or CLS) connected to SERVER, closed at the end."""
        c = cls(server, **kw)
        self.addCleanup(c.close)
        return c

    # -- files, and marker files gdb and the test synchronise with --

    def tmp_path(self, name):
        """NAME in a temporary directory of the test's own (removed at the end)."""
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="dbgsrv-e2e-")
            self.addCleanup(shutil.rmtree, self._tmp, True)
        return os.path.join(self._tmp, name)

    def note(self, name):
        """A gdb command that creates the marker NAME."""
        return "shell touch " + self.tmp_path(name)

    def hold(self, name):
        """A gdb command that creates the marker NAME, then keeps gdb busy."""
        return "shell touch %s && sleep 120" % self.tmp_path(name)

    def await_(self, *names):
        """A gdb command that waits (at most a minute) until the markers exist."""
        test = " && ".join("[ -e %s ]" % self.tmp_path(n) for n in names)
        return "shell i=0; until %s; do i=$((i+1)); [ $i -gt 1200 ] && exit 1; sleep 0.05; done" % test

    def pause(self, name):
        """gdb commands: create the marker NAME, then wait until the test
        calls release(NAME). Lets the test look at the debuggee while gdb
        holds it stopped."""
        return [self.note(name), self.await_(name + ".go")]

    def touch(self, name):
        """Creates the marker NAME (from the test)."""
        open(self.tmp_path(name), "w").close()

    def release(self, name):
        """Lets a gdb waiting in pause(NAME) go on."""
        self.touch(name + ".go")

    def wait_marker(self, name, *gdbs, timeout=30):
        """Waits until the marker NAME exists; fails if one of GDBS ends first."""
        def there():
            for g in gdbs:
                if g.poll() is not None:
                    raise AssertionError("gdb ended before reaching %s:\n%s" % (name, g.stdout.read()))
            return os.path.exists(self.tmp_path(name))
        wait_for(there, timeout, what="gdb to reach " + name)

    # -- checks --

    def assertProgressesUnder(self, pid, tracer, what="process"):
        """No thread of PID is stopped, each is traced by TRACER (0: by
        nobody), and PID makes progress."""
        wait_for(lambda: running_under(pid, tracer),
                 what="%s %d to run under %d (%r)" % (what, pid, tracer, task_states(pid, tracers=True)))
        wait_progress(pid, what="%s %d to make progress (%r)" % (what, pid, task_states(pid, tracers=True)))

    def assertKeepsRunning(self, pid, what="process"):
        """PID is not stopped, not traced, and makes progress."""
        self.assertProgressesUnder(pid, 0, what)
        self.assertTrue(running_under(pid, 0), "%s %d: %r" % (what, pid, task_states(pid, tracers=True)))

    def assertGone(self, pid, what="launched process"):
        wait_for(lambda: proc_state(pid) is None,
                 what="%s %d to be gone (state %r)" % (what, pid, proc_state(pid)))

    def assertNoSessionsLeft(self, srv):
        """The listener has no child left (no session, no zombie) and runs."""
        wait_sessions_end(srv)
        self.assertIsNone(srv.proc.poll(), "the server exited")

    def assertIn(self, member, container, msg=None):
        if member not in container:
            raise AssertionError(msg or "%r not found in:\n%s" % (member, container))

    def assertNotIn(self, member, container, msg=None):
        if member in container:
            raise AssertionError(msg or "%r unexpectedly found in:\n%s" % (member, container))


class RawTestCase(TestCase):
    """For protocol-level tests: self.srv, a server, and self.c, a client
    connected to it (CLIENT: an Rsp unless a subclass says otherwise)."""

    CLIENT = Rsp

    def setUp(self):
        super().setUp()
        self.srv = self.server()
        self.c = self.client(self.srv, self.CLIENT)


def main():
    unittest.main(verbosity=2)
