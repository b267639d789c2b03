#include "winports/analyze/compare.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "winports/analyze/messages.hpp"

namespace winports::analyze {
namespace {

bool covers(const plan::Endpoint& side, const Network& address) {
  return std::any_of(side.networks.begin(), side.networks.end(), [&](const Network& n) { return n.contains(address); });
}

// A name as a YAML plain scalar when it is one, else double-quoted.
std::string yaml_scalar(const std::string& name) {
  bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

// The fewest services that explain every observed flow (greedy set cover: the service that
// explains most of what is left, first by name on ties). Port 445 alone may mean seventeen
// services; beside 88, 389 and a drsuapi endpoint it means active-directory.
std::set<std::string> fewest_services(std::vector<std::vector<std::string>> left) {
  std::set<std::string> chosen;
  while (!left.empty()) {
    std::map<std::string, std::size_t> explains;
    for (const auto& options : left)
      for (const auto& s : options) ++explains[s];
    auto best = std::max_element(explains.begin(), explains.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    chosen.insert(best->first);
    std::erase_if(left, [&](const std::vector<std::string>& options) {
      return std::find(options.begin(), options.end(), best->first) != options.end();
    });
  }
  return chosen;
}

}  // namespace

Placement place(const plan::Environment& env, const Network& address) {
  if (const auto* h = env.host_at(address)) return {h->name, h->zone};
  const auto* z = env.zone_of(address);
  return {"", z ? z->name : ""};
}

namespace {

bool is_outside(const plan::Environment& env, const std::string& zone) {
  const auto* z = zone.empty() ? nullptr : env.zone(zone);
  return z && z->outside;
}

// The scope every emitter gives the site: traffic between its zones, and with the outside zone
// only for the pairs a planned flow names.
bool decided_by_site(const plan::Plan& plan, const plan::Environment& env, const ObservedFlow& f,
                     const Placement& client, const Placement& server) {
  if (client.zone.empty() || server.zone.empty()) return false;
  const bool out_client = is_outside(env, client.zone), out_server = is_outside(env, server.zone);
  if (!out_client && !out_server) return true;
  if (out_client && out_server) return false;
  return std::any_of(plan.flows.begin(), plan.flows.end(), [&](const plan::Flow& p) {
    return out_client ? is_outside(env, p.source.zone) && covers(p.destination, f.server)
                      : is_outside(env, p.destination.zone) && covers(p.source, f.client);
  });
}

}  // namespace

Comparison compare(const std::vector<ObservedFlow>& observed, const plan::Plan& plan, const plan::Environment& env) {
  Comparison out;
  // Per plan flow, the ports observed flows used.
  std::vector<PortSet> used(plan.flows.size());
  std::vector<bool> any(plan.flows.size(), false);
  for (const auto& f : observed) {
    out.client.push_back(place(env, f.client));
    out.server.push_back(place(env, f.server));
    std::optional<std::size_t> match;
    for (std::size_t i = 0; i < plan.flows.size() && !match; ++i) {
      const auto& p = plan.flows[i];
      if (!carries(p.transport, f.transport) || !covers(p.source, f.client) || !covers(p.destination, f.server))
        continue;
      if (has_ports(f.transport) && !p.ports.contains(f.port)) continue;
      match = i;
    }
    out.allowed_by.push_back(match);
    out.site_traffic.push_back(decided_by_site(plan, env, f, out.client.back(), out.server.back()));
    if (match) {
      any[*match] = true;
      if (has_ports(f.transport)) used[*match] = used[*match].unite(PortSet{{f.port, f.port}});
    }
  }
  for (std::size_t i = 0; i < plan.flows.size(); ++i) {
    const auto& p = plan.flows[i];
    if (!has_ports(p.transport)) {
      if (!any[i]) out.unobserved.push_back({i, {}});
      continue;
    }
    // A range counts as used when any of its ports was (a dynamic RPC range is used one port at
    // a time).
    PortSet unused;
    for (auto r : p.ports.ranges())
      if (used[i].intersect(PortSet{{r.lo, r.hi}}).empty()) unused = unused.unite(PortSet{{r.lo, r.hi}});
    if (!unused.empty()) out.unobserved.push_back({i, unused});
  }
  return out;
}

std::string learned_access(const std::vector<ObservedFlow>& observed, const Comparison& placed, Lang lang) {
  struct Entry {
    std::set<std::string> ports;
    std::vector<std::vector<std::string>> candidates;  // per observed flow, the services it may mean
  };
  std::map<std::pair<std::string, std::string>, Entry> entries;
  std::vector<std::string> unexplained;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const auto& f = observed[i];
    const auto& from = placed.client[i].zone;
    const auto& to = placed.server[i].name();
    std::string what = f.client.to_string() + " -> " + f.server.to_string() + " " +
                       std::string(to_string(f.transport)) +
                       (has_ports(f.transport) ? "/" + std::to_string(f.port) : "");
    if (from.empty() || to.empty()) {
      unexplained.push_back(msg::learn_outside.in(lang, what));
      continue;
    }
    if (f.services.empty()) {
      unexplained.push_back(msg::learn_no_service.in(lang, what, from + " -> " + to));
      continue;
    }
    // The interface's service when the capture named one, else every service the port may mean.
    auto& entry = entries[{from, to}];
    // A named RPC interface means its own service; a port may mean any the KB lists for it.
    entry.candidates.push_back(f.rpc_interface.empty() ? f.services : std::vector<std::string>{f.services.front()});
    entry.ports.insert(std::string(to_string(f.transport)) +
                       (has_ports(f.transport) ? "/" + std::to_string(f.port) : "") +
                       (f.rpc_interface.empty() ? "" : " (" + f.rpc_interface + ")"));
  }
  std::string out = msg::learn_header.in(lang) + "\naccess:\n";
  for (const auto& [pair, entry] : entries) {
    out += msg::learn_observed.in(lang);
    for (const auto& p : entry.ports) out += " " + p;
    out += "\n  - { from: " + yaml_scalar(pair.first) + ", to: " + yaml_scalar(pair.second) + ", services: [";
    out += join(fewest_services(entry.candidates), ", ");
    out += "] }\n";
  }
  for (const auto& u : unexplained) out += "  # " + u + "\n";
  return out;
}

}  // namespace winports::analyze
