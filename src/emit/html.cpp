// HTML: the plan as one self-contained page for people who will not read 300 rules — the zone
// diagram (Graphviz layout, inline SVG), a zone × zone matrix, the rule table with a search box,
// what was left out and the warnings. Inline CSS and JS only: the page requests nothing.
#include <map>
#include <sstream>

#include "common.hpp"
#include "winports/core/text.hpp"
#include "winports/emit/messages.hpp"
#include "winports/report/page.hpp"
#include "winports/report/zones.hpp"

namespace winports::emit {
namespace {

using report::page::escaped;

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

  std::ostringstream out;
  report::page::head(out, std::string(msg::html_title.in(lang)) + ": " + in.env.site, lang);
  out << "<p>" << msg::html_intro.in(lang, escaped(detail::ports_from(in, lang))) << " <span class=\"muted\">"
      << in.plan.flows.size() << " " << msg::html_count.in(lang) << "</span></p>\n";

  if (drawn)
    out << "<h2>" << msg::html_diagram.in(lang) << "</h2>\n<div id=\"zone-diagram\">" << *svg << "</div>\n";
  else
    out << "<h2>" << msg::html_diagram.in(lang) << "</h2>\n<p class=\"muted\">" << links.size() << " "
        << msg::html_too_many_links.in(lang) << " (" << kMostLinksDrawn << ")</p>\n";

  // Matrix: rows are sources, columns destinations, cells the services crossing.
  std::vector<std::string> zones;
  for (const auto& z : in.env.zones) zones.push_back(z.name);
  for (const auto& l : links)
    for (const auto& z : {l.from, l.to})
      if (std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  out << "<h2>" << msg::html_matrix.in(lang) << "</h2>\n<table id=\"matrix\">\n<thead><tr><th>"
      << msg::html_from.in(lang) << " \\ " << msg::html_to.in(lang) << "</th>";
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

  out << "<h2>" << msg::html_rules.in(lang) << " <span class=\"muted\">(<span id=\"shown\">" << in.plan.flows.size()
      << "</span> " << msg::html_shown.in(lang) << ")</span></h2>\n";
  report::page::search_box(out, "#rules tbody tr", msg::html_search.in(lang));
  out << "<table id=\"rules\">\n<thead><tr><th>#</th><th>" << msg::html_from.in(lang) << "</th><th>"
      << msg::html_from_nets.in(lang) << "</th><th>" << msg::html_to.in(lang) << "</th><th>"
      << msg::html_to_nets.in(lang) << "</th><th>" << msg::html_protocol.in(lang) << "</th><th>"
      << msg::html_ports.in(lang) << "</th><th>" << msg::html_services.in(lang) << "</th><th>" << msg::html_kb.in(lang)
      << "</th></tr></thead>\n<tbody>\n";
  std::size_t number = 0;
  for (const auto& f : in.plan.flows) {
    auto v = detail::view_all(f, *only);
    if (v.source.empty()) continue;
    auto services = join(plan::services_of(f), ", ");
    // The outside zone's dozens of prefixes would bury the row: its words instead (csv, md and the
    // firewall formats keep the prefixes).
    auto addresses = [&](const plan::Endpoint& side, const std::vector<Network>& nets) {
      return detail::outside_side(in.env, side) ? msg::html_outside.in(lang) : detail::joined(nets, ", ");
    };
    out << "<tr class=\"rule\"><td>" << ++number << "</td><td>" << escaped(f.source.name) << "</td><td><code>"
        << escaped(addresses(f.source, v.source)) << "</code></td><td>" << escaped(f.destination.name)
        << "</td><td><code>" << escaped(addresses(f.destination, v.destination)) << "</code></td><td>"
        << escaped(protocol_text(f, lang)) << "</td><td><code>" << escaped(f.ports.to_string()) << "</code></td><td>"
        << escaped(services) << "</td><td>" << escaped(plan::reasons_text(f, in.catalog, lang)) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";

  if (!in.plan.skipped.empty()) {
    out << "<h2>" << msg::html_left_out.in(lang) << "</h2>\n<table id=\"left-out\">\n<thead><tr><th></th><th>"
        << msg::html_pairs.in(lang) << "</th><th>" << msg::html_examples.in(lang) << "</th><th>"
        << msg::html_service.in(lang) << "</th><th>" << msg::html_requirement.in(lang) << "</th><th>"
        << msg::html_why.in(lang) << "</th></tr></thead>\n<tbody>\n";
    for (bool undecided : {true, false})
      for (const auto& s : in.plan.skipped) {
        if (s.undecided != undecided) continue;
        auto pairs = plan::skipped_pairs(in.plan, s, *only ? (*only)->name : "");
        if (pairs.empty()) continue;
        const auto* service = in.catalog.service(s.reason.service);
        const auto& q = service->requirements[s.reason.requirement];
        out << "<tr class=\"" << (undecided ? "undecided" : "ruled-out") << "\"><td>"
            << say(undecided ? msg::html_undecided : msg::html_ruled_out, lang) << "</td><td>" << pairs.size()
            << "</td><td>" << escaped(plan::skipped_pairs_text(pairs, lang)) << "</td><td>" << escaped(service->id)
            << "</td><td>"
            << escaped(std::string(to_string(q.transport)) + " " + q.ports.to_string() + " " + q.protocol.in(lang))
            << "</td><td>" << escaped(s.why.in(lang)) << "</td></tr>\n";
      }
    out << "</tbody>\n</table>\n";
  }
  if (!in.plan.warnings.empty()) {
    out << "<h2>" << msg::html_warnings.in(lang) << "</h2>\n<ul id=\"warnings\">\n";
    for (const auto& w : in.plan.warnings) out << "<li class=\"warning\">" << escaped(w.in(lang)) << "</li>\n";
    out << "</ul>\n";
  }
  report::page::foot(out);
  return out.str();
}

}  // namespace winports::emit
