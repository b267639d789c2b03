#!/usr/bin/env bash
# End-to-end checks of the winports command: exit codes, errors and atomic output.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LANG=C.UTF-8

expect() {  # expect CODE DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, wanted $want"; cat "$tmp/err"; fail=1
  else
    echo "ok: $what"
  fi
}
contains() {  # contains FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$tmp/$1"; then echo "ok: $3"; else echo "FAIL: $3: '$2' not in $1"; cat "$tmp/$1"; fail=1; fi
}

expect 0 "port 445 found" -- "$bin" port 445
contains out "netlogon" "445 lists Net Logon"
# Tables fit the terminal they are printed on (a pseudo-terminal of 120 columns, made by script(1)),
# and stay whole, one row per line, in a pipe.
widest() { tr -d '\r' <"$1" | awk '{ n = length($0); if (n > m) m = n } END { print m + 0 }'; }
script -qec "stty cols 120 rows 50; LANG=C.UTF-8 '$bin' --lang en port 445" /dev/null >"$tmp/tty" 2>&1
if [ "$(widest "$tmp/tty")" -le 120 ] && grep -q "active-directory" "$tmp/tty"; then
  echo "ok: port 445 fits a 120-column terminal"
else
  echo "FAIL: port 445 on a 120-column terminal is $(widest "$tmp/tty") columns wide"; head -5 "$tmp/tty"; fail=1
fi
script -qec "stty cols 120 rows 50; LANG=C.UTF-8 '$bin' --lang ja port 445" /dev/null >"$tmp/tty" 2>&1
if [ "$(tr -d '\r' <"$tmp/tty" | while IFS= read -r l; do printf '%s' "$l" | wc -L; done | sort -n | tail -1)" -le 120 ]; then
  echo "ok: port 445 in Japanese fits 120 columns, wide characters counted twice"
else
  echo "FAIL: port 445 in Japanese is wider than 120 columns"; head -5 "$tmp/tty"; fail=1
fi
"$bin" --lang en port 445 >"$tmp/pipe"
if [ "$(widest "$tmp/pipe")" -gt 120 ] && [ "$(grep -c '^tcp' "$tmp/pipe")" = "$(($(wc -l <"$tmp/pipe") - 1))" ]; then
  echo "ok: in a pipe every row is one whole line"
else
  echo "FAIL: port 445 in a pipe was wrapped"; head -5 "$tmp/pipe"; fail=1
fi
expect 0 "port 389/udp found" -- "$bin" port 389/udp --json
contains out '"via_dynamic_range"' "port --json has results"
expect 0 "port 3389: the exact match first, wide ranges collapsed" -- "$bin" --lang en port 3389/tcp
contains out "services whose wide ranges include 3389/tcp — --all lists them" "the collapse line"
if grep -q "isa-tmg" "$tmp/out"; then echo "FAIL: ISA/TMG's 1025-65535 listed without --all"; fail=1; else echo "ok: wide ranges hidden"; fi
head -2 "$tmp/out" | tail -1 | grep -q "\[rds\]" && echo "ok: rds is the first row" || { echo "FAIL: rds not first"; cat "$tmp/out"; fail=1; }
expect 0 "port 3389 --all" -- "$bin" --lang en port 3389/tcp --all
contains out "isa-tmg" "--all lists the wide ranges"
if grep -q "wide ranges include" "$tmp/out"; then echo "FAIL: --all still collapses"; fail=1; else echo "ok: no collapse line with --all"; fi
expect 0 "port 1688 is KMS, from another Microsoft document" -- "$bin" --lang en port 1688
contains out "kms]" "KMS answers 1688"
contains out "doc: \"Key Management Services (KMS) activation planning\"" "its source names the document"
expect 0 "port 3000 --json keeps every match with its rank" -- "$bin" port 3000/tcp --json
contains out '"kind": "dynamic-range"' "a dynamic-range match says so"
contains out '"origin": "kb"' "every row says its origin"
expect 0 "role rodc" -- "$bin" --lang en role rodc
expect 0 "service sccm" -- "$bin" --lang en service sccm
contains out "[configmgr]" "sccm is Configuration Manager"
expect 1 "port 1000/udp not in the KB" -- "$bin" port 1000/udp
expect 2 "bad port is a usage error" -- "$bin" port 70000
expect 2 "a negative port is a usage error" -- "$bin" port -1
contains err "'-1' is not a port number" "the message says it is not a port number"
expect 2 "a negative port under --lang ja" -- "$bin" --lang ja port -1
contains err "'-1' はポート番号 (0-65535) ではありません" "the same message in Japanese"
expect 2 "an unreadable site file" -- "$bin" plan "$tmp/no-such-site.yaml" --format json
contains err "no-such-site.yaml: cannot read: No such file or directory" "the system's reason is given"
expect 2 "an unreadable site file under --lang ja" -- "$bin" --lang ja plan "$tmp/no-such-site.yaml" --format json
contains err "no-such-site.yaml: 読めません: No such file or directory" "the system's reason inside the Japanese message"
expect 2 "a directory as site file" -- "$bin" plan "$tmp" --format json
contains err "cannot read: Is a directory" "a directory says so"
expect 0 "seed typo port (57222 is a real port, in the dynamic range)" -- "$bin" port 57222
contains err "is 5722 with a footnote mark" "hint for the KB's 57222"
expect 0 "service by Japanese name" -- "$bin" service "ライセンス ログ サービス" --lang en
contains out "License Logging Service" "English output"
expect 1 "unknown service" -- "$bin" service netlogn
contains err "did you mean: netlogon" "suggestion"
expect 0 "lang option before the command" -- "$bin" --lang ja service kdc
contains out "Kerberos キー配布センター" "Japanese output"
expect 0 "list roles" -- "$bin" list --roles
expect 0 "role" -- "$bin" role domain-controller
expect 1 "unknown role" -- "$bin" role domain-controler
contains err "domain-controller" "role suggestion"
expect 0 "discrepancies" -- "$bin" catalog discrepancies --kind name-differs
contains out "active-directory" "UDP 389 naming disagreement listed"
expect 2 "unknown command" -- "$bin" frobnicate

