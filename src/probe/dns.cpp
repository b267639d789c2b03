// DNS (UDP 53): a standard query for the root zone's SOA. Any well-formed response carrying our id
// proves a DNS server listens, whatever its rcode (an AD DNS server that refuses recursion still
// answers REFUSED). Hand-written: a 17-byte query does not need a resolver library, and the
// parser must accept exactly what it checks.
#include <array>

#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"

namespace winports::probe {

std::vector<std::uint8_t> dns_request(std::uint16_t id, const Hints&) {
  return {static_cast<std::uint8_t>(id >> 8),
          static_cast<std::uint8_t>(id & 0xff),
          0x00,  // QR=0 query, opcode 0, RD=0: no recursion asked of the server
          0x00,
          0x00,
          0x01,  // QDCOUNT 1
          0x00,
          0x00,
          0x00,
          0x00,
          0x00,
          0x00,
          0x00,  // QNAME: the root
          0x00,
          0x06,  // QTYPE SOA
          0x00,
          0x01};  // QCLASS IN
}

std::optional<LocalizedText> dns_parse(std::span<const std::uint8_t> reply, std::uint16_t id) {
  if (reply.size() < 12) return std::nullopt;
  if (reply[0] != (id >> 8) || reply[1] != (id & 0xff)) return std::nullopt;
  if ((reply[2] & 0x80) == 0) return std::nullopt;  // not a response
  // The question must come back whole: a datagram cut short is no proof.
  std::size_t at = 12;
  for (unsigned q = 0, questions = (reply[4] << 8) | reply[5]; q < questions; ++q) {
    while (at < reply.size() && reply[at] != 0 && (reply[at] & 0xc0) != 0xc0) at += 1 + reply[at];
    if (at < reply.size() && (reply[at] & 0xc0) == 0xc0) ++at;
    at += 1 + 4;  // the terminating byte (or pointer's second), QTYPE, QCLASS
    if (at > reply.size()) return std::nullopt;
  }
  static constexpr std::array<const char*, 6> kRcodes = {"NOERROR",  "FORMERR", "SERVFAIL",
                                                         "NXDOMAIN", "NOTIMP",  "REFUSED"};
  unsigned rcode = reply[3] & 0x0f;
  std::string name = rcode < kRcodes.size() ? kRcodes[rcode] : "rcode " + std::to_string(rcode);
  unsigned answers = (reply[6] << 8) | reply[7];
  return msg::ev_dns(name, std::to_string(answers));
}

}  // namespace winports::probe
