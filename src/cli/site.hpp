#pragma once
// A site file read for the commands that plan from it (plan, explain, verify, analyze --site).
#include <string>

#include "winports/plan/environment.hpp"

namespace CLI {
class App;
}

namespace winports::cli {

// --kb-literal overrides the file's settings.kb_literal for this run.
Result<plan::Environment> read_site(const std::string& path, const catalog::Catalog& c, bool kb_literal = false);
void add_kb_literal_flag(CLI::App* cmd, bool& kb_literal);

}  // namespace winports::cli
