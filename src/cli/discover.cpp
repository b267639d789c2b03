// winports discover DOMAIN: the domain's controllers from DNS SRV records (as Windows clients
// find them), then each one checked as a domain-controller. Exit codes as for check; 2 also
// when DNS names no DC.
#include "winports/probe/discover.hpp"

#include <CLI/CLI.hpp>

#include "context.hpp"
#include "probing.hpp"
#include "winports/audit/messages.hpp"
#include "winports/cli/messages.hpp"
#include "winports/render/table.hpp"
#include "winports/verify/check.hpp"

namespace winports::cli {
namespace {

std::string records_text(const probe::DomainController& dc) {
  std::string out;
  for (const auto& r : dc.records) {
    auto prefix = r.name.substr(0, r.name.find("._tcp") + 5);
    out += (out.empty() ? "" : " ") + prefix + ":" + std::to_string(r.port);
  }
  return out;
}

nlohmann::json controller_json(const probe::DomainController& dc) {
  nlohmann::json addresses = nlohmann::json::array(), records = nlohmann::json::array();
  for (const auto& a : dc.addresses) addresses.push_back(a.to_string());
  for (const auto& r : dc.records)
    records.push_back({{"name", r.name}, {"port", r.port}, {"priority", r.priority}, {"weight", r.weight}});
  return {{"host", dc.host}, {"addresses", addresses}, {"records", records}};
}

}  // namespace

void add_discover_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string domain;
  static std::vector<std::string> servers, roles;
  static int dns_timeout_ms = 2000;
  static bool list_only = false;
  static ProbeFlags flags;
  auto* cmd = app.add_subcommand("discover", help(msg::help_find_a_domain_s_controllers));
  cmd->add_option("DOMAIN", domain, help(msg::help_dns_name_of_the_ad))->required();
  cmd->add_option("--dns-server", servers, help(msg::help_dns_server_to_ask_addr));
  cmd->add_option("--dns-timeout", dns_timeout_ms, help(msg::help_milliseconds_per_dns_attempt))
      ->check(CLI::Range(1, 60000));
  cmd->add_option("--role", roles, help(msg::help_roles_to_check_each_dc));
  cmd->add_flag("--list", list_only, help(msg::help_only_list_the_dcs_found));
  cmd->add_flag("--json", ctx.json, help(msg::help_json_output));
  flags.add_to(cmd);
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    probe::DiscoverOptions dopt;
    dopt.servers = servers;
    dopt.timeout = std::chrono::milliseconds(dns_timeout_ms);
    auto found = probe::discover_domain(domain, dopt);
    if (!found) return void(exit_code = report(found.error()));
    for (const auto& note : found->notes)
      std::cerr << "winports: " << msg::note_line.in(ctx.lang(), note.in(ctx.lang())) << '\n';

    nlohmann::json controllers = nlohmann::json::array();
    for (const auto& dc : found->controllers) controllers.push_back(controller_json(dc));
    if (!ctx.json) {
      render::Table table(ctx.lang(), {msg::col_domain_controller, msg::col_addresses, msg::col_srv_records});
      for (const auto& dc : found->controllers)
        table.add({dc.host, join(dc.addresses, " ", [](const Network& a) { return a.to_string(); }), records_text(dc)});
      print_table(table);
    }
    if (list_only) {
      if (ctx.json) print_json("discover", {{"domain_controllers", controllers}});
      return void(exit_code = kFound);
    }

    auto spec = verify::port_spec(*c, "", {}, roles.empty() ? std::vector<std::string>{"domain-controller"} : roles);
    if (!spec) return void(exit_code = report(spec.error()));
    std::vector<Network> addresses;
    for (const auto& dc : found->controllers)
      addresses.insert(addresses.end(), dc.addresses.begin(), dc.addresses.end());
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    auto probe_flags = flags;
    if (probe_flags.domain.empty()) probe_flags.domain = domain;
    std::ofstream trace;
    auto options = probe_flags.options(*c, trace);
    if (!options) return void(exit_code = report(options.error()));
    auto outcomes = probe::run(verify::requests_for(addresses, *spec), *options);
    if (!outcomes) return void(exit_code = report(outcomes.error()));
    if (!ctx.json) std::cout << '\n';
    exit_code = print_lines(ctx, probe_flags, verify::kCheckColumns, verify::check_lines(*c, *outcomes, {}, ctx.lang()),
                            check_printout(ctx.lang(), "winports discover", domain, outcomes->size(),
                                           {{"domain", domain}, {"domain_controllers", controllers}}));
  });
}

}  // namespace winports::cli
