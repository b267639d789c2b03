// NetBIOS name service (UDP 137): a node status request for "*" (RFC 1002 4.2.17/4.2.18, what
// `nbtstat -A` sends). The reply lists the names the host registered: proof that NBNS answers, and
// the host's NetBIOS and domain names.
#include "winports/core/text.hpp"
#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/wire/bytes.hpp"

namespace winports::probe {

std::vector<std::uint8_t> netbios_request(std::uint16_t id, const Hints&) {
  wire::Bytes out;
  wire::put_be16(out, id);
  wire::put_be16(out, 0x0000);  // query, no recursion
  wire::put_be16(out, 1);       // one question
  wire::put_be32(out, 0);
  wire::put_be16(out, 0);
  out.push_back(0x20);  // "*" padded with NULs to 16 bytes, first-level encoded: 32 characters
  const char name[16] = {'*'};
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(static_cast<std::uint8_t>('A' + (c >> 4)));
    out.push_back(static_cast<std::uint8_t>('A' + (c & 0x0f)));
  }
  out.push_back(0);
  wire::put_be16(out, 0x0021);  // NBSTAT
  wire::put_be16(out, 0x0001);  // IN
  return out;
}

std::optional<LocalizedText> netbios_parse(std::span<const std::uint8_t> reply, std::uint16_t id) {
  wire::Cursor c(reply);
  unsigned reply_id = c.be16(), flags = c.be16();
  c.be16();
  unsigned answers = c.be16();
  c.take(4);
  if (!c.ok() || reply_id != id || !(flags & 0x8000) || answers == 0) return std::nullopt;
  // The answer's name: a full name or a pointer to the question's.
  for (;;) {
    unsigned length = c.u8();
    if (!c.ok()) return std::nullopt;
    if (length == 0) break;
    if ((length & 0xc0) == 0xc0) {
      c.u8();
      break;
    }
    c.take(length);
  }
  unsigned type = c.be16();
  c.be16();
  c.take(4);  // class, TTL
  unsigned rdlength = c.be16();
  unsigned count = c.u8();
  if (!c.ok() || type != 0x0021 || rdlength < 1 || c.left() + 1 < rdlength) return std::nullopt;
  std::vector<std::string> names;
  for (unsigned i = 0; i < count; ++i) {
    auto entry = c.take(18);
    if (!c.ok()) return msg::ev_netbios_truncated();
    std::string name = wire::printable(entry.first(15));
    while (!name.empty() && name.back() == ' ') name.pop_back();
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "<%02x>", entry[15]);
    bool group = entry[16] & 0x80;
    names.push_back(name + suffix + (group ? " group" : ""));
  }
  return msg::ev_netbios(names.empty() ? msg::ev_netbios_no_names() : LocalizedText{{}, join(names, ", ")});
}

}  // namespace winports::probe
