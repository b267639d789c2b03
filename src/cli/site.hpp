#pragma once
// A site file read for the commands that plan from it (plan, explain, verify, analyze --site).
#include <string>

#include "winports/plan/environment.hpp"

namespace winports::cli {

Result<plan::Environment> read_site(const std::string& path, const catalog::Catalog& c);

}  // namespace winports::cli
