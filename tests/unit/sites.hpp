#pragma once
// Sites the tests share beyond examples/.

namespace winports::test {

// Beyond the examples: a Windows host as an active-FTP client (data from the server's port 20),
// an IPv6 host with ICMPv6, GRE and ESP, a dual-stack DC (each rule in both families), so that
// every rule shape passes through every reader.
inline const char* const kEdgeCases = R"(
site: edge-cases
zones:
  lan: { networks: [198.18.30.0/24, "2001:db8:30::/64"], os: windows-11 }
  srv: { networks: [198.18.40.0/24, "2001:db8:40::/64"], os: windows-server-2022 }
hosts:
  ws1: { address: 198.18.30.5, zone: lan, roles: [managed-server] }
  ws6: { address: "2001:db8:30::5", zone: lan, roles: [managed-server] }
  ftp1: { address: 198.18.40.7, zone: srv, roles: [ftp], settings: { features: [ftp-active] } }
  vpn6: { address: "2001:db8:40::9", zone: srv, roles: [rras-vpn], settings: { features: [vpn-pptp, vpn-l2tp] } }
  dc6: { address: "2001:db8:40::10", zone: srv, roles: [domain-controller] }
  dc46: { address: [198.18.40.11, "2001:db8:40::11"], zone: srv, roles: [domain-controller] }
access:
  - { from: ws1, to: ftp1, services: [ftp] }
  - { from: lan, to: vpn6, services: [rras] }
  - { from: ws6, to: dc6, as: domain-member }
  - { from: lan, to: dc46, as: domain-member }
  - { from: srv, to: lan, as: remote-admin }
settings: { netbios: false }
)";

// A web server that any address outside the zones reaches (`internet`, any's alias), and a DC that
// only the web server does: outside traffic is the site's for the pairs an entry names, no others.
inline const char* const kEdgeWeb = R"(
site: edge
zones:
  dmz: { networks: [198.18.40.0/24], os: windows-server-2022 }
  core: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  web1: { address: 198.18.40.10, zone: dmz, roles: [iis-web] }
  dc1: { address: 198.18.20.10, zone: core, roles: [domain-controller] }
access:
  - { from: internet, to: web1, as: web-client }
  - { from: web1, to: dc1, as: domain-member }
)";

}  // namespace winports::test
