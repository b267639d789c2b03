#pragma once
// Byte-order helpers for the wire formats the probes write and analyze reads. Hand-written: each probe encodes a few
// fixed fields, and no packaged library covers DCE/RPC, NetBIOS, IKE and SMB2 framing together.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace winports::wire {

using Bytes = std::vector<std::uint8_t>;
using View = std::span<const std::uint8_t>;

inline void put_be16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put_be32(Bytes& b, std::uint32_t v) {
  put_be16(b, v >> 16);
  put_be16(b, v & 0xffff);
}
inline void put_le16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
inline void put_le32(Bytes& b, std::uint32_t v) {
  put_le16(b, v & 0xffff);
  put_le16(b, v >> 16);
}
inline void put_text(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
inline void set_le16(Bytes& b, std::size_t at, unsigned v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

inline unsigned be16(View v, std::size_t at) { return unsigned(v[at]) << 8 | v[at + 1]; }
inline std::uint32_t be32(View v, std::size_t at) { return std::uint32_t(be16(v, at)) << 16 | be16(v, at + 2); }
inline unsigned le16(View v, std::size_t at) { return unsigned(v[at + 1]) << 8 | v[at]; }
inline std::uint32_t le32(View v, std::size_t at) { return std::uint32_t(le16(v, at + 2)) << 16 | le16(v, at); }

// Bytes as text, with control and non-ASCII bytes dropped: details are printed to terminals.
inline std::string printable(View v, std::size_t limit = 120) {
  std::string out;
  for (auto c : v) {
    if (out.size() >= limit) break;
    if (c >= 0x20 && c < 0x7f) out.push_back(static_cast<char>(c));
  }
  return out;
}

// A bounds-checked little-endian cursor: every read fails softly once past the end.
class Cursor {
 public:
  explicit Cursor(View data, std::size_t at = 0) : data_(data), at_(at) {}
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::size_t at() const { return at_; }
  [[nodiscard]] std::size_t left() const { return ok_ && at_ <= data_.size() ? data_.size() - at_ : 0; }
  bool need(std::size_t n) {
    if (!ok_ || at_ > data_.size() || data_.size() - at_ < n) ok_ = false;
    return ok_;
  }
  std::uint32_t le32() { return need(4) ? (at_ += 4, wire::le32(data_, at_ - 4)) : 0; }
  unsigned le16() { return need(2) ? (at_ += 2, wire::le16(data_, at_ - 2)) : 0; }
  unsigned be16() { return need(2) ? (at_ += 2, wire::be16(data_, at_ - 2)) : 0; }
  std::uint32_t be32() { return need(4) ? (at_ += 4, wire::be32(data_, at_ - 4)) : 0; }
  std::uint8_t u8() { return need(1) ? data_[at_++] : 0; }
  View take(std::size_t n) {
    if (!need(n)) return {};
    at_ += n;
    return data_.subspan(at_ - n, n);
  }
  void align(std::size_t to) {
    auto pad = (to - at_ % to) % to;
    take(pad);
  }

 private:
  View data_;
  std::size_t at_;
  bool ok_ = true;
};

}  // namespace winports::wire