expect 0 "export json to file" -- "$bin" export --format json -o "$tmp/catalog.json"
python3 -c "import json,sys; d=json.load(open('$tmp/catalog.json')); sys.exit(0 if len(d['services'])>=70 else 1)" \
  && echo "ok: exported JSON parses" || { echo "FAIL: exported JSON"; fail=1; }
expect 0 "export csv" -- "$bin" export --format csv

# explain: names are checked, addresses and role: placed, and a NOT ALLOWED always says why.
branch="$(dirname "$0")/../../examples/branch-office.yaml"
expect 2 "explain refuses an unknown zone" -- "$bin" explain "$branch" --from nosuchzone --to dc1 --port 445
contains err "--from: no zone, host or role named 'nosuchzone'" "the flag and the name are given"
expect 2 "explain suggests for a host typo" -- "$bin" explain "$branch" --from clients --to dc3 --port 445
contains err "did you mean 'dc1'?" "explain suggests the closest host"
expect 2 "explain refuses an address in no zone" -- "$bin" explain "$branch" --from 198.18.99.1 --to fs1 --port 445
contains err "198.18.99.1 is in no zone of the site" "an address outside the zones is an error"
expect 0 "explain places an address and takes role:" -- "$bin" explain "$branch" --from 198.18.10.5 --to role:domain-controller --port 88/udp
contains out "ALLOWED clients -> dc1,dc2 udp" "the client address is placed in its zone"
expect 1 "explain: no access entry" -- "$bin" explain "$branch" --from dc1 --to fs1 --port 445
contains out "no access entry from dc1 to fs1 grants anything" "NOT ALLOWED says there is no access entry"
expect 1 "explain: a port the entries do not use" -- "$bin" explain "$branch" --from clients --to dc1 --port 8080
contains out "none of these uses 8080" "NOT ALLOWED says what the entries grant instead"
expect 1 "explain: a condition left it out" -- "$bin" explain "$branch" --from clients --to fs1 --port 139/tcp
contains out "left out: NetBIOS over TCP/IP is off" "NOT ALLOWED names the condition"
[ "$(grep -c '^  Server \[server\]: NetBIOS Session' "$tmp/out")" = 1 ] && echo "ok: each reason once" || { echo "FAIL: repeated reasons"; cat "$tmp/out"; fail=1; }
# verify stands where this machine is: in a network namespace of its own (only loopback: no address
# of the site, no route anywhere) it refuses --from clients and --from auto before probing.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  expect 2 "verify from a machine outside the --from zone is refused" -- unshare -n "$bin" verify "$branch" --from clients
  contains err "is in zone clients: from here the probes would not cross that zone's path" "the refusal says why and names --anywhere"
  contains err "add --anywhere" "the refusal names the way out"
  expect 2 "verify --from auto on a machine in no zone of the site" -- unshare -n "$bin" verify "$branch" --from auto
  contains err "none of this machine's addresses (-) is in a zone of the site: clients 198.18.10.0/24" "it names the zones' networks"
else
  echo "skip: verify's vantage checks need root for a network namespace of their own"
fi
sed 's/roles: \[exchange-2016\]/roles: [exchange]/' "$(dirname "$0")/../../examples/modern-company.yaml" >"$tmp/exchange2003.yaml"
expect 2 "plan: a role whose product does not run on the host's Windows" -- "$bin" plan "$tmp/exchange2003.yaml" --format json -o "$tmp/never.json"
contains err "hosts.mbx1.roles[0]: role 'exchange' (Exchange 2000 Server / Exchange Server 2003) does not run on Windows Server 2022; there, use role 'exchange-2016' (Exchange Server 2019 runs on Windows Server 2022)" "the error names the role that fits and the product that runs there"
[ ! -e "$tmp/never.json" ] && echo "ok: nothing written on the error" || { echo "FAIL: output written despite the error"; fail=1; }
expect 1 "explain: a zone whose hosts get different answers" -- "$bin" explain "$(dirname "$0")/../../examples/modern-company.yaml" --from branch --to dc1 --port 3268/tcp
contains out "ALLOWED FOR SOME zone branch -> dc1 3268/tcp: allowed rodc1; not allowed the other addresses of zone branch" "explain names the allowed and the refused parts of a zone"
expect 0 "explain: branch clients reach the writable DCs for DNS updates through rodc-branch-writes" -- "$bin" explain "$(dirname "$0")/../../examples/modern-company.yaml" --from branch --to dc1 --port 53/udp
contains out "[rodc-writable-dc]: DNS dynamic update" "the DNS update row of the RODC profile is named"

