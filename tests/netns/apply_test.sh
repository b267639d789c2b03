#!/usr/bin/env bash
# winports apply on a live host that holds other people's rules: an nftables table and an iptables
# chain that are not the site's. Without confirmation the ruleset is exactly what it was after the
# deadline (nft -s list ruleset; iptables-save without comments and counters); confirmed, the plan
# stays; a second apply while one waits is refused; killing the session that started apply (SIGHUP)
# still reverts; and a plan that drops new connections from the confirming client is reverted,
# because the confirmation cannot arrive (its established connection survives by conntrack).
#   client 198.18.10.5 ── veth ── host fw1 198.18.20.1 (the plan is loaded here, --host fw1)
# Only 198.18.0.0/15 addresses; no namespace has a route anywhere else; all torn down on exit.
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
source "$here/lab.sh"
lab_require iptables iptables-save python3 setsid script

id=wpa$$
ns_cli=$id-cli ns_fw=$id-fw
dir=$(mktemp -d /tmp/winports-apply.XXXXXX)
export WINPORTS_RUN_DIR=$dir/run
fail=0
own_ns_up "$dir" "$ns_cli" "$ns_fw" || exit 1
ip link add "$id-c" netns "$ns_cli" type veth peer name "$id-f" netns "$ns_fw" || exit 1
ip -n "$ns_cli" addr add 198.18.10.5/24 dev "$id-c"
ip -n "$ns_fw" addr add 198.18.20.1/24 dev "$id-f"
ip -n "$ns_cli" link set "$id-c" up
ip -n "$ns_fw" link set "$id-f" up
ip -n "$ns_cli" route add 198.18.20.0/24 dev "$id-c"
ip -n "$ns_fw" route add 198.18.10.0/24 dev "$id-f"

# Other people's rules on fw1: a table and an iptables chain with a rule of their own. Their table
# tracks connections (as any stateful firewall there would), so a connection open before the apply
# is known to conntrack when the plan arrives.
in_ns "$ns_fw" nft -f - <<'NFT' || exit 1
table inet theirs {
  counter seen { }
  chain input {
    type filter hook input priority 10; policy accept;
    ct state invalid counter
    tcp dport 9999 counter name seen drop
  }
}
NFT
in_ns "$ns_fw" iptables -N THEIRS && in_ns "$ns_fw" iptables -A THEIRS -p tcp --dport 9998 -j DROP &&
  in_ns "$ns_fw" iptables -A INPUT -j THEIRS || exit 1

cat >"$dir/site.yaml" <<'YAML'
site: apply-lab
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  fw1: { address: 198.18.20.1, zone: servers, roles: [file-server] }
access:
  - { from: servers, to: fw1, as: file-client }
settings: { netbios: false }
YAML

state() {  # what must come back: the nft ruleset without counters, iptables without comments or counters
  in_ns "$ns_fw" nft -s list ruleset
  in_ns "$ns_fw" iptables-save | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
}
state >"$dir/before"
has_table() { in_ns "$ns_fw" nft list tables | grep -q "inet winports_apply_lab"; }
wait_reverted() {  # bounded: the deadline plus the reverter's 0.2 s polling
  local i
  for i in $(seq 100); do has_table || return 0; sleep 0.2; done
  return 1
}
apply() { in_ns "$ns_fw" "$bin" apply "$dir/site.yaml" --host fw1 --confirm-within "$1" </dev/null 2>"$dir/err"; }

# 1. Not confirmed: reverted to exactly what was there.
apply 5 || { cat "$dir/err"; bad "apply loads the plan"; }
has_table && ok "the site's table is loaded" || bad "the site's table is not loaded"
grep -q "reverted at the deadline" "$dir/err" && ok "apply says how to confirm" || bad "apply does not say how to confirm"
# 2. A second apply while one waits is refused.
if apply 5; then bad "a second apply while one waits"; else
  grep -q "waits for confirmation" "$dir/err" && ok "a second apply is refused" || bad "the refusal says why: $(cat "$dir/err")"
fi
sleep 5
wait_reverted && ok "not confirmed: the table is gone after the deadline" || bad "not reverted"
state >"$dir/after"
diff "$dir/before" "$dir/after" >/dev/null && ok "the ruleset is exactly what it was" ||
  { bad "the ruleset differs after the revert"; diff "$dir/before" "$dir/after"; }

