#!/usr/bin/env bash
# winports check against a real Samba AD DC behind a router whose nftables accepts some of the DC's
# ports, rejects some with ICMP administratively prohibited and drops others. Every verdict must
# match what the router and the DC really do; UDP DNS must be proven by its reply.
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
source "$here/lab.sh"
lab_require samba samba-tool
lab_up || exit 1
lab_provision || exit 1
lab_start_dc || exit 1

# The router's forward policy: drop, except replies, the DC's own traffic and the rules given
# on standard input (one nft rule per line).
router_rules() {
  { printf 'table inet lab\ndelete table inet lab\ntable inet lab {\n  chain forward {\n'
    printf '    type filter hook forward priority 0; policy drop;\n    ct state established,related accept\n'
    sed 's/^/    /'
    printf '    ip saddr %s accept\n  }\n}\n' "$LAB_DC_IP"; } >"$LAB_DIR/router.nft"
  in_router nft -f "$LAB_DIR/router.nft"
}


router_rules <<NFT || exit 1
ip daddr $LAB_DC_IP tcp dport { 53, 88, 135, 389, 445, 5985 } accept
ip daddr $LAB_DC_IP udp dport { 53, 9999 } accept
ip daddr $LAB_DC_IP tcp dport 636 reject with icmp type admin-prohibited
ip daddr $LAB_DC_IP udp dport 137 reject with icmp type admin-prohibited
NFT

# port/transport → the verdict the lab makes true
declare -A want=(
  [53/tcp]=listening [88/tcp]=listening [135/tcp]=listening [389/tcp]=listening [445/tcp]=listening
  [5985/tcp]=not-listening [636/tcp]=filtered [3268/tcp]=filtered
  [53/udp]=listening [9999/udp]=not-listening [137/udp]=filtered [138/udp]=listening-or-filtered
)
LAB_TIMEOUT=120 in_client "$bin" check "$LAB_DC_IP" --ports tcp:53,88,135,389,445,5985,636,3268,udp:53,9999,137,138 \
  --timeout 700 --json >"$LAB_DIR/check.json"
code=$?
fail=0
[ "$code" = 1 ] && echo "ok: exit 1 (some ports do not answer)" || { echo "FAIL: exit $code, wanted 1"; fail=1; }
for key in "${!want[@]}"; do
  port=${key%/*} transport=${key#*/}
  got=$(python3 -c 'import json,sys; r=[x for x in json.load(open(sys.argv[1]))["payload"]["results"] if x["port"]==int(sys.argv[2]) and x["transport"]==sys.argv[3]]; print(r[0]["status"] + "|" + r[0]["detail"] if r else "missing")' \
    "$LAB_DIR/check.json" "$port" "$transport")
  if [ "${got%%|*}" = "${want[$key]}" ]; then echo "ok: $key ${want[$key]} (${got#*|})"
  else echo "FAIL: $key is '$got', wanted ${want[$key]}"; fail=1; fi
done
grep -q '"detail": "DNS response' "$LAB_DIR/check.json" && echo "ok: UDP 53 proven by a DNS response" ||
  { echo "FAIL: no DNS response detail"; fail=1; }
# The same evidence in Japanese: the JSON's detail_ja, and the table under --lang ja (the names the
# wire carries, NOERROR and SMB2's dialect, as sent).
grep -q '"detail_ja": "DNS の応答です: ' "$LAB_DIR/check.json" && echo "ok: detail_ja beside detail" ||
  { echo "FAIL: no Japanese DNS evidence in the JSON"; fail=1; }
LAB_TIMEOUT=60 in_client "$bin" --lang ja check "$LAB_DC_IP" --ports tcp:445,udp:53 --timeout 700 >"$LAB_DIR/check-ja.txt"
grep -Eq "DNS の応答です: [A-Z]+、回答 [0-9]+ 件" "$LAB_DIR/check-ja.txt" &&
  grep -q "SMB2 NEGOTIATE の応答です (ダイアレクト [0-9.]*、署名が" "$LAB_DIR/check-ja.txt" &&
  echo "ok: --lang ja says what the replies proved in Japanese" ||
  { echo "FAIL: Japanese evidence:"; cat "$LAB_DIR/check-ja.txt"; fail=1; }

# --role: every fixed port the catalog lists for a DC, probed; the exit code says not all answer.
LAB_TIMEOUT=120 in_client "$bin" check "$LAB_DC_IP" --role domain-controller --timeout 500 --json >"$LAB_DIR/role.json"
count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["payload"]["results"]))' "$LAB_DIR/role.json")
[ "$count" -ge 20 ] && echo "ok: --role domain-controller probed $count ports" || { echo "FAIL: --role probed $count"; fail=1; }

