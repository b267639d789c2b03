// Azure network security groups as an ARM template (az deployment group create): the site's rules
// added as securityRules of the NSG each zone names (azure_nsg, or --azure-nsg ZONE=NAME), never
// the NSG itself — it is usually someone else's, like an ASA's interface list. An NSG filters what
// enters its subnet, so each flow is an Inbound rule in its destination zone's NSG, inside a
// priority band reserved for the site, and the band ends with a deny of the site's unplanned
// traffic into the zone; whatever the band does not decide falls to the NSG's other rules and
// Azure's default rules, which the output names. Rules are named by content; with the NSGs as
// deployed (--running-nsg) an unchanged rule keeps its priority, a new one takes a free one, and the
// site's rules no longer planned are listed for removal once the new ones are in. Roles the site
// names (settings.azure_asgs) get an application security group: a rule to or from exactly a role's
// hosts names the group, so a host that moves keeps its rules by staying in the group.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common.hpp"
#include "winports/core/address_set.hpp"
#include "winports/render/html.hpp"

namespace winports::emit {
namespace {

using Json = nlohmann::ordered_json;

// data/targets/azure-nsg.yaml: what an NSG accepts.
struct Limits {
  std::size_t rules_per_nsg = 0, prefixes_per_nsg = 0, name_length = 0, description_length = 0;
  std::size_t asgs_per_nsg = 0, asgs_per_ip_configuration = 0;
  int priority_min = 0, priority_max = 0, band_lo = 0, band_hi = 0;
  std::map<std::string, std::string> protocols;  // transport → the rule's protocol
};

const Limits& limits() {
  static const Limits loaded = [] {
    // Embedded at build time and checked by the unit tests: a malformed file is a build defect.
    auto y = YAML::Load(std::string(render::template_text("azure-nsg")));
    Limits l;
    l.rules_per_nsg = y["rules_per_nsg"].as<std::size_t>();
    l.prefixes_per_nsg = y["prefixes_per_nsg"].as<std::size_t>();
    l.name_length = y["name_length"].as<std::size_t>();
    l.description_length = y["description_length"].as<std::size_t>();
    l.asgs_per_nsg = y["asgs_per_nsg"].as<std::size_t>();
    l.asgs_per_ip_configuration = y["asgs_per_ip_configuration"].as<std::size_t>();
    l.priority_min = y["priority"][0].as<int>();
    l.priority_max = y["priority"][1].as<int>();
    l.band_lo = y["default_band"][0].as<int>();
    l.band_hi = y["default_band"][1].as<int>();
    for (const auto& p : y["protocols"]) l.protocols[p.first.as<std::string>()] = p.second.as<std::string>();
    return l;
  }();
  return loaded;
}

struct SecurityRule {
  std::string nsg, direction = "Inbound", name, description, protocol, source_port = "*";
  std::vector<std::string> sources, destinations, ports;
  std::string source_asg, destination_asg;                // an application security group instead of the addresses
  std::set<std::string> source_hosts, destination_hosts;  // the hosts a side covers (none: a zone)
  bool allow = true;
  int priority = 0;
  int order = 0;  // allows first (0); the band's deny last (1)
};

bool parse_uint(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

// "1000-1999", or the default band; an error naming --priority-band.
Result<std::pair<int, int>> band(const Input& in) {
  const auto& l = limits();
  if (in.options.priority_band.empty()) return std::pair{l.band_lo, l.band_hi};
  const auto& text = in.options.priority_band;
  auto dash = text.find('-');
  int lo = 0, hi = 0;
  bool ok = dash != std::string::npos && parse_uint(text.substr(0, dash), lo) && parse_uint(text.substr(dash + 1), hi);
  if (!ok || lo < l.priority_min || hi > l.priority_max || hi - lo < 2)
    return Error{in.env.file, 0, 0, "--priority-band",
                 msg::emit_azure_bad_band(text, std::to_string(l.priority_min), std::to_string(l.priority_max))};
  return std::pair{lo, hi};
}

// Each zone's NSG: its azure_nsg, or --azure-nsg ZONE=NAME.
Result<std::map<std::string, std::string>> nsg_names(const Input& in) {
  std::map<std::string, std::string> out;
  for (const auto& z : in.env.zones)
    if (!z.azure_nsg.empty()) out[z.name] = z.azure_nsg;
  for (const auto& option : in.options.azure_nsg) {
    auto eq = option.find('=');
    auto zone = option.substr(0, eq == std::string::npos ? 0 : eq);
    auto name = eq == std::string::npos ? "" : option.substr(eq + 1);
    const auto* z = in.env.zone(zone);
    if (!z || z->outside || !plan::valid_azure_nsg_name(name))
      return Error{in.env.file, 0, 0, "--azure-nsg", msg::emit_azure_bad_option(option)};
    out[zone] = name;
  }
  return out;
}

// --create-nsgs: every zone with an NSG names its subnet ("ZONE=VNET/SUBNET", --azure-subnet).
Result<std::map<std::string, std::string>> subnet_names(const Input& in,
                                                        const std::map<std::string, std::string>& nsgs) {
  std::map<std::string, std::string> out;
  for (const auto& option : in.options.azure_subnets) {
    auto eq = option.find('=');
    auto zone = eq == std::string::npos ? "" : option.substr(0, eq);
    auto subnet = eq == std::string::npos ? "" : option.substr(eq + 1);
    auto slash = subnet.find('/');
    const auto* z = in.env.zone(zone);
    bool valid =
        z && !z->outside && slash != std::string::npos && slash > 0 && slash + 1 < subnet.size() &&
        subnet.find('/', slash + 1) == std::string::npos && std::all_of(subnet.begin(), subnet.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.' || ch == '/';
        });
    if (!valid) return Error{in.env.file, 0, 0, "--azure-subnet", msg::emit_azure_bad_subnet(option)};
    out[zone] = subnet;
  }
  for (const auto& [zone, nsg] : nsgs)
    if (!out.count(zone)) return Error{in.env.file, 0, 0, "--azure-subnet", msg::emit_azure_no_subnet(zone)};
  return out;
}

// The rules of the NSGs as deployed now, by NSG name: `az network nsg show` (one object) or `list`
// (an array), with the rule's members flattened as az prints them or under "properties" as ARM does.
struct Deployed {
  std::string resource_group;
  std::map<std::string, std::map<std::string, int>> rules;  // direction → rule name → priority
};
Result<std::map<std::string, Deployed>> running(const Input& in) {
  std::map<std::string, Deployed> out;
  if (in.options.running_nsg.empty()) return out;
  auto doc = nlohmann::json::parse(in.options.running_nsg, nullptr, false);
  auto fail = [&] { return Error{in.options.running_nsg_file, 0, 0, "--running-nsg", msg::emit_azure_running_nsg()}; };
  if (doc.is_discarded() || !(doc.is_object() || doc.is_array())) return fail();
  if (doc.is_object()) doc = nlohmann::json::array({doc});
  for (const auto& nsg : doc) {
    if (!nsg.is_object() || !nsg.contains("name") || !nsg["name"].is_string()) return fail();
    const auto& props = nsg.contains("properties") && nsg["properties"].is_object() ? nsg["properties"] : nsg;
    auto& d = out[nsg["name"].get<std::string>()];
    if (nsg.contains("resourceGroup") && nsg["resourceGroup"].is_string())
      d.resource_group = nsg["resourceGroup"].get<std::string>();
    for (const auto& rule : props.value("securityRules", nlohmann::json::array())) {
      if (!rule.is_object()) return fail();
      const auto& r = rule.contains("properties") && rule["properties"].is_object() ? rule["properties"] : rule;
      auto direction = r.value("direction", std::string());
      if ((direction != "Inbound" && direction != "Outbound") || !r.contains("priority") ||
          !r["priority"].is_number_integer())
        continue;
      d.rules[direction][rule.value("name", std::string())] = r["priority"].get<int>();
    }
  }
  return out;
}

// "kdc,dns-server | KB §Kerberos Key Distribution Center #1,4; …": the services, then the KB rows.
std::string description(const Input& in, const plan::Flow& f, const Limits& l) {
  return detail::cut_utf8(detail::services_comment(f, 60) + " | " + plan::reasons_text(f, in.catalog, in.options.lang),
                          l.description_length);
}

// settings.azure_asgs: each role's application security group and the hosts that join it.
struct Asg {
  std::string role, name;
  std::set<std::string> hosts;
};
std::vector<Asg> application_security_groups(const plan::Environment& env, const std::string& prefix) {
  std::vector<Asg> out;
  for (const auto& role : env.settings.azure_asgs) {
    Asg a{role, prefix + role, {}};
    for (const auto& h : env.hosts)
      if (std::find(h.roles.begin(), h.roles.end(), role) != h.roles.end()) a.hosts.insert(h.name);
    out.push_back(std::move(a));
  }
  return out;
}

// Rules that differ only in one side's hosts, whose hosts together are exactly a role's with a group
// — as far as the rule's NSG sees them on its own side (it filters only its subnets: members
// elsewhere never reach it), all of them on the other — become one rule naming the group. Flows
// from a role come host by host; as one rule they read as the role does.
void name_groups(std::vector<SecurityRule>& rules, const std::vector<Asg>& asgs,
                 const std::function<std::string(const std::string&)>& nsg_of_host) {
  for (bool changed = true; changed;) {
    changed = false;
    for (bool source : {false, true}) {
      std::map<std::string, std::vector<std::size_t>> alike;  // everything but this side → rules
      for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto& r = rules[i];
        const auto& hosts = source ? r.source_hosts : r.destination_hosts;
        if (hosts.empty() || !(source ? r.source_asg : r.destination_asg).empty()) continue;
        auto other = source ? join(r.destinations, ",") + r.destination_asg : join(r.sources, ",") + r.source_asg;
        alike[r.nsg + "|" + r.direction + "|" + r.protocol + "|" + other + "|" + join(r.ports, ",") + "|" +
              r.source_port + "|" + r.description]
            .push_back(i);
      }
      std::vector<bool> gone(rules.size(), false);
      for (const auto& [key, members] : alike) {
        auto& first = rules[members.front()];
        const bool own_side = source == (first.direction == "Outbound");
        std::set<std::string> hosts;
        for (auto i : members) {
          const auto& h = source ? rules[i].source_hosts : rules[i].destination_hosts;
          hosts.insert(h.begin(), h.end());
        }
        const Asg* group = nullptr;
        for (const auto& a : asgs) {
          std::set<std::string> seen;
          for (const auto& h : a.hosts)
            if (!own_side || nsg_of_host(h) == first.nsg) seen.insert(h);
          if (seen == hosts) group = &a;
          if (group) break;
        }
        if (!group) continue;
        (source ? first.source_asg : first.destination_asg) = group->name;
        (source ? first.sources : first.destinations).clear();
        (source ? first.source_hosts : first.destination_hosts) = hosts;
        for (std::size_t k = 1; k < members.size(); ++k) gone[members[k]] = true;
        changed = true;
      }
      std::size_t kept = 0;
      for (std::size_t i = 0; i < rules.size(); ++i)
        if (!gone[i] && kept++ != i) rules[kept - 1] = std::move(rules[i]);
      rules.resize(kept);
    }
  }
}

std::string asg_id(const std::string& name) {
  return "[resourceId('Microsoft.Network/applicationSecurityGroups', '" + name + "')]";
}

std::vector<std::string> prefixes(const std::vector<Network>& nets) {
  std::vector<std::string> out;
  for (const auto& n : nets) out.push_back(n.to_string());
  return out;
}

}  // namespace

