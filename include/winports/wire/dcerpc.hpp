#pragma once
// DCE/RPC connection-oriented PDUs as both sides of winports see them: the endpoint-mapper probe
// (src/probe/epmapper.cpp) asks, and analyze (src/analyze/rpc_watch.cpp) reads captured binds and
// endpoint-mapper replies. Hand-written NDR (C706, MS-RPCE): a few fixed layouts, and no packaged
// library parses DCE/RPC without a whole RPC runtime.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "winports/wire/bytes.hpp"

namespace winports::wire::dcerpc {

// An RPC interface: its UUID (8-4-4-4-12) and major version.
struct InterfaceId {
  std::string uuid;
  std::uint16_t version = 0;
};

// What an endpoint mapper hands out for one interface over ncacn_ip_tcp.
struct Endpoint {
  std::uint16_t port = 0;
  std::string uuid;
  std::uint16_t version = 0;
  std::string annotation;
  bool operator==(const Endpoint&) const = default;
};

constexpr std::uint8_t kRequest = 0, kResponse = 2, kFault = 3, kBind = 11, kBindAck = 12, kBindNak = 13,
                       kAlterContext = 14;
constexpr std::uint8_t kFirstFragment = 0x01, kLastFragment = 0x02;
constexpr std::size_t kHeaderSize = 16;

// A UUID in NDR's little-endian wire order, and back to text (lower case, 8-4-4-4-12).
std::optional<std::array<std::uint8_t, 16>> uuid_bytes(std::string_view text);
std::string uuid_text(wire::View b);

// A tower's floors as an endpoint, when it is ncacn_ip_tcp.
std::optional<Endpoint> tower_endpoint(wire::View tower);
// The deferred tower of a twr_p_t: conformance, length, octets, alignment.
wire::View read_tower(wire::Cursor& c);

// The towers of an ept_map reply's stub (opnum 3), as TCP endpoints.
std::vector<Endpoint> map_reply_endpoints(wire::View stub);

// One page of an ept_lookup reply's stub (opnum 2).
struct LookupPage {
  std::array<std::uint8_t, 20> handle{};  // the enumeration's context handle (all zero: finished)
  std::uint32_t entries = 0;
  std::uint32_t status = 0;
  bool header_ok = false;           // the handle and the entry count were read
  bool well_formed = false;         // and everything after them
  std::vector<Endpoint> endpoints;  // the TCP ones, with their annotations
};
LookupPage lookup_reply(wire::View stub, std::uint32_t max_entries);

// Whether bytes start a connection-oriented PDU: version 5.0 and a sane fragment length.
bool starts_pdu(wire::View bytes);
// The abstract syntaxes (interfaces) a bind or alter-context PDU presents; as many as the bytes
// hold when the PDU continues in a later segment.
std::vector<InterfaceId> presented_interfaces(wire::View pdu);

}  // namespace winports::wire::dcerpc
