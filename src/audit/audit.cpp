#include "winports/audit/audit.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <tuple>

#include "cube_index.hpp"
#include "rule_builder.hpp"
#include "windows_model.hpp"
#include "winports/audit/messages.hpp"
#include "winports/catalog/query.hpp"
#include "winports/catalog/rules.hpp"
#include "winports/core/text.hpp"

namespace winports::audit {
namespace {

// The address `value` of a family as a /32 or /128.
std::optional<Network> address_of(int family, Address128 value) {
  Network n;
  n.family = family;
  n.prefix = family == 4 ? 32 : 128;
  int bytes = family == 4 ? 4 : 16;
  for (int b = bytes - 1; b >= 0; --b, value >>= 8) n.bytes[static_cast<std::size_t>(b)] = value & 0xFF;
  return n;
}

ProtocolSet protocol_of(Transport t, int family) {
  ProtocolSet p;
  int n = ip_protocol_number(t);
  if (t == Transport::icmp || t == Transport::icmpv6) n = family == 4 ? 1 : 58;  // the family's ICMP
  p.set(static_cast<std::size_t>(n));
  return p;
}

std::string transport_name(int protocol) {
  if (protocol == 58) return "icmp";  // the KB's ICMP is the family's
  return protocol_name(protocol);
}

int first_protocol(const ProtocolSet& p) {
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p.test(i)) return static_cast<int>(i);
  return -1;
}

// The packets of a planned flow that open a connection: one cube per (source, destination) network
// pair of one family; on a host's firewall only those towards that host.
std::vector<Cube> cubes_of(const plan::Flow& f, const std::vector<Network>* host, std::uint8_t states) {
  std::vector<Cube> out;
  auto add = [&](const Network& s, const Network& d) {
    Cube c;
    c.source = AddressSet::of(s);
    c.destination = AddressSet::of(d);
    c.protocols = protocol_of(f.transport, s.family);
    if (has_ports(f.transport)) c.destination_ports = f.ports;
    if (f.source_port) c.source_ports = PortSet{{*f.source_port, *f.source_port}};
    if (f.icmp_type == "echo") {
      c.icmp_types.reset();
      c.icmp_types.set(s.family == 4 ? 8 : 128);
    }
    c.states = states;
    out.push_back(std::move(c));
  };
  for (const auto& s : f.source.networks)
    for (const auto& d : f.destination.networks) {
      if (s.family != d.family || (s.family == 4 && f.transport == Transport::icmpv6)) continue;
      if (!host) {
        add(s, d);
        continue;
      }
      for (const auto& mine : *host)
        if (d.contains(mine)) add(s, mine);
    }
  return out;
}

AddressSet set_of(const std::vector<Network>& networks) {
  AddressSet out;
  for (const auto& n : networks) out.add(n);
  return out;
}

// The replies of a flow: from its destination back to its source, from the ports it opened.
std::vector<Cube> replies_of(const plan::Flow& f) {
  auto out = cubes_of(f, nullptr, static_cast<std::uint8_t>(CtState::established));
  for (auto& c : out) {
    std::swap(c.source, c.destination);
    std::swap(c.source_ports, c.destination_ports);
    // An echo's reply is an echo reply; other ICMP a planned flow carries may be answered by any.
    c.icmp_types.set();
    if (f.icmp_type == "echo") {
      c.icmp_types.reset();
      c.icmp_types.set(c.protocols.test(58) ? 129 : 0);
    }
  }
  return out;
}

// "echo-request", … for a set of ICMP types, into the finding; none when the set is every type.
// Most types are said by the few left out ("every type but echo-request").
void name_icmp_types(PortFinding& f, int protocol, const TypeSet& types) {
  if (types.all()) return;
  f.icmp_types_left_out = types.count() > types.size() / 2;
  for (std::size_t t = 0; t < types.size(); ++t)
    if (types.test(t) != f.icmp_types_left_out) f.icmp_types.push_back(icmp_type_name(protocol, static_cast<int>(t)));
}

std::string label_of(const PortFinding& f) {
  return f.from.en + " -> " + f.to.en + " " + f.transport + (f.ports.empty() ? "" : " " + f.ports.to_string());
}

class Auditor {
 public:
  Auditor(const plan::Environment& env, const catalog::Catalog& catalog, const plan::Plan& plan, const Ruleset& r)
      : env_(env), catalog_(catalog), plan_(plan), ruleset_(r), evaluator_(r) {
    for (const auto& [name, chain] : r.chains)
      if (chain.order_free)
        for (const auto& rule : chain.rules)
          if (!rule.scope.empty() && rule.verdict == Verdict::accept && rule.unsupported.empty())
            program_rules_.push_back(&rule);
    if (!program_rules_.empty()) serves_ = program_services(catalog);
  }

