#include "winports/catalog/serialize.hpp"

#include <array>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <type_traits>

#include "winports/catalog/messages.hpp"

namespace winports::catalog {
namespace {

constexpr std::uint32_t kMagic = 0x57504332;  // "WPC2": services as records led by their ports

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
    if constexpr (std::is_same_v<T, Service>) {
      // A record: its length, the length of what its rows say about ports (ServicePorts) and that,
      // then the service; a reader without a filter steps over the ports.
      Writer ports;
      ports.varint(v.requirements.size());
      std::vector<std::string> seeds;
      for (const auto& q : v.requirements) {
        ports.varint(static_cast<std::uint64_t>(q.transport));
        ports.varint(q.dynamic.empty() ? 0 : 1);
        ports(q.ports);
        for (const auto& corr : q.corrections)
          if (corr.field == "port") seeds.push_back(corr.seed);
      }
      ports(seeds);
      Writer record;
      record.varint(ports.out.size());
      record.out.insert(record.out.end(), ports.out.begin(), ports.out.end());
      record.generic(v);
      varint(record.out.size());
      out.insert(out.end(), record.out.begin(), record.out.end());
    } else {
      generic(v);
    }
  }
  template <class T>
  void generic(const T& v) {
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
  const ServiceFilter* keep = nullptr;
  const Catalog* so_far = nullptr;
  bool service_texts = true;
  // Steps over a value of type T without building it (Decode's parts left out).
  template <class T>
  void skip() {
    if constexpr (std::is_same_v<T, std::string>) {
      pos += count();
    } else if constexpr (std::is_same_v<T, bool> || std::is_enum_v<T> || std::is_integral_v<T>) {
      varint();
    } else if constexpr (std::is_same_v<T, PortSet>) {
      for (auto n = count(); n > 0; --n) varint(), varint();
    } else if constexpr (IsVector<T>::value) {
      for (auto n = count(); n > 0; --n) skip<typename T::value_type>();
    } else if constexpr (IsOptional<T>::value) {
      if (varint()) skip<typename T::value_type>();
    } else if constexpr (IsPair<T>::value) {
      skip<typename T::first_type>(), skip<typename T::second_type>();
    } else if constexpr (IsMap<T>::value) {
      for (auto n = count(); n > 0; --n) skip<typename T::key_type>(), skip<typename T::mapped_type>();
    } else if constexpr (std::is_same_v<T, LocalizedText>) {
      skip<std::string>(), skip<std::string>();
    } else {
      T shape;  // only for its members' types
      std::apply([&](auto&... m) { (skip<std::remove_cvref_t<decltype(m)>>(), ...); }, shape.members());
    }
  }
  // What a service's rows are told with; the order is Service::members()'.
  void rows_only(Service& s) {
    static_assert(std::tuple_size_v<decltype(s.members())> == 18, "a new member of Service: read or skip it here");
    auto skipped = [this](auto& m) { skip<std::remove_cvref_t<decltype(m)>>(); };
    auto [id, names, section, aliases, system_services, description, conditions, uses, obsolete, ad_depends_on,
          depends_on_ad, notes, general_notes, discrepancies, requirements, file, kb_counterpart, identifies_as] =
        s.members();
    (*this)(id), (*this)(names), (*this)(section), skipped(aliases), skipped(system_services), skipped(description);
    (*this)(conditions), skipped(uses), (*this)(obsolete), skipped(ad_depends_on), skipped(depends_on_ad);
    (*this)(notes), skipped(general_notes), skipped(discrepancies), (*this)(requirements), skipped(file);
    skipped(kb_counterpart), skipped(identifies_as);
  }
  // Each part of the catalog is led by its length, so a part nobody asked for is stepped over.
  template <class... Parts>
  void parts(const std::array<bool, sizeof...(Parts)>& wanted, Parts&... part) {
    std::size_t i = 0;
    auto one = [&](auto& p) {
      auto length = count();
      auto end = pos + length;
      if (wanted[i++]) {
        (*this)(p);
        if (pos != end) throw std::runtime_error("bad part");
      }
      pos = end;
    };
    (one(part), ...);
  }
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
  void read_ports(ServicePorts& ports) {
    ports.rows.resize(count());
    for (auto& row : ports.rows) {
      row.transport = static_cast<Transport>(varint());
      row.dynamic = varint() != 0;
      (*this)(row.ports);
    }
    (*this)(ports.port_seeds);
  }
  template <class T>
  void operator()(T& v) {
    if constexpr (std::is_same_v<T, std::vector<Service>>) {
      auto n = count();
      v.clear();
      v.reserve(keep && *keep ? 0 : n);
      ServicePorts ports;
      for (std::size_t i = 0; i < n; ++i) {
        auto length = count();
        auto end = pos + length;
        auto ports_length = count();
        if (ports_length > end - pos) throw std::runtime_error("bad record");
        if (keep && *keep) {
          read_ports(ports);
          if (!(*keep)(*so_far, ports)) {
            pos = end;
            continue;
          }
        } else {
          pos += ports_length;
        }
        if (service_texts)
          (*this)(v.emplace_back());
        else
          rows_only(v.emplace_back());
        if (pos != end) throw std::runtime_error("bad record");
      }
    } else if constexpr (std::is_same_v<T, std::string>) {
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
  std::apply(
      [&](const auto&... part) {
        auto one = [&](const auto& p) {
          Writer sub;
          sub(p);
          w.varint(sub.out.size());
          w.out.insert(w.out.end(), sub.out.begin(), sub.out.end());
        };
        (one(part), ...);
      },
      const_cast<Catalog&>(catalog).members());
  return std::move(w.out);
}

Result<Catalog> from_blob(std::span<const std::uint8_t> blob, const Decode& only) {
  Catalog c;
  Reader r{blob, 0, &only.services, &c, only.service_texts};
  try {
    if (r.varint() != kMagic) return Error{"", 0, 0, "", msg::embedded_catalog("wrong format")};
    static_assert(std::tuple_size_v<decltype(c.members())> == 13, "a new part of Catalog needs its flag in Decode");
    std::apply(
        [&](auto&... part) {
          r.parts({true, true, true, only.roles, only.profiles, only.os_versions, only.features, only.scenarios,
                   only.rpc_interfaces, only.port_settings, only.documents, only.predefined_rules, only.products},
                  part...);
        },
        c.members());
  } catch (const std::exception& e) {
    return Error{"", 0, 0, "", msg::embedded_catalog(e.what())};
  }
  return c;
}

}  // namespace winports::catalog
