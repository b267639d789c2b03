#!/usr/bin/env bash
# winports verify against a real Samba AD DC behind a router running the plan's own nftables ruleset:
# every required flow passes (exit 0) and drsuapi is reached on the endpoint the DC's mapper gives;
# with Kerberos dropped at the router the flow is reported blocked with the services it breaks
# (exit 1); with the plan's RPC range not the DC's, the mapped endpoints are blocked and named as
# ports the plan does not open. The JUnit report of each run must validate against the schema, and
# the --html page of the blocked run is opened in headless Chromium (when the report tools are
# installed; WINPORTS_REQUIRE_REPORT=1 requires them).
set -u
bin=$(realpath "$1")
junit_check=$2
here=$(dirname "$(realpath "$0")")
source "$here/lab.sh"
lab_require samba samba-tool
lab_up || exit 1
lab_provision || exit 1
lab_start_dc || exit 1

verify() {  # verify NAME: runs verify from the client zone into NAME.json / NAME.xml, prints the exit code
  LAB_TIMEOUT=120 in_client "$bin" verify "$LAB_DIR/site.yaml" --from clients --domain "${LAB_REALM,,}" --timeout 700 \
    --json --junit "$LAB_DIR/$1.xml" --html "$LAB_DIR/$1.html" >"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err"
  echo $?
}
fail=0
want() {  # want CONDITION-EXIT-STATUS MESSAGE
  if [ "$1" = 0 ]; then echo "ok: $2"; else echo "FAIL: $2"; fail=1; fi
}
query() { python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['payload']; print($2)" "$LAB_DIR/$1.json"; }

# Samba registers its endpoints a moment after it listens: wait for drsuapi in the mapper.
for try in $(seq 10); do
  in_client rpcclient -U "administrator%$LAB_PASSWORD" "ncacn_ip_tcp:$LAB_DC_IP[135]" -c epmlookup 2>/dev/null |
    grep -q 'ncacn_ip_tcp.*e3514235-4b06-11d1-ab04-00c04fc2dcd2' && break
  sleep 1
done

lab_write_site
lab_load_plan "$bin" || exit 1
code=$(verify open)
want $([ "$code" = 0 ]; echo $?) "plan loaded: verify exits 0 ($(tail -1 "$LAB_DIR/open.err"))"
/usr/bin/python3 "$here/../cli/json_test.py" --envelope "$here/../.." verify "$LAB_DIR/open.json" ||
  { echo "FAIL: verify --json does not fit docs/json.schema.json"; fail=1; }
want $([ "$(query open 'sum(r["blocked"] for r in d["results"])')" = 0 ]; echo $?) "plan loaded: nothing blocked"
want $([ "$(query open '[r["status"] for r in d["results"] if r["port"]==88 and r["transport"]=="udp"][0]')" = listening ]; echo $?) \
  "udp/88 listening (Kerberos reply)"
drs=$(query open '[(r["port"], r["status"], r["opened_by_plan"]) for r in d["results"] if r.get("rpc",{}).get("interface")=="drsuapi"]')
want $([[ $drs == "[("*", 'listening', True)]" ]]; echo $?) "drsuapi endpoint reached through the plan's RPC range: $drs"
"$junit_check" "$LAB_DIR/open.xml" && echo "ok: JUnit report validates" || { echo "FAIL: JUnit report invalid"; fail=1; }

# Kerberos dropped at the router: blocked, exit 1, the broken services named.
table=$(grep -m1 -Eo '^table inet [a-z0-9_]+' "$LAB_DIR/rules.nft" | awk '{print $3}')
in_router nft insert rule inet "$table" forward ip daddr "$LAB_DC_IP" meta l4proto '{ tcp, udp }' th dport 88 drop || exit 1
code=$(verify kdc)
want $([ "$code" = 1 ]; echo $?) "Kerberos dropped: verify exits 1 ($(tail -1 "$LAB_DIR/kdc.err"))"
blocked=$(query kdc 'sorted({(r["transport"], r["port"]) for r in d["results"] if r["blocked"]})')
want $([ "$blocked" = "[('tcp', 88)]" ]; echo $?) "exactly 88/tcp blocked: $blocked"
# UDP silence stays PortQry's "listening or filtered" (unproven), never a proof either way.
udp88=$(query kdc '[r["status"] for r in d["results"] if r["port"]==88 and r["transport"]=="udp"][0]')
want $([ "$udp88" = listening-or-filtered ]; echo $?) "udp/88 dropped: $udp88 (was listening)"
want $(query kdc '"kdc" in d["summary"]["broken_services"]' | grep -qx True; echo $?) "summary names kdc among the broken services"
want $(query kdc 'd["results"][0]["blocked"]' | grep -qx True; echo $?) "blocked flows come first"
"$junit_check" "$LAB_DIR/kdc.xml" && grep -q '<failure type="filtered"' "$LAB_DIR/kdc.xml" &&
  echo "ok: JUnit report validates and carries the failures" || { echo "FAIL: JUnit report"; fail=1; }
browse=$here/../report/browse.cjs
if command -v chromium >/dev/null && [ -d "$here/../report/node_modules/puppeteer-core" ]; then
  rows=$(query kdc 'len(d["results"])')
  timeout 120 node "$browse" verdicts "$LAB_DIR/kdc.html" "$LAB_DIR/kdc.png" "$rows" blocked link-clients-servers ||
    fail=1
  cp "$LAB_DIR/kdc.png" "${TMPDIR:-/tmp}/winports-verify-blocked.png" 2>/dev/null || true
elif [ "${WINPORTS_REQUIRE_REPORT:-}" = 1 ]; then
  echo "FAIL: chromium or tests/report/node_modules missing"; fail=1
else
  echo "skip: the verdict page is not opened (no chromium or npm packages)"
fi

# --merge of two real runs of the same plan (before and after Kerberos was dropped), as if from two
# vantage hosts: blocked first, both runs listed; a run of a changed plan is refused by name.
want $(query open 'd["summary"]["vantage"]["zones"] == ["clients"] and len(d["summary"]["plan_id"]) == 16' |
  grep -qx True; echo $?) "the result says its vantage zone and the plan it probed"
"$bin" verify "$LAB_DIR/site.yaml" --merge "$LAB_DIR/open.json" "$LAB_DIR/kdc.json" --json \
  --junit "$LAB_DIR/merged.xml" --html "$LAB_DIR/merged.html" >"$LAB_DIR/merged.json" 2>"$LAB_DIR/merged.err"
want $([ $? = 1 ]; echo $?) "--merge exits 1 when a vantage saw a flow blocked ($(tail -1 "$LAB_DIR/merged.err"))"
/usr/bin/python3 "$here/../cli/json_test.py" --envelope "$here/../.." verify-merge "$LAB_DIR/merged.json" ||
  { echo "FAIL: verify --merge --json does not fit docs/json.schema.json"; fail=1; }
want $(query merged 'd["results"][0]["verdict"] == "blocked" and len(d["summary"]["runs"]) == 2' | grep -qx True; echo $?) \
  "the merged report puts the blocked flow first and lists both runs"
"$junit_check" "$LAB_DIR/merged.xml" && echo "ok: merged JUnit report validates" || { echo "FAIL: merged JUnit"; fail=1; }
grep -A3 'id="link&#45;clients&#45;servers"' "$LAB_DIR/merged.html" | grep -q '#c62828' &&
  echo "ok: the merged page's diagram paints the blocked link" || { echo "FAIL: the merged page's diagram"; fail=1; }

# The plan's RPC range is not the DC's: the mapped endpoints are blocked and outside the plan.
lab_write_site 50000-50099
lab_load_plan "$bin" || exit 1
code=$(verify range)
want $([ "$code" = 1 ]; echo $?) "RPC range mismatch: verify exits 1"
drs=$(query range '[(r["status"], r["opened_by_plan"], r["blocked"]) for r in d["results"] if r.get("rpc",{}).get("interface")=="drsuapi"]')
want $([ "$drs" = "[('filtered', False, True)]" ]; echo $?) "drsuapi endpoint blocked and not opened by the plan: $drs"
"$bin" verify "$LAB_DIR/site.yaml" --merge "$LAB_DIR/open.json" >/dev/null 2>"$LAB_DIR/stale.err"
want $([ $? = 2 ] && grep -q "open.json.*the site changed since that run" "$LAB_DIR/stale.err"; echo $?) \
  "a result of the earlier plan is refused, naming its file"
exit $fail
