// The audit's findings as JSON (the `--json` payload) and as the table the CLI prints: grouped by
// zone pair, blocked first, each with the services it breaks and the KB rows.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "winports/audit/audit.hpp"
#include "winports/audit/messages.hpp"
#include "winports/core/text.hpp"

namespace winports::audit {
namespace {

using nlohmann::ordered_json;

ordered_json ports_json(const PortSet& ports) {
  ordered_json out = ordered_json::array();
  for (const auto& r : ports.ranges()) out.push_back({r.lo, r.hi});
  return out;
}

ordered_json location_json(const Location& l) {
  ordered_json o;
  o["file"] = l.file;
  if (l.line > 0) o["line"] = l.line;
  if (!l.where.empty()) o["where"] = l.where;
  return o;
}

ordered_json finding_json(const PortFinding& f) {
  ordered_json o;
  o["from"] = f.from.en;
  o["to"] = f.to.en;
  o["transport"] = f.transport;
  o["ports"] = ports_json(f.ports);
  if (f.icmp_types_left_out)
    o["icmp_types"] = {"every type but " + join(f.icmp_types, ",")};  // docs/audit.md: the JSON's stable form
  else if (!f.icmp_types.empty())
    o["icmp_types"] = f.icmp_types;
  if (!f.program.empty()) o["program"] = f.program;
  o["services"] = f.services;
  if (!f.kb.en.empty()) o["kb"] = f.kb.en;
  if (!f.source_addresses.empty()) o["source_addresses"] = f.source_addresses;
  if (!f.destination_addresses.empty()) o["destination_addresses"] = f.destination_addresses;
  if (!f.rules.empty()) {
    o["rules"] = ordered_json::array();
    for (const auto& l : f.rules) o["rules"].push_back(location_json(l));
  }
  return o;
}

ordered_json list_json(const std::vector<PortFinding>& list) {
  ordered_json out = ordered_json::array();
  for (const auto& f : list) out.push_back(finding_json(f));
  return out;
}

std::string ports_text(const PortFinding& f, Lang lang = Lang::en) {
  if (!f.program.empty()) return msg::audit_program_ports.in(lang, f.transport, f.program);
  return f.transport + (f.ports.empty() ? "" : " " + f.ports.to_string()) +
         (f.icmp_types.empty()    ? ""
          : f.icmp_types_left_out ? " " + msg::audit_every_type_but.in(lang, join(f.icmp_types, ","))
                                  : " " + join(f.icmp_types, ","));
}

}  // namespace

std::string audit_summary(const Audit& a, Lang lang) {
  auto n = [](std::size_t count) { return std::to_string(count); };
  return msg::audit_summary.in(lang, a.site, a.path.in(lang), n(a.flows), n(a.rules), n(a.blocked.size()),
                               n(a.replies.size()), n(a.extra.size()), n(a.shadowed.size()), n(a.unsupported.size()));
}

std::string audit_json(const Audit& a) {
  ordered_json o;
  o["unreached"] = ordered_json::array();
  for (const auto& u : a.unreached) {
    ordered_json e = location_json(u.where);
    e["what"] = u.what.en;
    if (!u.run.empty()) e["run"] = u.run;
    o["unreached"].push_back(std::move(e));
  }
  o["blocked"] = list_json(a.blocked);
  o["replies"] = list_json(a.replies);
  o["extra"] = list_json(a.extra);
  o["extra_by_rule"] = ordered_json::array();
  for (const auto& r : a.extra_by_rule) {
    ordered_json e;
    e["rule"] = location_json(r.rule);
    e["text"] = r.text;
    e["pairs"] = r.opens.size();
    e["opens"] = list_json(r.opens);
    o["extra_by_rule"].push_back(std::move(e));
  }
  o["stops_applying"] = ordered_json::array();
  for (const auto& r : a.stops_applying) {
    ordered_json e;
    e["rule"] = location_json(r.rule);
    e["text"] = r.text;
    e["beyond_plan"] = r.beyond_plan;
    o["stops_applying"].push_back(std::move(e));
  }
  o["shadowed"] = ordered_json::array();
  for (const auto& s : a.shadowed) {
    ordered_json e = location_json(s.rule);
    e["rule"] = s.text;
    e["covered_by"] = ordered_json::array();
    for (const auto& b : s.by) e["covered_by"].push_back(location_json(b));
    o["shadowed"].push_back(std::move(e));
  }
  o["unsupported"] = ordered_json::array();
  for (const auto& u : a.unsupported) {
    ordered_json e;
    if (!u.where.file.empty()) e = location_json(u.where);
    e["construct"] = u.construct.en;
    e["undecided"] = u.flows;
    o["unsupported"].push_back(std::move(e));
  }
  ordered_json s;
  s["site"] = a.site;
  s["path"] = a.path.en;
  s["flows"] = a.flows;
  s["rules"] = a.rules;
  s["blocked"] = a.blocked.size();
  s["replies"] = a.replies.size();
  s["extra"] = a.extra.size();
  s["shadowed"] = a.shadowed.size();
  s["unsupported"] = a.unsupported.size();
  s["unreached"] = a.unreached.size();
  s["assumptions"] = in_language(a.assumptions, Lang::en);
  s["clean"] = a.clean();
  o["summary"] = std::move(s);
  return o.dump(2) + "\n";
}

std::string audit_text(const Audit& a, Lang lang) {
  std::ostringstream out;
  // Zone pair → its lines, blocked first within each pair, pairs in order of first appearance by kind.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> pairs;
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::string> heading;  // the pair in the run's language
  auto add = [&](const PortFinding& f, const std::string& line) {
    std::pair<std::string, std::string> key{f.from.en, f.to.en};
    if (!pairs.count(key)) order.push_back(key), heading[key] = f.from.in(lang) + " -> " + f.to.in(lang);
    pairs[key].push_back(line);
  };
  auto locations = [](const std::vector<Location>& where) {
    return join(where, ", ", [](const Location& l) { return l.to_string(); });
  };
  for (const auto& f : a.blocked) {
    std::string line = msg::audit_blocked.in(lang, ports_text(f, lang), join(f.services, ", "));
    if (!f.kb.en.empty()) line += msg::audit_kb.in(lang, f.kb.in(lang));
    if (!f.source_addresses.empty()) line += msg::audit_from_only.in(lang, f.source_addresses);
    if (!f.destination_addresses.empty()) line += msg::audit_to_only.in(lang, f.destination_addresses);
    if (!f.rules.empty()) line += msg::audit_dropped_by.in(lang, locations(f.rules));
    add(f, line);
  }
  for (const auto& f : a.replies) {
    auto line = msg::audit_replies.in(lang, ports_text(f, lang), f.to.in(lang), f.from.in(lang));
    if (!f.rules.empty()) line += msg::audit_dropped_by.in(lang, locations(f.rules));
    add(f, line);
  }
  for (const auto& u : a.unreached) {
    auto at = u.where.to_string();
    out << msg::audit_unreached.in(lang, at.empty() ? "" : at + ": ", u.what.in(lang)) << '\n';
    if (!u.run.empty()) out << msg::audit_unreached_run.in(lang, u.run) << '\n';
  }
  for (const auto& key : order) {
    out << heading[key] << '\n';
    for (const auto& line : pairs[key]) out << line << '\n';
  }
  // Beyond the plan, by the rule that opens it: the operator's unit of change. Each rule's openings
  // with the same ports are one line, the zone pairs listed once.
  auto meaning_of = [&](const PortFinding& f) {
    // The table names a few; --json lists every service the catalog gives those ports.
    std::vector<std::string> shown(f.services.begin(),
                                   f.services.begin() + std::min<std::size_t>(f.services.size(), 6));
    std::string more = f.services.size() > 6 ? msg::audit_more.in(lang, std::to_string(f.services.size() - 6)) : "";
    // An (almost) all-protocol opening has no catalog meaning: its one service is the phrase itself.
    return f.services.empty()                        ? std::string()
           : f.ports.empty() && f.transport == "any" ? msg::audit_any_protocol.in(lang)
                                                     : " — " + join(shown, ", ") + more;
  };
  for (const auto& r : a.extra_by_rule) {
    std::set<std::string> distinct;
    for (const auto& f : r.opens) distinct.insert(f.from.en + " -> " + f.to.en);
    auto count = msg::audit_zone_pairs.in(lang, std::to_string(distinct.size()));
    out << (r.rule.where == "policy" && r.rule.file.empty()
                ? msg::audit_extra_policy.in(lang, count)
                : msg::audit_extra_rule.in(lang, r.rule.to_string(), r.text, count))
        << '\n';
    std::vector<std::pair<std::string, std::vector<std::string>>> lines;  // ports and meaning → pairs
    for (const auto& f : r.opens) {
      auto head = ports_text(f, lang) + meaning_of(f);
      auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == head; });
      if (it == lines.end()) it = lines.insert(lines.end(), {head, {}});
      it->second.push_back(f.from.in(lang) + " -> " + f.to.in(lang));
    }
    for (const auto& [head, list] : lines) {
      std::vector<std::string> shown(list.begin(), list.begin() + std::min<std::size_t>(list.size(), 8));
      auto more = list.size() > 8 ? msg::audit_more.in(lang, std::to_string(list.size() - 8)) : "";
      out << msg::audit_extra_line.in(lang, head, "", join(shown, ", ") + more) << '\n';
    }
  }
  for (const auto& s : a.shadowed)
    out << msg::audit_never_matches.in(lang, s.rule.to_string(), s.text, locations(s.by)) << '\n';
  for (const auto& u : a.unsupported) {
    out << msg::audit_undecided.in(lang, u.where.file.empty() ? "" : u.where.to_string() + ": ", u.construct.in(lang))
        << '\n';
    for (std::size_t i = 0; i < u.flows.size() && i < 5; ++i) out << "  " << u.flows[i] << '\n';
    if (u.flows.size() > 5) out << msg::audit_more_flows.in(lang, std::to_string(u.flows.size() - 5)) << '\n';
  }
  if (!a.stops_applying.empty()) {
    auto beyond = std::count_if(a.stops_applying.begin(), a.stops_applying.end(),
                                [](const StopsApplying& r) { return r.beyond_plan; });
    out << msg::audit_stops_summary.in(lang, std::to_string(a.stops_applying.size()), a.host, std::to_string(beyond))
        << '\n';
    for (bool stops_working : {true, false})
      for (const auto& r : a.stops_applying)
        if (r.beyond_plan == stops_working)
          out << say(stops_working ? msg::audit_stops_beyond : msg::audit_stops_carried, lang,
                     {r.rule.to_string(), r.text})
              << '\n';
  }
  for (const auto& note : a.assumptions) out << msg::note_line.in(lang, note.in(lang)) << '\n';
  return out.str();
}

}  // namespace winports::audit
