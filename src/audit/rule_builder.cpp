#include "rule_builder.hpp"

#include <netdb.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "winports/audit/messages.hpp"
#include "winports/audit/space.hpp"

namespace winports::audit {
namespace {

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ICMP and ICMPv6 type names as iptables and nft print them.
struct IcmpName {
  int protocol;
  std::string_view name;
  int type;
};
constexpr std::array<IcmpName, 78> kIcmpNames{
    {{1, "echo-reply", 0},
     {1, "destination-unreachable", 3},
     {1, "source-quench", 4},
     {1, "redirect", 5},
     {1, "echo-request", 8},
     {1, "router-advertisement", 9},
     {1, "router-solicitation", 10},
     {1, "time-exceeded", 11},
     {1, "parameter-problem", 12},
     {1, "timestamp-request", 13},
     {1, "timestamp-reply", 14},
     {1, "address-mask-request", 17},
     {1, "address-mask-reply", 18},
     {58, "destination-unreachable", 1},
     {58, "packet-too-big", 2},
     {58, "time-exceeded", 3},
     {58, "parameter-problem", 4},
     {58, "echo-request", 128},
     {58, "echo-reply", 129},
     {58, "mld-listener-query", 130},
     {58, "nd-router-solicit", 133},
     {58, "nd-router-advert", 134},
     {58, "nd-neighbor-solicit", 135},
     {58, "nd-neighbor-advert", 136},
     {58, "nd-redirect", 137},
     // iptables' names for neighbour discovery
     {58, "router-solicitation", 133},
     {58, "router-advertisement", 134},
     {58, "neighbour-solicitation", 135},
     {58, "neighbour-advertisement", 136},
     {58, "redirect", 137},
     // more of the names iptables (libxt_icmp, libip6t_icmp6) and nft accept;
     // a code's name (host-unreachable: 3/1) stands for its type, as "3/1" does
     {1, "ttl-exceeded", 11},
     {1, "info-request", 15},
     {1, "info-reply", 16},
     {1, "network-unreachable", 3},
     {1, "host-unreachable", 3},
     {1, "protocol-unreachable", 3},
     {1, "port-unreachable", 3},
     {1, "fragmentation-needed", 3},
     {1, "source-route-failed", 3},
     {1, "network-unknown", 3},
     {1, "host-unknown", 3},
     {1, "network-prohibited", 3},
     {1, "host-prohibited", 3},
     {1, "tos-network-unreachable", 3},
     {1, "tos-host-unreachable", 3},
     {1, "communication-prohibited", 3},
     {1, "host-precedence-violation", 3},
     {1, "precedence-cutoff", 3},
     {1, "network-redirect", 5},
     {1, "host-redirect", 5},
     {1, "tos-network-redirect", 5},
     {1, "tos-host-redirect", 5},
     {1, "ttl-zero-during-transit", 11},
     {1, "ttl-zero-during-reassembly", 11},
     {1, "ip-header-bad", 12},
     {1, "required-option-missing", 12},
     {58, "ttl-exceeded", 3},
     {58, "mld-listener-report", 131},
     {58, "mld-listener-done", 132},
     {58, "mld-listener-reduction", 132},
     {58, "router-renumbering", 138},
     {58, "ind-neighbor-solicit", 141},
     {58, "ind-neighbor-advert", 142},
     {58, "mld2-listener-report", 143},
     {58, "neighbor-solicitation", 135},
     {58, "neighbor-advertisement", 136},
     {58, "no-route", 1},
     {58, "communication-prohibited", 1},
     {58, "beyond-scope", 1},
     {58, "address-unreachable", 1},
     {58, "port-unreachable", 1},
     {58, "failed-policy", 1},
     {58, "reject-route", 1},
     {58, "ttl-zero-during-transit", 3},
     {58, "ttl-zero-during-reassembly", 3},
     {58, "bad-header", 4},
     {58, "unknown-header-type", 4},
     {58, "unknown-option", 4}}};

}  // namespace

void RuleBuilder::addresses(bool source, const AddressSet& set, bool negate) {
  auto& field = source ? rule_.match.source : rule_.match.destination;
  field = field.intersect(negate ? set.complement() : set);
}

void RuleBuilder::family(int family) {
  rule_.match.source = rule_.match.source.only(family);
  rule_.match.destination = rule_.match.destination.only(family);
}

void RuleBuilder::protocols(const ProtocolSet& set, bool negate) { rule_.match.protocols &= negate ? ~set : set; }

void RuleBuilder::ports(bool source, const PortSet& set, bool negate, const ProtocolSet& carriers) {
  rule_.match.protocols &= carriers;
  auto& field = source ? rule_.match.source_ports : rule_.match.destination_ports;
  field = field.intersect(negate ? all_ports().subtract(set) : set);
}

void RuleBuilder::icmp_types(int protocol, const TypeSet& set, bool negate) {
  ProtocolSet p;
  p.set(static_cast<std::size_t>(protocol));
  rule_.match.protocols &= p;
  rule_.match.icmp_types &= negate ? ~set : set;
}

void RuleBuilder::states(std::uint8_t mask, bool negate) {
  rule_.match.states &= negate ? static_cast<std::uint8_t>(kAllCtStates & ~mask) : mask;
}

void RuleBuilder::interface(std::string_view name, bool negate) {
  if (name == "lo") {
    if (!negate) loopback_ = true;
    return;
  }
  unsupported(msg::audit_construct_interface(name, negate ? msg::audit_construct_negated() : LocalizedText{}));
}

void RuleBuilder::hop_limit(int value, bool negate) {
  if (value == 255 && !negate) {
    link_only_ = true;
    return;
  }
  unsupported(msg::audit_construct_hop_limit(std::string(negate ? "!= " : "") + std::to_string(value)));
}

void RuleBuilder::unsupported(LocalizedText what) {
  if (unsupported_.empty()) unsupported_ = std::move(what);
}

void RuleBuilder::rewrites(LocalizedText what) {
  if (rewrite_.empty()) rewrite_ = std::move(what);
}

void RuleBuilder::verdict(Verdict v, std::string target) {
  if (rule_.verdict != Verdict::none) return;  // the first verdict ends the rule
  rule_.verdict = v;
  rule_.target = std::move(target);
}

Rule RuleBuilder::finish(Location location, std::string text) {
  Rule r = rule_;  // the builder is used once per rule (vmap entries copy it first)
  r.location = std::move(location);
  r.text = std::move(text);
  if (loopback_ || link_only_) r.match.states = 0;  // selects nothing of the site's traffic
  r.local_only = loopback_ || link_only_;
  // A condition the audit cannot read matters only where the rule decides something.
  if (!rewrite_.empty())
    r.unsupported = rewrite_;
  else if (r.verdict != Verdict::none)
    r.unsupported = unsupported_;
  return r;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return out;
}

std::vector<std::string> split_list(std::string_view text, char sep) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto at = text.find(sep);
    auto item = text.substr(0, at);
    if (!item.empty()) out.emplace_back(item);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return out;
}