# Protocol proof and RPC endpoints: with the router passing the endpoint mapper, the dynamic range
# and UDP Kerberos/CLDAP/kpasswd, UDP answers are "listening" (proved by a reply, not "or filtered")
# and drsuapi is found on the very port the DC's own endpoint mapper hands to rpcclient.
router_rules <<NFT || exit 1
ip daddr $LAB_DC_IP tcp dport { 135, 389, 49152-65535 } accept
ip daddr $LAB_DC_IP udp dport { 88, 389, 464 } accept
NFT
drsuapi_port=""
for try in $(seq 10); do  # Samba registers endpoints a moment after it listens
  drsuapi_port=$(LAB_TIMEOUT=30 in_client rpcclient -U "administrator%$LAB_PASSWORD" "ncacn_ip_tcp:$LAB_DC_IP[135]" \
    -c epmlookup 2>/dev/null | grep -Eo 'ncacn_ip_tcp:[^[]*\[[0-9]+,abstract_syntax=e3514235-4b06-11d1-ab04-00c04fc2dcd2' |
    grep -Eo '\[[0-9]+' | tr -d '[' | head -1)
  [ -n "$drsuapi_port" ] && break
  sleep 1
done
[ -n "$drsuapi_port" ] && echo "ok: rpcclient epmlookup puts drsuapi on $drsuapi_port" || { echo "FAIL: no drsuapi endpoint from rpcclient"; fail=1; }
LAB_TIMEOUT=120 in_client "$bin" check "$LAB_DC_IP" --ports tcp:135,389,udp:88,389,464 --domain "${LAB_REALM,,}" \
  --timeout 1000 --json >"$LAB_DIR/proto.json"
PYTHONPATH="$here" python3 - "$LAB_DIR/proto.json" "$drsuapi_port" "${LAB_REALM}" <<'PY' || fail=1
import json, sys
from expect import want, one, done
results = json.load(open(sys.argv[1]))["payload"]["results"]
drsuapi_port, realm = sys.argv[2], sys.argv[3]
for port, proof in [(88, "Kerberos KRB-ERROR 6 KDC_ERR_C_PRINCIPAL_UNKNOWN, realm " + realm),
                    (389, "LDAP ping: DC dc1." + realm.lower()), (464, "kpasswd reply")]:
    r = one(results, port, "udp")
    want(r["status"] == "listening" and proof in r["detail"], f"udp/{port} {r['status']}: {r['detail']}")
r = one(results, 389, "tcp")
want("LDAP rootDSE: dnsHostName dc1." + realm.lower() in r["detail"], "tcp/389 " + r["detail"])
r = one(results, 135, "tcp")
want("entries enumerated" in r["detail"], "tcp/135 " + r["detail"])
drs = [x for x in results if x.get("rpc", {}).get("interface") == "drsuapi"]
want(len(drs) == 1 and str(drs[0]["port"]) == drsuapi_port and drs[0]["status"] == "listening"
     and drs[0]["services"] == ["active-directory"],
     f"drsuapi endpoint {[(d['port'], d['status'], d['services']) for d in drs]}, DC's mapper says {drsuapi_port}")
netlogon = [x for x in results if x.get("rpc", {}).get("interface") == "netlogon"]
want(len(netlogon) == 1 and netlogon[0]["status"] == "listening", f"netlogon endpoint {[(d['port'], d['status']) for d in netlogon]}")
done()
PY

# discover: the DC found through the SRV records the client's resolver (the DC) serves, then
# checked as a domain-controller. DNS and part of the DC's ports pass the router; SMB does not.
router_rules <<NFT || exit 1
ip daddr $LAB_DC_IP tcp dport { 53, 88, 135, 389, 49152-65535 } accept
ip daddr $LAB_DC_IP udp dport { 53, 88, 389, 464 } accept
NFT
LAB_TIMEOUT=60 in_client "$bin" discover "${LAB_REALM,,}" --list --json >"$LAB_DIR/dcs.json"
code=$?
[ "$code" = 0 ] && echo "ok: discover --list exit 0" || { echo "FAIL: discover --list exit $code"; fail=1; }
LAB_TIMEOUT=120 in_client "$bin" discover "${LAB_REALM,,}" --dns-server "$LAB_DC_IP" --timeout 500 --json \
  >"$LAB_DIR/discover.json"
code=$?
[ "$code" = 1 ] && echo "ok: discover exit 1 (SMB is dropped)" || { echo "FAIL: discover exit $code, wanted 1"; fail=1; }
/usr/bin/python3 "$here/../cli/json_test.py" --envelope "$here/../.." discover "$LAB_DIR/dcs.json" "$LAB_DIR/discover.json" ||
  { echo "FAIL: discover --json does not fit docs/json.schema.json"; fail=1; }
