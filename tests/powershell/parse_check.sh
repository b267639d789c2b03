#!/usr/bin/env bash
# Every example's PowerShell output (all hosts, and each host alone) must parse with a real
# PowerShell grammar (tree-sitter-powershell, run with Node), with no error node.
set -u
bin=$1 examples=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || [ ! -d "$here/node_modules/web-tree-sitter" ]; then
  echo "SKIP: needs node and 'npm ci --prefix tests/powershell' (scripts/setup.sh does it)"; exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
files=()
for site in "$examples"/*.yaml; do
  name=$(basename "$site" .yaml)
  "$bin" plan "$site" --format powershell -o "$dir/$name.ps1" || exit 1
  files+=("$dir/$name.ps1")
  for host in $(awk '/^hosts:/{h=1;next} h&&/^[a-z]/{h=0} h&&/^  [a-z0-9-]+:/{sub(":","",$1);print $1}' "$site"); do
    "$bin" plan "$site" --format powershell --host "$host" -o "$dir/$name-$host.ps1" || exit 1
    files+=("$dir/$name-$host.ps1")
  done
done
# The audit's collector script (winports audit --collector), run on Windows hosts.
"$bin" audit --collector >"$dir/collect.ps1" || exit 1
grep -q 'Get-NetFirewallRule -PolicyStore ActiveStore' "$dir/collect.ps1" || { echo "FAIL: collector script"; exit 1; }
files+=("$dir/collect.ps1")
# A deliberately broken script must fail, or the check proves nothing.
printf "New-NetFirewallRule -Name 'x -Protocol TCP {\n" >"$dir/broken.ps1"
if node "$here/parse_check.cjs" "$dir/broken.ps1" >/dev/null; then echo "FAIL: the parser accepted a broken script"; exit 1; fi
node "$here/parse_check.cjs" "${files[@]}"
