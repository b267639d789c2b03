#pragma once
// Helpers every emitter shares: address families, host-variant filtering, comments.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "winports/core/memo.hpp"
#include "winports/core/messages.hpp"
#include "winports/core/text.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/emit/messages.hpp"

namespace winports::emit::detail {

// Where the plan's ports come from, for an output's header: KB 832017, and other Microsoft
// documents only when a rule serves one of their rows (each such rule then says "doc:").
inline std::string ports_from(const Input& in, Lang lang = Lang::en) {
  bool doc = false;
  for (const auto& f : in.plan.flows)
    for (const auto& r : f.reasons)
      if (const auto* s = in.catalog.service(r.service))
        doc = doc || s->requirements[r.requirement].origin != catalog::Origin::kb;
  if (!doc) return "Microsoft KB 832017";
  return msg::emit_sources_kb_and_doc.in(lang);
}

// Text cut to `limit` bytes with "..." at a UTF-8 character boundary: a device's or a cloud's field
// holds so many, and a Japanese text must not end in half a character.
inline std::string cut_utf8(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

// An output's title line: the site, and the host when the output is one host's firewall.
inline std::string script_title(const Input& in, const plan::Host* only) {
  auto lang = in.options.lang;
  return only ? msg::script_title_host.in(lang, in.env.site, only->name) : msg::script_title.in(lang, in.env.site);
}

// Whether a flow's side is the outside zone (`any`: every address in no zone of the site).
inline bool outside_side(const plan::Environment& env, const plan::Endpoint& side) {
  const auto* z = side.zone.empty() ? nullptr : env.zone(side.zone);
  return z && z->outside;
}

inline std::vector<Network> of_family(const std::vector<Network>& nets, int family) {
  std::vector<Network> out;
  std::copy_if(nets.begin(), nets.end(), std::back_inserter(out), [&](const Network& n) { return n.family == family; });
  return out;
}

inline std::string joined(const std::vector<Network>& nets, std::string_view separator) {
  return join(nets, separator, [](const Network& n) { return n.to_string(); });
}

// IPv6 neighbour discovery's messages (RFC 4861: router solicitation and advertisement, neighbour
// solicitation and advertisement), as nft names them: what a host firewall passes on its own link.
inline constexpr std::string_view kNeighbourDiscovery =
    "nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert";
inline constexpr std::array<std::string_view, 4> kNeighbourDiscoveryIptables = {
    "router-solicitation", "router-advertisement", "neighbour-solicitation", "neighbour-advertisement"};

// The addresses of one flow in one family, after the host variant (--host) is applied;
// empty `source` or `destination` means the flow has nothing in this family.
struct FamilyView {
  std::vector<Network> source;
  std::vector<Network> destination;
};

// The KB's "ICMP" is the address family's ICMP (ping and path MTU work the same way over ICMPv6);
// only a requirement that names ICMPv6 is limited to IPv6.
inline bool carried_in(const plan::Flow& f, int family) { return !(family == 4 && f.transport == Transport::icmpv6); }

// A destination network reaches a host when it holds one of the host's addresses (--host, and each
// host's own Windows rules).
inline bool reaches(const Network& destination, const plan::Host& h) {
  return std::any_of(h.addresses.begin(), h.addresses.end(), [&](const Network& a) { return destination.contains(a); });
}

inline FamilyView view(const plan::Flow& f, int family, const plan::Host* only) {
  if (!carried_in(f, family)) return {};
  FamilyView v{of_family(f.source.networks, family), of_family(f.destination.networks, family)};
  if (only)
    v.destination.erase(std::remove_if(v.destination.begin(), v.destination.end(),
                                       [&](const Network& n) { return !reaches(n, *only); }),
                        v.destination.end());
  return v;
}

// Both families of one flow, each kept only where it has a source and a destination.
inline FamilyView view_all(const plan::Flow& f, const plan::Host* only) {
  FamilyView out;
  for (int family : {4, 6}) {
    auto v = view(f, family, only);
    if (v.source.empty() || v.destination.empty()) continue;
    out.source.insert(out.source.end(), v.source.begin(), v.source.end());
    out.destination.insert(out.destination.end(), v.destination.begin(), v.destination.end());
  }
  return out;
}

// Every address of the site in one family: its zones' networks and its hosts' addresses, with
// the ones inside another left out (nft refuses overlapping elements in an interval set). The
// emitters for live firewalls act only on traffic whose ends are both in here; the rest of what a
// router carries is not the site's to decide.
// The networks given, each once and none inside another (widest kept), in address order.
inline std::vector<Network> fewest_networks(std::vector<Network> nets) {
  std::sort(nets.begin(), nets.end(), [](const Network& a, const Network& b) {
    return a.prefix != b.prefix ? a.prefix < b.prefix : a < b;  // widest first
  });
  std::vector<Network> out;
  for (const auto& n : nets)
    if (std::none_of(out.begin(), out.end(), [&](const Network& kept) { return kept.contains(n); })) out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

// The site's own networks: every zone's but the outside one (`any`), whose traffic is the site's
// only between the pairs its flows name (outside_side below).
inline std::vector<Network> site_networks(const plan::Environment& env, int family) {
  std::vector<Network> all;
  for (const auto& z : env.zones)
    for (const auto& n : z.networks)
      if (n.family == family && !z.outside) all.push_back(n);
  for (const auto& h : env.hosts)
    for (const auto& a : h.addresses)
      if (a.family == family) all.push_back(a);
  return fewest_networks(std::move(all));
}

// The site's side of every pair with the outside zone, in one family: the destinations the
// outside reaches (first) and the sources that reach it (second), each address once and none
// inside another, so a scope line per side covers every pair without two overlapping.
inline std::pair<std::vector<Network>, std::vector<Network>> outside_pairs(const Input& in, int family,
                                                                           const plan::Host* only) {
  std::vector<Network> to_site, from_site;
  for (const auto& f : in.plan.flows) {
    auto v = view(f, family, only);
    if (v.source.empty() || v.destination.empty()) continue;
    if (outside_side(in.env, f.source))
      to_site.insert(to_site.end(), v.destination.begin(), v.destination.end());
    else if (outside_side(in.env, f.destination))
      from_site.insert(from_site.end(), v.source.begin(), v.source.end());
  }
  return {fewest_networks(std::move(to_site)), fewest_networks(std::move(from_site))};
}

// The log prefix of dropped site traffic: the site's name, quoted safely, within the 127 bytes
// nftables and the LOG target both allow (iptables: 29).
inline std::string log_prefix(std::string_view site, std::size_t limit = 28) {
  std::string out = "winports " + identifier(site, "-_.", '\0');
  if (out.size() > limit - 2) out.resize(limit - 2);
  return out + ": ";
}

// A short, stable name part derived from content (FNV-1a, 32 bits, as hex): names built from it stay
// the same while the content does, so an unrelated change to the site renames nothing.
inline std::string content_hash(std::string_view content, int hex_digits = 8) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char ch : content) hash = (hash ^ ch) * 16777619u;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = hex_digits - 1; i >= 0; --i) out += kHex[(hash >> (4 * i)) & 15u];
  return out;
}

