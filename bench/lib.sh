# Sourced by every benchmark script. A benchmark exits 0 when it ran and met its target, 1 when it
# ran and missed it, and 2 when it could not run (a crash, a parse error, a missing tool, a failed
# hyperfine). CI keeps a miss informational — its machines are noisy — but fails on anything else,
# so a benchmark that broke cannot hide behind "above target" (bench/run.sh says which it was).
BENCH_NAME=${BENCH_NAME:-$(basename "$0" .sh)}

bench_cannot_run() {
  echo "$BENCH_NAME: could not run: $*" >&2
  exit 2
}

# Every command that fails outside an explicit check means the benchmark could not run: never a miss.
bench_strict() {
  set -Eeuo pipefail
  trap 'rc=$?; echo "$BENCH_NAME: could not run: line $LINENO: \"$BASH_COMMAND\" exited $rc" >&2; exit 2' ERR
}

bench_require() {  # bench_require TOOL… — a tool a benchmark needs, or exit 2
  local tool
  for tool in "$@"; do command -v "$tool" >/dev/null || bench_cannot_run "$tool is not installed"; done
}

bench_require_root() {
  [ "$(id -u)" = 0 ] || bench_cannot_run "needs root for network namespaces"
}

# The Python part of a benchmark (its script on stdin, arguments after): an uncaught exception
# exits 2, where Python's own exit for one is 1 — the same as a missed target.
bench_python() {
  python3 -c 'import os, sys, traceback
def could_not_run(kind, value, tb):
    traceback.print_exception(kind, value, tb)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(2)
sys.excepthook = could_not_run
exec(compile(sys.stdin.read(), "<benchmark>", "exec"), {"__name__": "__main__"})' "$@"
}

# The verdict, last: the Python part's exit is the benchmark's (an ERR trap must not turn a miss into 2).
bench_verdict() {
  local rc=0
  bench_python "$@" || rc=$?
  exit "$rc"
}
