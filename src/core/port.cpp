#include "winports/core/port.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace winports {
namespace {

struct TransportInfo {
  Transport transport;
  std::string_view name;
  int ip_protocol;
};
constexpr std::array kTransports{
    TransportInfo{Transport::tcp, "tcp", 6},   TransportInfo{Transport::udp, "udp", 17},
    TransportInfo{Transport::icmp, "icmp", 1}, TransportInfo{Transport::icmpv6, "icmpv6", 58},
    TransportInfo{Transport::gre, "gre", 47},  TransportInfo{Transport::esp, "esp", 50},
    TransportInfo{Transport::ah, "ah", 51},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  s = trim(s);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string_view to_string(Transport t) { return kTransports[static_cast<std::size_t>(t)].name; }
int ip_protocol_number(Transport t) { return kTransports[static_cast<std::size_t>(t)].ip_protocol; }
bool carries(Transport planned, Transport seen) {
  return planned == seen || (planned == Transport::icmp && seen == Transport::icmpv6);
}

bool has_ports(Transport t) { return t == Transport::tcp || t == Transport::udp; }

std::optional<Transport> parse_transport(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& info : kTransports)
    if (info.name == lower) return info.transport;
  return std::nullopt;
}

std::string PortRange::to_string() const {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

std::optional<PortRange> parse_port_range(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    auto p = parse_port(text);
    if (!p) return std::nullopt;
    return PortRange{*p, *p};
  }
  auto lo = parse_port(text.substr(0, dash));
  auto hi = parse_port(text.substr(dash + 1));
  if (!lo || !hi || *lo > *hi) return std::nullopt;
  return PortRange{*lo, *hi};
}

PortSet::PortSet(std::initializer_list<PortRange> ranges) {
  for (auto r : ranges) add(r);
}

PortSet PortSet::from_ranges(const std::vector<PortRange>& ranges) {
  PortSet s;
  for (auto r : ranges) s.add(r);
  return s;
}

void PortSet::add(PortRange r) {
  // Find the first range that ends at or after r.lo - 1 (touching ranges merge).
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), r,
                             [](const PortRange& a, const PortRange& b) { return std::uint32_t{a.hi} + 1 < b.lo; });
  auto first = it;
  while (it != ranges_.end() && it->lo <= std::uint32_t{r.hi} + 1) {
    r.lo = std::min(r.lo, it->lo);
    r.hi = std::max(r.hi, it->hi);
    ++it;
  }
  it = ranges_.erase(first, it);
  ranges_.insert(it, r);
}

bool PortSet::contains(std::uint16_t p) const {
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), p,
                             [](const PortRange& r, std::uint16_t port) { return r.hi < port; });
  return it != ranges_.end() && it->lo <= p;
}

std::uint32_t PortSet::count() const {
  std::uint32_t n = 0;
  for (auto r : ranges_) n += r.size();
  return n;
}

PortSet PortSet::unite(const PortSet& other) const {
  PortSet out = *this;
  for (auto r : other.ranges_) out.add(r);
  return out;
}

PortSet PortSet::intersect(const PortSet& other) const {
  PortSet out;
  auto a = ranges_.begin();
  auto b = other.ranges_.begin();
  while (a != ranges_.end() && b != other.ranges_.end()) {
    auto lo = std::max(a->lo, b->lo);
    auto hi = std::min(a->hi, b->hi);
    if (lo <= hi) out.ranges_.push_back({lo, hi});  // already sorted and disjoint
    if (a->hi < b->hi)
      ++a;
    else
      ++b;
  }
  return out;
}

bool PortSet::overlaps(const PortSet& other) const {
  auto a = ranges_.begin();
  auto b = other.ranges_.begin();
  while (a != ranges_.end() && b != other.ranges_.end()) {
    if (std::max(a->lo, b->lo) <= std::min(a->hi, b->hi)) return true;
    if (a->hi < b->hi)
      ++a;
    else
      ++b;
  }
  return false;
}

PortSet PortSet::subtract(const PortSet& other) const {
  PortSet out;
  auto b = other.ranges_.begin();
  for (auto r : ranges_) {
    std::uint32_t lo = r.lo;
    while (b != other.ranges_.end() && b->hi < lo) ++b;
    auto cut = b;
    while (cut != other.ranges_.end() && cut->lo <= r.hi) {
      if (cut->lo > lo)
        out.ranges_.push_back({static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(cut->lo - 1)});
      lo = std::uint32_t{cut->hi} + 1;
      if (cut->hi >= r.hi) break;
      ++cut;
    }
    if (lo <= r.hi) out.ranges_.push_back({static_cast<std::uint16_t>(lo), r.hi});
  }
  return out;
}

bool PortSet::includes(const PortSet& other) const { return other.subtract(*this).empty(); }

std::string PortSet::to_string() const {
  std::string out;
  for (auto r : ranges_) {
    if (!out.empty()) out += ',';
    out += r.to_string();
  }
  return out;
}

}  // namespace winports
