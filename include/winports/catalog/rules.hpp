#pragma once
// The KB's rules that are more than a lookup: which dynamic RPC range applies to a set of OS
// versions, and whether an OS matches a condition value such as "<windows-vista".
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "winports/catalog/model.hpp"

namespace winports::catalog {

struct DynamicRange {
  PortSet ports;
  bool assumed_both = false;         // some OS was unknown or missing: both ranges, and say so
  std::vector<std::string> unknown;  // the OS names that were not recognised
};

// The KB ("重要"): Vista/2008 and later use 49152-65535, 2000/XP/2003 use 1025-5000, and a network
// that mixes them needs both. `os_ids` are the OS versions at both ends of the flows concerned;
// an empty list or an unknown name gives both ranges with assumed_both set. A restricted range
// (registry or netsh) replaces the OS default entirely.
DynamicRange dynamic_rpc_range(const Catalog& catalog, std::span<const std::string> os_ids,
                               const std::optional<PortSet>& restricted = std::nullopt);

// Whether `os_id` satisfies one value of a *_os condition: an id or alias, "<id" or ">=id"
// (release order of data/os.yaml). Unknown ids never match.
bool os_matches(const Catalog& catalog, const std::string& os_id, const std::string& value);

// Human text for a condition ("server OS < Windows Vista", "feature: netbios …").
std::string describe(const Catalog& catalog, const Condition& condition, Lang lang);

}  // namespace winports::catalog
