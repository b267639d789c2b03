#pragma once
// Sets of IPv4 and IPv6 addresses as sorted, disjoint, non-adjacent intervals: what a firewall rule
// matches on an address is rarely one prefix (a set, a range, a negation), and the audit evaluates
// rulesets over whole address spaces without enumerating addresses.
#include <cstdint>
#include <string>
#include <vector>

#include "winports/core/network.hpp"

namespace winports {

__extension__ typedef unsigned __int128 Address128;  // GCC/Clang extension: the one 128-bit integer type

// One family's addresses as closed intervals [lo, hi].
class IntervalSet {
 public:
  struct Interval {
    Address128 lo = 0;
    Address128 hi = 0;
    bool operator==(const Interval&) const = default;
  };
  IntervalSet() = default;
  static IntervalSet of(Address128 lo, Address128 hi);

  void add(Address128 lo, Address128 hi);
  [[nodiscard]] bool empty() const { return items_.empty(); }
  [[nodiscard]] bool contains(Address128 value) const;
  [[nodiscard]] const std::vector<Interval>& intervals() const { return items_; }
  [[nodiscard]] IntervalSet unite(const IntervalSet& other) const;
  [[nodiscard]] IntervalSet intersect(const IntervalSet& other) const;
  [[nodiscard]] IntervalSet subtract(const IntervalSet& other) const;
  [[nodiscard]] bool overlaps(const IntervalSet& other) const;
  [[nodiscard]] bool includes(const IntervalSet& other) const { return other.subtract(*this).empty(); }
  bool operator==(const IntervalSet&) const = default;

 private:
  std::vector<Interval> items_;
};

class AddressSet {
 public:
  AddressSet() = default;
  static AddressSet all();
  static AddressSet all_of(int family);
  static AddressSet of(const Network& network);
  static AddressSet from(int family, IntervalSet addresses);

  void add(const Network& network);
  [[nodiscard]] bool empty() const { return v4_.empty() && v6_.empty(); }
  [[nodiscard]] bool contains(const Network& address) const;  // every address of it
  [[nodiscard]] const IntervalSet& family(int f) const { return f == 4 ? v4_ : v6_; }
  [[nodiscard]] AddressSet only(int family) const;
  [[nodiscard]] AddressSet unite(const AddressSet& other) const;
  [[nodiscard]] AddressSet intersect(const AddressSet& other) const;
  [[nodiscard]] AddressSet subtract(const AddressSet& other) const;
  [[nodiscard]] AddressSet complement() const { return all().subtract(*this); }
  [[nodiscard]] bool overlaps(const AddressSet& other) const;
  [[nodiscard]] bool includes(const AddressSet& other) const;
  // The fewest prefixes that cover exactly this set, IPv4 first ("198.18.10.0/24", "2001:db8::1").
  [[nodiscard]] std::vector<Network> prefixes() const;
  [[nodiscard]] std::string to_string() const;  // prefixes joined by ", "; "any" for every address
  bool operator==(const AddressSet&) const = default;

 private:
  [[nodiscard]] AddressSet per_family(const AddressSet& other,
                                      IntervalSet (IntervalSet::*op)(const IntervalSet&) const) const;
  IntervalSet v4_;
  IntervalSet v6_;
};

}  // namespace winports
