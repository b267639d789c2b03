#!/usr/bin/env bash
# winports analyze against the packaged flow tools on one ≥ 64 MiB capture, in one run:
#   tshark -q -z conv,tcp (Wireshark's TCP conversation table) and ndpiReader -q (nDPI's flow
#   classifier, the fastest packaged one). The capture is the recorded Samba domain join
#   (tests/data/analyze/samba-join.pcap) copied from 512 client addresses until it holds 64 MiB.
#   Targets: winports ≥ 50× faster than tshark (≤ 0.02× its time) and ≥ 2× faster than ndpiReader (wall time), and
#   memory that follows the number of flows, not the file's size. Then accuracy on the domain join
#   itself: what each names SASL-signed LDAP and the DRSUAPI connection (bind cut out, so only the
#   endpoint mapper's reply says what the port is).
#   usage: bench/analyze_vs_tshark.sh build/winports
#   Exit 0 on target, 1 below it, 2 when it could not run (bench/lib.sh).
source "$(dirname "$0")/lib.sh"
bench_strict
bench_require tshark ndpiReader hyperfine python3
bin=$(realpath "${1:-build/winports}")
root=$(dirname "$(realpath "$0")")/..
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
join=$root/tests/data/analyze/samba-join.pcap
python3 "$root/bench/make_capture.py" "$join" "$dir/big.pcap" 64 512
python3 "$root/bench/make_capture.py" "$join" "$dir/few-64.pcap" 64 64 >/dev/null
python3 "$root/bench/make_capture.py" "$join" "$dir/few-16.pcap" 16 64 >/dev/null

hyperfine -N --warmup 1 --runs "${RUNS:-5}" --export-json "$dir/times.json" \
  "$bin analyze $dir/big.pcap --json" "tshark -r $dir/big.pcap -q -z conv,tcp" "ndpiReader -i $dir/big.pcap -q" \
  >/dev/null 2>&1 || bench_cannot_run "hyperfine failed"

# Peak memory of one run (kilobytes), through the kernel's accounting of a child.
peak() { python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"; }
rss_big=$(peak "$bin" analyze "$dir/big.pcap" --json)
rss_few64=$(peak "$bin" analyze "$dir/few-64.pcap" --json)
rss_few16=$(peak "$bin" analyze "$dir/few-16.pcap" --json)
rss_tshark=$(peak tshark -r "$dir/big.pcap" -q -z conv,tcp)
rss_ndpi=$(peak ndpiReader -i "$dir/big.pcap" -q)

# Accuracy on the join: the LDAP connections and the DRSUAPI one, bind cut out.
python3 "$root/tests/netns/pcap_cut.py" "$join" "$dir/nobind.pcap" bind >/dev/null
"$bin" analyze "$dir/nobind.pcap" --json >"$dir/winports.json"
ndpiReader -i "$dir/nobind.pcap" -v 2 >"$dir/ndpi.txt" 2>/dev/null

bench_verdict "$dir" "$(stat -c %s "$dir/big.pcap")" "$rss_big" "$rss_few64" "$rss_few16" "$rss_tshark" "$rss_ndpi" <<'PY'
import json, re, sys
d, size = sys.argv[1], int(sys.argv[2])
rss_big, rss_few64, rss_few16, rss_tshark, rss_ndpi = (int(x) / 1024 for x in sys.argv[3:8])
r = json.load(open(f"{d}/times.json"))["results"]
names = ["winports analyze", "tshark -z conv,tcp", "ndpiReader -q"]
mib = size / 1048576
print(f"capture: {mib:.1f} MiB (the recorded domain join copied from up to 512 client addresses)")
for name, x in zip(names, r):
    cpu = x["user"] + x["system"]
    print(f"{name:22} {x['mean']:7.3f} s wall ±{x['stddev']:.3f}  {cpu:6.3f} s CPU  {mib / x['mean']:8.1f} MB/s")
w, t, n = (x["mean"] for x in r)
ok = w / t <= 0.02 and n / w >= 2
print(f"ratio winports/tshark:     {w / t:6.3f}x (target <= 0.020), tshark/winports {t / w:.1f}x")
print(f"ratio ndpiReader/winports: {n / w:6.1f}x (target >= 2)")
print(f"peak memory: winports {rss_big:.0f} MiB (64 MiB, 512 clients), {rss_few64:.0f} MiB (64 MiB, 64 clients), "
      f"{rss_few16:.0f} MiB (16 MiB, 64 clients); tshark {rss_tshark:.0f} MiB, ndpiReader {rss_ndpi:.0f} MiB")
bounded = rss_few64 <= rss_few16 * 1.25 + 2
ok &= bounded
print(f"memory follows flows, not size: {'yes' if bounded else 'NO'} (4x the bytes, same flows: {rss_few16:.0f} -> {rss_few64:.0f} MiB)")

flows = json.load(open(f"{d}/winports.json"))["payload"]["flows"]
ldap = [f for f in flows if f["transport"] == "tcp" and f["port"] == 389]
drs = [f for f in flows if f["rpc_interface"] == "drsuapi"]
ndpi = open(f"{d}/ndpi.txt", errors="replace").read()
def ndpi_names(port):
    return sorted(set(re.findall(rf"<-> [0-9.]+:{port} \[proto: [0-9.]+/([^\]]+)\]", ndpi)))
drs_port = drs[0]["port"] if drs else 0
print(f"accuracy (join, bind cut): tcp/389   winports {ldap[0]['services'][:1] if ldap else None}, ndpiReader {ndpi_names(389)}")
print(f"                           tcp/{drs_port} winports {drs[0]['rpc_interface'] + ' ' + str(drs[0]['services']) if drs else None}, ndpiReader {ndpi_names(drs_port)}")
right = bool(ldap) and "active-directory" in ldap[0]["services"] and bool(drs) and drs[0]["services"] == ["active-directory"]
ok &= right
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
