// Windows Firewall, PowerShell: New-NetFirewallRule for each host's inbound flows. Re-runnable:
// all rules live in one group named after the site and the script removes that group first.
// Nothing depends on Windows' display language (no predefined group names), every value is
// single-quoted, and each merged flow stays one rule (addresses and ports are lists, never a
// cartesian product). TCP 135 and the dynamic RPC range use the RPCEPMap and RPC keywords, which
// let Windows open only the endpoints RPC really assigns.
#include <map>
#include <set>
#include <sstream>

#include "common.hpp"

namespace winports::emit {
namespace {

std::string quote(std::string_view s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + quote(i);
  return "@(" + out + ")";
}

struct PsRule {
  std::string protocol;                  // TCP, UDP, ICMPv4, ICMPv6, 47, 50, 51
  std::vector<std::string> local_ports;  // empty: any
  std::string icmp_type;                 // "8" / "128"
};

// Splits one flow into the rules Windows wants: RPC keywords apart from plain ports.
std::vector<PsRule> rules_for(const plan::Flow& f, const catalog::Catalog& c, int family) {
  std::vector<PsRule> out;
  switch (f.transport) {
    case Transport::tcp:
    case Transport::udp: {
      PortSet plain = f.ports;
      bool rpc = false, epmap = false;
      if (f.transport == Transport::tcp && !f.source_port) {
        PortSet dynamic, fixed;
        for (const auto& r : f.reasons) {
          const auto& q = c.service(r.service)->requirements[r.requirement];
          if (q.dynamic_rpc() && q.transport == Transport::tcp)
            rpc = true;
          else if (q.transport == Transport::tcp)
            fixed = fixed.unite(q.ports);
        }
        if (rpc) {
          // Ports only the dynamic range explains go to the RPC keyword; fixed ports stay.
          plain = f.ports.intersect(fixed);
          if (plain.contains(135)) epmap = true, plain = plain.subtract(PortSet{{135, 135}});
        }
      }
      std::vector<std::string> ports;
      for (auto r : plain.ranges()) ports.push_back(r.to_string());
      std::string proto = f.transport == Transport::tcp ? "TCP" : "UDP";
      if (!ports.empty()) out.push_back({proto, ports, ""});
      if (epmap) out.push_back({proto, {"RPCEPMap"}, ""});
      if (rpc) out.push_back({proto, {"RPC"}, ""});
      break;
    }
    case Transport::icmp:
    case Transport::icmpv6:
      out.push_back({family == 4 ? "ICMPv4" : "ICMPv6", {}, f.icmp_type == "echo" ? (family == 4 ? "8" : "128") : ""});
      break;
    default:
      out.push_back({std::to_string(ip_protocol_number(f.transport)), {}, ""});
  }
  return out;
}

}  // namespace

Result<std::string> emit_powershell(const Input& in) {
  auto selected = detail::selected_host(in);
  if (!selected) return selected.error();
  const auto& env = in.env;
  const std::string group = "winports:" + env.site;
  std::ostringstream out;
  out << "# winports plan for site " << env.site << ": Windows Firewall rules (inbound) for each host.\n";
  out << "# Ports from Microsoft KB 832017. Run on the host as administrator; running it again gives the same rules.\n";
  out << "#Requires -RunAsAdministrator\n#Requires -Modules NetSecurity\n";
  out << "$ErrorActionPreference = 'Stop'\n";
  out << "$group = " << quote(group) << "\n";
  out << "Get-NetFirewallRule -Group $group -ErrorAction SilentlyContinue | Remove-NetFirewallRule\n\n";
  out << "switch ($env:COMPUTERNAME) {\n";
  for (const auto& h : env.hosts) {
    if (*selected && &h != *selected) continue;
    std::ostringstream body;
    int n = 0;
    for (const auto& f : in.plan.flows) {
      auto v = detail::view(f, h.address.family, &h);
      if (v.source.empty() || v.destination.empty()) continue;
      std::vector<std::string> remote;
      for (const auto& s : v.source) remote.push_back(s.to_string());
      for (const auto& rule : rules_for(f, in.catalog, h.address.family)) {
        ++n;
        std::string name = "winports " + env.site + " " + f.source.name + " " + rule.protocol + " " + std::to_string(n);
        body << "    New-NetFirewallRule -Group $group -Name " << quote(name) << " -DisplayName " << quote(name)
             << " -Description "
             << quote(f.source.name + " -> " + h.name + ": " + plan::reasons_text(f, in.catalog, in.options.lang))
             << " -Direction Inbound -Action Allow -Profile Any -Protocol " << quote(rule.protocol);
        if (!rule.local_ports.empty()) body << " -LocalPort " << list(rule.local_ports);
        if (!rule.icmp_type.empty()) body << " -IcmpType " << quote(rule.icmp_type);
        body << " -RemoteAddress " << list(remote) << " | Out-Null\n";
      }
    }
    if (n == 0) continue;
    out << "  " << quote(h.name) << " {\n" << body.str() << "  }\n";
  }
  out << "  default { Write-Warning ('winports: no rules for ' + $env:COMPUTERNAME + ' in site ' + " << quote(env.site)
      << ") }\n";
  out << "}\n";
  return out.str();
}

}  // namespace winports::emit
