#pragma once
// Which cubes of a list (a chain's rule matches, a plan's flows) may meet a cube, by destination
// address: most rules and flows name a host or a zone, so a site of thousands of hosts evaluates
// each packet space against the few that share its destinations instead of all of them. Answers are
// in list order (rule order matters) and a superset of the cubes that overlap.
#include <cstdint>
#include <map>
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

// The same, grown one cube at a time (the rules a pass has found may cover others, in order): a
// chain of near-copies keeps only its first copies in it, so a query meets a few, not all before it.
// Indexed by destination and by source: a query takes whichever side names few (per-host rules to
// one server share the destination, not the source).
class GrowingCubeIndex {
 public:
  void add(std::uint32_t position, const Cube& cube);
  // Positions of the cubes that may meet `cube`, ascending.
  [[nodiscard]] std::vector<std::uint32_t> candidates(const Cube& cube) const;

 private:
  struct Side {
    std::multimap<Address128, std::pair<Address128, std::uint32_t>> narrow[2];  // lo → (hi, position)
    std::vector<std::uint32_t> wide;
    Address128 reach[2] = {0, 0};
    void add(std::uint32_t position, const AddressSet& addresses);
    // Appends the positions that may meet `addresses`; false (stopped) past `cap` of them.
    bool collect(const AddressSet& addresses, std::size_t cap, std::vector<std::uint32_t>& out) const;
  };
  Side by_destination_, by_source_;
};

}  // namespace winports::audit