  Result<Audit> run(const std::string& host_name) {
    Audit a;
    a.site = env_.site;
    a.host = host_name;
    const std::vector<Network>* host = nullptr;
    if (!host_name.empty()) {
      const auto* h = env_.host(host_name);
      if (!h) return Error{env_.file, 0, 0, "--host", msg::audit_no_host(host_name)};
      host = &h->addresses;
      host_name_ = host_name;
      a.path = msg::audit_path_input(host_name);
    } else {
      a.path = msg::audit_path_forward();
    }
    for (const auto& [name, chain] : ruleset_.chains) a.rules += chain.rules.size();
    assumptions(a, host != nullptr);
    bool applies = reachability(a, host != nullptr);
    // Three questions that only read the ruleset and the plan: the rules that never match and what
    // is beyond the plan run beside the planned flows' (a site of thousands of hosts on two cores).
    auto shadowed = std::async(std::launch::async, [&] { return shadowed_rules(ruleset_); });
    auto extra = std::async(std::launch::async, [&] {
      std::vector<PortFinding> found;
      if (applies) add_extra(found, host);
      return found;
    });
    for (const auto& f : plan_.flows) {
      auto cubes = cubes_of(f, host, static_cast<std::uint8_t>(CtState::new_));
      if (cubes.empty()) continue;
      ++a.flows;
      auto outcome = evaluate_planned(f, cubes);
      add_blocked(a.blocked, f, outcome, false);
      note_undecided(f, outcome);
      if (!host) {
        auto back = evaluator_.evaluate(replies_of(f));
        add_blocked(a.replies, f, back, true);
        note_undecided(f, back);
      }
    }
    a.extra = extra.get();
    by_rule(a);
    for (auto& s : shadowed.get()) {
      ShadowFinding sf{s.rule->location, s.rule->text, {}};
      for (const Rule* by : s.by) sf.by.push_back(by->location);
      a.shadowed.push_back(std::move(sf));
    }
    for (auto& [key, u] : undecided_) a.unsupported.push_back(std::move(u));
    return a;
  }

 private:
  // A planned flow on a Windows host: each of its services is allowed only by rules of a program
  // that serves it (or of every program, or of a program the data does not know), so an LDAP flow
  // is not the DNS server's to allow even on a port both rules name.
  Outcome evaluate_planned(const plan::Flow& f, const std::vector<Cube>& cubes) {
    dropped_for_.clear();
    if (serves_.empty()) return evaluator_.evaluate(cubes);
    std::map<std::string, PortSet> ports_of;
    for (const auto& r : f.reasons) {
      const auto& q = catalog_.service(r.service)->requirements[r.requirement];
      ports_of[r.service] = ports_of[r.service].unite(q.dynamic_rpc() ? f.rpc_only : q.ports.intersect(f.ports));
    }
    Outcome merged;
    auto add = [&](Outcome o) {
      for (std::size_t i = 0; i < o.accepted.size(); ++i)
        merged.accepted.push_back(std::move(o.accepted[i])), merged.accepted_by.push_back(o.accepted_by[i]);
      for (std::size_t i = 0; i < o.dropped.size(); ++i)
        merged.dropped.push_back(std::move(o.dropped[i])), merged.dropped_by.push_back(o.dropped_by[i]);
      for (auto& u : o.undecided) merged.undecided.push_back(std::move(u));
    };
    PortSet covered;
    for (const auto& entry : ports_of) {
      // Named, not bound: clang 14 (the fuzz build's) cannot capture a structured binding.
      const std::string& service = entry.first;
      const PortSet& ports = entry.second;
      // A known program's rule is for this service when one of its predefined rules on these ports
      // (the dynamic range for a dynamic row) carries it.
      const bool dynamic = !ports.intersect(f.rpc_only).empty();
      const int protocol = ip_protocol_number(f.transport);
      std::vector<const Rule*> excluded;
      for (const Rule* r : program_rules_) {
        auto it = serves_.find(r->scope);
        if (it == serves_.end()) continue;
        bool serves = std::any_of(it->second.begin(), it->second.end(), [&](const ProgramPorts& p) {
          bool on_ports = p.rpc ? dynamic : p.ports.empty() || !p.ports.intersect(ports).empty();
          bool same_protocol = p.protocol == protocol || (p.protocol == 58 && protocol == 1);
          return same_protocol && on_ports && (p.services.contains("*") || p.services.contains(service));
        });
        if (!serves) excluded.push_back(r);
      }
      auto part = cubes;
      if (has_ports(f.transport)) {
        if (ports.empty()) continue;
        covered = covered.unite(ports);
        for (auto& c : part) c.destination_ports = c.destination_ports.intersect(ports);
      }
      auto dropped = merged.dropped.size();
      add((excluded.empty() ? evaluator_ : filtered(excluded)).evaluate(part));
      if (merged.dropped.size() > dropped) dropped_for_.insert(service);
      if (!has_ports(f.transport)) return merged;  // one question for a portless flow
    }
    // Ports no row names (a port a site setting moved): every rule may allow them, as before.
    if (auto rest = f.ports.subtract(covered); has_ports(f.transport) && !rest.empty()) {
      auto part = cubes;
      for (auto& c : part) c.destination_ports = c.destination_ports.intersect(rest);
      add(evaluator_.evaluate(part));
    }
    return merged;
  }

