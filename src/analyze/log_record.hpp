#pragma once
// What the log readers (Zeek, Windows Firewall) share: one connection record into a Packet.
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "winports/analyze/flows.hpp"
#include "winports/core/network.hpp"

namespace winports::analyze::log {

template <class Number>
std::optional<Number> number(std::string_view text) {
  Number value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An address field ("198.18.20.10", "fe80::1"); false when it is not one.
inline bool address(std::string_view text, int& family, std::array<std::uint8_t, 16>& bytes) {
  if (text.empty() || text.find('/') != std::string_view::npos) return false;
  auto n = parse_network(text);
  if (!n) return false;
  family = n->family;
  bytes = n->bytes;
  return true;
}

// The IP protocol number of a log's protocol name ("tcp", "UDP", "icmp"); ICMP follows the
// address family.
inline std::optional<std::uint8_t> protocol(std::string_view name, int family) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "tcp") return 6;
  if (lower == "udp") return 17;
  if (lower == "icmp" || lower == "icmpv6" || lower == "icmp6") return family == 6 ? 58 : 1;
  if (auto n = number<unsigned>(lower); n && *n < 256) return static_cast<std::uint8_t>(*n);
  return std::nullopt;
}

// Seconds since the epoch from "YYYY-MM-DD" and "HH:MM:SS[.fff]" (or an ISO 8601
// "YYYY-MM-DDTHH:MM:SS[.fff]Z"), read as UTC.
std::optional<double> timestamp(std::string_view date, std::string_view time);

}  // namespace winports::analyze::log
