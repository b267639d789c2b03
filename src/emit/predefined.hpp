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

// What host_predefined asks, answered once: carried_by per (flow, predefined rule), as every host a
// zone's flow reaches asks again; the rules enabled per (roles, OS kind), shared by a zone's hosts.
// The first in a table by the flow's and the rule's places in the plan and the catalog: a hash
// lookup per pair was a tenth of a 5,000-host run, most of it waiting for memory.
class PredefinedAnswers {
 public:
  explicit PredefinedAnswers(const Input& in)
      : in_(in), rules_(in.catalog.predefined_rules.size()), carried_(in.plan.flows.size() * rules_, kUnknown) {}
  bool carried(const plan::Flow& f, const catalog::PredefinedRule& p) {
    auto flow = static_cast<std::size_t>(&f - in_.plan.flows.data());
    auto rule = static_cast<std::size_t>(&p - in_.catalog.predefined_rules.data());
    if (flow >= in_.plan.flows.size() || rule >= rules_) return carried_by(in_, f, p);  // not the plan's own
    auto& answer = carried_[flow * rules_ + rule];
    if (answer == kUnknown) answer = carried_by(in_, f, p) ? kYes : kNo;
    return answer == kYes;
  }
  const std::vector<const catalog::PredefinedRule*>& enabled(const std::vector<std::string>& roles,
                                                             const std::string& os_kind) {
    std::string key = os_kind;
    for (const auto& r : roles) key.append("\n").append(r);
    return enabled_(key, [&] { return in_.catalog.predefined_enabled(roles, os_kind); });
  }

 private:
  enum Answer : std::uint8_t { kUnknown, kYes, kNo };
  const Input& in_;
  std::size_t rules_;
  std::vector<Answer> carried_;  // flow-major: a host's flows each read one short row
  Memo<std::string, std::vector<const catalog::PredefinedRule*>> enabled_;
};

inline HostPredefined host_predefined(const Input& in, const plan::Host& h, const std::vector<HostRule>& rules,
                                      PredefinedAnswers& answers) {
  HostPredefined out;
  const auto* os = host_os(in, h);
  std::string kind = os ? os->kind : "";
  for (const auto* p : answers.enabled(h.roles, kind == "both" ? "" : kind)) {
    bool carried =
        std::any_of(rules.begin(), rules.end(), [&](const HostRule& r) { return answers.carried(*r.flow, *p); });
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