// The host named by --host, or an error naming the flag.
inline Result<const plan::Host*> selected_host(const Input& in) {
  if (in.options.host.empty()) return static_cast<const plan::Host*>(nullptr);
  const auto* h = in.env.host(in.options.host);
  if (!h) return Error{in.env.file, 0, 0, "--host", "no host named '" + in.options.host + "'"};
  return h;
}

// Service ids, cut to fit comment limits (nft and iptables: 256 bytes; keep well under).
inline std::string services_comment(const plan::Flow& f, std::size_t limit = 120) {
  std::string out;
  for (const auto& s : plan::services_of(f)) {
    std::string next = out + (out.empty() ? "" : ",") + s;
    if (next.size() > limit) return out + ",...";
    out = next;
  }
  return out;
}

// Windows Firewall (PowerShell and netsh) splits a TCP flow with dynamic RPC ports into plain
// ports, the endpoint-mapper keyword (135) and the RPC keyword, which opens only the endpoints
// RPC really assigns instead of the whole range.
enum class RpcKeyword { none, rpc, endpoint_mapper };
struct WindowsRule {
  Transport transport = Transport::tcp;
  std::vector<std::string> ports;  // plain local ports; empty with a keyword or for port-less protocols
  RpcKeyword keyword = RpcKeyword::none;
  bool echo = false;                         // ICMP echo request only
  std::optional<std::uint16_t> remote_port;  // FTP active data comes from port 20
};

inline std::vector<WindowsRule> windows_rules(const plan::Flow& f) {
  if (f.transport != Transport::tcp && f.transport != Transport::udp)
    return {{f.transport, {}, RpcKeyword::none, f.icmp_type == "echo", std::nullopt}};
  PortSet plain = f.ports;
  bool rpc = f.transport == Transport::tcp && !f.source_port && !f.rpc_only.empty();
  bool epmap = false;
  if (rpc) {
    plain = f.ports.subtract(f.rpc_only);
    if (plain.contains(135)) epmap = true, plain = plain.subtract(PortSet{{135, 135}});
  }
  std::vector<WindowsRule> out;
  std::vector<std::string> ports;
  for (auto r : plain.ranges()) ports.push_back(r.to_string());
  if (!ports.empty()) out.push_back({f.transport, ports, RpcKeyword::none, false, f.source_port});
  if (epmap) out.push_back({f.transport, {}, RpcKeyword::endpoint_mapper, false, std::nullopt});
  if (rpc) out.push_back({f.transport, {}, RpcKeyword::rpc, false, std::nullopt});
  return out;
}

