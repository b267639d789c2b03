#pragma once
// A site file read for the commands that plan from it (plan, explain, verify).
#include <string>

#include "winports/plan/planner.hpp"

namespace winports::cli {

Result<plan::Environment> read_environment(const std::string& path, const catalog::Catalog& c);
// Whether a flow's side names `name`: one of its hosts or zones, or a zone one of its hosts is in.
bool side_matches(const plan::Endpoint& e, const std::string& name, const plan::Environment& env);

}  // namespace winports::cli
