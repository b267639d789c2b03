#include "winports/verify/explain.hpp"

#include <algorithm>
#include <set>

#include "winports/catalog/export.hpp"
#include "winports/core/messages.hpp"

namespace winports::verify {
namespace {

// Does any address of the flow's side fall in the place (or the other way round)?
bool overlaps(const std::vector<Network>& side, const plan::Place& place) {
  for (const auto& a : side)
    for (const auto& b : place.networks)
      if (a.overlaps(b)) return true;
  return false;
}

}  // namespace

Explanation explain(const plan::Plan& plan, const plan::Environment& env, const catalog::Catalog& c,
                    const plan::Place& from, const plan::Place& to, const catalog::PortQuery& query,
                    const std::string& port_text, Lang lang) {
  Explanation out;
  auto matches_port = [&](Transport t, const PortSet& ports) {
    if (query.transport && *query.transport != t) return false;
    return !query.port || ports.contains(*query.port);
  };
  std::set<std::string> services_between;  // what the plan allows between the two, on any port
  for (const auto& f : plan.flows) {
    if (!overlaps(f.source.networks, from) || !overlaps(f.destination.networks, to)) continue;
    for (const auto& id : plan::services_of(f)) services_between.insert(id);
    if (!matches_port(f.transport, f.ports)) continue;
    out.allowed = true;
    out.lines.push_back(
        say(Msg::explain_allowed, lang,
            {plan::flow_label(f), to_string(f.transport), f.ports.empty() ? "-" : f.ports.to_string()}));
    for (const auto& r : f.reasons) {
      const auto* s = c.service(r.service);
      const auto& q = s->requirements[r.requirement];
      if (!query.port || q.ports.contains(*query.port) || !q.dynamic.empty())
        out.lines.push_back("  " + s->names.in(lang) + " [" + s->id + "]: " + q.protocol.in(lang) + " — " +
                            catalog::source_text(*s, q, lang));
    }
    // Whose OS (or setting) chose the dynamic range that carries the port.
    if (!query.port || f.rpc_only.contains(*query.port))
      for (const auto& basis : f.rpc_ranges) out.lines.push_back("  " + basis.in(lang));
  }
  if (out.allowed) return out;
  out.lines.push_back(say(Msg::explain_not_allowed, lang, {from.label.in(lang), to.label.in(lang), port_text}));
  std::set<std::string> said;  // each reason once, whichever access entry skipped it
  // A port of the other era's range: the listener's own range is what the plan opens.
  auto any_range = c.legacy_rpc_range.unite(c.modern_rpc_range);
  for (const auto& f : plan.flows) {
    if (!overlaps(f.source.networks, from) || !overlaps(f.destination.networks, to) || f.rpc_ranges.empty()) continue;
    if (!query.port || !any_range.contains(*query.port) || (query.transport && *query.transport != f.transport))
      continue;
    for (const auto& basis : f.rpc_ranges) {
      std::string line = "  " + say(Msg::explain_rpc_range, lang, {plan::flow_label(f), basis.in(lang), port_text});
      if (said.insert(line).second) out.lines.push_back(std::move(line));
    }
  }
  for (const auto& s : plan.skipped) {
    const auto* svc = c.service(s.reason.service);
    const auto& q = svc->requirements[s.reason.requirement];
    if (std::none_of(s.pairs.begin(), s.pairs.end(), [&](const auto& pair) {
          return overlaps(plan.sides[pair.first].networks, from) && overlaps(plan.sides[pair.second].networks, to);
        }))
      continue;
    // A dynamic row may have carried the port in either era's range (or a restricted one within).
    auto could_carry = q.dynamic.empty() ? q.ports : q.ports.unite(c.legacy_rpc_range).unite(c.modern_rpc_range);
    if (!matches_port(q.transport, could_carry)) continue;
    std::string line = "  " + svc->id + ": " + q.protocol.in(lang) + " — " +
                       say(s.undecided ? Msg::explain_undecided : Msg::explain_left_out, lang, {s.why.in(lang)}) +
                       " (" + catalog::source_text(*svc, q, lang) + ")";
    if (said.insert(line).second) out.lines.push_back(std::move(line));
  }
  if (!said.empty()) return out;
  // Always a reason: nothing grants this pair anything, or what is granted does not cover the port.
  if (services_between.empty())
    out.lines.push_back("  " + say(Msg::explain_no_entry, lang, {from.label.in(lang), to.label.in(lang), env.file}));
  else
    out.lines.push_back("  " + say(Msg::explain_grants_other, lang,
                                   {from.label.in(lang), to.label.in(lang), join(services_between, ", "), port_text}));
  return out;
}

}  // namespace winports::verify