// "Lightweight Directory Access Protocol (LDAP) Server" → "LDAP": a rule title has room for a few
// protocols, and the KB's names carry their acronym in parentheses.
inline std::string short_protocol_name(const std::string& name) {
  auto open = name.rfind('('), close = name.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open + 2 || close - open - 1 > 8) return name;
  auto inner = name.substr(open + 1, close - open - 1);
  bool acronym = std::all_of(inner.begin(), inner.end(), [](char ch) {
    return std::isupper(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '-';
  });
  return acronym ? inner : name;
}

// What a Windows rule is for, as wf.msc shows it: "branch-01: clients → dc1 — Kerberos, LDAP,
// SMB (TCP)". The application protocols are those of the flow's requirements this rule carries
// (its plain ports, 135 for RPCEPMap, the dynamic range for RPC), in the output's language. This is
// the part after the host's name (" — Kerberos, LDAP, SMB (TCP)"): the same for every host a flow reaches.
inline std::string rule_title_tail(const Input& in, const plan::Flow& f, const WindowsRule& rule,
                                   std::string_view protocol) {
  std::vector<std::pair<std::uint16_t, std::string>> named;  // (lowest port carried, protocol)
  PortSet plain;
  for (const auto& p : rule.ports)
    if (auto r = parse_port_range(p)) plain.add(*r);
  for (const auto& reason : f.reasons) {
    const auto* service = in.catalog.service(reason.service);
    if (!service || reason.requirement >= service->requirements.size()) continue;
    const auto& q = service->requirements[reason.requirement];
    if (!carries(rule.transport, q.transport)) continue;
    bool carried = rule.keyword == RpcKeyword::rpc               ? q.dynamic_rpc()
                   : rule.keyword == RpcKeyword::endpoint_mapper ? q.ports.contains(135)
                   : rule.ports.empty()                          ? true
                                                                 : !q.ports.intersect(plain).empty();
    auto name = short_protocol_name(q.protocol.in(in.options.lang));
    if (!carried || name.empty()) continue;
    auto carried_ports = plain.empty() ? q.ports : q.ports.intersect(plain);
    std::uint16_t lowest = carried_ports.empty() ? 0 : carried_ports.ranges().front().lo;
    named.emplace_back(lowest, name);
  }
  // In port order (DNS, Kerberos, LDAP, SMB …), each protocol once.
  std::stable_sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (const auto& [port, name] : named)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  constexpr std::size_t kNamesShown = 4;
  auto what = join(std::vector<std::string>(names.begin(), names.begin() + std::min(names.size(), kNamesShown)), ", ");
  if (names.size() > kNamesShown) what += " +" + std::to_string(names.size() - kNamesShown);
  std::string kind(protocol);
  if (rule.keyword == RpcKeyword::rpc) kind += " RPC";
  if (rule.keyword == RpcKeyword::endpoint_mapper) kind += " RPCEPMap";
  return (what.empty() ? "" : " \u2014 " + what) + " (" + kind + ")";
}

// Each rule's title tail made once per (flow, rule kind, family): a zone's flow is written in the
// rules of every host of the zone.
class RuleTitles {
 public:
  explicit RuleTitles(const Input& in) : in_(in) {}
  const std::string& tail(const plan::Flow& f, const WindowsRule& rule, int family, std::string_view protocol) {
    return tails_({&f, static_cast<int>(rule.keyword) * 8 + family},
                  [&] { return rule_title_tail(in_, f, rule, protocol); });
  }

 private:
  const Input& in_;
  Memo<std::pair<const plan::Flow*, int>, std::string, PairHash> tails_;
};

// The host's Windows version, when the site names one the catalog knows.
inline const catalog::OsVersion* host_os(const Input& in, const plan::Host& h) {
  auto id = in.env.os_of(h);
  return id.empty() ? nullptr : in.catalog.os(id);
}

// A format that cannot express something says so; the CLI prints these as warnings.
inline void refuse(const Input& in, std::string text) {
  if (in.warnings) in.warnings->push_back(std::move(text));
}

// One host's inbound Windows Firewall rules: every flow that reaches it, split as above, with the
// remote addresses of the host's own families. A Windows rule holds both families, except that
// ICMP is ICMPv4 or ICMPv6: those rules are one per family of the host.
struct HostRule {
  const plan::Flow* flow;
  std::vector<std::string> remote;
  WindowsRule rule;
  int family = 4;  // the ICMP rule's family; for the others, the host's first
};