  // The ruleset without the rules of programs that do not serve a service, asked once per set.
  const Evaluator& filtered(const std::vector<const Rule*>& excluded) {
    auto& slot = filtered_[excluded];
    if (slot) return *slot->evaluator;
    slot = std::make_unique<Filtered>();
    slot->ruleset = ruleset_;
    for (auto& [name, chain] : slot->ruleset.chains) {
      const auto& original = ruleset_.chains.at(name).rules;
      std::vector<Rule> kept;
      for (std::size_t i = 0; i < original.size(); ++i)
        if (std::find(excluded.begin(), excluded.end(), &original[i]) == excluded.end())
          kept.push_back(std::move(chain.rules[i]));
      chain.rules = std::move(kept);
    }
    slot->evaluator = std::make_unique<Evaluator>(slot->ruleset);
    return *slot->evaluator;
  }

  // What is beyond the plan, by the rule that opens it: one entry per rule, its lines (zone pair and
  // ports) once each, in the order the rules first appear.
  static void by_rule(Audit& a) {
    std::map<std::string, std::size_t> index;
    for (const auto& f : a.extra)
      for (std::size_t i = 0; i < f.rules.size(); ++i) {
        auto key = f.rules[i].to_string();
        auto [it, fresh] = index.try_emplace(key, a.extra_by_rule.size());
        if (fresh) a.extra_by_rule.push_back({f.rules[i], i < f.rule_texts.size() ? f.rule_texts[i] : "", {}});
        auto& opens = a.extra_by_rule[it->second].opens;
        auto same = [&](const PortFinding& o) {
          return o.from.en == f.from.en && o.to.en == f.to.en && o.transport == f.transport && o.ports == f.ports &&
                 o.icmp_types == f.icmp_types;
        };
        if (std::none_of(opens.begin(), opens.end(), same)) opens.push_back(f);
      }
  }

  // Before any flow: what keeps the rules from applying at all. Returns whether they apply (and
  // what is beyond the plan is worth listing).
  bool reachability(Audit& a, bool host) {
    bool applies = true;
    if (ruleset_.stages.empty()) {
      a.unreached.push_back({Location{join(ruleset_.files, ", "), 0, ""},
                             said(host ? msg::audit_no_input_chain : msg::audit_no_forward_chain), ""});
      applies = false;
    }
    for (const auto& [where, what] : ruleset_.inactive) {
      a.unreached.push_back({where, what, ""});
      applies = false;
    }
    // Chains nothing on the path jumps to. A winports chain among them (the jump from FORWARD or
    // INPUT missing) means the plan does not apply: said once, with the jump to add.
    std::set<std::string> reached;
    std::vector<std::string> todo;
    for (const auto& st : ruleset_.stages) todo.push_back(st.chain);
    while (!todo.empty()) {
      auto name = todo.back();
      todo.pop_back();
      if (!reached.insert(name).second) continue;
      auto it = ruleset_.chains.find(name);
      if (it == ruleset_.chains.end()) continue;
      for (const auto& r : it->second.rules)
        if (!r.target.empty()) todo.push_back(r.target);
    }
    std::vector<std::string> path;
    for (const auto& st : ruleset_.stages) path.push_back(st.chain);
    for (const auto& [name, chain] : ruleset_.chains) {
      if (reached.count(name) || chain.rules.empty()) continue;
      // A chain others jump to is reported through the one at the top.
      bool called = false;
      for (const auto& [other, c] : ruleset_.chains)
        for (const auto& r : c.rules) called = called || (r.target == name && other != name);
      if (called) continue;
      auto bare = name.substr(name.rfind(' ') + 1);  // "1:filter wp-x" → "wp-x"
      // winports' own top chain (the one that jumps to its others): a chain of someone else's that
      // nothing uses is not the plan's concern, and a sub-chain of a family with no flows (the
      // IPv6 scope chain of an IPv4-only site) is reached from nowhere by design.
      bool ours = bare.rfind("wp-", 0) == 0 || bare.rfind("wpin-", 0) == 0;
      bool dispatches =
          std::any_of(chain.rules.begin(), chain.rules.end(), [](const Rule& r) { return !r.target.empty(); });
      if (!ours || !dispatches) continue;
      std::string run;
      if (name.find("filter ") != std::string::npos) {
        bool v6 = name.rfind("2:", 0) == 0 && ruleset_.covers_ipv6 && !ruleset_.covers_ipv4;
        run = std::string(v6 ? "ip6tables" : "iptables") + " -w -I " + (host ? "INPUT" : "FORWARD") + " 1 -j " + bare;
      }
      a.unreached.push_back({chain.rules.front().location,
                             msg::audit_chain_unreached(bare, path.empty() ? std::string("-") : join(path, ", "),
                                                        std::to_string(chain.rules.size())),
                             run});
      applies = false;
    }
    if (!applies) a.assumptions.push_back(msg::audit_consequences_left_out());
    return applies;
  }

