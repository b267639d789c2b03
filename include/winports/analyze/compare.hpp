#pragma once
// What was observed held against a site's plan: each observed flow placed in its zones and hosts
// and matched to the plan flow that allows it (none: the firewall the plan describes would break
// it); each planned port range never observed (a candidate to close); and a draft `access:` list
// for the site file from what was observed.
#include <optional>
#include <string>
#include <vector>

#include "winports/analyze/flows.hpp"
#include "winports/plan/planner.hpp"

namespace winports::analyze {

// Where an address sits in a site: its host (by address) and zone (the host's, or by network);
// "" where it is in none.
struct Placement {
  std::string host, zone;
  [[nodiscard]] const std::string& name() const { return host.empty() ? zone : host; }
};
Placement place(const plan::Environment& env, const Network& address);

struct Comparison {
  // Per observed flow, in the order given.
  std::vector<Placement> client, server;
  std::vector<std::optional<std::size_t>> allowed_by;  // the plan flow that allows it
  // Whether the site's firewall decides it: both ends in the site's zones, or one end in the
  // outside zone (`any`) and the plan naming that pair (a flow between any and the other end).
  std::vector<bool> site_traffic;
  // Planned flows, or parts of their ports, that nothing observed used.
  struct Unobserved {
    std::size_t flow;  // index into Plan::flows
    PortSet ports;     // the ranges of its ports nothing used (empty for a port-less flow)
  };
  std::vector<Unobserved> unobserved;
};

Comparison compare(const std::vector<ObservedFlow>& observed, const plan::Plan& plan, const plan::Environment& env);

// A draft `access:` list: one entry per (client zone, server host or zone) with the services
// observed between them; flows no service explains become comments to decide by hand.
std::string learned_access(const std::vector<ObservedFlow>& observed, const Comparison& placed, Lang lang = Lang::en);

}  // namespace winports::analyze
