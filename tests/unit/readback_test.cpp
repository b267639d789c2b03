// No port lost, none added: the rules each emitter writes are read back (by small readers of the
// project's own formats) and the allowed (source, destination, transport, ports) must equal the
// plan's flows, in both directions. Policy generators have shipped bugs that silently dropped
// ports from one platform's output; this is the test that stops that here.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "sites.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"

using namespace winports;
using namespace winports::plan;

namespace {

// (source network, destination network, transport[/sport][/icmp]) → ports
using Allowed = std::map<std::tuple<std::string, std::string, std::string>, PortSet>;

std::string kind(Transport t, std::optional<std::uint16_t> sport, const std::string& icmp) {
  std::string k(to_string(t));
  if (k == "icmpv6") k = "icmp";  // both emitters match the family's ICMP
  if (sport) k += "/sport" + std::to_string(*sport);
  if (!icmp.empty()) k += "/" + icmp;
  return k;
}

// With `only`, the flows reaching that host; host firewalls name the destination "self", network
// formats keep its address (`self_name` false).
// A planned flow no rule can carry (a destination host's address no source address shares a family
// with) would pass every comparison below unnoticed: every format would drop it without a word. A
// whole zone on either side may hold a family the other side lacks: its rules are for the shared one.
void expect_carriable(const Flow& f) {
  if (f.destination.hosts.empty()) return;
  for (const auto& d : f.destination.networks)
    EXPECT_TRUE(std::any_of(f.source.networks.begin(), f.source.networks.end(),
                            [&](const Network& s) { return s.family == d.family; }))
        << flow_label(f) << ": " << d.to_string() << " shares no address family with the source: a silent drop";
}

// Whether a destination network holds one of the host's addresses.
bool holds(const Network& d, const Host& h) {
  return std::any_of(h.addresses.begin(), h.addresses.end(), [&](const Network& a) { return d.contains(a); });
}

Allowed expected(const Plan& p, const Host* only, bool self_name = true) {
  Allowed out;
  for (const auto& f : p.flows) expect_carriable(f);
  for (const auto& f : p.flows)
    for (const auto& s : f.source.networks)
      for (const auto& d : f.destination.networks) {
        if (s.family != d.family || (s.family == 4 && f.transport == Transport::icmpv6)) continue;
        if (only && !holds(d, *only)) continue;
        auto& ports = out[{s.to_string(), only && self_name ? std::string("self") : d.to_string(),
                           kind(f.transport, f.source_port, f.icmp_type)}];
        ports = ports.unite(f.ports);
      }
  return out;
}

std::vector<std::string> split_list(std::string text) {
  // "{ a, b }" or "a" or "a,b"
  for (char& ch : text)
    if (ch == '{' || ch == '}' || ch == ',') ch = ' ';
  std::istringstream in(text);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

PortSet ports_of(const std::string& text, char range_sep) {
  PortSet set;
  for (auto item : split_list(text)) {
    std::replace(item.begin(), item.end(), range_sep, '-');
    auto r = parse_port_range(item);
    EXPECT_TRUE(r) << item;
    if (r) set.add(*r);
  }
  return set;
}

Allowed read_nftables(const std::string& text, bool host_variant) {
  Allowed out;
  std::map<std::string, std::vector<std::string>> sets;
  std::regex set_re(R"(set (\S+) \{\s*type \S+\s*flags interval\s*elements = \{([^}]*)\})");
  for (std::sregex_iterator it(text.begin(), text.end(), set_re), end; it != end; ++it)
    sets[(*it)[1]] = split_list((*it)[2]);
  std::regex rule_re(R"(ip6? saddr (@\S+|\{[^}]*\}|\S+)(?: ip6? daddr (@\S+|\{[^}]*\}|\S+))? (.*) accept comment)");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, rule_re)) continue;
    std::string src = m[1];
    auto sources = src[0] == '@' ? sets[src.substr(1)] : split_list(src);
    std::string dst = m[2];
    auto dests = host_variant    ? std::vector<std::string>{"self"}
                 : dst[0] == '@' ? sets[dst.substr(1)]
                                 : split_list(dst);
    std::string match = m[3];
    std::smatch pm;
    std::string k;
    PortSet ports;
    if (std::regex_search(match, pm, std::regex(R"((tcp|udp)(?: sport (\d+) \1)? dport (\{[^}]*\}|\S+))"))) {
      k = pm[1].str() + (pm[2].matched ? "/sport" + pm[2].str() : "");
      ports = ports_of(pm[3], '-');
    } else if (match.find("type echo-request") != std::string::npos) {
      k = "icmp/echo";
    } else if (std::regex_search(match, pm, std::regex(R"(meta l4proto (\S+))"))) {
      k = pm[1] == "ipv6-icmp" ? "icmp" : pm[1].str();
    }
    for (const auto& s : sources)
      for (const auto& d : dests) out[{s, d, k}] = out[{s, d, k}].unite(ports);
  }
  return out;
}