  void assumptions(Audit& a, bool /*host*/) {
    if (!ruleset_.covers_ipv4) a.assumptions.push_back(msg::audit_no_ipv4());
    if (!ruleset_.covers_ipv6) a.assumptions.push_back(msg::audit_no_ipv6());
    for (const auto& [where, what] : ruleset_.notes) {
      auto at = where.to_string() + ": ";
      a.assumptions.push_back(LocalizedText{at, at} + what);
    }
  }

  void add_blocked(std::vector<PortFinding>& into, const plan::Flow& f, const Outcome& outcome, bool reply) {
    if (outcome.dropped.empty()) return;
    PortSet ports;
    TypeSet types;
    AddressSet sources, destinations;
    std::set<std::string> seen;
    std::vector<Location> rules;
    for (std::size_t i = 0; i < outcome.dropped.size(); ++i) {
      const auto& c = outcome.dropped[i];
      ports = ports.unite(reply ? c.source_ports : c.destination_ports);
      types |= c.icmp_types;
      sources = sources.unite(reply ? c.destination : c.source);
      destinations = destinations.unite(reply ? c.source : c.destination);
      const Rule* by = outcome.dropped_by[i];
      std::string key = by ? by->location.to_string() : "policy";
      if (by && seen.insert(key).second) rules.push_back(by->location);
    }
    PortFinding pf;
    pf.from = plain(reply ? f.destination.name : f.source.name);
    pf.to = plain(reply ? f.source.name : f.destination.name);
    if (!host_name_.empty()) pf.to = plain(host_name_);  // on a host's firewall, the flow's part towards it
    pf.transport = std::string(to_string(f.transport == Transport::icmpv6 ? Transport::icmp : f.transport));
    if (has_ports(f.transport)) pf.ports = ports.intersect(f.ports);
    // Which ICMP types are dropped: a rule that lets echo through blocks the rest, not "icmp".
    if ((f.transport == Transport::icmp || f.transport == Transport::icmpv6) && !reply) {
      int protocol = first_protocol(outcome.dropped.front().protocols);
      name_icmp_types(pf, protocol, types);
    }
    auto n = plan::narrowed_to(f, catalog_, pf.ports);
    // On a Windows host, only the services whose own question was dropped: a port another program's
    // rule allows for its service is not that service's loss.
    if (!reply && !dropped_for_.empty())
      std::erase_if(n.reasons, [&](const plan::Reason& r) { return !dropped_for_.contains(r.service); });
    pf.services = plan::services_of(n);
    pf.kb = {plan::reasons_text(n, catalog_, Lang::ja), plan::reasons_text(n, catalog_, Lang::en)};
    AddressSet all_sources, all_destinations;
    for (const auto& c : cubes_of(f, nullptr, 1)) {
      all_sources = all_sources.unite(c.source);
      all_destinations = all_destinations.unite(c.destination);
    }
    if (!sources.includes(all_sources)) pf.source_addresses = sources.to_string();
    if (!destinations.includes(all_destinations) && host_name_.empty())
      pf.destination_addresses = destinations.to_string();
    pf.rules = std::move(rules);
    into.push_back(std::move(pf));
  }

  void note_undecided(const plan::Flow& f, const Outcome& outcome) {
    for (const auto& u : outcome.undecided) {
      std::string key = u.rule ? u.rule->location.to_string() : u.why.en;
      auto& entry = undecided_[key];
      if (entry.construct.empty()) {
        entry.construct = u.why;
        if (u.rule) entry.where = u.rule->location;
      }
      int p = first_protocol(u.packets.protocols);
      PortFinding pf;
      pf.from = plain(f.source.name), pf.to = plain(f.destination.name), pf.transport = transport_name(p);
      if (p == 6 || p == 17) pf.ports = u.packets.destination_ports.intersect(f.ports);
      auto text = label_of(pf);
      if (std::find(entry.flows.begin(), entry.flows.end(), text) == entry.flows.end()) entry.flows.push_back(text);
    }
  }

