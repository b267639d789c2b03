// nftables: one table per site, named sets for zones, a forward chain with policy drop (or, with
// --host, that host's input chain), one commented rule per merged flow. Loads with `nft -f`;
// re-running it replaces the table (declare, delete, define).
#include <algorithm>
#include <set>
#include <sstream>

#include "winports/emit/emitter.hpp"

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

std::vector<plan::Network> of_family(const std::vector<plan::Network>& nets, int family) {
  std::vector<plan::Network> out;
  std::copy_if(nets.begin(), nets.end(), std::back_inserter(out),
               [&](const plan::Network& n) { return n.family == family; });
  return out;
}

std::string ports_list(const PortSet& ports) {
  std::string out;
  for (auto r : ports.ranges()) out += (out.empty() ? "" : ", ") + r.to_string();
  return ports.ranges().size() == 1 ? out : "{ " + out + " }";
}

// nft comments are limited to 128 bytes; the full KB trace goes on the line above.
std::string short_comment(const std::vector<std::string>& services) {
  std::string out;
  for (const auto& s : services) {
    std::string next = out + (out.empty() ? "" : ",") + s;
    if (next.size() > 120) return out + ",…";
    out = next;
  }
  return out;
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
  const plan::Host* only = nullptr;
  if (!in.options.host.empty()) {
    only = env.host(in.options.host);
    if (!only) return Error{env.file, 0, 0, "--host", "no host named '" + in.options.host + "'"};
  }
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
      auto nets = of_family(z.networks, family);
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
      auto src = of_family(f.source.networks, family);
      auto dst = of_family(f.destination.networks, family);
      if (only)
        dst.erase(std::remove_if(dst.begin(), dst.end(), [&](const auto& n) { return !n.contains(only->address); }),
                  dst.end());
      if (src.empty() || dst.empty()) continue;
      if (family == 4 && f.transport == Transport::icmpv6) continue;
      if (family == 6 && f.transport == Transport::icmp) continue;
      std::string ip = family == 4 ? "ip" : "ip6";
      auto set_name = "zone_" + identifier(f.source.name) + "_v" + std::to_string(family);
      std::string saddr = env.zone(f.source.name) && zone_sets.count(set_name) ? "@" + set_name : addresses(src);
      out << "\n\t\t# " << f.source.name << " -> " << f.destination.name << ": "
          << reasons_text(f, in.catalog, in.options.lang) << "\n";
      out << "\t\t" << ip << " saddr " << saddr;
      if (!only) out << " " << ip << " daddr " << addresses(dst);
      out << " " << match_protocol(f, family) << " accept comment \"" << short_comment(plan::services_of(f)) << "\"\n";
    }
  }
  out << "\t}\n}\n";
  return out.str();
}

}  // namespace winports::emit
