#!/usr/bin/env bash
# Outputs loaded into a live firewall touch only the site's traffic. A router namespace routes the
# site's two zones and two networks outside the site, and holds a foreign nftables table (later:
# iptables rules) of its own. The site's nftables output, then its iptables script, is loaded
# twice; the foreign traffic must still pass, the foreign rules must be intact and still enforced,
# the site's traffic must obey the plan (planned flows pass, unplanned ones are dropped and
# counted), and the second load must change nothing. Last, the host variant on the file server:
# unplanned traffic from the site's zones is dropped, an administrator outside them still connects.
#   clients 198.18.10.5 ─┐           ┌─ fs1 198.18.20.20 (zone servers)
#                        ├─ router ──┤
#   outside-a 198.19.30.5┘           └─ outside-b 198.19.40.5
# Only 198.18.0.0/15 addresses; no namespace has a route anywhere else; all torn down on exit.
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
source "$here/lab.sh"
lab_require iptables iptables-restore ip6tables python3

id=wpd$$
ns_cli=$id-cli ns_srv=$id-srv ns_fa=$id-fa ns_fb=$id-fb ns_rtr=$id-rtr
all_ns=("$ns_cli" "$ns_srv" "$ns_fa" "$ns_fb" "$ns_rtr")
dir=$(mktemp -d /tmp/winports-deploy.XXXXXX)
# name, router-side address, far address, network
links=("cli 198.18.10.1 198.18.10.5 198.18.10.0/24" "srv 198.18.20.1 198.18.20.20 198.18.20.0/24"
  "fa 198.19.30.1 198.19.30.5 198.19.30.0/24" "fb 198.19.40.1 198.19.40.5 198.19.40.0/24")
own_ns_up "$dir" "${all_ns[@]}" || exit 1
for link in "${links[@]}"; do
  read -r name near far _ <<<"$link"
  ip link add "$id-$name" netns "$id-$name" type veth peer name "$id-r-$name" netns "$ns_rtr" || exit 1
  ip -n "$id-$name" addr add "$far/24" dev "$id-$name"
  ip -n "$id-$name" link set "$id-$name" up
  ip -n "$ns_rtr" addr add "$near/24" dev "$id-r-$name"
  ip -n "$ns_rtr" link set "$id-r-$name" up
done
# Each end host reaches the other lab networks through the router, and nothing else.
for link in "${links[@]}"; do
  read -r name near _ _ <<<"$link"
  for other in "${links[@]}"; do
    read -r _ _ _ net <<<"$other"
    [ "$net" = "$(awk '{print $4}' <<<"$link")" ] || ip -n "$id-$name" route add "$net" via "$near"
  done
done
in_ns "$ns_rtr" sysctl -qw net.ipv4.ip_forward=1

# Listeners that accept and close: fs1 on a planned (445) and an unplanned port (8080), outside-b
# on 8080 and on 9999 (which the foreign rules drop).
listen() {  # listen NS ADDRESS PORT...
  local ns=$1 address=$2
  shift 2
  ip netns exec "$ns" python3 -c '
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in sys.argv[2:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], int(port)))
    s.listen(64)
    sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        conn, _ = key.fileobj.accept()
        conn.close()
' "$address" "$@" &
  disown  # killed with its namespace on exit, without the shell reporting it
  local port i
  for port in "$@"; do
    for i in $(seq 50); do ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q LISTEN && break; sleep 0.1; done
  done
}
listen "$ns_srv" 198.18.20.20 445 8080
listen "$ns_fb" 198.19.40.5 8080 9999

fail=0
# TCP connect, 2 s at most: open, refused or timeout.
tcp_state() {  # tcp_state FROM_NS ADDRESS PORT
  local out
  out=$(LAB_TIMEOUT=2 in_ns "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>&1)
  case $? in
    0) echo open ;;
    124) echo timeout ;;
    *) [[ $out == *refused* ]] && echo refused || echo "error: $out" ;;
  esac
}
want() {  # want STATE WHAT FROM_NS ADDRESS PORT
  local got
  got=$(tcp_state "$3" "$4" "$5")
  [ "$got" = "$1" ] && ok "$2 ($got)" || bad "$2: $got, wanted $1"
}
same() {  # same WHAT FILE_A FILE_B
  if diff -u "$2" "$3" >"$dir/diff"; then ok "$1"; else bad "$1"; sed 's/^/    /' "$dir/diff" | head -20; fi
}

