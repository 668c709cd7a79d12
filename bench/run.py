#!/usr/bin/env python3
"""Benchmarks: the same gdb sessions against dbgsrv, gdbserver and
lldb-server, side by side in one run, reported as ratios to gdbserver.

Each scenario is a gdb batch session (gdb's own work is the same for every
server, so differences are the servers' and their conversations'). Each is
run REPEAT times per server; the median wall time counts, and the number of
packets gdb sent (from `set debug remote 1`, counted in a separate run).

    bench/run.py [--repeat N] [--dbgsrv PATH] [--only NAME,...] [--markdown]

Servers run on loopback ports picked free, one server per scenario run,
and are stopped after it. Nothing here is a test: it never fails on a
slow result.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_program(workdir):
    exe = os.path.join(workdir, "loop")
    subprocess.run(["gcc", "-g", "-O0", "-o", exe, os.path.join(HERE, "loop.c"), "-lpthread"], check=True)
    return exe


class ServerProcess:
    """One server listening on a free loopback port (extended-remote)."""

    def __init__(self, kind, dbgsrv):
        self.port = free_port()
        addr = "127.0.0.1:%d" % self.port
        if kind == "dbgsrv":
            cmd = [dbgsrv, "-t", "tcp:port=%d" % self.port]
        elif kind == "gdbserver":
            cmd = ["gdbserver", "--multi", addr]
        else:
            cmd = ["lldb-server", "gdbserver", addr]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.02)
        # The probe connection above may have used up a one-shot server.
        if kind != "dbgsrv":
            self.stop()
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(0.3)

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)   # its own group: the server and its children
            except ProcessLookupError:
                pass
        self.proc.wait()


def scenarios(exe):
    """name -> (description, gdb commands after connecting, timeout)."""
    return {
        "run": ("launch and run to the end", ["run 1000"], 30),
        "next": ("200 x next over one-line loop bodies",
                 ["break main", "run 1000", "next 200"], 120),
        "step": ("100 x step (into tick and back)",
                 ["break main", "run 1000", "step 100"], 120),
        "read16M": ("read 16 MiB of memory (dump binary memory)",
                    ["break tick", "run 1", "up", "dump binary memory /dev/null buffer buffer+(16<<20)"], 180),
        "breakhits": ("500 breakpoint hits (continue 500)",
                      ["break tick", "run 1000", "continue 500"], 180),
        "threads": ("200 hits of a breakpoint by 4 threads",
                    ["break worker", "run 50 4", "delete", "break tick if i > 0", "continue 200"], 180),
        "attach": ("attach, backtrace, detach", None, 30),
    }


def gdb_command(port, exe, commands):
    cmd = ["gdb", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
           "-ex", "set sysroot /", "-ex", "target extended-remote 127.0.0.1:%d" % port,
           "-ex", "set remote exec-file " + exe]
    for c in commands:
        cmd += ["-ex", c]
    return cmd + [exe]


def run_once(kind, dbgsrv, exe, commands, timeout, debug=False):
    """Seconds one session took (None if it failed), and its packet count."""
    srv = ServerProcess(kind, dbgsrv)
    victim = None
    try:
        if commands is None:   # attach: a program started here, stopped afterwards
            victim = subprocess.Popen([exe, "1000000000000"], stdout=subprocess.DEVNULL, start_new_session=True)
            time.sleep(0.1)
            commands = ["attach %d" % victim.pid, "bt", "detach"]
        cmd = gdb_command(srv.port, exe, (["set debug remote 1"] if debug else []) + commands)
        start = time.monotonic()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               stdin=subprocess.DEVNULL, timeout=timeout, start_new_session=True,
                               errors="replace")
        except subprocess.TimeoutExpired:
            return None, None
        took = time.monotonic() - start
        ok = p.returncode == 0 and "Remote connection closed" not in p.stdout and "error" not in p.stdout.lower()
        packets = len(re.findall(r"Sending packet: \$", p.stdout)) if debug else None
        return (took if ok else None), packets
    finally:
        srv.stop()
        if victim:
            victim.kill()
            victim.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dbgsrv", default=os.path.join(ROOT, "build", "src", "dbgsrv"))
    ap.add_argument("--only", default="")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    kinds = ["dbgsrv", "gdbserver"] + (["lldb-server"] if shutil.which("lldb-server") else [])
    work = tempfile.mkdtemp(prefix="dbgsrv-bench-")
    exe = build_program(work)
    table = scenarios(exe)
    names = [n for n in table if not args.only or n in args.only.split(",")]
    results = {}
    for name in names:
        desc, commands, timeout = table[name]
        for kind in kinds:
            times = []
            for _ in range(args.repeat):
                times.append(run_once(kind, args.dbgsrv, exe, commands, timeout)[0])
                if times[-1] is None:
                    break   # a server that cannot do it: no point in waiting again
            ok = all(t is not None for t in times)
            packets = run_once(kind, args.dbgsrv, exe, commands, timeout, debug=True)[1] if ok else None
            results[(name, kind)] = (statistics.median(times) if ok else None, packets)
            print("%-10s %-12s %s  packets=%s" % (name, kind, "%.3fs" % results[(name, kind)][0]
                                                 if results[(name, kind)][0] else "failed", packets),
                  file=sys.stderr)
    shutil.rmtree(work, True)
    cols = kinds
    if args.markdown:
        print("| scenario | " + " | ".join("%s s (packets)" % k for k in cols) + " | dbgsrv / gdbserver |")
        print("|---|" + "---:|" * (len(cols) + 1))
    for name in names:
        cells = []
        for k in cols:
            t, n = results[(name, k)]
            cells.append(("%.3f" % t if t is not None else "fails") + (" (%s)" % n if n is not None else ""))
        d, g = results[(name, "dbgsrv")][0], results[(name, "gdbserver")][0]
        ratio = "%.2f" % (d / g) if d and g else "-"
        if args.markdown:
            print("| %s: %s | %s | %s |" % (name, table[name][0], " | ".join(cells), ratio))
        else:
            print("%-10s %s  ratio %s" % (name, "  ".join(cells), ratio))


if __name__ == "__main__":
    main()
