# A private network lab in Linux network namespaces, sourced by the netns tests:
#   client (198.18.10.5) — router (198.18.10.1 | 198.18.20.1, nftables) — dc (198.18.20.10)
# Only 198.18.0.0/15 addresses; no namespace has a route anywhere else. lab_down runs on every exit.
# The DC is a real Samba AD domain controller provisioned into a temporary directory.

LAB_ID=${LAB_ID:-wp$$}
LAB_CLIENT=$LAB_ID-cli LAB_ROUTER=$LAB_ID-rtr LAB_DC=$LAB_ID-dc
LAB_CLIENT_IP=198.18.10.5 LAB_DC_IP=198.18.20.10
LAB_CLIENT_IP6=2001:db8:10::5 LAB_DC_IP6=2001:db8:20::10
LAB_REALM=WINPORTS.TEST LAB_DOMAIN=WINPORTS LAB_PASSWORD='Winports-Lab-1'
LAB_DIR=
LAB_SAMBA_PID=

# Skip (77) or, under WINPORTS_REQUIRE_NETNS=1 as in CI, fail: a netns test must not pass unseen.
lab_skip() {
  if [ "${WINPORTS_REQUIRE_NETNS:-}" = 1 ]; then
    echo "FAIL: netns test cannot run: $1 (WINPORTS_REQUIRE_NETNS=1)"
    exit 1
  fi
  echo "SKIP: $1"
  exit 77
}

lab_require() {
  [ "$(id -u)" = 0 ] || lab_skip "needs root for network namespaces"
  local tool
  for tool in ip nft "$@"; do command -v "$tool" >/dev/null || lab_skip "$tool is not installed (scripts/setup.sh installs it)"; done
  ip netns add "$LAB_ID-probe" 2>/dev/null || lab_skip "cannot create network namespaces here"
  ip netns del "$LAB_ID-probe"
}

# Every command in the lab is bounded in time (LAB_TIMEOUT seconds, 60 by default).
in_client() { timeout "${LAB_TIMEOUT:-60}" ip netns exec "$LAB_CLIENT" "$@"; }
in_router() { timeout "${LAB_TIMEOUT:-60}" ip netns exec "$LAB_ROUTER" "$@"; }
in_dc() { ip netns exec "$LAB_DC" "$@"; }

lab_down() {
  if [ -n "$LAB_SAMBA_PID" ]; then
    kill "$LAB_SAMBA_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$LAB_SAMBA_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$LAB_SAMBA_PID" 2>/dev/null
  fi
  # Anything still running inside the namespaces (samba's children) goes with them.
  local ns
  for ns in "$LAB_CLIENT" "$LAB_ROUTER" "$LAB_DC"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
  done
  [ -n "${LAB_KEEP:-}" ] || [ -z "$LAB_DIR" ] || rm -rf "$LAB_DIR"
}

