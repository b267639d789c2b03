#!/usr/bin/env bash
# winports check against nmap -T4 on the same targets, in a namespace lab of its own:
#   256 addresses × 12 TCP ports (6 open, 3 closed, 3 dropped) and 64 addresses × 3 UDP ports
#   (DNS answering, closed, dropped). Both tools must report the lab's truth on every port; the
#   figure is winports' wall time over nmap's (target ≤ 0.05). Exit 0 on target, 1 over it, 2 when it
#   could not run (bench/lib.sh). Needs root (network namespaces) and
#   nmap. Traffic stays inside the two namespaces this script creates (198.19.0.0/16 ⊂ 198.18.0.0/15).
#   usage: bench/check_vs_nmap.sh build/winports
set -u
source "$(dirname "$0")/lib.sh"
bench_require_root
bench_require nmap python3
bin=$(realpath "${1:-build/winports}")
id=wpb$$
cli=$id-cli tgt=$id-tgt dir=$(mktemp -d)
cleanup() {
  [ -f "$dir/server.pid" ] && kill "$(cat "$dir/server.pid")" 2>/dev/null
  ip netns del "$cli" 2>/dev/null
  ip netns del "$tgt" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
open_tcp=(22 53 88 443 636 9389) closed_tcp=(23 110 143) dropped_tcp=(1433 5986 8443)
tcp_ports=$(IFS=,; echo "${open_tcp[*]},${closed_tcp[*]},${dropped_tcp[*]}")
udp_open=53 udp_closed=9999 udp_dropped=161

ip netns add "$cli" && ip netns add "$tgt" || bench_cannot_run "no namespaces"
ip link add "$id-a" netns "$cli" type veth peer name "$id-b" netns "$tgt"
ip -n "$cli" addr add 198.19.0.1/30 dev "$id-a"
ip -n "$tgt" addr add 198.19.0.2/30 dev "$id-b"
for ns in "$cli" "$tgt"; do ip -n "$ns" link set lo up; done
ip -n "$cli" link set "$id-a" up
ip -n "$tgt" link set "$id-b" up
ip -n "$cli" route add 198.19.1.0/24 via 198.19.0.2
# Every address of 198.19.1.0/24 is local to the target namespace (AnyIP), and its ICMP errors are
# not rate limited, so closed UDP ports answer every probe of both tools.
ip -n "$tgt" route add local 198.19.1.0/24 dev lo
ip netns exec "$tgt" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000
ip netns exec "$tgt" nft -f - <<NFT || bench_cannot_run "nft refused the lab's ruleset"
table inet bench {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport { $(IFS=,; echo "${dropped_tcp[*]}") } drop
    udp dport $udp_dropped drop
  }
}
NFT
# Listeners: the open TCP ports, and a DNS responder that answers every query with its own id.
ip netns exec "$tgt" python3 - "${open_tcp[@]}" <<'PY' &
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(4096); s.setblocking(False); sel.register(s, selectors.EVENT_READ, "tcp")
# One UDP socket per address: a reply must come from the address the probe was sent to.
for i in range(64):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((f"198.19.1.{i}", 53))
    sel.register(u, selectors.EVENT_READ, "udp")
while True:
    for key, _ in sel.select():
        if key.data == "tcp":
            try: key.fileobj.accept()[0].close()
            except OSError: pass
        else:
            u = key.fileobj
            data, peer = u.recvfrom(2048)
            if len(data) >= 12:  # response: same id, QR set, REFUSED, no records
                u.sendto(data[:2] + bytes([0x80 | (data[2] & 0x78), 0x05]) + b"\0\0\0\0\0\0\0\0", peer)
PY
echo $! >"$dir/server.pid"
sleep 1

now() { date +%s.%N; }
# Both tools run with their defaults: nmap -T4 and winports adapt their timeouts to the round trips
# they measure (winports: --timeout 1000 at most, --min-timeout 100 at least).
timeout_ms=${WINPORTS_BENCH_TIMEOUT:-1000}
echo "winports --timeout $timeout_ms --retries 1 (adaptive); nmap -T4"
in_cli() { timeout 600 ip netns exec "$cli" "$@"; }

