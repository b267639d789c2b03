// iptables-restore --noflush (and ip6tables): the site's own chains in the filter table, reached by
// one jump from FORWARD (or, with --host, INPUT) that only the site's traffic follows; conntrack
// for return traffic, one rule per merged flow, a counted drop for the rest of the site's traffic.
// multiport takes at most 15 ports (a range counts as two), so longer port lists are split.
// `iptables-script` wraps both families' restores with the jump added only if missing.
#include <cctype>
#include <sstream>

#include "common.hpp"

namespace winports::emit {
namespace {

std::vector<std::string> multiport_chunks(const PortSet& ports) {
  std::vector<std::string> chunks;
  std::string current;
  int slots = 0;
  for (auto r : ports.ranges()) {
    int need = r.lo == r.hi ? 1 : 2;
    if (slots + need > 15) chunks.push_back(current), current.clear(), slots = 0;
    current += (current.empty() ? "" : ",") +
               (r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + ":" + std::to_string(r.hi));
    slots += need;
  }
  if (!current.empty()) chunks.push_back(current);
  return chunks;
}

// The site's chains: `base` is jumped to from FORWARD (INPUT with --host) and passes on only
// the site's traffic; `base-site` decides it. iptables allows 28 characters in a chain name, so a
// long site name is cut and a hash of the whole name keeps two sites apart.
struct Chains {
  std::string base, destination, site;
};

Chains chains_for(const Input& in, bool host_variant) {
  auto id = identifier(in.env.site, "-");
  std::string base = (host_variant ? "wpin-" : "wp-") + id;
  constexpr std::size_t kLongestBase = 28 - 5;  // room for "-site"
  if (base.size() > kLongestBase) {
    base = base.substr(0, kLongestBase - 6) + "-" + detail::content_hash(in.env.site, 5);
  }
  return {base, base + "-dst", base + "-site"};
}

// Address lists joined with ",", cut so that none passes iptables-restore's parameter limit (1024
// bytes with its terminator: "Parameter too long!"); a longer list becomes several rules. The
// outside zone of a dual-stack site is the IPv6 complement of its networks, some 80 prefixes.
std::vector<std::string> address_chunks(const std::vector<Network>& networks) {
  constexpr std::size_t kMaxParameter = 1000;
  std::vector<std::string> out;
  for (const auto& n : networks) {
    auto text = n.to_string();
    if (out.empty() || out.back().size() + 1 + text.size() > kMaxParameter)
      out.push_back(text);
    else
      out.back() += "," + text;
  }
  return out;
}

// The restore text of one family: only the site's chains, for iptables-restore --noflush.
Result<std::string> restore_text(const Input& in, int family, bool with_header) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  const auto c = chains_for(in, *only != nullptr);
  const std::string hook = *only ? "INPUT" : "FORWARD";
  const std::string tool = family == 4 ? "iptables" : "ip6tables";
  std::ostringstream out;
  if (with_header) {
    const auto lang = in.options.lang;
    out << commented(msg::ipt_header_title.in(lang, detail::script_title(in, *only), tool), "# ");
    out << commented(msg::script_ports_services.in(lang, detail::ports_from(in, lang)), "# ");
    out << commented(msg::ipt_header_chains.in(lang, c.base, tool, hook), "# ");
    out << commented(
        msg::ipt_header_scope.in(lang, (*only ? msg::scope_to_host : msg::scope_between).in(lang), hook, c.site, tool),
        "# ");
  }
  out << "*filter\n:" << c.base << " - [0:0]\n";
  if (!*only) out << ":" << c.destination << " - [0:0]\n";
  out << ":" << c.site << " - [0:0]\n";
  // Goto, not jump: when a source or destination is not the site's, the packet returns straight
  // to the hook's chain, as if these chains were not there.
  auto site_nets = detail::site_networks(in.env, family);
  // Neighbour discovery on the host's own link returns to INPUT before the site's drop: conntrack
  // tracks no ND, so a peer resolving this host's global address would be dropped as invalid.
  if (*only && family == 6 && !site_nets.empty())
    for (auto type : detail::kNeighbourDiscoveryIptables)
      out << "-A " << c.base << " -p ipv6-icmp -m icmp6 --icmpv6-type " << type << " -m hl --hl-eq 255 -j RETURN\n";
  for (const auto& n : site_nets)
    out << "-A " << c.base << " -s " << n.to_string() << " -g " << (*only ? c.site : c.destination) << "\n";
  // The outside zone's pairs (any -> host, host -> any): what falls through the lines above has a
  // source (or destination) outside the site, so naming the other end is enough; its destination
  // is always named, so a host's loopback and link-local traffic stay out.
  // One line per side, every pair's addresses together: two would overlap (the audit says so).
  auto [from_outside, to_outside] = detail::outside_pairs(in, family, *only);
  for (const auto& chunk : address_chunks(from_outside))
    out << "-A " << c.base << " -d " << chunk << " -g " << c.site << "\n";
  if (!*only)
    for (const auto& n : site_nets)
      out << "-A " << c.destination << " -d " << n.to_string() << " -g " << c.site << "\n";
  if (!*only)
    for (const auto& chunk : address_chunks(to_outside))
      out << "-A " << c.destination << " -s " << chunk << " -g " << c.site << "\n";
  out << "-A " << c.site << " -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n";
  out << "-A " << c.site << " -m conntrack --ctstate INVALID -j DROP\n";
  for (const auto& f : in.plan.flows) {
    auto v = detail::view(f, family, *only);
    if (v.source.empty() || v.destination.empty()) continue;
    std::vector<std::string> heads;
    for (const auto& sources : address_chunks(v.source)) {
      if (*only) {
        heads.push_back("-A " + c.site + " -s " + sources);
        continue;
      }
      for (const auto& destinations : address_chunks(v.destination))
        heads.push_back("-A " + c.site + " -s " + sources + " -d " + destinations);
    }
    std::string tail = " -m comment --comment \"" + detail::services_comment(f) + "\" -j ACCEPT\n";
    out << "# " << plan::flow_label(f) << ": " << plan::reasons_text(f, in.catalog, in.options.lang) << "\n";
    for (const auto& head : heads) switch (f.transport) {
        case Transport::tcp:
        case Transport::udp: {
          std::string p(to_string(f.transport));
          std::string sport = f.source_port ? " --sport " + std::to_string(*f.source_port) : "";
          for (const auto& chunk : multiport_chunks(f.ports))
            out << head << " -p " << p << " -m " << p << sport << " -m multiport --dports " << chunk << tail;
          break;
        }
        case Transport::icmp:
        case Transport::icmpv6:
          if (family == 4)
            out << head << " -p icmp" << (f.icmp_type == "echo" ? " --icmp-type echo-request" : "") << tail;
          else
            out << head << " -p ipv6-icmp" << (f.icmp_type == "echo" ? " --icmpv6-type echo-request" : "") << tail;
          break;
        default:
          out << head << " -p " << to_string(f.transport) << tail;
      }
  }
  if (in.options.log_drops)
    out << "-A " << c.site << " -m limit --limit 10/sec --limit-burst 20 -j LOG --log-prefix \""
        << detail::log_prefix(in.env.site) << "\"\n";
  out << "-A " << c.site << " -m comment --comment \"not in the plan\" -j DROP\n";
  out << "COMMIT\n";
  return out.str();
}

}  // namespace

