#pragma once
// Just enough ASN.1 BER for the probes' requests (Kerberos AS-REQ, LDAP and CLDAP searches, SNMP
// get) and a strict TLV reader for their replies. Hand-written: the packaged ASN.1 libraries
// (libtasn1) need a compiled module definition per protocol for what is here a handful of fields.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace winports::wire::ber {

using Bytes = std::vector<std::uint8_t>;
using View = std::span<const std::uint8_t>;

// Builds TLVs in order; begin() opens a constructed value whose length end() fills in.
class Writer {
 public:
  Writer& begin(std::uint8_t tag) {
    out_.push_back(tag);
    open_.push_back(out_.size());
    return *this;
  }
  Writer& end() {
    auto at = open_.back();
    open_.pop_back();
    auto length = length_bytes(out_.size() - at);
    out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(at), length.begin(), length.end());
    return *this;
  }
  Writer& integer(long long v, std::uint8_t tag = 0x02) {
    Bytes digits;
    do {
      digits.insert(digits.begin(), static_cast<std::uint8_t>(v & 0xff));
      v >>= 8;
    } while (v != 0 && v != -1);
    if ((v == 0 && (digits[0] & 0x80)) || (v == -1 && !(digits[0] & 0x80))) digits.insert(digits.begin(), v ? 0xff : 0);
    return primitive(tag, digits);
  }
  Writer& octets(std::string_view s, std::uint8_t tag = 0x04) { return primitive(tag, Bytes(s.begin(), s.end())); }
  Writer& primitive(std::uint8_t tag, const Bytes& value) {
    out_.push_back(tag);
    auto length = length_bytes(value.size());
    out_.insert(out_.end(), length.begin(), length.end());
    out_.insert(out_.end(), value.begin(), value.end());
    return *this;
  }
  Bytes take() { return std::move(out_); }

 private:
  static Bytes length_bytes(std::size_t n) {
    if (n < 0x80) return {static_cast<std::uint8_t>(n)};
    Bytes digits;
    for (; n; n >>= 8) digits.insert(digits.begin(), static_cast<std::uint8_t>(n & 0xff));
    digits.insert(digits.begin(), static_cast<std::uint8_t>(0x80 | digits.size()));
    return digits;
  }
  Bytes out_;
  std::vector<std::size_t> open_;
};

struct Tlv {
  std::uint8_t tag = 0;
  View value;
};

// The size of the TLV at the start of `data`: nullopt while its header is incomplete, 0 when it can
// never be valid (multi-byte tag, indefinite or oversized length).
inline std::optional<std::size_t> tlv_size(View data) {
  if (data.size() < 2) return std::nullopt;
  if ((data[0] & 0x1f) == 0x1f) return 0;
  std::size_t length = data[1];
  std::size_t header = 2;
  if (length & 0x80) {
    std::size_t count = length & 0x7f;
    if (count == 0 || count > 4) return 0;
    if (data.size() < 2 + count) return std::nullopt;
    length = 0;
    for (std::size_t i = 0; i < count; ++i) length = length << 8 | data[2 + i];
    header += count;
  }
  return header + length;
}

// Reads TLVs one after another from a value; any malformed or truncated TLV ends it (ok() false).
class Reader {
 public:
  explicit Reader(View data) : data_(data) {}
  std::optional<Tlv> next() {
    if (!ok_ || data_.empty()) return std::nullopt;
    auto size = tlv_size(data_);
    if (!size || *size == 0 || *size > data_.size()) {
      ok_ = false;
      return std::nullopt;
    }
    std::size_t header = (data_[1] & 0x80) ? 2 + (data_[1] & 0x7f) : 2;
    Tlv t{data_[0], data_.subspan(header, *size - header)};
    data_ = data_.subspan(*size);
    return t;
  }
  // The next TLV if it has this tag; otherwise nothing is consumed.
  std::optional<Tlv> next_if(std::uint8_t tag) {
    if (!ok_ || data_.empty() || data_[0] != tag) return std::nullopt;
    return next();
  }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] bool empty() const { return data_.empty(); }

 private:
  View data_;
  bool ok_ = true;
};

// The single TLV `data` must consist of, with this tag.
inline std::optional<Tlv> only(View data, std::uint8_t tag) {
  Reader r(data);
  auto t = r.next();
  if (!t || t->tag != tag || !r.empty()) return std::nullopt;
  return t;
}

inline std::optional<long long> integer(const Tlv& t) {
  if (t.value.empty() || t.value.size() > 8) return std::nullopt;
  long long v = (t.value[0] & 0x80) ? -1 : 0;
  for (auto b : t.value) v = static_cast<long long>(static_cast<unsigned long long>(v) << 8 | b);
  return v;
}

inline std::string text(const Tlv& t) { return std::string(t.value.begin(), t.value.end()); }

}  // namespace winports::wire::ber
