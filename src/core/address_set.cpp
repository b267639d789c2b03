#include "winports/core/address_set.hpp"

#include <algorithm>
#include <utility>

#include "winports/core/text.hpp"

namespace winports {
namespace {

constexpr Address128 kMax128 = ~Address128{0};
constexpr Address128 kMax32 = 0xFFFFFFFFu;

Address128 max_of(int family) { return family == 4 ? kMax32 : kMax128; }
int bits_of(int family) { return family == 4 ? 32 : 128; }

Address128 value_of(const Network& n) {
  Address128 v = 0;
  int bytes = n.family == 4 ? 4 : 16;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | n.bytes[static_cast<std::size_t>(i)];
  return v;
}

// The host-part mask of a /prefix in a family of `bits` bits: all ones below the prefix.
Address128 host_mask(int prefix, int bits) {
  int host = bits - prefix;
  return host >= 128 ? kMax128 : (Address128{1} << host) - 1;
}

Network network_of(int family, Address128 value, int prefix) {
  Network n;
  n.family = family;
  n.prefix = prefix;
  int bytes = family == 4 ? 4 : 16;
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) n.bytes[static_cast<std::size_t>(i)] = value & 0xFF;
  return n;
}

}  // namespace

IntervalSet IntervalSet::of(Address128 lo, Address128 hi) {
  IntervalSet s;
  s.add(lo, hi);
  return s;
}

void IntervalSet::add(Address128 lo, Address128 hi) {
  if (lo > hi) return;
  // Merge every interval that overlaps or touches [lo, hi].
  auto first = std::lower_bound(items_.begin(), items_.end(), lo, [](const Interval& i, Address128 v) {
    return i.hi < v && i.hi + 1 < v;  // ends before lo, and not adjacent
  });
  auto last = first;
  while (last != items_.end() && (last->lo <= hi || (hi != kMax128 && last->lo == hi + 1))) {
    lo = std::min(lo, last->lo);
    hi = std::max(hi, last->hi);
    ++last;
  }
  auto at = items_.erase(first, last);
  items_.insert(at, Interval{lo, hi});
}

bool IntervalSet::contains(Address128 value) const {
  auto it =
      std::upper_bound(items_.begin(), items_.end(), value, [](Address128 v, const Interval& i) { return v < i.lo; });
  return it != items_.begin() && std::prev(it)->hi >= value;
}

IntervalSet IntervalSet::unite(const IntervalSet& other) const {
  IntervalSet out = *this;
  for (const auto& i : other.items_) out.add(i.lo, i.hi);
  return out;
}

IntervalSet IntervalSet::intersect(const IntervalSet& other) const {
  IntervalSet out;
  auto a = items_.begin();
  auto b = other.items_.begin();
  while (a != items_.end() && b != other.items_.end()) {
    Address128 lo = std::max(a->lo, b->lo), hi = std::min(a->hi, b->hi);
    if (lo <= hi) out.items_.push_back({lo, hi});  // in order and disjoint: no merge needed
    (a->hi < b->hi) ? ++a : ++b;
  }
  return out;
}

IntervalSet IntervalSet::subtract(const IntervalSet& other) const {
  IntervalSet out;
  auto b = other.items_.begin();
  for (auto interval : items_) {
    Address128 lo = interval.lo;
    bool done = false;
    while (b != other.items_.end() && b->hi < lo) ++b;
    for (auto c = b; c != other.items_.end() && c->lo <= interval.hi; ++c) {
      if (c->lo > lo) out.items_.push_back({lo, c->lo - 1});
      if (c->hi >= interval.hi) {
        done = true;
        break;
      }
      lo = c->hi + 1;
    }
    if (!done) out.items_.push_back({lo, interval.hi});
  }
  return out;
}

bool IntervalSet::overlaps(const IntervalSet& other) const {
  // A few intervals against many (a host against a set of 200 zones): binary search each of the few.
  const auto& few = items_.size() <= other.items_.size() ? items_ : other.items_;
  const auto& many = items_.size() <= other.items_.size() ? other.items_ : items_;
  if (few.size() <= 4 && many.size() > 16) {
    for (const auto& i : few) {
      auto it =
          std::lower_bound(many.begin(), many.end(), i.lo, [](const Interval& m, Address128 v) { return m.hi < v; });
      if (it != many.end() && it->lo <= i.hi) return true;
    }
    return false;
  }
  auto a = items_.begin();
  auto b = other.items_.begin();
  while (a != items_.end() && b != other.items_.end()) {
    if (std::max(a->lo, b->lo) <= std::min(a->hi, b->hi)) return true;
    (a->hi < b->hi) ? ++a : ++b;
  }
  return false;
}

AddressSet AddressSet::all() {
  AddressSet s;
  s.v4_ = IntervalSet::of(0, kMax32);
  s.v6_ = IntervalSet::of(0, kMax128);
  return s;
}

AddressSet AddressSet::all_of(int family) { return all().only(family); }

AddressSet AddressSet::of(const Network& network) {
  AddressSet s;
  s.add(network);
  return s;
}

AddressSet AddressSet::from(int family, IntervalSet addresses) {
  AddressSet s;
  (family == 4 ? s.v4_ : s.v6_) = std::move(addresses);
  return s;
}

void AddressSet::add(const Network& network) {
  Address128 lo = value_of(network);
  Address128 hi = lo | host_mask(network.prefix, bits_of(network.family));
  (network.family == 4 ? v4_ : v6_).add(lo, hi);
}

bool AddressSet::contains(const Network& address) const { return includes(of(address)); }

AddressSet AddressSet::only(int family) const {
  AddressSet s;
  (family == 4 ? s.v4_ : s.v6_) = this->family(family);
  return s;
}

AddressSet AddressSet::per_family(const AddressSet& other,
                                  IntervalSet (IntervalSet::*op)(const IntervalSet&) const) const {
  AddressSet s;
  s.v4_ = (v4_.*op)(other.v4_);
  s.v6_ = (v6_.*op)(other.v6_);
  return s;
}

AddressSet AddressSet::unite(const AddressSet& other) const { return per_family(other, &IntervalSet::unite); }
AddressSet AddressSet::intersect(const AddressSet& other) const { return per_family(other, &IntervalSet::intersect); }
AddressSet AddressSet::subtract(const AddressSet& other) const { return per_family(other, &IntervalSet::subtract); }

bool AddressSet::overlaps(const AddressSet& other) const { return v4_.overlaps(other.v4_) || v6_.overlaps(other.v6_); }

bool AddressSet::includes(const AddressSet& other) const { return v4_.includes(other.v4_) && v6_.includes(other.v6_); }

std::vector<Network> AddressSet::prefixes() const {
  std::vector<Network> out;
  for (int family : {4, 6}) {
    int bits = bits_of(family);
    for (auto [lo, hi] : this->family(family).intervals()) {
      // The largest aligned block starting at lo that stays within hi, repeatedly.
      while (true) {
        int prefix = bits;
        while (prefix > 0) {
          Address128 mask = host_mask(prefix - 1, bits);
          if ((lo & mask) != 0 || (lo | mask) > hi) break;
          --prefix;
        }
        out.push_back(network_of(family, lo, prefix));
        Address128 end = lo | host_mask(prefix, bits);
        if (end >= hi || end == max_of(family)) break;
        lo = end + 1;
      }
    }
  }
  return out;
}

std::string AddressSet::to_string() const {
  if (*this == all()) return "any";
  if (*this == all_of(4)) return "any IPv4";
  if (*this == all_of(6)) return "any IPv6";
  return join(prefixes(), ", ", [](const Network& n) { return n.to_string(); });
}

}  // namespace winports
