// winports catalog discrepancies | check DIR
#include <CLI/CLI.hpp>
#include <iostream>

#include "context.hpp"
#include "winports/catalog/export.hpp"
#include "winports/catalog/loader.hpp"
#include "winports/catalog/query.hpp"
#include "winports/cli/messages.hpp"
#include "winports/render/table.hpp"
#include "winports/verify/messages.hpp"

namespace winports::cli {

void add_catalog_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string kind;
  static std::string check_dir;
  auto* cmd = app.add_subcommand("catalog", help(msg::help_inspect_the_catalog_itself));
  cmd->require_subcommand(1);
  auto* disc = cmd->add_subcommand("discrepancies", help(msg::help_where_kb_832017_disagrees_with));
  disc->add_option("--kind", kind, help(msg::help_only_this_kind))
      ->check(CLI::IsMember({"name-differs", "consolidated-only", "not-in-consolidated", "stated", "doc-vs-kb"}));
  disc->add_flag("--json", ctx.json, help(msg::help_json_output));
  disc->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    auto all = catalog::discrepancies(*c);
    std::vector<catalog::Discrepancy> items;
    for (auto& d : all)
      if (kind.empty() || d.kind == kind) items.push_back(d);
    if (ctx.json) {
      print_json("discrepancies", {{"discrepancies", catalog::discrepancies_json(items)}});
    } else {
      render::Table t(lang, {msg::col_kind, msg::col_service, msg::col_row, msg::col_what});
      for (const auto& d : items) {
        std::string row = d.requirement ? std::string(to_string(d.requirement->transport)) + " " +
                                              (d.requirement->ports.empty() ? "-" : d.requirement->ports.to_string())
                                        : "";
        // The kind in words, its --kind value beside them (what the option takes).
        t.add({catalog::discrepancy_kind_words(d.kind).in(lang) + " [" + d.kind + "]", d.service->id, row,
               d.text.in(lang)});
      }
      print_table(t);
    }
    exit_code = items.empty() ? kNotFound : kFound;
  });
  auto* check = cmd->add_subcommand("check", help(msg::help_validate_a_catalog_directory_against));
  check->add_option("DIR", check_dir, help(msg::help_directory_with_services_yaml_yaml))->required();
  check->callback([&] {
    ctx.catalog_dirs.push_back(check_dir);
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    std::cout << msg::catalog_ok.in(ctx.lang(), std::to_string(c->services.size()), std::to_string(c->roles.size()))
              << '\n';
    exit_code = kFound;
  });
}

}  // namespace winports::cli
