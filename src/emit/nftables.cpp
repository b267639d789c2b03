// nftables: one table per site, named sets for zones and for the whole site, a base chain that
// accepts by default and sends only the site's traffic to its `site` chain (one commented rule per
// merged flow, then a counted drop). Loads with `nft -f`; re-running it replaces the table
// (declare, delete, define) in one transaction.
#include <algorithm>
#include <set>
#include <sstream>

#include "common.hpp"

namespace winports::emit {
namespace {

std::string element_list(const std::vector<Network>& nets) {
  return "{ " + join(nets, ", ", [](const Network& n) { return n.to_string(); }) + " }";
}

std::string addresses(const std::vector<Network>& nets) {
  return nets.size() == 1 ? nets[0].to_string() : element_list(nets);
}

std::string ports_list(const PortSet& ports) {
  auto out = join(ports.ranges(), ", ", [](const PortRange& r) { return r.to_string(); });
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
  const char* hook = only ? "input" : "forward";
  out << "#!/usr/sbin/nft -f\n";
  const auto lang = in.options.lang;
  out << commented(detail::script_title(in, only), "# ");
  out << commented(msg::script_ports_services_rows.in(lang, detail::ports_from(in, lang)), "# ");
  const bool any_zone = std::any_of(env.zones.begin(), env.zones.end(), [](const plan::Zone& z) { return z.outside; });
  out << commented(msg::nft_header_scope.in(lang, (only ? msg::scope_to_host : msg::scope_between).in(lang),
                                            any_zone ? msg::nft_header_scope_any.in(lang) : std::string(), hook),
                   "# ");
  out << commented(
      msg::nft_header_drops.in(lang, (only ? msg::drops_to_host : msg::drops_between).in(lang), table,
                               in.options.log_drops ? msg::nft_header_drops_logged.in(lang) : std::string()),
      "# ");
  out << commented(msg::nft_header_load.in(lang, table), "# ");
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
  std::vector<int> site_families;
  for (int family : {4, 6}) {
    auto nets = detail::site_networks(env, family);
    if (nets.empty()) continue;
    site_families.push_back(family);
    out << "\tset site_v" << family << " {\n\t\ttype " << (family == 4 ? "ipv4_addr" : "ipv6_addr")
        << "\n\t\tflags interval\n\t\telements = " << element_list(nets) << "\n\t}\n\n";
  }
  out << "\tcounter unplanned {\n\t}\n\n";
  // A drop in any base chain on the hook drops the packet for every table, so the base chain
  // accepts by default and only the site's own traffic goes on to the chain that may drop it.
  out << "\tchain " << hook << " {\n";
  out << "\t\ttype filter hook " << hook << " priority filter; policy accept;\n";
  // Neighbour discovery from a site address (a peer resolving this host's global address) would
  // meet the site chain's invalid drop, since conntrack tracks no ND: on the host's own link
  // (hop limit 255, which no router forwards) it is let through first.
  if (only && std::find(site_families.begin(), site_families.end(), 6) != site_families.end())
    out << "\t\ticmpv6 type { " << detail::kNeighbourDiscovery << " } ip6 hoplimit 255 accept\n";
  for (int family : site_families) {
    std::string ip = family == 4 ? "ip" : "ip6", set = "@site_v" + std::to_string(family);
    out << "\t\t" << ip << " saddr " << set;
    if (!only) out << " " << ip << " daddr " << set;
    out << " jump site\n";
  }
  // Traffic with the outside zone is the site's only between the pairs a flow names: a jump for
  // the site's addresses the outside reaches and one for those that reach it, so any-to-any
  // traffic (another network's) never meets this table's drop. The destination is always named:
  // on a host's input path, traffic to its loopback or link-local addresses stays out.
  for (int family : site_families) {
    auto [to_site, from_site] = detail::outside_pairs(in, family, only);
    std::string ip = family == 4 ? "ip" : "ip6";
    auto any_set = "@zone_" + identifier(std::string(plan::kAnyZone)) + "_v" + std::to_string(family);
    if (!to_site.empty())
      out << "\t\t" << ip << " saddr " << any_set << " " << ip << " daddr " << addresses(to_site) << " jump site\n";
    if (!from_site.empty())
      out << "\t\t" << ip << " saddr " << addresses(from_site) << " " << ip << " daddr " << any_set << " jump site\n";
  }
  out << "\t}\n\n";
  out << "\tchain site {\n";
  out << "\t\tct state established,related accept\n\t\tct state invalid drop\n";
  for (const auto& f : in.plan.flows) {
    for (int family : {4, 6}) {
      auto v = detail::view(f, family, only);
      const auto& src = v.source;
      const auto& dst = v.destination;
      if (src.empty() || dst.empty()) continue;
      std::string ip = family == 4 ? "ip" : "ip6";
      auto set_name = "zone_" + identifier(f.source.zone) + "_v" + std::to_string(family);
      std::string saddr = !f.source.zone.empty() && zone_sets.count(set_name) ? "@" + set_name : addresses(src);
      out << "\n\t\t# " << plan::flow_label(f) << ": " << reasons_text(f, in.catalog, in.options.lang) << "\n";
      auto dst_set = "zone_" + identifier(f.destination.zone) + "_v" + std::to_string(family);
      std::string daddr =
          detail::outside_side(env, f.destination) && zone_sets.count(dst_set) ? "@" + dst_set : addresses(dst);
      out << "\t\t" << ip << " saddr " << saddr;
      if (!only) out << " " << ip << " daddr " << daddr;
      out << " " << match_protocol(f, family) << " accept comment \"" << detail::services_comment(f) << "\"\n";
    }
  }
  out << "\n" << commented(msg::nft_not_in_plan.in(in.options.lang), "\t\t# ");
  // A limit that is exceeded stops its rule, so the log has a rule of its own and the drop
  // after it applies to every packet.
  if (in.options.log_drops)
    out << "\t\tlimit rate 10/second burst 20 packets log prefix \"" << detail::log_prefix(env.site) << "\"\n";
  out << "\t\tcounter name unplanned drop\n";
  out << "\t}\n}\n";
  return out.str();
}

}  // namespace winports::emit
