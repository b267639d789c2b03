#include "winports/probe/targets.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "winports/probe/messages.hpp"

namespace winports::probe {

Result<PortSpec> parse_port_spec(std::string_view text) {
  PortSpec spec;
  PortSet* current = &spec.tcp;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    auto item = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() + 1 : end + 1;
    for (auto [prefix, set] : {std::pair{"tcp:", &spec.tcp}, std::pair{"udp:", &spec.udp}})
      if (item.substr(0, 4) == prefix) current = set, item.remove_prefix(4);
    auto range = parse_port_range(item);
    if (!range || range->lo == 0) return Error{"", 0, 0, "--ports", msg::probe_not_a_port_range(item)};
    current->add(*range);
  }
  return spec;
}

Result<std::vector<Network>> expand_target(std::string_view target, std::size_t limit, bool force) {
  if (auto net = parse_network(target)) {
    const int bits = (net->family == 4 ? 32 : 128) - net->prefix;
    if (bits > 62 || (!force && (std::size_t{1} << bits) > limit))
      return Error{"", 0, 0, "TARGET", msg::probe_too_many_addresses(target, std::to_string(limit))};
    std::vector<Network> out;
    const std::size_t count = std::size_t{1} << bits;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      Network a = *net;
      a.prefix = net->family == 4 ? 32 : 128;
      // Add i to the address, big-endian, from the last byte.
      std::size_t carry = i;
      for (int b = (net->family == 4 ? 3 : 15); b >= 0 && carry; --b) {
        std::size_t sum = a.bytes[static_cast<std::size_t>(b)] + (carry & 0xff);
        a.bytes[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(sum & 0xff);
        carry = (carry >> 8) + (sum >> 8);
      }
      out.push_back(a);
    }
    return out;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string name(target);
  if (int rc = getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0)
    return Error{"", 0, 0, "TARGET", name + ": " + gai_strerror(rc)};
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, freeaddrinfo);
  std::vector<Network> out;
  for (auto* ai = found; ai; ai = ai->ai_next) {
    Network a;
    if (ai->ai_family == AF_INET) {
      a.family = 4, a.prefix = 32;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
      a.family = 6, a.prefix = 128;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  return out;
}

}  // namespace winports::probe
