#include "winports/verify/explain.hpp"

#include <algorithm>
#include <set>

#include "winports/catalog/export.hpp"
#include "winports/catalog/messages.hpp"
#include "winports/verify/messages.hpp"

namespace winports::verify {
namespace {

// Does any address of the flow's side fall in the place (or the other way round)?
bool overlaps(const std::vector<Network>& side, const plan::Place& place) {
  for (const auto& a : side)
    for (const auto& b : place.networks)
      if (a.overlaps(b)) return true;
  return false;
}

// Does the flow's side hold the member (one of its addresses, or the whole of a network)?
bool covers(const std::vector<Network>& side, const plan::Place::Member& member) {
  for (const auto& m : member.networks)
    for (const auto& n : side)
      if (n.contains(m)) return true;
  return false;
}

// The parts of a place that may get different answers; the place itself when it is one.
std::vector<plan::Place::Member> members_of(const plan::Place& place, bool destination) {
  std::vector<plan::Place::Member> out;
  for (const auto& m : place.members)
    if (!(destination && m.rest)) out.push_back(m);
  if (out.size() < 2) return {{place.label, place.networks, false}};
  return out;
}

std::string listed(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 8;
  std::vector<std::string> shown(names.begin(), names.begin() + std::min(names.size(), kShown));
  auto out = join(shown, ", ");
  if (names.size() > kShown) out += " (+" + std::to_string(names.size() - kShown) + ")";
  return out;
}

// `whole`: a flow counts only when its sides hold the places (a refused part of a zone is asked
// of the flows that cover it, not of those that reach one of its hosts).
Explanation explain_places(const plan::Plan& plan, const plan::Environment& env, const catalog::Catalog& c,
                           const plan::Place& from, const plan::Place& to, const catalog::PortQuery& query,
                           const std::string& port_text, Lang lang, bool whole) {
  auto overlaps = [whole](const std::vector<Network>& side, const plan::Place& place) {
    return whole ? covers(side, {place.label, place.networks, false}) : verify::overlaps(side, place);
  };
  Explanation out;
  auto matches_port = [&](Transport t, const PortSet& ports) {
    if (query.transport && *query.transport != t) return false;
    return !query.port || ports.contains(*query.port);
  };
  // A zone or role whose parts get different answers: which are allowed and which are not, then
  // the flows that allow, then why the first refused pair is refused.
  auto sources = members_of(from, false), destinations = members_of(to, true);
  if (sources.size() > 1 || destinations.size() > 1) {
    std::vector<std::string> yes, no;
    const plan::Place::Member *refused_from = nullptr, *refused_to = nullptr;
    for (const auto& s : sources)
      for (const auto& d : destinations) {
        if (s.name.en == d.name.en) continue;
        bool allowed = std::any_of(plan.flows.begin(), plan.flows.end(), [&](const plan::Flow& f) {
          return matches_port(f.transport, f.ports) && covers(f.source.networks, s) &&
                 covers(f.destination.networks, d);
        });
        auto pair = sources.size() == 1        ? d.name.in(lang)
                    : destinations.size() == 1 ? s.name.in(lang)
                                               : s.name.in(lang) + " -> " + d.name.in(lang);
        (allowed ? yes : no).push_back(pair);
        if (!allowed && !refused_from) refused_from = &s, refused_to = &d;
      }
    if (!yes.empty() && !no.empty()) {
      plan::Place whole_from = from, whole_to = to;
      whole_from.members.clear(), whole_to.members.clear();
      auto allowed_part = explain_places(plan, env, c, whole_from, whole_to, query, port_text, lang, false);
      plan::Place one_from{refused_from->name, refused_from->networks, {}};
      plan::Place one_to{refused_to->name, refused_to->networks, {}};
      auto refused_part = explain_places(plan, env, c, one_from, one_to, query, port_text, lang, true);
      out.lines.push_back(
          msg::explain_partly.in(lang, from.label.in(lang), to.label.in(lang), port_text, listed(yes), listed(no)));
      out.lines.insert(out.lines.end(), allowed_part.lines.begin(), allowed_part.lines.end());
      out.lines.push_back(msg::explain_first_refused.in(
          lang, sources.size() == 1        ? refused_to->name.in(lang)
                : destinations.size() == 1 ? refused_from->name.in(lang)
                                           : refused_from->name.in(lang) + " -> " + refused_to->name.in(lang)));
      for (std::size_t i = 1; i < refused_part.lines.size(); ++i) out.lines.push_back(refused_part.lines[i]);
      return out;  // not allowed: some of the place is refused
    }
  }
  std::set<std::string> services_between;  // what the plan allows between the two, on any port
  for (const auto& f : plan.flows) {
    if (!overlaps(f.source.networks, from) || !overlaps(f.destination.networks, to)) continue;
    for (const auto& id : plan::services_of(f)) services_between.insert(id);
    if (!matches_port(f.transport, f.ports)) continue;
    out.allowed = true;
    out.lines.push_back(msg::explain_allowed.in(lang, plan::flow_label(f), to_string(f.transport),
                                                f.ports.empty() ? "-" : f.ports.to_string()));
    // Only the rows that open the port asked: a dynamic RPC row when the port is in the
    // listener's range (narrowed_to keeps every row when a setting moved the port there).
    const auto& shown = query.port ? plan::narrowed_to(f, c, PortSet{{*query.port, *query.port}}) : f;
    for (const auto& r : shown.reasons) {
      const auto* s = c.service(r.service);
      const auto& q = s->requirements[r.requirement];
      out.lines.push_back("  " + s->names.in(lang) + " [" + s->id + "]: " + q.protocol.in(lang) + " — " +
                          catalog::source_text(*s, q, lang));
    }
    // Whose OS (or setting) chose the dynamic range that carries the port.
    if (!query.port || f.rpc_only.contains(*query.port))
      for (const auto& basis : f.rpc_ranges) out.lines.push_back("  " + basis.in(lang));
  }
  if (out.allowed) return out;
  out.lines.push_back(msg::explain_not_allowed.in(lang, from.label.in(lang), to.label.in(lang), port_text));
  std::set<std::string> said;  // each reason once, whichever access entry skipped it
  // A port of the other era's range: the listener's own range is what the plan opens.
  auto any_range = c.legacy_rpc_range.unite(c.modern_rpc_range);
  for (const auto& f : plan.flows) {
    if (!overlaps(f.source.networks, from) || !overlaps(f.destination.networks, to) || f.rpc_ranges.empty()) continue;
    if (!query.port || !any_range.contains(*query.port) || (query.transport && *query.transport != f.transport))
      continue;
    for (const auto& basis : f.rpc_ranges) {
      std::string line = "  " + msg::explain_rpc_range.in(lang, plan::flow_label(f), basis.in(lang), port_text);
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
    std::string line = "  " + svc->names.in(lang) + " [" + svc->id + "]: " + q.protocol.in(lang) + " — " +
                       say(s.undecided ? msg::explain_undecided : msg::explain_left_out, lang, {s.why.in(lang)}) +
                       " (" + catalog::source_text(*svc, q, lang) + ")";
    if (said.insert(line).second) out.lines.push_back(std::move(line));
  }
  if (!said.empty()) return out;
  // Always a reason: nothing grants this pair anything, or what is granted does not cover the port.
  if (services_between.empty())
    out.lines.push_back("  " + msg::explain_no_entry.in(lang, from.label.in(lang), to.label.in(lang), env.file));
  else
    out.lines.push_back("  " + msg::explain_grants_other.in(lang, from.label.in(lang), to.label.in(lang),
                                                            join(services_between, msg::list_separator.in(lang),
                                                                 [&](const std::string& id) {
                                                                   const auto* s = c.service(id);
                                                                   return s ? s->names.in(lang) + " [" + id + "]" : id;
                                                                 }),
                                                            port_text));
  return out;
}

}  // namespace

Explanation explain(const plan::Plan& plan, const plan::Environment& env, const catalog::Catalog& c,
                    const plan::Place& from, const plan::Place& to, const catalog::PortQuery& query,
                    const std::string& port_text, Lang lang) {
  return explain_places(plan, env, c, from, to, query, port_text, lang, false);
}

}  // namespace winports::verify
