// TFTP (UDP 69): a read request for a file no server holds. The server answers ERROR (or DATA)
// from a new port of its own (RFC 1350 §4), so this probe's socket is left unconnected.
#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {

std::vector<std::uint8_t> tftp_request(std::uint16_t id, const Hints&) {
  wire::Bytes out;
  wire::put_be16(out, 1);  // RRQ
  wire::put_text(out, "winports-probe-" + std::to_string(id));
  out.push_back(0);
  wire::put_text(out, "octet");
  out.push_back(0);
  return out;
}

std::optional<LocalizedText> tftp_parse(std::span<const std::uint8_t> reply, std::uint16_t) {
  if (reply.size() < 4) return std::nullopt;
  unsigned opcode = wire::be16(reply, 0);
  if (opcode == 3) return msg::ev_tftp_data(std::to_string(wire::be16(reply, 2)));
  // ERROR's message is a NUL-terminated string (RFC 1350 §5): a datagram without the NUL is cut.
  if (opcode != 5 || reply.back() != 0) return std::nullopt;
  return msg::ev_tftp_error(std::to_string(wire::be16(reply, 2)),
                            wire::printable(reply.subspan(4, reply.size() - 5), 80));
}

}  // namespace winports::probe
