#!/usr/bin/env bash
# A host firewall (--host) for a dual-stack site keeps IPv6 neighbour discovery on the host's own
# link: a peer whose neighbour cache is empty resolves the host's global address (its solicitation
# comes from the peer's global address, a site address, which conntrack does not track) and its
# ping over IPv6 is answered, with the nftables and with the ip6tables output loaded. The same file
# without winports' neighbour-discovery line loses the ping: the test can tell the difference.
#   peer 198.18.20.5 / 2001:db8:20::5 ── veth ── dc1 198.18.20.10 / 2001:db8:20::10 (plan loaded)
# Only 198.18.0.0/15 and 2001:db8::/32 addresses; no routes beyond the link; all torn down on exit.
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
source "$here/lab.sh"
lab_require ip6tables-restore ping

id=wp6$$
ns_peer=$id-peer ns_dc=$id-dc
dir=$(mktemp -d /tmp/winports-host6.XXXXXX)
fail=0
own_ns_up "$dir" "$ns_peer" "$ns_dc" || exit 1
ip link add "$id-p" netns "$ns_peer" type veth peer name "$id-d" netns "$ns_dc" || exit 1
ip -n "$ns_peer" addr add 198.18.20.5/24 dev "$id-p"
ip -n "$ns_peer" addr add 2001:db8:20::5/64 dev "$id-p" nodad
ip -n "$ns_dc" addr add 198.18.20.10/24 dev "$id-d"
ip -n "$ns_dc" addr add 2001:db8:20::10/64 dev "$id-d" nodad
ip -n "$ns_peer" link set "$id-p" up
ip -n "$ns_dc" link set "$id-d" up

cat >"$dir/site.yaml" <<'YAML'
site: dual
zones:
  servers: { networks: [198.18.20.0/24, "2001:db8:20::/64"], os: windows-server-2022 }
hosts:
  dc1: { address: [198.18.20.10, "2001:db8:20::10"], zone: servers, roles: [domain-controller] }
  peer: { address: [198.18.20.5, "2001:db8:20::5"], zone: servers, roles: [file-server] }
access:
  - { from: peer, to: dc1, as: domain-member }
YAML

# One ping over IPv6 from a peer that must first solicit dc1's address (bounded: 2 tries, 2 s each).
ping6_fresh() {
  ip -n "$ns_peer" -6 neigh flush dev "$id-p"
  ip -n "$ns_dc" -6 neigh flush dev "$id-d"
  in_ns "$ns_peer" ping -6 -c 2 -W 2 -I 2001:db8:20::5 2001:db8:20::10 >/dev/null 2>&1
}
clear_dc() {
  in_ns "$ns_dc" nft flush ruleset
  in_ns "$ns_dc" ip6tables -F INPUT 2>/dev/null
}

ping6_fresh && ok "without a plan the peer pings dc1 over IPv6" || bad "the link itself does not carry IPv6"

"$bin" plan "$dir/site.yaml" --host dc1 --format nftables -o "$dir/dc1.nft" 2>/dev/null || bad "plan --host dc1 nftables"
grep -q "nd-neighbor-solicit" "$dir/dc1.nft" || bad "the nftables output has no neighbour-discovery line"
in_ns "$ns_dc" nft -f "$dir/dc1.nft" || bad "nft -f the plan"
ping6_fresh && ok "nftables --host: neighbour discovery and an IPv6 ping still work" ||
  bad "nftables --host: the peer cannot reach dc1 over IPv6 once the plan is loaded"
in_ns "$ns_peer" ping -c 1 -W 2 198.18.20.10 >/dev/null 2>&1 && ok "nftables --host: IPv4 ping works" ||
  bad "nftables --host: IPv4 ping lost"
# The site still drops what it does not plan, over both families (the peer may not reach 3389).
in_ns "$ns_dc" timeout 5 python3 -c 'import socket,time
s=socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("2001:db8:20::10", 3389)); s.listen(); time.sleep(4)' &
listener=$!
sleep 0.5
if in_ns "$ns_peer" timeout 3 python3 -c 'import socket; socket.create_connection(("2001:db8:20::10", 3389), 2)' 2>/dev/null; then
  bad "nftables --host: an unplanned IPv6 port is open"
else
  ok "nftables --host: an unplanned IPv6 port stays closed"
fi
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null

# The control: without winports' neighbour-discovery line the solicitation meets the site chain's
# invalid drop, and the ping is lost.
clear_dc
grep -v "nd-neighbor-solicit" "$dir/dc1.nft" >"$dir/dc1-no-nd.nft"
in_ns "$ns_dc" nft -f "$dir/dc1-no-nd.nft" || bad "nft -f the control"
ping6_fresh && bad "control: the ping works without the neighbour-discovery line (the test proves nothing)" ||
  ok "control: without the line the peer cannot resolve dc1"
clear_dc

"$bin" plan "$dir/site.yaml" --host dc1 --format ip6tables -o "$dir/dc1.ip6" 2>/dev/null || bad "plan --host dc1 ip6tables"
in_ns "$ns_dc" ip6tables-restore -w --noflush "$dir/dc1.ip6" && in_ns "$ns_dc" ip6tables -w -I INPUT 1 -j wpin-dual ||
  bad "ip6tables-restore the plan"
ping6_fresh && ok "ip6tables --host: neighbour discovery and an IPv6 ping still work" ||
  bad "ip6tables --host: the peer cannot reach dc1 over IPv6 once the plan is loaded"
in_ns "$ns_dc" ip6tables -w -L wpin-dual-site -v -n | grep -q "DROP" || bad "ip6tables --host: no site drop"

exit $fail
