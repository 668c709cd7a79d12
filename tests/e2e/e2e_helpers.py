"""Extra helpers for the run-control, threads, signals, registers, memory and
protocol end-to-end tests (not a test itself: CTest only runs test_*.py).

Candidates for the shared module dbgsrv_test.py are marked "SHARED?".
"""
import functools
import os
import re
import struct
import subprocess
import threading
import time

from dbgsrv_test import GDB, RawClient, program, wait_for

# ---- facts about the compiled programs, from gdb run on the file alone ----


@functools.lru_cache(maxsize=None)
def static_gdb(prog, *commands):
    cmd = [GDB, "-nx", "-batch"]
    for c in commands:
        cmd += ["-ex", c]
    cmd.append(program(prog))
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, text=True, timeout=60).stdout


def static_address(prog, expr):
    """Link-time address (offset from the load base of the PIE) of EXPR."""
    out = static_gdb(prog, 'python print("ADDR=%%#x" %% int(gdb.parse_and_eval("(long)&%s")))' % expr)
    m = re.search(r"ADDR=(0x[0-9a-f]+)", out)
    if not m:
        raise AssertionError("no address for %s in %s:\n%s" % (expr, prog, out))
    return int(m.group(1), 16)


def static_line_address(prog, location):
    """Link-time address of the first instruction of a source LOCATION (file:line)."""
    out = static_gdb(prog, 'python print("ADDR=%%#x" %% gdb.decode_line("%s")[1][0].pc)' % location)
    m = re.search(r"ADDR=(0x[0-9a-f]+)", out)
    if not m:
        raise AssertionError("no address for %s in %s:\n%s" % (location, prog, out))
    return int(m.group(1), 16)


def static_insns(prog, func, n):
    """Link-time addresses of the first N instructions of FUNC."""
    out = static_gdb(prog, "x/%di %s" % (n, func))
    addrs = [int(a, 16) for a in re.findall(r"^\s*(?:=> )?(0x[0-9a-f]+) <", out, re.M)]
    if len(addrs) < n:
        raise AssertionError("cannot disassemble %s in %s:\n%s" % (func, prog, out))
    return addrs[:n]


def source_line(prog_source, text):
    """Line number of the first line of tests/programs/PROG_SOURCE containing TEXT."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "programs", prog_source)
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if text in line:
                return i
    raise AssertionError("%r not in %s" % (text, prog_source))


def elf_entry(path):
    with open(path, "rb") as f:
        head = f.read(32)
    assert head[:4] == b"\x7fELF" and head[4] == 2, "not a 64-bit ELF file"
    return struct.unpack_from("<Q", head, 24)[0]


# ---- /proc, only for processes the test itself started ----


def launched_pids(srv):
    """PIDs from the "launched PATH: pid N" lines of a server we started.  SHARED?"""
    return [int(p) for p in re.findall(r"launched \S+: pid (\d+)", srv.log_text())]


def task_states(pid):
    """{tid: state letter} for every task of PID."""
    states = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except FileNotFoundError:
        return states
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        states[int(tid)] = stat[stat.rindex(")") + 2]
    return states


def read_proc_mem(pid, addr, n):
    """Reads N bytes of the memory of PID (a debuggee this test launched).
    When the main thread has exited (its /proc/PID/mem is gone), through one
    of the threads left."""
    paths = ["/proc/%d/mem" % pid] + ["/proc/%d/task/%d/mem" % (pid, t) for t in sorted(task_states(pid))]
    for path in paths:
        try:
            with open(path, "rb", buffering=0) as f:
                f.seek(addr)
                return f.read(n)
        except (ProcessLookupError, FileNotFoundError):
            continue
    raise ProcessLookupError("no memory for process %d" % pid)


def exe_base(pid, prog):
    """Load address of the test program PROG in process PID (from its maps)."""
    path = os.path.realpath(program(prog))
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split()
            if len(fields) > 5 and fields[5] == path and int(fields[2], 16) == 0:
                return int(fields[0].split("-")[0], 16)
    raise AssertionError("%s is not mapped in process %d" % (path, pid))


def readable_region(pid, min_size, perms="r-xp"):
    """(start, end) of a mapping of PID with PERMS of at least MIN_SIZE bytes."""
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if fields[1] == perms and end - start >= min_size:
                return start, end
    raise AssertionError("no %s mapping of %d bytes in process %d" % (perms, min_size, pid))


# ---- what the server and its debuggees print ----


class OutputReader:
    """Reads the server's stdout (where the debuggees print) in a thread so
    that a test can wait for a line while gdb is running.  SHARED?"""

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

    def text(self):
        with self.cond:
            return "\n".join(self.lines)


# ---- gdb helpers ----


def gdb_pause(directory, name):
    """Two gdb commands: create DIRECTORY/NAME.ready, then wait until the
    test creates DIRECTORY/NAME.go. Lets the test look at the debuggee while
    gdb holds it stopped."""
    ready = os.path.join(directory, name + ".ready")
    go = os.path.join(directory, name + ".go")
    return ['python open(%r, "w").close()' % ready,
            'python import os, time; [time.sleep(0.02) for _ in iter(lambda: os.path.exists(%r), True)]' % go]


def release(directory, name):
    open(os.path.join(directory, name + ".go"), "w").close()


def wait_paused(directory, name, gdb_proc=None, timeout=30.0):
    ready = os.path.join(directory, name + ".ready")

    def cond():
        if gdb_proc is not None and gdb_proc.poll() is not None:
            raise AssertionError("gdb ended before reaching pause %s:\n%s" % (name, gdb_proc.stdout.read()))
        return os.path.exists(ready)
    wait_for(cond, timeout, what="gdb to reach pause " + name)


def finish_gdb(proc, timeout=60):
    """Waits for a gdb started with start_gdb; returns its output."""
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError("gdb did not finish in %ds:\n%s" % (timeout, out))
    return out


def kill_gdb(proc):
    """Cleanup for a gdb started by the test (by PID, only ours)."""
    if proc.poll() is None:
        proc.kill()
    try:
        proc.communicate(timeout=10)
    except Exception:
        pass


def received(out):
    """The replies printed by gdb's "maint packet" commands, in order."""
    return re.findall(r'^received: "(.*)"$', out, re.M)


# ---- raw RSP ----


def escape_binary(data):
    """Escapes binary data for an X packet ($ # } * are escaped)."""
    out = bytearray()
    for b in data:
        if b in b"$#}*":
            out += bytes([0x7D, b ^ 0x20])
        else:
            out.append(b)
    return bytes(out)


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


def le64(hexstr):
    return int.from_bytes(bytes.fromhex(hexstr), "little")


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
        reply = self.request("vRun;" + ";".join(p.encode().hex() for p in parts))
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
                return {k: v for k, v in struct.iter_unpack("<QQ", data[:len(data) // 16 * 16])}

    def load_base(self):
        """Load address of the PIE program: AT_ENTRY minus the ELF entry."""
        return self.auxv()[9] - elf_entry(program(self.prog))

    def addr(self, expr):
        return self.base + static_address(self.prog, expr)

    def resume(self, packet):
        """Sends a resume packet and waits for its stop reply (parsed)."""
        return parse_stop(self.request(packet))

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