# -o never replaces what it writes through (as root, renaming over /dev/null broke daemons).
examples=$(dirname "$0")/../../examples
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo" &
reader=$!
expect 0 "plan -o FIFO" -- "$bin" plan "$examples/branch-office.yaml" --format json -o "$tmp/fifo"
wait $reader
[ -p "$tmp/fifo" ] && echo "ok: the FIFO is still a FIFO" || { echo "FAIL: -o replaced the FIFO"; fail=1; }
contains from-fifo '"flows"' "the plan went through the FIFO"
echo old >"$tmp/target.json"
ln -s target.json "$tmp/link.json"
expect 0 "export -o SYMLINK" -- "$bin" export --format json -o "$tmp/link.json"
[ -L "$tmp/link.json" ] && echo "ok: the symlink is still a symlink" || { echo "FAIL: -o replaced the symlink"; fail=1; }
contains target.json '"services"' "the symlink's target holds the export"
expect 0 "plan -o /dev/stdout" -- "$bin" plan "$examples/branch-office.yaml" --format csv -o /dev/stdout
contains out "dc1" "-o /dev/stdout writes to standard output"
expect 2 "-o a directory" -- "$bin" export --format json -o "$tmp"
contains err "Is a directory" "the reason is the system's"

# A bad user catalog: exit 2, file:line: field in the message, and no output file written.
mkdir -p "$tmp/user/services"
cat >"$tmp/user/services/bad.yaml" <<'YAML'
id: bad
names: {ja: "悪い", en: "Bad"}
description: {ja: "x", en: "x"}
requirements:
  - protocol: {ja: "x", en: "x"}
    transport: tcp
    ports: [99999]
    sources: [{table: text, quote: "x"}]
YAML
expect 2 "bad user catalog" -- "$bin" --catalog "$tmp/user" export --format json -o "$tmp/never.json"
contains err "bad.yaml:7:" "error names file and line"
contains err "requirements[0].ports[0]" "error names the field"
if [ -e "$tmp/never.json" ]; then echo "FAIL: output written despite error"; fail=1; else echo "ok: no output file"; fi
expect 2 "catalog check finds the error" -- "$bin" catalog check "$tmp/user"
expect 2 "a user catalog's error under --lang ja" -- "$bin" --lang ja catalog check "$tmp/user"
contains err "requirements[0].ports[0]: ポート (0-65535) でも lo <= hi の範囲 lo-hi でもありません" "a catalog file's error in Japanese"

# A good user catalog adds a service that lookups find.
sed -i 's/99999/7777/' "$tmp/user/services/bad.yaml"
expect 0 "user catalog port lookup" -- "$bin" --catalog "$tmp/user" port 7777
contains out "[bad]" "user service found by port"

# analyze: the recorded domain join, logs written here, a site to hold them against.
capture=$(dirname "$0")/../data/analyze/samba-join.pcap
expect 0 "analyze a capture" -- "$bin" analyze "$capture"
contains out "drsuapi (bind)" "the DC's dynamic port named drsuapi"
printf 'hello\n' >"$tmp/notes.txt"
expect 2 "analyze refuses what is no capture or log" -- "$bin" analyze "$tmp/notes.txt"
contains err "notes.txt: INPUT: not a pcap" "the error names the file"
expect 2 "analyze of a missing file" -- "$bin" analyze "$tmp/missing.pcap"
expect 2 "--learn needs --env" -- "$bin" analyze "$capture" --learn
cat >"$tmp/site.yaml" <<'SITE'
site: lab
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24] }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, os: windows-server-2022, roles: [domain-controller] }
SITE
cp "$tmp/site.yaml" "$tmp/dns-only.yaml"
printf 'access:\n  - { from: clients, to: dc1, services: [dns-server] }\n' >>"$tmp/dns-only.yaml"
expect 1 "analyze --env: the join breaks under a DNS-only plan" -- "$bin" analyze "$capture" --env "$tmp/dns-only.yaml"
contains out "NOT ALLOWED" "flows the plan would break are marked"
contains err "7 not allowed by the plan" "and counted (Kerberos, LDAP, CLDAP, RPC, SMB, DRSUAPI)"
expect 1 "analyze --lang ja: the table in Japanese" -- "$bin" --lang ja analyze "$capture" --env "$tmp/dns-only.yaml"
contains out "計画" "the PLAN column's heading"
contains out "不許可" "a flow the plan would break"
expect 0 "analyze --learn drafts an access list" -- "$bin" analyze "$capture" --env "$tmp/dns-only.yaml" --learn
cp "$tmp/site.yaml" "$tmp/learned.yaml"
grep -v '^#' "$tmp/out" >>"$tmp/learned.yaml"
expect 0 "the learned access list allows everything observed (--site)" -- "$bin" analyze "$capture" --site "$tmp/learned.yaml"
contains err "0 not allowed by the plan" "nothing would break"
printf '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n1700000000.5\tC1\t198.18.10.5\t50000\t198.18.20.10\t3389\ttcp\n' >"$tmp/conn.log"
expect 1 "a Zeek log's RDP connection is not in the learned plan" -- "$bin" analyze "$tmp/conn.log" --env "$tmp/learned.yaml" --json
contains out '"allowed": false' "marked in JSON"
printf '#Version: 1.5\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size path\n2024-01-15 10:22:01 DROP TCP 198.18.10.5 198.18.20.10 51234 445 52 RECEIVE\n' >"$tmp/pfirewall.log"
expect 0 "a firewall log's dropped SMB packet is in the learned plan" -- "$bin" analyze "$tmp/pfirewall.log" --env "$tmp/learned.yaml" --json
contains out '"dropped": 1' "counted as dropped"