  // A name for some addresses of a zone: the zone when they are all of it, host names when each
  // is a host, the zone "except" hosts when only hosts are missing, else the zone with the addresses.
  static LocalizedText plain(const std::string& name) { return {{}, name}; }

  LocalizedText place(const plan::Zone& zone, const AddressSet& addresses) const {
    AddressSet whole;
    for (const auto& n : zone.networks)
      if (!addresses.family(n.family).empty()) whole.add(n);  // the families these addresses are of
    if (addresses.includes(whole)) return plain(zone.name);
    auto hosts_of = [&](const AddressSet& set) -> std::optional<std::string> {
      std::vector<std::string> names;
      for (const auto& n : set.prefixes()) {
        // A small prefix (dc1 and dc2 side by side are a /31) is looked at address by address.
        int host_bits = (n.family == 4 ? 32 : 128) - n.prefix;
        if (host_bits > 4) return std::nullopt;
        auto block = AddressSet::of(n);
        for (const auto& i : block.family(n.family).intervals())
          for (Address128 v = i.lo; v <= i.hi; ++v) {
            const auto* h = env_.host_at(*address_of(n.family, v));
            if (!h) return std::nullopt;
            names.push_back(h->name);
          }
      }
      return join(names, ",");
    };
    if (auto names = hosts_of(addresses)) return plain(*names);
    if (auto missing = hosts_of(whole.subtract(addresses))) return msg::audit_zone_except(zone.name, *missing);
    return plain(zone.name + " (" + addresses.to_string() + ")");
  }

  std::vector<std::string> meaning(Transport t, const PortSet& ports) const {
    std::set<std::string> out;
    for (const auto& r : ports.ranges()) {
      if (r.size() <= 64) {
        for (std::uint32_t p = r.lo; p <= r.hi; ++p)
          for (auto& s : catalog::describe(catalog_, t, static_cast<std::uint16_t>(p)).services) out.insert(s);
        continue;
      }
      // A wide range: the services whose own (narrow) rows fall in it.
      for (const auto& s : catalog_.services)
        for (const auto& q : s.requirements)
          if (q.transport == t && !q.ports.empty() && q.ports.count() < catalog::kWideRange &&
              !q.ports.intersect(PortSet{r}).empty())
            out.insert(s.id);
    }
    return {out.begin(), out.end()};
  }

