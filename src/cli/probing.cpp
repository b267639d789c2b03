#include "probing.hpp"

#include <algorithm>

#include "context.hpp"
#include "table.hpp"
#include "winports/catalog/query.hpp"
#include "winports/core/file.hpp"
#include "winports/probe/junit.hpp"
#include "winports/report/verdicts.hpp"

namespace winports::cli {
namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) out += {kDigits[b >> 4], kDigits[b & 15]};
  return out;
}

// Ports to probe for a service: the TCP/UDP ports the KB prints (dynamic ranges are found through
// the endpoint mapper, not swept).
void add_service_ports(const catalog::Service& s, probe::PortSpec& spec) {
  for (const auto& q : s.requirements) {
    if (q.dynamic_rpc() || q.ports.empty()) continue;
    if (q.transport == Transport::tcp) spec.tcp = spec.tcp.unite(q.ports);
    if (q.transport == Transport::udp) spec.udp = spec.udp.unite(q.ports);
  }
}

}  // namespace

void ProbeFlags::add_to(CLI::App* cmd) {
  cmd->add_option("--timeout", timeout_ms, "Milliseconds to wait per attempt, at most")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd->add_option("--min-timeout", min_timeout_ms,
                  "Once a host has answered, silent probes wait its RTT estimate, but at least this (ms)")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd->add_option("--retries", retries, "Extra attempts after silence")->check(CLI::Range(0, 5));
  cmd->add_option("--concurrency", concurrency, "Probes in flight")->check(CLI::Range(1, 65536));
  cmd->add_option("--rate", rate, "New probes per second (0: no limit)")->check(CLI::Range(0, 10000000));
  cmd->add_option("--domain", domain, "DNS domain for the CLDAP ping and the Kerberos realm");
  cmd->add_option("--community", community, "SNMP v2c community")->capture_default_str();
  cmd->add_flag("--no-protocol", no_protocol,
                "Handshake and empty datagrams only (like nmap -sT/-sU without payloads); no RPC endpoints");
  cmd->add_option("--trace", trace_path, "Write every protocol request and reply to FILE, as hex");
  cmd->add_option("--junit", junit_path, "Also write the verdicts as a JUnit XML report to FILE");
  cmd->add_option("--html", html_path, "Also write the verdicts as an HTML page to FILE (blocked first)");
}

Result<probe::Options> ProbeFlags::options(const catalog::Catalog& c, std::ofstream& trace) const {
  probe::Options o;
  o.timeout = std::chrono::milliseconds(timeout_ms);
  o.min_timeout = std::chrono::milliseconds(std::min(min_timeout_ms, timeout_ms));
  o.retries = retries;
  o.concurrency = concurrency;
  o.rate = rate;
  o.protocols = !no_protocol;
  o.hints.domain = domain;
  o.hints.community = community;
  for (const auto& i : c.rpc_interfaces)
    if (i.ept_map) o.hints.rpc_map.push_back({i.uuid, static_cast<std::uint16_t>(i.version)});
  if (!trace_path.empty()) {
    trace.open(trace_path);
    if (!trace) return Error{trace_path, 0, 0, "--trace", "cannot write"};
    o.trace = [&trace](const probe::Request& r, bool sent, std::uint16_t id, std::span<const std::uint8_t> bytes) {
      trace << r.address.to_string() << ' ' << to_string(r.transport) << '/' << r.port << " id " << id
            << (sent ? " send " : " recv ") << hex(bytes) << '\n';
    };
  }
  return o;
}

std::string interface_name(const catalog::Catalog& c, const probe::RpcEndpoint& e) {
  if (const auto* i = c.rpc_interface(e.uuid)) return i->name;
  return e.annotation.empty() ? e.uuid : e.annotation;
}

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

nlohmann::json outcome_json(const catalog::Catalog& c, const probe::Outcome& o) {
  nlohmann::json row = {{"address", o.request.address.to_string()},
                        {"transport", std::string(to_string(o.request.transport))},
                        {"port", o.request.port},
                        {"status", std::string(probe::to_string(o.status))},
                        {"service", service_of(c, o)},
                        {"detail", o.detail}};
  if (o.rpc)
    row["rpc"] = {{"interface", interface_name(c, *o.rpc)},
                  {"uuid", o.rpc->uuid},
                  {"version", o.rpc->version},
                  {"annotation", o.rpc->annotation}};
  return row;
}

