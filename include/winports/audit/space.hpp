#pragma once
// The packet space a firewall rule decides, as products of per-field sets ("cubes"): source and
// destination addresses, IP protocol, source and destination ports, ICMP type and connection-tracking
// state. A rule's match is one cube (a conjunction of per-field conditions, negations included); what
// a ruleset accepts is a union of cubes. Every question the audit asks is set algebra over these,
// never an enumeration of packets.
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "winports/core/address_set.hpp"
#include "winports/core/port.hpp"

namespace winports::audit {

using ProtocolSet = std::bitset<256>;  // IP protocol numbers
using TypeSet = std::bitset<256>;      // ICMP / ICMPv6 types

// Connection-tracking states a rule can name; the audit asks about NEW packets (a flow's first
// packet) and ESTABLISHED ones (its replies).
enum class CtState : std::uint8_t { new_ = 1, established = 2, related = 4, invalid = 8, untracked = 16 };
constexpr std::uint8_t kAllCtStates = 31;

// Protocols whose header carries ports (tcp, udp, udplite, sctp, dccp): `th dport` matches these.
ProtocolSet port_protocols();
PortSet all_ports();

struct Cube {
  AddressSet source = AddressSet::all();
  AddressSet destination = AddressSet::all();
  ProtocolSet protocols = ProtocolSet().set();
  PortSet source_ports = all_ports();
  PortSet destination_ports = all_ports();
  TypeSet icmp_types = TypeSet().set();
  std::uint8_t states = kAllCtStates;

  [[nodiscard]] bool empty() const;
  bool operator==(const Cube&) const = default;
};

// Empty when the cubes do not meet.
[[nodiscard]] Cube intersect(const Cube& a, const Cube& b);
[[nodiscard]] bool overlaps(const Cube& a, const Cube& b);
// a minus b as disjoint cubes (at most one per field).
[[nodiscard]] std::vector<Cube> subtract(const Cube& a, const Cube& b);
// Whether the union of `cover` holds every packet of `a`.
[[nodiscard]] bool covered(const Cube& a, const std::vector<const Cube*>& cover);
// Every cube of `from` minus the union of `minus`.
[[nodiscard]] std::vector<Cube> subtract_all(std::vector<Cube> from, const std::vector<Cube>& minus);

std::string protocol_name(int number);  // "tcp", "udp", "icmp", "ipv6-icmp", "gre" or the number
// A name iptables or nft prints, or a number 0-255; -1 otherwise.
int protocol_number(std::string_view name);

}  // namespace winports::audit