Result<std::string> emit_iptables(const Input& in) { return restore_text(in, 4, true); }
Result<std::string> emit_ip6tables(const Input& in) { return restore_text(in, 6, true); }

// One shell script for both families: each restore with --noflush, then the jump added only if it
// is missing, so the script can run any number of times.
Result<std::string> emit_iptables_script(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  const auto c = chains_for(in, *only != nullptr);
  const std::string hook = *only ? "INPUT" : "FORWARD";
  std::ostringstream out;
  out << "#!/bin/sh\n";
  const auto lang = in.options.lang;
  out << commented(msg::ipt_script_title.in(lang, detail::script_title(in, *only)), "# ");
  out << commented(
      msg::ipt_script_body.in(lang, c.base, hook, (*only ? msg::scope_to_host : msg::scope_between).in(lang), c.site),
      "# ");
  out << "set -eu\n";
  for (int family : {4, 6}) {
    if (detail::site_networks(in.env, family).empty()) continue;
    auto text = restore_text(in, family, false);
    if (!text) return text.error();
    const std::string tool = family == 4 ? "iptables" : "ip6tables";
    out << "\n" << tool << "-restore -w --noflush <<'WINPORTS_RULES'\n" << *text << "WINPORTS_RULES\n";
    out << tool << " -w -C " << hook << " -j " << c.base << " 2>/dev/null || " << tool << " -w -I " << hook << " 1 -j "
        << c.base << "\n";
  }
  return out.str();
}

}  // namespace winports::emit
