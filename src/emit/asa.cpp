// Cisco ASA (9.x, unified IPv4/IPv6 ACLs): network and service object-groups and extended access
// lists, every name derived from its content — the same members give the same group name and the
// same rules the same list name, so a change to one part of the site renames nothing else and a
// change review shows only what changed. Replacing leaves no gap: the new list is defined beside
// the one in use, bound with `access-group` (which swaps the interface's binding in one step), and
// only then is the previous list removed (named by --replace-acl, or by the closing remark). A zone
// may name the interface its traffic arrives on (`asa_interface`): each interface then gets the
// list of the flows entering it. The ASA is stateful, so return traffic needs no rule.
#include <map>
#include <set>
#include <sstream>

#include "common.hpp"
#include "winports/core/messages.hpp"

namespace winports::emit {
namespace {

std::string name_part(std::string_view text, std::size_t limit) {
  auto out = identifier(text, "-_.");
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string network_object(const Network& n) {
  const int full = n.family == 4 ? 32 : 128;
  if (n.prefix == full) return "network-object host " + n.to_string();
  if (n.family == 6) return "network-object " + n.to_string();
  std::uint32_t mask = n.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - n.prefix);
  auto address = n.to_string();
  address.resize(address.find('/'));
  return "network-object " + address + " " + std::to_string(mask >> 24) + "." + std::to_string((mask >> 16) & 255) +
         "." + std::to_string((mask >> 8) & 255) + "." + std::to_string(mask & 255);
}

// Cut at a UTF-8 character boundary: remarks hold 100 characters, descriptions 200.
std::string cut(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t at = limit - 3;
  while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  return text.substr(0, at) + "...";
}

struct Group {
  std::string definition;           // the lines after "object-group …"
  std::vector<std::string> owners;  // endpoint names that use it (network groups' description)
  std::string header;
};

struct Writer {
  const Input& in;
  const plan::Host* only;
  std::string prefix;  // "wp-SITE"
  std::map<std::string, Group> groups;
  std::vector<std::string> group_order;                  // first use first
  std::map<std::string, std::vector<std::string>> aces;  // interface ("" = one list) → ACE lines (without the name)

  const std::string& add_group(const std::string& kind, const std::string& header, const std::string& body,
                               const std::string& owner) {
    auto name = prefix + (kind == "network" ? "-n-" : "-s-") + detail::content_hash(header + "\n" + body);
    auto [it, fresh] = groups.try_emplace(name, Group{body, {}, "object-group " + kind + " " + name + header});
    if (fresh) group_order.push_back(name);
    // Endpoint names may already be lists ("mail1,web1"): each name once.
    auto& owners = it->second.owners;
    for (std::size_t start = 0; start < owner.size();) {
      auto end = std::min(owner.find(',', start), owner.size());
      auto one = owner.substr(start, end - start);
      if (std::find(owners.begin(), owners.end(), one) == owners.end()) owners.push_back(one);
      start = end + 1;
    }
    return it->first;
  }

  std::string network_group(const std::string& owner, std::vector<Network> nets) {
    std::sort(nets.begin(), nets.end());
    std::string body;
    for (const auto& n : nets) body += " " + network_object(n) + "\n";
    return add_group("network", "", body, owner);
  }

  std::string service_group(const plan::Flow& f) {
    std::string body;
    for (auto r : f.ports.ranges())
      body += (r.lo == r.hi ? " port-object eq " + std::to_string(r.lo)
                            : " port-object range " + std::to_string(r.lo) + " " + std::to_string(r.hi)) +
              "\n";
    return add_group("service", " " + std::string(to_string(f.transport)), body, "");
  }

  // The interface a source network's traffic arrives on: its zone's, or "" when no zone names one.
  std::string interface_of(const Network& n) const {
    for (const auto& z : in.env.zones)
      for (const auto& zn : z.networks)
        if (zn.contains(n)) return z.asa_interface;
    return "";
  }

  void flow(const plan::Flow& f, bool by_interface) {
    auto pieces = [&](const std::vector<Network>& src, const std::vector<Network>& dst, const std::string& protocol) {
      if (src.empty() || dst.empty()) return;
      if (!by_interface) return ace("", f, src, dst, protocol);
      std::map<std::string, std::vector<Network>> per_interface;
      for (const auto& n : src) per_interface[interface_of(n)].push_back(n);
      for (const auto& [iface, nets] : per_interface) {
        if (iface.empty()) {
          detail::refuse(in, say(Msg::emit_asa_no_interface, in.options.lang,
                                 {plan::flow_label(f), protocol, nets.front().to_string()}));
          continue;
        }
        ace(iface, f, nets, dst, protocol);
      }
    };
    if (f.transport == Transport::icmp || f.transport == Transport::icmpv6) {
      // An ACE's ICMP version picks one family, so ICMP gets one rule per family.
      for (int family : {4, 6}) {
        auto v = detail::view(f, family, only);
        pieces(v.source, v.destination, family == 4 ? "icmp" : "icmp6");
      }
      return;
    }
    auto [src, dst] = detail::view_all(f, only);
    pieces(src, dst, std::string(to_string(f.transport)));
  }

