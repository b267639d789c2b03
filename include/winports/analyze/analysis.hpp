#pragma once
// What analyze reports: the flows the inputs recorded and, with a site, where each sits and whether
// its plan allows it (an observed flow between the site's zones that the plan does not allow would
// break), and what the plan opens that nothing used; as JSON, and as the tables the CLI prints.
#include <optional>
#include <string>
#include <vector>

#include "winports/analyze/compare.hpp"
#include "winports/analyze/flows.hpp"
#include "winports/render/table.hpp"

namespace winports::analyze {

struct Analysis {
  std::vector<ObservedFlow> flows;
  Summary summary;
  std::optional<plan::Plan> plan;
  std::optional<Comparison> comparison;
  std::vector<bool> breaks;  // per flow: between the site's zones, and not allowed by its plan
  std::size_t breaking = 0;
};
// `env` null: no site; the flows only.
Analysis analyze(const FlowTable& table, const catalog::Catalog& catalog, const plan::Environment* env);

// {"flows": […], "summary": {…}}, written straight to text (docs/analyze.md has the format).
std::string analysis_json(const Analysis& a, const std::vector<std::string>& inputs, const std::string& site);

// The flows grouped by what they mean (the services, else the dynamic range they fall in), then,
// with a site, by zone pair.
render::Table flow_table(const Analysis& a, Lang lang = Lang::en);
// Planned but never observed (candidates to close); no rows without a site.
render::Table unobserved_table(const Analysis& a, Lang lang = Lang::en);
// "1200 packets, 30 connections, 12 flows, 3 skipped; …" and one line per skip reason.
std::vector<std::string> summary_lines(const Analysis& a, Lang lang = Lang::en);

}  // namespace winports::analyze
