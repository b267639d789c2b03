#pragma once
// Addresses and prefixes: a value type shared by the site file, the prober, the analyzers and the
// reports, so none of them depends on another for it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace winports {

// An IPv4 or IPv6 prefix. A bare address is a /32 or /128.
struct Network {
  int family = 4;  // 4 or 6
  std::array<std::uint8_t, 16> bytes{};
  int prefix = 32;
  [[nodiscard]] bool contains(const Network& other) const;  // other ⊆ this
  [[nodiscard]] bool overlaps(const Network& other) const;
  [[nodiscard]] std::string to_string() const;
  auto operator<=>(const Network&) const = default;
};
std::optional<Network> parse_network(std::string_view text);

}  // namespace winports