  void ace(const std::string& iface, const plan::Flow& f, const std::vector<Network>& src,
           const std::vector<Network>& dst, const std::string& protocol) {
    auto& lines = aces[iface];
    lines.push_back("remark " +
                    cut(plan::flow_label(f) + ": " + plan::reasons_text(f, in.catalog, in.options.lang), 100));
    std::string rule = "extended permit " + protocol + " object-group " + network_group(f.source.name, src);
    auto d = "object-group " + network_group(f.destination.name, dst);
    if (f.transport == Transport::tcp || f.transport == Transport::udp)
      rule += (f.source_port ? " eq " + std::to_string(*f.source_port) : "") + " " + d + " object-group " +
              service_group(f);
    else
      rule += " " + d + (f.icmp_type == "echo" ? " echo" : "");
    lines.push_back(rule);
  }
};

// --replace-acl: "NAME" for the one list, "INTERFACE=NAME" per interface.
std::map<std::string, std::string> previous_lists(const Input& in) {
  std::map<std::string, std::string> out;
  for (const auto& item : in.options.replace_acl) {
    auto eq = item.find('=');
    if (eq == std::string::npos)
      out[""] = item;
    else
      out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

}  // namespace

Result<std::string> emit_asa(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  bool by_interface = std::any_of(in.env.zones.begin(), in.env.zones.end(),
                                  [](const plan::Zone& z) { return !z.asa_interface.empty(); });
  if (!by_interface) detail::refuse(in, say(Msg::emit_asa_one_list, in.options.lang));
  Writer w{in, *only, "wp-" + name_part(in.env.site, 16), {}, {}, {}};
  for (const auto& f : in.plan.flows) w.flow(f, by_interface);
  auto previous = previous_lists(in);
  for (const auto& [iface, name] : previous)
    if (!w.aces.count(iface))
      return Error{in.env.file, 0, 0, "--replace-acl",
                   iface.empty() ? said(Msg::asa_list_without_interface) : said(Msg::asa_no_flow_enters, {iface})};

  std::ostringstream out;
  out << "! winports plan for site " << in.env.site << (*only ? " (traffic to " + (*only)->name + ")" : "")
      << ", for Cisco ASA 9.x (configuration mode).\n";
  out << "! Ports from " << detail::ports_from(in)
      << "; each remark names the services and KB rows of the next rule.\n";
  out << "! Names derive from content: an unchanged group or list keeps its name, and re-entering it adds nothing.\n";
  out << "! Order: groups, the new list beside the one in use, access-group (swaps the binding in one step),\n";
  out << "! then the previous list is removed: at no moment is an interface without its list.\n";
  out << "!\n! Object-groups\n";
  for (const auto& name : w.group_order) {
    const auto& g = w.groups.at(name);
    out << g.header << "\n";
    if (!g.owners.empty()) {
      std::string owners;
      for (const auto& o : g.owners) owners += (owners.empty() ? "" : ",") + o;
      out << " description " << cut(owners, 200) << "\n";
    }
    out << g.definition;
  }
  for (const auto& [iface, lines] : w.aces) {
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    auto acl = w.prefix + (iface.empty() ? "" : "-" + name_part(iface, 16)) + "-" + detail::content_hash(all);
    auto old = previous.find(iface);
    std::string where = iface.empty() ? "<interface>" : iface;
    out << "!\n! Access list for traffic arriving on " << (iface.empty() ? "the site's interface" : iface) << "\n";
    if (old != previous.end() && old->second == acl) {
      out << "! " << acl << " is the list in use and has not changed: nothing to replace.\n";
      continue;
    }
    for (const auto& l : lines) out << "access-list " << acl << " " << l << "\n";
    if (iface.empty())
      out << "! Bind it to the interface the site's traffic arrives on:\n! access-group " << acl
          << " in interface <interface>\n";
    else
      out << "access-group " << acl << " in interface " << iface << "\n";
    if (old != previous.end())
      out << (iface.empty() ? "! then remove the list it replaced:\n! " : "") << "clear configure access-list "
          << old->second << "\n";
    else
      out << "! Then remove the list it replaced (`show running-config access-group` names it): clear configure "
             "access-list <previous>\n";
  }
  out << "!\n! Object-groups of earlier plans that no list uses any more can go with `no object-group …`\n"
         "! (the ASA refuses to remove a group in use).\n";
  return out.str();
}

}  // namespace winports::emit
