// Markdown: the plan as a change-request document — the flows table, then what was left out
// (what the file does not decide first, since someone must answer it), then the warnings.
#include <sstream>

#include "common.hpp"
#include "winports/catalog/export.hpp"
#include "winports/emit/messages.hpp"

namespace winports::emit {

Result<std::string> emit_markdown(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  const Lang lang = in.options.lang;
  std::ostringstream out;
  out << "# "
      << (*only ? msg::md_title_host.in(lang, md_cell(in.env.site), (*only)->name)
                : msg::md_title.in(lang, md_cell(in.env.site)))
      << "\n\n";
  out << msg::md_intro.in(lang, detail::ports_from(in, lang)) << "\n\n";
  out << msg::md_flow_columns.in(lang) << '\n';
  out << "|---|---|---|---|---|---|---|---|\n";
  for (const auto& f : in.plan.flows) {
    auto v = detail::view_all(f, *only);
    if (v.source.empty()) continue;
    std::string protocol(to_string(f.transport));
    if (f.source_port) protocol += msg::emit_from_port.in(lang, std::to_string(*f.source_port));
    if (!f.icmp_type.empty()) protocol += " " + f.icmp_type;
    auto services = join(plan::services_of(f), ", ");
    out << "| " << md_cell(f.source.name) << " | " << md_cell(detail::joined(v.source, ", ")) << " | "
        << md_cell(f.destination.name) << " | " << md_cell(detail::joined(v.destination, ", ")) << " | " << protocol
        << " | " << md_cell(f.ports.to_string()) << " | " << md_cell(services) << " | "
        << md_cell(plan::reasons_text(f, in.catalog, in.options.lang)) << " |\n";
  }
  bool any_skipped = false;
  for (bool undecided : {true, false}) {
    for (const auto& s : in.plan.skipped) {
      if (s.undecided != undecided) continue;
      auto pairs = plan::skipped_pairs(in.plan, s, *only ? (*only)->name : "");
      if (pairs.empty()) continue;
      if (!any_skipped)
        out << "\n## " << msg::md_left_out.in(lang) << "\n\n"
            << msg::md_left_out_columns.in(lang) << '\n'
            << "|---|---|---|---|---|---|\n";
      any_skipped = true;
      const auto* service = in.catalog.service(s.reason.service);
      const auto& q = service->requirements[s.reason.requirement];
      std::string requirement =
          std::string(to_string(q.transport)) + " " + q.ports.to_string() + " " + q.protocol.in(in.options.lang);
      out << "| " << pairs.size() << " | " << md_cell(plan::skipped_pairs_text(pairs, in.options.lang)) << " | "
          << md_cell(service->id) << " | " << md_cell(requirement) << " | " << md_cell(s.why.in(in.options.lang))
          << " | " << (undecided ? msg::word_yes.in(lang) : "") << " |\n";
    }
  }
  if (!in.plan.warnings.empty()) {
    out << "\n## " << msg::md_warnings.in(lang) << "\n\n";
    for (const auto& w : in.plan.warnings) out << "- " << md_cell(w.in(in.options.lang)) << "\n";
  }
  return out.str();
}

}  // namespace winports::emit
