// Cisco ASA (9.x, unified IPv4/IPv6 ACLs): a network object-group per endpoint, a service
// object-group per merged TCP/UDP flow, and one extended access list with a remark per flow.
// The ASA is stateful, so return traffic needs no rule. Pasted in configuration mode, the output
// first clears its own access list and object-groups, so running it twice gives the same config;
// binding it to an interface (access-group) is left to the administrator, who knows the interface.
#include <map>
#include <sstream>

#include "common.hpp"

namespace winports::emit {
namespace {

std::string name_part(std::string_view text, std::size_t limit) {
  std::string out;
  for (char ch : text) {
    if (out.size() == limit) break;
    out += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' ? ch : '_';
  }
  return out;
}

std::string network_object(const plan::Network& n) {
  const int full = n.family == 4 ? 32 : 128;
  if (n.prefix == full) return "network-object host " + n.to_string();
  if (n.family == 6) return "network-object " + n.to_string();
  std::uint32_t mask = n.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - n.prefix);
  auto address = n.to_string();
  address.resize(address.find('/'));
  return "network-object " + address + " " + std::to_string(mask >> 24) + "." + std::to_string((mask >> 16) & 255) +
         "." + std::to_string((mask >> 8) & 255) + "." + std::to_string(mask & 255);
}

// ASA remarks hold at most 100 characters; cut at a UTF-8 character boundary.
std::string remark(std::string text) {
  if (text.size() <= 100) return text;
  std::size_t cut = 97;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

struct Writer {
  const Input& in;
  const plan::Host* only;
  std::string acl;
  std::ostringstream clear, groups, rules;
  std::map<std::string, std::string> network_groups;  // endpoint name → object-group name
  int services = 0;

  std::string network_group(const plan::Endpoint& e, const std::vector<plan::Network>& nets) {
    std::string key = e.name;
    for (const auto& n : nets) key += " " + n.to_string();
    if (auto it = network_groups.find(key); it != network_groups.end()) return it->second;
    std::string name = "wp-" + name_part(in.env.site, 16) + "-" + std::to_string(network_groups.size() + 1) + "-" +
                       name_part(e.name, 30);
    network_groups[key] = name;
    clear << "no object-group network " << name << "\n";
    groups << "object-group network " << name << "\n description " << remark(e.name) << "\n";
    for (const auto& n : nets) groups << " " << network_object(n) << "\n";
    return name;
  }

  std::string service_group(const plan::Flow& f) {
    std::string name = "wp-" + name_part(in.env.site, 16) + "-svc-" + std::to_string(++services);
    clear << "no object-group service " << name << "\n";
    groups << "object-group service " << name << " " << to_string(f.transport) << "\n";
    for (auto r : f.ports.ranges())
      groups << (r.lo == r.hi ? " port-object eq " + std::to_string(r.lo)
                              : " port-object range " + std::to_string(r.lo) + " " + std::to_string(r.hi))
             << "\n";
    return name;
  }

  void flow(const plan::Flow& f) {
    if (f.transport == Transport::icmp || f.transport == Transport::icmpv6) {
      // An ACE's ICMP version picks one family, so ICMP gets one rule per family.
      for (int family : {4, 6}) {
        auto v = detail::view(f, family, only);
        if (!v.source.empty() && !v.destination.empty())
          ace(f, v.source, v.destination, std::string(family == 4 ? "icmp" : "icmp6"));
      }
      return;
    }
    auto [src, dst] = detail::view_all(f, only);
    if (!src.empty() && !dst.empty()) ace(f, src, dst, std::string(to_string(f.transport)));
  }

  void ace(const plan::Flow& f, const std::vector<plan::Network>& src, const std::vector<plan::Network>& dst,
           const std::string& protocol) {
    auto s = "object-group " + network_group(f.source, src);
    auto d = "object-group " + network_group(f.destination, dst);
    rules << "access-list " << acl << " remark "
          << remark(f.source.name + " -> " + f.destination.name + ": " +
                    plan::reasons_text(f, in.catalog, in.options.lang))
          << "\n";
    rules << "access-list " << acl << " extended permit " << protocol << " " << s;
    if (f.transport == Transport::tcp || f.transport == Transport::udp)
      rules << (f.source_port ? " eq " + std::to_string(*f.source_port) : "") << " " << d << " object-group "
            << service_group(f);
    else
      rules << " " << d << (f.icmp_type == "echo" ? " echo" : "");
    rules << "\n";
  }
};

}  // namespace

Result<std::string> emit_asa(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  Writer w{in, *only, "winports-" + name_part(in.env.site, 40), {}, {}, {}, {}, 0};
  for (const auto& f : in.plan.flows) w.flow(f);
  std::ostringstream out;
  out << "! winports plan for site " << in.env.site << (*only ? " (traffic to " + (*only)->name + ")" : "")
      << ", for Cisco ASA 9.x (configuration mode).\n";
  out << "! Ports from Microsoft KB 832017; each remark names the services and KB rows of the next rule.\n";
  out << "! Re-running replaces the list and its groups. Bind it: access-group " << w.acl << " in interface <inside>\n";
  out << "clear configure access-list " << w.acl << "\n" << w.clear.str() << w.groups.str() << w.rules.str();
  return out.str();
}

}  // namespace winports::emit
