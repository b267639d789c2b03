#!/usr/bin/env bash
# Verify from every segment at once, through the project's Ansible playbook (ansible/verify.yml):
# three vantage namespaces — v1 in clients, v2 in branch (named with winports_from), v3 in both lab
# and kiosk (two links, a source route for each) — each running its own sshd on a management link
# from a controller namespace (keys made here, no password), a zone (guest) with no vantage host,
# the Samba DC, and a router holding the site's nftables plan with one flow removed: lab -> dc1
# over TCP. ansible-playbook runs the playbook from the controller; the merged report must say that
# flow is blocked from exactly v3 and nothing else — so v3's kiosk probes left from its kiosk
# address, or the router would have dropped them as lab's — and list guest as unprobed. Then with
# v3's sshd stopped, the play still completes and the report has one line for that host. Everything
# is torn down on any exit; every wait is bounded.
# WINPORTS_VANTAGE_TIMING=1 also times a run with one vantage, for the wall-time comparison.
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
project=$(realpath "$here/../..")
source "$here/lab.sh"
lab_require samba samba-tool ansible-playbook ssh-keygen /usr/sbin/sshd unshare
lab_up || exit 1
CTL=$LAB_ID-ctl VB=$LAB_ID-vb VC=$LAB_ID-vc VA=$LAB_CLIENT
own_ns_up "$LAB_DIR/own" "$CTL" "$VB" "$VC" || exit 1
mkdir -p "$LAB_DIR/own"
OWN_DIR=  # inside LAB_DIR: removed with it (LAB_KEEP=1 keeps it)
trap 'own_ns_down; lab_down' EXIT
lab_provision || exit 1
lab_start_dc || exit 1
fail=0
D=$LAB_DIR/own

# Two more zones behind the router, each with a vantage namespace.
n=11
for ns in "$VB" "$VC"; do
  ip link add "$ns-z" netns "$ns" type veth peer name "$LAB_ID-r$n" netns "$LAB_ROUTER" || exit 1
  in_ns "$ns" ip addr add "198.18.$n.5/24" dev "$ns-z"
  in_ns "$ns" ip link set "$ns-z" up
  in_ns "$ns" ip route add 198.18.20.0/24 via "198.18.$n.1"
  in_router ip addr add "198.18.$n.1/24" dev "$LAB_ID-r$n"
  in_router ip link set "$LAB_ID-r$n" up
  in_dc ip route add "198.18.$n.0/24" via 198.18.20.1
  n=$((n + 1))
done
# v3 is in kiosk too: a second link, and a route for what leaves from its kiosk address.
ip link add "$VC-k" netns "$VC" type veth peer name "$LAB_ID-r13" netns "$LAB_ROUTER" || exit 1
in_ns "$VC" ip addr add 198.18.13.5/24 dev "$VC-k"
in_ns "$VC" ip link set "$VC-k" up
in_ns "$VC" ip rule add from 198.18.13.5 table 13
in_ns "$VC" ip route add 198.18.20.0/24 via 198.18.13.1 table 13
in_router ip addr add 198.18.13.1/24 dev "$LAB_ID-r13"
in_router ip link set "$LAB_ID-r13" up
in_dc ip route add 198.18.13.0/24 via 198.18.20.1

# The management links: controller 198.19.K.1 <-> vantage 198.19.K.2, one /30 each, outside every
# zone of the site. Each vantage runs sshd on its own management address, in a UTS namespace of its
# own so that it has a host name of its own.
ssh-keygen -q -t ed25519 -N '' -C controller -f "$D/controller_key"
cp "$D/controller_key.pub" "$D/authorized_keys"
mkdir -p /run/sshd
: >"$D/known_hosts"
k=1
for ns in "$VA" "$VB" "$VC"; do
  name=v$k
  ip link add "$LAB_ID-m$k" netns "$CTL" type veth peer name "$LAB_ID-n$k" netns "$ns" || exit 1
  in_ns "$CTL" ip addr add "198.19.$k.1/30" dev "$LAB_ID-m$k"
  in_ns "$CTL" ip link set "$LAB_ID-m$k" up
  in_ns "$ns" ip addr add "198.19.$k.2/30" dev "$LAB_ID-n$k"
  in_ns "$ns" ip link set "$LAB_ID-n$k" up
  ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$D/host_$name"
  printf '198.19.%s.2 %s\n' "$k" "$(cut -d' ' -f1,2 "$D/host_$name.pub")" >>"$D/known_hosts"
  cat >"$D/sshd_$name.conf" <<CONF
