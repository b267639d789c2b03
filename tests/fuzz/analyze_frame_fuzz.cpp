// analyze's frame decoder and flow table on arbitrary frames: the first byte picks the link
// type, then frames follow, each behind a 2-byte length; every decoded frame goes into one table,
// whose flows are then named from the catalog.
#include <array>
#include <cstddef>
#include <cstdint>

#include "../../src/analyze/decode.hpp"
#include "winports/catalog/embedded.hpp"

using namespace winports::analyze;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array kLinks{kLinkEthernet, kLinkLinuxSll, kLinkLinuxSll2, kLinkRaw,  kLinkNull,
                                     kLinkIpv6,     kLinkPpp,      kLinkFddi,      kLinkNflog};
  if (size < 1) return 0;
  const int link = kLinks[data[0] % kLinks.size()];
  FlowTable table;
  Packet packet;
  for (std::size_t at = 1; at + 2 <= size;) {
    std::size_t length = std::size_t{data[at]} << 8 | data[at + 1];
    at += 2;
    length = std::min(length, size - at);
    packet.time = static_cast<double>(at);
    Inner inner;
    if (!decode_frame(link, {data + at, length}, packet, &inner)) table.add(packet);
    for (int depth = 0; inner.kind != Inner::Kind::none && depth < kMaxTunnels; ++depth)
      if (!decode_inner(inner, packet)) table.add(packet);
    at += length;
  }
  (void)table.flows(winports::catalog::builtin_catalog());
  return 0;
}
