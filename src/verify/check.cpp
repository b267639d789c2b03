#include "winports/verify/check.hpp"

#include "winports/catalog/query.hpp"
#include "winports/core/text.hpp"
#include "winports/plan/messages.hpp"
#include "winports/verify/messages.hpp"

namespace winports::verify {
namespace {

// Ports to probe for a service: the TCP/UDP ports the KB prints.
void add_service_ports(const catalog::Service& s, probe::PortSpec& spec) {
  for (const auto& q : s.requirements) {
    if (q.dynamic_rpc() || q.ports.empty()) continue;
    if (q.transport == Transport::tcp) spec.tcp = spec.tcp.unite(q.ports);
    if (q.transport == Transport::udp) spec.udp = spec.udp.unite(q.ports);
  }
}

}  // namespace

Result<probe::PortSpec> port_spec(const catalog::Catalog& c, const std::string& ports,
                                  const std::vector<std::string>& services, const std::vector<std::string>& roles) {
  probe::PortSpec spec;
  if (!ports.empty()) {
    auto parsed = probe::parse_port_spec(ports);
    if (!parsed) return parsed.error();
    spec = *parsed;
  }
  for (const auto& name : services) {
    auto found = catalog::find_services(c, name);
    if (found.empty()) {
      auto near = catalog::suggest_names(c, name, 1);
      return Error{"", 0, 0, "--service", msg::cli_no_service(name) + suggestion(near.empty() ? "" : near[0])};
    }
    for (const auto* s : found) add_service_ports(*s, spec);
  }
  for (const auto& name : roles) {
    const auto* role = c.role(name);
    if (!role) {
      std::vector<std::string> ids;
      for (const auto& r : c.roles) ids.push_back(r.id);
      auto near = closest_name(name, ids);
      return Error{"", 0, 0, "--role", msg::site_no_role_named(name) + suggestion(near)};
    }
    for (const auto& id : role->services) add_service_ports(*c.service(id), spec);
  }
  if (spec.empty()) return Error{"", 0, 0, "--ports", msg::check_nothing_to_probe()};
  return spec;
}

std::vector<probe::RpcInterfaceId> interfaces_to_map(const catalog::Catalog& c) {
  std::vector<probe::RpcInterfaceId> out;
  for (const auto& i : c.rpc_interfaces)
    if (i.ept_map) out.push_back({i.uuid, static_cast<std::uint16_t>(i.version)});
  return out;
}

std::vector<probe::Request> requests_for(const std::vector<Network>& addresses, const probe::PortSpec& spec) {
  std::vector<probe::Request> requests;
  for (const auto& a : addresses)
    for (auto [transport, set] : {std::pair{Transport::tcp, &spec.tcp}, std::pair{Transport::udp, &spec.udp}})
      for (auto r : set->ranges())
        for (std::uint32_t p = r.lo; p <= r.hi; ++p) requests.push_back({a, transport, static_cast<std::uint16_t>(p)});
  return requests;
}

}  // namespace winports::verify