Allowed read_iptables(const std::string& text, bool host_variant) {
  Allowed out;
  std::regex rule_re(R"(^-A \S+-site -s (\S+)(?: -d (\S+))? -p (\S+)(.*)-j ACCEPT$)");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, rule_re)) continue;
    std::string proto = m[3], rest = m[4], k = proto == "ipv6-icmp" ? "icmp" : proto;
    PortSet ports;
    std::smatch pm;
    if (std::regex_search(rest, pm, std::regex(R"(--sport (\d+))"))) k += "/sport" + pm[1].str();
    if (std::regex_search(rest, pm, std::regex(R"(--dports (\S+))"))) ports = ports_of(pm[1], ':');
    if (rest.find("echo-request") != std::string::npos) k += "/echo";
    auto dests = host_variant ? std::vector<std::string>{"self"} : split_list(m[2]);
    for (const auto& s : split_list(m[1]))
      for (const auto& d : dests) out[{s, d, k}] = out[{s, d, k}].unite(ports);
  }
  return out;
}

int family_of(const std::string& network) {
  auto n = parse_network(network);
  EXPECT_TRUE(n) << network;
  return n ? n->family : 0;
}

// Adds every same-family (source, destination) pair; list formats put both families in one cell.
void allow(Allowed& out, const std::vector<std::string>& sources, const std::vector<std::string>& dests,
           const std::string& k, const PortSet& ports) {
  for (const auto& s : sources)
    for (const auto& d : dests)
      if (d == "self" || family_of(s) == family_of(d)) out[{s, d, k}] = out[{s, d, k}].unite(ports);
}

std::string protocol_name(std::string p) {
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (p == "47") return "gre";
  if (p == "50") return "esp";
  if (p == "51") return "ah";
  if (p.rfind("icmp", 0) == 0) return "icmp";
  return p;
}

// Windows host firewalls: the RPC keyword stands for "the dynamic RPC endpoints" and reads back
// as its own kind; RPCEPMap is TCP 135.
Allowed expected_windows(const Plan& p, const Host& host) {
  Allowed out;
  for (const auto& f : p.flows)
    for (const auto& s : f.source.networks) {
      if (s.family == 4 && f.transport == Transport::icmpv6) continue;
      if (std::none_of(f.destination.networks.begin(), f.destination.networks.end(),
                       [&](const Network& d) { return d.family == s.family && holds(d, host); }))
        continue;
      auto k = kind(f.transport, f.source_port, f.icmp_type);
      if (f.transport == Transport::tcp && !f.source_port && !f.rpc_only.empty()) {
        out[{s.to_string(), "self", "tcp/rpc"}];
        auto rest = f.ports.subtract(f.rpc_only);
        if (!rest.empty()) out[{s.to_string(), "self", k}] = out[{s.to_string(), "self", k}].unite(rest);
        continue;
      }
      out[{s.to_string(), "self", k}] = out[{s.to_string(), "self", k}].unite(f.ports);
    }
  return out;
}

void windows_rule(Allowed& out, const std::string& protocol, const std::string& local, const std::string& remote_port,
                  std::string icmp, const std::vector<std::string>& remote) {
  std::string k = protocol_name(split_list(protocol).at(0));
  auto items = split_list(local);
  std::string keyword = items.size() == 1 ? items[0] : "";
  PortSet ports;
  if (keyword == "RPC")
    k += "/rpc";
  else if (keyword == "RPCEPMap" || keyword == "RPC-EPMap")
    ports = PortSet{{135, 135}};
  else if (!local.empty())
    ports = ports_of(local, '-');
  if (!split_list(remote_port).empty()) k += "/sport" + split_list(remote_port)[0];
  if (!split_list(icmp).empty() && split_list(icmp)[0] != "any") icmp = split_list(icmp)[0];
  if (icmp == "8" || icmp == "128" || icmp == "8,any" || icmp == "128,any") k += "/echo";
  allow(out, remote, {"self"}, k, ports);
}

