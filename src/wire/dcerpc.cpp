#include "winports/wire/dcerpc.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace winports::wire::dcerpc {

using wire::View;

std::optional<std::array<std::uint8_t, 16>> uuid_bytes(std::string_view text) {
  std::string hex;
  for (char c : text)
    if (c != '-') hex += c;
  if (hex.size() != 32) return std::nullopt;
  std::array<std::uint8_t, 16> raw{};
  for (std::size_t i = 0; i < 16; ++i) {
    unsigned v = 0;
    if (std::sscanf(hex.c_str() + 2 * i, "%2x", &v) != 1) return std::nullopt;
    raw[i] = static_cast<std::uint8_t>(v);
  }
  std::reverse(raw.begin(), raw.begin() + 4);
  std::reverse(raw.begin() + 4, raw.begin() + 6);
  std::reverse(raw.begin() + 6, raw.begin() + 8);
  return raw;
}

// The UUID's text form: its first three fields are little-endian on the wire, the rest is bytes in
// order. Written by hand: snprintf with 16 conversions was 7% of a 64 MiB capture's analysis.
std::string uuid_text(View b) {
  static constexpr std::array<std::uint8_t, 16> kOrder = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto byte = b[kOrder[i]];
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0f]);
  }
  return out;
}

std::optional<Endpoint> tower_endpoint(View tower) {
  wire::Cursor c(tower);
  unsigned floors = c.le16();
  if (!c.ok() || floors < 4 || floors > 8) return std::nullopt;
  Endpoint e;
  bool connection_oriented = false, tcp = false;
  for (unsigned i = 0; i < floors; ++i) {
    auto lhs = c.take(c.le16());
    auto rhs = c.take(c.le16());
    if (!c.ok() || lhs.empty()) return std::nullopt;
    if (i == 0) {
      if (lhs[0] != 0x0d || lhs.size() < 19) return std::nullopt;
      e.uuid = uuid_text(lhs.subspan(1, 16));
      e.version = static_cast<std::uint16_t>(wire::le16(lhs, 17));
    }
    if (lhs[0] == 0x0b) connection_oriented = true;
    if (lhs[0] == 0x07 && rhs.size() == 2) {
      tcp = true;
      e.port = static_cast<std::uint16_t>(wire::be16(rhs, 0));
    }
  }
  if (!connection_oriented || !tcp || e.port == 0) return std::nullopt;
  return e;
}

View read_tower(wire::Cursor& c) {
  c.le32();
  auto length = c.le32();
  auto tower = c.take(length);
  c.align(4);
  return tower;
}

std::vector<Endpoint> map_reply_endpoints(View stub) {
  std::vector<Endpoint> out;
  wire::Cursor c(stub);
  c.take(20);  // entry handle
  auto count = c.le32();
  c.le32();  // max count
  c.le32();  // offset
  auto actual = c.le32();
  if (!c.ok() || actual != count || count > 16) return out;
  for (std::uint32_t i = 0; i < count; ++i) c.le32();  // referents
  for (std::uint32_t i = 0; i < count && c.ok(); ++i)
    if (auto e = tower_endpoint(read_tower(c)); e && c.ok()) out.push_back(std::move(*e));
  return out;
}

LookupPage lookup_reply(View stub, std::uint32_t max_entries) {
  LookupPage page;
  wire::Cursor c(stub);
  auto handle = c.take(20);
  auto count = c.le32();
  c.le32();  // max count
  c.le32();  // offset
  auto actual = c.le32();
  if (!c.ok() || actual != count || count > max_entries) return page;
  std::copy(handle.begin(), handle.end(), page.handle.begin());
  page.header_ok = true;
  struct Row {
    bool has_tower;
    std::string annotation;
  };
  std::vector<Row> rows;
  for (std::uint32_t i = 0; i < count && c.ok(); ++i) {
    c.take(16);  // object UUID
    bool has_tower = c.le32() != 0;
    c.le32();  // annotation offset
    auto length = c.le32();
    auto text = c.take(length);
    c.align(4);
    rows.push_back({has_tower, wire::printable(text, 64)});
  }
  for (auto& row : rows) {
    if (!row.has_tower) continue;
    auto tower = read_tower(c);
    if (!c.ok()) break;
    if (auto e = tower_endpoint(tower)) {
      e->annotation = row.annotation;
      page.endpoints.push_back(std::move(*e));
    }
  }
  page.status = c.le32();
  page.entries = count;
  page.well_formed = c.ok();
  return page;
}

bool starts_pdu(View bytes) {
  return bytes.size() >= kHeaderSize && bytes[0] == 5 && bytes[1] == 0 && wire::le16(bytes, 8) >= kHeaderSize;
}

std::vector<InterfaceId> presented_interfaces(View pdu) {
  std::vector<InterfaceId> out;
  if (!starts_pdu(pdu) || (pdu[2] != kBind && pdu[2] != kAlterContext)) return out;
  // Little-endian data representation only: every Windows and Samba peer sends it.
  if ((pdu[4] & 0xf0) != 0x10) return out;
  wire::Cursor c(pdu, kHeaderSize);
  c.le16();  // max xmit
  c.le16();  // max recv
  c.le32();  // association group
  unsigned contexts = c.u8();
  c.take(3);
  for (unsigned i = 0; i < contexts && c.ok(); ++i) {
    c.le16();  // context id
    unsigned transfer_syntaxes = c.u8();
    c.u8();
    auto uuid = c.take(16);
    auto version = c.le16();
    c.le16();  // minor version
    if (!c.ok()) break;
    out.push_back({uuid_text(uuid), static_cast<std::uint16_t>(version)});
    c.take(20 * transfer_syntaxes);
  }
  return out;
}

}  // namespace winports::wire::dcerpc
