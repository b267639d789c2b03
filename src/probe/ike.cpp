// IKE (UDP 500): the first Main Mode message of IKEv1 (RFC 2409) offering one common proposal
// (AES-128, SHA-1, pre-shared key, MODP-2048). An IKE responder answers with its own SA choice or
// with an INFORMATIONAL notify (NO-PROPOSAL-CHOSEN …); both echo our initiator cookie, which carries
// the probe's id. IKEv1 because every Windows IPsec and L2TP/IPsec responder speaks it.
#include <algorithm>
#include <array>
#include <utility>

#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {
namespace {

std::array<std::uint8_t, 8> cookie(std::uint16_t id) {
  return {'w', 'i', 'n', 'p', 'o', 'r', static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
}

void payload_header(wire::Bytes& out, std::uint8_t next, std::size_t length) {
  out.push_back(next);
  out.push_back(0);
  wire::put_be16(out, static_cast<unsigned>(length));
}

}  // namespace

std::vector<std::uint8_t> ike_request(std::uint16_t id, const Hints&) {
  // Transform attributes, TV form (type | 0x8000, 2-byte value).
  static constexpr std::array<std::pair<unsigned, unsigned>, 7> kAttributes = {{
      {1, 7},       // encryption: AES-CBC
      {14, 128},    // key length
      {2, 2},       // hash: SHA-1
      {3, 1},       // authentication: pre-shared key
      {4, 14},      // group: MODP-2048
      {11, 1},      // life type: seconds
      {12, 28800},  // life duration
  }};
  const std::size_t transform = 8 + kAttributes.size() * 4, proposal = 8 + transform, sa = 12 + proposal;
  auto c = cookie(id);
  wire::Bytes out(16, 0);  // initiator cookie, then the responder's: zero
  std::copy(c.begin(), c.end(), out.begin());
  out.push_back(1);        // next payload: SA
  out.push_back(0x10);     // version 1.0
  out.push_back(2);        // exchange: Identity Protection (Main Mode)
  out.push_back(0);        // flags
  wire::put_be32(out, 0);  // message id
  wire::put_be32(out, static_cast<std::uint32_t>(28 + sa));
  payload_header(out, 0, sa);
  wire::put_be32(out, 1);  // DOI: IPsec
  wire::put_be32(out, 1);  // situation: identity only
  payload_header(out, 0, proposal);
  out.insert(out.end(), {1, 1, 0, 1});  // proposal 1, PROTO_ISAKMP, no SPI, one transform
  payload_header(out, 0, transform);
  out.insert(out.end(), {1, 1, 0, 0});  // transform 1, KEY_IKE
  for (auto [type, value] : kAttributes) {
    wire::put_be16(out, 0x8000 | type);
    wire::put_be16(out, value);
  }
  return out;
}

std::optional<LocalizedText> ike_parse(std::span<const std::uint8_t> reply, std::uint16_t id) {
  if (reply.size() < 28) return std::nullopt;
  auto c = cookie(id);
  if (!std::equal(c.begin(), c.end(), reply.begin())) return std::nullopt;
  unsigned next = reply[16], version = reply[17], exchange = reply[18];
  auto out = msg::ev_ike(std::to_string(version >> 4) + "." + std::to_string(version & 0x0f), std::to_string(exchange));
  // Walk the payload chain looking for a notify (11) to name; bounded by the datagram.
  std::size_t at = 28;
  for (int hops = 0; next != 0 && hops < 16 && at + 4 <= reply.size(); ++hops) {
    unsigned length = wire::be16(reply, at + 2);
    if (length < 4 || at + length > reply.size()) break;
    if (next == 1) out += msg::ev_ike_sa_accepted();
    if (next == 11 && length >= 12) {
      unsigned type = wire::be16(reply, at + 10);
      out += msg::ev_ike_notify(std::to_string(type) + (type == 14 ? " NO-PROPOSAL-CHOSEN" : ""));
    }
    next = reply[at];
    at += length;
  }
  return out;
}

}  // namespace winports::probe