lab_up() {
  trap lab_down EXIT
  trap 'exit 130' INT TERM
  LAB_DIR=$(mktemp -d /tmp/winports-lab.XXXXXX)
  exec {LAB_LOCK_FD}>/run/lock/winports-netns-lab.lock
  flock -w 900 "$LAB_LOCK_FD" || { echo "another winports lab holds the lock"; return 1; }
  ip netns add "$LAB_CLIENT" && ip netns add "$LAB_ROUTER" && ip netns add "$LAB_DC" || return 1
  ip link add "$LAB_ID-c0" netns "$LAB_CLIENT" type veth peer name "$LAB_ID-r0" netns "$LAB_ROUTER" || return 1
  ip link add "$LAB_ID-d0" netns "$LAB_DC" type veth peer name "$LAB_ID-r1" netns "$LAB_ROUTER" || return 1
  in_client ip addr add "$LAB_CLIENT_IP/24" dev "$LAB_ID-c0"
  in_router ip addr add 198.18.10.1/24 dev "$LAB_ID-r0"
  in_router ip addr add 198.18.20.1/24 dev "$LAB_ID-r1"
  in_dc ip addr add "$LAB_DC_IP/24" dev "$LAB_ID-d0"
  local ns
  for ns in "$LAB_CLIENT" "$LAB_ROUTER" "$LAB_DC"; do ip -n "$ns" link set lo up; done
  in_client ip link set "$LAB_ID-c0" up
  in_router ip link set "$LAB_ID-r0" up
  in_router ip link set "$LAB_ID-r1" up
  in_dc ip link set "$LAB_ID-d0" up
  # IPv6 beside IPv4 (documentation prefixes; Samba binds it only when a test asks).
  in_client ip addr add "$LAB_CLIENT_IP6/64" dev "$LAB_ID-c0" nodad
  in_router ip addr add 2001:db8:10::1/64 dev "$LAB_ID-r0" nodad
  in_router ip addr add 2001:db8:20::1/64 dev "$LAB_ID-r1" nodad
  in_dc ip addr add "$LAB_DC_IP6/64" dev "$LAB_ID-d0" nodad
  # Routes to the other lab subnet only: nothing can leave the lab.
  in_client ip route add 198.18.20.0/24 via 198.18.10.1
  in_dc ip route add 198.18.10.0/24 via 198.18.20.1
  in_client ip -6 route add 2001:db8:20::/64 via 2001:db8:10::1
  in_dc ip -6 route add 2001:db8:10::/64 via 2001:db8:20::1
  in_router sysctl -qw net.ipv4.ip_forward=1
  in_router sysctl -qw net.ipv6.conf.all.forwarding=1
  # The client resolves names through the DC (ip netns exec bind-mounts this file).
  mkdir -p "/etc/netns/$LAB_CLIENT"
  printf 'nameserver %s\nsearch %s\n' "$LAB_DC_IP" "${LAB_REALM,,}" >"/etc/netns/$LAB_CLIENT/resolv.conf"
  cat >"$LAB_DIR/krb5.conf" <<KRB
[libdefaults]
  default_realm = $LAB_REALM
  dns_lookup_kdc = false
  dns_lookup_realm = false
[realms]
  $LAB_REALM = {
    kdc = $LAB_DC_IP
    admin_server = $LAB_DC_IP
  }
KRB
  export KRB5_CONFIG="$LAB_DIR/krb5.conf" KRB5CCNAME="FILE:$LAB_DIR/krb5cc"
}

# Provision the domain once per lab (about 3 s).
lab_provision() {
  samba-tool domain provision --realm="$LAB_REALM" --domain="$LAB_DOMAIN" --adminpass="$LAB_PASSWORD" \
    --server-role=dc --dns-backend=SAMBA_INTERNAL --host-ip="$LAB_DC_IP" --host-name=dc1 \
    --targetdir="$LAB_DIR/dc" --option="interfaces = $LAB_DC_IP" --option="bind interfaces only = yes" \
    >"$LAB_DIR/provision.log" 2>&1 || { cat "$LAB_DIR/provision.log"; return 1; }
}

# Start samba in the DC namespace with extra smb.conf lines; waits (at most 90 s) until LDAP,
# the endpoint mapper, DNS and the KDC listen.
lab_start_dc() {
  local conf="$LAB_DIR/dc/etc/lab.conf" d="$LAB_DIR/dc"
  mkdir -p -m 0750 "$d/run" "$d/ntp"
  mkdir -p "$d/log" "$d/ncalrpc"
  # Written whole rather than edited: the provisioned file points logs, sockets and pipes at
  # system paths, forwards DNS to the host's resolver and asks PAM; the lab keeps everything in
  # its directory, forwards nowhere and needs no PAM.
  {
    printf '[global]\n'
    printf '\tnetbios name = DC1\n\tworkgroup = %s\n\trealm = %s\n' "$LAB_DOMAIN" "$LAB_REALM"
    printf '\tserver role = active directory domain controller\n'
    printf '\tinterfaces = %s\n\tbind interfaces only = yes\n' "$LAB_DC_IP"
    printf '\tprivate dir = %s/private\n\tlock directory = %s\n\tstate directory = %s/state\n' "$d" "$d" "$d"
    printf '\tcache directory = %s/cache\n\tbinddns dir = %s/bind-dns\n\tpid directory = %s/run\n' "$d" "$d" "$d"
    printf '\tncalrpc dir = %s/ncalrpc\n\tntp signd socket directory = %s/ntp\n' "$d" "$d"
    printf '\tlog file = %s/log/log.%%m\n' "$d"
    printf '\tdns forwarder =\n\tobey pam restrictions = no\n\tload printers = no\n\tprinting = bsd\n'
    printf '\tprintcap name = /dev/null\n\tdisable spoolss = yes\n'
    local line
    for line in "$@"; do printf '\t%s\n' "$line"; done
    printf '[sysvol]\n\tpath = %s/state/sysvol\n\tread only = no\n' "$d"
    printf '[netlogon]\n\tpath = %s/state/sysvol/%s/scripts\n\tread only = no\n' "$d" "${LAB_REALM,,}"
  } >"$conf"
  # winbindd keeps its socket in the system default (/run/samba/winbindd): smbd's winbind
  # client does not follow a moved socket directory, and then every session setup fails. That
  # directory is shared, so labs run one at a time (lab_up takes a lock).
  in_dc env -u KRB5_CONFIG -u KRB5CCNAME samba -i -s "$conf" >"$LAB_DIR/samba.log" 2>&1 &
  LAB_SAMBA_PID=$!
  local i
  for i in $(seq 180); do
    if in_dc ss -Hltn "sport = :389" | grep -q LISTEN && in_dc ss -Hltn "sport = :135" | grep -q LISTEN &&
      in_dc ss -Hltn "sport = :53" | grep -q LISTEN && in_dc ss -Hltn "sport = :88" | grep -q LISTEN; then
      return 0
    fi
    kill -0 "$LAB_SAMBA_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "samba did not start listening on 389:"
  tail -30 "$LAB_DIR/samba.log"
  return 1
}

