// winports local: PortQry's local mode — this machine's listening sockets, the processes that
// hold them, and the catalog services their ports mean. Exit 0 when a socket is listed, 1 when
// none (after --service / --tcp / --udp), 2 on error.
#include "winports/probe/local.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "context.hpp"
#include "probing.hpp"
#include "winports/catalog/query.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/text.hpp"
#include "winports/plan/messages.hpp"
#include "winports/render/table.hpp"
#include "winports/verify/messages.hpp"

namespace winports::cli {

void add_local_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::vector<std::string> services;
  static bool tcp_only = false, udp_only = false, known_only = false;
  static std::string proc = "/proc";
  auto* cmd = app.add_subcommand("local", help(msg::help_this_machine_s_listening_sockets));
  cmd->add_option("--service", services, help(msg::help_only_sockets_on_a_port));
  cmd->add_flag("--tcp", tcp_only, help(msg::help_tcp_only));
  cmd->add_flag("--udp", udp_only, help(msg::help_udp_only));
  cmd->add_flag("--known", known_only, help(msg::help_only_ports_the_catalog_names));
  cmd->add_option("--proc", proc, help(msg::help_read_the_socket_tables_from))->capture_default_str();
  cmd->add_flag("--json", ctx.json, help(msg::help_json_output));
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    std::vector<std::string> wanted;
    for (const auto& name : services) {
      auto found = catalog::find_services(*c, name);
      if (found.empty()) return void(exit_code = report(Error{"", 0, 0, "--service", msg::cli_no_service(name)}));
      for (const auto* s : found) wanted.push_back(s->id);
    }
    auto sockets = probe::local_sockets(proc);
    if (!sockets) return void(exit_code = report(sockets.error()));
    nlohmann::json rows = nlohmann::json::array();
    render::Table table(ctx.lang(),
                        {msg::col_proto, msg::col_address, msg::col_port, msg::col_process, msg::col_service});
    std::size_t listed = 0;
    for (const auto& s : *sockets) {
      if ((tcp_only && s.transport != Transport::tcp) || (udp_only && s.transport != Transport::udp)) continue;
      auto m = catalog::describe(*c, s.transport, s.port);
      auto candidates = m.services;  // a listener on a wide range's port may be any of them
      candidates.insert(candidates.end(), m.wide.begin(), m.wide.end());
      if (known_only && candidates.empty()) continue;
      if (!wanted.empty() && std::none_of(candidates.begin(), candidates.end(), [&](const std::string& id) {
            return std::find(wanted.begin(), wanted.end(), id) != wanted.end();
          }))
        continue;
      ++listed;
      auto processes = join(s.processes, ",", [](const auto& p) { return p.name + "[" + std::to_string(p.pid) + "]"; });
      nlohmann::json process_rows = nlohmann::json::array();
      for (const auto& p : s.processes) process_rows.push_back({{"pid", p.pid}, {"name", p.name}});
      if (ctx.json) {
        rows.push_back({{"transport", std::string(to_string(s.transport))},
                        {"address", s.address.to_string()},
                        {"port", s.port},
                        {"uid", s.uid},
                        {"processes", process_rows},
                        {"services", candidates},
                        {"dynamic_rpc_range", m.dynamic_range}});
      } else {
        table.add({std::string(to_string(s.transport)), s.address.to_string(), std::to_string(s.port),
                   processes.empty() ? "-" : abbreviated(processes), abbreviated(m.text(ctx.lang()))});
      }
    }
    if (ctx.json)
      print_json("local", {{"sockets", rows}});
    else
      print_table(table);
    exit_code = listed ? kFound : kNotFound;
  });
}

}  // namespace winports::cli
