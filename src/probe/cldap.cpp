// CLDAP (UDP 389): the "LDAP ping" of MS-ADTS 6.3.3, a rootDSE search for the Netlogon attribute
// with an NtVer filter. A DC answers with a NETLOGON_SAM_LOGON_RESPONSE_EX naming itself, its
// domain and its site; that is what Windows clients use to find a DC, and what proves CLDAP passes.
#include <array>
#include <utility>

#include "winports/probe/messages.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/wire/bytes.hpp"
#include "winports/wire/ldap.hpp"

namespace winports::probe {

namespace ber = wire::ber;
namespace ldap = wire::ldap;
namespace {

// A name in the response: DNS labels, possibly ending in a pointer into the structure (RFC 1035
// compression). Bounded: at most 16 jumps and 255 characters.
std::optional<std::string> compressed_name(wire::View data, wire::Cursor& at) {
  std::string name;
  std::size_t offset = at.at();
  bool jumped = false;
  for (int jumps = 0; jumps < 16;) {
    if (offset >= data.size()) return std::nullopt;
    unsigned length = data[offset];
    if (length == 0) {
      if (!jumped) at.take(offset + 1 - at.at());
      return name;
    }
    if ((length & 0xc0) == 0xc0) {
      if (offset + 1 >= data.size()) return std::nullopt;
      if (!jumped) at.take(offset + 2 - at.at());
      jumped = true;
      ++jumps;
      offset = (length & 0x3f) << 8 | data[offset + 1];
      continue;
    }
    if (length > 63 || offset + 1 + length > data.size()) return std::nullopt;
    if (!name.empty()) name += '.';
    name += wire::printable(data.subspan(offset + 1, length), 63);
    if (name.size() > 255) return std::nullopt;
    offset += 1 + length;
  }
  return std::nullopt;
}

std::string flag_names(std::uint32_t flags) {
  static constexpr std::array<std::pair<std::uint32_t, const char*>, 10> kFlags = {{
      {0x1, "PDC"},
      {0x4, "GC"},
      {0x8, "LDAP"},
      {0x10, "DS"},
      {0x20, "KDC"},
      {0x40, "TIMESERV"},
      {0x80, "CLOSEST"},
      {0x100, "WRITABLE"},
      {0x200, "GOOD_TIMESERV"},
      {0x1000, "FULL_SECRET_DOMAIN_6"},
  }};
  std::string out;
  for (auto [bit, name] : kFlags)
    if (flags & bit) out += (out.empty() ? "" : ",") + std::string(name);
  return out;
}

}  // namespace

std::vector<std::uint8_t> cldap_request(std::uint16_t id, const Hints& hints) {
  return ldap::search_root(id,
                           [&](ber::Writer& w) {
                             w.begin(0xa0);  // and
                             if (!hints.domain.empty()) w.begin(0xa3).octets("DnsDomain").octets(hints.domain).end();
                             // NtVer 6: NETLOGON_NT_VERSION_5 | NETLOGON_NT_VERSION_5EX, little-endian.
                             w.begin(0xa3).octets("NtVer").octets(std::string_view("\x06\x00\x00\x00", 4)).end();
                             w.end();
                           },
                           {"Netlogon"});
}

std::optional<LocalizedText> cldap_parse(std::span<const std::uint8_t> reply, std::uint16_t id) {
  // A DC sends the entry and SearchResultDone in one datagram; a datagram cut short proves nothing.
  ber::Reader messages(reply);
  bool done = false;
  while (auto m = messages.next())
    if (auto op = ber::Reader(m->value); op.next() && op.next_if(0x65)) done = true;
  if (!messages.ok() || !done) return std::nullopt;
  auto entry = ldap::search_entry(reply, id);
  if (!entry) return std::nullopt;
  auto it = entry->attributes.find("netlogon");
  if (it == entry->attributes.end() || it->second.empty()) return msg::ev_cldap_no_netlogon();
  const auto& raw = it->second.front();
  wire::View data(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
  wire::Cursor c(data);
  unsigned opcode = c.le16();
  c.le16();
  std::uint32_t flags = c.le32();
  c.take(16);  // domain GUID
  if (!c.ok() || (opcode != 23 && opcode != 25)) return msg::ev_cldap_opcode(std::to_string(opcode));
  std::array<std::string, 8> names;  // forest, domain, host, NetBIOS domain, NetBIOS host, user, site, client site
  for (auto& n : names) {
    auto name = compressed_name(data, c);
    if (!name || !c.ok()) return msg::ev_cldap_truncated();
    n = *name;
  }
  return msg::ev_ldap_ping(names[2], names[4], names[1], names[6],
                           names[7].empty() ? LocalizedText{} : msg::ev_ldap_ping_client_site(names[7]),
                           flag_names(flags));
}

}  // namespace winports::probe
