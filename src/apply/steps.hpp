#pragma once
// What apply.cpp shares with the per-format files: running a program, and each format's revert
// script — a shell script, run by the reverter, that puts back exactly what the plan replaces.
#include <string>
#include <vector>

#include "winports/core/result.hpp"

namespace winports::apply {

struct Ran {
  int status = -1;
  std::string output;  // stdout and stderr
};
Result<Ran> run(const std::vector<std::string>& argv);

// nftables.cpp: the site's table as it is now (or its absence), checked to load with nft -c.
Result<std::string> nft_revert(const std::string& plan_text);
// iptables.cpp: the site's chains in each family and the jump to them, as they are now.
Result<std::string> iptables_revert(const std::string& plan_text);

}  // namespace winports::apply
