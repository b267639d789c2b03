#!/usr/bin/env bash
# Every example's PowerShell output (all hosts, in English and Japanese, and each host alone), verify's probe scripts and the
# audit's collector must parse with a real PowerShell grammar (tree-sitter-powershell, run with
# Node), with no error node.
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
  # The same script in Japanese: its comments and messages translated, its code unchanged.
  "$bin" --lang ja plan "$site" --format powershell -o "$dir/$name.ja.ps1" || exit 1
  files+=("$dir/$name.ja.ps1")
  for host in $(awk '/^hosts:/{h=1;next} h&&/^[a-z]/{h=0} h&&/^  [a-z0-9-]+:/{sub(":","",$1);print $1}' "$site"); do
    "$bin" plan "$site" --format powershell --host "$host" -o "$dir/$name-$host.ps1" || exit 1
    files+=("$dir/$name-$host.ps1")
  done
done
# verify's probe script for a Windows vantage host, from every zone of every example that has flows
# out of it (a zone with none is refused, exit 2, and has no script).
for site in "$examples"/*.yaml; do
  name=$(basename "$site" .yaml)
  for zone in $(awk '/^zones:/{z=1;next} z&&/^[a-z]/{z=0} z&&/^  [a-z0-9-]+:/{sub(":","",$1);print $1}' "$site"); do
    "$bin" verify "$site" --from "$zone" --emit powershell --domain example.test -o "$dir/verify-$name-$zone.ps1" 2>/dev/null
    case $? in
      0) files+=("$dir/verify-$name-$zone.ps1") ;;
      2) ;;
      *) echo "FAIL: verify --emit powershell $name --from $zone"; exit 1 ;;
    esac
  done
done
ls "$dir"/verify-*.ps1 >/dev/null 2>&1 || { echo "FAIL: no verify script was written"; exit 1; }
# The audit's collector script (winports audit --collector), run on Windows hosts.
"$bin" audit --collector >"$dir/collect.ps1" || exit 1
grep -q 'Get-NetFirewallRule -PolicyStore ActiveStore' "$dir/collect.ps1" || { echo "FAIL: collector script"; exit 1; }
files+=("$dir/collect.ps1")
# The collector and a verify script in Japanese: their comments translated, their code the same.
"$bin" --lang ja audit --collector >"$dir/collect.ja.ps1" || exit 1
files+=("$dir/collect.ja.ps1")
"$bin" --lang ja verify "$examples/branch-office.yaml" --from clients --emit powershell --domain example.test \
  -o "$dir/verify.ja.ps1" || exit 1
files+=("$dir/verify.ja.ps1")
# A deliberately broken script must fail, or the check proves nothing.
printf "New-NetFirewallRule -Name 'x -Protocol TCP {\n" >"$dir/broken.ps1"
if node "$here/parse_check.cjs" "$dir/broken.ps1" >/dev/null; then echo "FAIL: the parser accepted a broken script"; exit 1; fi
node "$here/parse_check.cjs" "${files[@]}"
