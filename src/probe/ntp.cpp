// NTP (UDP 123, Windows Time): a 48-byte SNTP client request (RFC 4330) whose transmit timestamp
// carries our id; a server reply is mode 4 and echoes it as the originate timestamp.
#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"

namespace winports::probe {

std::vector<std::uint8_t> ntp_request(std::uint16_t id, const Hints&) {
  std::vector<std::uint8_t> packet(48, 0);
  packet[0] = (4 << 3) | 3;  // version 4, mode 3 (client)
  packet[46] = static_cast<std::uint8_t>(id >> 8);
  packet[47] = static_cast<std::uint8_t>(id & 0xff);
  return packet;
}

std::optional<LocalizedText> ntp_parse(std::span<const std::uint8_t> reply, std::uint16_t id) {
  if (reply.size() < 48) return std::nullopt;
  unsigned mode = reply[0] & 0x07, version = (reply[0] >> 3) & 0x07;
  if (mode != 4 || reply[30] != (id >> 8) || reply[31] != (id & 0xff)) return std::nullopt;
  unsigned stratum = reply[1];
  if (stratum == 0) return msg::ev_ntp_unsynchronised(std::to_string(version));
  return msg::ev_ntp(std::to_string(version), std::to_string(stratum));
}

}  // namespace winports::probe