cat >"$dir/site.yaml" <<'SITE'
site: deploy-lab
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  fs1: { address: 198.18.20.20, zone: servers, roles: [file-server] }
access:
  - { from: clients, to: fs1, as: file-client }
settings: { netbios: false }
SITE

site_traffic() {  # the plan between the site's zones, and the traffic that is not the site's
  want open "planned clients -> fs1 tcp/445 passes" "$ns_cli" 198.18.20.20 445
  want timeout "unplanned clients -> fs1 tcp/8080 is dropped" "$ns_cli" 198.18.20.20 8080
  want open "outside-a -> outside-b tcp/8080 (not the site's) passes" "$ns_fa" 198.19.40.5 8080
  want open "outside-a -> fs1 tcp/8080 (one end outside the site) is not the site's to decide" "$ns_fa" 198.18.20.20 8080
}

echo "== nftables on the router, beside a foreign table"
in_ns "$ns_rtr" nft -f - <<'NFT' || bad "the foreign table loads"
table ip foreign {
	counter a_to_b {
	}
	chain transit {
		type filter hook forward priority 10; policy accept;
		ip saddr 198.19.30.0/24 ip daddr 198.19.40.0/24 tcp dport 9999 drop
		ip saddr 198.19.30.0/24 ip daddr 198.19.40.0/24 counter name a_to_b accept
	}
}
NFT
in_ns "$ns_rtr" nft -s list table ip foreign >"$dir/foreign.before"
"$bin" plan "$dir/site.yaml" --format nftables -o "$dir/site.nft" || bad "plan --format nftables"
in_ns "$ns_rtr" nft -f "$dir/site.nft" && ok "first load" || bad "first load"
in_ns "$ns_rtr" nft -s list table inet winports_deploy_lab >"$dir/site.first"
in_ns "$ns_rtr" nft -f "$dir/site.nft" && ok "second load" || bad "second load"
in_ns "$ns_rtr" nft -s list table inet winports_deploy_lab >"$dir/site.second"
same "the second load leaves the site's table as the first made it" "$dir/site.first" "$dir/site.second"
tables=$(in_ns "$ns_rtr" nft list tables | grep -c winports_)
[ "$tables" = 1 ] && ok "one site table" || bad "$tables site tables"
site_traffic
want timeout "the foreign table still drops outside-a -> outside-b tcp/9999" "$ns_fa" 198.19.40.5 9999
in_ns "$ns_rtr" nft -s list table ip foreign >"$dir/foreign.after"
same "the foreign table is intact" "$dir/foreign.before" "$dir/foreign.after"
packets=$(in_ns "$ns_rtr" nft list counter ip foreign a_to_b | awk '/packets/{print $2}')
[ "${packets:-0}" -gt 0 ] && ok "the foreign counter still counts ($packets packets)" || bad "foreign counter: '$packets'"
dropped=$(in_ns "$ns_rtr" nft list counter inet winports_deploy_lab unplanned | awk '/packets/{print $2}')
[ "${dropped:-0}" -gt 0 ] && ok "unplanned site traffic counted ($dropped packets)" || bad "unplanned counter: '$dropped'"
"$bin" plan "$dir/site.yaml" --format nftables --log-drops -o "$dir/site-log.nft" || bad "plan --log-drops"
in_ns "$ns_rtr" nft -f "$dir/site-log.nft" && ok "the --log-drops variant replaces the table" || bad "--log-drops load"
in_ns "$ns_rtr" nft list chain inet winports_deploy_lab site | grep -q 'log prefix "winports deploy-lab: "' \
  && ok "drops are logged" || bad "no log rule"
want timeout "unplanned traffic still dropped with logging on" "$ns_cli" 198.18.20.20 8080
want open "planned traffic still passes with logging on" "$ns_cli" 198.18.20.20 445
in_ns "$ns_rtr" nft flush ruleset

