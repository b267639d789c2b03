#!/usr/bin/env bash
# Audit at scale: the 5,000-host / 200-zone site (bench/scale_site.py), its own nftables output
# loaded into a network namespace and dumped with `nft -j list ruleset`, audited against its plan —
# whole process (reading the site, planning it, reading the dump, evaluating). Beside it, in the
# same hyperfine run, `nft -c -f` checking the same ruleset in that namespace. Target: the audit
# <= 1 s. Needs root (a namespace); prints figures and exits 1 above target.
set -euo pipefail
bin=$(realpath "${1:-$(dirname "$0")/../build/winports}")
[ "$(id -u)" = 0 ] || { echo "audit_scale: needs root for a network namespace; skipped"; exit 0; }
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
"$bin" audit "$dir/site.yaml" "$dir/dump.json" >/dev/null 2>"$dir/summary" || { cat "$dir/summary"; exit 1; }
cat "$dir/summary"
/usr/bin/time -f "%M" -o "$dir/mem" "$bin" audit "$dir/site.yaml" "$dir/dump.json" >/dev/null 2>&1
hyperfine -N --warmup 1 --runs ${RUNS:-5} --export-json "$dir/times.json" \
  "$bin audit $dir/site.yaml $dir/dump.json" "ip netns exec $ns nft -c -f $dir/site.nft" >/dev/null 2>&1 || true
python3 - "$dir/times.json" "$(cat "$dir/mem")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, n = r[0]["mean"], r[1]["mean"]
print(f"winports audit (whole process): {a:.3f} s, peak {int(sys.argv[2]) // 1024} MiB")
print(f"nft -c -f (same ruleset):       {n:.3f} s")
print(f"ratio audit / nft -c:           {a / n:.2f}x")
print(f"target audit <= 1 s: {'PASS' if a <= 1.0 else 'OVER'}")
sys.exit(0 if a <= 1.0 else 1)
PY
