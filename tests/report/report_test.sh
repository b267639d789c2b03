#!/usr/bin/env bash
# The reports as people see them: each example's HTML plan opened in headless Chromium (diagram,
# rows, search, no console errors, nothing fetched; a screenshot kept in the build directory), in
# English and Japanese, and each example's xlsx read back with openpyxl against the JSON plan.
# Usage: report_test.sh WINPORTS EXAMPLES_DIR OUT_DIR
set -u
bin=$1 examples=$2 out=$3
here=$(dirname "$(realpath "$0")")
mkdir -p "$out"
skip() { [ "${WINPORTS_REQUIRE_REPORT:-}" = 1 ] && { echo "FAIL: $1"; exit 1; }; echo "SKIP: $1"; exit 77; }
command -v chromium >/dev/null || skip "chromium is not installed (scripts/setup.sh installs it)"
[ -d "$here/node_modules/puppeteer-core" ] || skip "npm packages missing (scripts/setup.sh runs npm ci)"
python=""
for p in python3 /usr/bin/python3; do "$p" -c 'import openpyxl' 2>/dev/null && { python=$p; break; }; done
[ -n "$python" ] || skip "python3-openpyxl is not installed"
fail=0
for site in "$examples"/*.yaml; do
  name=$(basename "$site" .yaml)
  # The zones the diagram must show: the keys under "zones:".
  zones=$(awk '/^zones:/{z=1;next} /^[^ ]/{z=0} z && /^  [A-Za-z0-9_-]+:/{sub(/^  /,"");sub(/:.*/,"");print}' "$site")
  "$bin" plan "$site" --format json -o "$out/$name.json" 2>/dev/null || { echo "FAIL: $name json"; fail=1; continue; }
  rows=$("$python" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["flows"]))' "$out/$name.json")
  for lang in en ja; do
    "$bin" --lang "$lang" plan "$site" --format html -o "$out/$name.$lang.html" 2>/dev/null ||
      { echo "FAIL: $name html ($lang)"; fail=1; continue; }
    echo "== $name ($lang)"
    timeout 120 node "$here/browse.cjs" plan "$out/$name.$lang.html" "$out/$name.$lang.png" "$rows" $zones || fail=1
  done
  grep -q '<html lang="ja">' "$out/$name.ja.html" && grep -q 'ゾーン' "$out/$name.ja.html" &&
    echo "ok: $name.ja.html is in Japanese" || { echo "FAIL: $name.ja.html is not Japanese"; fail=1; }
  "$bin" plan "$site" --format xlsx -o "$out/$name.xlsx" 2>/dev/null || { echo "FAIL: $name xlsx"; fail=1; continue; }
  echo "== $name.xlsx"
  "$python" "$here/readback.py" "$out/$name.xlsx" "$out/$name.json" || fail=1
  # Japanese: the sheets in Japanese, every cell in Japanese Excel's own font.
  "$bin" --lang ja plan "$site" --format xlsx -o "$out/$name.ja.xlsx" 2>/dev/null || { echo "FAIL: $name ja xlsx"; fail=1; continue; }
  "$python" - "$out/$name.ja.xlsx" <<'PY' || fail=1
import sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
fonts = {c.font.name for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None}
ok = book.sheetnames == ["規則", "フロー", "除外", "カタログ"] and fonts == {"游ゴシック"}
print(("ok: " if ok else "FAIL: ") + f"{sys.argv[1]}: sheets {book.sheetnames}, fonts {fonts}")
sys.exit(0 if ok else 1)
PY
done
# check --html on loopback: a port a server of the test's own listens on, and a closed one.
python3 -m http.server 0 --bind 127.0.0.1 --directory "$out" >"$out/http.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
port=""
for try in $(seq 50); do
  port=$(ss -ltnpH "sport > :1023" 2>/dev/null | awk -v pid="pid=$server," '$0 ~ pid {sub(/.*:/,"",$4); print $4; exit}')
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then echo "FAIL: the test's HTTP server did not listen"; fail=1
else
  closed=$((port == 65535 ? port - 1 : port + 1))
  for lang in en ja; do
    "$bin" --lang "$lang" check 127.0.0.1 --ports "tcp:$port,$closed" --html "$out/check.$lang.html" >/dev/null 2>&1
    code=$?
    [ "$code" = 1 ] && echo "ok: check with a closed port exits 1" || { echo "FAIL: check exit $code"; fail=1; }
    echo "== check.$lang.html"
    timeout 120 node "$here/browse.cjs" verdicts "$out/check.$lang.html" "$out/check.$lang.png" 2 refused || fail=1
  done
fi
# A page that cannot be written: exit 2, and no file left behind.
"$bin" check 127.0.0.1 --ports "tcp:${port:-1}" --html "$out/no-such-dir/check.html" >/dev/null 2>"$out/stderr.txt"
code=$?
[ "$code" = 2 ] && [ ! -e "$out/no-such-dir" ] && grep -q "no-such-dir" "$out/stderr.txt" &&
  echo "ok: --html to a missing directory: exit 2, named" || { echo "FAIL: --html unwritable exit $code"; fail=1; }

# xlsx is binary: without -o it is refused, and nothing is written.
"$bin" plan "$examples/dmz.yaml" --format xlsx >"$out/stdout.bin" 2>"$out/stderr.txt"
code=$?
[ "$code" = 2 ] && [ ! -s "$out/stdout.bin" ] && grep -q "binary format" "$out/stderr.txt" &&
  echo "ok: xlsx without -o: exit 2, nothing on stdout" || { echo "FAIL: xlsx to stdout exit $code"; fail=1; }
exit $fail
