#!/usr/bin/env bash
# The benchmarks' exit convention (bench/lib.sh) and CI's wrapper (bench/run.sh): a benchmark that
# crashes — a Python exception, a failed command, a missing tool — must fail the wrapper, while one
# that ran and missed its target stays informational. Each case is a small benchmark written here
# that sources the real lib.sh, so the convention itself is what is tested.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
write() {  # write NAME BODY — a benchmark script beside a copy of lib.sh
  printf '#!/usr/bin/env bash\nsource "%s/bench/lib.sh"\nbench_strict\n%s\n' "$root" "$2" >"$tmp/$1.sh"
}
expect() {  # expect NAME BENCH_EXIT WRAPPER_EXIT OUTPUT_PATTERN
  local rc=0 wrc=0 out
  bash "$tmp/$1.sh" >"$tmp/$1.out" 2>&1 || rc=$?
  out=$(bash "$root/bench/run.sh" "$tmp/$1.sh" 2>&1) || wrc=$?
  if [ "$rc" != "$2" ] || { [ "$3" = 0 ] && [ "$wrc" != 0 ]; } || { [ "$3" != 0 ] && [ "$wrc" = 0 ]; } ||
    ! grep -q -- "$4" <<<"$out"; then
    echo "FAIL: $1: benchmark exit $rc (want $2), wrapper exit $wrc (want $3), output:"
    echo "$out"
    fail=1
  fi
}
write met 'bench_verdict <<'"'"'PY'"'"'
print("ratio 0.5x (target <= 1.00x)")
PY'
expect met 0 0 "met its target"
write missed 'bench_verdict <<'"'"'PY'"'"'
import sys
print("ratio 1.5x (target <= 1.00x)")
sys.exit(1)
PY'
expect missed 1 0 "MISSED its target"
# The bug this convention exists for: the JSON changed shape and the parser raised KeyError.
write keyerror 'bench_verdict <<'"'"'PY'"'"'
import json
print(json.loads("{\"payload\": {}}")["results"])
PY'
expect keyerror 2 2 "COULD NOT RUN"
grep -q KeyError "$tmp/keyerror.out" || { echo "FAIL: the crash's traceback is not printed"; fail=1; }
# A command that fails before the verdict (hyperfine whose command fails, as audit_scale hid with || true).
write failed_command 'false
echo "never reached"'
expect failed_command 2 2 "COULD NOT RUN"
write missing_tool 'bench_require winports-no-such-tool'
expect missing_tool 2 2 "COULD NOT RUN"
grep -q "winports-no-such-tool is not installed" "$tmp/missing_tool.out" || { echo "FAIL: the missing tool is not named"; fail=1; }
# A benchmark killed by a signal is not a miss either.
write killed 'kill -SEGV $$'
expect killed 139 2 "COULD NOT RUN"
[ $fail = 0 ] && echo "bench wrapper: 6 cases as expected"
exit $fail
