#!/usr/bin/env bash
# The plan against real traffic: a router namespace loads the nftables ruleset winports generates
# for "clients may use dc1 as domain members", and from the client real tools must work through
# it — DNS SRV lookup, kinit, LDAP on 389 and 3268, net ads join, smbclient to SYSVOL, an RPC call
# on a dynamic endpoint found through the endpoint mapper — while a port the plan does not open
# times out (dropped, not refused). Then again with Samba's dynamic RPC range restricted and the
# plan restricted to match, and once with the two disagreeing (the RPC call must then fail).
set -u
bin=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
source "$here/lab.sh"
lab_require samba samba-tool kinit ldapsearch smbclient net rpcclient dig
lab_up || exit 1
lab_provision || exit 1

fail=0
check() {  # check NAME COMMAND... : run with a bound on time, report
  local name=$1
  shift
  if "$@" >"$LAB_DIR/out" 2>&1; then
    echo "ok: $name"
  else
    echo "FAIL: $name (exit $?)"
    sed 's/^/    /' "$LAB_DIR/out" | tail -15
    fail=1
  fi
}
expect() {  # expect NAME PATTERN COMMAND... : the output must match
  local name=$1 pattern=$2
  shift 2
  if "$@" >"$LAB_DIR/out" 2>&1 && grep -Eq "$pattern" "$LAB_DIR/out"; then
    echo "ok: $name"
  else
    echo "FAIL: $name (wanted /$pattern/)"
    sed 's/^/    /' "$LAB_DIR/out" | tail -15
    fail=1
  fi
}
# TCP connect from the client, 3 s at most: prints open, refused or timeout.
tcp_state() {
  local out
  out=$(LAB_TIMEOUT=3 in_client bash -c "exec 3<>/dev/tcp/$LAB_DC_IP/$1" 2>&1)
  case $? in
    0) echo open ;;
    124) echo timeout ;;
    *) [[ $out == *refused* ]] && echo refused || echo "error: $out" ;;
  esac
}



join_conf() {  # a client smb.conf of its own, all state in the lab directory
  local d="$LAB_DIR/client-$1"
  mkdir -p "$d"/{private,lock,state,cache,run,ncalrpc}
  cat >"$d/smb.conf" <<CONF
[global]
  workgroup = $LAB_DOMAIN
  realm = $LAB_REALM
  security = ads
  netbios name = $1
  private dir = $d/private
  lock directory = $d/lock
  state directory = $d/state
  cache directory = $d/cache
  pid directory = $d/run
  ncalrpc dir = $d/ncalrpc
  log file = $d/log
  kerberos method = secrets and keytab
  dedicated keytab file = $d/krb5.keytab
  disable netbios = yes
  client min protocol = SMB2
CONF
  echo "$d/smb.conf"
}

# TCP ports the DC's endpoint mapper hands out (ncacn_ip_tcp towers), one per line.
# Samba registers its endpoints a moment after it starts listening: up to 10 tries, 1 s apart.
mapped_ports() {
  local try ports
  for try in $(seq 10); do
    ports=$(LAB_TIMEOUT=30 in_client rpcclient -U "administrator%$LAB_PASSWORD" "ncacn_ip_tcp:$LAB_DC_IP[135]" \
      -c epmlookup 2>/dev/null | grep -Eo 'ncacn_ip_tcp:[^[]*\[[0-9]+' | grep -Eo '[0-9]+$' | sort -un | grep -vx 135)
    [ -n "$ports" ] && break
    sleep 1
  done
  echo "$ports"
}