  void add_extra(std::vector<PortFinding>& extra, const std::vector<Network>* host) const {
    // Every planned flow's opening packets: what is accepted beyond these is extra.
    std::vector<Cube> planned;
    for (const auto& f : plan_.flows)
      for (auto& c : cubes_of(f, host, static_cast<std::uint8_t>(CtState::new_))) planned.push_back(std::move(c));
    std::vector<const Cube*> planned_refs;
    for (const auto& c : planned) planned_refs.push_back(&c);
    CubeIndex planned_index(planned_refs);
    // One question per destination zone, every zone of the site as source (not one per zone pair:
    // a site of 200 zones would ask 40,000); what is beyond the plan is then split by source zone.
    // The outside zone (`any`) is the site's only between the pairs the plan names, as winports'
    // own outputs scope it: one question per such pair.
    AddressSet site;
    for (const auto& z : env_.zones)
      if (!z.outside)
        for (const auto& n : z.networks) site.add(n);
    auto ask = [&](Cube space, const plan::Zone& to) {
      space.states = static_cast<std::uint8_t>(CtState::new_);
      // Both ends of one family: a cross-family space holds no real packet.
      std::vector<Cube> spaces;
      for (int family : {4, 6}) {
        Cube c = space;
        c.source = c.source.only(family);
        c.destination = c.destination.only(family);
        if (!c.empty()) spaces.push_back(std::move(c));
      }
      if (spaces.empty()) return;
      auto outcome = evaluator_.evaluate(spaces);
      if (outcome.accepted.empty()) return;
      std::vector<Cube> relevant;
      for (auto i : planned_index.candidates(space.destination))
        for (const auto& sp : spaces)
          if (overlaps(planned[i], sp)) {
            relevant.push_back(planned[i]);
            break;
          }
      // What each accepted piece holds beyond the plan, with the rule that accepted it.
      std::vector<Cube> beyond;
      std::vector<const Rule*> beyond_by;
      for (std::size_t i = 0; i < outcome.accepted.size(); ++i)
        for (auto& c : subtract_all({std::move(outcome.accepted[i])}, relevant)) {
          // Windows: every Allow rule admits what it matches, whatever the order, so a rule for one
          // program is that program's opening even where a rule for another program was met first
          // (DFS Replication's RPC beside the DNS server's). A rule for every program covers it.
          const Rule* first = outcome.accepted_by[i];
          for (const Rule* other : program_rules_)
            if (other != first && first && !first->scope.empty() && other->scope != first->scope &&
                overlaps(c, other->match)) {
              beyond.push_back(intersect(c, other->match));
              beyond_by.push_back(other);
            }
          beyond.push_back(std::move(c));
          beyond_by.push_back(outcome.accepted_by[i]);
        }
      if (beyond.empty()) return;
      for (const auto& from : env_.zones) {
        Cube sources;
        sources.source = AddressSet();
        for (const auto& n : from.networks) sources.source.add(n);
        std::vector<Cube> part;
        std::vector<const Rule*> part_by;
        for (std::size_t i = 0; i < beyond.size(); ++i)
          if (overlaps(beyond[i], sources)) {
            part.push_back(intersect(beyond[i], sources));
            part_by.push_back(beyond_by[i]);
          }
        if (!part.empty()) add_pair_extra(extra, from, to, part, part_by, host != nullptr);
      }
    };
    for (const auto& to : env_.zones) {
      if (to.outside) continue;
      if (host && &to != env_.zone(env_.host(host_name_)->zone)) continue;
      Cube space;
      // A host's own traffic to itself never crosses its network path (it arrives on loopback).
      space.source = host ? site.subtract(set_of(*host)) : site;
      space.destination = AddressSet();
      if (host)
        space.destination = set_of(*host);
      else
        for (const auto& n : to.networks) space.destination.add(n);
      ask(std::move(space), to);
    }
    std::set<std::pair<std::string, std::string>> asked;
    for (const auto& f : plan_.flows) {
      const auto* from_zone = f.source.zone.empty() ? nullptr : env_.zone(f.source.zone);
      const auto* to_zone = f.destination.zone.empty() ? nullptr : env_.zone(f.destination.zone);
      if (!(from_zone && from_zone->outside) && !(to_zone && to_zone->outside)) continue;
      Cube space;
      space.source = AddressSet();
      space.destination = AddressSet();
      for (const auto& n : f.source.networks) space.source.add(n);
      for (const auto& n : f.destination.networks) space.destination.add(n);
      if (host) space.destination = space.destination.intersect(set_of(*host));
      if (space.destination.empty() || !asked.insert({space.source.to_string(), space.destination.to_string()}).second)
        continue;
      // The pair's destination zone: the outside one, or the zone of its (first) host.
      const plan::Zone* to = to_zone;
      if (!to && !f.destination.networks.empty()) to = env_.zone_of(f.destination.networks.front());
      if (to) ask(std::move(space), *to);
    }
  }

  // One line per protocol and port set of a zone pair, its addresses united; a pair open to (nearly)
  // every protocol is one line.
  // Each accepting rule's part on its own: an echo rule beside an all-traffic rule is two findings,
  // "icmp echo-request" and "any", not one "any" naming both.
  void add_pair_extra(std::vector<PortFinding>& extra, const plan::Zone& from, const plan::Zone& to,
                      const std::vector<Cube>& all, const std::vector<const Rule*>& all_by, bool host) const {
    std::vector<const Rule*> rules;
    for (const Rule* r : all_by)
      if (std::find(rules.begin(), rules.end(), r) == rules.end()) rules.push_back(r);
    for (const Rule* rule : rules) {
      std::vector<Cube> part;
      for (std::size_t i = 0; i < all.size(); ++i)
        if (all_by[i] == rule) part.push_back(all[i]);
      auto before = extra.size();
      add_rule_extra(extra, from, to, part, std::vector<const Rule*>(part.size(), rule), host);
      // A rule for one program that names no port opens that program's ports, not every port the
      // plan leaves: said by program ("tcp, the ports plasrv.exe listens on"), by protocol, once.
      if (rule && !rule->scope.empty() && rule->match.destination_ports == all_ports()) {
        std::vector<PortFinding> merged;
        for (auto k = before; k < extra.size(); ++k) {
          auto& f = extra[k];
          if (f.transport != "tcp" && f.transport != "udp") {
            merged.push_back(std::move(f));
            continue;
          }
          f.ports = {};
          f.services = {};
          f.program = rule->scope;
          auto same = [&](const PortFinding& o) {
            return o.from.en == f.from.en && o.to.en == f.to.en && o.transport == f.transport;
          };
          if (std::none_of(merged.begin(), merged.end(), same)) merged.push_back(std::move(f));
        }
        extra.resize(before);
        for (auto& f : merged) extra.push_back(std::move(f));
      }
    }
  }