// The flows that can reach each host, found once: a site has thousands of hosts and of flows, and
// a flow reaches a host only as one of its destination hosts or through the host's zone.
class FlowsByHost {
 public:
  explicit FlowsByHost(const plan::Plan& plan) {
    for (std::size_t i = 0; i < plan.flows.size(); ++i) {
      const auto& d = plan.flows[i].destination;
      if (!d.hosts.empty())
        for (const auto& h : d.hosts) by_host_[h].push_back(i);
      else if (!d.zone.empty())
        by_zone_[d.zone].push_back(i);
      else
        other_.push_back(i);
    }
  }
  // A flow's sources of one family as remote addresses ("198.18.10.0/24"), written once: a zone's
  // flow is a rule on every host of the zone.
  const std::vector<std::string>& remote(const plan::Flow& f, int family) {
    return remote_({&f, family}, [&] {
      std::vector<std::string> out;
      for (const auto& n : f.source.networks)
        if (n.family == family) out.push_back(n.to_string());
      return out;
    });
  }
  // In plan order, as the outputs list them.
  [[nodiscard]] std::vector<std::size_t> candidates(const plan::Host& h) const {
    std::vector<std::size_t> out = other_;
    if (auto it = by_host_.find(h.name); it != by_host_.end())
      out.insert(out.end(), it->second.begin(), it->second.end());
    if (auto it = by_zone_.find(h.zone); it != by_zone_.end())
      out.insert(out.end(), it->second.begin(), it->second.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  std::unordered_map<std::string, std::vector<std::size_t>> by_host_, by_zone_;
  std::vector<std::size_t> other_;
  Memo<std::pair<const plan::Flow*, int>, std::vector<std::string>, PairHash> remote_;
};

// Text written with `<<` straight into a string: the Windows formats write 15-25 MB for a
// 5,000-host site, where an ostringstream's formatting layer and its final copy cost a tenth of the run.
class TextOut {
 public:
  TextOut& operator<<(std::string_view text) {
    text_.append(text);
    return *this;
  }
  TextOut& operator<<(char ch) {
    text_.push_back(ch);
    return *this;
  }
  template <class Number, std::enable_if_t<std::is_integral_v<Number> && !std::is_same_v<Number, char>, int> = 0>
  TextOut& operator<<(Number n) {
    text_.append(std::to_string(n));
    return *this;
  }
  // For a format's own escaping, written in place.
  std::string& text() { return text_; }
  [[nodiscard]] const std::string& str() const& { return text_; }
  std::string str() && { return std::move(text_); }

 private:
  std::string text_;
};

// Each flow's reasons in words, made once: the Windows formats repeat a zone's flow in the rules of
// every host of the zone (a 5,000-host plan said the same reasons ~100,000 times).
class ReasonTexts {
 public:
  explicit ReasonTexts(const Input& in) : in_(in) {}
  const std::string& operator()(const plan::Flow& f) {
    return texts_(&f, [&] { return plan::reasons_text(f, in_.catalog, in_.options.lang); });
  }

 private:
  const Input& in_;
  Memo<const plan::Flow*, std::string> texts_;
};

inline std::vector<HostRule> host_rules(const Input& in, const plan::Host& h, FlowsByHost& index) {
  std::vector<int> families;
  for (int family : {4, 6})
    if (std::any_of(h.addresses.begin(), h.addresses.end(), [&](const Network& a) { return a.family == family; }))
      families.push_back(family);
  std::vector<HostRule> out;
  for (auto i : index.candidates(h)) {
    const auto& f = in.plan.flows[i];
    std::vector<std::pair<int, std::vector<std::string>>> remote_by_family;
    std::vector<std::string> remote;
    for (int family : families) {
      // What view(f, family, &h) keeps, without copying the networks: a source of the family, and
      // a destination of the family reaching the host.
      if (!carried_in(f, family)) continue;
      const auto& sources = index.remote(f, family);
      bool reached = std::any_of(f.destination.networks.begin(), f.destination.networks.end(),
                                 [&](const Network& n) { return n.family == family && reaches(n, h); });
      if (sources.empty() || !reached) continue;
      remote_by_family.emplace_back(family, sources);
      remote.insert(remote.end(), sources.begin(), sources.end());
    }
    if (remote.empty()) continue;
    for (auto& rule : windows_rules(f)) {
      if (rule.transport != Transport::icmp && rule.transport != Transport::icmpv6) {
        out.push_back({&f, remote, std::move(rule), remote_by_family.front().first});
        continue;
      }
      for (const auto& [family, theirs] : remote_by_family) out.push_back({&f, theirs, rule, family});
    }
  }
  return out;
}

}  // namespace winports::emit::detail
