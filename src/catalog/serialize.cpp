#include "winports/catalog/serialize.hpp"

#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "winports/catalog/messages.hpp"

namespace winports::catalog {
namespace {

constexpr std::uint32_t kMagic = 0x57504331;  // "WPC1"

template <class T>
concept HasMembers = requires(T& t) {
  t.members();
};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsPair : std::false_type {};
template <class A, class B>
struct IsPair<std::pair<A, B>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class K, class V>
struct IsMap<std::map<K, V>> : std::true_type {};

struct Writer {
  std::vector<std::uint8_t> out;
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
  }
  template <class T>
  void operator()(const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      varint(v.size());
      out.insert(out.end(), v.begin(), v.end());
    } else if constexpr (std::is_same_v<T, bool>) {
      varint(v ? 1 : 0);
    } else if constexpr (std::is_enum_v<T>) {
      varint(static_cast<std::uint64_t>(v));
    } else if constexpr (std::is_integral_v<T>) {
      varint(static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));
    } else if constexpr (std::is_same_v<T, PortSet>) {
      varint(v.ranges().size());
      for (auto r : v.ranges()) varint(r.lo), varint(r.hi);
    } else if constexpr (IsVector<T>::value) {
      varint(v.size());
      for (const auto& x : v) (*this)(x);
    } else if constexpr (IsOptional<T>::value) {
      varint(v ? 1 : 0);
      if (v) (*this)(*v);
    } else if constexpr (IsPair<T>::value) {
      (*this)(v.first), (*this)(v.second);
    } else if constexpr (IsMap<T>::value) {
      varint(v.size());
      for (const auto& [k, x] : v) (*this)(k), (*this)(x);
    } else if constexpr (std::is_same_v<T, LocalizedText>) {
      (*this)(v.ja), (*this)(v.en);
    } else {
      static_assert(HasMembers<T>);
      std::apply([this](auto&... m) { ((*this)(m), ...); }, const_cast<T&>(v).members());
    }
  }
};

struct Reader {
  std::span<const std::uint8_t> in;
  std::size_t pos = 0;
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= in.size()) throw std::runtime_error("truncated");
      auto b = in[pos++];
      v |= std::uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) return v;
    }
    throw std::runtime_error("bad varint");
  }
  std::size_t count() {
    auto n = varint();
    if (n > in.size() - pos) throw std::runtime_error("bad length");  // every element takes >= 1 byte
    return static_cast<std::size_t>(n);
  }
  template <class T>
  void operator()(T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      auto n = count();
      v.assign(reinterpret_cast<const char*>(in.data() + pos), n);
      pos += n;
    } else if constexpr (std::is_same_v<T, bool>) {
      v = varint() != 0;
    } else if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(varint());
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(static_cast<std::int64_t>(varint()));
    } else if constexpr (std::is_same_v<T, PortSet>) {
      auto n = count();
      std::vector<PortRange> ranges(n);
      for (auto& r : ranges) r.lo = static_cast<std::uint16_t>(varint()), r.hi = static_cast<std::uint16_t>(varint());
      v = PortSet::from_ranges(ranges);
    } else if constexpr (IsVector<T>::value) {
      v.resize(count());
      for (auto& x : v) (*this)(x);
    } else if constexpr (IsOptional<T>::value) {
      if (varint()) {
        v.emplace();
        (*this)(*v);
      }
    } else if constexpr (IsPair<T>::value) {
      (*this)(v.first), (*this)(v.second);
    } else if constexpr (IsMap<T>::value) {
      auto n = count();
      for (std::size_t i = 0; i < n; ++i) {
        typename T::key_type k;
        (*this)(k);
        (*this)(v[k]);
      }
    } else if constexpr (std::is_same_v<T, LocalizedText>) {
      (*this)(v.ja), (*this)(v.en);
    } else {
      std::apply([this](auto&... m) { ((*this)(m), ...); }, v.members());
    }
  }
};

}  // namespace

std::vector<std::uint8_t> to_blob(const Catalog& catalog) {
  Writer w;
  w.varint(kMagic);
  w(catalog);
  return std::move(w.out);
}

Result<Catalog> from_blob(std::span<const std::uint8_t> blob) {
  Reader r{blob};
  Catalog c;
  try {
    if (r.varint() != kMagic) return Error{"", 0, 0, "", msg::embedded_catalog("wrong format")};
    r(c);
  } catch (const std::exception& e) {
    return Error{"", 0, 0, "", msg::embedded_catalog(e.what())};
  }
  return c;
}

}  // namespace winports::catalog