# 3. Confirmed from another session: the plan stays past the deadline.
apply 5 || bad "apply (to confirm)"
in_ns "$ns_fw" "$bin" apply --confirm 2>"$dir/err" && ok "--confirm" || { bad "--confirm failed"; cat "$dir/err"; }
sleep 6
has_table && ok "confirmed: the plan stays after the deadline" || bad "confirmed but reverted"
in_ns "$ns_fw" "$bin" apply --confirm 2>"$dir/err" && bad "--confirm with nothing waiting" ||
  ok "--confirm with nothing waiting is an error"
# Back to the start for the next cases: the confirmed table removed by hand.
in_ns "$ns_fw" nft delete table inet winports_apply_lab

# 3b. The iptables script: the site's chains in both families and the jump from INPUT are what it
# replaces; the chain and the INPUT rule that were there stay, and come back exactly.
has_chains() { in_ns "$ns_fw" iptables-save -t filter | grep -q '^:wpin-apply-lab'; }
in_ns "$ns_fw" "$bin" apply "$dir/site.yaml" --host fw1 --format iptables-script --confirm-within 5 </dev/null 2>"$dir/err" ||
  { bad "apply --format iptables-script"; cat "$dir/err"; }
has_chains && ok "iptables: the site's chains are loaded" || bad "iptables: the site's chains are not loaded"
in_ns "$ns_fw" iptables -w -C INPUT -j wpin-apply-lab 2>/dev/null && ok "iptables: and the jump from INPUT" ||
  bad "iptables: no jump from INPUT"
sleep 5
for _ in $(seq 50); do has_chains || break; sleep 0.2; done
has_chains && bad "iptables: not reverted" || ok "iptables: not confirmed, the chains are gone after the deadline"
state >"$dir/after"
diff "$dir/before" "$dir/after" >/dev/null && ok "iptables: the ruleset is exactly what it was" ||
  { bad "iptables: the ruleset differs after the revert"; diff "$dir/before" "$dir/after"; }
in_ns "$ns_fw" "$bin" apply "$dir/site.yaml" --host fw1 --format iptables-script --confirm-within 5 </dev/null 2>/dev/null &&
  in_ns "$ns_fw" "$bin" apply --confirm 2>/dev/null || bad "iptables: apply and confirm"
sleep 6
has_chains && ok "iptables: confirmed, the chains stay" || bad "iptables: confirmed but reverted"
# A changed plan over the confirmed one, not confirmed: the confirmed chains, their rules and the
# jump's position come back exactly.
state >"$dir/confirmed-state"
sed 's/^  - { from: servers, to: fw1, as: file-client }/&\n  - { from: clients, to: fw1, as: file-client }/' "$dir/site.yaml" >"$dir/site2.yaml"
in_ns "$ns_fw" "$bin" apply "$dir/site2.yaml" --host fw1 --format iptables-script --confirm-within 5 </dev/null 2>/dev/null ||
  bad "iptables: apply of a changed plan"
in_ns "$ns_fw" iptables-save -t filter | grep -q -- "-s 198.18.10.0/24" && ok "iptables: the changed plan is loaded" ||
  bad "iptables: the changed plan is not loaded"
sleep 5
for _ in $(seq 50); do in_ns "$ns_fw" iptables-save -t filter | grep -q -- "-s 198.18.10.0/24" || break; sleep 0.2; done
state >"$dir/after"
diff "$dir/confirmed-state" "$dir/after" >/dev/null && ok "iptables: the previous plan's chains and jump are back exactly" ||
  { bad "iptables: the previous plan is not back"; diff "$dir/confirmed-state" "$dir/after"; }
# Back to the start: the confirmed chains and jump removed by hand.
for fam in iptables ip6tables; do
  in_ns "$ns_fw" $fam -w -D INPUT -j wpin-apply-lab 2>/dev/null
  for c in $(in_ns "$ns_fw" $fam-save -t filter | sed -n 's/^:\(wpin-apply-lab[^ ]*\) .*/\1/p'); do in_ns "$ns_fw" $fam -w -F "$c"; done
  for c in $(in_ns "$ns_fw" $fam-save -t filter | sed -n 's/^:\(wpin-apply-lab[^ ]*\) .*/\1/p'); do in_ns "$ns_fw" $fam -w -X "$c"; done
done
state >"$dir/after"
diff "$dir/before" "$dir/after" >/dev/null || { bad "iptables: cleaning up by hand left a difference"; diff "$dir/before" "$dir/after"; }

# 4. The session that started apply is hung up while apply asks on its terminal (a pseudo-terminal
# from script(1); SIGHUP to the session's whole process group, as a dropped SSH connection sends):
# apply dies with it, the reverter does not.
# (script's input stays open, as a terminal's does, until the hang-up.)
( sleep 20 | ip netns exec "$ns_fw" setsid script -qfc "'$bin' apply '$dir/site.yaml' --host fw1 --confirm-within 5" \
  /dev/null >"$dir/tty.out" 2>&1 & )
