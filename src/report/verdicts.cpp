#include "winports/report/verdicts.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include "winports/report/page.hpp"

namespace winports::report {
namespace {

using page::escaped;
using page::say;
using page::Words;

constexpr Words kSummary{"Summary", "概要"}, kDiagram{"Zones crossed", "通過するゾーン"}, kVerdicts{"Verdicts", "判定"},
    kFlow{"Flow", "フロー"}, kAddress{"Address", "アドレス"}, kPort{"Port", "ポート"}, kStatus{"Status", "状態"},
    kServices{"Services", "サービス"}, kDetail{"Detail", "詳細"}, kNotProbed{"Not probed", "プローブしなかったフロー"},
    kShown{"shown", "件を表示"},
    kSearch{"Filter verdicts (address, port, service, status…)", "判定を絞り込む（アドレス、ポート、サービス、状態…）"},
    kLegend{"Red arrows: a required flow is blocked. Green: every probed flow answered.",
            "赤い矢印: 必要なフローがブロックされている。緑: プローブしたフローはすべて応答した。"};
constexpr std::array<Words, 4> kVerdictWords{Words{"blocked", "ブロック"}, Words{"refused", "拒否"},
                                             Words{"unproven", "未確認"}, Words{"passed", "通過"}};

// "a,b,c" as "a, b, c", so a long list wraps in its cell.
std::string spaced(const std::string& list) {
  std::string out;
  for (char ch : list) out += ch == ',' ? std::string(", ") : std::string(1, ch);
  return out;
}

}  // namespace

const char* to_string(Verdict v) { return kVerdictWords[static_cast<std::size_t>(v)].en; }

std::string verdicts_html(VerdictPage report, Lang lang) {
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [](const VerdictRow& a, const VerdictRow& b) { return a.verdict < b.verdict; });
  std::array<std::size_t, 4> tally{};
  for (const auto& r : report.rows) ++tally[static_cast<std::size_t>(r.verdict)];
  const bool with_flows =
      std::any_of(report.rows.begin(), report.rows.end(), [](const VerdictRow& r) { return !r.flow.empty(); });

  std::ostringstream out;
  page::head(out, report.title, lang);
  out << "<h2>" << say(kSummary, lang) << "</h2>\n<p id=\"summary\">" << escaped(report.summary)
      << "</p>\n<p class=\"tally\">";
  for (std::size_t v = 0; v < tally.size(); ++v)
    out << "<span id=\"tally-" << kVerdictWords[v].en << "\">" << say(kVerdictWords[v], lang) << ": <b>" << tally[v]
        << "</b></span>";
  out << "</p>\n";
  if (!report.diagram_svg.empty())
    out << "<h2>" << say(kDiagram, lang) << "</h2>\n<p class=\"muted\">" << say(kLegend, lang)
        << "</p>\n<div id=\"zone-diagram\">" << report.diagram_svg << "</div>\n";

  out << "<h2>" << say(kVerdicts, lang) << " <span class=\"muted\">(<span id=\"shown\">" << report.rows.size()
      << "</span> " << say(kShown, lang) << ")</span></h2>\n";
  page::search_box(out, "#verdicts tbody tr", say(kSearch, lang));
  out << "<table id=\"verdicts\">\n<thead><tr>";
  if (with_flows) out << "<th>" << say(kFlow, lang) << "</th>";
  for (const auto* w : {&kAddress, &kPort, &kStatus, &kServices, &kDetail}) out << "<th>" << say(*w, lang) << "</th>";
  out << "</tr></thead>\n<tbody>\n";
  for (const auto& r : report.rows) {
    const auto& word = kVerdictWords[static_cast<std::size_t>(r.verdict)];
    out << "<tr class=\"verdict " << word.en << "\">";
    if (with_flows) out << "<td>" << escaped(r.flow) << "</td>";
    out << "<td><code>" << escaped(r.address) << "</code></td><td><code>" << escaped(r.port)
        << "</code></td><td class=\"status\">" << say(word, lang) << " <span class=\"muted\">(" << escaped(r.status)
        << ")</span></td><td>" << escaped(spaced(r.services)) << "</td><td>" << escaped(r.detail) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
  if (!report.not_probed.empty()) {
    out << "<h2>" << say(kNotProbed, lang) << "</h2>\n<ul id=\"not-probed\">\n";
    for (const auto& n : report.not_probed) out << "<li>" << escaped(n) << "</li>\n";
    out << "</ul>\n";
  }
  page::foot(out);
  return out.str();
}

}  // namespace winports::report
