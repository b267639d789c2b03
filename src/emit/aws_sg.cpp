// AWS security groups as a CloudFormation template (the deployable form: a group reference needs
// the group's id, which only the deployment knows). Security groups are allow-only and stateful: a
// network interface admits what any of its groups allows, and what none allows is dropped. So the
// site's groups are: one per zone, which every interface in the zone carries and which rules name
// as a source (a group reference: the zone's interfaces, wherever their addresses are); and one per
// class of destination hosts that receive the same flows (the domain controllers, say), holding
// the ingress rules of those flows. Which groups each host's interface must carry is the template's
// output. A rule names its source as the zone's group, or a host's addresses, or every address for
// the outside zone; port ranges one rule each, as the API has them.
#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common.hpp"
#include "winports/render/html.hpp"

namespace winports::emit {
namespace {

using Json = nlohmann::ordered_json;

// data/targets/aws-sg.yaml.
struct Quotas {
  std::size_t inbound_rules = 0, groups_per_interface = 0, description_length = 0;
  std::string description_extra;
};

const Quotas& quotas() {
  static const Quotas loaded = [] {
    // Embedded at build time and checked by the unit tests: a malformed file is a build defect.
    auto y = YAML::Load(std::string(render::template_text("aws-sg")));
    return Quotas{y["inbound_rules_per_group"].as<std::size_t>(), y["groups_per_interface"].as<std::size_t>(),
                  y["description_length"].as<std::size_t>(), y["description_extra"].as<std::string>()};
  }();
  return loaded;
}

// A description in the characters EC2 allows, within its length.
std::string described(const std::string& text) {
  const auto& q = quotas();
  std::string out;
  for (char ch : text) {
    bool ok =
        std::isalnum(static_cast<unsigned char>(ch)) || ch == ' ' || q.description_extra.find(ch) != std::string::npos;
    out += ok ? ch : ' ';
  }
  if (out.size() > q.description_length) out.resize(q.description_length);
  return out;
}

// CloudFormation logical ids: alphanumeric.
std::string logical(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  bool upper = true;
  for (char ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
    upper = false;
  }
  return out;
}

struct Ingress {
  std::string group;  // logical id of the group the rule is on
  std::string protocol;
  int from = -1, to = -1;
  std::string cidr, cidr6, source_group;  // one of them
  std::string description;
};

Json group_id(const std::string& logical_id) { return {{"Fn::GetAtt", {logical_id, "GroupId"}}}; }

}  // namespace

Result<std::string> emit_aws_sg(const Input& in) {
  const auto& q = quotas();
  const auto& env = in.env;
  auto site = identifier(env.site, "-", '-');
  // Zones: one group each, for every interface in the zone.
  std::map<std::string, std::string> zone_group;
  for (const auto& z : env.zones)
    if (!z.outside) zone_group[z.name] = logical("Zone", z.name);
  // Destination classes: hosts that receive the same flows share a group.
  std::map<std::string, std::vector<std::size_t>> flows_of_host;
  for (std::size_t i = 0; i < in.plan.flows.size(); ++i) {
    const auto& f = in.plan.flows[i];
    if (detail::outside_side(env, f.destination)) continue;  // leaves by the groups' default egress
    for (const auto& h : f.destination.hosts) flows_of_host[h].push_back(i);
  }
  std::map<std::vector<std::size_t>, std::vector<std::string>> class_hosts;
  for (const auto& [host, flows] : flows_of_host) class_hosts[flows].push_back(host);
  std::map<std::string, std::string> host_group;  // host → its class's logical id
  std::map<std::string, std::vector<std::string>> group_hosts;
  std::map<std::string, std::string> group_label;
  for (const auto& [flows, hosts] : class_hosts) {
    // Named by what the hosts share: their roles where they have the same, else their names.
    std::set<std::vector<std::string>> role_sets;
    for (const auto& h : hosts) role_sets.insert(env.host(h)->roles);
    auto label =
        role_sets.size() == 1 && !role_sets.begin()->empty() ? join(*role_sets.begin(), "-") : join(hosts, "-");
    auto id = logical("Hosts", label.substr(0, 60)) + detail::content_hash(join(hosts, ","), 4);
    group_label[id] = label;
    group_hosts[id] = hosts;
    for (const auto& h : hosts) host_group[h] = id;
  }

  std::vector<Ingress> rules;
  std::map<std::string, std::string> group_kind;  // logical id → the zone or class it is for
  for (const auto& f : in.plan.flows) {
    if (detail::outside_side(env, f.destination)) continue;
    if (f.source_port && in.warnings)
      in.warnings->push_back(
          msg::emit_aws_source_port.in(in.options.lang, plan::flow_label(f), std::to_string(*f.source_port)));
    // The groups the rule goes on: the hosts' class, or the whole zone's group.
    std::set<std::string> targets;
    if (!f.destination.hosts.empty())
      for (const auto& h : f.destination.hosts) targets.insert(host_group.at(h));
    else if (!f.destination.zone.empty() && zone_group.count(f.destination.zone))
      targets.insert(zone_group.at(f.destination.zone));
    // Sources: the zone's group, or the addresses (a host, the outside).
    std::vector<Ingress> sources;
    const auto* from_zone = f.source.zone.empty() ? nullptr : env.zone(f.source.zone);
    if (from_zone && !from_zone->outside) {
      Ingress r;
      r.source_group = zone_group.at(from_zone->name);
      sources.push_back(r);
    } else if (from_zone && from_zone->outside) {
      // Every address: an allow-only group cannot leave the site's zones out, so they reach these
      // ports too (the header says so; a network ACL could deny them).
      std::set<int> families;
      for (const auto& n : f.source.networks) families.insert(n.family);
      for (int family : families) {
        Ingress r;
        (family == 4 ? r.cidr : r.cidr6) = family == 4 ? "0.0.0.0/0" : "::/0";
        sources.push_back(r);
      }
    } else {
      for (const auto& n : f.source.networks) {
        Ingress r;
        (n.family == 4 ? r.cidr : r.cidr6) = n.to_string();
        sources.push_back(r);
      }
    }
    // Protocol and ports: one rule per port range; ICMP by type (echo request), other protocols by number.
    struct Shape {
      std::string protocol;
      int from, to;
      int family;  // 0: both; 4 or 6 for ICMP
    };
    std::vector<Shape> shapes;
    switch (f.transport) {
      case Transport::tcp:
      case Transport::udp:
        for (auto r : f.ports.ranges()) shapes.push_back({std::string(to_string(f.transport)), r.lo, r.hi, 0});
        break;
      case Transport::icmp:
      case Transport::icmpv6: {
        // Each family's ICMP where the flow has that family at both ends.
        bool echo = f.icmp_type == "echo";
        auto both_ends = [&](int family) {
          return !detail::of_family(f.source.networks, family).empty() &&
                 !detail::of_family(f.destination.networks, family).empty();
        };
        if (f.transport == Transport::icmp && both_ends(4)) shapes.push_back({"icmp", echo ? 8 : -1, -1, 4});
        if (both_ends(6)) shapes.push_back({"icmpv6", echo ? 128 : -1, -1, 6});
        break;
      }
      default:
        shapes.push_back({std::to_string(ip_protocol_number(f.transport)), -1, -1, 0});
    }
    auto text = described(detail::services_comment(f, 80) + " from " + f.source.name + " to " + f.destination.name);
    for (const auto& target : targets) {
      group_kind[target] = target;
      for (const auto& shape : shapes)
        for (auto r : sources) {
          // ICMP of one family: only sources that can send it (a group reference is either).
          if (shape.family == 4 && !r.cidr6.empty()) continue;
          if (shape.family == 6 && !r.cidr.empty()) continue;
          r.group = target;
          r.protocol = shape.protocol;
          r.from = shape.from;
          r.to = shape.to;
          r.description = text;
          rules.push_back(r);
        }
    }
  }
  auto key = [](const Ingress& r) {
    return std::tie(r.group, r.protocol, r.from, r.to, r.source_group, r.cidr, r.cidr6);
  };
  std::sort(rules.begin(), rules.end(), [&](const Ingress& a, const Ingress& b) { return key(a) < key(b); });
  rules.erase(
      std::unique(rules.begin(), rules.end(), [&](const Ingress& a, const Ingress& b) { return key(a) == key(b); }),
      rules.end());
  // AWS's quotas: inbound rules per group and family (a group reference counts in both), groups per interface.
  std::map<std::string, std::pair<std::size_t, std::size_t>> counts;
  for (const auto& r : rules) {
    auto& [v4, v6] = counts[r.group];
    v4 += r.cidr6.empty() ? 1 : 0;
    v6 += r.cidr.empty() ? 1 : 0;
  }
  for (const auto& [group, c] : counts)
    for (auto [n, family] : {std::pair{c.first, "IPv4"}, std::pair{c.second, "IPv6"}})
      if (n > q.inbound_rules)
        return Error{env.file, 0, 0, "",
                     msg::emit_aws_quota(group, std::to_string(n), family, std::to_string(q.inbound_rules))};
  std::map<std::string, std::vector<std::string>> groups_of_host;
  for (const auto& h : env.hosts) {
    auto& g = groups_of_host[h.name];
    if (zone_group.count(h.zone)) g.push_back(zone_group.at(h.zone));
    if (host_group.count(h.name)) g.push_back(host_group.at(h.name));
    if (g.size() > q.groups_per_interface)
      return Error{
          env.file, 0, 0, "",
          msg::emit_aws_groups_per_interface(h.name, std::to_string(g.size()), std::to_string(q.groups_per_interface))};
  }

  Json resources = Json::object();
  for (const auto& [zone, id] : zone_group)
    resources[id] = {
        {"Type", "AWS::EC2::SecurityGroup"},
        {"Properties",
         {{"GroupDescription", described("winports " + env.site + ": the interfaces of zone " + zone)},
          {"VpcId", {{"Ref", "VpcId"}}},
          {"Tags", {{{"Key", "Name"}, {"Value", "winports-" + site + "-zone-" + identifier(zone, "-", '-')}}}}}}};
  for (const auto& [id, hosts] : group_hosts)
    resources[id] = {{"Type", "AWS::EC2::SecurityGroup"},
                     {"Properties",
                      {{"GroupDescription", described("winports " + env.site + ": what " + join(hosts, ", ") +
                                                      " receive" + (hosts.size() == 1 ? "s" : ""))},
                       {"VpcId", {{"Ref", "VpcId"}}},
                       {"Tags",
                        {{{"Key", "Name"},
                          {"Value", "winports-" + site + "-" + identifier(group_label[id], "-", '-') + "-" +
                                        id.substr(id.size() - 4)}}}}}}};
  for (const auto& r : rules) {
    Json p = {{"GroupId", group_id(r.group)}, {"IpProtocol", r.protocol}};
    if (r.protocol == "tcp" || r.protocol == "udp" || r.protocol == "icmp" || r.protocol == "icmpv6") {
      p["FromPort"] = r.from;
      p["ToPort"] = r.to;
    }
    if (!r.source_group.empty()) p["SourceSecurityGroupId"] = group_id(r.source_group);
    if (!r.cidr.empty()) p["CidrIp"] = r.cidr;
    if (!r.cidr6.empty()) p["CidrIpv6"] = r.cidr6;
    p["Description"] = r.description;
    auto content = r.group + "|" + r.protocol + "|" + std::to_string(r.from) + "|" + std::to_string(r.to) + "|" +
                   r.source_group + r.cidr + r.cidr6;
    resources[logical("In", r.group) + detail::content_hash(content)] = {{"Type", "AWS::EC2::SecurityGroupIngress"},
                                                                         {"Properties", std::move(p)}};
  }
  const auto lang = in.options.lang;
  Json outputs = Json::object();
  for (const auto& [host, groups] : groups_of_host) {
    if (groups.empty()) continue;
    Json ids = Json::array();
    for (const auto& g : groups) ids.push_back(group_id(g));
    outputs[logical("Groups", host)] = {{"Description", msg::aws_output_groups.in(lang, host)},
                                        {"Value", {{"Fn::Join", {",", std::move(ids)}}}}};
  }
  // The template's own words follow the run's language; the groups' and rules' descriptions stay in
  // English, the only words EC2's description characters (data/targets/aws-sg.yaml) can hold.
  std::vector<std::string> notes = {msg::aws_note_title.in(lang, env.site),
                                    msg::aws_note_deploy.in(lang, site),
                                    msg::aws_note_attach.in(lang),
                                    msg::aws_note_stateful.in(lang),
                                    msg::aws_note_sources.in(lang),
                                    msg::aws_note_nacl.in(lang),
                                    msg::aws_note_ports.in(lang, detail::ports_from(in, lang))};
  Json groups_meta = Json::array();
  for (const auto& [id, hosts] : group_hosts) groups_meta.push_back({{"group", id}, {"hosts", hosts}});
  for (const auto& [zone, id] : zone_group) groups_meta.push_back({{"group", id}, {"zone", zone}});
  Json doc = {
      {"AWSTemplateFormatVersion", "2010-09-09"},
      {"Description", msg::aws_template_description.in(lang, env.site)},
      {"Metadata", {{"winports", {{"site", env.site}, {"comments", notes}, {"groups", std::move(groups_meta)}}}}},
      {"Parameters", {{"VpcId", {{"Type", "AWS::EC2::VPC::Id"}, {"Description", msg::aws_parameter_vpc.in(lang)}}}}},
      {"Resources", std::move(resources)},
      {"Outputs", std::move(outputs)}};
  return doc.dump(2) + "\n";
}

}  // namespace winports::emit