std::string shortened(std::string_view text, std::size_t width) {
  if (text.size() <= width) return std::string(text);
  return std::string(text.substr(0, width)) + "…";
}

std::optional<AddressSet> parse_address_value(std::string_view text) {
  if (auto dash = text.find('-'); dash != std::string_view::npos) {
    auto lo = parse_network(text.substr(0, dash));
    auto hi = parse_network(text.substr(dash + 1));
    if (!lo || !hi || lo->family != hi->family || lo->prefix != hi->prefix) return std::nullopt;
    if (lo->prefix != (lo->family == 4 ? 32 : 128)) return std::nullopt;
    if (hi->bytes < lo->bytes) return std::nullopt;
    auto v = AddressSet::of(*lo).family(lo->family).intervals().front().lo;
    auto w = AddressSet::of(*hi).family(lo->family).intervals().front().hi;
    return AddressSet::from(lo->family, IntervalSet::of(v, w));
  }
  auto n = parse_network(text);
  if (!n) return std::nullopt;
  return AddressSet::of(*n);
}

std::optional<PortRange> parse_port_value(std::string_view text, char range_sep) {
  auto sep = text.find(range_sep);
  if (sep == std::string_view::npos) {
    auto p = number<std::uint16_t>(text);
    if (!p) return std::nullopt;
    return PortRange{*p, *p};
  }
  // iptables allows an open end ("1024:" is 1024-65535, ":1023" is 0-1023).
  auto lo_text = text.substr(0, sep), hi_text = text.substr(sep + 1);
  auto lo = lo_text.empty() ? std::optional<std::uint16_t>(0) : number<std::uint16_t>(lo_text);
  auto hi = hi_text.empty() ? std::optional<std::uint16_t>(65535) : number<std::uint16_t>(hi_text);
  if (!lo || !hi || *lo > *hi) return std::nullopt;
  return PortRange{*lo, *hi};
}

