#pragma once
// Windows' predefined inbound rules on a host the plan governs (data/windows-rules.yaml): the ones
// the plan's rules now carry, the ones that open what the plan does not carry, and the base rules
// every host keeps. The PowerShell and netsh outputs write them as tables.
#include "common.hpp"

namespace winports::emit::detail {

struct HostPredefined {
  std::vector<const catalog::PredefinedRule*> superseded;  // on by default; the plan's rules carry its traffic
  std::vector<const catalog::PredefinedRule*> left;        // on by default; opens what the plan does not carry
};

// Whether a plan flow serves one of the services the predefined rule carries, on a port it opens.
inline bool carried_by(const Input& in, const plan::Flow& f, const catalog::PredefinedRule& p) {
  if (ip_protocol_number(f.transport) != p.protocol && !(p.protocol == 58 && f.transport == Transport::icmp) &&
      !(p.protocol == 1 && f.transport == Transport::icmp))
    return false;
  for (const auto& reason : f.reasons) {
    if (std::find(p.carries.begin(), p.carries.end(), reason.service) == p.carries.end() &&
        std::find(p.carries.begin(), p.carries.end(), "*") == p.carries.end())
      continue;
    const auto* service = in.catalog.service(reason.service);
    if (!service) continue;
    const auto& row = service->requirements[reason.requirement];
    auto ports = row.ports.intersect(f.ports);
    switch (p.keyword) {
      case catalog::PortKeyword::rpc:
        if (!ports.intersect(f.rpc_only).empty()) return true;
        break;
      case catalog::PortKeyword::rpc_epmap:
        if (ports.contains(135)) return true;
        break;
      case catalog::PortKeyword::none:
        if (!has_ports(f.transport) || p.local_ports.empty() || !ports.intersect(p.local_ports).empty()) return true;
        break;
    }
  }
  return false;
}

inline HostPredefined host_predefined(const Input& in, const plan::Host& h, const std::vector<HostRule>& rules) {
  HostPredefined out;
  const auto* os = host_os(in, h);
  std::string kind = os ? os->kind : "";
  for (const auto* p : in.catalog.predefined_enabled(h.roles, kind == "both" ? "" : kind)) {
    bool carried =
        std::any_of(rules.begin(), rules.end(), [&](const HostRule& r) { return carried_by(in, *r.flow, *p); });
    if (carried)
      out.superseded.push_back(p);
    else if (p->base.en.empty())
      out.left.push_back(p);
  }
  return out;
}

// What a predefined rule opens, as an administrator reads it: "UDP 445 (System)", "TCP RPC (lsass.exe)".
inline std::string predefined_opens(const catalog::PredefinedRule& p) {
  std::string out;
  switch (p.protocol) {
    case 6:
      out = "TCP";
      break;
    case 17:
      out = "UDP";
      break;
    case 1:
      out = "ICMPv4";
      break;
    case 58:
      out = "ICMPv6";
      break;
    default:
      out = "protocol " + std::to_string(p.protocol);
  }
  if (p.keyword == catalog::PortKeyword::rpc)
    out += " RPC";
  else if (p.keyword == catalog::PortKeyword::rpc_epmap)
    out += " RPCEPMap";
  else if (!p.local_ports.empty())
    out += " " + p.local_ports.to_string();
  else if (!p.icmp.empty())
    out += " type " + join(p.icmp, ",", [](const std::string& t) { return t; });
  else if (p.protocol == 6 || p.protocol == 17)
    out += " any port";
  auto program = p.program.substr(p.program.find_last_of('\\') + 1);
  if (!p.service.empty())
    out += " (service " + p.service + ")";
  else if (!program.empty())
    out += " (" + program + ")";
  return out;
}

}  // namespace winports::emit::detail
