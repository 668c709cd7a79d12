#!/usr/bin/env python3
"""Compare two DejaGnu gdb.sum files: the stock gdbserver's and dbgsrv's.

    compare.py GDBSERVER_SUM DBGSRV_SUM

Prints per-directory counts of each outcome side by side, then every test
that passes with gdbserver but not with dbgsrv (FAIL, UNRESOLVED, ... or not
reached at all), grouped by test file.
"""
import collections
import os
import re
import sys

OUTCOMES = ["PASS", "FAIL", "XFAIL", "KFAIL", "XPASS", "KPASS", "UNRESOLVED", "UNSUPPORTED", "UNTESTED", "ERROR"]
SHORT = {"PASS": "pass", "FAIL": "fail", "XFAIL": "xfail", "KFAIL": "kfail", "XPASS": "xpass", "KPASS": "kpass",
         "UNRESOLVED": "unres", "UNSUPPORTED": "unsup", "UNTESTED": "untst", "ERROR": "error"}
LINE = re.compile(r"^(%s): (.*)$" % "|".join(OUTCOMES))
RUNNING = re.compile(r"^Running .*/(gdb\.[^/]+/[^/]+\.exp) \.\.\.$")


def parse(path):
    """-> ({dir: Counter(outcome)}, {test name: outcome}, {file: [names]})."""
    counts = collections.defaultdict(collections.Counter)
    results = {}
    seen = collections.Counter()
    current = None
    if not os.path.exists(path):
        return counts, results
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = RUNNING.match(line)
            if m:
                current = m.group(1)
                counts[current.split("/")[0]]  # a directory with no result still shows
                continue
            m = LINE.match(line)
            if not m:
                continue
            outcome, name = m.groups()
            name = re.sub(r" \(timeout\)$", "", name)
            file = name.split(": ")[0] if name.startswith("gdb.") else current
            if not file:
                continue
            counts[file.split("/")[0]][outcome] += 1
            if not name.startswith(file):
                name = "%s: %s" % (file, name)
            # Tests with the same name in one file: number the repeats.
            seen[name] += 1
            key = name if seen[name] == 1 else "%s <%d>" % (name, seen[name])
            results[key] = outcome
    return counts, results


def main():
    gs_sum, ds_sum = sys.argv[1:3]
    gs_counts, gs_results = parse(gs_sum)
    ds_counts, ds_results = parse(ds_sum)
    gs_board = os.path.basename(os.path.dirname(gs_sum))
    ds_board = os.path.basename(os.path.dirname(ds_sum))
    used = [o for o in OUTCOMES if any(c[o] for c in list(gs_counts.values()) + list(ds_counts.values()))]
    used = used or ["PASS", "FAIL"]
    print()
    print("## %s (gdbserver) vs %s (dbgsrv)" % (gs_board, ds_board))
    print()
    head = " ".join("%6s" % SHORT[o] for o in used)
    print("%-14s %-9s %s" % ("directory", "server", head))
    for d in sorted(set(gs_counts) | set(ds_counts)):
        for label, counts in (("gdbserver", gs_counts), ("dbgsrv", ds_counts)):
            c = counts.get(d, collections.Counter())
            print("%-14s %-9s %s" % (d, label, " ".join("%6d" % c[o] for o in used)))
    regress = [(k, ds_results.get(k, "MISSING")) for k, v in gs_results.items()
               if v == "PASS" and ds_results.get(k) != "PASS"]
    better = [k for k, v in ds_results.items() if v == "PASS" and gs_results.get(k) != "PASS"]
    print()
    print("### %d tests pass with gdbserver but not with dbgsrv" % len(regress))
    by_file = collections.defaultdict(list)
    for k, outcome in regress:
        by_file[k.split(": ")[0]].append((k.split(": ", 1)[1] if ": " in k else k, outcome))
    for file in sorted(by_file):
        print("%s (%d)" % (file, len(by_file[file])))
        for name, outcome in by_file[file]:
            print("    %-10s %s" % (outcome, name))
    print()
    print("### %d tests pass with dbgsrv but not with gdbserver" % len(better))
    for k in better:
        print("    %-10s %s" % (gs_results.get(k, "MISSING"), k))


if __name__ == "__main__":
    main()
