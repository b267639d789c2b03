#!/usr/bin/env bash
# winports analyze on captures this test records itself: a Samba member joins the lab's Samba AD
# DC through the router (DNS, Kerberos, SASL-signed LDAP, SMB) and reads its replication status
# over DRSUAPI (the endpoint mapper on 135 hands out the DC's dynamic port). tcpdump records it
# on the router. analyze must name every service and the drsuapi connection three ways: with the
# whole capture; from the connection's own bind once port 135 is cut out of it (captures often
# start after the endpoint mapper's exchange); and from the endpoint mapper's reply alone once the
# bind is cut out instead. WINPORTS_RECORD_CAPTURE=FILE keeps the capture (tests/data/analyze).
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
source "$here/lab.sh"
lab_require samba samba-tool net tcpdump
lab_up || exit 1
lab_provision || exit 1
lab_start_dc || exit 1

# The member's own Samba configuration, all of its state in the lab directory.
m=$LAB_DIR/member
mkdir -p "$m/private" "$m/lock" "$m/state" "$m/cache" "$m/run"
cat >"$m/smb.conf" <<CONF
[global]
  netbios name = MEMBER1
  workgroup = $LAB_DOMAIN
  realm = $LAB_REALM
  security = ads
  private dir = $m/private
  lock directory = $m/lock
  state directory = $m/state
  cache directory = $m/cache
  pid directory = $m/run
  kerberos method = secrets only
  dedicated keytab file = $m/krb5.keytab
  client ldap sasl wrapping = sign
CONF

# Samba registers its endpoints a moment after it listens: wait for drsuapi in the mapper.
for try in $(seq 10); do
  in_client rpcclient -U "administrator%$LAB_PASSWORD" "ncacn_ip_tcp:$LAB_DC_IP[135]" -c epmlookup 2>/dev/null |
    grep -q 'ncacn_ip_tcp.*e3514235-4b06-11d1-ab04-00c04fc2dcd2' && break
  sleep 1
done

in_router tcpdump -i "$LAB_ID-r0" -w "$LAB_DIR/join.pcap" -U -s 0 >"$LAB_DIR/tcpdump.log" 2>&1 &
dump=$!
for try in $(seq 50); do grep -q "listening on" "$LAB_DIR/tcpdump.log" && break; sleep 0.1; done
LAB_TIMEOUT=120 in_client net ads join -s "$m/smb.conf" -U "administrator%$LAB_PASSWORD" >"$LAB_DIR/join.log" 2>&1
joined=$?
LAB_TIMEOUT=120 in_client samba-tool drs showrepl "dc1.${LAB_REALM,,}" -s "$m/smb.conf" \
  -U "administrator%$LAB_PASSWORD" >"$LAB_DIR/showrepl.log" 2>&1
showrepl=$?
sleep 1
kill -INT $dump; wait $dump

fail=0
want() { if [ "$1" = 0 ]; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi; }
want $joined "net ads join through the router ($(tail -1 "$LAB_DIR/join.log"))"
want $showrepl "samba-tool drs showrepl over DRSUAPI ($(grep -m1 -i 'DSA object GUID' "$LAB_DIR/showrepl.log"))"
[ $joined = 0 ] && [ $showrepl = 0 ] || { tail -20 "$LAB_DIR/join.log" "$LAB_DIR/showrepl.log"; exit 1; }

[ -z "${WINPORTS_RECORD_CAPTURE:-}" ] || cp "$LAB_DIR/join.pcap" "$WINPORTS_RECORD_CAPTURE"
# The same capture without the endpoint mapper's conversations, and without the DCE/RPC binds
# to ports other than 135.
python3 "$here/pcap_cut.py" "$LAB_DIR/join.pcap" "$LAB_DIR/cut.pcap" port 135
python3 "$here/pcap_cut.py" "$LAB_DIR/join.pcap" "$LAB_DIR/nobind.pcap" bind
for capture in join cut nobind; do
  "$bin" analyze "$LAB_DIR/$capture.pcap" --json >"$LAB_DIR/$capture.json" 2>"$LAB_DIR/$capture.err"
  want $? "analyze $capture.pcap exits 0"
done
PYTHONPATH="$here" python3 - "$LAB_DIR/join.json" "$LAB_DIR/cut.json" "$LAB_DIR/nobind.json" "$LAB_CLIENT_IP" "$LAB_DC_IP" <<'PY' || fail=1
import json, sys
from expect import want, done
whole, cut, nobind = (json.load(open(p))["payload"] for p in sys.argv[1:4])
client, dc = sys.argv[4:6]

def flow(d, transport, port):
    return [f for f in d["flows"] if f["transport"] == transport and f["port"] == port and f["server"] == dc]

for name, d in (("whole", whole), ("cut", cut), ("nobind", nobind)):
    for transport, port, service in (("udp", 53, "dns-server"), ("tcp", 88, "kdc"), ("tcp", 389, "active-directory"),
                                     ("tcp", 445, "server")):
        found = flow(d, transport, port)
        want(found and service in found[0]["services"] and found[0]["client"] == client,
             f"{name}: {transport}/{port} from the member to the DC is {service}: {[f['services'] for f in found]}")
    drs = [f for f in d["flows"] if f["rpc_interface"] == "drsuapi"]
    want(len(drs) == 1 and drs[0]["server"] == dc and drs[0]["client"] == client and drs[0]["port"] >= 1024
         and drs[0]["services"] == ["active-directory"],
         f"{name}: the DC's dynamic port is drsuapi (active-directory): {drs}")
    unknown = [(f["transport"], f["port"]) for f in d["flows"] if f["transport"] == "tcp" and not f["services"]]
    want(not unknown, f"{name}: every TCP flow is named: unnamed {unknown}")
    want(all(f["decided_by"] in ("syn", "rpc-bind", "catalog-port", "first-packet") for f in d["flows"]), f"{name}: every flow says how its direction was decided")

drs_whole = [f for f in whole["flows"] if f["rpc_interface"] == "drsuapi"][0]
drs_cut = [f for f in cut["flows"] if f["rpc_interface"] == "drsuapi"][0]
drs_nobind = [f for f in nobind["flows"] if f["rpc_interface"] == "drsuapi"][0]
want(drs_whole["rpc_via"] in ("bind", "endpoint-mapper") and whole["summary"]["rpc_endpoints_mapped"] >= 1,
     f"whole: the endpoint mapper's reply mapped {whole['summary']['rpc_endpoints_mapped']} endpoint(s)")
want(flow(whole, "tcp", 135) and "epmapper" in [f["rpc_interface"] for f in flow(whole, "tcp", 135)], "whole: 135 is the endpoint mapper (its bind names it)")
want(not flow(cut, "tcp", 135) and cut["summary"]["rpc_endpoints_mapped"] == 0, "cut: no endpoint-mapper traffic left")
want(drs_cut["rpc_via"] == "bind" and drs_cut["port"] == drs_whole["port"], f"cut: drsuapi named by its own bind on {drs_cut['port']}")
want(drs_nobind["rpc_via"] == "endpoint-mapper" and drs_nobind["port"] == drs_whole["port"]
     and nobind["summary"]["rpc_binds"] < whole["summary"]["rpc_binds"],
     f"nobind: drsuapi named by the endpoint mapper's reply on {drs_nobind['port']}")
done()
PY
exit $fail
