// winports check: PortQry's question for many targets at once. Exit 0 when every probed port
// answers (listening, or listening-or-filtered for silent UDP), 1 when any is not-listening or
// filtered, 2 on bad arguments.
#include "winports/verify/check.hpp"

#include <CLI/CLI.hpp>

#include "context.hpp"
#include "probing.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/text.hpp"

namespace winports::cli {

void add_check_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::vector<std::string> targets, services, roles;
  static std::string ports;
  static bool force = false;
  static ProbeFlags flags;
  auto* cmd = app.add_subcommand("check", help(msg::help_probe_ports_on_targets_the));
  cmd->add_option("TARGET", targets, help(msg::help_ipv4_ipv6_address_host_name))->required();
  cmd->add_option("--ports,-p", ports, help(msg::help_tcp_135_445_49152_65535));
  cmd->add_option("--service", services, help(msg::help_probe_the_ports_the_kb));
  cmd->add_option("--role", roles, help(msg::help_probe_the_ports_of_every));
  cmd->add_flag("--force", force, help(msg::help_allow_more_than_65_536));
  cmd->add_flag("--json", ctx.json, help(msg::help_json_output));
  flags.add_to(cmd);
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto spec = verify::port_spec(*c, ports, services, roles);
    if (!spec) return void(exit_code = report(spec.error()));
    std::vector<Network> addresses;
    std::map<std::string, std::string> names;  // address → the host name given for it
    for (const auto& t : targets) {
      auto expanded = probe::expand_target(t, 65536 - addresses.size(), force);
      if (!expanded) return void(exit_code = report(expanded.error()));
      if (!parse_network(t))
        for (const auto& a : *expanded) names.emplace(a.to_string(), t);
      addresses.insert(addresses.end(), expanded->begin(), expanded->end());
    }
    std::ofstream trace;
    auto options = flags.options(*c, trace);
    if (!options) return void(exit_code = report(options.error()));
    auto outcomes = probe::run(verify::requests_for(addresses, *spec), *options);
    if (!outcomes) return void(exit_code = report(outcomes.error()));
    exit_code = print_lines(ctx, flags, verify::kCheckColumns, verify::check_lines(*c, *outcomes, names, ctx.lang()),
                            check_printout(ctx.lang(), "winports check", join(targets, " "), outcomes->size()));
  });
}

}  // namespace winports::cli
