// nftables: one table per site, named sets for zones, a forward chain with policy drop (or, with
// --host, that host's input chain), one commented rule per merged flow. Loads with `nft -f`;
// re-running it replaces the table (declare, delete, define).
#include <algorithm>
#include <set>
#include <sstream>

#include "common.hpp"

namespace winports::emit {
namespace {

std::string identifier(std::string_view text) {
  std::string out;
  for (char ch : text) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

std::string element_list(const std::vector<plan::Network>& nets) {
  std::string out;
  for (const auto& n : nets) out += (out.empty() ? "" : ", ") + n.to_string();
  return "{ " + out + " }";
}

std::string addresses(const std::vector<plan::Network>& nets) {
  return nets.size() == 1 ? nets[0].to_string() : element_list(nets);
}

std::string ports_list(const PortSet& ports) {
  std::string out;
  for (auto r : ports.ranges()) out += (out.empty() ? "" : ", ") + r.to_string();
  return ports.ranges().size() == 1 ? out : "{ " + out + " }";
}

std::string match_protocol(const plan::Flow& f, int family) {
  switch (f.transport) {
    case Transport::tcp:
    case Transport::udp: {
      std::string p(to_string(f.transport));
      std::string out;
      if (f.source_port) out += p + " sport " + std::to_string(*f.source_port) + " ";
      return out + p + " dport " + ports_list(f.ports);
    }
    case Transport::icmp:
    case Transport::icmpv6: {
      bool v6 = family == 6;
      std::string proto = v6 ? "icmpv6" : "icmp";
      if (f.icmp_type == "echo") return proto + " type echo-request";
      return std::string("meta l4proto ") + (v6 ? "ipv6-icmp" : "icmp");
    }
    default:
      return "meta l4proto " + std::string(to_string(f.transport));
  }
}

}  // namespace

Result<std::string> emit_nftables(const Input& in) {
  const auto& env = in.env;
  auto selected = detail::selected_host(in);
  if (!selected) return selected.error();
  const plan::Host* only = *selected;
  std::ostringstream out;
  auto table = "winports_" + identifier(env.site);
  out << "#!/usr/sbin/nft -f\n";
  out << "# winports plan for site " << env.site << (only ? " (host firewall of " + only->name + ")" : "") << "\n";
  out << "# Ports from Microsoft KB 832017; each rule names the services and KB rows it serves.\n";
  out << "# Re-running this file replaces the table.\n";
  out << "table inet " << table << "\ndelete table inet " << table << "\n\n";
  out << "table inet " << table << " {\n";
  std::set<std::string> zone_sets;
  for (const auto& z : env.zones)
    for (int family : {4, 6}) {
      auto nets = detail::of_family(z.networks, family);
      if (nets.empty()) continue;
      auto name = "zone_" + identifier(z.name) + "_v" + std::to_string(family);
      zone_sets.insert(name);
      out << "\tset " << name << " {\n\t\ttype " << (family == 4 ? "ipv4_addr" : "ipv6_addr")
          << "\n\t\tflags interval\n\t\telements = " << element_list(nets) << "\n\t}\n\n";
    }
  out << "\tchain " << (only ? "input" : "forward") << " {\n";
  out << "\t\ttype filter hook " << (only ? "input" : "forward") << " priority filter; policy drop;\n";
  if (only) out << "\t\tiif lo accept\n";
  out << "\t\tct state established,related accept\n\t\tct state invalid drop\n";
  for (const auto& f : in.plan.flows) {
    for (int family : {4, 6}) {
      auto v = detail::view(f, family, only);
      const auto& src = v.source;
      const auto& dst = v.destination;
      if (src.empty() || dst.empty()) continue;
      std::string ip = family == 4 ? "ip" : "ip6";
      auto set_name = "zone_" + identifier(f.source.name) + "_v" + std::to_string(family);
      std::string saddr = env.zone(f.source.name) && zone_sets.count(set_name) ? "@" + set_name : addresses(src);
      out << "\n\t\t# " << f.source.name << " -> " << f.destination.name << ": "
          << reasons_text(f, in.catalog, in.options.lang) << "\n";
      out << "\t\t" << ip << " saddr " << saddr;
      if (!only) out << " " << ip << " daddr " << addresses(dst);
      out << " " << match_protocol(f, family) << " accept comment \"" << detail::services_comment(f) << "\"\n";
    }
  }
  out << "\t}\n}\n";
  return out.str();
}

}  // namespace winports::emit