in_range() {  # in_range LO HI PORTS... : every port inside
  local lo=$1 hi=$2 p
  shift 2
  [ $# -gt 0 ] || return 1
  for p in "$@"; do [ "$p" -ge "$lo" ] && [ "$p" -le "$hi" ] || return 1; done
}

run_client_tools() {  # run_client_tools VARIANT LO HI
  local variant=$1 lo=$2 hi=$3 upn="administrator@$LAB_REALM"
  expect "$variant: DNS SRV (udp 53)" "dc1\.winports\.test" \
    in_client dig +short +time=3 +tries=1 "_ldap._tcp.dc._msdcs.${LAB_REALM,,}" SRV
  expect "$variant: DNS SRV (tcp 53)" "dc1\.winports\.test" \
    in_client dig +tcp +short +time=3 +tries=1 "_kerberos._tcp.${LAB_REALM,,}" SRV
  check "$variant: kinit (kerberos 88)" in_client bash -c "echo '$LAB_PASSWORD' | kinit $upn"
  expect "$variant: ldapsearch rootDSE on 389" "dnsHostName: (DC1|dc1)\.winports\.test" \
    in_client ldapsearch -LLL -x -H "ldap://$LAB_DC_IP:389" -b "" -s base dnsHostName
  expect "$variant: ldapsearch global catalog on 3268" "dnsHostName: (DC1|dc1)\.winports\.test" \
    in_client ldapsearch -LLL -x -H "ldap://$LAB_DC_IP:3268" -b "" -s base dnsHostName
  local conf
  conf=$(join_conf "WP${variant^^}")
  expect "$variant: net ads join (CLDAP, LDAP, Kerberos, SMB)" "Joined" \
    in_client net ads join -s "$conf" -U "administrator%$LAB_PASSWORD" --no-dns-updates
  expect "$variant: smbclient to SYSVOL (445)" "${LAB_REALM,,}" \
    in_client smbclient "//dc1.${LAB_REALM,,}/sysvol" -U "administrator%$LAB_PASSWORD" -m SMB3 -c ls
  # The endpoint mapper's answer, read through the firewall, must lie in the range the plan opened;
  # then RPC calls that bind through the endpoint mapper to such a port: directory replication
  # (drsuapi, as DCs and admin tools use it) and Netlogon's DsrGetDcName.
  local ports
  ports=$(mapped_ports | tr '\n' ' ')
  if in_range "$lo" "$hi" $ports; then echo "ok: $variant: mapped endpoints ($ports) inside $lo-$hi"
  else echo "FAIL: $variant: mapped endpoints '$ports' not inside $lo-$hi"; fail=1; fi
  expect "$variant: drsuapi call on a dynamic endpoint (samba-tool drs showrepl)" "DSA object GUID" \
    in_client samba-tool drs showrepl "$LAB_DC_IP" -U "administrator%$LAB_PASSWORD"
  expect "$variant: netlogon call on a dynamic endpoint (DsrGetDcName)" "Default-First-Site-Name" \
    in_client rpcclient -U "administrator%$LAB_PASSWORD" "ncacn_ip_tcp:$LAB_DC_IP[seal]" \
    -c "dsr_getdcname ${LAB_REALM,,}"
  # Samba listens on 139 (the router can reach it); the plan leaves NetBIOS out, so the client's
  # connection must be dropped (a timeout), not refused. 5985 is not served and not opened: the
  # same, since the router drops it before the DC could refuse.
  local port state
  for port in 139 5985; do
    state=$(tcp_state "$port")
    [ "$state" = timeout ] && echo "ok: $variant: tcp $port dropped by the router" ||
      { echo "FAIL: $variant: tcp $port is $state, wanted timeout"; fail=1; }
  done
  state=$(LAB_TIMEOUT=3 in_router bash -c "exec 3<>/dev/tcp/$LAB_DC_IP/139" 2>&1 && echo open)
  [ "$state" = open ] && echo "ok: $variant: tcp 139 is open from the router (the drop is the plan's)" ||
    { echo "FAIL: $variant: the DC does not listen on 139: $state"; fail=1; }
}

# 1. Windows Server 2022 defaults: the dynamic range is 49152-65535 on both sides.
lab_start_dc || exit 1
lab_write_site
check "default: plan loads into the router" lab_load_plan "$bin"
run_client_tools default 49152 65535
lab_stop_dc

# 2. Restricted: Samba and the plan both use 50000-50099.
lab_start_dc "rpc server dynamic port range = 50000-50099" || exit 1
lab_write_site 50000-50099
check "restricted: plan loads into the router" lab_load_plan "$bin"
run_client_tools restricted 50000 50099
lab_stop_dc

# 3. Disagreeing: the plan restricts RPC to 50000-50099, Samba uses 49152-65535 and so hands out
#    ports below 50000: the endpoint mapper still answers (135 is open) but the call must fail.
lab_start_dc "rpc server dynamic port range = 49152-49199" || exit 1
lab_write_site 50000-50099
check "mismatch: plan loads into the router" lab_load_plan "$bin"
ports=$(mapped_ports | tr '\n' ' ')
if in_range 49152 49199 $ports; then echo "ok: mismatch: endpoints ($ports) outside the plan's range"
else echo "FAIL: mismatch: endpoints '$ports'"; fail=1; fi
if LAB_TIMEOUT=15 in_client samba-tool drs showrepl "$LAB_DC_IP" -U "administrator%$LAB_PASSWORD" \
  >"$LAB_DIR/out" 2>&1; then
  echo "FAIL: mismatch: the RPC call went through a port the plan does not open"
  fail=1
else
  echo "ok: mismatch: the drsuapi call fails (exit $?) when the DC's range is not the plan's"
fi
lab_stop_dc

# 4. Dual-stack: Samba listens on both families, the plan has dc1's IPv4 and IPv6 addresses, and a
#    table of the router drops every IPv4 packet to the DC, so the join can only go over IPv6,
#    through the plan's IPv6 rules (DNS and Kerberos at the DC's IPv6 address; LDAP, CLDAP and SMB
#    at -I).
lab_start_dc "interfaces = $LAB_DC_IP $LAB_DC_IP6" || exit 1
# dc1's AAAA record (the provision registered its IPv4 address only), and the client's resolver at
# the DC's IPv6 address: name lookups cross the plan's IPv6 rules too.
check "dual-stack: dc1's AAAA record" in_dc env -u KRB5_CONFIG -u KRB5CCNAME samba-tool dns add "$LAB_DC_IP" \
  "${LAB_REALM,,}" dc1 AAAA "$LAB_DC_IP6" -U "administrator%$LAB_PASSWORD"
printf 'nameserver %s\nsearch %s\n' "$LAB_DC_IP6" "${LAB_REALM,,}" >"/etc/netns/$LAB_CLIENT/resolv.conf"
LAB_DUAL_STACK=1 lab_write_site
check "dual-stack: plan loads into the router" lab_load_plan "$bin"
grep -q "ip6 saddr @zone_clients_v6 ip6 daddr $LAB_DC_IP6 tcp dport" "$LAB_DIR/rules.nft" &&
  echo "ok: dual-stack: the plan has IPv6 rules to dc1" || { echo "FAIL: dual-stack: no IPv6 rule to dc1"; fail=1; }
in_router nft -f - <<'NFT' || { echo "FAIL: the IPv4 block table"; fail=1; }
table ip lab_no_ipv4 {
  chain forward { type filter hook forward priority 10; policy accept; ip daddr 198.18.20.10 drop; }
}
NFT
sed "s/$LAB_DC_IP/[$LAB_DC_IP6]/g" "$LAB_DIR/krb5.conf" >"$LAB_DIR/krb5-ipv6.conf"
conf=$(join_conf WPIPV6)
expect "dual-stack: net ads join over IPv6 (CLDAP, LDAP, Kerberos, SMB)" "Joined" \
  in_client env KRB5_CONFIG="$LAB_DIR/krb5-ipv6.conf" net ads join -s "$conf" -I "$LAB_DC_IP6" \
  -U "administrator%$LAB_PASSWORD" --no-dns-updates
LAB_TIMEOUT=3 in_client bash -c "exec 3<>/dev/tcp/$LAB_DC_IP6/5985" >/dev/null 2>&1
[ $? = 124 ] && echo "ok: dual-stack: tcp 5985 over IPv6 dropped by the router" ||
  { echo "FAIL: dual-stack: tcp 5985 over IPv6 was not dropped"; fail=1; }
# The control: without the plan's IPv6 rules (its IPv6 family dropped from the file), the join
# over IPv6 fails.
in_router nft delete table inet winports_netns_lab
grep -v "ip6 saddr @zone_clients_v6 ip6 daddr" "$LAB_DIR/rules.nft" >"$LAB_DIR/rules-v4.nft"
in_router nft -f "$LAB_DIR/rules-v4.nft" || { echo "FAIL: the control ruleset"; fail=1; }
conf=$(join_conf WPNOV6)
if LAB_TIMEOUT=40 in_client env KRB5_CONFIG="$LAB_DIR/krb5-ipv6.conf" net ads join -s "$conf" -I "$LAB_DC_IP6" \
  -U "administrator%$LAB_PASSWORD" --no-dns-updates >"$LAB_DIR/out" 2>&1; then
  echo "FAIL: control: the join over IPv6 works without the plan's IPv6 rules (the test proves nothing)"
  fail=1
else
  echo "ok: control: without the IPv6 rules the join over IPv6 fails"
fi
exit $fail