std::string strip_quotes(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '\''), text.end());
  text.erase(std::remove(text.begin(), text.end(), '@'), text.end());
  for (char& ch : text)
    if (ch == '(' || ch == ')') ch = ' ';
  return text;
}

std::map<std::string, Allowed> read_powershell(const std::string& text) {
  // One rule per line of the $rules table: @{ Host = 'dc1'; …; Protocol = 'TCP'; LocalPort = @(…); … }
  std::map<std::string, Allowed> out;
  auto arg = [](const std::string& line, const std::string& name) {
    std::smatch m;
    std::regex re("[{;] " + name + R"( = ('(?:[^']|'')*'|@\([^)]*\)))");
    return std::regex_search(line, m, re) ? strip_quotes(m[1]) : std::string();
  };
  std::istringstream lines(text.substr(text.find("\n$rules = @(\n")));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line) && line != ")") {
    if (line.rfind("  @{ Host = ", 0) != 0) continue;
    windows_rule(out[arg(line, "Host")], arg(line, "Protocol"), arg(line, "LocalPort"), arg(line, "RemotePort"),
                 arg(line, "IcmpType"), split_list(arg(line, "RemoteAddress")));
  }
  return out;
}

std::map<std::string, Allowed> read_netsh(const std::string& text) {
  std::map<std::string, Allowed> out;
  std::map<std::string, std::string> label_host;
  std::string host;
  std::istringstream lines(text);
  std::string line;
  auto arg = [](const std::string& l, const std::string& name) {
    std::smatch m;
    return std::regex_search(l, m, std::regex(" " + name + "=(\\S+)")) ? m[1].str() : std::string();
  };
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (std::regex_match(line, m, std::regex(R"re(if /i "%COMPUTERNAME%"=="([^"]+)" goto (\S+))re")))
      label_host[m[2]] = m[1];
    if (line.size() > 1 && line[0] == ':') host = label_host.count(line.substr(1)) ? label_host[line.substr(1)] : "";
    if (line.find("firewall add rule") == std::string::npos) continue;
    auto protocol = arg(line, "protocol");
    std::string icmp;
    if (auto colon = protocol.find(':'); colon != std::string::npos)
      icmp = protocol.substr(colon + 1), protocol.resize(colon);
    windows_rule(out[host], protocol, arg(line, "localport"), arg(line, "remoteport"), icmp,
                 split_list(arg(line, "remoteip")));
  }
  return out;
}

// "198.18.10.0 255.255.255.0" → "198.18.10.0/24"; "host X" → X.
std::string asa_network(const std::string& object) {
  std::istringstream in(object);
  std::string a, b;
  in >> a >> b;
  if (a == "host") return b;
  if (b.empty()) return a;
  auto mask = parse_network(b);
  int bits = 0;
  for (int i = 0; i < 4; ++i) bits += __builtin_popcount(mask->bytes[i]);
  return a + "/" + std::to_string(bits);
}

Allowed read_asa(const std::string& text) {
  Allowed out;
  std::map<std::string, std::vector<std::string>> networks;
  std::map<std::string, PortSet> services;
  std::string group;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex(R"(object-group (network|service) (\S+).*)"))) group = m[2];
    if (std::regex_match(line, m, std::regex(R"( network-object (.*))"))) networks[group].push_back(asa_network(m[1]));
    if (std::regex_match(line, m, std::regex(R"( port-object eq (\d+))")))
      services[group].add({static_cast<std::uint16_t>(std::stoi(m[1])), static_cast<std::uint16_t>(std::stoi(m[1]))});
    if (std::regex_match(line, m, std::regex(R"( port-object range (\d+) (\d+))")))
      services[group].add({static_cast<std::uint16_t>(std::stoi(m[1])), static_cast<std::uint16_t>(std::stoi(m[2]))});
    if (!std::regex_match(line, m,
                          std::regex(R"(access-list \S+ extended permit (\S+) object-group (\S+)(?: eq (\d+))? )"
                                     R"(object-group (\S+)(?: object-group (\S+))?( echo)?)")))
      continue;
    std::string protocol = m[1], k = protocol_name(protocol);
    if (m[3].matched) k += "/sport" + m[3].str();
    if (m[6].matched) k += "/echo";
    auto sources = networks[m[2]], dests = networks[m[4]];
    if (protocol == "icmp" || protocol == "icmp6") {
      // The ACE's ICMP version picks the family out of the mixed groups.
      int family = protocol == "icmp" ? 4 : 6;
      std::erase_if(sources, [&](const std::string& n) { return family_of(n) != family; });
    }
    allow(out, sources, dests, k, m[5].matched ? services[m[5]] : PortSet{});
  }
  return out;
}

