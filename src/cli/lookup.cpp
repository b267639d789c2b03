// winports service | port | search
#include <CLI/CLI.hpp>
#include <iostream>
#include <set>

#include "context.hpp"
#include "winports/analyze/messages.hpp"
#include "winports/catalog/export.hpp"
#include "winports/catalog/query.hpp"
#include "winports/catalog/rules.hpp"
#include "winports/cli/messages.hpp"
#include "winports/render/table.hpp"
#include "winports/verify/messages.hpp"

namespace winports::cli {
namespace {

using catalog::Catalog;
using catalog::Service;

std::string ports_cell(const Catalog& c, const catalog::Requirement& q, Lang lang) {
  if (!has_ports(q.transport)) return q.icmp_type == "echo" ? msg::lookup_echo.in(lang) : "-";
  std::string s = q.ports.to_string();
  if (q.dynamic_rpc()) s += msg::lookup_dynamic_rpc.in(lang, c.legacy_rpc_range.to_string());
  return s;
}

void print_service(const Catalog& c, const Service& s, Lang lang, std::ostream& out) {
  const bool ja = lang == Lang::ja;
  out << s.names.in(lang) << "  [" << s.id << "]\n";
  if (ja && s.names.en != s.names.ja) out << "  " << s.names.en << '\n';
  if (!ja && s.names.ja != s.names.en) out << "  " << s.names.ja << '\n';
  if (!s.system_services.empty()) {
    out << msg::lookup_system_service.in(lang);
    out << join(s.system_services, ", ");
    out << '\n';
  }
  if (!s.aliases.empty()) {
    out << msg::lookup_aliases.in(lang);
    out << join(s.aliases, ", ");
    out << '\n';
  }
  out << "  " << s.description.in(lang) << "\n\n";
  render::Table t(lang, {msg::col_app_protocol, msg::col_transport, msg::col_ports, msg::col_conditions,
                         msg::col_origin, msg::col_source});
  for (const auto& q : s.requirements)
    t.add({q.protocol.in(lang), std::string(to_string(q.transport)), ports_cell(c, q, lang),
           catalog::conditions_text(c, s, q, lang), catalog::origin_words(q.origin).in(lang),
           catalog::source_text(s, q, lang)});
  render::print(t, out, {&out == &std::cout ? render::terminal_width(STDOUT_FILENO) : 0});
  std::set<std::string> shown;
  bool header = false;
  auto note = [&](const std::string& id) {
    if (!shown.insert(id).second) return;
    if (!header) out << "\n" << msg::lookup_notes.in(lang) << "\n", header = true;
    out << "  - " << s.notes.at(id).in(lang) << '\n';
  };
  for (const auto& id : s.general_notes) note(id);
  for (const auto& q : s.requirements)
    for (const auto& id : q.notes) note(id);
  for (const auto& q : s.requirements)
    for (const auto& corr : q.corrections)
      out << msg::lookup_corrected.in(lang, catalog::correction_words(corr.field), corr.seed, corr.corrected,
                                      catalog::correction_words(corr.reason))
          << '\n';
  if (s.ad_depends_on.present || s.depends_on_ad.present) out << '\n';
  if (s.ad_depends_on.present)
    out << msg::lookup_ad_depends.in(lang)
        << (s.ad_depends_on.when.en.empty() ? "" : " (" + s.ad_depends_on.when.in(lang) + ")") << '\n';
  if (s.depends_on_ad.present)
    out << msg::lookup_depends_on_ad.in(lang)
        << (s.depends_on_ad.when.en.empty() ? "" : " (" + s.depends_on_ad.when.in(lang) + ")") << '\n';
}

void not_found(const Catalog& c, const std::string& name, Lang lang) {
  std::cerr << "winports: " << msg::lookup_no_service.in(lang, name);
  auto suggestions = catalog::suggest_names(c, name);
  if (!suggestions.empty()) std::cerr << msg::lookup_candidates.in(lang, join(suggestions, ", "));
  std::cerr << '\n';
}

}  // namespace

void add_lookup_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static std::vector<std::string> names, ports;
  static std::string text;

