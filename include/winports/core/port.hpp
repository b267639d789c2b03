#pragma once
// Value types for transports, port ranges and port sets.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace winports {

// IP protocols the KB names. Only tcp and udp carry ports.
enum class Transport : std::uint8_t { tcp, udp, icmp, icmpv6, gre, esp, ah };

std::string_view to_string(Transport t);
std::optional<Transport> parse_transport(std::string_view text);
bool has_ports(Transport t);
int ip_protocol_number(Transport t);
// Whether a rule or flow for `planned` carries traffic of `seen`: the KB's "ICMP" is the address
// family's ICMP, so one for icmp carries ICMPv6 too.
bool carries(Transport planned, Transport seen);

struct PortRange {
  std::uint16_t lo = 0;
  std::uint16_t hi = 0;
  auto operator<=>(const PortRange&) const = default;
  [[nodiscard]] bool contains(std::uint16_t p) const { return lo <= p && p <= hi; }
  [[nodiscard]] std::uint32_t size() const { return std::uint32_t{hi} - lo + 1; }
  [[nodiscard]] std::string to_string() const;  // "445" or "49152-65535"
};

// "445", "49152-65535" (also "49152 - 65535"); nullopt when malformed or lo > hi.
std::optional<PortRange> parse_port_range(std::string_view text);

// A set of ports kept as sorted, disjoint, non-adjacent ranges.
class PortSet {
 public:
  PortSet() = default;
  PortSet(std::initializer_list<PortRange> ranges);
  static PortSet from_ranges(const std::vector<PortRange>& ranges);

  void add(PortRange r);
  [[nodiscard]] bool contains(std::uint16_t p) const;
  [[nodiscard]] bool empty() const { return ranges_.empty(); }
  [[nodiscard]] std::uint32_t count() const;  // number of ports
  [[nodiscard]] const std::vector<PortRange>& ranges() const { return ranges_; }

  [[nodiscard]] PortSet unite(const PortSet& other) const;
  [[nodiscard]] PortSet intersect(const PortSet& other) const;
  [[nodiscard]] PortSet subtract(const PortSet& other) const;
  [[nodiscard]] bool includes(const PortSet& other) const;  // other ⊆ this
  [[nodiscard]] bool overlaps(const PortSet& other) const;  // !intersect(other).empty(), made nothing

  [[nodiscard]] std::string to_string() const;  // "135,445,49152-65535"
  bool operator==(const PortSet&) const = default;

 private:
  std::vector<PortRange> ranges_;
};

}  // namespace winports
