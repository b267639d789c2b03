#include "rpc_watch.hpp"

#include <utility>

namespace winports::analyze {
namespace {

namespace rpc = wire::dcerpc;

// A reply page is at most a few KiB; a stream that grows past this is not an endpoint mapper's.
constexpr std::size_t kMaxRpcStream = 256 * 1024;

}  // namespace

std::optional<std::string> bound_interface(std::span<const std::uint8_t> payload) {
  if (payload.size() < rpc::kHeaderSize || payload[0] != 5 ||
      (payload[2] != rpc::kBind && payload[2] != rpc::kAlterContext))
    return std::nullopt;
  auto presented = rpc::presented_interfaces(payload);
  if (presented.empty()) return std::nullopt;
  return presented.front().uuid;
}

std::vector<wire::dcerpc::Endpoint> mapped_endpoints(std::span<const std::uint8_t> stub) {
  auto endpoints = rpc::map_reply_endpoints(stub);
  if (endpoints.empty()) endpoints = rpc::lookup_reply(stub, 4096).endpoints;
  return endpoints;
}

std::vector<std::vector<std::uint8_t>> MapperStream::feed(std::uint32_t sequence,
                                                          std::span<const std::uint8_t> payload) {
  std::vector<std::vector<std::uint8_t>> replies;
  if (payload.empty()) return replies;
  if (!synced_ || sequence != next_sequence_) {
    if (synced_ && static_cast<std::int32_t>(sequence - next_sequence_) < 0) return replies;  // old data
    bytes_.clear();
    stub_.clear();
    synced_ = rpc::starts_pdu(payload);
    if (!synced_) return replies;
  }
  next_sequence_ = sequence + static_cast<std::uint32_t>(payload.size());
  bytes_.insert(bytes_.end(), payload.begin(), payload.end());
  std::size_t at = 0;
  while (bytes_.size() - at >= rpc::kHeaderSize) {
    std::span<const std::uint8_t> rest(bytes_.data() + at, bytes_.size() - at);
    if (!rpc::starts_pdu(rest)) {
      synced_ = false;
      bytes_.clear();
      return replies;
    }
    std::size_t length = wire::le16(rest, 8), auth = wire::le16(rest, 10);
    if (rest.size() < length) break;
    if (rest[2] == rpc::kResponse && length >= 24 + (auth ? auth + 8 : 0)) {
      std::size_t end = length - (auth ? auth + 8 : 0);
      stub_.insert(stub_.end(), rest.begin() + 24, rest.begin() + static_cast<std::ptrdiff_t>(end));
      if (rest[3] & rpc::kLastFragment) replies.push_back(std::exchange(stub_, {}));
    }
    at += length;
  }
  bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(at));
  if (bytes_.size() > kMaxRpcStream) bytes_.clear(), synced_ = false;
  return replies;
}

}  // namespace winports::analyze