  auto* service = app.add_subcommand("service", help(msg::help_show_services_by_id_name));
  service->add_option("NAME", names, help(msg::help_service_name_ja_or_en))->required();
  service->add_flag("--json", ctx.json, help(msg::help_json_output));
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

  auto* port = app.add_subcommand("port", help(msg::help_show_which_services_use_a));
  port->add_option("PORT", ports, help(msg::help_e_g_445_389_udp))->required();
  port->add_flag("--json", ctx.json, help(msg::help_json_output));
  static bool all_ports = false;
  port->add_flag("--all", all_ports, help(msg::help_also_list_the_services_whose));
  port->callback([&] {
    std::vector<catalog::PortQuery> queries;  // an argument that does not parse keeps every service
    for (const auto& p : ports) {
      auto query = catalog::parse_port_query(p);
      queries.push_back(query ? *query : catalog::PortQuery{std::nullopt, std::nullopt, p});
    }
    const auto* c = ctx.load(catalog::port_lookup_parts(std::move(queries)));
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    std::vector<catalog::PortHit> hits;
    for (const auto& p : ports) {
      // The Japanese KB prints footnote marks as digits ("1382" is 138 with note 2): say so.
      for (const auto& s : c->services)
        for (const auto& q : s.requirements)
          for (const auto& corr : q.corrections)
            if (corr.field == "port" && corr.seed == p)
              std::cerr << "winports: " << msg::lookup_footnote.in(lang, p, corr.corrected, s.id) << '\n';
      auto query = catalog::parse_port_query(p);
      if (!query) return void(exit_code = report(query.error()));
      auto found = catalog::lookup_port(*c, *query);
      hits.insert(hits.end(), found.begin(), found.end());
    }
    if (ctx.json) {
      print_json("port", {{"results", catalog::port_hits_json(*c, hits)}});
    } else if (!hits.empty()) {
      render::Table t(lang, {msg::col_transport, msg::col_ports, msg::col_service, msg::col_app_protocol,
                             msg::col_conditions, msg::col_origin, msg::col_source});
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
          auto era = say(h.via_dynamic_range == "legacy" ? msg::lookup_legacy_range : msg::lookup_modern_range, lang);
          cond = era + (cond.empty() ? "" : "; " + cond);
        }
        t.add({std::string(to_string(h.requirement->transport)),
               h.matched ? h.matched->to_string()
                         : (h.requirement->ports.empty() ? "-" : h.requirement->ports.to_string()),
               h.service->names.in(lang) + " [" + h.service->id + "]", h.requirement->protocol.in(lang), cond,
               catalog::origin_words(h.requirement->origin).in(lang),
               catalog::source_text(*h.service, *h.requirement, lang)});
      }
      print_table(t);
      if (!collapsed.empty())
        std::cout << msg::port_collapsed.in(lang, std::to_string(collapsed.size()), join(ports, ", ")) << '\n';
    } else {
      std::cerr << "winports: " << msg::port_none.in(lang) << '\n';
    }
    exit_code = hits.empty() ? kNotFound : kFound;
  });

  auto* search = app.add_subcommand("search", help(msg::help_search_names_aliases_protocols_and));
  search->add_option("TEXT", text, help(msg::help_text_to_look_for_case))->required();
  search->add_flag("--json", ctx.json, help(msg::help_json_output));
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
      render::Table t(lang, {msg::col_id, msg::col_service, msg::col_matched});
      for (const auto& h : hits)
        t.add({h.service->id, h.service->names.in(lang),
               h.rank == 3 ? msg::lookup_description_or_note.in(lang) : h.matched});
      if (!hits.empty())
        print_table(t);
      else
        not_found(*c, text, lang);
    }
    exit_code = hits.empty() ? kNotFound : kFound;
  });
}

}  // namespace winports::cli