  void add_rule_extra(std::vector<PortFinding>& extra, const plan::Zone& from, const plan::Zone& to,
                      const std::vector<Cube>& beyond, const std::vector<const Rule*>& beyond_by, bool host) const {
    ProtocolSet protocols;
    for (const auto& c : beyond) protocols |= c.protocols;
    // The rules that accept a line's cubes: each line names what opens it.
    auto rules_of = [&](const std::vector<const Cube*>& cubes) {
      std::pair<std::vector<Location>, std::vector<std::string>> out;
      std::set<std::string> seen;
      for (const Cube* c : cubes) {
        const Rule* r = beyond_by[static_cast<std::size_t>(c - beyond.data())];
        Location where = r ? r->location : Location{"", 0, "policy"};
        if (!seen.insert(where.to_string()).second) continue;
        out.first.push_back(where);
        // A predefined Windows rule is named by its group first.
        out.second.push_back(!r ? "" : r->group.empty() ? r->text : "[" + r->group + "] " + r->text);
      }
      return out;
    };
    std::pair<std::vector<Location>, std::vector<std::string>> line_rules;
    auto named = [&](const AddressSet& src, const AddressSet& dst, std::string transport, PortSet ports) {
      PortFinding pf;
      pf.rules = line_rules.first;
      pf.rule_texts = line_rules.second;
      pf.from = place(from, src);
      pf.to = host ? plain(host_name_) : place(to, dst);
      pf.transport = std::move(transport);
      pf.ports = std::move(ports);
      if (auto t = parse_transport(pf.transport); t && has_ports(*t)) pf.services = meaning(*t, pf.ports);
      extra.push_back(std::move(pf));
    };
    // Cubes of one line's ports: one line when they fill the product of their sources and
    // destinations, else one line per source (dc1 -> dc2 and dc2 -> dc1 are not dc1,dc2 -> dc1,dc2).
    auto lines = [&](const std::vector<const Cube*>& cubes, const Cube& shape, const std::string& transport) {
      line_rules = rules_of(cubes);
      Cube rect = shape;
      rect.source = rect.destination = AddressSet();
      for (const Cube* c : cubes)
        rect.source = rect.source.unite(c->source), rect.destination = rect.destination.unite(c->destination);
      if (covered(rect, cubes)) return named(rect.source, rect.destination, transport, shape.destination_ports);
      struct Side {
        AddressSet source, destination;
        std::vector<const Cube*> cubes;
      };
      std::vector<Side> by_source;
      for (const Cube* c : cubes) {
        auto s = std::find_if(by_source.begin(), by_source.end(), [&](const auto& x) { return x.source == c->source; });
        if (s == by_source.end()) {
          by_source.push_back({c->source, c->destination, {c}});
        } else {
          s->destination = s->destination.unite(c->destination);
          s->cubes.push_back(c);
        }
      }
      for (auto& side : by_source) {
        line_rules = rules_of(side.cubes);  // each source's line names the rules that open it
        named(side.source, side.destination, transport, shape.destination_ports);
      }
    };
    Cube shape;
    shape.states = static_cast<std::uint8_t>(CtState::new_);
    if (protocols.count() >= 200) {  // open to (nearly) every protocol: one line, not 250
      std::vector<const Cube*> all;
      for (const auto& c : beyond) all.push_back(&c);
      auto before = extra.size();
      shape.destination_ports = all_ports();
      lines(all, shape, "any");
      for (auto i = before; i < extra.size(); ++i)
        extra[i].ports = {}, extra[i].services = {"every protocol and port the plan does not open"};
      return;
    }
    for (std::size_t i = 0; i < protocols.size(); ++i) {
      if (!protocols.test(i)) continue;
      bool ports = port_protocols().test(i);
      bool icmp = i == 1 || i == 58;
      // By port set, and for ICMP by type set: an echo rule is "icmp echo-request", not "icmp".
      std::vector<std::pair<std::pair<PortSet, TypeSet>, std::vector<const Cube*>>> groups;
      for (const auto& c : beyond) {
        if (!c.protocols.test(i)) continue;
        std::pair<PortSet, TypeSet> key{ports ? c.destination_ports : all_ports(),
                                        icmp ? c.icmp_types : TypeSet().set()};
        auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.first == key; });
        if (g == groups.end())
          groups.push_back({key, {&c}});
        else
          g->second.push_back(&c);
      }
      for (auto& [key, cubes] : groups) {
        shape.protocols.reset();
        shape.protocols.set(i);
        shape.destination_ports = key.first;
        shape.icmp_types = key.second;
        auto before = extra.size();
        lines(cubes, shape, transport_name(static_cast<int>(i)));
        for (auto j = before; j < extra.size(); ++j) {
          if (!ports) extra[j].ports = {};
          if (icmp) name_icmp_types(extra[j], static_cast<int>(i), key.second);
        }
      }
    }
  }

  const plan::Environment& env_;
  const catalog::Catalog& catalog_;
  const plan::Plan& plan_;
  const Ruleset& ruleset_;
  Evaluator evaluator_;
  std::string host_name_;
  std::map<std::string, UnsupportedFinding> undecided_;
  std::vector<const Rule*> program_rules_;                   // Windows Allow rules for one program or service
  std::map<std::string, std::vector<ProgramPorts>> serves_;  // program_services, when there are such rules
  std::set<std::string> dropped_for_;  // the services of the flow last evaluated whose part was dropped
  struct Filtered {
    Ruleset ruleset;
    std::unique_ptr<Evaluator> evaluator;  // of `ruleset`, which therefore never moves
  };
  std::map<std::vector<const Rule*>, std::unique_ptr<Filtered>> filtered_;
};

}  // namespace

