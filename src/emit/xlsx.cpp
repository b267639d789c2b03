// Excel (libxlsxwriter): the plan as a workbook to filter and hand on — Microsoft ships this KB's
// table as a sheet too. Sheets: Rules (one row per firewall rule), Flows (one row per rule and
// the KB requirement behind it) and Catalog (every requirement of the services involved), each
// with an autofilter and a frozen header row.
#include <unistd.h>
#include <xlsxwriter.h>

#include "common.hpp"
#include "winports/catalog/export.hpp"
#include "winports/core/file.hpp"
#include "winports/core/shared_library.hpp"
#include "winports/emit/messages.hpp"

namespace winports::emit {
namespace {

// The functions used, bound at run time (clang-format does not settle on macro bodies).
// clang-format off
#define XLSXWRITER_FUNCTIONS(X)                                                                    \
  X(workbook_new) X(workbook_add_format) X(workbook_add_worksheet) X(workbook_close)               \
  X(format_set_bold) X(format_set_bg_color) X(format_set_font_name) X(worksheet_write_string)     \
  X(worksheet_write_number)                                                                        \
  X(worksheet_set_column) X(worksheet_freeze_panes) X(worksheet_autofilter) X(lxw_strerror)
// clang-format on

WINPORTS_SHARED_API(XlsxWriter, XLSXWRITER_FUNCTIONS, WINPORTS_XLSXWRITER_SONAME, "xlsx")

struct Column {
  std::string_view title;  // the same in both languages ("#", "KB"), or
  Msg heading;             // the heading's message
  double width;
  std::string in(Lang lang) const { return heading ? say(heading, lang) : std::string(title); }
};
constexpr Column kNumber{"#", {}, 5}, kFrom{{}, msg::xlsx_col_from, 16}, kFromNets{{}, msg::xlsx_col_from_networks, 22},
    kTo{{}, msg::xlsx_col_to, 16}, kToNets{{}, msg::xlsx_col_to_networks, 22},
    kTransport{{}, msg::xlsx_col_protocol, 10}, kPorts{{}, msg::xlsx_col_ports, 22},
    kServices{{}, msg::xlsx_col_services, 40}, kKb{"KB", {}, 50}, kService{{}, msg::xlsx_col_service, 22},
    kServiceName{{}, msg::xlsx_col_service_name, 30}, kApplication{{}, msg::xlsx_col_application, 30},
    kSource{{}, msg::xlsx_col_source, 50}, kOptional{{}, msg::xlsx_col_optional, 10},
    kConditions{{}, msg::xlsx_col_conditions, 40}, kFlowCount{{}, msg::xlsx_col_flows, 8},
    kExample{{}, msg::xlsx_col_example, 40}, kRequirement{{}, msg::xlsx_col_requirement, 40},
    kWhy{{}, msg::xlsx_col_why, 60}, kUndecided{{}, msg::xlsx_col_undecided, 10};

struct Sheet {
  const XlsxWriter* x;
  lxw_worksheet* sheet;
  lxw_format* header;
  lxw_format* body;  // the language's font (null: Excel's default)
  lxw_row_t row = 0;

  void headers(const std::vector<Column>& columns, Lang lang) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      x->worksheet_write_string(sheet, 0, col, columns[c].in(lang).c_str(), header);
      x->worksheet_set_column(sheet, col, col, columns[c].width, nullptr);
    }
    x->worksheet_freeze_panes(sheet, 1, 0);
    width = columns.size();
  }
  void add(const std::vector<std::string>& cells) {
    ++row;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      // Whole numbers (rule numbers, single ports) as numbers, so the sheet sorts them as such.
      const auto& text = cells[c];
      bool number = !text.empty() && text.size() < 10 && text.find_first_not_of("0123456789") == std::string::npos;
      if (number)
        x->worksheet_write_number(sheet, row, static_cast<lxw_col_t>(c), std::stod(text), body);
      else
        x->worksheet_write_string(sheet, row, static_cast<lxw_col_t>(c), text.c_str(), body);
    }
  }
  void finish() const {
    x->worksheet_autofilter(sheet, 0, 0, std::max<lxw_row_t>(row, 1), static_cast<lxw_col_t>(width - 1));
  }
  std::size_t width = 1;
};

}  // namespace