// The kind of a row in the project's table formats: "tcp", "tcp/sport20", "icmp/echo".
std::string table_kind(const std::string& transport, const std::string& sport, const std::string& icmp) {
  return protocol_name(transport) + (sport.empty() ? "" : "/sport" + sport) + (icmp.empty() ? "" : "/" + icmp);
}

std::vector<std::string> csv_row(const std::string& line) {
  std::vector<std::string> fields{""};
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"')
      fields.back() += '"', ++i;
    else if (ch == '"')
      quoted = !quoted;
    else if (ch == ',' && !quoted)
      fields.emplace_back();
    else if (ch != '\r')
      fields.back() += ch;
  }
  return fields;
}

Allowed read_csv(const std::string& text, bool host_variant) {
  Allowed out;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(csv_row(line)[4], "to_networks");
  while (std::getline(lines, line)) {
    auto f = csv_row(line);
    EXPECT_EQ(f.size(), 12u) << line;
    if (f.size() != 12) continue;
    auto dests = host_variant ? std::vector<std::string>{"self"} : split_list(f[4]);
    allow(out, split_list(f[2]), dests, table_kind(f[5], f[7], f[8]), ports_of(f[6], '-'));
  }
  return out;
}

Allowed read_markdown(const std::string& text, bool host_variant) {
  Allowed out;
  std::istringstream lines(text);
  std::string line;
  bool flows = true;
  while (std::getline(lines, line)) {
    if (line.rfind("## ", 0) == 0) flows = false;  // later sections are not rules
    if (!flows || line.rfind("| ", 0) != 0 || line.rfind("| From", 0) == 0) continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) cells.push_back(cell);
    EXPECT_GE(cells.size(), 8u) << line;
    if (cells.size() < 8) continue;
    std::istringstream protocol(cells[4]);
    std::string transport, word, sport, icmp;
    protocol >> transport;
    while (protocol >> word) (std::isdigit(static_cast<unsigned char>(word[0])) ? sport : icmp) = word;
    if (icmp == "from" || icmp == "port") icmp.clear();
    auto dests = host_variant ? std::vector<std::string>{"self"} : split_list(cells[3]);
    allow(out, split_list(cells[1]), dests, table_kind(transport, sport, icmp), ports_of(cells[5], '-'));
  }
  return out;
}

Allowed read_json(const std::string& text, bool host_variant) {
  Allowed out;
  auto doc = nlohmann::json::parse(text);
  for (const auto& f : doc["flows"]) {
    PortSet ports;
    for (const auto& r : f["ports"]) ports.add({r[0].get<std::uint16_t>(), r[1].get<std::uint16_t>()});
    auto dests = host_variant ? std::vector<std::string>{"self"} : f["to_networks"].get<std::vector<std::string>>();
    allow(out, f["from_networks"].get<std::vector<std::string>>(), dests,
          table_kind(f["transport"], f.contains("source_port") ? std::to_string(f["source_port"].get<int>()) : "",
                     f.value("icmp_type", "")),
          ports);
  }
  return out;
}

