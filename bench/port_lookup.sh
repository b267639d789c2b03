#!/usr/bin/env bash
# Whole-process lookup time: `winports port 445` against `grep -w 445 /etc/services`, measured
# side by side in one hyperfine run. Target: winports at most 1.25x grep.
source "$(dirname "$0")/lib.sh"
bench_strict
bench_require hyperfine python3
bin=${1:-$(dirname "$0")/../build/winports}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
hyperfine -N --warmup 50 --runs ${RUNS:-500} --export-json "$out" "$bin port 445" "grep -w 445 /etc/services" >/dev/null
bench_verdict "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
w, g = r[0]["mean"] * 1e3, r[1]["mean"] * 1e3
ratio = w / g
target = 1.25
print(f"winports port 445:            {w:.3f} ms (median {r[0]['median']*1e3:.3f} ms)")
print(f"grep -w 445 /etc/services:    {g:.3f} ms (median {r[1]['median']*1e3:.3f} ms)")
print(f"ratio winports/grep:          {ratio:.2f}x (target <= {target:.2f}x) {'PASS' if ratio <= target else 'FAIL'}")
sys.exit(0 if ratio <= target else 1)
PY
