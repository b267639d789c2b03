#pragma once
// Protocol-aware UDP probes: a request that makes a real server answer, and a parser that says
// what the answer proves. One file per protocol under src/probe/; every parser is fuzzed.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace winports::probe {

struct UdpProtocol {
  std::uint16_t port;
  const char* name;
  // The request; `id` lets the parser match the reply to it (DNS id, NTP origin time …).
  std::vector<std::uint8_t> (*request)(std::uint16_t id);
  // What the reply proves, or nullopt if it is not a reply to that request.
  std::optional<std::string> (*parse)(std::span<const std::uint8_t> reply, std::uint16_t id);
};

// The protocol probing a UDP port, or nullptr (then an empty datagram is sent).
const UdpProtocol* udp_protocol(std::uint16_t port);

std::vector<std::uint8_t> dns_request(std::uint16_t id);
std::optional<std::string> dns_parse(std::span<const std::uint8_t> reply, std::uint16_t id);
std::vector<std::uint8_t> ntp_request(std::uint16_t id);
std::optional<std::string> ntp_parse(std::span<const std::uint8_t> reply, std::uint16_t id);

}  // namespace winports::probe
