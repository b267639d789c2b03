// AWS security groups (`aws ec2 describe-security-groups`) as a ruleset on the forward path between
// the site's zones, through the network interfaces that carry them (`aws ec2
// describe-network-interfaces`, given beside). A packet leaves its source interface if any group
// of that interface allows it out (egress), and enters its destination interface if any group of
// that interface allows it in (ingress): allow-only, so a chain per interface and direction whose
// rules are its groups' permissions (all accepts: their order decides nothing), then a drop. Security
// groups are stateful. A packet from or to an address no interface has is not the groups' to
// decide and passes that side.
//
// A permission's source (destination, for egress) is a CIDR, or a group reference: the addresses
// of the interfaces that carry that group; a prefix list is undecided, named in the finding.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "rule_builder.hpp"
#include "winports/audit/messages.hpp"
#include "winports/audit/ruleset.hpp"

namespace winports::audit {
namespace {

using Json = nlohmann::json;

std::string text_of(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json& list_of(const Json& object, const char* key) {
  static const Json kEmpty = Json::array();
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : kEmpty;
}

class Reader {
 public:
  Reader(const std::string& file, const AwsInterfaces& site) : file_(file), site_(site) {}

  Result<Ruleset> read(const std::string& text) {
    auto doc = Json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("SecurityGroups") || !doc["SecurityGroups"].is_array())
      return Error{file_, 0, 0, "", msg::aws_not_groups()};
    for (const auto& g : doc["SecurityGroups"]) {
      auto id = g.is_object() ? text_of(g, "GroupId") : "";
      if (id.empty()) return Error{file_, 0, 0, "SecurityGroups", msg::aws_not_groups()};
      groups_[id] = &g;
    }
    out_.files.push_back(file_);
    out_.covers_ipv4 = out_.covers_ipv6 = true;
    // Interfaces of single addresses first: a real interface's addresses never overlap another's,
    // and a stand-in for a whole network's interfaces (a test's, or a reader's) comes after them.
    std::vector<const AwsInterfaces::Interface*> interfaces;
    for (const auto& i : site_.interfaces) interfaces.push_back(&i);
    auto single = [](const AwsInterfaces::Interface* i) {
      auto prefixes = i->addresses.prefixes();
      return std::all_of(prefixes.begin(), prefixes.end(),
                         [](const Network& n) { return n.prefix == (n.family == 4 ? 32 : 128); });
    };
    std::stable_partition(interfaces.begin(), interfaces.end(), single);
    // Egress first: the source's interface lets it out, then the destination's lets it in.
    for (bool ingress : {false, true}) {
      Chain stage{ingress ? "aws ingress" : "aws egress", {}};
      for (const auto* i : interfaces) {
        auto chain = interface_chain(*i, ingress);
        if (!chain) return chain.error();
        Cube scope;
        (ingress ? scope.destination : scope.source) = i->addresses;
        stage.rules.push_back(rule(scope, Verdict::go_to, "network interface " + i->id, chain->name));
        stage.rules.back().text = "its security groups decide";
        out_.chains.emplace(chain->name, std::move(*chain));
      }
      out_.stages.push_back(Stage{stage.name, true, true, true, false});
      out_.chains.emplace(stage.name, std::move(stage));
    }
    return std::move(out_);
  }

 private:
  Rule rule(const Cube& match, Verdict verdict, const std::string& where, std::string target = "") const {
    return made_rule(file_, match, verdict, where, std::move(target));
  }

  // The addresses of the interfaces that carry `group`.
  AddressSet members(const std::string& group) const {
    AddressSet out;
    for (const auto& i : site_.interfaces)
      if (std::find(i.groups.begin(), i.groups.end(), group) != i.groups.end()) out = out.unite(i.addresses);
    return out;
  }

  Result<Chain> interface_chain(const AwsInterfaces::Interface& i, bool ingress) {
    Chain chain{"eni " + i.id + (ingress ? " ingress" : " egress"), {}};
    Cube replies;
    replies.states = static_cast<std::uint8_t>(CtState::established) | static_cast<std::uint8_t>(CtState::related);
    chain.rules.push_back(rule(replies, Verdict::accept, i.id));
    chain.rules.back().text = "stateful: replies of allowed connections";
    for (const auto& id : i.groups) {
      auto g = groups_.find(id);
      if (g == groups_.end()) {
        out_.notes.push_back({Location{file_, 0, i.id}, msg::aws_group_unknown(i.id, id)});
        continue;
      }
      auto name = text_of(*g->second, "GroupName");
      auto label = id + (name.empty() ? "" : " (" + name + ")");
      std::size_t n = 0;
      for (const auto& p : list_of(*g->second, ingress ? "IpPermissions" : "IpPermissionsEgress")) {
        // A permission has no id in describe-security-groups: its place in its group names it.
        auto where = label + (ingress ? " ingress" : " egress") + " permission " + std::to_string(++n);
        auto rules = permission(where, p, ingress);
        if (!rules) return rules.error();
        for (auto& r : *rules) {
          r.per_holder = true;
          chain.rules.push_back(std::move(r));
        }
      }
    }
    chain.rules.push_back(rule(Cube{}, Verdict::drop, i.id));
    chain.rules.back().text = "no security group of the interface allows it";
    chain.rules.back().per_holder = true;
    return chain;
  }

  // One IpPermission: a rule per source kind (CIDRs, IPv6 CIDRs, group references, prefix lists).
  Result<std::vector<Rule>> permission(const std::string& group, const Json& p, bool ingress) const {
    auto bad = [&](const std::string& why) { return Error{file_, 0, 0, group, msg::aws_bad_permission(group, why)}; };
    if (!p.is_object()) return bad("not an object");
    auto protocol = lower(text_of(p, "IpProtocol"));
    if (protocol.empty() && p.contains("IpProtocol") && p["IpProtocol"].is_number_integer())
      protocol = std::to_string(p["IpProtocol"].get<int>());
    static const std::map<std::string, int> kNames = {{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}};
    int number = -1;
    if (protocol == "-1" || protocol == "all")
      number = -1;
    else if (auto n = kNames.find(protocol); n != kNames.end())
      number = n->second;
    else if (!protocol.empty() && std::all_of(protocol.begin(), protocol.end(), ::isdigit) && protocol.size() <= 3 &&
             std::stoi(protocol) <= 255)
      number = std::stoi(protocol);
    else
      return bad("protocol '" + protocol + "'");
    auto port = [&](const char* key) { return p.contains(key) && p[key].is_number_integer() ? p[key].get<int>() : -1; };
    int from = port("FromPort"), to = port("ToPort");
    std::string shape = (number == -1 ? std::string("all") : protocol_name(number));
    if ((number == 6 || number == 17) && from >= 0)
      shape += " " + std::to_string(from) + (to != from ? "-" + std::to_string(to) : "");
    if ((number == 1 || number == 58) && from >= 0) shape += " type " + std::to_string(from);
    auto base = [&](RuleBuilder& b) -> Status {
      if (number >= 0) {
        ProtocolSet set;
        set.set(static_cast<std::size_t>(number));
        b.protocols(set, false);
      }
      if ((number == 6 || number == 17) && from >= 0) {
        if (to < from || to > 65535) return bad("ports " + std::to_string(from) + "-" + std::to_string(to));
        b.ports(false, PortSet{{static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to)}}, false,
                port_protocols());
      }
      // AWS's icmp is IPv4's, its icmpv6 IPv6's.
      if (number == 1 || number == 58) b.family(number == 1 ? 4 : 6);
      if ((number == 1 || number == 58) && from >= 0 && from <= 255) {
        TypeSet types;
        types.set(static_cast<std::size_t>(from));
        b.icmp_types(number, types, false);
      }
      return ok_status();
    };
    std::vector<Rule> out;
    auto add = [&](const AddressSet& peers, const std::string& peer_text, const LocalizedText& undecided) -> Status {
      RuleBuilder b;
      if (auto st = base(b); !st) return st;
      if (undecided.empty())
        b.addresses(ingress, peers, false);
      else
        b.unsupported(undecided);
      b.verdict(Verdict::accept);
      out.push_back(b.finish(Location{file_, 0, group}, shape + (ingress ? " from " : " to ") + peer_text));
      return ok_status();
    };
    for (const auto& r : list_of(p, "IpRanges")) {
      auto cidr = text_of(r, "CidrIp");
      auto set = parse_address_value(cidr);
      if (!set) return bad("CidrIp '" + cidr + "'");
      if (auto st = add(*set, cidr, {}); !st) return st.error();
    }
    for (const auto& r : list_of(p, "Ipv6Ranges")) {
      auto cidr = text_of(r, "CidrIpv6");
      auto set = parse_address_value(cidr);
      if (!set) return bad("CidrIpv6 '" + cidr + "'");
      if (auto st = add(*set, cidr, {}); !st) return st.error();
    }
    for (const auto& r : list_of(p, "UserIdGroupPairs")) {
      auto id = text_of(r, "GroupId");
      if (auto st = add(members(id), "group " + id, {}); !st) return st.error();
    }
    for (const auto& r : list_of(p, "PrefixListIds")) {
      auto id = text_of(r, "PrefixListId");
      if (auto st = add(AddressSet::all(), "prefix list " + id, msg::audit_construct_prefix_list(id)); !st)
        return st.error();
    }
    return out;
  }

