#!/usr/bin/env bash
# GDB's own testsuite against dbgsrv, side by side with stock gdbserver.
#
#   tests/gdb-testsuite/run.sh [TEST...]
#
# TEST is a testsuite directory (gdb.server) or file (gdb.base/break.exp),
# relative to gdb/testsuite; the default is gdb.server.  Each is run twice
# with the installed gdb: once with the installed gdbserver through gdb's
# board native-extended-gdbserver, once with dbgsrv through our board
# boards/dbgsrv-native-extended.exp (BOARDS below changes which).  Then the
# PASS/FAIL/... counts are printed per directory, side by side, with the
# tests that pass with gdbserver but not with dbgsrv.
#
# Environment:
#   GDB_SRC_DIR    where Debian's gdb source package is unpacked
#                  (default /work/gdb-src); fetched with apt-get source if
#                  missing (needs a deb-src entry; one is added if missing)
#   GDB_WORK_DIR   configured testsuite and results (default $GDB_SRC_DIR/work)
#   RESULTS_DIR    where this run's logs go (default $GDB_WORK_DIR/results/DATE)
#   GDB            gdb to test with (default /usr/bin/gdb)
#   GDBSERVER      stock gdbserver (default /usr/bin/gdbserver)
#   DBGSRV         dbgsrv (default build/src/dbgsrv of this repository)
#   PAIRS          "GDBSERVER_BOARD:DBGSRV_BOARD ..." (default
#                  "native-extended-gdbserver:dbgsrv-native-extended"; add
#                  "native-gdbserver:dbgsrv-native" for plain target remote)
#   JOBS           1: one runtest at a time; 2 (default): the gdbserver run
#                  and the dbgsrv run go on at the same time
#   RUNTESTFLAGS   more arguments for runtest (e.g. --verbose)
#
# Not part of `make check`: gdb.server alone takes several minutes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

GDB_SRC_DIR=${GDB_SRC_DIR:-/work/gdb-src}
GDB_WORK_DIR=${GDB_WORK_DIR:-$GDB_SRC_DIR/work}
GDB=${GDB:-/usr/bin/gdb}
GDBSERVER=${GDBSERVER:-/usr/bin/gdbserver}
DBGSRV=${DBGSRV:-$repo/build/src/dbgsrv}
PAIRS=${PAIRS:-native-extended-gdbserver:dbgsrv-native-extended}
JOBS=${JOBS:-2}
RESULTS_DIR=${RESULTS_DIR:-$GDB_WORK_DIR/results/$(date +%Y%m%d-%H%M%S)}
RUNTESTFLAGS=${RUNTESTFLAGS:-}

case "$GDB_SRC_DIR" in
"$repo"|"$repo"/*) echo "run.sh: GDB_SRC_DIR must be outside the repository" >&2; exit 2 ;;
esac

say() { echo "run.sh: $*" >&2; }

for f in "$GDB" "$GDBSERVER" "$DBGSRV"; do
    [ -x "$f" ] || { say "$f: not found (build dbgsrv first: cmake --build build)"; exit 2; }
done
export DBGSRV

apt_updated=
apt_update() {
    [ -n "$apt_updated" ] || apt-get update -q >&2
    apt_updated=1
}

# --- DejaGnu ---------------------------------------------------------------
if ! command -v runtest >/dev/null || ! command -v expect >/dev/null; then
    say "installing dejagnu and expect"
    apt_update
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q dejagnu expect >&2
fi

# --- gdb's sources: Debian's source package of the installed gdb -----------
gdb_version=$(dpkg-query -W -f='${Version}' gdb 2>/dev/null || true)
src=$(ls -d "$GDB_SRC_DIR"/gdb-*/gdb/testsuite 2>/dev/null | head -1 || true)
if [ -z "$src" ]; then
    if ! grep -rqs 'deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
        say "adding a deb-src entry for $codename"
        cat >/etc/apt/sources.list.d/debian-src.sources <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
        apt_updated=
    fi
    apt_update
    mkdir -p "$GDB_SRC_DIR"
    say "fetching gdb's source package ${gdb_version:+($gdb_version) }into $GDB_SRC_DIR"
    (cd "$GDB_SRC_DIR" && apt-get source -q "gdb${gdb_version:+=$gdb_version}" >&2)
    src=$(ls -d "$GDB_SRC_DIR"/gdb-*/gdb/testsuite | head -1)
fi
say "testsuite: $src"

# --- configure the testsuite alone (once) ----------------------------------
conf=$GDB_WORK_DIR/configured
if [ ! -f "$conf/site.exp" ]; then
    say "configuring the testsuite in $conf"
    rm -rf "$conf" && mkdir -p "$conf"
    (cd "$conf" && "$src/configure" >configure.log 2>&1 && make site.exp >>configure.log 2>&1) ||
        { say "configure failed: see $conf/configure.log"; exit 1; }
