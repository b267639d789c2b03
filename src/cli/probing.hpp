#pragma once
// What check and verify share: the probe flags, naming outcomes from the catalog, and the
// table / JSON / JUnit renderings of the verdicts.
#include <CLI/CLI.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "context.hpp"
#include "winports/catalog/model.hpp"
#include "winports/probe/prober.hpp"
#include "winports/probe/targets.hpp"

namespace winports::cli {

struct ProbeFlags {
  int timeout_ms = 1000, min_timeout_ms = 100, concurrency = 1024, rate = 0, retries = 1;
  std::string domain, community = "public", trace_path, junit_path, html_path;
  bool no_protocol = false;

  void add_to(CLI::App* cmd);
  // The engine's options; opens the trace file if one was asked for (kept open in `trace`).
  Result<probe::Options> options(const catalog::Catalog& c, std::ofstream& trace) const;
};

std::string interface_name(const catalog::Catalog& c, const probe::RpcEndpoint& e);
// The catalog's names for the port ("kdc,kpasswd"); for a mapped RPC endpoint, its interface's service.
std::string service_of(const catalog::Catalog& c, const probe::Outcome& o);
std::string abbreviated(const std::string& services);  // "a,b,c +4" for table cells
// One result as JSON: address, transport, port, status, service, detail and rpc when mapped.
nlohmann::json outcome_json(const catalog::Catalog& c, const probe::Outcome& o);
// "198.18.20.10 tcp/135" and, for a mapped endpoint, its interface.
std::string probe_name(const catalog::Catalog& c, const probe::Outcome& o);

// check's and discover's question: the ports --ports, --service and --role name (dynamic ranges
// left to the endpoint mapper), on every address.
Result<probe::PortSpec> port_spec(const catalog::Catalog& c, const std::string& ports,
                                  const std::vector<std::string>& services, const std::vector<std::string>& roles);
std::vector<probe::Request> requests_for(const std::vector<plan::Network>& addresses, const probe::PortSpec& spec);
bool answers(probe::Status s);  // listening, or listening-or-filtered
// The verdicts as a table or as JSON ({"results": …} plus `extra`'s members) on stdout, as JUnit
// when --junit asked and as a page when --html asked. Returns check's exit code: 0 when every port answers, 1 if not, 2
// on a write error.
int print_outcomes(const catalog::Catalog& c, const Context& ctx, const ProbeFlags& flags, const std::string& suite,
                   const std::string& targets, const std::vector<probe::Outcome>& outcomes,
                   nlohmann::json extra = nlohmann::json::object());

}  // namespace winports::cli
