#pragma once
// explain: why the plan allows a port between two places of the site, or why it does not — the
// flows and the KB rows that open it, or the requirements left out and their conditions, or what
// the access entries grant instead. Always a reason.
#include <string>
#include <vector>

#include "winports/catalog/query.hpp"
#include "winports/plan/environment.hpp"
#include "winports/plan/planner.hpp"

namespace winports::verify {

struct Explanation {
  bool allowed = false;
  std::vector<std::string> lines;  // what explain prints, the verdict first
};

Explanation explain(const plan::Plan& plan, const plan::Environment& env, const catalog::Catalog& catalog,
                    const plan::Place& from, const plan::Place& to, const catalog::PortQuery& port,
                    const std::string& port_text, Lang lang);

}  // namespace winports::verify
