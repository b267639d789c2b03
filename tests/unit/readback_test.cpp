// No port lost, none added: the rules each emitter writes are read back (by small readers of the
// project's own formats) and the allowed (source, destination, transport, ports) must equal the
// plan's flows, in both directions. Policy generators have shipped bugs that silently dropped
// ports from one platform's output; this is the test that stops that here.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

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

Allowed expected(const Plan& p, const Host* only) {
  Allowed out;
  for (const auto& f : p.flows)
    for (const auto& s : f.source.networks)
      for (const auto& d : f.destination.networks) {
        if (s.family != d.family) continue;
        if (only && !d.contains(only->address)) continue;
        auto& ports = out[{s.to_string(), only ? std::string("self") : d.to_string(),
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
  std::regex rule_re(R"(ip6? saddr (@\S+|\{[^}]*\}|\S+)(?: ip6? daddr (\{[^}]*\}|\S+))? (.*) accept comment)");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, rule_re)) continue;
    std::string src = m[1];
    auto sources = src[0] == '@' ? sets[src.substr(1)] : split_list(src);
    auto dests = host_variant ? std::vector<std::string>{"self"} : split_list(m[2]);
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
  std::regex rule_re(R"(^-A (FORWARD|INPUT) -s (\S+)(?: -d (\S+))? -p (\S+)(.*)-j ACCEPT$)");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, rule_re)) continue;
    std::string proto = m[4], rest = m[5], k = proto == "ipv6-icmp" ? "icmp" : proto;
    PortSet ports;
    std::smatch pm;
    if (std::regex_search(rest, pm, std::regex(R"(--sport (\d+))"))) k += "/sport" + pm[1].str();
    if (std::regex_search(rest, pm, std::regex(R"(--dports (\S+))"))) ports = ports_of(pm[1], ':');
    if (rest.find("echo-request") != std::string::npos) k += "/echo";
    auto dests = host_variant ? std::vector<std::string>{"self"} : split_list(m[3]);
    for (const auto& s : split_list(m[2]))
      for (const auto& d : dests) out[{s, d, k}] = out[{s, d, k}].unite(ports);
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
  for (const char* name : {"branch-office.yaml", "dmz.yaml", "mixed-domain.yaml"}) {
    auto path = std::string(WINPORTS_EXAMPLES) + "/" + name;
    auto env = load_environment({path, read_file(path)}, c);
    ASSERT_TRUE(env.ok());
    auto plan = make_plan(*env, c);
    std::vector<std::string> hosts{""};
    hosts.push_back(env->hosts.front().name);
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
    }
  }
}
