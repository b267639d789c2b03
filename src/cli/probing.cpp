#include "probing.hpp"

#include <algorithm>

#include "winports/catalog/query.hpp"

namespace winports::cli {
namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) out += {kDigits[b >> 4], kDigits[b & 15]};
  return out;
}

}  // namespace

void ProbeFlags::add_to(CLI::App* cmd) {
  cmd->add_option("--timeout", timeout_ms, "Milliseconds to wait per attempt")->check(CLI::Range(1, 600000));
  cmd->add_option("--retries", retries, "Extra attempts after silence")->check(CLI::Range(0, 5));
  cmd->add_option("--concurrency", concurrency, "Probes in flight")->check(CLI::Range(1, 65536));
  cmd->add_option("--rate", rate, "New probes per second (0: no limit)")->check(CLI::Range(0, 10000000));
  cmd->add_option("--domain", domain, "DNS domain for the CLDAP ping and the Kerberos realm");
  cmd->add_option("--community", community, "SNMP v2c community")->capture_default_str();
  cmd->add_flag("--no-protocol", no_protocol,
                "Handshake and empty datagrams only (like nmap -sT/-sU without payloads); no RPC endpoints");
  cmd->add_option("--trace", trace_path, "Write every protocol request and reply to FILE, as hex");
  cmd->add_option("--junit", junit_path, "Also write the verdicts as a JUnit XML report to FILE");
}

Result<probe::Options> ProbeFlags::options(const catalog::Catalog& c, std::ofstream& trace) const {
  probe::Options o;
  o.timeout = std::chrono::milliseconds(timeout_ms);
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

}  // namespace winports::cli
