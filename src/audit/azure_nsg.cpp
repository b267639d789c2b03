// Azure network security groups (`az network nsg list -o json`, or `show`: one NSG) as a ruleset on
// the forward path between the site's zones. Each zone names the NSG that guards its subnet
// (azure_nsg); a network interface's own NSG (`az network nic list -o json`, given beside) guards
// its addresses. A packet crosses, in order: its source NIC's NSG outbound, its source subnet's NSG
// outbound, its destination subnet's NSG inbound, its destination NIC's NSG inbound — each must
// allow it. Within an NSG, per direction, rules apply in priority order, first match; then Azure's
// default rules (as the JSON lists them, else as Azure documents them). NSGs are stateful.
//
// Service tags: VirtualNetwork is the site's zones (the address space, peered and on-premises
// prefixes Azure puts in it, as far as the site knows them), Internet every other address,
// AzureLoadBalancer Azure's health probe address (168.63.129.16); another tag is undecided, named in
// the finding. An application security group is the addresses of the IP configurations that join
// it in the NIC list; without a NIC list it is undecided.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "rule_builder.hpp"
#include "winports/audit/messages.hpp"
#include "winports/audit/ruleset.hpp"
#include "winports/catalog/messages.hpp"

namespace winports::audit {
namespace {

using Json = nlohmann::json;

// An application security group's id ("/subscriptions/…/applicationSecurityGroups/NAME") as the
// site's map keys it: the name, in lower case.
std::string asg_key(const std::string& id) { return lower(id.substr(id.rfind('/') + 1)); }

// The members of a rule or an NSG: flattened as az prints them, or under "properties" as ARM has them.
const Json& members(const Json& object) {
  auto p = object.find("properties");
  return p != object.end() && p->is_object() ? *p : object;
}

std::string text_of(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A single value or the plural list beside it ("sourceAddressPrefix" / "sourceAddressPrefixes").
std::vector<std::string> values(const Json& rule, const char* one, const char* many) {
  std::vector<std::string> out;
  if (auto it = rule.find(many); it != rule.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  if (out.empty())
    if (auto v = text_of(rule, one); !v.empty()) out.push_back(v);
  return out;
}

struct DefaultRule {
  const char* name;
  int priority;
  const char* direction;
  const char* access;
  const char* source;
  const char* destination;
};
// Azure's default rules (Microsoft Learn, "Network security groups": default security rules).
constexpr DefaultRule kDefaults[] = {
    {"AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"},
    {"AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"},
    {"DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"},
    {"AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"},
    {"AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"},
    {"DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"},
};

class Reader {
 public:
  Reader(const std::string& file, const AzureSite& site) : file_(file), site_(site) {}

  Result<Ruleset> read(const std::string& text) {
    auto doc = Json::parse(text, nullptr, false);
    if (doc.is_object()) doc = Json::array({doc});
    if (doc.is_discarded() || !doc.is_array()) return Error{file_, 0, 0, "", msg::azure_not_nsg()};
    out_.files.push_back(file_);
    out_.covers_ipv4 = out_.covers_ipv6 = true;
    std::map<std::string, const Json*> nsgs;
    for (const auto& nsg : doc) {
      auto name = nsg.is_object() ? text_of(nsg, "name") : "";
      if (name.empty() || !members(nsg).contains("securityRules")) return Error{file_, 0, 0, "", msg::azure_not_nsg()};
      nsgs[name] = &nsg;
    }
    for (const auto& [name, nsg] : nsgs) {
      bool used = site_.zones_of_nsg.count(name) || site_.nics_of_nsg.count(name);
      if (!used) {
        out_.notes.push_back({Location{file_, 0, name}, msg::azure_nsg_unused(name)});
        continue;
      }
      for (const char* direction : {"Inbound", "Outbound"})
        if (auto st = nsg_chain(name, *nsg, direction); !st) return st.error();
    }
    for (const auto& [zone, nsg] : site_.nsg_of_zone)
      if (nsg.empty())
        out_.notes.push_back({Location{file_, 0, ""}, msg::azure_zone_no_nsg(zone)});
      else if (!nsgs.count(nsg))
        out_.notes.push_back({Location{file_, 0, ""}, msg::azure_nsg_missing(zone, nsg)});
    // The stages, in the order a packet crosses them; each sends only the packets of its subnet or
    // NIC to the NSG, and lets every other packet on (an NSG guards only what it is associated with).
    auto stage = [&](const std::string& name, const std::map<std::string, AddressSet>& scopes, bool source,
                     const char* direction) {
      Chain chain{name, {}};
      for (const auto& [nsg, addresses] : scopes) {
        if (!nsgs.count(nsg)) continue;
        Cube scope;
        (source ? scope.source : scope.destination) = addresses;
        chain.rules.push_back(rule(scope, Verdict::go_to, nsg + " (" + direction + ")", chain_name(nsg, direction)));
      }
      if (chain.rules.empty()) return;
      out_.chains.emplace(name, std::move(chain));
      out_.stages.push_back(Stage{name, true, true, true, false});
    };
    stage("azure nic outbound", site_.nics_of_nsg, true, "Outbound");
    stage("azure subnet outbound", site_.zones_of_nsg, true, "Outbound");
    stage("azure subnet inbound", site_.zones_of_nsg, false, "Inbound");
    stage("azure nic inbound", site_.nics_of_nsg, false, "Inbound");
    return std::move(out_);
  }

 private:
  static std::string chain_name(const std::string& nsg, const char* direction) {
    return "nsg " + nsg + " " + direction;
  }

  Rule rule(const Cube& match, Verdict verdict, const std::string& where, std::string target = "") const {
    return made_rule(file_, match, verdict, where, std::move(target));
  }

  // An address prefix, "*", or a service tag, as the site decides it; nullopt: undecided.
  std::optional<AddressSet> addresses(const std::string& value) const {
    if (value == "*" || value == "Any" || value == "any") return AddressSet::all();
    if (value == "VirtualNetwork") return site_.virtual_network;
    if (value == "Internet") return site_.virtual_network.complement();
    if (value == "AzureLoadBalancer") return parse_address_value("168.63.129.16");
    return parse_address_value(value);
  }

  Status nsg_chain(const std::string& nsg, const Json& object, const char* direction) {
    struct Entry {
      int priority;
      std::string name;
      const Json* rule;
      const DefaultRule* builtin;
    };
    std::vector<Entry> entries;
    const auto& props = members(object);
    bool listed_defaults = false;
    for (const char* list : {"securityRules", "defaultSecurityRules"}) {
      auto it = props.find(list);
      if (it == props.end()) continue;
      if (!it->is_array()) return Error{file_, 0, 0, nsg + "." + list, msg::azure_not_nsg()};
      listed_defaults = listed_defaults || std::string(list) == "defaultSecurityRules";
      for (const auto& r : *it) {
        if (!r.is_object()) return Error{file_, 0, 0, nsg + "." + list, msg::azure_not_nsg()};
        const auto& m = members(r);
        if (text_of(m, "direction") != direction) continue;
        auto p = m.find("priority");
        if (p == m.end() || !p->is_number_integer())
          return Error{file_, 0, 0, nsg + "." + list,
                       msg::azure_bad_rule(text_of(r, "name"), nsg, std::string("no priority"))};
        entries.push_back({p->get<int>(), text_of(r, "name"), &r, nullptr});
      }
    }
    if (!listed_defaults) {
      if (std::string(direction) == "Inbound")
        out_.notes.push_back({Location{file_, 0, nsg}, msg::azure_defaults_assumed(nsg)});
      for (const auto& d : kDefaults)
        if (std::string(d.direction) == direction) entries.push_back({d.priority, d.name, nullptr, &d});
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.priority < b.priority; });
    Chain chain{chain_name(nsg, direction), {}};
    Cube replies;
    replies.states = static_cast<std::uint8_t>(CtState::established) | static_cast<std::uint8_t>(CtState::related);
    chain.rules.push_back(rule(replies, Verdict::accept, nsg + ": stateful, replies of allowed connections"));
    for (const auto& e : entries) {
      if (e.builtin) {
        chain.rules.push_back(default_rule(nsg, *e.builtin));
        continue;
      }
      auto built = security_rule(nsg, e.name, members(*e.rule));
      if (!built) return built.error();
      for (auto& r : *built) chain.rules.push_back(std::move(r));
    }
    out_.chains.emplace(chain.name, std::move(chain));
    return ok_status();
  }

  Rule default_rule(const std::string& nsg, const DefaultRule& d) const {
    RuleBuilder b;
    b.addresses(true, *addresses(d.source), false);
    b.addresses(false, *addresses(d.destination), false);
    b.verdict(std::string(d.access) == "Allow" ? Verdict::accept : Verdict::drop);
    auto where = nsg + ": " + d.name + " (default, priority " + std::to_string(d.priority) + ")";
    return b.finish(Location{file_, 0, where},
                    std::string(d.access) + " * " + d.source + " -> " + d.destination + " *");
  }

  // One rule, or for ICMP two: Azure's Icmp is ICMP in IPv4 and ICMPv6 in IPv6.
  Result<std::vector<Rule>> security_rule(const std::string& nsg, const std::string& name, const Json& r) const {
    auto protocol = lower(text_of(r, "protocol"));
    if (protocol != "icmp") return one_rule(nsg, name, r, 0);
    std::vector<Rule> out;
    for (int family : {4, 6}) {
      auto rule = one_rule(nsg, name, r, family);
      if (!rule) return rule.error();
      out.push_back(std::move(rule->front()));
    }
    return out;
  }

  Result<std::vector<Rule>> one_rule(const std::string& nsg, const std::string& name, const Json& r,
                                     int icmp_family) const {
    auto bad = [&](const std::string& why) {
      return Error{file_, 0, 0, nsg + "/" + name, msg::azure_bad_rule(name, nsg, why)};
    };
    RuleBuilder b;
    std::vector<LocalizedText> undecided;
    const auto protocol = lower(text_of(r, "protocol"));
    ProtocolSet protocols;
    if (protocol == "*" || protocol == "any")
      protocols.set();
    else if (protocol == "tcp")
      protocols.set(6);
    else if (protocol == "udp")
      protocols.set(17);
    else if (protocol == "icmp")
      protocols.set(icmp_family == 4 ? 1 : 58), b.family(icmp_family);
    else if (protocol == "esp")
      protocols.set(50);
    else if (protocol == "ah")
      protocols.set(51);
    else
      return bad("protocol '" + text_of(r, "protocol") + "'");
    b.protocols(protocols, false);
    for (bool source : {true, false}) {
      auto side = source ? "source" : "destination";
      AddressSet set;
      auto list = values(r, source ? "sourceAddressPrefix" : "destinationAddressPrefix",
                         source ? "sourceAddressPrefixes" : "destinationAddressPrefixes");
      auto groups = r.find(source ? "sourceApplicationSecurityGroups" : "destinationApplicationSecurityGroups");
      if (groups != r.end() && groups->is_array() && !groups->empty()) {
        if (site_.nic_files.empty()) undecided.push_back(msg::audit_construct_asg(side));
        for (const auto& g : *groups) {
          // A group nobody joins matches no address.
          auto members = site_.asg_members.find(asg_key(g.is_object() ? text_of(g, "id") : ""));
          if (members != site_.asg_members.end()) set = set.unite(members->second);
        }
      } else if (list.empty()) {
        return bad(std::string("no ") + side + " address");
      }
      for (const auto& v : list)
        if (auto a = addresses(v))
          set = set.unite(*a);
        else
          undecided.push_back(msg::audit_construct_service_tag(v));
      if (undecided.empty()) b.addresses(source, set, false);
      auto ports = values(r, source ? "sourcePortRange" : "destinationPortRange",
                          source ? "sourcePortRanges" : "destinationPortRanges");
      PortSet port_set;
      bool every = ports.empty();
      for (const auto& p : ports) {
        if (p == "*") {
          every = true;
          continue;
        }
        auto range = parse_port_value(p, '-');
        if (!range) return bad(std::string(side) + " port '" + p + "'");
        port_set.add(*range);
      }
      if (!every && (protocols.test(6) || protocols.test(17))) b.ports(source, port_set, false, port_protocols());
    }
    auto access = text_of(r, "access");
    if (access != "Allow" && access != "Deny") return bad("access '" + access + "'");
    b.verdict(access == "Allow" ? Verdict::accept : Verdict::drop);
    if (!undecided.empty()) {
      LocalizedText all = undecided.front();
      for (std::size_t i = 1; i < undecided.size(); ++i) all += msg::list_separator() + undecided[i];
      b.unsupported(all);
    }
    auto where = nsg + ": " + name + " (priority " + std::to_string(r.value("priority", 0)) + ")";
    auto ports = join(values(r, "destinationPortRange", "destinationPortRanges"), ",");
    return std::vector<Rule>{b.finish(Location{file_, 0, where}, access + " " + text_of(r, "protocol") + " " +
                                                                     side_text(r, true) + " -> " + side_text(r, false) +
                                                                     " " + (ports.empty() ? "*" : ports))};
  }

  // A rule's side as the finding shows it: its prefixes, or its application security groups.
  static std::string side_text(const Json& r, bool source) {
    auto list = values(r, source ? "sourceAddressPrefix" : "destinationAddressPrefix",
                       source ? "sourceAddressPrefixes" : "destinationAddressPrefixes");
    if (auto groups = r.find(source ? "sourceApplicationSecurityGroups" : "destinationApplicationSecurityGroups");
        groups != r.end() && groups->is_array())
      for (const auto& g : *groups)
        if (auto id = g.is_object() ? text_of(g, "id") : ""; !id.empty())
          list.push_back("asg:" + id.substr(id.rfind('/') + 1));
    return join(list, ",");
  }

  std::string file_;
  const AzureSite& site_;
  Ruleset out_;
};

}  // namespace

bool is_azure_nic_list(std::string_view text) {
  // The key first: a large ruleset of another format is not parsed to say it is not this.
  if (text.find("\"ipConfigurations\"") == std::string_view::npos) return false;
  auto doc = Json::parse(text, nullptr, false);
  if (doc.is_object()) doc = Json::array({doc});
  if (doc.is_discarded() || !doc.is_array() || doc.empty()) return false;
  return std::all_of(doc.begin(), doc.end(),
                     [](const Json& nic) { return nic.is_object() && members(nic).contains("ipConfigurations"); });
}

Status add_azure_nics(AzureSite& site, const std::string& file, std::string_view text) {
  auto doc = Json::parse(text, nullptr, false);
  if (doc.is_object()) doc = Json::array({doc});
  if (!is_azure_nic_list(text)) return Error{file, 0, 0, "", msg::azure_not_nic_list()};
  for (const auto& nic : doc) {
    const auto& m = members(nic);
    std::string name;  // the NIC's own NSG, if it has one
    if (auto nsg = m.find("networkSecurityGroup"); nsg != m.end() && nsg->is_object()) {
      auto id = text_of(*nsg, "id");
      name = id.substr(id.rfind('/') + 1);
    }
    auto configurations = m.find("ipConfigurations");
    if (!configurations->is_array()) return Error{file, 0, 0, "ipConfigurations", msg::azure_not_nic_list()};
    for (const auto& c : *configurations) {
      if (!c.is_object()) return Error{file, 0, 0, "ipConfigurations", msg::azure_not_nic_list()};
      const auto& config = members(c);
      auto address = parse_address_value(text_of(config, "privateIPAddress"));
      if (!address) continue;
      if (!name.empty()) {
        auto& set = site.nics_of_nsg[name];
        set = set.unite(*address);
      }
      auto groups = config.find("applicationSecurityGroups");
      if (groups == config.end() || !groups->is_array()) continue;
      for (const auto& g : *groups) {
        auto id = g.is_object() ? text_of(g, "id") : "";
        if (id.empty()) continue;
        auto& set = site.asg_members[asg_key(id)];
        set = set.unite(*address);
      }
    }
  }
  site.nic_files.push_back(file);
  return ok_status();
}

Result<Ruleset> read_azure_nsg(const std::string& file, const std::string& text, const AzureSite& site) {
  return Reader(file, site).read(text);
}

}  // namespace winports::audit