std::string probe_name(const catalog::Catalog& c, const probe::Outcome& o) {
  return std::string(to_string(o.request.transport)) + "/" + std::to_string(o.request.port) +
         (o.rpc ? " (RPC " + interface_name(c, *o.rpc) + ")" : "");
}

Result<probe::PortSpec> port_spec(const catalog::Catalog& c, const std::string& ports,
                                  const std::vector<std::string>& services, const std::vector<std::string>& roles) {
  probe::PortSpec spec;
  if (!ports.empty()) {
    auto parsed = probe::parse_port_spec(ports);
    if (!parsed) return parsed.error();
    spec = *parsed;
  }
  for (const auto& name : services) {
    auto found = catalog::find_services(c, name);
    if (found.empty()) return Error{"", 0, 0, "--service", "no service '" + name + "'"};
    for (const auto* s : found) add_service_ports(*s, spec);
  }
  for (const auto& name : roles) {
    const auto* role = c.role(name);
    if (!role) return Error{"", 0, 0, "--role", "no role '" + name + "'"};
    for (const auto& id : role->services) add_service_ports(*c.service(id), spec);
  }
  if (spec.empty()) return Error{"", 0, 0, "--ports", "nothing to probe: give --ports, --service or --role"};
  return spec;
}

std::vector<probe::Request> requests_for(const std::vector<plan::Network>& addresses, const probe::PortSpec& spec) {
  std::vector<probe::Request> requests;
  for (const auto& a : addresses)
    for (auto [transport, set] : {std::pair{Transport::tcp, &spec.tcp}, std::pair{Transport::udp, &spec.udp}})
      for (auto r : set->ranges())
        for (std::uint32_t p = r.lo; p <= r.hi; ++p) requests.push_back({a, transport, static_cast<std::uint16_t>(p)});
  return requests;
}

bool answers(probe::Status s) { return s == probe::Status::listening || s == probe::Status::listening_or_filtered; }

int print_outcomes(const catalog::Catalog& c, const Context& ctx, const ProbeFlags& flags, const std::string& suite,
                   const std::string& targets, const std::vector<probe::Outcome>& outcomes, nlohmann::json extra) {
  const bool json = ctx.json;
  if (!flags.junit_path.empty()) {
    std::vector<probe::JunitCase> cases;
    for (const auto& o : outcomes)
      cases.push_back({o.request.address.to_string(), probe_name(c, o) + " " + service_of(c, o),
                       static_cast<double>(o.elapsed.count()) / 1e6,
                       answers(o.status) ? "" : std::string(probe::to_string(o.status)), o.detail});
    auto xml =
        probe::junit_xml(suite, {{"targets", targets}}, cases, std::to_string(outcomes.size()) + " port(s) probed");
    if (auto st = write_output(flags.junit_path, xml); !st) return report(st.error());
  }
  if (!flags.html_path.empty()) {
    report::VerdictPage page{suite + " " + targets, std::to_string(outcomes.size()) + " port(s) probed", {}, {}, {}};
    for (const auto& o : outcomes)
      page.rows.push_back({"", o.request.address.to_string(), probe_name(c, o), std::string(probe::to_string(o.status)),
                           report::verdict_of(o.status), service_of(c, o), o.detail});
    if (auto st = write_output(flags.html_path, report::verdicts_html(std::move(page), ctx.lang())); !st)
      return report(st.error());
  }
  if (json) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& o : outcomes) results.push_back(outcome_json(c, o));
    extra["results"] = std::move(results);
    std::cout << extra.dump(2) << '\n';
  } else {
    Table table({"ADDRESS", "PORT", "STATUS", "SERVICE", "DETAIL"});
    for (const auto& o : outcomes)
      table.add({o.request.address.to_string(), probe_name(c, o), std::string(probe::to_string(o.status)),
                 abbreviated(service_of(c, o)), o.detail});
    table.print(std::cout);
  }
  return std::all_of(outcomes.begin(), outcomes.end(), [](const auto& o) { return answers(o.status); }) ? kFound
                                                                                                        : kNotFound;
}

}  // namespace winports::cli
