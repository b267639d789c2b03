#pragma once
// From an Environment to the flows that must be allowed, each traced to the catalog requirements
// (and so to KB sections) it serves; then merged into a minimal rule set.
#include <optional>
#include <string>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/plan/environment.hpp"

namespace winports::plan {

struct Reason {
  std::string service;        // service id
  std::size_t requirement{};  // index into Service::requirements
  auto operator<=>(const Reason&) const = default;
};

// One side of a flow: a whole zone, or hosts (one, a role's, or destinations grouped), with its
// addresses. `name` is how outputs show it ("clients", "dc1,dc2").
struct Endpoint {
  std::string name;
  std::string zone;                // the zone this side is, when it is a whole zone
  std::vector<std::string> hosts;  // the hosts this side is, otherwise
  std::vector<Network> networks;
  auto operator<=>(const Endpoint&) const = default;
};

struct Flow {
  Endpoint source;
  Endpoint destination;
  Transport transport = Transport::tcp;
  PortSet ports;                             // destination ports; empty for port-less transports
  std::optional<std::uint16_t> source_port;  // FTP active data comes from port 20
  std::string icmp_type;                     // "echo" or ""
  std::vector<Reason> reasons;
  // Ports opened only for dynamic RPC endpoints (no fixed requirement names them): Windows'
  // `RPC` local-port keyword covers exactly these, so host-firewall emitters need not list them.
  PortSet rpc_only;
  // Whose dynamic RPC range the ports are: "dynamic RPC range of dc1 (Windows Server 2022)".
  std::vector<LocalizedText> rpc_ranges;
};
// "clients -> dc1": how every output names a flow.
std::string flow_label(const Flow& flow);

// A requirement that did not become a flow, and why, once per (requirement, reason) with every
// (from, to) pair it was left out for: a site that leaves NetBIOS open records one entry per row,
// not one per pair of hosts. `explain` and the reports show these.
struct Skipped {
  Reason reason;
  LocalizedText why;
  bool undecided = false;  // the file does not say (as opposed to: the file rules it out)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;  // (from, to): indices into Plan::sides
};

struct Plan {
  std::string site;
  std::vector<Flow> flows;  // minimal: merged per (source, destination, transport), destinations grouped
  std::vector<Skipped> skipped;
  std::vector<Endpoint> sides;  // the sides the skipped entries name
  std::vector<LocalizedText> warnings;
};

// The pairs of a left-out entry, those towards `to_host` only when it is given, as
// "clients -> dc1, clients -> dc2 (+3 more)" with at most `shown` named.
std::vector<std::pair<const Endpoint*, const Endpoint*>> skipped_pairs(const Plan& plan, const Skipped& skipped,
                                                                       const std::string& to_host = "");
std::string skipped_pairs_text(const std::vector<std::pair<const Endpoint*, const Endpoint*>>& pairs,
                               Lang lang = Lang::en, std::size_t shown = 3);

Plan make_plan(const Environment& env, const catalog::Catalog& catalog);
// An identity of the planned flows (16 hex digits of a hash of their sides, addresses, transports
// and ports): two runs that probed the same plan say the same; any change of a flow changes it.
std::string plan_id(const Plan& plan);
// The requirements left out because the site file does not decide them.
std::size_t undecided_count(const Plan& plan);

// The flow with only the reasons that need some of `ports` (a row naming one of them, or the
// listener's dynamic RPC range for a port of it): what a blocked or probed port breaks, not the
// whole flow's services. Every reason when none does (a port a listener's setting moved there).
Flow narrowed_to(const Flow& flow, const catalog::Catalog& catalog, const PortSet& ports);

// "KB §Net Logon table row 6; …" for the reasons of a flow, de-duplicated; and the service ids.
std::vector<std::string> services_of(const Flow& flow);
std::string reasons_text(const Flow& flow, const catalog::Catalog& catalog, Lang lang);

}  // namespace winports::plan