ListenAddress 198.19.$k.2
HostKey $D/host_$name
AuthorizedKeysFile $D/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $D/sshd_$name.pid
Subsystem sftp internal-sftp
CONF
  ip netns exec "$ns" unshare --uts sh -c "hostname $name && exec /usr/sbin/sshd -D -e -f '$D/sshd_$name.conf'" \
    >"$D/sshd_$name.log" 2>&1 &
  k=$((k + 1))
done
for k in 1 2 3; do
  for _ in $(seq 50); do in_ns "$CTL" bash -c "echo >/dev/tcp/198.19.$k.2/22" 2>/dev/null && break; sleep 0.1; done
done

cat >"$D/site.yaml" <<SITE
site: vantage-lab
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  branch: { networks: [198.18.11.0/24], os: windows-11 }
  lab: { networks: [198.18.12.0/24], os: windows-11 }
  kiosk: { networks: [198.18.13.0/24], os: windows-11 }
  guest: { networks: [198.18.14.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24] }
hosts:
  dc1: { address: $LAB_DC_IP, zone: servers, os: windows-server-2022, roles: [domain-controller] }
access:
  - { from: clients, to: dc1, as: domain-member }
  - { from: branch, to: dc1, as: domain-member }
  - { from: lab, to: dc1, as: domain-member }
  - { from: kiosk, to: dc1, as: domain-member }
  - { from: guest, to: dc1, as: domain-member }
settings:
  netbios: false
SITE
"$bin" plan "$D/site.yaml" --format nftables -o "$D/rules.nft" || exit 1
# One flow removed: everything lab may send dc1 over TCP.
grep -v 'ip saddr @zone_lab_v4 ip daddr 198.18.20.10 tcp dport' "$D/rules.nft" >"$D/rules-less.nft"
[ "$(wc -l <"$D/rules.nft")" = $(($(wc -l <"$D/rules-less.nft") + 1)) ] || { echo "FAIL: the flow to remove"; exit 1; }
in_router nft -f "$D/rules-less.nft" || exit 1

cat >"$D/inventory.yml" <<INV
vantages:
  hosts:
    v1: { ansible_host: 198.19.1.2 }
    v2: { ansible_host: 198.19.2.2, winports_from: branch }
    v3: { ansible_host: 198.19.3.2 }
  vars:
    ansible_user: root
    ansible_ssh_private_key_file: $D/controller_key
    ansible_ssh_common_args: -F /dev/null -o UserKnownHostsFile=$D/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o ConnectTimeout=5
    ansible_python_interpreter: /usr/bin/python3
