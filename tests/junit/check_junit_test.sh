#!/usr/bin/env bash
# `winports check --junit` on loopback: a listening port passes, closed ports fail with their verdict,
# the counts add up, and the report validates against the JUnit schema.
set -u
bin=$1
here=$(dirname "$(realpath "$0")")
dir=$(mktemp -d)
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(30)' >"$dir/port" &
listener=$!
trap 'kill $listener 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
port=$(cat "$dir/port")
"$bin" check 127.0.0.1 --ports "tcp:$port,1,udp:9" --timeout 300 --junit "$dir/report.xml" >"$dir/out"
code=$?
fail=0
[ "$code" = 1 ] && echo "ok: exit 1" || { echo "FAIL: exit $code"; fail=1; }
"$here/validate.sh" "$dir/report.xml" && echo "ok: validates" || fail=1
python3 - "$dir/report.xml" "$port" <<'PY' || fail=1
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
cases = {c.get("name").split()[0]: c for c in suite.iter("testcase")}
ok = suite.get("tests") == "3" and suite.get("failures") == "2"
ok &= cases[f"tcp/{sys.argv[2]}"].find("failure") is None
ok &= cases["tcp/1"].find("failure").get("type") == "not-listening"
ok &= cases["udp/9"].find("failure").get("type") == "not-listening"
print(("ok" if ok else "FAIL") + ": counts and verdicts", suite.attrib)
sys.exit(0 if ok else 1)
PY
# A broken report must not validate: the schema check can fail.
sed 's/ hostname="[^"]*"//' "$dir/report.xml" >"$dir/broken.xml"
if "$here/validate.sh" "$dir/broken.xml" 2>/dev/null; then echo "FAIL: a report without hostname validated"; fail=1
else echo "ok: a report without hostname is refused"; fi
exit $fail