echo "== iptables on the router, beside other INPUT and FORWARD rules"
in_ns "$ns_rtr" iptables -A INPUT -p tcp --dport 22 -m comment --comment "admin ssh" -j ACCEPT
in_ns "$ns_rtr" iptables -A FORWARD -s 198.19.30.0/24 -d 198.19.40.0/24 -p tcp --dport 9999 -j DROP
in_ns "$ns_rtr" iptables -A FORWARD -s 198.19.30.0/24 -d 198.19.40.0/24 -m comment --comment "a to b" -j ACCEPT
for chain in INPUT FORWARD; do in_ns "$ns_rtr" iptables -S "$chain" | grep -v -- '-j wp-' >"$dir/$chain.before"; done
"$bin" plan "$dir/site.yaml" --format iptables-script -o "$dir/site.sh" || bad "plan --format iptables-script"
in_ns "$ns_rtr" sh "$dir/site.sh" && ok "first run of the script" || bad "first run"
in_ns "$ns_rtr" iptables -S >"$dir/ipt.first"
in_ns "$ns_rtr" sh "$dir/site.sh" && ok "second run of the script" || bad "second run"
in_ns "$ns_rtr" iptables -S >"$dir/ipt.second"
same "the second run changes nothing" "$dir/ipt.first" "$dir/ipt.second"
jumps=$(in_ns "$ns_rtr" iptables -S FORWARD | grep -c -- '-j wp-deploy-lab$')
[ "$jumps" = 1 ] && ok "the jump from FORWARD exists once" || bad "$jumps jumps from FORWARD"
for chain in INPUT FORWARD; do
  in_ns "$ns_rtr" iptables -S "$chain" | grep -v -- '-j wp-' >"$dir/$chain.after"
  same "the other $chain rules are intact" "$dir/$chain.before" "$dir/$chain.after"
done
grep -q -- '-P FORWARD ACCEPT' "$dir/ipt.second" && ok "FORWARD's policy untouched" || bad "FORWARD policy changed"
site_traffic
want timeout "the other FORWARD rules still drop outside-a -> outside-b tcp/9999" "$ns_fa" 198.19.40.5 9999
dropped=$(in_ns "$ns_rtr" iptables -L wp-deploy-lab-site -v -x -n | awk '/not in the plan/{print $1}')
[ "${dropped:-0}" -gt 0 ] && ok "unplanned site traffic counted ($dropped packets)" || bad "drop counter: '$dropped'"
# The plain restore file, loaded the way its header says, is just as safe.
"$bin" plan "$dir/site.yaml" --format iptables -o "$dir/site.ipt" || bad "plan --format iptables"
load=$(sed -n 's/^# load it with:  //p' "$dir/site.ipt" | sed "s|FILE|$dir/site.ipt|")
[ -n "$load" ] && in_ns "$ns_rtr" sh -c "$load" && ok "the restore file loads as its header says" || bad "header's load command: '$load'"
in_ns "$ns_rtr" iptables -S >"$dir/ipt.third"
same "loading the restore file after the script changes nothing" "$dir/ipt.second" "$dir/ipt.third"
in_ns "$ns_rtr" iptables -F
in_ns "$ns_rtr" iptables -X

echo "== nftables --host on fs1"
"$bin" plan "$dir/site.yaml" --format nftables --host fs1 -o "$dir/fs1.nft" || bad "plan --host fs1"
in_ns "$ns_srv" nft -f "$dir/fs1.nft" && in_ns "$ns_srv" nft -f "$dir/fs1.nft" && ok "loaded twice on fs1" || bad "load on fs1"
want open "planned clients -> fs1 tcp/445 passes fs1's input" "$ns_cli" 198.18.20.20 445
want timeout "unplanned clients -> fs1 tcp/8080 is dropped by fs1" "$ns_cli" 198.18.20.20 8080
want open "an administrator outside the site's zones still reaches fs1 tcp/8080" "$ns_fa" 198.18.20.20 8080
exit $fail
