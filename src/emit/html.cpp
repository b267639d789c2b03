// HTML: the plan as one self-contained page for people who will not read 300 rules — the zone
// diagram (Graphviz layout, inline SVG), a zone × zone matrix, the rule table with a search box,
// what was left out and the warnings. Inline CSS and JS only: the page requests nothing.
#include <map>
#include <sstream>

#include "common.hpp"
#include "winports/core/text.hpp"
#include "winports/report/page.hpp"
#include "winports/report/zones.hpp"

namespace winports::emit {
namespace {

using report::page::escaped;

std::string protocol_text(const plan::Flow& f, Lang lang) {
  std::string out(to_string(f.transport));
  if (f.source_port) out += (lang == Lang::ja ? " 送信元ポート " : " from port ") + std::to_string(*f.source_port);
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

  std::ostringstream out;
  report::page::head(out, std::string(say(Msg::html_title, lang)) + ": " + in.env.site, lang);
  out << "<p>" << say(Msg::html_intro, lang) << escaped(detail::ports_from(in, lang))
      << (lang == Lang::ja ? " による。" : ".") << " <span class=\"muted\">" << in.plan.flows.size() << " "
      << say(Msg::html_count, lang) << "</span></p>\n";

  if (drawn)
    out << "<h2>" << say(Msg::html_diagram, lang) << "</h2>\n<div id=\"zone-diagram\">" << *svg << "</div>\n";
  else
    out << "<h2>" << say(Msg::html_diagram, lang) << "</h2>\n<p class=\"muted\">" << links.size() << " "
        << say(Msg::html_too_many_links, lang) << " (" << kMostLinksDrawn << ")</p>\n";

  // Matrix: rows are sources, columns destinations, cells the services crossing.
  std::vector<std::string> zones;
  for (const auto& z : in.env.zones) zones.push_back(z.name);
  for (const auto& l : links)
    for (const auto& z : {l.from, l.to})
      if (std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  out << "<h2>" << say(Msg::html_matrix, lang) << "</h2>\n<table id=\"matrix\">\n<thead><tr><th>"
      << say(Msg::html_from, lang) << " \\ " << say(Msg::html_to, lang) << "</th>";
  for (const auto& z : zones) out << "<th>" << escaped(z) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  std::map<std::pair<std::string, std::string>, const report::ZoneLink*> by_pair;
  for (const auto& l : links) by_pair[{l.from, l.to}] = &l;
  for (const auto& from : zones) {
    out << "<tr><th class=\"row\">" << escaped(from) << "</th>";
    for (const auto& to : zones) {
      auto found = by_pair.find({from, to});
      if (found == by_pair.end()) {
        out << "<td class=\"empty\"></td>";
        continue;
      }
      const auto* it = found->second;
      auto services = join(it->services, ", ");
      out << "<td class=\"cell\" data-from=\"" << escaped(from) << "\" data-to=\"" << escaped(to) << "\">"
          << escaped(services) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody>\n</table>\n";

  out << "<h2>" << say(Msg::html_rules, lang) << " <span class=\"muted\">(<span id=\"shown\">" << in.plan.flows.size()
      << "</span> " << say(Msg::html_shown, lang) << ")</span></h2>\n";
  report::page::search_box(out, "#rules tbody tr", say(Msg::html_search, lang));
  out << "<table id=\"rules\">\n<thead><tr><th>#</th><th>" << say(Msg::html_from, lang) << "</th><th>"
      << say(Msg::html_from_nets, lang) << "</th><th>" << say(Msg::html_to, lang) << "</th><th>"
      << say(Msg::html_to_nets, lang) << "</th><th>" << say(Msg::html_protocol, lang) << "</th><th>"
      << say(Msg::html_ports, lang) << "</th><th>" << say(Msg::html_services, lang) << "</th><th>"
      << say(Msg::html_kb, lang) << "</th></tr></thead>\n<tbody>\n";
  std::size_t number = 0;
  for (const auto& f : in.plan.flows) {
    auto v = detail::view_all(f, *only);
    if (v.source.empty()) continue;
    auto services = join(plan::services_of(f), ", ");
    // The outside zone's dozens of prefixes would bury the row: its words instead (csv, md and the
    // firewall formats keep the prefixes).
    auto addresses = [&](const plan::Endpoint& side, const std::vector<Network>& nets) {
      return detail::outside_side(in.env, side) ? say(Msg::html_outside, lang) : detail::joined(nets, ", ");
    };
    out << "<tr class=\"rule\"><td>" << ++number << "</td><td>" << escaped(f.source.name) << "</td><td><code>"
        << escaped(addresses(f.source, v.source)) << "</code></td><td>" << escaped(f.destination.name)
        << "</td><td><code>" << escaped(addresses(f.destination, v.destination)) << "</code></td><td>"
        << escaped(protocol_text(f, lang)) << "</td><td><code>" << escaped(f.ports.to_string()) << "</code></td><td>"
        << escaped(services) << "</td><td>" << escaped(plan::reasons_text(f, in.catalog, lang)) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";

  if (!in.plan.skipped.empty()) {
    out << "<h2>" << say(Msg::html_left_out, lang) << "</h2>\n<table id=\"left-out\">\n<thead><tr><th></th><th>"
        << say(Msg::html_pairs, lang) << "</th><th>" << say(Msg::html_examples, lang) << "</th><th>"
        << say(Msg::html_service, lang) << "</th><th>" << say(Msg::html_requirement, lang) << "</th><th>"
        << say(Msg::html_why, lang) << "</th></tr></thead>\n<tbody>\n";
    for (bool undecided : {true, false})
      for (const auto& s : in.plan.skipped) {
        if (s.undecided != undecided) continue;
        auto pairs = plan::skipped_pairs(in.plan, s, *only ? (*only)->name : "");
        if (pairs.empty()) continue;
        const auto* service = in.catalog.service(s.reason.service);
        const auto& q = service->requirements[s.reason.requirement];
        out << "<tr class=\"" << (undecided ? "undecided" : "ruled-out") << "\"><td>"
            << say(undecided ? Msg::html_undecided : Msg::html_ruled_out, lang) << "</td><td>" << pairs.size()
            << "</td><td>" << escaped(plan::skipped_pairs_text(pairs, lang)) << "</td><td>" << escaped(service->id)
            << "</td><td>"
            << escaped(std::string(to_string(q.transport)) + " " + q.ports.to_string() + " " + q.protocol.in(lang))
            << "</td><td>" << escaped(s.why.in(lang)) << "</td></tr>\n";
      }
    out << "</tbody>\n</table>\n";
  }
  if (!in.plan.warnings.empty()) {
    out << "<h2>" << say(Msg::html_warnings, lang) << "</h2>\n<ul id=\"warnings\">\n";
    for (const auto& w : in.plan.warnings) out << "<li class=\"warning\">" << escaped(w.in(lang)) << "</li>\n";
    out << "</ul>\n";
  }
  report::page::foot(out);
  return out.str();
}

}  // namespace winports::emit