# --lang ja: warnings, errors (as text and as JSON) and reasons come from the message table in Japanese.
# The lookup site above with dc1's OS left out: the planner opens both dynamic ranges and says so.
sed 's/os: windows-server-2022, //' "$tmp/site.yaml" >"$tmp/ja.yaml"
printf 'access:\n  - { from: clients, to: dc1, as: domain-member }\n' >>"$tmp/ja.yaml"
expect 0 "plan --lang ja" -- "$bin" --lang ja plan "$tmp/ja.yaml" --format md
contains err "winports: 警告: dc1 の OS が不明です: 両方の RPC の動的ポートの範囲を開きました (os: を設定してください)" "a plan's warning in Japanese"
contains out "- dc1 の OS が不明" "the Markdown's warnings in Japanese"
contains out "NetBIOS over TCP/IP: settings.netbios を設定" "why a row was left out, in Japanese"
expect 0 "plan --lang en" -- "$bin" --lang en plan "$tmp/ja.yaml" --format md
contains err "winports: warning: OS unknown for dc1: both dynamic RPC ranges opened (set os:)" "the same warning in English"
sed 's/zone: servers/zone: server/' "$tmp/ja.yaml" >"$tmp/ja-bad.yaml"
expect 2 "a site file's error under --lang ja" -- "$bin" --lang ja plan "$tmp/ja-bad.yaml"
contains err "winports: エラー: $tmp/ja-bad.yaml:6:" "the error keeps its file and line"
contains err "hosts.dc1.zone: 不明なゾーン 'server' ('servers' のことですか?)" "its message and suggestion in Japanese"
expect 2 "the same error as JSON under --lang ja" -- "$bin" audit "$tmp/ja-bad.yaml" "$(dirname "$0")/../../examples/audit/branch-router.rules" --lang ja --json
contains err '"message": "不明なゾーン '"'"'server'"'"' ('"'"'servers'"'"' のことですか?)"' "the JSON error's message in Japanese"
expect 2 "the same error in English" -- "$bin" --lang en plan "$tmp/ja-bad.yaml"
contains err "hosts.dc1.zone: unknown zone 'server' (did you mean 'servers'?)" "and in English"
printf 'site: x\nzones: [a]\n' >"$tmp/ja-shape.yaml"
expect 2 "a shape error under --lang ja" -- "$bin" --lang ja plan "$tmp/ja-shape.yaml"
contains err "zones: ゾーン名から {networks, os} へのマッピングが必要" "the shared YAML checks speak Japanese too"
expect 1 "explain --lang ja: the condition that left a port out" -- "$bin" --lang ja explain "$branch" --from clients --to fs1 --port 139/tcp
contains out "除外: NetBIOS over TCP/IP は無効 (settings.netbios: false)" "in Japanese"
# CLI11's parse errors, said again from the message table, with the option as the field.
expect 2 "a value outside a fixed set under --lang ja" -- "$bin" --lang ja plan "$tmp/ja.yaml" --format nftable
contains err "winports: エラー: --format: 'nftable' は {nftables," "CLI11's set error in Japanese"
contains err "('nftables' のことですか?)" "with the closest member"
contains err "詳しくは --help を参照。" "and where to read more"
expect 2 "a value outside a fixed set in English" -- "$bin" --lang en plan "$tmp/ja.yaml" --format nftable
contains err "winports: error: --format: 'nftable' is not one of {nftables," "the same in English"
expect 2 "an unknown command" -- "$bin" --lang en plann "$tmp/ja.yaml"
contains err "winports: error: no command 'plann' (did you mean 'plan'?)" "says so, with the closest command"
expect 2 "an unknown command as JSON under --lang ja" -- "$bin" --lang ja --json plann
contains err '"message": "コマンド '"'"'plann'"'"' はありません ('"'"'plan'"'"' のことですか?)"' "the JSON error in Japanese"
expect 2 "a value out of range under --lang ja" -- "$bin" --lang ja check --timeout 0 localhost
contains err "--timeout: '0' は 1 から 600000 の範囲にありません" "the range error in Japanese"
expect 2 "an unexpected argument under --lang ja" -- "$bin" --lang ja port 445 --bogus
contains err "想定していない引数: --bogus" "in Japanese"
expect 2 "a missing required argument under --lang ja" -- "$bin" --lang ja plan
contains err "FILE: 必須" "in Japanese"
# --help: the commands' and options' descriptions and CLI11's own words from the message table.
expect 0 "--help --lang ja" -- "$bin" --lang ja plan --help
contains out "使用法: winports plan [オプション] FILE" "CLI11's words in Japanese"
contains out "サイトに必要なフローを計算し、ファイアウォールの規則を出力" "the command's description in Japanese"
contains out "  -h,--help                   このヘルプを表示して終了" "the help flag, in the options' group"
if grep -q "^Options:" "$tmp/out"; then echo "FAIL: an English group heading under --lang ja"; fail=1; else echo "ok: no English group heading"; fi
expect 0 "--help --lang en" -- "$bin" --lang en plan --help
contains out "Usage: winports plan [OPTIONS] FILE" "CLI11's words in English"
contains out "Compute the flows a site needs and emit firewall rules" "the command's description in English"
# What a port means, where no row prints it, and where no zone holds an address.
printf '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n1700000000.5\tC1\t198.18.10.5\t50000\t198.18.20.10\t1000\tudp\n1700000000.5\tC2\t198.18.10.5\t50001\t203.0.113.10\t50000\ttcp\n' >"$tmp/ja-conn.log"
expect 1 "analyze --lang ja: meanings and the outside" -- "$bin" --lang ja analyze "$tmp/ja-conn.log" --site "$branch"
contains out "(カタログにありません)" "a port in no row"
contains out "(RPC の動的ポートの範囲: Vista/2008 以降の範囲)" "a port of the dynamic range"
contains out "clients -> (サイト外)" "an address in no zone"
expect 1 "analyze --lang en: the same in English" -- "$bin" --lang en analyze "$tmp/ja-conn.log" --site "$branch"
contains out "(not in the catalog)" "a port in no row, in English"
contains out "clients -> (outside)" "the outside, in English"
printf '#Version: 1.5\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size path\n2024-01-15 10:22:01 DROP TCP 198.18.10.5\n' >"$tmp/ja-pfirewall.log"
expect 1 "analyze --lang ja: a skip reason" -- "$bin" --lang ja analyze "$tmp/ja-pfirewall.log"
contains err "pfirewall: フィールドが 5 個の行 (#Fields は 10 個)" "the readers' skip reasons in Japanese"
expect 0 "analyze --learn --lang ja: the draft's comments" -- "$bin" --lang ja analyze "$capture" --env "$tmp/dns-only.yaml" --learn
contains out "# winports analyze --learn が観測から起こした下書き" "the draft's header in Japanese"
contains out "  # 観測:" "its observed ports in Japanese"
expect 0 "catalog check --lang ja" -- "$bin" --lang ja catalog check "$(dirname "$0")/../../data"
contains out "ok: サービス " "the count in Japanese"
expect 2 "check --service with a typo under --lang ja" -- "$bin" --lang ja check localhost --service netlogn
contains err "--service: サービス 'netlogn' はありません ('netlogon' のことですか?)" "in Japanese with a suggestion"
expect 2 "discover of no domain name under --lang ja" -- "$bin" --lang ja discover "a b"
contains err "'a b' は DNS ドメイン名ではありません" "in Japanese"


