// SMB (TCP 445): an SMB2 NEGOTIATE offering 2.0.2 to 3.1.1 (MS-SMB2 2.2.3, with the
// pre-authentication integrity context 3.1.1 requires). The response names the dialect the server
// chose and whether it requires signing.
#include <array>

#include "one_shot.hpp"
#include "winports/probe/messages.hpp"

namespace winports::probe {
namespace {

constexpr std::array<unsigned, 5> kDialects = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};

Step parse(wire::View received) {
  if (received.size() < 4) return wait();
  std::size_t length = std::size_t(received[1]) << 16 | std::size_t(received[2]) << 8 | received[3];
  if (received[0] != 0) return failed(msg::ev_not_netbios_session());
  if (received.size() < 4 + length) return wait();
  auto smb = received.subspan(4, length);
  if (smb.size() < 4 || smb[1] != 'S' || smb[2] != 'M' || smb[3] != 'B') return failed(msg::ev_not_smb());
  if (smb[0] == 0xff) return proved(msg::ev_smb1());
  if (smb[0] != 0xfe || smb.size() < 64 + 8) return failed(msg::ev_not_smb2());
  std::uint32_t status = wire::le32(smb, 8);
  if (status != 0) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", status);
    return proved(msg::ev_smb2_error(hex));
  }
  unsigned security = wire::le16(smb, 64 + 2), dialect = wire::le16(smb, 64 + 4);
  char name[16];
  std::snprintf(name, sizeof name, "%x.%x.%x", dialect >> 8, (dialect >> 4) & 0xf, dialect & 0xf);
  return proved((security & 0x2) ? msg::ev_smb2_signing_required(name) : msg::ev_smb2_signing_enabled(name));
}

}  // namespace

std::unique_ptr<TcpConversation> smb2_start(const Hints&) {
  wire::Bytes smb;
  wire::put_le32(smb, 0x424d53fe);  // "\xfeSMB"
  wire::put_le16(smb, 64);          // structure size
  smb.insert(smb.end(), 58, 0);     // credit charge … signature: all zero for NEGOTIATE
  smb[14] = 1;                      // credits requested
  wire::put_le16(smb, 36);          // NEGOTIATE structure size
  wire::put_le16(smb, kDialects.size());
  wire::put_le16(smb, 1);  // security mode: signing enabled
  wire::put_le16(smb, 0);
  wire::put_le32(smb, 0);                                                           // capabilities
  for (int i = 0; i < 16; ++i) smb.push_back(static_cast<std::uint8_t>(0x57 + i));  // client GUID
  const std::size_t context_field = smb.size();
  wire::put_le32(smb, 0);  // negotiate context offset, set below
  wire::put_le16(smb, 1);  // one context
  wire::put_le16(smb, 0);
  for (auto d : kDialects) wire::put_le16(smb, d);
  while (smb.size() % 8) smb.push_back(0);
  const auto offset = smb.size();
  smb[context_field] = static_cast<std::uint8_t>(offset);
  wire::put_le16(smb, 1);   // SMB2_PREAUTH_INTEGRITY_CAPABILITIES
  wire::put_le16(smb, 38);  // data length
  wire::put_le32(smb, 0);
  wire::put_le16(smb, 1);   // one hash algorithm
  wire::put_le16(smb, 32);  // salt length
  wire::put_le16(smb, 1);   // SHA-512
  smb.insert(smb.end(), 32, 0x5a);
  wire::Bytes out{0, 0, static_cast<std::uint8_t>(smb.size() >> 8), static_cast<std::uint8_t>(smb.size())};
  out.insert(out.end(), smb.begin(), smb.end());
  return one_shot(std::move(out), parse);
}

}  // namespace winports::probe
