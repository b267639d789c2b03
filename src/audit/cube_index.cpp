#include "cube_index.hpp"

#include <algorithm>

namespace winports::audit {
namespace {

// An entry no wider than this is indexed (a zone is rarely wider than a /16 or a /48); a query looks
// back as far as the widest indexed entry for entries that start before it and reach into it.
constexpr Address128 kNarrow[2] = {Address128{1} << 16, Address128{1} << 80};

int slot(int family) { return family == 4 ? 0 : 1; }

}  // namespace

CubeIndex::CubeIndex(const std::vector<const Cube*>& cubes) {
  for (std::uint32_t position = 0; position < cubes.size(); ++position) {
    bool wide = false;
    std::vector<Entry> entries[2];
    for (int family : {4, 6})
      for (const auto& i : cubes[position]->destination.family(family).intervals()) {
        if (i.hi - i.lo >= kNarrow[slot(family)]) wide = true;
        entries[slot(family)].push_back({i.lo, i.hi, position});
      }
    if (wide) {
      wide_.push_back(position);
      continue;
    }
    for (int s : {0, 1}) {
      for (const auto& e : entries[s]) reach_[s] = std::max(reach_[s], e.hi - e.lo);
      narrow_[s].insert(narrow_[s].end(), entries[s].begin(), entries[s].end());
    }
  }
  for (auto& list : narrow_)
    std::sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.lo < b.lo; });
}

std::vector<std::uint32_t> CubeIndex::candidates(const AddressSet& destination) const {
  std::vector<std::uint32_t> out = wide_;
  for (int family : {4, 6}) {
    const auto& list = narrow_[slot(family)];
    for (const auto& q : destination.family(family).intervals()) {
      Address128 back = reach_[slot(family)];
      Address128 from = q.lo >= back ? q.lo - back : 0;
      auto it = std::lower_bound(list.begin(), list.end(), from, [](const Entry& e, Address128 v) { return e.lo < v; });
      for (; it != list.end() && it->lo <= q.hi; ++it)
        if (it->hi >= q.lo) out.push_back(it->position);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace winports::audit
