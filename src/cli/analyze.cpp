// winports analyze INPUT…: what the network recorded — captures, Zeek conn.log, the Windows
// Firewall log — as flows named from the catalog, with dynamic RPC ports named by the interface
// the capture's own binds and endpoint-mapper replies show; with --site, held against the site's
// plan. Exit 0 when flows were found (and, with --site, every one between the site's zones is
// allowed), 1 when none were or one would break, 2 on unreadable input.
#include <CLI/CLI.hpp>
#include <optional>

#include "context.hpp"
#include "site.hpp"
#include "winports/analyze/analysis.hpp"
#include "winports/analyze/inputs.hpp"
#include "winports/cli/messages.hpp"
#include "winports/render/table.hpp"

namespace winports::cli {

void add_analyze_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::vector<std::string> inputs;
  static std::string site;
  static bool learn = false;
  auto* cmd = app.add_subcommand("analyze", help(msg::help_flows_in_captures_pcap_pcapng));
  cmd->add_option("INPUT", inputs, help(msg::help_capture_or_log_file_format))->required();
  cmd->add_option("--site,--env", site, help(msg::help_site_file_place_flows_in));
  cmd->add_flag("--learn", learn, help(msg::help_write_a_draft_access_list));
  cmd->add_flag("--json", ctx.json, help(msg::help_json_output));
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    if (learn && site.empty()) return void(exit_code = report(Error{"", 0, 0, "--learn", msg::cli_learn_needs_site()}));
    std::optional<plan::Environment> env;
    if (!site.empty()) {
      auto loaded = read_site(site, *c);
      if (!loaded) return void(exit_code = report(loaded.error()));
      env = std::move(*loaded);
    }
    analyze::FlowTable table;
    for (const auto& path : inputs) {
      if (auto st = analyze::read_input(path, table); !st) return void(exit_code = report(st.error()));
    }
    auto a = analyze::analyze(table, *c, env ? &*env : nullptr);
    if (learn) {
      std::cout << analyze::learned_access(a.flows, *a.comparison, ctx.lang());
      return void(exit_code = a.flows.empty() ? kNotFound : kFound);
    }
    if (ctx.json) {
      print_json_text("analyze", analyze::analysis_json(a, inputs, site));
    } else {
      print_table(analyze::flow_table(a, ctx.lang()));
      if (auto unobserved = analyze::unobserved_table(a, ctx.lang()); !unobserved.empty()) {
        std::cout << "\n" << msg::analyze_unobserved.in(ctx.lang()) << "\n";
        print_table(unobserved);
      }
      std::cout.flush();  // the tables before the summary on a shared terminal
      for (const auto& line : analyze::summary_lines(a, ctx.lang())) std::cerr << "winports: " << line << '\n';
    }
    exit_code = a.flows.empty() || a.breaking ? kNotFound : kFound;
  });
}

}  // namespace winports::cli