for _ in $(seq 50); do grep -q "keep it" "$dir/tty.out" 2>/dev/null && break; sleep 0.1; done
grep -q "keep it" "$dir/tty.out" && ok "apply asks on a terminal" || bad "no question on the terminal: $(cat "$dir/tty.out")"
asker=$(pgrep -f "^$bin apply $dir/site.yaml" | head -1)
[ -n "$asker" ] && kill -HUP -- "-$(ps -o pgid= "$asker" | tr -d ' ')" 2>/dev/null
for _ in $(seq 20); do [ -n "$asker" ] && kill -0 "$asker" 2>/dev/null || break; sleep 0.1; done
[ -n "$asker" ] && ! kill -0 "$asker" 2>/dev/null && ok "the asking apply is gone with its session" ||
  bad "the asking apply survived SIGHUP"
has_table && ok "loaded from the session that is hung up" || bad "not loaded from the hung-up session"
sleep 5
wait_reverted && ok "SIGHUP to the starting session: still reverted" || bad "not reverted after SIGHUP"
state >"$dir/after"
diff "$dir/before" "$dir/after" >/dev/null && ok "and the ruleset is what it was" || bad "the ruleset differs after SIGHUP"

# 5. The plan drops new connections from the client (its zone is granted nothing on fw1); the client
# confirms through a new connection to a confirmation service on fw1, which cannot arrive. An
# established connection opened before the apply still carries data.
cat >"$dir/confirm_service.py" <<'PY'
import socket, subprocess, sys
s = socket.socket()
s.bind(("198.18.20.1", 2222))
s.listen()
s.settimeout(40)
try:
    while True:
        c, _ = s.accept()
        data = c.recv(64)
        if data.startswith(b"confirm"):
            subprocess.run([sys.argv[1], "apply", "--confirm"])
        c.sendall(b"ok\n")
        c.close()
except socket.timeout:
    pass
PY
cat >"$dir/echo_service.py" <<'PY'
import socket
s = socket.socket()
s.bind(("198.18.20.1", 2223))
s.listen()
s.settimeout(40)
c, _ = s.accept()
c.settimeout(30)
while True:
    data = c.recv(64)
    if not data:
        break
    c.sendall(data)
PY
cat >"$dir/client.py" <<'PY'
import socket, sys, time
kept = socket.create_connection(("198.18.20.1", 2223), timeout=3)
kept.sendall(b"before\n"); assert kept.recv(64) == b"before\n"
open(sys.argv[1], "w").write("connected\n")
while not __import__("os").path.exists(sys.argv[2]):
    time.sleep(0.1)
kept.sendall(b"during\n")
print("established:", "survives" if kept.recv(64) == b"during\n" else "lost")
try:
    c = socket.create_connection(("198.18.20.1", 2222), timeout=2)
    c.sendall(b"confirm\n"); c.recv(16)
    print("confirm: sent")
except OSError as e:
    print("confirm: cannot connect:", e)
PY
WINPORTS_RUN_DIR=$WINPORTS_RUN_DIR ip netns exec "$ns_fw" timeout 45 python3 "$dir/confirm_service.py" "$bin" &
ip netns exec "$ns_fw" timeout 45 python3 "$dir/echo_service.py" &
sleep 0.5
ip netns exec "$ns_cli" timeout 45 python3 "$dir/client.py" "$dir/connected" "$dir/applied" >"$dir/client.out" 2>&1 &
client=$!
for _ in $(seq 50); do [ -e "$dir/connected" ] && break; sleep 0.1; done
apply 6 || bad "apply of the plan that cuts the client"
touch "$dir/applied"
wait "$client"
grep -q "established: survives" "$dir/client.out" && ok "the established connection survives (conntrack)" ||
  { bad "the established connection"; cat "$dir/client.out"; }
grep -q "confirm: cannot connect" "$dir/client.out" && ok "the confirmation cannot arrive over a new connection" ||
  { bad "the confirmation arrived"; cat "$dir/client.out"; }
sleep 6
wait_reverted && ok "so the plan is reverted" || bad "the plan that cut the client stayed"
state >"$dir/after"
diff "$dir/before" "$dir/after" >/dev/null && ok "and the ruleset is what it was" || bad "the ruleset differs"

[ $fail = 0 ] && echo "apply: every case as expected"
exit $fail
