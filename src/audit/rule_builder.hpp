#pragma once
// What every ruleset reader shares: a rule's conditions added one at a time (each narrows the
// match cube), the values firewall syntaxes write (addresses, ranges, ports, ICMP type names,
// conntrack states), and the rule's verdict. One place for the semantics, so nft text, nft JSON and
// iptables-save mean the same thing by the same condition.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "winports/audit/ruleset.hpp"

namespace winports::audit {

class RuleBuilder {
 public:
  void addresses(bool source, const AddressSet& set, bool negate);
  void family(int family);  // ip table, meta nfproto ipv4, iptables-save's family
  void protocols(const ProtocolSet& set, bool negate);
  void ports(bool source, const PortSet& set, bool negate, const ProtocolSet& carriers);
  void icmp_types(int protocol, const TypeSet& set, bool negate);
  void states(std::uint8_t mask, bool negate);
  // Interfaces: the site's traffic never arrives on loopback, so "lo" alone selects none of it;
  // any other name is unknown to the site file.
  void interface(std::string_view name, bool negate);
  // IPv6 hop limit (ip6 hoplimit, -m hl --hl-eq; IPv4's ttl alike): 255 is a packet sent on this
  // link that no router forwarded (RFC 4861 neighbour discovery), never the site's routed traffic.
  void hop_limit(int value, bool negate);
  void unsupported(LocalizedText what);
  void unsupported(std::string syntax) { unsupported(LocalizedText{{}, std::move(syntax)}); }  // as written
  void rewrites(LocalizedText what);  // DNAT and friends: whatever the rule selects is undecided
  void verdict(Verdict v, std::string target = "");
  [[nodiscard]] bool has_verdict() const { return rule_.verdict != Verdict::none; }
  Rule finish(Location location, std::string text);

 private:
  Rule rule_;
  bool loopback_ = false;
  bool link_only_ = false;
  LocalizedText unsupported_;
  LocalizedText rewrite_;
};

// A rule the reader makes rather than reads (a path's go-to, a format's own default): `where` names
// it and is its text.
inline Rule made_rule(const std::string& file, const Cube& match, Verdict verdict, const std::string& where,
                      std::string target = "", LocalizedText unsupported = {}) {
  Rule r;
  r.location = Location{file, 0, where};
  r.text = where;
  r.match = match;
  r.verdict = verdict;
  r.target = std::move(target);
  r.unsupported = std::move(unsupported);
  return r;
}

// "a,b,c" → {"a","b","c"} (empty items dropped); text cut to `width` characters with "…".
std::vector<std::string> split_list(std::string_view text, char sep);
std::string shortened(std::string_view text, std::size_t width);
std::string lower(std::string_view text);  // ASCII lower case: keywords of every format are ASCII

std::optional<AddressSet> parse_address_value(std::string_view text);  // address, prefix or a-b
std::optional<PortRange> parse_port_value(std::string_view text, char range_sep);
// A port or a range as iptables and nft read them: numbers, or service names from the system's
// services table for `protocol` ("tcp", "udp"; nullptr: either) — /etc/services on Debian, through
// getservbyname_r as both tools resolve them. A name that is itself a service wins over a range
// ("ftp-data" is 20, not ftp to data).
std::optional<PortRange> parse_port_or_service(std::string_view text, char range_sep, const char* protocol);
// A protocol as iptables and nft read it: protocol_number's names and numbers, then the system's
// protocols table (/etc/protocols, through getprotobyname_r); -1 when neither knows it.
int protocol_number_or_name(std::string_view name);
std::optional<std::uint8_t> parse_state(std::string_view name);  // "new", "ESTABLISHED" …
// "echo-request", "destination-unreachable" … or a number; for ICMP (1) or ICMPv6 (58).
std::optional<int> parse_icmp_type(int protocol, std::string_view name);
// The name nft and iptables print for an ICMP (1) or ICMPv6 (58) type, or its number.
std::string icmp_type_name(int protocol, int type);
// Named priorities (filter, raw, mangle, dstnat, security, srcnat) with an optional offset.
std::optional<int> parse_priority(std::string_view text);

}  // namespace winports::audit
