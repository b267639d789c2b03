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

void GrowingCubeIndex::Side::add(std::uint32_t position, const AddressSet& addresses) {
  for (int family : {4, 6})
    for (const auto& i : addresses.family(family).intervals())
      if (i.hi - i.lo >= kNarrow[slot(family)]) {
        wide.push_back(position);
        return;
      }
  for (int family : {4, 6})
    for (const auto& i : addresses.family(family).intervals()) {
      reach[slot(family)] = std::max(reach[slot(family)], i.hi - i.lo);
      narrow[slot(family)].emplace(i.lo, std::make_pair(i.hi, position));
    }
}

bool GrowingCubeIndex::Side::collect(const AddressSet& addresses, std::size_t cap,
                                     std::vector<std::uint32_t>& out) const {
  if (wide.size() > cap) return false;
  out.insert(out.end(), wide.begin(), wide.end());
  for (int family : {4, 6}) {
    const auto& tree = narrow[slot(family)];
    for (const auto& q : addresses.family(family).intervals()) {
      Address128 back = reach[slot(family)];
      for (auto it = tree.lower_bound(q.lo >= back ? q.lo - back : 0); it != tree.end() && it->first <= q.hi; ++it) {
        if (it->second.first < q.lo) continue;
        if (out.size() >= cap) return false;
        out.push_back(it->second.second);
      }
    }
  }
  return true;
}

void GrowingCubeIndex::add(std::uint32_t position, const Cube& cube) {
  by_destination_.add(position, cube.destination);
  by_source_.add(position, cube.source);
}

std::vector<std::uint32_t> GrowingCubeIndex::candidates(const Cube& cube) const {
  // A short list by either side is enough (each holds every cube that may meet); else the whole
  // destination list.
  constexpr std::size_t kShort = 64;
  std::vector<std::uint32_t> out;
  if (!by_destination_.collect(cube.destination, kShort, out)) {
    out.clear();
    if (!by_source_.collect(cube.source, kShort, out)) {
      out.clear();
      by_destination_.collect(cube.destination, SIZE_MAX, out);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace winports::audit