std::map<std::string, std::vector<ProgramPorts>> program_services(const catalog::Catalog& catalog) {
  std::map<std::string, std::vector<ProgramPorts>> out;
  // Both the service and the program name a scope: a rule may say App=dns.exe without Svc=dns, and
  // App=svchost.exe alone is any of the services svchost.exe hosts.
  for (const auto& p : catalog.predefined_rules) {
    ProgramPorts part{
        p.protocol, p.local_ports, p.keyword == catalog::PortKeyword::rpc, {p.carries.begin(), p.carries.end()}};
    if (p.keyword == catalog::PortKeyword::rpc_epmap) part.ports = PortSet{{135, 135}};
    for (const auto& scope : {windows::scope_of(p.program, ""), windows::scope_of("", p.service)})
      if (!scope.empty()) out[scope].push_back(part);
  }
  return out;
}

void exclusive_preflight(Audit& audit, const Ruleset& host_ruleset, const std::string& site_group) {
  std::set<std::string> beyond;
  for (const auto& r : audit.extra_by_rule) beyond.insert(r.rule.to_string());
  for (const auto& [name, chain] : host_ruleset.chains) {
    if (!chain.order_free) continue;  // a Windows profile's rules
    for (const auto& rule : chain.rules)
      if (rule.verdict == Verdict::accept && rule.group != site_group)
        audit.stops_applying.push_back({rule.location, rule.text, beyond.contains(rule.location.to_string())});
  }
}

Result<HostContext> host_context(const plan::Environment& env, const catalog::Catalog& catalog, const std::string& host,
                                 const std::string& profile) {
  const auto* h = env.host(host);
  if (!h) return Error{env.file, 0, 0, "--host", msg::audit_no_host(host)};
  HostContext out;
  out.profile = profile;
  out.addresses = h->addresses;
  const auto* zone = env.zone(h->zone);
  if (zone)
    for (const auto& n : zone->networks) out.local_subnet.add(n);
  // The listener's own range: its restricted range (host, then zone, then site), else its OS's.
  std::optional<PortSet> restricted = h->settings.rpc_dynamic_ports;
  if (!restricted && zone) restricted = zone->settings.rpc_dynamic_ports;
  if (!restricted) restricted = env.settings.rpc_dynamic_ports;
  auto os = env.os_of(*h);
  std::vector<std::string> oses;
  if (!os.empty()) oses.push_back(os);
  out.rpc_ports = catalog::dynamic_rpc_range(catalog, oses, restricted).ports;
  for (const auto& p : catalog.predefined_rules)
    if (!p.base.en.empty()) out.base_rules.push_back(p.name);
  out.program_services = program_services(catalog);
  return out;
}

AsaInterfaces asa_interfaces(const plan::Environment& env) {
  AsaInterfaces out;
  for (const auto& z : env.zones) {
    if (z.asa_interface.empty()) continue;
    auto& nets = out.networks[z.asa_interface];
    for (const auto& n : z.networks) nets = nets.unite(AddressSet::of(n));
  }
  return out;
}

AzureSite azure_site(const plan::Environment& env) {
  AzureSite out;
  for (const auto& z : env.zones) {
    if (z.outside) continue;
    out.nsg_of_zone[z.name] = z.azure_nsg;
    for (const auto& n : z.networks) {
      out.virtual_network.add(n);
      if (!z.azure_nsg.empty()) out.zones_of_nsg[z.azure_nsg].add(n);
    }
  }
  return out;
}

Result<Audit> audit(const plan::Environment& env, const catalog::Catalog& catalog, const plan::Plan& plan,
                    const Ruleset& ruleset, const std::string& host) {
  return Auditor(env, catalog, plan, ruleset).run(host);
}

}  // namespace winports::audit
