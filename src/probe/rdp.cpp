// RDP (TCP 3389): an X.224 Connection Request carrying an RDP Negotiation Request for TLS and
// CredSSP (MS-RDPBCGR 2.2.1.1). The Connection Confirm names the security protocol the server
// chose, or why it refused.
#include <array>
#include <utility>

#include "one_shot.hpp"
#include "winports/probe/messages.hpp"

namespace winports::probe {
namespace {

LocalizedText protocol_name(std::uint32_t p) {
  if (p == 0) return msg::ev_rdp_standard_security();
  if (p == 8) return msg::ev_rdp_early_auth();
  static constexpr std::array<std::pair<std::uint32_t, const char*>, 3> kNames = {
      {{1, "TLS"}, {2, "CredSSP (NLA)"}, {4, "RDSTLS"}}};
  for (auto [v, name] : kNames)
    if (v == p) return as_sent(name);
  return msg::ev_rdp_protocol_number(std::to_string(p));
}

Step parse(wire::View received) {
  if (received.size() < 4) return wait();
  if (received[0] != 3) return failed(msg::ev_not_tpkt());
  std::size_t length = wire::be16(received, 2);
  if (length < 7) return failed(msg::ev_tpkt_short());
  if (received.size() < length) return wait();
  auto x224 = received.subspan(4, length - 4);
  if ((x224[1] & 0xf0) != 0xd0) return failed(msg::ev_not_x224_confirm());
  if (x224.size() < 7 + 8) return proved(msg::ev_rdp_standard());
  auto neg = x224.subspan(7);
  std::uint32_t value = wire::le32(neg, 4);
  if (neg[0] == 0x02) return proved(msg::ev_rdp_protocol(protocol_name(value)));
  if (neg[0] == 0x03) return proved(msg::ev_rdp_negotiation_failure(std::to_string(value)));
  return proved(msg::ev_rdp_confirm());
}

}  // namespace

std::unique_ptr<TcpConversation> rdp_start(const Hints&) {
  wire::Bytes out{3, 0, 0, 19, 14, 0xe0, 0, 0, 0, 0, 0};  // TPKT, X.224 CR (length indicator 14)
  out.insert(out.end(), {0x01, 0x00, 0x08, 0x00});        // RDP_NEG_REQ, length 8
  wire::put_le32(out, 0x3);                               // TLS | CredSSP
  return one_shot(std::move(out), parse);
}

}  // namespace winports::probe