Result<std::string> emit_azure_nsg(const Input& in) {
  const auto& l = limits();
  const auto& env = in.env;
  auto names = nsg_names(in);
  if (!names) return names.error();
  auto priorities = band(in);
  if (!priorities) return priorities.error();
  auto [lo, hi] = *priorities;
  auto deployed = running(in);
  if (!deployed) return deployed.error();
  const std::string prefix = "wp-" + identifier(env.site, "-", '-').substr(0, 40) + "-";
  const auto asgs = application_security_groups(env, prefix);
  auto nsg_of_host = [&](const std::string& host) {
    auto it = names->find(env.host(host)->zone);
    return it == names->end() ? std::string() : it->second;
  };

  std::vector<SecurityRule> rules;
  std::set<std::string> zones_in;  // zones that receive a flow: each gets the band's deny
  bool icmp = false;
  std::set<std::string> zones_out;  // zones that send a flow to the outside: their outbound deny
  for (const auto& f : in.plan.flows) {
    // To the outside (no NSG there): an Outbound rule of the source zone's NSG, to the tag Internet.
    const bool outbound = detail::outside_side(env, f.destination);
    auto proto = l.protocols.find(std::string(to_string(f.transport)));
    if (proto == l.protocols.end()) {
      if (in.warnings)
        in.warnings->push_back(
            msg::emit_azure_protocol.in(in.options.lang, plan::flow_label(f), std::string(to_string(f.transport))));
      continue;
    }
    icmp = icmp || proto->second == "Icmp";
    for (int family : {4, 6}) {
      auto v = detail::view(f, family, nullptr);
      if (v.source.empty() || v.destination.empty()) continue;
      // The zone whose NSG decides: the destination's (what enters it), or for the outside the
      // source's (what leaves it).
      std::map<std::string, std::vector<Network>> by_zone;
      for (const auto& n : outbound ? v.source : v.destination)
        if (const auto* z = env.zone_of(n)) by_zone[z->name].push_back(n);
      for (auto& [zone, addresses] : by_zone) {
        auto nsg = names->find(zone);
        if (nsg == names->end())
          return Error{env.file, 0, 0, "--azure-nsg",
                       outbound ? msg::emit_azure_no_nsg_out(zone) : msg::emit_azure_no_nsg(zone)};
        (outbound ? zones_out : zones_in).insert(zone);
        SecurityRule r;
        r.nsg = nsg->second;
        r.direction = outbound ? "Outbound" : "Inbound";
        r.protocol = proto->second;
        r.description = description(in, f, l);
        // The outside zone (every address in no zone) is what Azure calls Internet.
        const std::vector<std::string> internet{"Internet"};
        r.sources = outbound                              ? prefixes(addresses)
                    : detail::outside_side(env, f.source) ? internet
                                                          : prefixes(v.source);
        r.destinations = outbound ? internet : prefixes(addresses);
        if (f.transport == Transport::tcp || f.transport == Transport::udp)
          for (auto range : f.ports.ranges()) r.ports.push_back(range.to_string());
        else
          r.ports = {"*"};
        if (f.source_port) r.source_port = std::to_string(*f.source_port);
        // The hosts each side covers, for the application security groups: the rule's own side
        // those of its zone, the other side all of them. None for ICMPv6: a group holds both
        // families, and Azure's Icmp then means both.
        if (!asgs.empty() && f.transport != Transport::icmpv6) {
          const auto& own = outbound ? f.source : f.destination;
          auto& own_hosts = outbound ? r.source_hosts : r.destination_hosts;
          for (const auto& h : own.hosts)
            if (env.host(h)->zone == zone) own_hosts.insert(h);
          if (!outbound) r.source_hosts.insert(f.source.hosts.begin(), f.source.hosts.end());
        }
        rules.push_back(std::move(r));
      }
    }
  }
  if (!asgs.empty()) name_groups(rules, asgs, nsg_of_host);
  for (auto& r : rules) {
    auto content = r.nsg + "|" + r.direction + "|" + r.protocol + "|" + join(r.sources, ",") + r.source_asg + "|" +
                   join(r.destinations, ",") + r.destination_asg + "|" + join(r.ports, ",") + "|" + r.source_port;
    r.name = prefix + detail::content_hash(content);
  }
  // The band's deny: the site's traffic into the zone, per family, its own zone's too — an NSG
  // filters within its subnet, and what the plan does not allow there is as unplanned as the rest.
  // Every zone that names an NSG gets it, flows in or not; a zone that names none cannot be
  // guarded, which a warning says when nothing in the plan reaches it (else it is refused above).
  for (const auto& z : env.zones) {
    if (z.outside) continue;
    if (!names->count(z.name)) {
      if (in.warnings) in.warnings->push_back(msg::emit_azure_zone_unguarded.in(in.options.lang, z.name));
      continue;
    }
    zones_in.insert(z.name);
  }
  for (const auto& zone : zones_in) {
    const auto* z = env.zone(zone);
    for (int family : {4, 6}) {
      AddressSet from, own;
      for (const auto& n : detail::site_networks(env, family)) from.add(n);
      for (const auto& n : detail::of_family(z->networks, family)) own.add(n);
      if (own.empty() || from.empty()) continue;
      SecurityRule r;
      r.nsg = names->at(zone);
      r.allow = false;
      r.order = 1;
      r.protocol = "*";
      r.description = detail::cut_utf8(msg::azure_deny_in.in(in.options.lang, env.site, zone), l.description_length);
      r.sources = prefixes(from.prefixes());
      r.destinations = prefixes(own.prefixes());
      r.ports = {"*"};
      r.name = prefix + "unplanned-v" + std::to_string(family);
      rules.push_back(std::move(r));
    }
  }
  // The outbound deny: what the site's addresses that reach the outside send there beyond the
  // plan (the pairs with the outside are the site's, as on every other output; the rest of a
  // zone's traffic to the Internet is not).
  for (const auto& zone : zones_out) {
    const auto* z = env.zone(zone);
    for (int family : {4, 6}) {
      AddressSet senders, own;
      for (const auto& n : detail::outside_pairs(in, family, nullptr).second) senders.add(n);
      for (const auto& n : detail::of_family(z->networks, family)) own.add(n);
      auto from = senders.intersect(own);
      if (from.empty()) continue;
      SecurityRule r;
      r.nsg = names->at(zone);
      r.direction = "Outbound";
      r.allow = false;
      r.order = 1;
      r.protocol = "*";
      r.description = detail::cut_utf8(msg::azure_deny_out.in(in.options.lang, env.site, zone), l.description_length);
      r.sources = prefixes(from.prefixes());
      r.destinations = {"Internet"};
      r.ports = {"*"};
      r.name = prefix + "unplanned-out-v" + std::to_string(family);
      rules.push_back(std::move(r));
    }
  }
  // Deterministic: by NSG and direction, allows before the deny, then by name.
  std::sort(rules.begin(), rules.end(), [](const SecurityRule& a, const SecurityRule& b) {
    return std::tie(a.nsg, a.direction, a.order, a.name) < std::tie(b.nsg, b.direction, b.order, b.name);
  });
  rules.erase(std::unique(rules.begin(), rules.end(),
                          [](const SecurityRule& a, const SecurityRule& b) {
                            return a.nsg == b.nsg && a.direction == b.direction && a.name == b.name;
                          }),
              rules.end());

  // Priorities, NSG by NSG: the denies at the band's top, the allows below them; a rule deployed
  // before under the same name keeps its priority; a new one takes the lowest free priority, free
  // of every rule of the NSG (Azure refuses two inbound rules with one priority).
  std::map<std::string, std::vector<std::string>> removals;
  std::set<std::pair<std::string, std::string>> visited;  // (NSG, direction) the plan has rules for
  for (auto first = rules.begin(); first != rules.end();) {
    auto last = std::find_if(first, rules.end(), [&](const SecurityRule& r) {
      return r.nsg != first->nsg || r.direction != first->direction;
    });
    const auto& nsg = first->nsg;
    const auto& direction = first->direction;
    visited.insert({nsg, direction});
    auto d = deployed->find(nsg);
    static const std::map<std::string, int> kNone;
    const auto& was = d == deployed->end() || !d->second.rules.count(direction) ? kNone : d->second.rules.at(direction);
    std::set<int> taken;
    std::set<std::string> ours;
    for (auto it = first; it != last; ++it) ours.insert(it->name);
    for (const auto& [name, priority] : was) {
      bool site_rule = name.rfind(prefix, 0) == 0;
      if (site_rule && !ours.count(name)) removals[nsg].push_back(name);
      // The site's rules no longer planned keep their priorities until they are removed.
      if (!site_rule || !ours.count(name)) taken.insert(priority);
    }
    std::size_t denies =
        static_cast<std::size_t>(std::count_if(first, last, [](const SecurityRule& r) { return !r.allow; }));
    // The denies take the band's highest free priorities (a deny of the site's keeps its own).
    int top = hi;
    for (auto it = first; it != last; ++it) {
      if (it->allow) continue;
      while (top >= lo && taken.count(top)) --top;
      if (top < lo)
        return Error{env.file, 0, 0, "--priority-band",
                     msg::emit_azure_band_full(nsg, std::to_string(last - first),
                                               std::to_string(lo) + "-" + std::to_string(hi), "0")};
      it->priority = top--;
    }
    for (auto it = first; it != last; ++it) {
      if (!it->allow) continue;
      if (auto old = was.find(it->name); old != was.end() && old->second >= lo && old->second <= top) {
        it->priority = old->second;
        taken.insert(old->second);
      }
    }
    int next = lo;
    std::size_t needed = 0, free = 0;
    for (auto it = first; it != last; ++it) {
      if (!it->allow || it->priority) continue;
      ++needed;
      while (next <= top && taken.count(next)) ++next;
      if (next > top) continue;
      it->priority = next;
      taken.insert(next++);
      ++free;
    }
    if (free < needed) {
      std::size_t room = 0;
      for (int p = lo; p <= top; ++p) room += taken.count(p) ? 0 : 1;
      return Error{
          env.file, 0, 0, "--priority-band",
          msg::emit_azure_band_full(nsg, std::to_string(needed + denies), std::to_string(lo) + "-" + std::to_string(hi),
                                    std::to_string(room + free + denies))};
    }
    first = last;
  }
  // The site's rules deployed where the plan now has none (an NSG or direction it no longer uses).
  for (const auto& [nsg, d] : *deployed)
    for (const auto& [direction, named] : d.rules)
      if (!visited.count({nsg, direction}))
        for (const auto& entry : named)
          if (entry.first.rfind(prefix, 0) == 0) removals[nsg].push_back(entry.first);
  // Azure's limits per NSG: its rules (the others as deployed, and the site's), and the prefixes.
  std::map<std::string, std::pair<std::size_t, std::size_t>> per_nsg;  // rules, prefixes
  std::map<std::string, std::set<std::string>> asgs_of_nsg;
  for (const auto& r : rules) {
    auto& [count, addresses] = per_nsg[r.nsg];
    ++count;
    addresses += r.sources.size() + r.destinations.size();
    for (const auto* a : {&r.source_asg, &r.destination_asg})
      if (!a->empty()) asgs_of_nsg[r.nsg].insert(*a);
  }
  for (const auto& [nsg, named] : asgs_of_nsg)
    if (named.size() > l.asgs_per_nsg)
      return Error{env.file, 0, 0, "settings.azure_asgs",
                   msg::emit_azure_limit(nsg, std::to_string(named.size()), "application security groups",
                                         std::to_string(l.asgs_per_nsg))};
  std::map<std::string, std::vector<std::string>> asgs_of_host;
  for (const auto& a : asgs)
    for (const auto& h : a.hosts) asgs_of_host[h].push_back(a.name);
  for (const auto& [host, joined] : asgs_of_host)
    if (joined.size() > l.asgs_per_ip_configuration)
      return Error{env.file, 0, 0, "settings.azure_asgs",
                   msg::emit_azure_asgs_per_host(host, std::to_string(joined.size()),
                                                 std::to_string(l.asgs_per_ip_configuration))};
  for (const auto& entry : per_nsg) {
    const auto& nsg = entry.first;  // a named variable: lambdas below capture it (clang 14: no structured bindings)
    auto [count, addresses] = entry.second;
    if (auto d = deployed->find(nsg); d != deployed->end())
      for (const auto& [direction, named] : d->second.rules)
        for (const auto& deployed_rule : named)
          count += std::any_of(rules.begin(), rules.end(),
                               [&](const SecurityRule& r) { return r.nsg == nsg && r.name == deployed_rule.first; })
                       ? 0
                       : 1;
    if (count > l.rules_per_nsg)
      return Error{
          env.file, 0, 0, "",
          msg::emit_azure_limit(nsg, std::to_string(count), msg::azure_noun_rules(), std::to_string(l.rules_per_nsg))};
    if (addresses > l.prefixes_per_nsg)
      return Error{env.file, 0, 0, "",
                   msg::emit_azure_limit(nsg, std::to_string(addresses), msg::azure_noun_prefixes(),
                                         std::to_string(l.prefixes_per_nsg))};
  }

  // The template.
  const auto lang = in.options.lang;
  std::vector<std::string> notes = {msg::azure_note_title.in(lang, env.site),
                                    msg::azure_note_deploy.in(lang),
                                    msg::azure_note_band.in(lang, std::to_string(lo), std::to_string(hi)),
                                    msg::azure_note_defaults.in(lang, std::to_string(lo)),
                                    msg::azure_note_outbound.in(lang),
                                    msg::azure_note_internet.in(lang),
                                    msg::azure_note_names.in(lang, prefix),
                                    msg::azure_note_redeploy.in(lang),
                                    msg::azure_note_ports.in(lang, detail::ports_from(in, lang))};
  if (icmp) notes.push_back(msg::azure_note_icmp.in(lang));
  Json resources = Json::array();
  // With application security groups the template deploys in two stages (parameter stage): the
  // groups first, so the hosts join them before any rule names them — a rule naming a group nobody
  // has joined yet would leave its flow to the band's deny.
  const bool staged = !asgs.empty();
  auto in_stage = [&](Json resource, const std::set<std::string>& named) {
    if (!staged) return resource;
    Json out = {{"condition", "[equals(parameters('stage'), 'all')]"}};
    out.update(resource);
    if (!named.empty()) {
      out["dependsOn"] = Json::array();
      for (const auto& a : named) out["dependsOn"].push_back(asg_id(a));
    }
    return out;
  };
  for (const auto& a : asgs)
    resources.push_back({{"type", "Microsoft.Network/applicationSecurityGroups"},
                         {"apiVersion", "2022-07-01"},
                         {"name", a.name},
                         {"location", "[resourceGroup().location]"},
                         {"properties", Json::object()}});
  std::map<std::string, Json> inline_rules;  // --create-nsgs: each NSG's whole rule set
  std::map<std::string, std::set<std::string>> named_by_nsg;
  for (const auto& r : rules) {
    Json props = {{"description", r.description}, {"protocol", r.protocol}, {"sourcePortRange", r.source_port}};
    if (r.ports.size() == 1)
      props["destinationPortRange"] = r.ports.front();
    else
      props["destinationPortRanges"] = r.ports;
    auto side = [&](const std::vector<std::string>& list, const std::string& asg, const char* one, const char* many,
                    const char* group) {
      if (!asg.empty())
        props[group] = Json::array({{{"id", asg_id(asg)}}});
      else if (list.size() == 1)
        props[one] = list.front();
      else
        props[many] = list;
    };
    side(r.sources, r.source_asg, "sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups");
    side(r.destinations, r.destination_asg, "destinationAddressPrefix", "destinationAddressPrefixes",
         "destinationApplicationSecurityGroups");
    props["access"] = r.allow ? "Allow" : "Deny";
    props["priority"] = r.priority;
    props["direction"] = r.direction;
    std::set<std::string> named;
    for (const auto* a : {&r.source_asg, &r.destination_asg})
      if (!a->empty()) named.insert(*a);
    named_by_nsg[r.nsg].insert(named.begin(), named.end());
    if (in.options.create_nsgs)
      inline_rules[r.nsg].push_back({{"name", r.name}, {"properties", std::move(props)}});
    else
      resources.push_back(in_stage({{"type", "Microsoft.Network/networkSecurityGroups/securityRules"},
                                    {"apiVersion", "2022-07-01"},
                                    {"name", r.nsg + "/" + r.name},
                                    {"properties", std::move(props)}},
                                   named));
  }
  // --create-nsgs: each NSG as one resource holding all its rules, so a re-deploy replaces the
  // rule set in one step (no gap); the NSG is the site's, nobody else's rules belong in it.
  Json associate = Json::array();
  if (in.options.create_nsgs) {
    auto subnets = subnet_names(in, *names);
    if (!subnets) return subnets.error();
    for (auto& [nsg, list] : inline_rules)
      resources.push_back(in_stage({{"type", "Microsoft.Network/networkSecurityGroups"},
                                    {"apiVersion", "2022-07-01"},
                                    {"name", nsg},
                                    {"location", "[resourceGroup().location]"},
                                    {"properties", {{"securityRules", std::move(list)}}}},
                                   named_by_nsg[nsg]));
    for (const auto& [zone, subnet] : *subnets) {
      auto slash = subnet.find('/');
      associate.push_back(
          {{"zone", zone},
           {"nsg", names->at(zone)},
           {"command", "az network vnet subnet update --resource-group RG --vnet-name " + subnet.substr(0, slash) +
                           " --name " + subnet.substr(slash + 1) + " --network-security-group " + names->at(zone)}});
    }
  }
  Json remove = Json::array();
  for (const auto& [nsg, list] : removals)
    for (const auto& name : list) {
      auto rg = deployed->at(nsg).resource_group;
      remove.push_back({{"nsg", nsg},
                        {"rule", name},
                        {"command", "az network nsg rule delete --resource-group " + (rg.empty() ? "RG" : rg) +
                                        " --nsg-name " + nsg + " --name " + name}});
    }
  if (in.options.create_nsgs) {
    notes.insert(notes.begin() + 1, msg::azure_note_create_nsgs.in(lang));
  }
  // Each host's groups: the command that sets them on its IP configuration (az sets the whole list).
  Json join_groups = Json::array();
  for (const auto& [host, joined] : asgs_of_host) {
    Json addresses = Json::array();
    for (const auto& a : env.host(host)->addresses) addresses.push_back(a.to_string());
    join_groups.push_back({{"host", host},
                           {"addresses", std::move(addresses)},
                           {"application_security_groups", joined},
                           {"command",
                            "az network nic ip-config update --resource-group RG --nic-name NIC --name "
                            "IPCONFIG --application-security-groups " +
                                join(joined, " ")}});
  }
  if (staged) {
    std::vector<std::string> roles;
    for (const auto& a : asgs) roles.push_back(a.role + " (" + a.name + ")");
    notes.insert(notes.begin() + 2, msg::azure_note_asgs.in(lang, join(roles, ", ")));
  }
  Json doc = {{"$schema", "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"},
              {"contentVersion", "1.0.0.0"}};
  if (staged)
    doc["parameters"] = {{"stage",
                          {{"type", "string"},
                           {"allowedValues", {"groups", "all"}},
                           {"defaultValue", "all"},
                           {"metadata", {{"description", msg::azure_stage_description.in(lang)}}}}}};
  doc["metadata"] = {
      {"generator", "winports"}, {"site", env.site}, {"comments", notes}, {"remove_after_deploy", std::move(remove)}};
  if (staged) doc["metadata"]["join_before_rules"] = std::move(join_groups);
  doc["resources"] = std::move(resources);
  if (in.options.create_nsgs) doc["metadata"]["associate_after_deploy"] = std::move(associate);
  return doc.dump(2) + "\n";
}

}  // namespace winports::emit