namespace {
std::optional<std::uint16_t> service(std::string_view name, const char* protocol) {
  if (auto n = number<std::uint16_t>(name)) return n;
  if (name.empty() || name.size() > 64) return std::nullopt;
  std::string text(name);
  servent entry{}, *found = nullptr;
  std::array<char, 1024> buffer{};
  if (getservbyname_r(text.c_str(), protocol, &entry, buffer.data(), buffer.size(), &found) != 0 || !found)
    return std::nullopt;
  return static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(found->s_port)));
}
}  // namespace

std::optional<PortRange> parse_port_or_service(std::string_view text, char range_sep, const char* protocol) {
  // Numbers need no table (and a dump of thousands of rules holds nothing else).
  if (auto numeric = parse_port_value(text, range_sep)) return numeric;
  if (std::none_of(text.begin(), text.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); }))
    return std::nullopt;
  if (auto whole = service(text, protocol)) return PortRange{*whole, *whole};
  auto sep = text.find(range_sep);
  if (sep == std::string_view::npos) return std::nullopt;
  auto lo_text = text.substr(0, sep), hi_text = text.substr(sep + 1);
  auto lo = lo_text.empty() ? std::optional<std::uint16_t>(0) : service(lo_text, protocol);
  auto hi = hi_text.empty() ? std::optional<std::uint16_t>(65535) : service(hi_text, protocol);
  if (!lo || !hi || *lo > *hi) return std::nullopt;
  return PortRange{*lo, *hi};
}

int protocol_number_or_name(std::string_view name) {
  if (int n = protocol_number(name); n >= 0) return n;
  if (name.empty() || name.size() > 64) return -1;
  std::string text(name);
  protoent entry{}, *found = nullptr;
  std::array<char, 1024> buffer{};
  if (getprotobyname_r(text.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return -1;
  return found->p_proto >= 0 && found->p_proto <= 255 ? found->p_proto : -1;
}

std::optional<std::uint8_t> parse_state(std::string_view name) {
  auto n = lower(name);
  if (n == "new") return static_cast<std::uint8_t>(CtState::new_);
  if (n == "established") return static_cast<std::uint8_t>(CtState::established);
  if (n == "related") return static_cast<std::uint8_t>(CtState::related);
  if (n == "invalid") return static_cast<std::uint8_t>(CtState::invalid);
  if (n == "untracked") return static_cast<std::uint8_t>(CtState::untracked);
  return std::nullopt;
}

std::optional<int> parse_icmp_type(int protocol, std::string_view name) {
  // iptables writes "8/0" (type/code) and "any"; a code narrows below what the audit asks.
  auto n = lower(name.substr(0, name.find('/')));
  if (auto v = number<int>(n); v && *v >= 0 && *v <= 255) return v;
  if (n == "ping") n = "echo-request";
  if (n == "pong") n = "echo-reply";
  for (const auto& i : kIcmpNames)
    if (i.protocol == protocol && i.name == n) return i.type;
  return std::nullopt;
}

std::string icmp_type_name(int protocol, int type) {
  for (const auto& i : kIcmpNames)
    if (i.protocol == protocol && i.type == type) return std::string(i.name);
  return std::to_string(type);
}

std::optional<int> parse_priority(std::string_view text) {
  std::string t(text);
  t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
  std::size_t op = t.find_first_of("+-", 1);
  std::string base = op == std::string::npos ? t : t.substr(0, op);
  int offset = 0;
  if (op != std::string::npos) {
    auto o = number<int>(std::string_view(t).substr(op + 1));
    if (!o) return std::nullopt;
    offset = t[op] == '-' ? -*o : *o;
  }
  static const std::array<std::pair<std::string_view, int>, 6> kNamed{
      {{"raw", -300}, {"mangle", -150}, {"dstnat", -100}, {"filter", 0}, {"security", 50}, {"srcnat", 100}}};
  for (auto [name, value] : kNamed)
    if (base == name) return value + offset;
  auto v = number<int>(base);
  if (!v) return std::nullopt;
  return *v + offset;
}

}  // namespace winports::audit