# audit: the plan's own output against its plan, a kernel's dump, an edited ruleset, bad input.
audit_data="$(dirname "$0")/../data/audit"
"$bin" plan "$branch" --format nftables -o "$tmp/bo.nft" 2>/dev/null
expect 0 "audit: the plan's own nftables file allows exactly the plan" -- "$bin" audit "$branch" "$tmp/bo.nft"
contains err "0 blocked" "the summary says nothing is blocked"
expect 0 "audit --lang ja" -- "$bin" --lang ja audit "$branch" "$tmp/bo.nft"
contains err "ブロック 0、応答の破棄 0、計画外 0" "the audit's summary in Japanese"
expect 0 "analyze --lang ja" -- "$bin" --lang ja analyze "$capture" --site "$tmp/learned.yaml"
contains err "計画で許可されないもの 0" "the analysis summary in Japanese"
expect 0 "powershell --lang ja for a site with hosts too old for NetSecurity" -- \
  "$bin" --lang ja plan "$(dirname "$0")/../../examples/mixed-domain.yaml" --format powershell
contains err "winports: 警告: powershell: dc-old (Windows Server 2003) の規則なし" "an emitter's refusal in Japanese"
expect 0 "audit: a kernel's nft -j dump, detected by content" -- "$bin" audit "$branch" "$audit_data/branch-office.nft.json" --json
contains out '"clean": true' "audit --json says clean"
sed 's/tcp dport { 53, 88, 135, 389, 445, 464, /tcp dport { 53, 88, 135, 389, 445, /' "$tmp/bo.nft" >"$tmp/bo-edited.nft"
expect 1 "audit: a port taken out is a finding" -- "$bin" audit "$branch" "$tmp/bo-edited.nft"
contains out "BLOCKED  tcp 464" "the blocked port is named"
contains out "kdc" "with the service it breaks"
expect 2 "audit: an empty ruleset needs --format" -- "$bin" audit "$branch" "$audit_data/branch-office.ip6tables-save"
contains err "give --format" "the message says how"
expect 0 "audit: iptables-save with an empty ip6tables-save as --format iptables-save" -- "$bin" audit "$branch" \
  "$audit_data/branch-office.iptables-save" "$audit_data/branch-office.ip6tables-save" --format iptables-save
