// winports check: PortQry's question for many targets at once. Exit 0 when every probed port
// answers (listening, or listening-or-filtered for silent UDP), 1 when any is not-listening or
// filtered, 2 on bad arguments.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "context.hpp"
#include "table.hpp"
#include "winports/catalog/query.hpp"
#include "winports/probe/prober.hpp"
#include "winports/probe/targets.hpp"

namespace winports::cli {
namespace {

// The interface's catalog name, else the endpoint mapper's annotation, else its UUID.
std::string interface_name(const catalog::Catalog& c, const probe::RpcEndpoint& e) {
  if (const auto* i = c.rpc_interface(e.uuid)) return i->name;
  return e.annotation.empty() ? e.uuid : e.annotation;
}

// The catalog's name for a port ("kdc,kpasswd"); for a mapped RPC endpoint, its interface's service.
std::string service_of(const catalog::Catalog& c, const probe::Outcome& o) {
  if (o.rpc) {
    const auto* i = c.rpc_interface(o.rpc->uuid);
    return i && !i->service.empty() ? i->service : "rpc";
  }
  catalog::PortQuery q{o.request.transport, o.request.port, ""};
  std::string out;
  for (const auto& hit : catalog::lookup_port(c, q)) {
    if (!hit.via_dynamic_range.empty()) continue;
    if (out.find(hit.service->id) != std::string::npos) continue;
    out += (out.empty() ? "" : ",") + hit.service->id;
  }
  return out;
}

// Ports to probe for services: the TCP/UDP ports the KB prints (dynamic ranges are found through
// the endpoint mapper, not swept).
void add_service_ports(const catalog::Service& s, probe::PortSpec& spec) {
  for (const auto& q : s.requirements) {
    if (q.dynamic_rpc() || q.ports.empty()) continue;
    if (q.transport == Transport::tcp) spec.tcp = spec.tcp.unite(q.ports);
    if (q.transport == Transport::udp) spec.udp = spec.udp.unite(q.ports);
  }
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) out += {kDigits[b >> 4], kDigits[b & 15]};
  return out;
}

// A table cell for many services: the first three and how many more (JSON keeps them all).
std::string abbreviated(const std::string& services) {
  std::size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    at = services.find(',', at);
    if (at == std::string::npos) return services;
    ++at;
  }
  auto more = std::count(services.begin() + static_cast<std::ptrdiff_t>(at), services.end(), ',') + 1;
  return services.substr(0, at - 1) + " +" + std::to_string(more);
}

}  // namespace

void add_check_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::vector<std::string> targets, services, roles;
  static std::string ports, domain, community = "public";
  static bool no_protocol = false;
  static std::string trace_path;
  static int timeout_ms = 1000, concurrency = 1024, rate = 0, retries = 1;
  static bool force = false;
  auto* cmd = app.add_subcommand("check", "Probe ports on targets the way PortQry does (TCP and protocol-aware UDP)");
  cmd->add_option("TARGET", targets, "IPv4/IPv6 address, host name or CIDR")->required();
  cmd->add_option("--ports,-p", ports, "tcp:135,445,49152-65535,udp:53,389 (a tcp:/udp: prefix switches transport)");
  cmd->add_option("--service", services, "Probe the ports the KB lists for this service (repeatable)");
  cmd->add_option("--role", roles, "Probe the ports of every service of this role (repeatable)");
  cmd->add_option("--timeout", timeout_ms, "Milliseconds to wait per attempt")->check(CLI::Range(1, 600000));
  cmd->add_option("--retries", retries, "Extra attempts after silence")->check(CLI::Range(0, 5));
  cmd->add_option("--concurrency", concurrency, "Probes in flight")->check(CLI::Range(1, 65536));
  cmd->add_option("--rate", rate, "New probes per second (0: no limit)")->check(CLI::Range(0, 10000000));
  cmd->add_flag("--force", force, "Allow more than 65,536 addresses");
  cmd->add_option("--domain", domain, "DNS domain for the CLDAP ping and the Kerberos realm");
  cmd->add_option("--community", community, "SNMP v2c community")->capture_default_str();
  cmd->add_option("--trace", trace_path, "Write every protocol request and reply to FILE, as hex");
  cmd->add_flag("--no-protocol", no_protocol,
                "Handshake and empty datagrams only (like nmap -sT/-sU without payloads); no RPC endpoints");
  cmd->add_flag("--json", ctx.json, "JSON output");
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
    probe::Options options;
    options.timeout = std::chrono::milliseconds(timeout_ms);
    options.retries = retries;
    options.concurrency = concurrency;
    options.rate = rate;
    options.protocols = !no_protocol;
    options.hints.domain = domain;
    options.hints.community = community;
    for (const auto& i : c->rpc_interfaces)
      if (i.ept_map) options.hints.rpc_map.push_back({i.uuid, static_cast<std::uint16_t>(i.version)});
    std::ofstream trace;
    if (!trace_path.empty()) {
      trace.open(trace_path);
      if (!trace) return void(exit_code = report(Error{trace_path, 0, 0, "--trace", "cannot write"}));
      options.trace = [&](const probe::Request& r, bool sent, std::uint16_t id, std::span<const std::uint8_t> bytes) {
        trace << r.address.to_string() << ' ' << to_string(r.transport) << '/' << r.port << " id " << id
              << (sent ? " send " : " recv ") << hex(bytes) << '\n';
      };
    }
    auto outcomes = probe::run(requests, options);
    if (!outcomes) return void(exit_code = report(outcomes.error()));
    bool all_answer = true;
    for (const auto& o : *outcomes)
      all_answer =
          all_answer && (o.status == probe::Status::listening || o.status == probe::Status::listening_or_filtered);
    if (ctx.json) {
      nlohmann::json results = nlohmann::json::array();
      for (const auto& o : *outcomes) {
        nlohmann::json row = {{"address", o.request.address.to_string()},
                              {"transport", std::string(to_string(o.request.transport))},
                              {"port", o.request.port},
                              {"status", std::string(probe::to_string(o.status))},
                              {"service", service_of(*c, o)},
                              {"detail", o.detail}};
        if (o.rpc)
          row["rpc"] = {{"interface", interface_name(*c, *o.rpc)},
                        {"uuid", o.rpc->uuid},
                        {"version", o.rpc->version},
                        {"annotation", o.rpc->annotation}};
        results.push_back(std::move(row));
      }
      std::cout << nlohmann::json{{"results", results}}.dump(2) << '\n';
    } else {
      Table table({"ADDRESS", "PORT", "STATUS", "SERVICE", "DETAIL"});
      for (const auto& o : *outcomes)
        table.add(
            {o.request.address.to_string(),
             std::to_string(o.request.port) + "/" + std::string(to_string(o.request.transport)),
             std::string(probe::to_string(o.status)), abbreviated(service_of(*c, o)),
             o.rpc ? "RPC " + interface_name(*c, *o.rpc) + " (mapped by the endpoint mapper); " + o.detail : o.detail});
      table.print(std::cout);
    }
    exit_code = all_answer ? kFound : kNotFound;
  });
}

}  // namespace winports::cli
