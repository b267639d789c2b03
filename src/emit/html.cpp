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
using report::page::say;
using report::page::Words;

constexpr Words kTitle{"winports plan", "winports 計画"},
    kIntro{"Flows to allow between the zones of this site, with the Windows services that need them. Ports from ",
           "このサイトのゾーン間で許可するフローと、それを必要とする Windows サービス。ポートは "},
    kOutside{"every address in no zone", "どのゾーンにもないアドレスすべて"}, kDiagram{"Zones", "ゾーン"},
    kMatrix{"Zone × zone", "ゾーン × ゾーン"}, kRules{"Rules", "ルール"},
    kSearch{"Filter rules (address, port, service…)", "ルールを絞り込む（アドレス、ポート、サービス…）"},
    kFrom{"From", "送信元"}, kTo{"To", "宛先"}, kFromNets{"From networks", "送信元アドレス"},
    kToNets{"To networks", "宛先アドレス"}, kProtocol{"Protocol", "プロトコル"}, kPorts{"Ports", "ポート"},
    kServices{"Services", "サービス"}, kKb{"KB", "KB"}, kLeftOut{"Left out", "除外した要件"},
    kUndecided{"Undecided: the site file does not say", "未決定: サイト ファイルに記述がない"},
    kRuledOut{"Ruled out by the site file", "サイト ファイルにより除外"}, kWhy{"Why", "理由"},
    kRequirement{"Requirement", "要件"}, kService{"Service", "サービス"}, kWarnings{"Warnings", "警告"},
    kCount{"rules", "件のルール"}, kShown{"shown", "件を表示"}, kPairs{"Flows", "フロー"},
    kExamples{"For example", "例"},
    kTooManyLinks{"zone pairs: more than a diagram can show legibly; the matrix below holds them all",
                  "組のゾーン間通信: 図にできる数を超えるため省略 (下の表にすべて記載)"};

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
  report::page::head(out, std::string(say(kTitle, lang)) + ": " + in.env.site, lang);
  out << "<p>" << say(kIntro, lang) << escaped(detail::ports_from(in, lang)) << (lang == Lang::ja ? " による。" : ".")
      << " <span class=\"muted\">" << in.plan.flows.size() << " " << say(kCount, lang) << "</span></p>\n";

  if (drawn)
    out << "<h2>" << say(kDiagram, lang) << "</h2>\n<div id=\"zone-diagram\">" << *svg << "</div>\n";
  else
    out << "<h2>" << say(kDiagram, lang) << "</h2>\n<p class=\"muted\">" << links.size() << " "
        << say(kTooManyLinks, lang) << " (" << kMostLinksDrawn << ")</p>\n";

  // Matrix: rows are sources, columns destinations, cells the services crossing.
  std::vector<std::string> zones;
  for (const auto& z : in.env.zones) zones.push_back(z.name);
  for (const auto& l : links)
    for (const auto& z : {l.from, l.to})
      if (std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  out << "<h2>" << say(kMatrix, lang) << "</h2>\n<table id=\"matrix\">\n<thead><tr><th>" << say(kFrom, lang) << " \\ "
      << say(kTo, lang) << "</th>";
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

  out << "<h2>" << say(kRules, lang) << " <span class=\"muted\">(<span id=\"shown\">" << in.plan.flows.size()
      << "</span> " << say(kShown, lang) << ")</span></h2>\n";
  report::page::search_box(out, "#rules tbody tr", say(kSearch, lang));
  out << "<table id=\"rules\">\n<thead><tr><th>#</th><th>" << say(kFrom, lang) << "</th><th>" << say(kFromNets, lang)
      << "</th><th>" << say(kTo, lang) << "</th><th>" << say(kToNets, lang) << "</th><th>" << say(kProtocol, lang)
      << "</th><th>" << say(kPorts, lang) << "</th><th>" << say(kServices, lang) << "</th><th>" << say(kKb, lang)
      << "</th></tr></thead>\n<tbody>\n";
  std::size_t number = 0;
  for (const auto& f : in.plan.flows) {
    auto v = detail::view_all(f, *only);
    if (v.source.empty()) continue;
    auto services = join(plan::services_of(f), ", ");
    // The outside zone's dozens of prefixes would bury the row: its words instead (csv, md and the
    // firewall formats keep the prefixes).
    auto addresses = [&](const plan::Endpoint& side, const std::vector<Network>& nets) {
      return detail::outside_side(in.env, side) ? say(kOutside, lang) : detail::joined(nets, ", ");
    };
    out << "<tr class=\"rule\"><td>" << ++number << "</td><td>" << escaped(f.source.name) << "</td><td><code>"
        << escaped(addresses(f.source, v.source)) << "</code></td><td>" << escaped(f.destination.name)
        << "</td><td><code>" << escaped(addresses(f.destination, v.destination)) << "</code></td><td>"
        << escaped(protocol_text(f, lang)) << "</td><td><code>" << escaped(f.ports.to_string()) << "</code></td><td>"
        << escaped(services) << "</td><td>" << escaped(plan::reasons_text(f, in.catalog, lang)) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";

  if (!in.plan.skipped.empty()) {
    out << "<h2>" << say(kLeftOut, lang) << "</h2>\n<table id=\"left-out\">\n<thead><tr><th></th><th>"
        << say(kPairs, lang) << "</th><th>" << say(kExamples, lang) << "</th><th>" << say(kService, lang) << "</th><th>"
        << say(kRequirement, lang) << "</th><th>" << say(kWhy, lang) << "</th></tr></thead>\n<tbody>\n";
    for (bool undecided : {true, false})
      for (const auto& s : in.plan.skipped) {
        if (s.undecided != undecided) continue;
        auto pairs = plan::skipped_pairs(in.plan, s, *only ? (*only)->name : "");
        if (pairs.empty()) continue;
        const auto* service = in.catalog.service(s.reason.service);
        const auto& q = service->requirements[s.reason.requirement];
        out << "<tr class=\"" << (undecided ? "undecided" : "ruled-out") << "\"><td>"
            << say(undecided ? kUndecided : kRuledOut, lang) << "</td><td>" << pairs.size() << "</td><td>"
            << escaped(plan::skipped_pairs_text(pairs, lang)) << "</td><td>" << escaped(service->id) << "</td><td>"
            << escaped(std::string(to_string(q.transport)) + " " + q.ports.to_string() + " " + q.protocol.in(lang))
            << "</td><td>" << escaped(s.why.in(lang)) << "</td></tr>\n";
      }
    out << "</tbody>\n</table>\n";
  }
  if (!in.plan.warnings.empty()) {
    out << "<h2>" << say(kWarnings, lang) << "</h2>\n<ul id=\"warnings\">\n";
    for (const auto& w : in.plan.warnings) out << "<li class=\"warning\">" << escaped(w.in(lang)) << "</li>\n";
    out << "</ul>\n";
  }
  report::page::foot(out);
  return out.str();
}

}  // namespace winports::emit