printf '*filter\n:FORWARD DROP [0:0]\n-A FORWARD -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n' >"$tmp/bad.rules"
expect 2 "audit: a bad port in iptables-save" -- "$bin" audit "$branch" "$tmp/bad.rules"
contains err "bad.rules:3" "the error names file and line"
expect 2 "audit: a missing ruleset file" -- "$bin" audit "$branch" "$tmp/none.rules"
contains err "No such file or directory" "with the system's reason"
expect 2 "audit: an unknown --host" -- "$bin" audit "$branch" "$tmp/bo.nft" --host nosuch
expect 2 "audit: nft text forced on an iptables dump" -- "$bin" audit "$branch" "$audit_data/branch-office.iptables-save" --format nft
# apply: what it needs, and --confirm with nothing waiting (the live cases are tests/netns/apply_test.sh).
expect 2 "apply without a site" -- "$bin" apply --confirm-within 30
contains err "apply needs a site file and --confirm-within SECONDS, or --confirm" "apply says what it needs"
expect 2 "apply --confirm with nothing waiting" -- env WINPORTS_RUN_DIR="$tmp/run" "$bin" apply --confirm
contains err "no apply waits for confirmation" "and says so"
expect 2 "apply --format iptables (a restore file, not a script) is not taken" -- "$bin" apply "$branch" --confirm-within 30 --format iptables
# The ASA: a running-config read by content; the plan's entries put into the lists it already has.
dmz="$(dirname "$0")/../../examples/dmz.yaml"
expect 1 "audit: an ASA running-config, detected by content" -- "$bin" audit "$dmz" "$audit_data/edge.asa"
contains out "BLOCKED" "the lists bound today block the DMZ's planned flows"
contains out "NAT at line 32" "NAT is said where it could change the answer"
expect 2 "audit: an ASA is no host firewall" -- "$bin" audit "$dmz" "$audit_data/edge.asa" --host dc1
expect 0 "plan --format asa --running-config" -- "$bin" plan "$dmz" --format asa --running-config "$audit_data/edge.asa" \
  --replace-acl outside=none -o "$tmp/dmz-into.asa"
contains dmz-into.asa "access-list INSIDE_IN line 1 remark wp-dmz-web-mail: " "the site's entries go first in the list in use"
contains dmz-into.asa "WARNING: outside had no access list" "binding a list where there was none is said"
if grep -q "^access-group INSIDE_IN\|^clear configure" "$tmp/dmz-into.asa"; then
  echo "FAIL: the list in use is rebound or cleared"; fail=1
else echo "ok: the list in use is neither rebound nor cleared"; fi
expect 0 "plan --format asa --running-config: an interface with no list is left to the user" -- \
  "$bin" plan "$dmz" --format asa --running-config "$audit_data/edge.asa"
contains err "interface outside has no access list bound" "and the warning says how to bind one"
printf 'access-list A extended permit tcp any host 198.18.1.300 eq 80\n' >"$tmp/bad.asa"
expect 2 "plan --format asa: a bad running-config" -- "$bin" plan "$dmz" --format asa --running-config "$tmp/bad.asa"
contains err "bad.asa:1" "the error names file and line"

expect 1 "audit --lang ja: the findings' words in Japanese" -- "$bin" --lang ja audit "$branch" "$examples/audit/branch-router.rules"
contains out "  ブロック tcp 49152-65535 — 影響を受けるサービス: print-spooler" "a blocked port"
contains out "先行する規則に隠れた規則  " "a rule that never matches"
contains out "clients -> servers (dc1,dc2,fs1 を除く)" "a zone but some hosts, in Japanese"
contains out "計画外   $examples/audit/branch-router.rules:19: -A FORWARD -s 198.18.20.10/32 -d 198.18.20.11/32 -j ACCEPT" "an opening by the rule that causes it"
contains out "  any — 計画が開かないすべてのプロトコルとポート: dc1 -> dc2" "an all-protocol opening, with its zone pair"
expect 0 "audit --lang ja: an iptables dump's notes" -- "$bin" --lang ja audit "$branch" "$audit_data/branch-office.iptables-save" \
  "$audit_data/branch-office.ip6tables-save" --format iptables-save
contains err "転送 (ルーター)" "the path in Japanese"
contains out "branch-office.ip6tables-save: テーブルがありません" "a reader's note in Japanese, its file kept"
expect 0 "audit --json keeps the notes' English" -- "$bin" --lang ja audit "$branch" "$audit_data/branch-office.iptables-save" \
  "$audit_data/branch-office.ip6tables-save" --format iptables-save --json
contains out "holds no table: it speaks for no address family" "the JSON's assumptions in English"
contains out '"path": "forward (router)"' "and its path"
expect 2 "audit --lang ja: a reader's error" -- "$bin" --lang ja audit "$branch" "$tmp/bad.rules"
contains err "bad.rules:3: --dport: '99999' はポート、範囲、それらのリストのどれかではありません" "in Japanese, with file, line and option"
expect 2 "audit --lang ja: an unknown --host" -- "$bin" --lang ja audit "$branch" "$tmp/bo.nft" --host nosuch
contains err "サイトにホスト 'nosuch' はありません" "in Japanese"
expect 1 "audit: the example router ruleset has findings" -- "$bin" audit "$branch" "$examples/audit/branch-router.rules" --json
python3 - "$tmp/out" <<'PY' && echo "ok: the example's findings: the dynamic range blocked three ways, 3389 and SMB extra, one shadowed rule" || { echo "FAIL: example findings"; fail=1; }
import json, sys
a = json.load(open(sys.argv[1]))["payload"]
blocked = {(b["from"], b["to"], b["transport"], tuple(map(tuple, b["ports"]))) for b in a["blocked"]}
assert blocked == {("clients", "fs1", "tcp", ((49152, 65535),)), ("clients", "dc1,dc2", "tcp", ((49152, 65535),)),
                   ("fs1", "dc1,dc2", "tcp", ((49152, 65535),))}, blocked
