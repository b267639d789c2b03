// RPC endpoint mapper (TCP 135), spoken as PortQry does: bind to the epmapper interface, enumerate
// every registered endpoint with ept_lookup (MS-RPCE 2.2.1.2.5, C706 appendix O), then ask ept_map
// for each interface the caller names that enumeration did not list. Every ncacn_ip_tcp endpoint
// found becomes an RpcEndpoint for the engine to probe. Hand-written NDR: the probe needs three
// PDUs and one tower layout, and no packaged library exposes DCE/RPC marshalling without a runtime.
#include <algorithm>
#include <array>
#include <cstdio>

#include "one_shot.hpp"
#include "winports/probe/messages.hpp"
#include "winports/wire/dcerpc.hpp"

namespace winports::probe {

namespace dcerpc = wire::dcerpc;
namespace {

using wire::Bytes;
using wire::View;

using namespace dcerpc;
constexpr std::uint32_t kNotRegistered = 0x16c9a0d6;  // EPT_S_NOT_REGISTERED: no more entries
constexpr int kMaxLookupRounds = 32;                  // 32 × 16 entries: bounded whatever the server says
constexpr int kEntriesPerLookup = 16;                 // keeps each reply within one 4 KiB fragment

constexpr const char* kEpmapperUuid = "e1af8308-5d1f-11c9-91a4-08002b14a0fa";
constexpr const char* kNdrUuid = "8a885d04-1ceb-11c9-9fe8-08002b104860";

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
      if (received[at] != 5 || frag < 16 || (received[at + 4] & 0xf0) != 0x10) return failed(msg::ev_not_dcerpc());
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
        if (type == kBindNak) return failed(msg::ev_bind_refused());
        if (type != kBindAck) return failed(msg::ev_no_bind_ack());
        state_ = State::lookup;
        return {Step::Kind::send, {}};
      case State::lookup:
        if (type == kResponse) on_lookup(stub);
        if (type != kResponse || lookup_done_ || ++lookup_rounds_ >= kMaxLookupRounds) return next_map();
        return {Step::Kind::send, {}};
      case State::map:
        if (type == kResponse) on_map(stub);
        ++mapping_;
        return next_map();
    }
    return failed(as_sent("?"));
  }

 private:
  enum class State { bind, lookup, map };

  void on_lookup(const Bytes& stub) {
    auto page = lookup_reply(stub, kEntriesPerLookup);
    if (!page.header_ok) {
      lookup_done_ = true;
      return;
    }
    for (auto& e : page.endpoints) add(e, e.annotation);
    entries_ += page.entries;
    handle_ = page.handle;
    bool handle_empty = std::all_of(handle_.begin(), handle_.end(), [](auto b) { return b == 0; });
    lookup_done_ = !page.well_formed || page.status != 0 || handle_empty || page.entries == 0;
    if (page.status == kNotRegistered || (page.status == 0 && page.well_formed)) lookup_ok_ = true;
  }

  void on_map(const Bytes& stub) {
    for (auto& e : map_reply_endpoints(stub)) {
      add(e, "");
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
        return {Step::Kind::send, {}};
      }
      ++mapping_;
    }
    auto detail = msg::ev_epmapper(std::to_string(endpoints.size()));
    detail += lookup_ok_ ? msg::ev_epmapper_enumerated(std::to_string(entries_)) : msg::ev_epmapper_refused();
    if (fault_) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", fault_);
      detail += msg::ev_epmapper_fault(hex);
    }
    if (mapped_) detail += msg::ev_epmapper_mapped(std::to_string(mapped_));
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
