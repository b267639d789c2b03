// HTML: the plan as one self-contained page for people who will not read 300 rules — the zone
// diagram (Graphviz layout, inline SVG), a zone × zone matrix, the rule table with a search box,
// what was left out and the warnings, filled into data/templates/plan.html (render::html_page).
// Inline CSS and JS only: the page requests nothing.
#include "winports/render/html.hpp"

#include <map>

#include "common.hpp"
#include "winports/core/text.hpp"
#include "winports/emit/messages.hpp"
#include "winports/report/zones.hpp"

namespace winports::emit {
namespace {

std::string protocol_text(const plan::Flow& f, Lang lang) {
  std::string out(to_string(f.transport));
  if (f.source_port) out += msg::emit_from_port.in(lang, std::to_string(*f.source_port));
  if (!f.icmp_type.empty()) out += " " + f.icmp_type;
  return out;
}

}  // namespace

Result<std::string> emit_html(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  const Lang lang = in.options.lang;
  auto links = report::zone_links(in.plan, in.env);
  // Graphviz needs minutes and gigabytes for thousands of labelled edges, and nobody reads such a
  // drawing: past this many zone pairs the matrix below stands alone.
  constexpr std::size_t kMostLinksDrawn = 400;
  const bool drawn = links.size() <= kMostLinksDrawn;
  Result<std::string> svg = std::string();
  if (drawn) svg = report::render_svg(report::zone_dot(links, in.env));
  if (!svg) return svg.error();

  auto words = render::html_words(lang, {{"count", msg::html_count},
                                         {"diagram", msg::html_diagram},
                                         {"too_many_links", msg::html_too_many_links},
                                         {"matrix", msg::html_matrix},
                                         {"from", msg::html_from},
                                         {"to", msg::html_to},
                                         {"rules", msg::html_rules},
                                         {"shown", msg::html_shown},
                                         {"search", msg::html_search},
                                         {"from_nets", msg::html_from_nets},
                                         {"to_nets", msg::html_to_nets},
                                         {"protocol", msg::html_protocol},
                                         {"ports", msg::html_ports},
                                         {"services", msg::html_services},
                                         {"kb", msg::html_kb},
                                         {"left_out", msg::html_left_out},
                                         {"pairs", msg::html_pairs},
                                         {"examples", msg::html_examples},
                                         {"service", msg::html_service},
                                         {"requirement", msg::html_requirement},
                                         {"why", msg::html_why},
                                         {"warnings", msg::html_warnings}});
  render::HtmlData page;
  render::put(page, "words", std::move(words));
  page.set("intro", msg::html_intro.in(lang, detail::ports_from(in, lang)));
  page.set("flow_count", std::to_string(in.plan.flows.size()));
  if (drawn) page.set("svg", *svg);
  page.set("link_count", std::to_string(links.size()));
  page.set("most_links_drawn", std::to_string(kMostLinksDrawn));

  // Matrix: rows are sources, columns destinations, cells the services crossing.
  std::vector<std::string> zones;
  for (const auto& z : in.env.zones) zones.push_back(z.name);
  for (const auto& l : links)
    for (const auto& z : {l.from, l.to})
      if (std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  auto zone_list = render::html_list();
  for (const auto& z : zones) zone_list.push_back(z);
  render::put(page, "zones", std::move(zone_list));
  std::map<std::pair<std::string, std::string>, const report::ZoneLink*> by_pair;
  for (const auto& l : links) by_pair[{l.from, l.to}] = &l;
  auto matrix = render::html_list();
  for (const auto& from : zones) {
    auto cells = render::html_list();
    for (const auto& to : zones) {
      auto found = by_pair.find({from, to});
      // Most cells are empty (zones × zones): a bare value, not an object, in which the template's
      // `services` is found nowhere; a filled cell holds only what the row does not (its column).
      if (found == by_pair.end()) {
        render::append(cells, render::html_flag(false));
        continue;
      }
      render::HtmlData cell;
      cell.set("to", to);
      cell.set("services", join(found->second->services, ", "));
      render::append(cells, std::move(cell));
    }
    render::HtmlData row;
    row.set("zone", from);
    render::put(row, "cells", std::move(cells));
    render::append(matrix, std::move(row));
  }
  render::put(page, "matrix", std::move(matrix));

  auto rules = render::html_list();
  std::size_t number = 0;
  for (const auto& f : in.plan.flows) {
    auto v = detail::view_all(f, *only);
    if (v.source.empty()) continue;
    // The outside zone's dozens of prefixes would bury the row: its words instead (csv, md and the
    // firewall formats keep the prefixes).
    auto addresses = [&](const plan::Endpoint& side, const std::vector<Network>& nets) {
      return detail::outside_side(in.env, side) ? msg::html_outside.in(lang) : detail::joined(nets, ", ");
    };
    render::HtmlData rule;
    rule.set("number", std::to_string(++number));
    rule.set("from", f.source.name);
    rule.set("from_nets", addresses(f.source, v.source));
    rule.set("to", f.destination.name);
    rule.set("to_nets", addresses(f.destination, v.destination));
    rule.set("protocol", protocol_text(f, lang));
    rule.set("ports", f.ports.to_string());
    rule.set("services", join(plan::services_of(f), ", "));
    rule.set("kb", plan::reasons_text(f, in.catalog, lang));
    render::append(rules, std::move(rule));
  }
  render::put(page, "rules", std::move(rules));

  page.set("has_left_out", render::html_flag(!in.plan.skipped.empty()));
  auto left_out = render::html_list();
  for (bool undecided : {true, false})
    for (const auto& s : in.plan.skipped) {
      if (s.undecided != undecided) continue;
      auto pairs = plan::skipped_pairs(in.plan, s, *only ? (*only)->name : "");
      if (pairs.empty()) continue;
      const auto* service = in.catalog.service(s.reason.service);
      const auto& q = service->requirements[s.reason.requirement];
      render::HtmlData row;
      row.set("class", undecided ? "undecided" : "ruled-out");
      row.set("kind", say(undecided ? msg::html_undecided : msg::html_ruled_out, lang));
      row.set("pairs", std::to_string(pairs.size()));
      row.set("examples", plan::skipped_pairs_text(pairs, lang));
      row.set("service", service->id);
      row.set("requirement",
              std::string(to_string(q.transport)) + " " + q.ports.to_string() + " " + q.protocol.in(lang));
      row.set("why", s.why.in(lang));
      render::append(left_out, std::move(row));
    }
  render::put(page, "left_out", std::move(left_out));
  page.set("has_warnings", render::html_flag(!in.plan.warnings.empty()));
  auto warnings = render::html_list();
  for (const auto& w : in.plan.warnings) warnings.push_back(w.in(lang));
  render::put(page, "warnings", std::move(warnings));
  return render::html_page("plan", std::string(msg::html_title.in(lang)) + ": " + in.env.site, lang, page);
}

}  // namespace winports::emit