// azure-nsg: Inbound Allow rules of the template; the service tag Internet is the outside zone's
// networks (every address in no zone). An NSG rule cannot name an ICMP type: "icmp". An application
// security group is the addresses of the hosts that join it (join_before_rules).
Allowed read_azure_nsg(const std::string& text, const Environment& env) {
  Allowed out;
  auto doc = nlohmann::json::parse(text);
  std::map<std::string, std::vector<std::string>> members;  // the group's resourceId() → addresses
  for (const auto& h : doc["metadata"].value("join_before_rules", nlohmann::json::array()))
    for (const auto& g : h["application_security_groups"])
      for (const auto& a : h["addresses"])
        members["[resourceId('Microsoft.Network/applicationSecurityGroups', '" + g.get<std::string>() + "')]"]
            .push_back(a.get<std::string>());
  auto list = [&](const nlohmann::json& p, const char* one, const char* many, const char* groups) {
    if (p.contains(groups)) {
      std::vector<std::string> out;
      for (const auto& g : p[groups]) {
        const auto& m = members[g["id"].get<std::string>()];
        out.insert(out.end(), m.begin(), m.end());
      }
      return out;
    }
    return p.contains(one) ? std::vector<std::string>{p[one].get<std::string>()}
                           : p[many].get<std::vector<std::string>>();
  };
  for (const auto& r : doc["resources"]) {
    if (r["type"] == "Microsoft.Network/applicationSecurityGroups") continue;
    EXPECT_EQ(r["type"], "Microsoft.Network/networkSecurityGroups/securityRules");
    const auto& p = r["properties"];
    if (p["access"] != "Allow") continue;
    PortSet ports;
    for (const auto& range : list(p, "destinationPortRange", "destinationPortRanges", ""))
      if (range != "*") ports = ports.unite(ports_of(range, '-'));
    auto sport = p["sourcePortRange"].get<std::string>();
    auto k = table_kind(p["protocol"], sport == "*" ? "" : sport, "");
    auto expand = [&](const std::vector<std::string>& prefixes) {
      std::vector<std::string> out;
      for (const auto& prefix : prefixes) {
        if (prefix != "Internet") {
          out.push_back(prefix);
          continue;
        }
        for (const auto& z : env.zones)
          if (z.outside)
            for (const auto& n : z.networks) out.push_back(n.to_string());
      }
      return out;
    };
    allow(out, expand(list(p, "sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups")),
          expand(list(p, "destinationAddressPrefix", "destinationAddressPrefixes",
                      "destinationApplicationSecurityGroups")),
          k, ports);
  }
  return out;
}

// aws-sg: each ingress rule allows its source (a zone's group: the zone's networks; an address) to
// every address of the hosts whose group it is on (the template's metadata says which), or to the
// zone's networks for a zone's group. A security group cannot match a source port.
Allowed read_aws_sg(const std::string& text, const Environment& env) {
  Allowed out;
  auto doc = nlohmann::json::parse(text);
  std::map<std::string, std::vector<std::string>> members;
  for (const auto& g : doc["Metadata"]["winports"]["groups"]) {
    auto& m = members[g["group"].get<std::string>()];
    if (g.contains("zone"))
      for (const auto& n : env.zone(g["zone"].get<std::string>())->networks) m.push_back(n.to_string());
    else
      for (const auto& h : g["hosts"])
        for (const auto& a : env.host(h.get<std::string>())->addresses) m.push_back(a.to_string());
  }
  for (const auto& [id, r] : doc["Resources"].items()) {
    if (r["Type"] != "AWS::EC2::SecurityGroupIngress") continue;
    const auto& p = r["Properties"];
    auto group = p["GroupId"]["Fn::GetAtt"][0].get<std::string>();
    std::vector<std::string> sources;
    if (p.contains("SourceSecurityGroupId"))
      sources = members[p["SourceSecurityGroupId"]["Fn::GetAtt"][0].get<std::string>()];
    else
      sources = {p.contains("CidrIp") ? p["CidrIp"].get<std::string>() : p["CidrIpv6"].get<std::string>()};
    // Every address stands for the outside zone: its networks (the site's own are allowed by nothing else).
    if (sources.front() == "0.0.0.0/0" || sources.front() == "::/0") {
      int family = sources.front() == "::/0" ? 6 : 4;
      sources.clear();
      for (const auto& z : env.zones)
        if (z.outside)
          for (const auto& n : z.networks)
            if (n.family == family) sources.push_back(n.to_string());
    }
    auto protocol = p["IpProtocol"].get<std::string>();
    PortSet ports;
    std::string icmp;
    if (protocol == "tcp" || protocol == "udp")
      ports.add({p["FromPort"].get<std::uint16_t>(), p["ToPort"].get<std::uint16_t>()});
    else if (protocol.rfind("icmp", 0) == 0)
      icmp = p["FromPort"] == 8 || p["FromPort"] == 128 ? "echo" : "";
    allow(out, sources, members[group], table_kind(protocol, "", icmp), ports);
  }
  return out;
}