INV
# Ansible's own state stays in the test's directory; no ssh connection outlives its task (a
# stopped sshd must be seen as one).
export ANSIBLE_HOME=$D/ansible ANSIBLE_LOCAL_TEMP=$D/ansible/tmp ANSIBLE_REMOTE_TEMP=$D/remote-tmp
export ANSIBLE_SSH_ARGS="-o ControlMaster=no" ANSIBLE_PIPELINING=True ANSIBLE_NOCOLOR=1 ANSIBLE_FORKS=5
export ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_HOST_KEY_CHECKING=True
play() {  # play NAME [ansible-playbook args…]: results in $D/NAME/, the play's output in $D/NAME.log
  local name=$1
  shift
  local start=$(date +%s.%N)
  (cd "$D" && LAB_TIMEOUT=300 in_ns "$CTL" ansible-playbook -i "$D/inventory.yml" "$project/ansible/verify.yml" \
    -e "winports_site=$D/site.yaml winports_binary=$bin winports_controller=$bin winports_results_dir=$D/$name" \
    -e '{"winports_verify_args": ["--domain", "winports.test", "--timeout", "700"]}' "$@") >"$D/$name.log" 2>&1
  local code=$?
  echo "$name: ansible-playbook exit $code in $(echo "$(date +%s.%N) - $start" | bc) s"
  return $code
}
query() { python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['payload']; print($2)" "$D/$1/merged.json"; }
check() { if [ "$1" = 0 ]; then ok "$2"; else bad "$2"; fi; }

if play all; then ok "the play completes"; else bad "the play failed:"; tail -30 "$D/all.log"; fi
if [ -f "$D/all/merged.json" ]; then
  check $(query all '{(r["flow"], r["vantage"], r["transport"]) for r in d["results"] if r["verdict"] == "blocked"} == {("lab -> dc1", "v3", "tcp")}' |
    grep -qx True; echo $?) "the removed flow is blocked from exactly the lab vantage, and nothing else is: $(query all '[(r["flow"], r["vantage"], r["verdict"]) for r in d["results"] if r["verdict"] == "blocked"][:3]')"
  check $(query all '{r["verdict"] for r in d["results"] if r["flow"] == "kiosk -> dc1" and r["transport"] == "tcp" and r["vantage"] == "v3"} == {"passed"}' |
    grep -qx True; echo $?) "v3's kiosk flow passed: its probes left from its kiosk address"
  check $(query all 'sorted({r["vantage"] for r in d["results"]}) == ["v1", "v2", "v3"] and len(d["summary"]["runs"]) == 3' |
    grep -qx True; echo $?) "every vantage host's probes are in the merged report"
  check $(query all '[u["zone"] for u in d["summary"]["unprobed"] if not u["has_vantage"]] == ["guest"]' | grep -qx True
    echo $?) "guest, the zone without a vantage host, is listed as unprobed"
  check $(query all '{(r["host"], r["from"]) for r in d["summary"]["runs"]} == {("v1", "clients"), ("v2", "branch"), ("v3", "lab, kiosk")}' |
    grep -qx True; echo $?) "each result names its host and the zones --from auto found (or the one named)"
  /usr/bin/python3 "$here/../cli/json_test.py" --envelope "$project" verify-merge "$D/all/merged.json" ||
    bad "merged.json does not fit docs/json.schema.json"
  grep -q "zone guest has no vantage host" "$D/all.log" && ok "the play shows the report" || bad "the play's output"
  [ -s "$D/all/merged.html" ] && [ -s "$D/all/merged.xml" ] && ok "the HTML and JUnit reports are written" ||
    bad "merged.html / merged.xml"
else
  bad "no merged report"
fi

# One vantage host down: its sshd and every session of it stopped.
kill "$(cat "$D/sshd_v3.pid")" 2>/dev/null
for _ in $(seq 50); do in_ns "$CTL" bash -c "echo >/dev/tcp/198.19.3.2/22" 2>/dev/null || break; sleep 0.1; done
if play down; then ok "with one vantage host down the play still completes"; else bad "the play failed:"; tail -30 "$D/down.log"; fi
if [ -f "$D/down/merged.json" ]; then
  check $(query down '[r["host"] for r in d["summary"]["runs"] if r.get("failed")] == ["v3"]' | grep -qx True
    echo $?) "the host that could not be reached is one run marked failed: $(query down '[r.get("failed") for r in d["summary"]["runs"]]')"
  check $(grep -c "v3 from auto did not run: unreachable" "$D/down.log" | grep -qx 1; echo $?) \
    "and one line of the report names it"
  check $(query down '{"lab", "kiosk"} <= {u["zone"] for u in d["summary"]["unprobed"] if not u["has_vantage"]} and "v3" not in {r["vantage"] for r in d["results"]}' |
    grep -qx True; echo $?) "its zones' flows are unprobed"
else
  bad "no merged report with one vantage down"
fi

if [ "${WINPORTS_VANTAGE_TIMING:-}" = 1 ]; then
  play one --limit v1 || true
fi
exit $fail
