// RPC endpoint mapper (TCP 135), spoken as PortQry does: bind to the epmapper interface, enumerate
// every registered endpoint with ept_lookup (MS-RPCE 2.2.1.2.5, C706 appendix O), then ask ept_map
// for each interface the caller names that enumeration did not list. Every ncacn_ip_tcp endpoint
// found becomes an RpcEndpoint for the engine to probe. Hand-written NDR: the probe needs three
// PDUs and one tower layout, and no packaged library exposes DCE/RPC marshalling without a runtime.
#include <algorithm>
#include <array>
#include <cstdio>

#include "one_shot.hpp"

namespace winports::probe {
namespace {

using wire::Bytes;
using wire::View;

constexpr std::uint8_t kBind = 11, kBindAck = 12, kBindNak = 13, kRequest = 0, kResponse = 2, kFault = 3;
constexpr std::uint8_t kFirstFragment = 0x01, kLastFragment = 0x02;
constexpr std::uint32_t kNotRegistered = 0x16c9a0d6;  // EPT_S_NOT_REGISTERED: no more entries
constexpr int kMaxLookupRounds = 32;                  // 32 × 16 entries: bounded whatever the server says
constexpr int kEntriesPerLookup = 16;                 // keeps each reply within one 4 KiB fragment

constexpr const char* kEpmapperUuid = "e1af8308-5d1f-11c9-91a4-08002b14a0fa";
constexpr const char* kNdrUuid = "8a885d04-1ceb-11c9-9fe8-08002b104860";

// A UUID in NDR's little-endian wire order.
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

std::string uuid_text(View b) {
  char out[40];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3], b[2],
                b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

void put_uuid(Bytes& out, std::string_view text) {
  auto raw = uuid_bytes(text).value_or(std::array<std::uint8_t, 16>{});
  out.insert(out.end(), raw.begin(), raw.end());
}

// The 16-byte common header of a connection-oriented PDU; frag_length is patched by finish().
Bytes header(std::uint8_t type, std::uint32_t call_id) {
  Bytes out{5, 0, type, kFirstFragment | kLastFragment, 0x10, 0, 0, 0};  // data representation: LE, ASCII, IEEE
  wire::put_le16(out, 0);
  wire::put_le16(out, 0);  // no authentication
  wire::put_le32(out, call_id);
  return out;
}
Bytes finish(Bytes pdu) {
  wire::set_le16(pdu, 8, static_cast<unsigned>(pdu.size()));
  return pdu;
}

Bytes bind_pdu() {
  auto out = header(kBind, 1);
  wire::put_le16(out, 4280);            // max transmit fragment
  wire::put_le16(out, 4280);            // max receive fragment
  wire::put_le32(out, 0);               // new association group
  out.insert(out.end(), {1, 0, 0, 0});  // one presentation context
  wire::put_le16(out, 0);               // context id 0
  out.insert(out.end(), {1, 0});        // one transfer syntax
  put_uuid(out, kEpmapperUuid);
  wire::put_le32(out, 3);  // epmapper v3.0
  put_uuid(out, kNdrUuid);
  wire::put_le32(out, 2);  // NDR v2
  return finish(std::move(out));
}

Bytes request_pdu(std::uint32_t call_id, unsigned opnum, const Bytes& stub) {
  auto out = header(kRequest, call_id);
  wire::put_le32(out, static_cast<std::uint32_t>(stub.size()));  // allocation hint
  wire::put_le16(out, 0);                                        // context id
  wire::put_le16(out, opnum);
  out.insert(out.end(), stub.begin(), stub.end());
  return finish(std::move(out));
}

// ept_lookup(inquiry RPC_C_EP_ALL_ELTS, no object, no interface, entry handle, max entries).
Bytes lookup_stub(const std::array<std::uint8_t, 20>& handle) {
  Bytes s;
  wire::put_le32(s, 0);  // inquiry_type: all elements
  wire::put_le32(s, 0);  // object: null pointer
  wire::put_le32(s, 0);  // interface id: null pointer
  wire::put_le32(s, 1);  // vers_option: all
  s.insert(s.end(), handle.begin(), handle.end());
  wire::put_le32(s, kEntriesPerLookup);
  return s;
}

// The tower ept_map is asked about: interface, NDR, connection-oriented RPC, TCP port 0, IP 0.0.0.0.
Bytes map_tower(const RpcInterfaceId& id) {
  Bytes t;
  wire::put_le16(t, 5);
  auto floor = [&](std::initializer_list<std::uint8_t> lhs_prefix, const std::array<std::uint8_t, 16>* uuid,
                   int version, Bytes rhs) {
    Bytes lhs(lhs_prefix);
    if (uuid) {
      lhs.insert(lhs.end(), uuid->begin(), uuid->end());
      wire::put_le16(lhs, static_cast<unsigned>(version));
    }
    wire::put_le16(t, static_cast<unsigned>(lhs.size()));
    t.insert(t.end(), lhs.begin(), lhs.end());
    wire::put_le16(t, static_cast<unsigned>(rhs.size()));
    t.insert(t.end(), rhs.begin(), rhs.end());
  };
  auto interface = uuid_bytes(id.uuid).value_or(std::array<std::uint8_t, 16>{});
  auto ndr = *uuid_bytes(kNdrUuid);
  floor({0x0d}, &interface, id.version, {0, 0});
  floor({0x0d}, &ndr, 2, {0, 0});
  floor({0x0b}, nullptr, 0, {0, 0});        // RPC connection-oriented, minor 0
  floor({0x07}, nullptr, 0, {0, 0});        // TCP port, big-endian
  floor({0x09}, nullptr, 0, {0, 0, 0, 0});  // IPv4 address
  return t;
}

Bytes map_stub(const RpcInterfaceId& id) {
  auto tower = map_tower(id);
  Bytes s;
  wire::put_le32(s, 0);                                         // object: null pointer
  wire::put_le32(s, 1);                                         // map_tower: referent
  wire::put_le32(s, static_cast<std::uint32_t>(tower.size()));  // conformance
  wire::put_le32(s, static_cast<std::uint32_t>(tower.size()));  // tower_length
  s.insert(s.end(), tower.begin(), tower.end());
  while (s.size() % 4) s.push_back(0);
  s.insert(s.end(), 20, 0);  // entry handle
  wire::put_le32(s, 4);      // max towers
  return s;
}

// A tower's floors as an endpoint, when it is ncacn_ip_tcp.
std::optional<RpcEndpoint> tower_endpoint(View tower) {
  wire::Cursor c(tower);
  unsigned floors = c.le16();
  if (!c.ok() || floors < 4 || floors > 8) return std::nullopt;
  RpcEndpoint e;
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

// The deferred tower of a twr_p_t: conformance, length, octets, alignment.
View read_tower(wire::Cursor& c) {
  c.le32();
  auto length = c.le32();
  auto tower = c.take(length);
  c.align(4);
  return tower;
}

class Epmapper final : public TcpConversation {
 public:
  explicit Epmapper(const Hints& hints) : to_map_(hints.rpc_map) {}

  Bytes request() override {
    switch (state_) {
      case State::bind:
        return bind_pdu();
      case State::lookup:
        return request_pdu(++call_id_, 2, lookup_stub(handle_));
      case State::map:
        return request_pdu(++call_id_, 3, map_stub(to_map_[mapping_]));
    }
    return {};
  }

  Step receive(View received) override {
    // Whole fragments until the last one; their stubs joined.
    Bytes stub;
    std::size_t at = 0;
    std::uint8_t type = 0;
    for (;;) {
      if (received.size() < at + 16) return wait();
      auto frag = wire::le16(received, at + 8);
      if (received[at] != 5 || frag < 16 || (received[at + 4] & 0xf0) != 0x10) return failed("not a DCE/RPC reply");
      if (received.size() < at + frag) return wait();
      type = received[at + 2];
      auto flags = received[at + 3];
      if (type == kResponse && frag >= 24)
        stub.insert(stub.end(), received.begin() + at + 24, received.begin() + at + frag);
      if (type == kFault && frag >= 28) fault_ = wire::le32(received, at + 24);
      at += frag;
      if (type != kResponse || (flags & kLastFragment)) break;
    }
    switch (state_) {
      case State::bind:
        if (type == kBindNak) return failed("the endpoint mapper refused the bind");
        if (type != kBindAck) return failed("no bind_ack from the endpoint mapper");
        state_ = State::lookup;
        return {Step::Kind::send, ""};
      case State::lookup:
        if (type == kResponse) on_lookup(stub);
        if (type != kResponse || lookup_done_ || ++lookup_rounds_ >= kMaxLookupRounds) return next_map();
        return {Step::Kind::send, ""};
      case State::map:
        if (type == kResponse) on_map(stub);
        ++mapping_;
        return next_map();
    }
    return failed("?");
  }

 private:
  enum class State { bind, lookup, map };

  void on_lookup(const Bytes& stub) {
    wire::Cursor c(stub);
    auto handle = c.take(20);
    auto count = c.le32();
    c.le32();  // max count
    c.le32();  // offset
    auto actual = c.le32();
    if (!c.ok() || actual != count || count > kEntriesPerLookup) {
      lookup_done_ = true;
      return;
    }
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
      std::string annotation = wire::printable(text, 64);
      rows.push_back({has_tower, annotation});
    }
    for (auto& row : rows) {
      if (!row.has_tower) continue;
      auto tower = read_tower(c);
      if (!c.ok()) break;
      if (auto e = tower_endpoint(tower)) add(*e, row.annotation);
    }
    auto status = c.le32();
    entries_ += count;
    std::copy(handle.begin(), handle.end(), handle_.begin());
    bool handle_empty = std::all_of(handle_.begin(), handle_.end(), [](auto b) { return b == 0; });
    lookup_done_ = !c.ok() || status != 0 || handle_empty || count == 0;
    if (status == kNotRegistered || (status == 0 && c.ok())) lookup_ok_ = true;
  }

  void on_map(const Bytes& stub) {
    wire::Cursor c(stub);
    c.take(20);
    auto count = c.le32();
    c.le32();
    c.le32();
    auto actual = c.le32();
    if (!c.ok() || actual != count || count > 4) return;
    for (std::uint32_t i = 0; i < count; ++i) c.le32();  // referents
    for (std::uint32_t i = 0; i < count && c.ok(); ++i)
      if (auto e = tower_endpoint(read_tower(c)); e && c.ok()) {
        add(*e, "");
        ++mapped_;
      }
  }

  void add(RpcEndpoint e, const std::string& annotation) {
    e.annotation = annotation;
    auto same = [&](const RpcEndpoint& x) { return x.uuid == e.uuid && x.port == e.port; };
    if (std::none_of(endpoints.begin(), endpoints.end(), same)) endpoints.push_back(std::move(e));
  }

  // The next interface to ept_map that enumeration did not already find; then the verdict.
  Step next_map() {
    while (mapping_ < to_map_.size()) {
      const auto& want = to_map_[mapping_];
      bool found =
          std::any_of(endpoints.begin(), endpoints.end(), [&](const RpcEndpoint& e) { return e.uuid == want.uuid; });
      if (!found) {
        state_ = State::map;
        return {Step::Kind::send, ""};
      }
      ++mapping_;
    }
    std::string detail = "RPC endpoint mapper: " + std::to_string(endpoints.size()) + " TCP endpoint(s)";
    detail += lookup_ok_ ? ", " + std::to_string(entries_) + " entries enumerated" : ", enumeration refused";
    if (fault_) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", fault_);
      detail += std::string(" (fault ") + hex + ")";
    }
    if (mapped_) detail += ", " + std::to_string(mapped_) + " found by ept_map";
    return proved(detail);
  }

  State state_ = State::bind;
  std::vector<RpcInterfaceId> to_map_;
  std::size_t mapping_ = 0;
  std::array<std::uint8_t, 20> handle_{};
  std::uint32_t call_id_ = 1;
  int lookup_rounds_ = 0;
  std::size_t entries_ = 0, mapped_ = 0;
  std::uint32_t fault_ = 0;
  bool lookup_done_ = false, lookup_ok_ = false;
};

}  // namespace

std::unique_ptr<TcpConversation> epmapper_start(const Hints& hints) { return std::make_unique<Epmapper>(hints); }

}  // namespace winports::probe