extra = {(e["from"], e["to"], e["transport"]) for e in a["extra"]}
assert ("clients", "servers", "tcp") in extra and ("clients", "servers except dc1,dc2,fs1", "tcp") in extra, extra
assert ("dc1", "dc2", "any") in extra and ("dc2", "dc1", "any") in extra, extra
assert len(a["shadowed"]) == 1 and a["shadowed"][0]["line"] == 18, a["shadowed"]
assert "netlogon" in next(b for b in a["blocked"] if b["to"] == "dc1,dc2")["services"]
PY

expect 0 "audit: dc1's Windows Firewall (reg export, UTF-16LE) allows exactly its part of the plan" -- \
  "$bin" audit "$branch" "$audit_data/dc1.reg" --host dc1
contains err "0 blocked" "nothing blocked on dc1"
expect 1 "audit: the same export with the public profile active blocks SMB" -- \
  "$bin" audit "$branch" "$audit_data/dc1.reg" --host dc1 --profile public
contains out "BLOCKED  tcp 445" "the public profile's Block rule wins"
expect 0 "audit: the same firewall as the collector's JSON" -- "$bin" audit "$branch" "$audit_data/dc1.windows.json" --host dc1
expect 2 "audit: a Windows export without --host" -- "$bin" audit "$branch" "$audit_data/dc1.reg"
contains err "--host" "the message asks for the host"
expect 0 "audit --collector prints the PowerShell collector" -- "$bin" audit --collector
contains out "Get-NetFirewallRule -PolicyStore ActiveStore" "the collector reads the effective rules"

# check's --role and --service suggest what was meant (#18).
expect 2 "check --role dc" -- "$bin" check 127.0.0.1 --role dc
contains err "did you mean 'domain-controller'?" "--role suggests by initials"
expect 2 "check --service netlgon" -- "$bin" check 127.0.0.1 --service netlgon
contains err "did you mean 'netlogon'?" "--service suggests by spelling"

expect 1 "check localhost: a closed port on loopback" -- "$bin" check localhost --ports 1
contains out "localhost (127.0.0.1)" "check keeps the name given beside the address"

# A site file's every bad entry in one run (#18).
printf 'site: t\nzones:\n  c: { networks: [198.18.10.0/24], os: windows-2022 }\n  s: { networks: [198.18.20.0/24] }\nhosts:\n  dc1: { address: 198.18.20.10, zone: s, roles: [dc] }\naccess:\n  - { from: s, to: s, as: domain-membr }\n' >"$tmp/errors.yaml"
expect 2 "three bad entries" -- "$bin" plan "$tmp/errors.yaml" --format json
contains err "errors.yaml:3:40: zones.c.os: unknown OS 'windows-2022' (did you mean 'windows-server-2022'?)" "the OS"
contains err "errors.yaml:6:50: hosts.dc1.roles[0]: unknown role 'dc' (did you mean 'domain-controller'?)" "the role"
contains err "errors.yaml:8:27: access[0].as: unknown profile 'domain-membr'" "and the profile, in one run"

# What a site file may name, listed (#18).
expect 0 "list --profiles" -- "$bin" list --profiles
contains out "domain-member" "profiles listed"
expect 0 "list --os" -- "$bin" list --os
contains out "windows-server-2022" "OS versions listed with aliases"
contains out "49152-65535" "and their dynamic RPC range"
# A value shown to a person is a word of the run's language; the JSON keeps the data's (#35).
expect 0 "list --os in Japanese" -- "$bin" --lang ja list --os
contains out "クライアントとサーバー" "an OS for both kinds, in words"
expect 0 "list --os --json" -- "$bin" list --os --json
contains out '"kind": "both"' "the JSON keeps the stable value"
expect 0 "port 445/tcp in Japanese" -- "$bin" --lang ja port 445/tcp
contains out "方向: 双方向" "a requirement's direction, in words"
expect 0 "discrepancies in Japanese" -- "$bin" --lang ja catalog discrepancies --kind stated
contains out "本文の記述 [stated]" "a discrepancy's kind in words, its --kind value beside them"
expect 0 "list --features --json" -- "$bin" list --features --json
contains out '"features"' "features as JSON"
contains out '"netbios"' "netbios is a feature"
expect 0 "list --scenarios" -- "$bin" list --scenarios
contains out "l2tp-ipsec-encapsulated" "scenarios listed"
printf 'site: t\nzones:\n  c: { networks: [198.18.10.0/24], os: windows-11 }\n  s: { networks: [198.18.20.0/24], os: windows-server-2022 }\nhosts:\n  dc1: { address: 198.18.20.10, zone: s, roles: [domain-controller] }\naccess:\n  - { from: c, to: dc1 }\n' >"$tmp/bare.yaml"
expect 2 "an access entry with neither as: nor services: is an error" -- "$bin" plan "$tmp/bare.yaml" --format json
contains err "bare.yaml:8:5" "with file, line and column"
contains err "profiles that fit dc1: domain-member" "naming the profiles that fit"