PYTHONPATH="$here" python3 - "$LAB_DIR/dcs.json" "$LAB_DIR/discover.json" "$LAB_DC_IP" "${LAB_REALM,,}" <<'PY' || fail=1
import json, sys
from expect import want, one, done
listed, checked = json.load(open(sys.argv[1]))["payload"], json.load(open(sys.argv[2]))["payload"]
dc_ip, domain = sys.argv[3], sys.argv[4]
for doc in (listed, checked):
    dcs = doc["domain_controllers"]
    want(len(dcs) == 1 and dcs[0]["host"] == "dc1." + domain and dcs[0]["addresses"] == [dc_ip],
         f"one DC found: {[(d['host'], d['addresses']) for d in dcs]}")
    records = {(r["name"], r["port"]) for r in dcs[0]["records"]} if dcs else set()
    want(records == {("_ldap._tcp.dc._msdcs." + domain, 389), ("_kerberos._tcp." + domain, 88),
                     ("_gc._tcp." + domain, 3268)}, f"its SRV records {sorted(records)}")
results = checked.get("results", [])
r = one(results, 389, "udp")
want(r["status"] == "listening" and "LDAP ping: DC dc1." + domain in r["detail"], "udp/389 " + r["detail"])
want(one(results, 445, "tcp")["status"] == "filtered", "tcp/445 " + one(results, 445, "tcp")["status"])
want(one(results, 88, "tcp")["status"] == "listening", "tcp/88 " + one(results, 88, "tcp")["status"])
drs = [x for x in results if x.get("rpc", {}).get("interface") == "drsuapi"]
want(len(drs) == 1 and drs[0]["status"] == "listening", f"drsuapi {[(d['port'], d['status']) for d in drs]}")
done()
PY
LAB_TIMEOUT=60 in_client "$bin" discover nosuch.invalid --dns-server "$LAB_DC_IP" 2>"$LAB_DIR/nosuch.err"
code=$?
[ "$code" = 2 ] && grep -q "no SRV record names a domain controller of nosuch.invalid" "$LAB_DIR/nosuch.err" &&
  echo "ok: discover of an unknown domain: exit 2, $(cat "$LAB_DIR/nosuch.err")" ||
  { echo "FAIL: discover nosuch.invalid exit $code: $(cat "$LAB_DIR/nosuch.err")"; fail=1; }
# The same in Japanese: the error and the table's headings.
LAB_TIMEOUT=60 in_client "$bin" --lang ja discover nosuch.invalid --dns-server "$LAB_DC_IP" 2>"$LAB_DIR/nosuch-ja.err"
code=$?
[ "$code" = 2 ] && grep -q "nosuch.invalid のドメイン コントローラーを示す SRV レコードがありません" "$LAB_DIR/nosuch-ja.err" &&
  echo "ok: discover --lang ja of an unknown domain: exit 2, in Japanese" ||
  { echo "FAIL: discover --lang ja nosuch.invalid exit $code: $(cat "$LAB_DIR/nosuch-ja.err")"; fail=1; }
LAB_TIMEOUT=60 in_client "$bin" --lang ja discover "${LAB_REALM,,}" --dns-server "$LAB_DC_IP" --list >"$LAB_DIR/dcs-ja.txt"
code=$?
[ "$code" = 0 ] && grep -q "^ドメイン コントローラー" "$LAB_DIR/dcs-ja.txt" && grep -q "SRV レコード" "$LAB_DIR/dcs-ja.txt" &&
  echo "ok: discover --list --lang ja: the table's headings in Japanese" ||
  { echo "FAIL: discover --list --lang ja exit $code: $(cat "$LAB_DIR/dcs-ja.txt")"; fail=1; }

# local: the DC namespace's own listening sockets, as ss sees them, each with its Samba process.
in_dc "$bin" local --json >"$LAB_DIR/local.json" || { echo "FAIL: local exit $?"; fail=1; }
in_dc ss -lntuH >"$LAB_DIR/ss.txt"
PYTHONPATH="$here" python3 - "$LAB_DIR/local.json" "$LAB_DIR/ss.txt" <<'PY' || fail=1
import json, sys
from expect import want, one, done
sockets = json.load(open(sys.argv[1]))["payload"]["sockets"]
ours = {(s["transport"], s["address"], s["port"]) for s in sockets}
theirs = set()
for line in open(sys.argv[2]):
    f = line.split()
    address, _, port = f[4].rpartition(":")
    theirs.add((f[0], address.strip("[]").replace("*", "0.0.0.0"), int(port)))
want(ours == theirs and len(ours) >= 15, f"local lists the {len(theirs)} sockets ss -lntu lists (only ours: {sorted(ours - theirs)}, only ss: {sorted(theirs - ours)})")
kdc = [s for s in sockets if s["transport"] == "tcp" and s["port"] == 88]
want(kdc and "kdc" in kdc[0]["services"] and any(p["name"].startswith("kdc") for p in kdc[0]["processes"]),
     f"tcp/88: services {kdc[0]['services'] if kdc else None}, processes {[p['name'] for p in kdc[0]['processes']] if kdc else None}")
cldap = [s for s in sockets if s["transport"] == "udp" and s["port"] == 389]
want(cldap and "active-directory" in cldap[0]["services"], "udp/389 is active-directory")
done()
PY
exit $fail