// What the aws-sg template must allow: every flow into the site (what leaves it goes by the groups'
// default egress), without its source port.
Allowed expected_aws(const Plan& p, const Environment& env) {
  Plan kept;
  for (auto f : p.flows) {
    const auto* to = f.destination.zone.empty() ? nullptr : env.zone(f.destination.zone);
    if (to && to->outside) continue;
    f.source_port.reset();
    kept.flows.push_back(std::move(f));
  }
  return expected(kept, nullptr);
}

// What the azure-nsg template must allow: every flow (into a zone, or out of one to the outside),
// each protocol an NSG rule names (GRE: none, and a warning says so), ICMP without its type.
Allowed expected_azure(const Plan& p) {
  Plan kept;
  for (const auto& f : p.flows)
    if (f.transport != Transport::gre) kept.flows.push_back(f);
  Allowed out;
  for (const auto& [key, ports] : expected(kept, nullptr)) {
    auto k = std::get<2>(key);
    if (k.rfind("icmp/", 0) == 0) k = "icmp";
    auto& slot = out[{std::get<0>(key), std::get<1>(key), k}];
    slot = slot.unite(ports);
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void compare(const Allowed& want, const Allowed& got, const std::string& what) {
  for (const auto& [key, ports] : want) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << what << ": lost " << std::get<0>(key) << " -> " << std::get<1>(key) << " "
                             << std::get<2>(key);
    EXPECT_EQ(it->second, ports) << what << ": " << std::get<0>(key) << " -> " << std::get<1>(key) << " "
                                 << std::get<2>(key);
  }
  for (const auto& [key, ports] : got)
    EXPECT_TRUE(want.count(key)) << what << ": added " << std::get<0>(key) << " -> " << std::get<1>(key) << " "
                                 << std::get<2>(key);
}

}  // namespace