fi

# --- the tests ---------------------------------------------------------------
[ $# -gt 0 ] || set -- gdb.server
tests=()
for t in "$@"; do
    if [ -d "$src/$t" ]; then
        for f in "$src/$t"/*.exp; do tests+=("${f#$src/}"); done
    elif [ -f "$src/$t" ]; then
        tests+=("$t")
    else
        say "$t: no such directory or file in $src"; exit 2
    fi
done

mkdir -p "$RESULTS_DIR/bin"
say "results in $RESULTS_DIR"
# The run uses a copy: rebuilding dbgsrv meanwhile does not change it.
cp "$DBGSRV" "$RESULTS_DIR/bin/dbgsrv"
dbgsrv_built=$DBGSRV
# The commit of the copy: the tree may move on while the run goes.
dbgsrv_commit=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?')
DBGSRV=$RESULTS_DIR/bin/dbgsrv
export DBGSRV

# Processes this run left behind: servers the testsuite did not end, and
# programs that escaped them (e.g. children of fork tests that a server
# without fork events never saw). Only ours: a program built under DIR, a
# server whose command line names DIR, or our copy of dbgsrv.
leftovers() {   # DIR SERVER
    local dir=$1 server=$2 p exe cmd found=()
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" != $$ ] || continue
        exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
        cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
        if [[ "$exe" == "$dir"/* ]] || { [ "$server" = "$DBGSRV" ] && [ "$exe" = "$DBGSRV" ]; } ||
            { [ "$exe" = "$server" ] && [[ "$cmd" == *"$dir"/* ]]; }; then
            found+=("$p")
        fi
    done
    if [ ${#found[@]} -gt 0 ]; then
        say "$(basename "$dir"): ending ${#found[@]} leftover process(es): ${found[*]}"
        echo "leftover processes: ${found[*]}" >>"$dir/runtest.out"
        kill -TERM "${found[@]}" 2>/dev/null || true
        sleep 2
        kill -KILL "${found[@]}" 2>/dev/null || true
    fi
}

# One runtest in a directory of its own (the testsuite builds its programs
# under the current directory, so two runs must not share one).
run_board() {   # BOARD SERVER
    local board=$1 server=$2 dir=$RESULTS_DIR/$1
    rm -rf "$dir" && mkdir -p "$dir"
    cp -a "$conf/." "$dir/"
    echo "lappend boards_dir $here/boards" >>"$dir/site.exp"
    (
        cd "$dir"
        # shellcheck disable=SC2086
        runtest --tool gdb --srcdir "$src" --outdir "$dir" GDB="$GDB" GDBSERVER="$server" \
            --target_board="$board" $RUNTESTFLAGS "${tests[@]}" >"$dir/runtest.out" 2>&1 || true
    )
    leftovers "$dir" "$server"
    # The programs, core files and temporaries are big; the logs stay.
    rm -rf "$dir/outputs" "$dir/temp"
    say "$board done: $(grep -c '^PASS' "$dir/gdb.sum" || true) passes"
}

# runtest leaves no process behind on a normal end; on ^C end ours.
pids=()
cleanup() { for p in "${pids[@]}"; do kill -- "$p" 2>/dev/null || true; done; }
trap cleanup INT TERM

pairs=()
for pair in $PAIRS; do
    gs=${pair%%:*} ds=${pair#*:}
    pairs+=("$gs:$ds")
    say "running ${#tests[@]} test files with $gs ($GDBSERVER) and $ds ($dbgsrv_built)"
    if [ "$JOBS" -ge 2 ]; then
        run_board "$gs" "$GDBSERVER" & pids+=($!)
        run_board "$ds" "$DBGSRV" & pids+=($!)
        wait "${pids[@]}"
        pids=()
    else
        run_board "$gs" "$GDBSERVER"
        run_board "$ds" "$DBGSRV"
    fi
done

{
    echo "# $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "# gdb: $("$GDB" --version | head -1)"
    echo "# gdbserver: $("$GDBSERVER" --version | head -1)"
    echo "# dbgsrv: $("$DBGSRV" --version 2>&1 | head -1) ($dbgsrv_built, $dbgsrv_commit at the start)"
    echo "# tests: $*"
    for pair in "${pairs[@]}"; do
        python3 "$here/compare.py" "$RESULTS_DIR/${pair%%:*}/gdb.sum" "$RESULTS_DIR/${pair#*:}/gdb.sum"
    done
} | tee "$RESULTS_DIR/summary.txt"
say "summary: $RESULTS_DIR/summary.txt"
