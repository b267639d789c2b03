#include "winports/report/verdicts.hpp"

#include <algorithm>
#include <array>

#include "winports/render/html.hpp"
#include "winports/report/messages.hpp"

namespace winports::report {
namespace {

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

  auto words = render::html_words(lang, {{"summary", msg::report_summary},
                                         {"diagram", msg::report_diagram},
                                         {"legend", msg::report_legend},
                                         {"verdicts", msg::report_verdicts},
                                         {"shown", msg::report_shown},
                                         {"search", msg::report_search},
                                         {"flow", msg::report_flow},
                                         {"address", msg::report_address},
                                         {"port", msg::report_port},
                                         {"status", msg::report_status},
                                         {"services", msg::report_services},
                                         {"detail", msg::report_detail},
                                         {"not_probed", msg::report_not_probed}});
  render::HtmlData page;
  render::put(page, "words", std::move(words));
  page.set("summary", report.summary);
  auto counts = render::html_list();
  for (std::size_t v = 0; v < tally.size(); ++v) {
    render::HtmlData item;
    item.set("id", kVerdictIds[v]);
    item.set("word", say(kVerdictWords[v], lang));
    item.set("count", std::to_string(tally[v]));
    render::append(counts, std::move(item));
  }
  render::put(page, "tally", std::move(counts));
  if (!report.diagram_svg.empty()) page.set("svg", report.diagram_svg);
  page.set("row_count", std::to_string(report.rows.size()));
  page.set("with_flows", render::html_flag(with_flows));
  auto rows = render::html_list();
  for (const auto& r : report.rows) {
    const auto v = static_cast<std::size_t>(r.verdict);
    render::HtmlData row;
    row.set("id", kVerdictIds[v]);
    row.set("flow", r.flow);
    row.set("address", r.address);
    row.set("port", r.port);
    row.set("word", say(kVerdictWords[v], lang));
    row.set("status", r.status);
    row.set("services", spaced(r.services));
    row.set("detail", r.detail);
    render::append(rows, std::move(row));
  }
  render::put(page, "rows", std::move(rows));
  page.set("has_not_probed", render::html_flag(!report.not_probed.empty()));
  auto not_probed = render::html_list();
  for (const auto& n : report.not_probed) not_probed.push_back(n);
  render::put(page, "not_probed", std::move(not_probed));
  return render::html_page("verdicts", report.title, lang, page);
}

}  // namespace winports::report
