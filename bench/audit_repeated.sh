#!/usr/bin/env bash
# Audit time as a chain grows: the site chain of a recorded kernel dump (tests/data/audit/
# branch-office.nft.json) repeated in one chain to 1,500 and 15,000 rules (bench/repeat_chain.py) —
# exact copies, each shadowing the next — and the same with a source host of its own per rule
# (distinct rules to the same servers). Each audited against the example site, whole process; beside
# them, in the same run, `nft -j -c -f` checking the 15,000-rule file in a namespace of its
# own (once: it takes tens of seconds; a rejection would mean the file is not a ruleset). Targets:
# 15,000 rules within 10x the time of 1,500 (the audit stays linear), within 10 s and
# 1 GiB. Needs root (a namespace); exits 1 above target, 2 when it could not run (bench/lib.sh).
source "$(dirname "$0")/lib.sh"
bench_strict
bench_require_root
bench_require hyperfine python3 nft
bin=$(realpath "${1:-$(dirname "$0")/../build/winports}")
root=$(dirname "$(realpath "$0")")/..
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
site=$root/examples/branch-office.yaml
for n in 1500 15000; do
  python3 "$root/bench/repeat_chain.py" "$root/tests/data/audit/branch-office.nft.json" $n "$dir/copies-$n.json" >/dev/null
  python3 "$root/bench/repeat_chain.py" "$root/tests/data/audit/branch-office.nft.json" $n "$dir/distinct-$n.json" \
    --distinct >/dev/null
done
# Each must be read and audited (exit 1: findings, the copies never match), or nothing is measured.
for f in "$dir"/*.json; do
  rc=0
  "$bin" audit "$site" "$f" >/dev/null 2>&1 || rc=$?
  [ $rc = 1 ] || bench_cannot_run "winports audit $(basename "$f") exited $rc"
done
mem() { /usr/bin/time -f "%M" -o "$dir/mem" "$bin" audit "$site" "$1" >/dev/null 2>&1 || true; tail -1 "$dir/mem"; }
mem_copies=$(mem "$dir/copies-15000.json")
mem_distinct=$(mem "$dir/distinct-15000.json")
hyperfine -N --warmup 1 --runs ${RUNS:-5} --export-json "$dir/times.json" -i \
  "$bin audit $site $dir/copies-1500.json" "$bin audit $site $dir/copies-15000.json" \
  "$bin audit $site $dir/distinct-1500.json" "$bin audit $site $dir/distinct-15000.json" \
  >/dev/null 2>&1 || bench_cannot_run "hyperfine failed"
# nft's own check of the same file, once: it takes tens of seconds.
hyperfine -N --runs 1 --export-json "$dir/nft.json" "unshare --net nft -j -c -f $dir/copies-15000.json" \
  >/dev/null 2>&1 || bench_cannot_run "hyperfine failed on nft -c"
bench_verdict "$dir/times.json" "$mem_copies" "$mem_distinct" "$dir/nft.json" <<'PY'
import json, sys
r = [x["mean"] for x in json.load(open(sys.argv[1]))["results"]]
r.append(json.load(open(sys.argv[4]))["results"][0]["mean"])
mem = {"copies": int(sys.argv[2]) / 1024, "distinct": int(sys.argv[3]) / 1024}
ok = True
for k, shape in enumerate(("copies", "distinct")):
    small, big = r[2 * k], r[2 * k + 1]
    within = big <= 10 * small and big <= 10 and mem[shape] <= 1024
    ok = ok and within
    print(f"{shape:9} 1,500 rules {small:.3f} s; 15,000 rules {big:.3f} s, peak {mem[shape]:.0f} MiB: "
          f"{big / small:.1f}x (target <= 10x, <= 10 s, <= 1 GiB) {'PASS' if within else 'OVER'}")
print(f"nft -j -c -f of the 15,000-rule file: {r[4]:.3f} s; winports audit / nft -c: {r[1] / r[4]:.2f}x")
sys.exit(0 if ok else 1)
PY
