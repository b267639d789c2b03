// winports audit SITE RULESET…: a firewall's real ruleset (nft -j list ruleset, nft list ruleset,
// iptables-save, ip6tables-save) held against the site's plan (src/audit). Exit 0 when it allows
// exactly the plan, 1 with findings, 2 on bad input.
#include "winports/audit/audit.hpp"

#include <CLI/CLI.hpp>

#include "context.hpp"
#include "site.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/file.hpp"

namespace winports::cli {

void add_audit_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string file, host, format = "auto", profile = "domain";
  static std::vector<std::string> rulesets;
  static bool kb_literal = false, collector = false, exclusive = false;
  auto* cmd = app.add_subcommand("audit", help(msg::help_hold_a_firewall_s_ruleset));
  // Not ->required(): --collector needs neither (the callback says what is missing).
  cmd->add_option("FILE", file, help(msg::help_site_description_yaml));
  cmd->add_option("RULESET", rulesets, help(msg::help_ruleset_dumps_nft_j_list));
  cmd->add_option("--host", host, help(msg::help_the_ruleset_is_this_host));
  cmd->add_option("--format", format, help(msg::help_auto_by_content_nft_json))
      ->check(CLI::IsMember(
          {"auto", "nft-json", "nft", "iptables-save", "windows-reg", "windows-json", "asa", "azure-nsg", "aws-sg"}));
  cmd->add_option("--profile", profile, help(msg::help_windows_firewall_the_host_s))
      ->check(CLI::IsMember({"domain", "private", "public"}));
  cmd->add_flag("--collector", collector, help(msg::help_print_the_powershell_script_that));
  cmd->add_flag("--exclusive", exclusive, help(msg::help_exclusive));
  cmd->add_flag("--json", ctx.json, help(msg::help_json_output));
  add_kb_literal_flag(cmd, kb_literal);
  cmd->callback([&] {
    if (collector) return void(std::cout << audit::windows_collector_script(ctx.lang()));
    if (file.empty() || rulesets.empty())
      return void(exit_code = report(Error{"", 0, 0, "audit", msg::cli_audit_args()}));
    if (exclusive && host.empty())
      return void(exit_code = report(Error{"", 0, 0, "--exclusive", msg::cli_exclusive_needs_host()}));
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto env = read_site(file, *c, kb_literal);
    if (!env) return void(exit_code = report(env.error()));
    auto path = host.empty() ? audit::Path::forward : audit::Path::input;
    std::optional<audit::HostContext> context;
    if (!host.empty()) {
      auto h = audit::host_context(*env, *c, host, profile);
      if (!h) return void(exit_code = report(h.error()));
      context = std::move(*h);
    }
    auto interfaces = audit::asa_interfaces(*env);
    auto azure = audit::azure_site(*env);
    audit::AwsInterfaces aws;
    std::vector<std::pair<std::string, std::string>> texts;
    for (const auto& r : rulesets) {
      auto text = read_file(r);
      if (!text) return void(exit_code = report(text.error()));
      // Azure's network interfaces (az network nic list) say which NSG guards which address: they
      // belong to the NSGs beside them, not a ruleset of their own.
      if ((format == "auto" || format == "azure-nsg") && audit::is_azure_nic_list(*text)) {
        if (auto st = audit::add_azure_nics(azure, r, *text); !st) return void(exit_code = report(st.error()));
        continue;
      }
      // AWS's network interfaces (describe-network-interfaces) likewise, for the security groups.
      if ((format == "auto" || format == "aws-sg") && audit::is_aws_interfaces(*text)) {
        if (auto st = audit::add_aws_interfaces(aws, r, *text); !st) return void(exit_code = report(st.error()));
        continue;
      }
      texts.emplace_back(r, std::move(*text));
    }
    if (texts.empty()) return void(exit_code = report(Error{"", 0, 0, "audit", msg::cli_audit_args()}));
    std::vector<audit::Ruleset> parts;
    for (const auto& [r, text] : texts) {
      auto part = audit::read_ruleset(r, text, path, *audit::parse_format(format), context ? &*context : nullptr,
                                      &interfaces, &azure, &aws);
      if (!part) return void(exit_code = report(part.error()));
      parts.push_back(std::move(*part));
    }
    auto plan = plan::make_plan(*env, *c);
    auto ruleset = audit::merge(std::move(parts));
    auto result = audit::audit(*env, *c, plan, ruleset, host);
    if (!result) return void(exit_code = report(result.error()));
    if (exclusive) audit::exclusive_preflight(*result, ruleset, "winports:" + env->site);
    if (ctx.json)
      print_json_text("audit", audit::audit_json(*result));
    else
      std::cout << audit::audit_text(*result, ctx.lang());
    std::cerr << "winports: " << audit::audit_summary(*result, ctx.lang()) << '\n';
    exit_code = result->clean() ? kFound : kNotFound;
  });
}

}  // namespace winports::cli