echo "== TCP: 256 addresses × 12 ports"
t0=$(now); in_cli "$bin" check 198.19.1.0/24 --ports "tcp:$tcp_ports" --timeout "$timeout_ms" --json >"$dir/w-tcp.json"; t1=$(now)
in_cli nmap -n -Pn -T4 -sT -p "$tcp_ports" -oX "$dir/n-tcp.xml" 198.19.1.0/24 >/dev/null; t2=$(now)
echo "== UDP: 64 addresses × 3 ports"
in_cli "$bin" check 198.19.1.0/26 --ports "udp:$udp_open,$udp_closed,$udp_dropped" --timeout "$timeout_ms" --json >"$dir/w-udp.json"; t3=$(now)
in_cli nmap -n -Pn -T4 -sU -p "$udp_open,$udp_closed,$udp_dropped" -oX "$dir/n-udp.xml" 198.19.1.0/26 >/dev/null; t4=$(now)

bench_verdict "$dir" "$t0" "$t1" "$t2" "$t3" "$t4" "${open_tcp[*]}" "${closed_tcp[*]}" "${dropped_tcp[*]}" \
  "$udp_open" "$udp_closed" "$udp_dropped" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d, t0, t1, t2, t3, t4 = sys.argv[1], *map(float, sys.argv[2:7])
open_tcp, closed_tcp, dropped_tcp = (set(map(int, a.split())) for a in sys.argv[7:10])
udp_open, udp_closed, udp_dropped = map(int, sys.argv[10:13])
truth = {}
for i in range(256):
    for p in open_tcp: truth[(f"198.19.1.{i}", "tcp", p)] = ("listening", "open")
    for p in closed_tcp: truth[(f"198.19.1.{i}", "tcp", p)] = ("not-listening", "closed")
    for p in dropped_tcp: truth[(f"198.19.1.{i}", "tcp", p)] = ("filtered", "filtered")
for i in range(64):
    truth[(f"198.19.1.{i}", "udp", udp_open)] = ("listening", "open")
    truth[(f"198.19.1.{i}", "udp", udp_closed)] = ("not-listening", "closed")
    truth[(f"198.19.1.{i}", "udp", udp_dropped)] = ("listening-or-filtered", "open|filtered")
got_w, got_n = {}, {}
for name in ("w-tcp.json", "w-udp.json"):
    for r in json.load(open(f"{d}/{name}"))["payload"]["results"]:
        got_w[(r["address"], r["transport"], r["port"])] = r["status"]
for name in ("n-tcp.xml", "n-udp.xml"):
    for host in ET.parse(f"{d}/{name}").getroot().iter("host"):
        addr = host.find("address").get("addr")
        for port in host.iter("port"):
            got_n[(addr, port.get("protocol"), int(port.get("portid")))] = port.find("state").get("state")
wrong_w = [k for k, (w, _) in truth.items() if got_w.get(k) != w]
wrong_n = [k for k, (_, n) in truth.items() if got_n.get(k) != n]
w_time, n_time = (t1 - t0) + (t3 - t2), (t2 - t1) + (t4 - t3)
print(f"probes: {len(truth)} ({sum(1 for k in truth if k[1] == 'tcp')} TCP, {sum(1 for k in truth if k[1] == 'udp')} UDP)")
print(f"winports: TCP {t1 - t0:.2f} s, UDP {t3 - t2:.2f} s, total {w_time:.2f} s, wrong {len(wrong_w)}")
print(f"nmap -T4: TCP {t2 - t1:.2f} s, UDP {t4 - t3:.2f} s, total {n_time:.2f} s, wrong {len(wrong_n)}")
for k in wrong_w[:5]: print("  winports wrong:", k, got_w.get(k), "want", truth[k][0])
for k in wrong_n[:5]: print("  nmap wrong:", k, got_n.get(k), "want", truth[k][1])
ratio = w_time / n_time
print(f"ratio winports/nmap: {ratio:.3f} (target <= 0.05)")
# The floor: a silent port is decided only after its patience (at least --min-timeout, 100 ms) on
# each of its attempts (--retries 1: two), once in the TCP run and once in the UDP run.
floor = 2 * 0.100 * 2
print(f"floor (silent ports: 100 ms x 2 attempts, in each of the TCP and UDP runs): {floor:.2f} s = "
      f"{floor / n_time:.3f}x nmap; this run {w_time / floor:.2f}x the floor")
if wrong_w:
    sys.exit(2)  # a wrong answer is not a slow one: the benchmark measured nothing
sys.exit(0 if ratio <= 0.05 else 1)
PY
