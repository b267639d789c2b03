#include "winports/core/network.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

namespace winports {
namespace {

bool prefix_match(const Network& wide, const Network& narrow, int bits) {
  for (int i = 0; i < bits / 8; ++i)
    if (wide.bytes[i] != narrow.bytes[i]) return false;
  if (bits % 8) {
    std::uint8_t mask = static_cast<std::uint8_t>(0xFF << (8 - bits % 8));
    if ((wide.bytes[bits / 8] & mask) != (narrow.bytes[bits / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

bool Network::contains(const Network& other) const {
  return family == other.family && prefix <= other.prefix && prefix_match(*this, other, prefix);
}
bool Network::overlaps(const Network& other) const { return contains(other) || other.contains(*this); }

std::string Network::to_string() const {
  // IPv4 written here: glibc's inet_ntop formats it with sprintf, and addresses are most of what
  // analyze and the rule formats write (inet_ntop was 7% of a 64 MiB capture's analysis). IPv6 keeps
  // inet_ntop for RFC 5952's shortening.
  auto decimal = [](std::string& out, unsigned v) {  // 0-255, a byte or a prefix length
    if (v >= 100) out.push_back(static_cast<char>('0' + v / 100));
    if (v >= 10) out.push_back(static_cast<char>('0' + v / 10 % 10));
    out.push_back(static_cast<char>('0' + v % 10));
  };
  std::string out;
  if (family == 4) {
    out.reserve(18);
    for (std::size_t i = 0; i < 4; ++i) {
      if (i) out.push_back('.');
      decimal(out, bytes[i]);
    }
  } else {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    out = buf;
  }
  if (prefix != (family == 4 ? 32 : 128)) {
    out.push_back('/');
    decimal(out, static_cast<unsigned>(prefix));
  }
  return out;
}

std::optional<Network> parse_network(std::string_view text) {
  Network n;
  std::string addr(text.substr(0, text.find('/')));
  if (inet_pton(AF_INET, addr.c_str(), n.bytes.data()) == 1)
    n.family = 4, n.prefix = 32;
  else if (inet_pton(AF_INET6, addr.c_str(), n.bytes.data()) == 1)
    n.family = 6, n.prefix = 128;
  else
    return std::nullopt;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    auto bits = text.substr(slash + 1);
    if (bits.empty() || bits.size() > 3 ||
        !std::all_of(bits.begin(), bits.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      return std::nullopt;
    int p = std::stoi(std::string(bits));
    if (p > (n.family == 4 ? 32 : 128)) return std::nullopt;
    n.prefix = p;
    Network masked = n;  // host bits must be zero: "198.18.10.5/24" is a typo, not a network
    masked.bytes.fill(0);
    for (int i = 0; i < p; ++i) masked.bytes[i / 8] |= n.bytes[i / 8] & (0x80 >> (i % 8));
    if (masked.bytes != n.bytes) return std::nullopt;
  }
  return n;
}

}  // namespace winports
