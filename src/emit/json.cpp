// JSON: the plan as data for other tools — flows with their services and KB sources, the
// requirements left out (and whether the file ruled them out or did not say), and warnings.
#include <nlohmann/json.hpp>

#include "winports/catalog/export.hpp"
#include "winports/emit/emitter.hpp"

namespace winports::emit {

Result<std::string> emit_json(const Input& in) {
  const auto& c = in.catalog;
  auto nets = [](const std::vector<Network>& v) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& n : v) out.push_back(n.to_string());
    return out;
  };
  auto reason_json = [&](const plan::Reason& r) {
    const auto* s = c.service(r.service);
    const auto& q = s->requirements[r.requirement];
    return nlohmann::json{{"service", s->id},
                          {"application_protocol", {{"ja", q.protocol.ja}, {"en", q.protocol.en}}},
                          {"source", catalog::source_text(*s, q, Lang::en)},
                          {"origin", std::string(catalog::to_string(q.origin))}};
  };
  nlohmann::json flows = nlohmann::json::array();
  for (const auto& f : in.plan.flows) {
    nlohmann::json ports = nlohmann::json::array();
    for (auto r : f.ports.ranges()) ports.push_back({r.lo, r.hi});
    nlohmann::json reasons = nlohmann::json::array();
    for (const auto& r : f.reasons) reasons.push_back(reason_json(r));
    nlohmann::json j{{"from", f.source.name},
                     {"from_networks", nets(f.source.networks)},
                     {"to", f.destination.name},
                     {"to_networks", nets(f.destination.networks)},
                     {"transport", std::string(to_string(f.transport))},
                     {"ports", ports},
                     {"services", plan::services_of(f)},
                     {"reasons", reasons}};
    if (f.source_port) j["source_port"] = *f.source_port;
    if (!f.rpc_only.empty()) {
      nlohmann::json rpc = nlohmann::json::array();
      for (auto r : f.rpc_only.ranges()) rpc.push_back({r.lo, r.hi});
      j["rpc_dynamic_ports"] = rpc;
    }
    if (!f.icmp_type.empty()) j["icmp_type"] = f.icmp_type;
    flows.push_back(std::move(j));
  }
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : in.plan.skipped) {
    auto j = reason_json(s.reason);
    j["why"] = s.why.in(in.options.lang);
    j["undecided"] = s.undecided;
    j["count"] = s.pairs.size();
    auto pairs = nlohmann::json::array();
    for (auto [from, to] : s.pairs) pairs.push_back({in.plan.sides[from].name, in.plan.sides[to].name});
    j["pairs"] = std::move(pairs);
    skipped.push_back(std::move(j));
  }
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& w : in.plan.warnings) warnings.push_back(w.in(in.options.lang));
  // "version": the format's, raised only when a member changes meaning or goes (docs/json.md).
  nlohmann::json out{
      {"version", 1}, {"site", in.plan.site}, {"flows", flows}, {"skipped", skipped}, {"warnings", warnings}};
  return out.dump(2) + "\n";
}

}  // namespace winports::emit