TEST(ReadBack, EmittedRulesAllowExactlyThePlannedFlows) {
  const auto& c = catalog::builtin_catalog();
  for (const char* name :
       {"branch-office.yaml", "dmz.yaml", "mixed-domain.yaml", "modern-company.yaml", "edge-cases"}) {
    auto path = std::string(WINPORTS_EXAMPLES) + "/" + name;
    auto env = std::string(name) == "edge-cases" ? load_environment({name, test::kEdgeCases}, c)
                                                 : load_environment({path, read_file(path)}, c);
    ASSERT_TRUE(env.ok()) << env.error().message;
    auto plan = make_plan(*env, c);
    std::vector<std::string> hosts{""};
    hosts.push_back(env->hosts.front().name);
    // A dual-stack host's own firewall: both of its addresses, each family's rules.
    for (const auto& h : env->hosts)
      if (h.addresses.size() > 1) hosts.push_back(h.name);
    for (const auto& host : hosts) {
      const Host* only = host.empty() ? nullptr : env->host(host);
      auto want = expected(plan, only);
      ASSERT_FALSE(want.empty()) << name;
      emit::Input in{plan, *env, c, {Lang::en, host}};
      auto nft = emit::emit_nftables(in);
      ASSERT_TRUE(nft.ok());
      compare(want, read_nftables(*nft, only), std::string(name) + " nftables " + host);
      auto v4 = emit::emit_iptables(in), v6 = emit::emit_ip6tables(in);
      ASSERT_TRUE(v4.ok() && v6.ok());
      compare(want, read_iptables(*v4 + *v6, only), std::string(name) + " iptables " + host);
      auto script = emit::emit_iptables_script(in);
      ASSERT_TRUE(script.ok());
      compare(want, read_iptables(*script, only), std::string(name) + " iptables-script " + host);
      auto asa = emit::emit_asa(in);
      ASSERT_TRUE(asa.ok());
      compare(host.empty() ? want : expected(plan, only, false), read_asa(*asa), std::string(name) + " asa " + host);
      auto csv = emit::emit_csv(in), md = emit::emit_markdown(in);
      ASSERT_TRUE(csv.ok() && md.ok());
      // The table formats list whole flows; with --host they keep only the flows that reach it.
      auto want_tables = host.empty() ? want : expected(plan, only, false);
      compare(want_tables, read_csv(*csv, false), std::string(name) + " csv " + host);
      compare(want_tables, read_markdown(*md, false), std::string(name) + " md " + host);
    }
    emit::Input all{plan, *env, c, {Lang::en, ""}};
    // azure-nsg: every zone guarded by an NSG of its own.
    std::vector<std::string> azure_warnings;
    emit::Input azure{plan, *env, c, {Lang::en, ""}, &azure_warnings};
    for (const auto& z : env->zones)
      if (!z.outside) azure.options.azure_nsg.push_back(z.name + "=nsg-" + z.name);
    auto nsg = emit::emit_azure_nsg(azure);
    ASSERT_TRUE(nsg.ok()) << nsg.error().to_string();
    compare(expected_azure(plan), read_azure_nsg(*nsg, *env), std::string(name) + " azure-nsg");
    {  // every role an application security group: the groups allow the same flows as the addresses
      auto grouped = *env;
      std::set<std::string> roles;
      for (const auto& h : grouped.hosts) roles.insert(h.roles.begin(), h.roles.end());
      grouped.settings.azure_asgs.assign(roles.begin(), roles.end());
      auto with_groups = emit::emit_azure_nsg({plan, grouped, c, azure.options});
      ASSERT_TRUE(with_groups.ok()) << with_groups.error().to_string();
      EXPECT_NE(with_groups->find("ApplicationSecurityGroups"), std::string::npos) << name;
      compare(expected_azure(plan), read_azure_nsg(*with_groups, grouped), std::string(name) + " azure-nsg asgs");
    }
    for (const auto& f : plan.flows) {
      if (f.transport != Transport::gre) continue;
      EXPECT_TRUE(std::any_of(azure_warnings.begin(), azure_warnings.end(),
                              [&](const std::string& w) {
                                return w.find(flow_label(f) + ": a network security group rule cannot name gre") !=
                                       std::string::npos;
                              }))
          << name << ": " << flow_label(f) << " left out without a word";
    }
    // aws-sg: flows whose source port a security group cannot match are said.
    std::vector<std::string> aws_warnings;
    auto sg = emit::emit_aws_sg({plan, *env, c, {Lang::en, ""}, &aws_warnings});
    ASSERT_TRUE(sg.ok()) << sg.error().to_string();
    compare(expected_aws(plan, *env), read_aws_sg(*sg, *env), std::string(name) + " aws-sg");
    for (const auto& f : plan.flows) {
      if (!f.source_port) continue;
      EXPECT_TRUE(std::any_of(aws_warnings.begin(), aws_warnings.end(),
                              [&](const std::string& w) {
                                return w.find(flow_label(f) + ": a security group cannot match a source port") !=
                                       std::string::npos;
                              }))
          << name << ": " << flow_label(f);
    }
    auto json = emit::emit_json(all);
    ASSERT_TRUE(json.ok());
    compare(expected(plan, nullptr), read_json(*json, false), std::string(name) + " json");
    // Windows: each host's section must allow exactly what reaches that host.
    // A host a format refuses (its Windows cannot run it) gets no rules and must be named in a
    // warning; every other host gets exactly its flows. Neither rule nor refusal is a failure.
    std::vector<std::string> ps_refused, netsh_refused;
    auto ps = emit::emit_powershell({plan, *env, c, {Lang::en, ""}, &ps_refused});
    auto netsh = emit::emit_netsh({plan, *env, c, {Lang::en, ""}, &netsh_refused});
    ASSERT_TRUE(ps.ok() && netsh.ok());
    auto ps_hosts = read_powershell(*ps), netsh_hosts = read_netsh(*netsh);
    auto refused = [](const std::vector<std::string>& warnings, const std::string& host) {
      return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) {
        return w.find("no rules for " + host + " (") != std::string::npos;
      });
    };
    for (const auto& h : env->hosts) {
      auto want = expected_windows(plan, h);
      compare(refused(ps_refused, h.name) ? Allowed{} : want, ps_hosts[h.name],
              std::string(name) + " powershell " + h.name);
      compare(refused(netsh_refused, h.name) ? Allowed{} : want, netsh_hosts[h.name],
              std::string(name) + " netsh " + h.name);
      if (refused(netsh_refused, h.name)) {
        EXPECT_TRUE(refused(ps_refused, h.name)) << h.name;
      }
    }
  }
}