lab_stop_dc() {
  [ -n "$LAB_SAMBA_PID" ] || return 0
  kill "$LAB_SAMBA_PID" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$LAB_SAMBA_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$LAB_SAMBA_PID" 2>/dev/null
  ip netns pids "$LAB_DC" | xargs -r kill -9 2>/dev/null
  # Until every process is gone and nothing listens: a restart's wait must not see the old
  # samba's sockets (it once did, and the clients then found DNS and the KDC refused).
  for _ in $(seq 100); do
    [ -z "$(ip netns pids "$LAB_DC")" ] && ! in_dc ss -Hltn "sport = :389" | grep -q LISTEN && break
    sleep 0.1
  done
  LAB_SAMBA_PID=
}

# The lab as a site file: clients may use dc1 as domain members. lab_write_site [RPC_RANGE];
# LAB_DUAL_STACK=1 gives the zones and dc1 their IPv6 prefix and address too.
lab_write_site() {
  local clients=198.18.10.0/24 servers=198.18.20.0/24 dc=$LAB_DC_IP
  if [ "${LAB_DUAL_STACK:-}" = 1 ]; then
    clients="198.18.10.0/24, \"2001:db8:10::/64\"" servers="198.18.20.0/24, \"2001:db8:20::/64\""
    dc="[$LAB_DC_IP, \"$LAB_DC_IP6\"]"
  fi
  cat >"$LAB_DIR/site.yaml" <<SITE
site: netns-lab
zones:
  clients: { networks: [$clients], os: windows-11 }
  servers: { networks: [$servers] }
hosts:
  dc1: { address: $dc, zone: servers, os: windows-server-2022, roles: [domain-controller] }
access:
  - { from: clients, to: dc1, as: domain-member }
settings:
  netbios: false
SITE
  [ -z "${1:-}" ] || printf '  rpc_dynamic_ports: %s\n' "$1" >>"$LAB_DIR/site.yaml"
}

# The site's plan as the router's nftables ruleset. lab_load_plan WINPORTS_BINARY
lab_load_plan() {
  "$1" plan "$LAB_DIR/site.yaml" --format nftables -o "$LAB_DIR/rules.nft" && in_router nft -f "$LAB_DIR/rules.nft"
}

# Namespaces a test builds on its own (beside or instead of the Samba lab): made by own_ns_up,
# deleted with every process inside them, and the test's directory removed, on any exit.
OWN_NS=()
OWN_DIR=
own_ns_down() {
  local ns
  for ns in "${OWN_NS[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  [ -z "$OWN_DIR" ] || rm -rf "$OWN_DIR"
}
# own_ns_up DIR NS…: the namespaces, each with loopback up, and DIR (made by the caller) to remove.
own_ns_up() {
  OWN_DIR=$1
  shift
  trap own_ns_down EXIT
  trap 'exit 130' INT TERM
  local ns
  for ns in "$@"; do
    ip netns add "$ns" || return 1
    OWN_NS+=("$ns")
    ip -n "$ns" link set lo up
  done
}
in_ns() { local ns=$1; shift; timeout "${LAB_TIMEOUT:-30}" ip netns exec "$ns" "$@"; }
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
