// Markdown: the plan as a change-request document — the flows table, then what was left out
// (what the file does not decide first, since someone must answer it), then the warnings.
#include <sstream>

#include "common.hpp"
#include "winports/catalog/export.hpp"

namespace winports::emit {

Result<std::string> emit_markdown(const Input& in) {
  auto only = detail::selected_host(in);
  if (!only) return only.error();
  const bool ja = in.options.lang == Lang::ja;
  std::ostringstream out;
  out << "# " << (ja ? "winports 計画: " : "winports plan: ") << md_cell(in.env.site)
      << (*only ? (ja ? "（ホスト " : " (host ") + (*only)->name + (ja ? "）" : ")") : "") << "\n\n";
  out << (ja ? "許可するフロー。ポートは " + detail::ports_from(in, in.options.lang) + " による。\n\n"
             : "Flows to allow. Ports from " + detail::ports_from(in, in.options.lang) + ".\n\n");
  out << (ja ? "| 送信元 | 送信元アドレス | 宛先 | 宛先アドレス | プロトコル | ポート | サービス | KB |\n"
             : "| From | From networks | To | To networks | Protocol | Ports | Services | KB |\n");
  out << "|---|---|---|---|---|---|---|---|\n";
  for (const auto& f : in.plan.flows) {
    auto v = detail::view_all(f, *only);
    if (v.source.empty()) continue;
    std::string protocol(to_string(f.transport));
    if (f.source_port) protocol += (ja ? " 送信元ポート " : " from port ") + std::to_string(*f.source_port);
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
        out << (ja ? "\n## 除外した要件\n\n| フロー | 例 | サービス | 要件 | 理由 | 未決定 |\n"
                   : "\n## Left out\n\n| Flows | For example | Service | Requirement | Why | Undecided |\n")
            << "|---|---|---|---|---|---|\n";
      any_skipped = true;
      const auto* service = in.catalog.service(s.reason.service);
      const auto& q = service->requirements[s.reason.requirement];
      std::string requirement =
          std::string(to_string(q.transport)) + " " + q.ports.to_string() + " " + q.protocol.in(in.options.lang);
      out << "| " << pairs.size() << " | " << md_cell(plan::skipped_pairs_text(pairs, in.options.lang)) << " | "
          << md_cell(service->id) << " | " << md_cell(requirement) << " | " << md_cell(s.why.in(in.options.lang))
          << " | " << (undecided ? (ja ? "はい" : "yes") : "") << " |\n";
    }
  }
  if (!in.plan.warnings.empty()) {
    out << (ja ? "\n## 警告\n\n" : "\n## Warnings\n\n");
    for (const auto& w : in.plan.warnings) out << "- " << md_cell(w.in(in.options.lang)) << "\n";
  }
  return out.str();
}

}  // namespace winports::emit
