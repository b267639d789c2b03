// winports check: PortQry's question for many targets at once. Exit 0 when every probed port
// answers (listening, or listening-or-filtered for silent UDP), 1 when any is not-listening or
// filtered, 2 on bad arguments.
#include "winports/verify/check.hpp"

#include <CLI/CLI.hpp>

#include "context.hpp"
#include "probing.hpp"
#include "winports/core/text.hpp"

namespace winports::cli {

void add_check_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::vector<std::string> targets, services, roles;
  static std::string ports;
  static bool force = false;
  static ProbeFlags flags;
  auto* cmd = app.add_subcommand("check", "Probe ports on targets the way PortQry does (TCP and protocol-aware UDP)");
  cmd->add_option("TARGET", targets, "IPv4/IPv6 address, host name or CIDR")->required();
  cmd->add_option("--ports,-p", ports, "tcp:135,445,49152-65535,udp:53,389 (a tcp:/udp: prefix switches transport)");
  cmd->add_option("--service", services, "Probe the ports the KB lists for this service (repeatable)");
  cmd->add_option("--role", roles, "Probe the ports of every service of this role (repeatable)");
  cmd->add_flag("--force", force, "Allow more than 65,536 addresses");
  cmd->add_flag("--json", ctx.json, "JSON output");
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
    exit_code = print_lines(ctx, flags, verify::kCheckColumns, verify::check_lines(*c, *outcomes, names),
                            check_printout("winports check", join(targets, " "), outcomes->size()));
  });
}

}  // namespace winports::cli
