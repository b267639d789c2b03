#include "winports/verify/merge.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "winports/plan/messages.hpp"
#include "winports/report/zones.hpp"
#include "winports/verify/messages.hpp"

namespace winports::verify {
namespace {

using report::Verdict;

// A probe's verdict for the firewall: reached (whether or not something listens) or not.
Verdict verdict_of(const nlohmann::json& result) {
  if (result.value("blocked", false)) return Verdict::blocked;
  auto status = result.value("status", std::string());
  if (status == "listening") return Verdict::passed;
  if (status == "not-listening") return Verdict::refused;
  return Verdict::unproven;
}

// The plan flow a result line belongs to: its label, transport and port.
std::optional<std::size_t> flow_of(const plan::Plan& plan, const nlohmann::json& result) {
  auto label = result.value("flow", std::string());
  auto transport = result.value("transport", std::string());
  auto port = result.value("port", 0);
  for (std::size_t i = 0; i < plan.flows.size(); ++i) {
    const auto& f = plan.flows[i];
    if (plan::flow_label(f) == label && to_string(f.transport) == transport &&
        f.ports.contains(static_cast<std::uint16_t>(port)))
      return i;
  }
  return std::nullopt;
}

// The zone a flow's source is in: its own, or that of its first address.
std::string source_zone(const plan::Environment& env, const plan::Flow& f) {
  if (!f.source.zone.empty()) return f.source.zone;
  for (const auto& n : f.source.networks)
    if (const auto* z = env.zone_of(n)) return z->name;
  return f.source.name;
}

}  // namespace

Result<Merged> merge(const plan::Plan& plan, const plan::Environment& env, const std::vector<VantageResult>& results) {
  if (results.empty()) return Error{env.file, 0, 0, "--merge", msg::merge_no_results()};
  Merged out;
  out.site = env.site;
  out.plan_id = plan::plan_id(plan);
  std::map<std::size_t, std::map<std::string, MergedFlow::Probe>> by_flow;  // flow → vantage → worst probe
  std::set<std::string> zones_with_vantage;
  for (const auto& r : results) {
    auto fail = [&](const std::string& field, const LocalizedText& message) {
      return Error{r.file, 0, 0, field, message};
    };
    auto doc = nlohmann::json::parse(r.text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return fail("", msg::merge_not_verify("?"));
    auto kind = doc.value("kind", std::string("?"));
    const auto payload = doc.value("payload", nlohmann::json::object());
    if (kind == "verify-failed") {
      Merged::Run run{r.file, payload.value("host", std::string()),  payload.value("from", std::string()), "",
                      0,      payload.value("reason", std::string())};
      if (run.host.empty()) return fail("payload.host", msg::merge_failure_no_host());
      if (auto site = payload.value("site", env.site); site != env.site)
        return fail("payload.site", msg::merge_other_site(site, env.site));
      if (run.failed.empty()) run.failed = "?";
      out.runs.push_back(std::move(run));
      continue;
    }
    if (kind != "verify" || !payload.contains("summary") || !payload.contains("results") ||
        !payload["results"].is_array())
      return fail("kind", msg::merge_not_verify(kind));
    const auto& summary = payload["summary"];
    auto site = summary.value("site", std::string());
    if (site != env.site) return fail("summary.site", msg::merge_other_site(site, env.site));
    auto id = summary.value("plan_id", std::string());
    if (id != out.plan_id) return fail("summary.plan_id", msg::merge_other_plan(id, out.plan_id));
    const auto vantage = summary.value("vantage", nlohmann::json::object());
    Merged::Run run{r.file,
                    vantage.value("host", std::string()),
                    summary.value("from", std::string()),
                    summary.value("started", std::string()),
                    summary.value("seconds", 0.0),
                    ""};
    if (run.host.empty()) run.host = run.from;
    // Two runs of one host (again later, or namespaces sharing a host name) stay two vantages.
    if (std::any_of(out.runs.begin(), out.runs.end(), [&](const Merged::Run& other) { return other.host == run.host; }))
      run.host += " [" + r.file + "]";
    for (const auto& z : vantage.value("zones", std::vector<std::string>{})) zones_with_vantage.insert(z);
    for (const auto& result : payload["results"]) {
      if (!result.is_object()) continue;
      auto i = flow_of(plan, result);
      if (!i) continue;  // an endpoint the endpoint mapper handed out beyond the plan
      // The evidence in both languages where the run wrote both (a script's run has only `detail`).
      auto where = result.value("address", std::string()) + " " + result.value("transport", std::string()) + "/" +
                   std::to_string(result.value("port", 0)) + ": ";
      auto en = result.value("detail", std::string()), ja = result.value("detail_ja", std::string());
      LocalizedText detail{where + (ja.empty() ? en : ja), where + en};
      auto verdict = verdict_of(result);
      auto [it, fresh] = by_flow[*i].try_emplace(run.host, MergedFlow::Probe{run.host, verdict, detail});
      if (!fresh && verdict < it->second.verdict) it->second = {run.host, verdict, detail};
    }
    out.runs.push_back(std::move(run));
  }
  std::map<std::string, std::vector<std::size_t>> unprobed;
  for (std::size_t i = 0; i < plan.flows.size(); ++i) {
    auto it = by_flow.find(i);
    if (it == by_flow.end()) {
      unprobed[source_zone(env, plan.flows[i])].push_back(i);
      continue;
    }
    MergedFlow m{i, {}};
    for (auto& [host, probe] : it->second) m.probes.push_back(std::move(probe));
    std::stable_sort(m.probes.begin(), m.probes.end(),
                     [](const MergedFlow::Probe& a, const MergedFlow::Probe& b) { return a.verdict < b.verdict; });
    out.flows.push_back(std::move(m));
  }
  auto worst = [](const MergedFlow& m) {
    Verdict v = Verdict::passed;
    for (const auto& p : m.probes) v = std::min(v, p.verdict);
    return v;
  };
  std::stable_sort(out.flows.begin(), out.flows.end(),
                   [&](const MergedFlow& a, const MergedFlow& b) { return worst(a) < worst(b); });
  // Zones without a vantage host first: they are what the next run must add.
  for (bool has_vantage : {false, true})
    for (auto& [zone, flows] : unprobed)
      if (zones_with_vantage.count(zone) == (has_vantage ? 1u : 0u))
        out.unprobed.push_back({zone, has_vantage, std::move(flows)});
  return out;
}

const std::vector<Msg> kMergeColumns = {msg::col_flow, msg::col_vantage, msg::col_verdict, msg::col_detail};

std::vector<Line> merge_lines(const plan::Plan& plan, const Merged& merged, Lang lang) {
  std::vector<Line> lines;
  for (const auto& m : merged.flows) {
    const auto& f = plan.flows[m.flow];
    auto what = plan::flow_label(f) + " " + std::string(to_string(f.transport)) + " " + f.ports.to_string();
    for (const auto& p : m.probes) {
      bool failed = p.verdict == Verdict::blocked;
      Line l;
      l.failed = failed;
      const auto& detail = p.detail.in(lang);
      l.cells = {what, p.vantage, report::to_string(p.verdict), detail};
      l.junit = {plan::flow_label(f),
                 p.vantage + ": " + std::string(to_string(f.transport)) + " " + f.ports.to_string(), 0,
                 failed ? "blocked" : "", detail};
      l.row = {plan::flow_label(f),
               p.vantage,
               std::string(to_string(f.transport)) + " " + f.ports.to_string(),
               report::to_string(p.verdict),
               p.verdict,
               "",
               detail};
      l.json = {
          {"flow", plan::flow_label(f)}, {"transport", to_string(f.transport)},     {"ports", f.ports.to_string()},
          {"vantage", p.vantage},        {"verdict", report::to_string(p.verdict)}, {"detail", p.detail.en}};
      lines.push_back(std::move(l));
    }
  }
  return lines;
}

std::string merge_summary(const Merged& merged, Lang lang) {
  std::size_t blocked = 0, unprobed = 0;
  for (const auto& m : merged.flows)
    blocked += std::any_of(m.probes.begin(), m.probes.end(),
                           [](const MergedFlow::Probe& p) { return p.verdict == Verdict::blocked; });
  for (const auto& u : merged.unprobed) unprobed += u.flows.size();
  auto failed = static_cast<std::size_t>(
      std::count_if(merged.runs.begin(), merged.runs.end(), [](const Merged::Run& r) { return !r.failed.empty(); }));
  return msg::merge_summary.in(lang, std::to_string(merged.flows.size()), std::to_string(merged.runs.size() - failed),
                               std::to_string(blocked), std::to_string(unprobed)) +
         (failed ? msg::merge_failed_runs.in(lang, std::to_string(failed)) : "");
}

std::vector<std::string> unprobed_lines(const plan::Plan& plan, const Merged& merged, Lang lang) {
  std::vector<std::string> out;
  for (const auto& u : merged.unprobed) {
    auto listed = join(u.flows, ", ", [&](std::size_t i) {
      const auto& f = plan.flows[i];
      return plan::flow_label(f) + " " + std::string(to_string(f.transport)) +
             (f.ports.empty() ? "" : " " + f.ports.to_string());
    });
    out.push_back(
        say(u.has_vantage ? msg::merge_not_probeable : msg::merge_zone_without_vantage, lang, {u.zone, listed}));
  }
  for (const auto& run : merged.runs) {
    if (!run.failed.empty()) {
      out.push_back(msg::merge_run_failed.in(lang, run.file, run.host, run.from, run.failed));
      continue;
    }
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", run.seconds);
    out.push_back(msg::merge_run.in(lang, run.file, run.host, run.from, run.started, seconds));
  }
  return out;
}

Result<std::string> merged_diagram(const plan::Plan& plan, const plan::Environment& env, const Merged& merged) {
  std::vector<int> state(plan.flows.size(), 0);  // 0 unprobed, 1 passed, 2 blocked
  for (const auto& m : merged.flows)
    for (const auto& p : m.probes) state[m.flow] = std::max(state[m.flow], p.verdict == Verdict::blocked ? 2 : 1);
  auto links = report::zone_links(plan, env);
  for (auto& l : links) {
    int worst = 0;
    for (auto i : l.flows) worst = std::max(worst, state[i]);
    l.color = worst == 2 ? report::kBlockedColor : worst == 1 ? report::kPassedColor : "";
  }
  return report::render_svg(report::zone_dot(links, env));
}

}  // namespace winports::verify
