#!/usr/bin/env bash
# How debian-servers.trace was recorded: real Debian servers (snmpd, tftpd-hpa, chrony, xrdp, strongSwan,
# Python's http.server standing in for WinRM's HTTP listener) answering winports' probes in a
# private namespace on 198.18.50.10. Not run by the tests, which replay the trace; to record again,
# as root with those packages installed:
#   bash tests/data/probe/record_debian_servers.sh build/winports tests/data/probe/debian-servers.trace
set -u
bin=$(realpath "$1") out=$(realpath -m "$2")
ns=wprec$$ ip=198.18.50.10 dir=$(mktemp -d)
cleanup() { ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null; sleep 0.3; ip netns del "$ns" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add "$ip/32" dev lo
in_ns() { ip netns exec "$ns" "$@"; }
printf 'agentaddress udp:%s:161\nrocommunity public 198.18.0.0/15\nsysDescr winports recording agent\n' "$ip" >"$dir/snmpd.conf"
in_ns snmpd -f -Lo -C -c "$dir/snmpd.conf" -p "$dir/snmpd.pid" >"$dir/snmpd.log" 2>&1 &
mkdir -p "$dir/tftp"
in_ns in.tftpd -L -s "$dir/tftp" -a "$ip:69" >"$dir/tftpd.log" 2>&1 &
printf 'allow 198.18.0.0/15\nlocal stratum 10\nbindaddress %s\ncmdport 0\npidfile %s/chronyd.pid\ndriftfile %s/drift\n' "$ip" "$dir" "$dir" >"$dir/chrony.conf"
in_ns chronyd -x -d -f "$dir/chrony.conf" >"$dir/chrony.log" 2>&1 &
sed "s/^port=3389/port=tcp:\/\/$ip:3389/" /etc/xrdp/xrdp.ini >"$dir/xrdp.ini"
in_ns xrdp --nodaemon --config "$dir/xrdp.ini" >"$dir/xrdp.log" 2>&1 &
# strongSwan's charon answers IKE on 500 with no connection configured (NO-PROPOSAL-CHOSEN).
printf 'charon {\n  port = 500\n  port_nat_t = 4500\n  interfaces_use = lo\n  install_routes = no\n  plugins {\n    kernel-netlink { load = yes }\n  }\n}\n' >"$dir/strongswan.conf"
STRONGSWAN_CONF="$dir/strongswan.conf" in_ns /usr/lib/ipsec/charon >"$dir/charon.log" 2>&1 &
in_ns python3 -m http.server 5985 --bind "$ip" --directory "$dir/tftp" >"$dir/http.log" 2>&1 &
sleep 3
in_ns ss -lntu
in_ns "$bin" check "$ip" --ports udp:69,123,161,500,tcp:3389,5985 --timeout 1500 --trace "$out"