  std::string file_;
  const AwsInterfaces& site_;
  std::map<std::string, const Json*> groups_;
  Ruleset out_;
};

}  // namespace

bool is_aws_interfaces(std::string_view text) {
  // The key first: a large ruleset of another format is not parsed to say it is not this.
  if (text.find("\"NetworkInterfaces\"") == std::string_view::npos) return false;
  auto doc = Json::parse(text, nullptr, false);
  return !doc.is_discarded() && doc.is_object() && doc.contains("NetworkInterfaces") &&
         doc["NetworkInterfaces"].is_array();
}

Status add_aws_interfaces(AwsInterfaces& site, const std::string& file, std::string_view text) {
  auto doc = Json::parse(text, nullptr, false);
  if (!is_aws_interfaces(text)) return Error{file, 0, 0, "", msg::aws_not_interfaces()};
  for (const auto& n : doc["NetworkInterfaces"]) {
    if (!n.is_object()) return Error{file, 0, 0, "NetworkInterfaces", msg::aws_not_interfaces()};
    AwsInterfaces::Interface i;
    i.id = text_of(n, "NetworkInterfaceId");
    for (const auto& a : list_of(n, "PrivateIpAddresses"))
      if (auto set = parse_address_value(text_of(a, "PrivateIpAddress"))) i.addresses = i.addresses.unite(*set);
    if (auto set = parse_address_value(text_of(n, "PrivateIpAddress"))) i.addresses = i.addresses.unite(*set);
    for (const auto& a : list_of(n, "Ipv6Addresses"))
      if (auto set = parse_address_value(text_of(a, "Ipv6Address"))) i.addresses = i.addresses.unite(*set);
    for (const auto& g : list_of(n, "Groups"))
      if (auto id = text_of(g, "GroupId"); !id.empty()) i.groups.push_back(id);
    if (i.id.empty() || i.addresses.empty()) continue;
    site.interfaces.push_back(std::move(i));
  }
  site.files.push_back(file);
  return ok_status();
}

Result<Ruleset> read_aws_sg(const std::string& file, const std::string& text, const AwsInterfaces& interfaces) {
  return Reader(file, interfaces).read(text);
}

}  // namespace winports::audit
