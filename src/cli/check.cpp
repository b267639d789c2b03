// winports check: PortQry's question for many targets at once. Exit 0 when every probed port
// answers (listening, or listening-or-filtered for silent UDP), 1 when any is not-listening or
// filtered, 2 on bad arguments.
#include <CLI/CLI.hpp>

#include "context.hpp"
#include "probing.hpp"
#include "table.hpp"
#include "winports/catalog/query.hpp"
#include "winports/core/file.hpp"
#include "winports/probe/junit.hpp"
#include "winports/probe/targets.hpp"

namespace winports::cli {
namespace {

// Ports to probe for services: the TCP/UDP ports the KB prints (dynamic ranges are found through
// the endpoint mapper, not swept).
void add_service_ports(const catalog::Service& s, probe::PortSpec& spec) {
  for (const auto& q : s.requirements) {
    if (q.dynamic_rpc() || q.ports.empty()) continue;
    if (q.transport == Transport::tcp) spec.tcp = spec.tcp.unite(q.ports);
    if (q.transport == Transport::udp) spec.udp = spec.udp.unite(q.ports);
  }
}

bool answers(probe::Status s) { return s == probe::Status::listening || s == probe::Status::listening_or_filtered; }

}  // namespace

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
    probe::PortSpec spec;
    if (!ports.empty()) {
      auto parsed = probe::parse_port_spec(ports);
      if (!parsed) return void(exit_code = report(parsed.error()));
      spec = *parsed;
    }
    for (const auto& name : services) {
      auto found = catalog::find_services(*c, name);
      if (found.empty()) return void(exit_code = report(Error{"", 0, 0, "--service", "no service '" + name + "'"}));
      for (const auto* s : found) add_service_ports(*s, spec);
    }
    for (const auto& name : roles) {
      const auto* role = c->role(name);
      if (!role) return void(exit_code = report(Error{"", 0, 0, "--role", "no role '" + name + "'"}));
      for (const auto& id : role->services) add_service_ports(*c->service(id), spec);
    }
    if (spec.empty())
      return void(exit_code =
                      report(Error{"", 0, 0, "--ports", "nothing to probe: give --ports, --service or --role"}));
    std::vector<probe::Request> requests;
    std::size_t addresses = 0;
    for (const auto& t : targets) {
      auto expanded = probe::expand_target(t, 65536 - addresses, force);
      if (!expanded) return void(exit_code = report(expanded.error()));
      addresses += expanded->size();
      for (const auto& a : *expanded)
        for (auto [transport, set] : {std::pair{Transport::tcp, &spec.tcp}, std::pair{Transport::udp, &spec.udp}})
          for (auto r : set->ranges())
            for (std::uint32_t p = r.lo; p <= r.hi; ++p)
              requests.push_back({a, transport, static_cast<std::uint16_t>(p)});
    }
    std::ofstream trace;
    auto options = flags.options(*c, trace);
    if (!options) return void(exit_code = report(options.error()));
    auto outcomes = probe::run(requests, *options);
    if (!outcomes) return void(exit_code = report(outcomes.error()));
    bool all_answer = std::all_of(outcomes->begin(), outcomes->end(), [](const auto& o) { return answers(o.status); });
    if (!flags.junit_path.empty()) {
      std::vector<probe::JunitCase> cases;
      for (const auto& o : *outcomes)
        cases.push_back({o.request.address.to_string(), probe_name(*c, o) + " " + service_of(*c, o),
                         static_cast<double>(o.elapsed.count()) / 1e6,
                         answers(o.status) ? "" : std::string(probe::to_string(o.status)), o.detail});
      std::string targets_text;
      for (const auto& t : targets) targets_text += (targets_text.empty() ? "" : " ") + t;
      auto xml = probe::junit_xml("winports check", {{"targets", targets_text}}, cases,
                                  std::to_string(outcomes->size()) + " port(s) probed");
      if (auto st = write_file_atomic(flags.junit_path, xml); !st) return void(exit_code = report(st.error()));
    }
    if (ctx.json) {
      nlohmann::json results = nlohmann::json::array();
      for (const auto& o : *outcomes) results.push_back(outcome_json(*c, o));
      std::cout << nlohmann::json{{"results", results}}.dump(2) << '\n';
    } else {
      Table table({"ADDRESS", "PORT", "STATUS", "SERVICE", "DETAIL"});
      for (const auto& o : *outcomes)
        table.add({o.request.address.to_string(), probe_name(*c, o), std::string(probe::to_string(o.status)),
                   abbreviated(service_of(*c, o)), o.detail});
      table.print(std::cout);
    }
    exit_code = all_answer ? kFound : kNotFound;
  });
}

}  // namespace winports::cli
