#pragma once
// Which cubes of a list (a chain's rule matches, a plan's flows) may meet a cube, by destination
// address: most rules and flows name a host or a zone, so a site of thousands of hosts evaluates
// each packet space against the few that share its destinations instead of all of them. Answers are
// in list order (rule order matters) and a superset of the cubes that overlap.
#include <cstdint>
#include <vector>

#include "winports/audit/space.hpp"

namespace winports::audit {

class CubeIndex {
 public:
  CubeIndex() = default;
  explicit CubeIndex(const std::vector<const Cube*>& cubes);
  // Positions (into the list given) of the cubes whose destinations may meet `destination`, ascending.
  [[nodiscard]] std::vector<std::uint32_t> candidates(const AddressSet& destination) const;

 private:
  struct Entry {
    Address128 lo, hi;
    std::uint32_t position;
  };
  std::vector<Entry> narrow_[2];     // by family (0: IPv4, 1: IPv6), sorted by lo
  std::vector<std::uint32_t> wide_;  // destinations too wide to index: always candidates
  Address128 reach_[2] = {0, 0};     // the widest indexed entry, by family
};

}  // namespace winports::audit
