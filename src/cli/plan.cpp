// winports plan FILE --format F [-o OUT] [--host NAME] | explain FILE --from X --to Y --port P
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "context.hpp"
#include "site.hpp"
#include "winports/catalog/export.hpp"
#include "winports/catalog/query.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/file.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"
#include "winports/verify/explain.hpp"

namespace winports::cli {

Result<plan::Environment> read_site(const std::string& path, const catalog::Catalog& c, bool kb_literal) {
  auto file = read_source_file(path);
  if (!file) return file.error();
  auto env = plan::load_environment(*file, c);
  if (env && kb_literal) env->settings.kb_literal = true;
  return env;
}

void add_kb_literal_flag(CLI::App* cmd, bool& kb_literal) {
  cmd->add_flag("--kb-literal", kb_literal, help(msg::help_the_kb_s_literal_answer));
}

void add_plan_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string file, format = "nftables", output, host, from, to, port, running_config, priority_band,
                           running_nsg;
  static bool log_drops = false, kb_literal = false, create_nsgs = false;
  static std::vector<std::string> replace_acl, azure_nsg, azure_subnets;
  std::vector<std::string> names;
  for (const auto& e : emit::emitters()) names.emplace_back(e.name);
  auto* cmd = app.add_subcommand("plan", help(msg::help_compute_the_flows_a_site));
  cmd->add_option("FILE", file, help(msg::help_site_description_yaml_see_docs))->required();
  cmd->add_option("--format,-f", format, help(msg::help_output_format))->check(CLI::IsMember(names));
  cmd->add_option("--output,-o", output, help(msg::help_write_to_file_instead_of));
  cmd->add_option("--host", host, help(msg::help_host_firewall_variant_for_this));
  add_kb_literal_flag(cmd, kb_literal);
  cmd->add_flag("--log-drops", log_drops, help(msg::help_nftables_iptables_log_unplanned_traffic));
  cmd->add_option("--replace-acl", replace_acl, help(msg::help_asa_the_list_in_use));
  cmd->add_option("--running-config", running_config, help(msg::help_asa_running_config));
  cmd->add_option("--azure-nsg", azure_nsg, help(msg::help_azure_nsg));
  cmd->add_option("--priority-band", priority_band, help(msg::help_priority_band));
  cmd->add_option("--running-nsg", running_nsg, help(msg::help_running_nsg));
  cmd->add_flag("--create-nsgs", create_nsgs, help(msg::help_create_nsgs));
  cmd->add_option("--azure-subnet", azure_subnets, help(msg::help_azure_subnet));
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    if (emit::find_emitter(format)->binary && (output.empty() || output == "-"))
      return void(exit_code = report(Error{"", 0, 0, "--output", msg::cli_binary_format(format)}));
    auto env = read_site(file, *c, kb_literal);
    if (!env) return void(exit_code = report(env.error()));
    auto plan = plan::make_plan(*env, *c);
    std::vector<std::string> refusals;
    emit::Options options{ctx.lang(), host, log_drops, replace_acl};
    if (!running_config.empty()) {
      auto text = read_file(running_config);
      if (!text) return void(exit_code = report(text.error()));
      options.running_config = std::move(*text);
      options.running_config_file = running_config;
    }
    options.azure_nsg = azure_nsg;
    options.priority_band = priority_band;
    options.create_nsgs = create_nsgs;
    options.azure_subnets = azure_subnets;
    if (!running_nsg.empty()) {
      auto text = read_file(running_nsg);
      if (!text) return void(exit_code = report(text.error()));
      options.running_nsg = std::move(*text);
      options.running_nsg_file = running_nsg;
    }
    auto text = emit::find_emitter(format)->emit({plan, *env, *c, options, &refusals});
    if (!text) return void(exit_code = report(text.error()));
    auto warning = "winports: " + msg::warning_prefix.in(ctx.lang()) + ": ";
    for (const auto& w : plan.warnings) std::cerr << warning << w.in(ctx.lang()) << '\n';
    for (const auto& w : refusals) std::cerr << warning << w << '\n';
    if (auto undecided = plan::undecided_count(plan))
      std::cerr << "winports: " << msg::plan_undecided_count.in(ctx.lang(), std::to_string(undecided)) << '\n';
    if (output.empty() || output == "-")
      std::cout << *text;
    else if (auto st = write_output(output, *text); !st)
      return void(exit_code = report(st.error()));
    exit_code = kFound;
  });

  auto* explain = app.add_subcommand("explain", help(msg::help_say_why_a_flow_is));
  explain->add_option("FILE", file, help(msg::help_site_description))->required();
  explain->add_option("--from", from, help(msg::help_source_zone_or_host))->required();
  explain->add_option("--to", to, help(msg::help_destination_host_or_zone))->required();
  explain->add_option("--port", port, help(msg::help_port_tcp_udp_or_gre))->required();
  add_kb_literal_flag(explain, kb_literal);
  explain->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    auto env = read_site(file, *c, kb_literal);
    if (!env) return void(exit_code = report(env.error()));
    auto query = catalog::parse_port_query(port);
    if (!query) return void(exit_code = report(query.error()));
    auto source = plan::resolve_place(*env, *c, from, "--from");
    if (!source) return void(exit_code = report(source.error()));
    auto destination = plan::resolve_place(*env, *c, to, "--to");
    if (!destination) return void(exit_code = report(destination.error()));
    auto plan = plan::make_plan(*env, *c);
    auto explained = verify::explain(plan, *env, *c, *source, *destination, *query, port, lang);
    for (const auto& line : explained.lines) std::cout << line << '\n';
    exit_code = explained.allowed ? kFound : kNotFound;
  });
}

}  // namespace winports::cli
