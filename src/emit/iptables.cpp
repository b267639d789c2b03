// iptables-restore (and ip6tables-restore): the filter table with a drop policy on FORWARD (or,
// with --host, INPUT), conntrack for return traffic, one rule per merged flow; multiport takes at
// most 15 ports (a range counts as two), so longer port lists are split across rules.
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

Result<std::string> emit_family(const Input& in, int family) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  const std::string chain = *only ? "INPUT" : "FORWARD";
  std::ostringstream out;
  out << "# winports plan for site " << in.env.site << (*only ? " (host firewall of " + (*only)->name + ")" : "")
      << ", for " << (family == 4 ? "iptables-restore" : "ip6tables-restore") << "\n";
  out << "# Ports from Microsoft KB 832017; each rule names the services it serves.\n";
  out << "*filter\n:" << chain << " DROP [0:0]\n";
  if (*only) out << "-A INPUT -i lo -j ACCEPT\n";
  out << "-A " << chain << " -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n";
  out << "-A " << chain << " -m conntrack --ctstate INVALID -j DROP\n";
  for (const auto& f : in.plan.flows) {
    auto v = detail::view(f, family, *only);
    if (v.source.empty() || v.destination.empty()) continue;
    std::string head = "-A " + chain + " -s " + detail::joined(v.source, ",");
    if (!*only) head += " -d " + detail::joined(v.destination, ",");
    std::string tail = " -m comment --comment \"" + detail::services_comment(f) + "\" -j ACCEPT\n";
    out << "# " << f.source.name << " -> " << f.destination.name << ": "
        << plan::reasons_text(f, in.catalog, in.options.lang) << "\n";
    switch (f.transport) {
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
  out << "COMMIT\n";
  return out.str();
}

}  // namespace

Result<std::string> emit_iptables(const Input& in) { return emit_family(in, 4); }
Result<std::string> emit_ip6tables(const Input& in) { return emit_family(in, 6); }

}  // namespace winports::emit
