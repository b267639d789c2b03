#!/usr/bin/env bash
# The audit against what a kernel really holds. A router namespace loads branch-office's nftables
# output; its dumps (`nft -j list ruleset`, `nft list ruleset`) must audit clean. Then, through nft
# commands, one required port is deleted and one extra port opened: the audit must name exactly that
# blocked flow and that extra one, in both dumps. The same with iptables: the plan's iptables script,
# iptables-save and ip6tables-save clean; then a hand-written user chain with -m multiport (an extra
# opening), a rule that chain's first rule shadows, and a DROP of one required port in FORWARD.
# Only a namespace of its own: no traffic is sent anywhere; torn down on exit.
set -u
bin=$(realpath "$1")
examples=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
source "$here/lab.sh"
lab_require iptables iptables-save ip6tables-save python3

ns=wpa$$-rtr
dir=$(mktemp -d /tmp/winports-audit.XXXXXX)
down() {
  ip netns del "$ns" 2>/dev/null
  rm -rf "$dir"
}
trap down EXIT
trap 'exit 130' INT TERM
in_ns() { timeout "${LAB_TIMEOUT:-30}" ip netns exec "$ns" "$@"; }
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fails=$((fails + 1)); }

ip netns add "$ns" || exit 1
site=$examples/branch-office.yaml
table=winports_branch_01

# audit FILE… → exit code; its JSON in $dir/audit.json
audit() { "$bin" audit "$site" "$@" --json >"$dir/audit.json" 2>"$dir/audit.err"; }
# iptables dumps are read as iptables-save by name: ip6tables-save prints nothing when no IPv6 table
# is loaded, and an empty file's format cannot be told from its content.
audit_ipt() { audit --format iptables-save "$@"; }
# What the JSON says, checked by Python: exactly the blocked, extra and shadowed entries given.
expect_findings() {
  python3 - "$dir/audit.json" "$1" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))["payload"]
want = json.loads(sys.argv[2])
def brief(f):
    return {"from": f["from"], "to": f["to"], "transport": f["transport"], "ports": f["ports"]}
ok = True
for kind in ("blocked", "extra", "replies", "unsupported"):
    g = [brief(f) if kind != "unsupported" else f["construct"] for f in got[kind]]
    w = want.get(kind, [])
    if g != w:
        print(f"  {kind}: got {g}, want {w}")
        ok = False
if len(got["shadowed"]) != want.get("shadowed", 0):
    print(f"  shadowed: got {got['shadowed']}")
    ok = False
sys.exit(0 if ok else 1)
PY
}

echo "== nftables"
"$bin" plan "$site" --format nftables -o "$dir/plan.nft" 2>/dev/null || bad "plan --format nftables"
in_ns nft -f "$dir/plan.nft" || bad "nft -f"
in_ns nft -j list ruleset >"$dir/dump.json"
in_ns nft list ruleset >"$dir/dump.nft"
audit "$dir/dump.json" && ok "nft -j list ruleset of the plan audits clean" || { bad "json dump: exit $?"; cat "$dir/audit.json"; }
audit "$dir/dump.nft" && ok "nft list ruleset of the plan audits clean" || { bad "text dump: exit $?"; cat "$dir/audit.json"; }
audit "$dir/plan.nft" && ok "the plan's own file audits clean" || bad "plan file: exit $?"

# Delete 464/tcp from clients -> dc1,dc2; open 3389/tcp from clients to fs1 before the drop.
handle=$(in_ns nft -a list chain inet $table site | grep 'ip daddr { 198.18.20.10, 198.18.20.11 } tcp dport' |
  grep 'zone_clients_v4' | sed 's/.*# handle //')
drop=$(in_ns nft -a list chain inet $table site | grep 'counter name "unplanned" drop' | sed 's/.*# handle //')
[ -n "$handle" ] && [ -n "$drop" ] || bad "rule handles not found ($handle, $drop)"
# (nft 1.0.6 aborts on `replace rule` with an anonymous interval set: insert the new rule, delete the old.)
in_ns nft insert rule inet $table site handle "$drop" ip saddr @zone_clients_v4 \
  ip daddr '{ 198.18.20.10, 198.18.20.11 }' tcp dport '{ 53, 88, 135, 389, 445, 636, 3268-3269, 49152-65535 }' accept ||
  bad "nft insert rule (the narrower one)"
in_ns nft delete rule inet $table site handle "$handle" || bad "nft delete rule"
in_ns nft insert rule inet $table site handle "$drop" ip saddr @zone_clients_v4 ip daddr 198.18.20.20 tcp dport 3389 accept ||
  bad "nft insert rule"
in_ns nft -j list ruleset >"$dir/edited.json"
in_ns nft list ruleset >"$dir/edited.nft"
want='{"blocked": [{"from": "clients", "to": "dc1,dc2", "transport": "tcp", "ports": [[464, 464]]}],
       "extra": [{"from": "clients", "to": "fs1", "transport": "tcp", "ports": [[3389, 3389]]}]}'
