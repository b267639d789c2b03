#pragma once
// What a capture's own DCE/RPC traffic says about its dynamic ports: the interface a bind presents,
// and the endpoints an endpoint mapper hands out, read from its replies reassembled in sequence
// order. Internal to analyze; the flow table keeps one stream per connection to 135.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "winports/wire/dcerpc.hpp"

namespace winports::analyze {

// The first interface a bind or alter-context PDU presents, when `payload` starts one.
std::optional<std::string> bound_interface(std::span<const std::uint8_t> payload);

// The endpoints one endpoint-mapper reply stub hands out (an ept_map reply, else an ept_lookup page).
std::vector<wire::dcerpc::Endpoint> mapped_endpoints(std::span<const std::uint8_t> stub);

// The endpoint mapper's side of one connection, segment by segment: a gap, a retransmission or
// the capture's start resynchronises at the next PDU boundary; a stream that grows past what an
// endpoint mapper sends is dropped.
class MapperStream {
 public:
  // Adds one TCP segment from the endpoint mapper; returns the stubs of the replies it completes.
  std::vector<std::vector<std::uint8_t>> feed(std::uint32_t sequence, std::span<const std::uint8_t> payload);

 private:
  std::vector<std::uint8_t> bytes_;
  std::uint32_t next_sequence_ = 0;
  bool synced_ = false;
  std::vector<std::uint8_t> stub_;  // a reply's stub across its fragments
};

}  // namespace winports::analyze