# The report libraries are loaded only when a report is written: a lookup must not pay for them.
expect 0 "dynamic section readable" -- readelf -d "$bin"
for lib in libgvc libcgraph libxlsxwriter libcrypto; do
  if grep -q "NEEDED.*\[$lib\." "$tmp/out"; then echo "FAIL: $bin links $lib at start-up"; fail=1; else echo "ok: $lib loaded on demand only"; fi
done

# First-day items (#33): --json before the command, search by word and keyword, every row's services
# said, and each independent mistake of a site file reported.
expect 0 "--json before the command" -- "$bin" --json service kdc
contains out '"kind": "service"' "the envelope of the service lookup"
expect 0 "--json and --lang before the command" -- "$bin" --json --lang ja port 88
contains out '"kind": "port"' "the envelope of the port lookup"
expect 2 "--json before a command without JSON is still refused" -- "$bin" --json plan /dev/null
for q in kpasswd "password change"; do
  expect 0 "search $q" -- "$bin" --lang en search "$q"
  contains out "kdc" "search $q finds the KDC"
done
for q in CRL autoenrollment; do
  expect 0 "search $q" -- "$bin" --lang en search "$q"
  contains out "certificate-services" "search $q finds Certificate Services"
done
expect 0 "search LAPS" -- "$bin" --lang en search LAPS
contains out "active-directory" "LAPS is AD's"
if grep -q "olap-services" "$tmp/out"; then echo "FAIL: LAPS matched inside olap-services"; fail=1; else echo "ok: LAPS is a word, not a substring"; fi
expect 0 "analyze: every row says its services" -- "$bin" --lang en analyze "$capture"
if awk 'NR > 1 && /^ / { bad = 1 } END { exit bad }' "$tmp/out"; then echo "ok: no blank SERVICES cell"
else echo "FAIL: a row with a blank SERVICES cell"; cat "$tmp/out"; fail=1; fi
# Japanese (#35): katakana names find their service, CSV opens in Japanese Excel, netsh puts the
# console's code page back.
expect 0 "search ケルベロス" -- "$bin" --lang ja search ケルベロス
contains out "kdc" "ケルベロス is the KDC"
expect 0 "service DC ロケーター" -- "$bin" --lang ja service "DC ロケーター"
contains out "[netlogon]" "the DC locator is Net Logon's"
site=$(dirname "$0")/../../examples/branch-office.yaml
for lang in ja en; do
  "$bin" --lang "$lang" plan "$site" --format csv -o "$tmp/plan.$lang.csv" 2>/dev/null
  "$bin" --lang "$lang" export --format csv -o "$tmp/export.$lang.csv" 2>/dev/null
done
for f in plan export; do
  [ "$(head -c 3 "$tmp/$f.ja.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] && echo "ok: $f --lang ja CSV starts with a UTF-8 BOM" ||
    { echo "FAIL: $f --lang ja CSV has no BOM"; fail=1; }
  [ "$(head -c 3 "$tmp/$f.en.csv" | od -An -tx1 | tr -d ' ')" != efbbbf ] && echo "ok: $f --lang en CSV has none" ||
    { echo "FAIL: $f --lang en CSV has a BOM"; fail=1; }
done
"$bin" plan "$site" --format netsh -o "$tmp/plan.cmd"
exits=$(grep -c '^exit /b' "$tmp/plan.cmd"); restores=$(grep -B1 '^exit /b' "$tmp/plan.cmd" | grep -c '^chcp %WP_CODEPAGE% >nul')
[ "$exits" -gt 0 ] && [ "$exits" = "$restores" ] && echo "ok: netsh restores the code page at each of its $exits exits" ||
  { echo "FAIL: netsh: $exits exits, $restores code page restores"; fail=1; }
[ "$(grep -n "in ('chcp')" "$tmp/plan.cmd" | cut -d: -f1)" -lt "$(grep -n '^chcp 65001' "$tmp/plan.cmd" | cut -d: -f1)" ] &&
  echo "ok: netsh reads the code page before switching it" || { echo "FAIL: code page read after the switch"; fail=1; }
# --help's descriptions start in one column by display width (「必須」 is 6 bytes, 4 columns).
for lang in ja en; do
  "$bin" --lang "$lang" plan --help >"$tmp/help.$lang"
  if python3 - "$tmp/help.$lang" <<'PY'
import re, sys, unicodedata
width = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
starts = set()
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^(  \S.*?\S)(  +)(\S.*)$", line.rstrip("\n"))
    if m: starts.add(width(m.group(1) + m.group(2)))
sys.exit(0 if len(starts) == 1 else 1)
PY
  then echo "ok: --lang $lang --help descriptions aligned by display width"
  else echo "FAIL: --lang $lang --help columns"; cat "$tmp/help.$lang"; fail=1; fi
done
cat >"$tmp/four.yaml" <<'YAML'
site: four
zones:
  clients: { networks: [198.18.10.0/24], os: windows-99 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  pc1: { address: 198.18.10.5, zone: clients, roles: [no-such-role] }
access:
  - { from: clients, to: servers }
  - { from: nowhere, to: servers, as: domain-member }
YAML
expect 2 "a site file with four independent mistakes" -- "$bin" --lang en plan "$tmp/four.yaml"
for field in zones.clients.os "hosts.pc1.roles[0]" "access[0]:" access[1].from; do
  contains err "$field" "the mistake at $field is reported"
done

[ $fail = 0 ] && echo "cli: all passed" || echo "cli: failures"
exit $fail
