#!/usr/bin/env bash
# Audit at scale: the 5,000-host / 200-zone site (bench/scale_site.py), its own nftables output
# loaded into a network namespace and dumped with `nft -j list ruleset`, audited against its plan —
# whole process (reading the site, planning it, reading the dump, evaluating). Beside it, in the
# same hyperfine run, `nft -c -f` checking the same ruleset in that namespace. Target: the audit
# <= 1 s and <= nft -c. Needs root (a namespace); prints figures, exits 1 above target, 2 when it
# could not run (bench/lib.sh).
source "$(dirname "$0")/lib.sh"
bench_strict
bench_require_root
bench_require hyperfine python3 nft
bin=$(realpath "${1:-$(dirname "$0")/../build/winports}")
dir=$(mktemp -d)
ns=wpbench$$
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$dir"' EXIT
python3 "$(dirname "$0")/scale_site.py" "$dir/site.yaml" "$dir/open.yaml"
"$bin" plan "$dir/site.yaml" --format nftables -o "$dir/site.nft" 2>/dev/null
ip netns add "$ns"
ip netns exec "$ns" nft -f "$dir/site.nft"
ip netns exec "$ns" nft -j list ruleset >"$dir/dump.json"
rules=$(grep -c ' accept comment ' "$dir/site.nft" || true)
echo "site: 5000 hosts, 200 zones, 20000 access entries; $rules planned rules; dump $(stat -c %s "$dir/dump.json") bytes"
# The plan's own output audits clean (exit 0); anything else means the benchmark measures nothing.
"$bin" audit "$dir/site.yaml" "$dir/dump.json" >/dev/null 2>"$dir/summary" ||
  { cat "$dir/summary"; bench_cannot_run "the audit of the plan's own ruleset is not clean"; }
cat "$dir/summary"
/usr/bin/time -f "%M" -o "$dir/mem" "$bin" audit "$dir/site.yaml" "$dir/dump.json" >/dev/null 2>&1
hyperfine -N --warmup 1 --runs ${RUNS:-5} --export-json "$dir/times.json" \
  "$bin audit $dir/site.yaml $dir/dump.json" "ip netns exec $ns nft -c -f $dir/site.nft" >/dev/null 2>&1 ||
  bench_cannot_run "hyperfine failed"
# The two halves of the audit, each on its own: planning the site, and reading the dump.
/usr/bin/time -f "%e" -o "$dir/plan_time" "$bin" plan "$dir/site.yaml" --format json -o /dev/null 2>/dev/null
bench_verdict "$dir/times.json" "$(cat "$dir/mem")" "$(cat "$dir/plan_time")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, n = r[0]["mean"], r[1]["mean"]
print(f"winports audit (whole process): {a:.3f} s, peak {int(sys.argv[2]) // 1024} MiB")
print(f"nft -c -f (same ruleset):       {n:.3f} s")
print(f"plan of the site alone (json):  {float(sys.argv[3]):.3f} s")
print(f"ratio audit / nft -c:           {a / n:.2f}x (target <= 1.00x)")
ok = a <= 1.0 and a <= n
print(f"target audit <= 1 s and <= nft -c: {'PASS' if ok else 'OVER'}")
sys.exit(0 if ok else 1)
PY
