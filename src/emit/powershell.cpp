// Windows Firewall, PowerShell: New-NetFirewallRule for each host's inbound flows. Re-runnable:
// all rules live in one group named after the site and the script removes that group first.
// Nothing depends on Windows' display language (no predefined group names), every value is
// single-quoted, and each merged flow stays one rule (addresses and ports are lists, never a
// cartesian product). TCP 135 and the dynamic RPC range use the RPCEPMap and RPC keywords, which
// let Windows open only the endpoints RPC really assigns.
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

// Windows' names for a rule's protocol and local ports.
std::string protocol_name(const detail::WindowsRule& r, int family) {
  switch (r.transport) {
    case Transport::tcp:
      return "TCP";
    case Transport::udp:
      return "UDP";
    case Transport::icmp:
    case Transport::icmpv6:
      return family == 4 ? "ICMPv4" : "ICMPv6";
    default:
      return std::to_string(ip_protocol_number(r.transport));
  }
}

std::vector<std::string> local_ports(const detail::WindowsRule& r) {
  switch (r.keyword) {
    case detail::RpcKeyword::rpc:
      return {"RPC"};
    case detail::RpcKeyword::endpoint_mapper:
      return {"RPCEPMap"};
    default:
      return r.ports;
  }
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
    auto rules = detail::host_rules(in, h);
    if (rules.empty()) continue;
    out << "  " << quote(h.name) << " {\n";
    int n = 0;
    for (const auto& [f, remote, rule] : rules) {
      auto protocol = protocol_name(rule, h.address.family);
      auto ports = local_ports(rule);
      std::string name = "winports " + env.site + " " + f->source.name + " " + protocol + " " + std::to_string(++n);
      out << "    New-NetFirewallRule -Group $group -Name " << quote(name) << " -DisplayName " << quote(name)
          << " -Description "
          << quote(f->source.name + " -> " + h.name + ": " + plan::reasons_text(*f, in.catalog, in.options.lang))
          << " -Direction Inbound -Action Allow -Profile Any -Protocol " << quote(protocol);
      if (!ports.empty()) out << " -LocalPort " << list(ports);
      if (rule.remote_port) out << " -RemotePort " << quote(std::to_string(*rule.remote_port));
      if (rule.echo) out << " -IcmpType " << quote(h.address.family == 4 ? "8" : "128");
      out << " -RemoteAddress " << list(remote) << " | Out-Null\n";
    }
    out << "  }\n";
  }
  out << "  default { Write-Warning ('winports: no rules for ' + $env:COMPUTERNAME + ' in site ' + " << quote(env.site)
      << ") }\n";
  out << "}\n";
  return out.str();
}

}  // namespace winports::emit
