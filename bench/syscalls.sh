#!/usr/bin/env bash
# System calls of the serving process (dbgsrv's session, or gdbserver)
# during part of a gdb session: a count that does not depend on the
# machine's load, unlike bench/run.py's times.
#
#   bench/syscalls.sh dbgsrv|gdbserver PROGRAM GDB-COMMAND... STRACE GDB-COMMAND...
#
# The commands after the word STRACE are counted (strace -c attaches there).
# DBGSRV: the dbgsrv to use (default build/src/dbgsrv). Example:
#   bench/syscalls.sh dbgsrv /tmp/loop "break main" "run 1000" STRACE "step 100"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kind=$1 prog=$2
shift 2
DBGSRV=${DBGSRV:-$here/../build/src/dbgsrv}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "$kind" = dbgsrv ]; then
    "$DBGSRV" -t "tcp:port=$port" </dev/null >/dev/null 2>&1 &
else
    gdbserver --multi "127.0.0.1:$port" </dev/null >/dev/null 2>&1 &
fi
server=$!
sleep 0.5
args=()
for c in "$@"; do
    if [ "$c" = STRACE ]; then
        # dbgsrv serves each client in a session process of its own.
        if [ "$kind" = dbgsrv ]; then target="\$(pgrep -P $server)"; else target=$server; fi
        args+=(-ex "shell strace -c -o $out/strace -p $target & echo \$! > $out/strace.pid; sleep 1")
    else
        args+=(-ex "$c")
    fi
done
gdb -nx -batch -ex "set pagination off" -ex "set confirm off" -ex "set sysroot /" \
    -ex "target extended-remote 127.0.0.1:$port" -ex "set remote exec-file $prog" "${args[@]}" \
    -ex "shell kill -INT \$(cat $out/strace.pid); sleep 0.5" "$prog" >"$out/gdb.out" 2>&1 || true
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
cat "$out/strace"