for dump in edited.json edited.nft; do
  audit "$dir/$dump"
  code=$?
  [ $code = 1 ] && ok "$dump: exit 1 on findings" || bad "$dump: exit $code"
  expect_findings "$want" && ok "$dump: exactly the deleted port blocked and the added one extra" || bad "$dump findings"
done
grep -q '"kdc"' "$dir/audit.json" && ok "the blocked port names kdc" || bad "kdc not named"

echo "== every example, router and host variants, through the kernel"
for example in "$examples"/*.yaml; do
  name=$(basename "$example" .yaml)
  first_host=$(python3 -c 'import sys, yaml; print(next(iter(yaml.safe_load(open(sys.argv[1]))["hosts"])))' "$example" 2>/dev/null ||
    sed -n '/^hosts:/{n;s/^ *\([^:]*\):.*/\1/p;q}' "$example")
  for host in "" "$first_host"; do
    in_ns nft flush ruleset
    "$bin" plan "$example" --format nftables ${host:+--host "$host"} -o "$dir/x.nft" 2>/dev/null || bad "$name: plan"
    in_ns nft -f "$dir/x.nft" || bad "$name: nft -f"
    in_ns nft -j list ruleset >"$dir/x.json"
    in_ns nft list ruleset >"$dir/x.txt"
    for dump in x.json x.txt; do
      "$bin" audit "$example" "$dir/$dump" ${host:+--host "$host"} >"$dir/x.out" 2>&1 &&
        ok "$name ${host:+--host $host }$dump audits clean" || { bad "$name ${host:+--host $host }$dump"; cat "$dir/x.out"; }
    done
  done
done
in_ns nft flush ruleset

echo "== iptables"
"$bin" plan "$site" --format iptables-script -o "$dir/plan.sh" 2>/dev/null || bad "plan --format iptables-script"
in_ns sh "$dir/plan.sh" || bad "the plan's iptables script"
in_ns iptables-save >"$dir/v4.rules"
in_ns ip6tables-save >"$dir/v6.rules"
audit_ipt "$dir/v4.rules" "$dir/v6.rules" && ok "iptables-save + ip6tables-save of the plan audit clean" ||
  { bad "iptables dumps: exit $?"; cat "$dir/audit.json" "$dir/audit.err"; }
audit_ipt "$dir/v4.rules" >/dev/null
grep -q 'no ruleset for IPv6' "$dir/audit.json" && ok "without ip6tables-save, IPv6 is said to be undecided" ||
  bad "IPv6 coverage not said"
# A hand-written user chain: multiport opens 3389 and 5985 to fs1 (extra); its second rule is
# shadowed by the first; a DROP of 88/udp to dc1 in FORWARD, before the plan's jump (blocked).
in_ns iptables -N admin-extra
in_ns iptables -A admin-extra -p tcp -m multiport --dports 3389,5985 -j ACCEPT
in_ns iptables -A admin-extra -p tcp --dport 3389 -j ACCEPT
in_ns iptables -I FORWARD 1 -s 198.18.10.0/24 -d 198.18.20.20 -j admin-extra
in_ns iptables -I FORWARD 1 -s 198.18.10.0/24 -d 198.18.20.10 -p udp --dport 88 -j DROP
in_ns iptables-save >"$dir/v4-edited.rules"
audit_ipt "$dir/v4-edited.rules" "$dir/v6.rules"
code=$?
[ $code = 1 ] && ok "iptables: exit 1 on findings" || bad "iptables: exit $code"
want='{"blocked": [{"from": "clients", "to": "dc1,dc2", "transport": "udp", "ports": [[88, 88]]}],
       "extra": [{"from": "clients", "to": "fs1", "transport": "tcp", "ports": [[3389, 3389], [5985, 5985]]}],
       "shadowed": 1}'
expect_findings "$want" && ok "iptables: exactly the dropped port, the multiport opening and the shadowed rule" ||
  { bad "iptables findings"; cat "$dir/v4-edited.rules"; }
python3 - "$dir/audit.json" <<'PY' && ok "the block holds for dc1 only, the shadowed rule names its cover" || bad "details"
import json, sys
a = json.load(open(sys.argv[1]))["payload"]
b = a["blocked"][0]
assert b.get("destination_addresses") == "198.18.20.10", b
s = a["shadowed"][0]
assert "--dport 3389" in s["rule"] and len(s["covered_by"]) == 1, s
PY

echo "== bad input"
printf '*filter\n:FORWARD DROP [0:0]\n-A FORWARD --bogus -j ACCEPT\nCOMMIT\n' >"$dir/bad.rules"
"$bin" audit "$site" "$dir/bad.rules" >"$dir/out" 2>"$dir/err"
code=$?
[ $code = 2 ] && grep -q "bad.rules:3" "$dir/err" && ok "bad input: exit 2 with file and line" || bad "bad input: exit $code, $(cat "$dir/err")"

[ $fails = 0 ] && echo "PASS" || echo "$fails failure(s)"
[ $fails = 0 ]
