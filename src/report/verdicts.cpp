#include "winports/report/verdicts.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include "winports/report/messages.hpp"
#include "winports/report/page.hpp"

namespace winports::report {
namespace {

using page::escaped;

// Per Verdict: its stable English id (CSS classes, JSON, JUnit) and its words for the reader.
constexpr std::array<const char*, 4> kVerdictIds{"blocked", "refused", "unproven", "passed"};
constexpr std::array<Msg, 4> kVerdictWords{msg::report_blocked, msg::report_refused, msg::report_unproven,
                                           msg::report_passed};

// "a,b,c" as "a, b, c", so a long list wraps in its cell.
std::string spaced(const std::string& list) {
  std::string out;
  for (char ch : list) out += ch == ',' ? std::string(", ") : std::string(1, ch);
  return out;
}

}  // namespace

const char* to_string(Verdict v) { return kVerdictIds[static_cast<std::size_t>(v)]; }

std::string verdicts_html(VerdictPage report, Lang lang) {
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [](const VerdictRow& a, const VerdictRow& b) { return a.verdict < b.verdict; });
  std::array<std::size_t, 4> tally{};
  for (const auto& r : report.rows) ++tally[static_cast<std::size_t>(r.verdict)];
  const bool with_flows =
      std::any_of(report.rows.begin(), report.rows.end(), [](const VerdictRow& r) { return !r.flow.empty(); });

  std::ostringstream out;
  page::head(out, report.title, lang);
  out << "<h2>" << msg::report_summary.in(lang) << "</h2>\n<p id=\"summary\">" << escaped(report.summary)
      << "</p>\n<p class=\"tally\">";
  for (std::size_t v = 0; v < tally.size(); ++v)
    out << "<span id=\"tally-" << kVerdictIds[v] << "\">" << say(kVerdictWords[v], lang) << ": <b>" << tally[v]
        << "</b></span>";
  out << "</p>\n";
  if (!report.diagram_svg.empty())
    out << "<h2>" << msg::report_diagram.in(lang) << "</h2>\n<p class=\"muted\">" << msg::report_legend.in(lang)
        << "</p>\n<div id=\"zone-diagram\">" << report.diagram_svg << "</div>\n";

  out << "<h2>" << msg::report_verdicts.in(lang) << " <span class=\"muted\">(<span id=\"shown\">" << report.rows.size()
      << "</span> " << msg::report_shown.in(lang) << ")</span></h2>\n";
  page::search_box(out, "#verdicts tbody tr", msg::report_search.in(lang));
  out << "<table id=\"verdicts\">\n<thead><tr>";
  if (with_flows) out << "<th>" << msg::report_flow.in(lang) << "</th>";
  for (auto w : {msg::report_address, msg::report_port, msg::report_status, msg::report_services, msg::report_detail})
    out << "<th>" << say(w, lang) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& r : report.rows) {
    auto v = static_cast<std::size_t>(r.verdict);
    out << "<tr class=\"verdict " << kVerdictIds[v] << "\">";
    if (with_flows) out << "<td>" << escaped(r.flow) << "</td>";
    out << "<td><code>" << escaped(r.address) << "</code></td><td><code>" << escaped(r.port)
        << "</code></td><td class=\"status\">" << say(kVerdictWords[v], lang) << " <span class=\"muted\">("
        << escaped(r.status) << ")</span></td><td>" << escaped(spaced(r.services)) << "</td><td>" << escaped(r.detail)
        << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
  if (!report.not_probed.empty()) {
    out << "<h2>" << msg::report_not_probed.in(lang) << "</h2>\n<ul id=\"not-probed\">\n";
    for (const auto& n : report.not_probed) out << "<li>" << escaped(n) << "</li>\n";
    out << "</ul>\n";
  }
  page::foot(out);
  return out.str();
}

}  // namespace winports::report