Result<std::string> emit_xlsx(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  const Lang lang = in.options.lang;
  const bool ja = lang == Lang::ja;
  static const auto loaded = load_XlsxWriter();
  if (!loaded) return loaded.error();
  const XlsxWriter* x = &*loaded;
  // libxlsxwriter writes to a path: a private temporary file, read back and removed.
  char path[] = "/tmp/winports-xlsx-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return Error{"", 0, 0, "xlsx", msg::xlsx_no_temp()};
  close(fd);
  lxw_workbook* book = x->workbook_new(path);
  if (!book) {
    unlink(path);
    return Error{"", 0, 0, "xlsx", msg::xlsx_no_workbook()};
  }
  lxw_format* bold = x->workbook_add_format(book);
  x->format_set_bold(bold);
  x->format_set_bg_color(bold, 0xEEF3FB);
  // Japanese Excel's own default font, so a Japanese workbook looks like one made there (Calibri,
  // the default otherwise, has no Japanese glyphs: Excel substitutes, and column widths drift).
  lxw_format* body = nullptr;
  if (ja) {
    static constexpr const char* kJapaneseExcelFont = "游ゴシック";  // not a message: a font's name
    body = x->workbook_add_format(book);
    x->format_set_font_name(body, kJapaneseExcelFont);
    x->format_set_font_name(bold, kJapaneseExcelFont);
  }

  Sheet rules{x, x->workbook_add_worksheet(book, msg::xlsx_sheet_rules.in(lang).c_str()), bold, body};
  rules.headers({kNumber, kFrom, kFromNets, kTo, kToNets, kTransport, kPorts, kServices, kKb}, lang);
  Sheet flows{x, x->workbook_add_worksheet(book, msg::xlsx_sheet_flows.in(lang).c_str()), bold, body};
  flows.headers({kNumber, kFrom, kTo, kTransport, kPorts, kService, kServiceName, kApplication, kSource}, lang);
  std::vector<std::string> involved;
  std::size_t number = 0;
  for (const auto& f : in.plan.flows) {
    auto v = detail::view_all(f, *only);
    if (v.source.empty()) continue;
    ++number;
    std::string protocol(to_string(f.transport));
    if (!f.icmp_type.empty()) protocol += " " + f.icmp_type;
    rules.add({std::to_string(number), f.source.name, detail::joined(v.source, ", "), f.destination.name,
               detail::joined(v.destination, ", "), protocol, f.ports.to_string(), join(plan::services_of(f), ", "),
               plan::reasons_text(f, in.catalog, lang)});
    for (const auto& r : f.reasons) {
      const auto* s = in.catalog.service(r.service);
      const auto& q = s->requirements[r.requirement];
      flows.add({std::to_string(number), f.source.name, f.destination.name, protocol,
                 q.dynamic_rpc() ? msg::emit_dynamic_rpc.in(lang) : q.ports.to_string(), s->id, s->names.in(lang),
                 q.protocol.in(lang), catalog::source_text(*s, q, lang)});
      if (std::find(involved.begin(), involved.end(), s->id) == involved.end()) involved.push_back(s->id);
    }
  }
  // What the plan left out and why, as md and html carry it: the undecided first (someone must answer).
  const auto left_out = msg::xlsx_sheet_left_out.in(lang);
  Sheet left{x, x->workbook_add_worksheet(book, left_out.c_str()), bold, body};
  left.headers({kFlowCount, kExample, kService, kRequirement, kWhy, kUndecided}, lang);
  for (bool undecided : {true, false})
    for (const auto& skip : in.plan.skipped) {
      if (skip.undecided != undecided) continue;
      auto pairs = plan::skipped_pairs(in.plan, skip, *only ? (*only)->name : "");
      if (pairs.empty()) continue;
      const auto* s = in.catalog.service(skip.reason.service);
      const auto& q = s->requirements[skip.reason.requirement];
      left.add({std::to_string(pairs.size()), plan::skipped_pairs_text(pairs, lang), s->id,
                std::string(to_string(q.transport)) + " " + q.ports.to_string() + " " + q.protocol.in(lang),
                skip.why.in(lang), undecided ? msg::word_yes.in(lang) : ""});
    }
  Sheet cat{x, x->workbook_add_worksheet(book, msg::xlsx_sheet_catalog.in(lang).c_str()), bold, body};
  cat.headers({kService, kServiceName, kTransport, kPorts, kApplication, kOptional, kConditions, kSource}, lang);
  std::sort(involved.begin(), involved.end());
  for (const auto& id : involved) {
    const auto* s = in.catalog.service(id);
    for (const auto& q : s->requirements)
      cat.add({s->id, s->names.in(lang), std::string(to_string(q.transport)),
               q.dynamic_rpc() ? msg::emit_dynamic_rpc.in(lang) : q.ports.to_string(), q.protocol.in(lang),
               q.optional ? msg::word_yes.in(lang) : "", catalog::conditions_text(in.catalog, *s, q, lang),
               catalog::source_text(*s, q, lang)});
  }
  for (const auto* sheet : {&rules, &flows, &left, &cat}) sheet->finish();
  lxw_error closed = x->workbook_close(book);
  auto bytes = read_file(path);
  unlink(path);
  if (closed != LXW_NO_ERROR) return Error{"", 0, 0, "xlsx", std::string("libxlsxwriter: ") + x->lxw_strerror(closed)};
  return bytes;
}

}  // namespace winports::emit
