#!/usr/bin/env bash
# Planner scale: a generated site with 5,000 hosts, 200 zones and 20,000 access entries, each
# naming a host. Two workloads: netbios decided (false), and netbios left open so that every
# NetBIOS row is an undecided left-out entry. Prints wall time and peak memory per format
# (target for the rule and table formats: <= 1 s and <= 150 MiB; html and xlsx are reported).
# Exit 0 on target, 1 over it, 2 when a plan failed or the script could not run (bench/lib.sh).
source "$(dirname "$0")/lib.sh"
bench_strict
bench_require python3
bin=${1:-$(dirname "$0")/../build/winports}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$(dirname "$0")/scale_site.py" "$dir/site.yaml" "$dir/open.yaml"
status=0
measure() {  # site label format target(1 = held to the targets)
  local out="$dir/out.$3"
  /usr/bin/time -f "%e %M" -o "$dir/time" timeout 600 "$bin" plan "$1" --format "$3" -o "$out" 2>"$dir/err" ||
    { cat "$dir/err" >&2; bench_cannot_run "plan --format $3 failed"; }
  read -r secs kb <"$dir/time"
  local verdict=""
  if [ "$4" = 1 ]; then
    if awk -v s="$secs" -v k="$kb" 'BEGIN { exit (s <= 1.0 && k <= 150 * 1024) ? 0 : 1 }'; then verdict="ok"; else
      verdict="OVER TARGET"
      status=1
    fi
  fi
  printf '%-14s %-11s %6s s  peak %7d KiB  %s\n' "$2" "$3" "$secs" "$kb" "$verdict"
}
echo "plan 5000 hosts / 200 zones / 20000 access entries (target <= 1 s, <= 150 MiB)"
for site in site open; do
  label=$([ $site = site ] && echo "netbios:false" || echo "netbios unset")
  for format in json nftables iptables powershell netsh asa csv md; do measure "$dir/$site.yaml" "$label" $format 1; done
  for format in html xlsx; do measure "$dir/$site.yaml" "$label" $format 0; done
done
rules=$(grep -c ' accept comment ' "$dir/out.nftables" || true)
echo "nftables rules (netbios unset): $rules"
exit $status
