// winports service | port | search
#include <CLI/CLI.hpp>
#include <iostream>
#include <set>

#include "context.hpp"
#include "table.hpp"
#include "winports/catalog/export.hpp"
#include "winports/catalog/query.hpp"
#include "winports/catalog/rules.hpp"
#include "winports/core/messages.hpp"

namespace winports::cli {
namespace {

using catalog::Catalog;
using catalog::Service;

std::string ports_cell(const Catalog& c, const catalog::Requirement& q, Lang lang) {
  if (!has_ports(q.transport)) return q.icmp_type == "echo" ? (lang == Lang::ja ? "エコー" : "echo") : "-";
  std::string s = q.ports.to_string();
  if (q.dynamic_rpc())
    s += lang == Lang::ja ? " (動的 RPC: 旧 OS " + c.legacy_rpc_range.to_string() + ")"
                          : " (dynamic RPC; old OS " + c.legacy_rpc_range.to_string() + ")";
  return s;
}

void print_service(const Catalog& c, const Service& s, Lang lang, std::ostream& out) {
  const bool ja = lang == Lang::ja;
  out << s.names.in(lang) << "  [" << s.id << "]\n";
  if (ja && s.names.en != s.names.ja) out << "  " << s.names.en << '\n';
  if (!ja && s.names.ja != s.names.en) out << "  " << s.names.ja << '\n';
  if (!s.system_services.empty()) {
    out << (ja ? "  システム サービス名: " : "  System service: ");
    out << join(s.system_services, ", ");
    out << '\n';
  }
  if (!s.aliases.empty()) {
    out << (ja ? "  別名: " : "  Also known as: ");
    out << join(s.aliases, ", ");
    out << '\n';
  }
  out << "  " << s.description.in(lang) << "\n\n";
  Table t(
      ja ? std::vector<std::string>{"アプリケーション プロトコル", "プロトコル", "ポート", "条件", "出所", "出典"}
         : std::vector<std::string>{"APPLICATION PROTOCOL", "TRANSPORT", "PORTS", "CONDITIONS", "ORIGIN", "SOURCE"});
  for (const auto& q : s.requirements)
    t.add({q.protocol.in(lang), std::string(to_string(q.transport)), ports_cell(c, q, lang),
           catalog::conditions_text(c, s, q, lang), std::string(catalog::to_string(q.origin)),
           catalog::source_text(s, q, lang)});
  t.print(out);
  std::set<std::string> shown;
  bool header = false;
  auto note = [&](const std::string& id) {
    if (!shown.insert(id).second) return;
    if (!header) out << (ja ? "\n注:\n" : "\nNotes:\n"), header = true;
    out << "  - " << s.notes.at(id).in(lang) << '\n';
  };
  for (const auto& id : s.general_notes) note(id);
  for (const auto& q : s.requirements)
    for (const auto& id : q.notes) note(id);
  for (const auto& q : s.requirements)
    for (const auto& corr : q.corrections)
      out << (ja ? "  訂正: " : "  Corrected: ") << corr.field << " \"" << corr.seed << "\" → \"" << corr.corrected
          << "\" (" << corr.reason << ")\n";
  if (s.ad_depends_on.present || s.depends_on_ad.present) out << '\n';
  if (s.ad_depends_on.present)
    out << (ja ? "  Active Directory はこのサービスに依存する" : "  Active Directory depends on this service")
        << (s.ad_depends_on.when.en.empty() ? "" : " (" + s.ad_depends_on.when.in(lang) + ")") << '\n';
  if (s.depends_on_ad.present)
    out << (ja ? "  このサービスは Active Directory を必要とする" : "  This service depends on Active Directory")
        << (s.depends_on_ad.when.en.empty() ? "" : " (" + s.depends_on_ad.when.in(lang) + ")") << '\n';
}

void not_found(const Catalog& c, const std::string& name, Lang lang) {
  std::cerr << "winports: " << (lang == Lang::ja ? "サービスが見つかりません: " : "no service named ") << "'" << name
            << "'";
  auto suggestions = catalog::suggest_names(c, name);
  if (!suggestions.empty()) {
    std::cerr << (lang == Lang::ja ? " (候補: " : " (did you mean: ");
    std::cerr << join(suggestions, ", ");
    std::cerr << ")";
  }
  std::cerr << '\n';
}

}  // namespace

void add_lookup_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static std::vector<std::string> names, ports;
  static std::string text;

