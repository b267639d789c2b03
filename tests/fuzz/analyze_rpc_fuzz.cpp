// analyze's DCE/RPC watcher on arbitrary TCP payloads: segments (each behind a 2-byte length)
// alternate between an endpoint mapper on 135 answering and its client, then a client binding
// to a dynamic port; the first byte of each length's high bits shifts the sequence number to make
// gaps, retransmissions and resynchronisation reachable.
#include <cstddef>
#include <cstdint>

#include "winports/analyze/flows.hpp"
#include "winports/catalog/embedded.hpp"

using namespace winports::analyze;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FlowTable table;
  Packet p;
  p.protocol = 6;
  p.tcp_flags = kTcpAck;
  p.source = {198, 18, 20, 10};
  p.destination = {198, 18, 10, 5};
  std::uint32_t sequence[2] = {1000, 5000};
  int turn = 0;
  for (std::size_t at = 0; at + 2 <= size; ++turn) {
    std::size_t length = static_cast<std::size_t>(data[at] & 0x3f) << 8 | data[at + 1];
    unsigned skew = data[at] >> 6;
    at += 2;
    length = std::min(length, size - at);
    int side = turn % 3 == 1 ? 1 : 0;  // mapper, mapper, client …
    bool to_dynamic = turn % 3 == 2;
    p.source_port = side == 0 && !to_dynamic ? 135 : 50000;
    p.destination_port = side == 0 && !to_dynamic ? 50000 : (to_dynamic ? 49153 : 135);
    std::swap(p.source, p.destination);
    sequence[side] += skew == 3 ? 7 : 0;
    p.sequence = sequence[side] - (skew == 2 ? 3 : 0);
    p.payload = {data + at, length};
    p.time = static_cast<double>(turn);
    table.add(p);
    sequence[side] += static_cast<std::uint32_t>(length);
    at += length;
  }
  (void)table.flows(winports::catalog::builtin_catalog());
  return 0;
}