  auto* service = app.add_subcommand("service", "Show services by id, name, alias or system service name");
  service->add_option("NAME", names, "Service name (ja or en), alias, id or system service name")->required();
  service->add_flag("--json", ctx.json, "JSON output");
  service->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    nlohmann::json json = nlohmann::json::array();
    bool any = false, missing = false;
    for (const auto& name : names) {
      auto found = catalog::find_services(*c, name);
      if (found.empty()) {
        missing = true;
        not_found(*c, name, lang);
      }
      for (const auto* s : found) {
        if (ctx.json)
          json.push_back(catalog::service_json(*c, *s));
        else {
          if (any) std::cout << '\n';
          print_service(*c, *s, lang, std::cout);
        }
        any = true;
      }
    }
    if (ctx.json) print_json("service", {{"services", json}});
    exit_code = !any ? kNotFound : (missing ? kNotFound : kFound);
  });

  auto* port = app.add_subcommand("port", "Show which services use a port (PORT[/tcp|/udp], or gre/esp/ah/icmp)");
  port->add_option("PORT", ports, "e.g. 445, 389/udp, 135/tcp, 50000, gre")->required();
  port->add_flag("--json", ctx.json, "JSON output");
  static bool all_ports = false;
  port->add_flag("--all", all_ports, "Also list the services whose wide or dynamic RPC ranges hold the port");
  port->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    const bool ja = lang == Lang::ja;
    std::vector<catalog::PortHit> hits;
    for (const auto& p : ports) {
      // The Japanese KB prints footnote marks as digits ("1382" is 138 with note 2): say so.
      for (const auto& s : c->services)
        for (const auto& q : s.requirements)
          for (const auto& corr : q.corrections)
            if (corr.field == "port" && corr.seed == p)
              std::cerr << "winports: " << (ja ? "注: KB の「" : "note: the KB's \"") << p
                        << (ja ? "」は注記番号付きの " : "\" is ") << corr.corrected
                        << (ja ? " です (" : " with a footnote mark (") << s.id << ")\n";
      auto query = catalog::parse_port_query(p);
      if (!query) return void(exit_code = report(query.error()));
      auto found = catalog::lookup_port(*c, *query);
      hits.insert(hits.end(), found.begin(), found.end());
    }
    if (ctx.json) {
      print_json("port", {{"results", catalog::port_hits_json(*c, hits)}});
    } else if (!hits.empty()) {
      Table t(ja ? std::vector<std::string>{"プロトコル", "ポート", "サービス", "アプリケーション プロトコル", "条件",
                                            "出所", "出典"}
                 : std::vector<std::string>{"TRANSPORT", "PORTS", "SERVICE", "APPLICATION PROTOCOL", "CONDITIONS",
                                            "ORIGIN", "SOURCE"});
      // Wide and dynamic ranges hold thousands of ports: behind the specific rows they collapse
      // into one closing line unless --all asks for them.
      const bool specific = std::any_of(hits.begin(), hits.end(), [](const auto& h) { return !h.wide(); });
      std::set<std::string> collapsed;
      for (const auto& h : hits) {
        if (specific && h.wide() && !all_ports) {
          collapsed.insert(h.service->id);
          continue;
        }
        auto cond = catalog::conditions_text(*c, *h.service, *h.requirement, lang);
        if (!h.via_dynamic_range.empty()) {
          std::string era = h.via_dynamic_range == "legacy"
                                ? (ja ? "Vista/2008 より前の OS の動的範囲" : "dynamic range of pre-Vista/2008 OS")
                                : (ja ? "Vista/2008 以降の動的範囲" : "dynamic range of Vista/2008 and later");
          cond = era + (cond.empty() ? "" : "; " + cond);
        }
        t.add({std::string(to_string(h.requirement->transport)),
               h.matched ? h.matched->to_string()
                         : (h.requirement->ports.empty() ? "-" : h.requirement->ports.to_string()),
               h.service->names.in(lang) + " [" + h.service->id + "]", h.requirement->protocol.in(lang), cond,
               std::string(catalog::to_string(h.requirement->origin)),
               catalog::source_text(*h.service, *h.requirement, lang)});
      }
      t.print(std::cout);
      if (!collapsed.empty())
        std::cout << say(Msg::port_collapsed, lang, {std::to_string(collapsed.size()), join(ports, ", ")}) << '\n';
    } else {
      std::cerr << "winports: " << say(Msg::port_none, lang) << '\n';
    }
    exit_code = hits.empty() ? kNotFound : kFound;
  });

  auto* search = app.add_subcommand("search", "Search names, aliases, protocols and notes");
  search->add_option("TEXT", text, "Text to look for (case, width and spaces ignored)")->required();
  search->add_flag("--json", ctx.json, "JSON output");
  search->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    auto hits = catalog::search(*c, text);
    if (ctx.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& h : hits)
        out.push_back({{"id", h.service->id},
                       {"names", {{"ja", h.service->names.ja}, {"en", h.service->names.en}}},
                       {"matched", h.matched}});
      print_json("search", {{"results", out}});
    } else {
      Table t(lang == Lang::ja ? std::vector<std::string>{"ID", "サービス", "一致"}
                               : std::vector<std::string>{"ID", "SERVICE", "MATCHED"});
      for (const auto& h : hits)
        t.add({h.service->id, h.service->names.in(lang),
               h.rank == 3 ? (lang == Lang::ja ? "(説明・注)" : "(description or note)") : h.matched});
      if (!hits.empty())
        t.print(std::cout);
      else
        not_found(*c, text, lang);
    }
    exit_code = hits.empty() ? kNotFound : kFound;
  });
}

}  // namespace winports::cli
