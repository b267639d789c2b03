// The audit's findings as an operator acts on them: what is beyond the plan grouped by the rule that
// opens it (one entry for one rule, however many zone pairs it spans), ICMP named by type, the rule
// that drops replies named, and a plan whose chains nothing reaches said once instead of as every
// flow's consequence.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "winports/audit/audit.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"

using namespace winports;
using namespace winports::audit;

namespace {

// Six zones, a DC in the last; every other zone is its domain member.
const char* kSixZones = R"(
site: six
zones:
  z1: { networks: [198.18.1.0/24], os: windows-11 }
  z2: { networks: [198.18.2.0/24], os: windows-11 }
  z3: { networks: [198.18.3.0/24], os: windows-11 }
  z4: { networks: [198.18.4.0/24], os: windows-11 }
  z5: { networks: [198.18.5.0/24], os: windows-11 }
  z6: { networks: [198.18.6.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.6.10, zone: z6, roles: [domain-controller] }
access:
  - { from: z1, to: dc1, as: domain-member }
  - { from: z2, to: dc1, as: domain-member }
  - { from: z3, to: dc1, as: domain-member }
  - { from: z4, to: dc1, as: domain-member }
  - { from: z5, to: dc1, as: domain-member }
settings: { netbios: false }
)";

struct Site {
  plan::Environment env;
  plan::Plan plan;
};

Site six_zones() {
  const auto& c = catalog::builtin_catalog();
  auto env = plan::load_environment({"six.yaml", kSixZones}, c);
  EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().to_string());
  auto p = plan::make_plan(*env, c);
  return {std::move(*env), std::move(p)};
}

Audit audit_nft(const Site& site, const std::string& rules) {
  auto r = read_nft_text("fw.nft", rules, Path::forward);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  auto a = audit::audit(site.env, catalog::builtin_catalog(), site.plan, *r, "");
  EXPECT_TRUE(a.ok());
  return a.ok() ? *a : Audit{};
}

int count_of(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(AuditFindings, OneRuleAcrossManyZonePairsIsOneEntryNamingItsLine) {
  auto site = six_zones();
  auto a = audit_nft(site, R"(table inet fw {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    tcp dport 3389 accept
  }
}
)");
  ASSERT_EQ(a.extra_by_rule.size(), 1u) << audit_text(a);
  const auto& r = a.extra_by_rule.front();
  EXPECT_EQ(r.rule.line, 5);
  EXPECT_EQ(r.text, "tcp dport 3389 accept");
  std::set<std::pair<std::string, std::string>> pairs;
  for (const auto& o : r.opens) {
    EXPECT_EQ(o.transport, "tcp");
    EXPECT_EQ(o.ports, (PortSet{{3389, 3389}}));
    EXPECT_TRUE(pairs.insert({o.from.en, o.to.en}).second) << "a pair twice: " << o.from.en << " -> " << o.to.en;
  }
  EXPECT_GE(pairs.size(), 30u);  // every ordered pair of six zones, and more within them
  auto text = audit_text(a);
  EXPECT_EQ(count_of(text, "EXTRA"), 1) << text;
  EXPECT_NE(text.find("EXTRA    fw.nft:5: tcp dport 3389 accept"), std::string::npos) << text;
  // The JSON keeps both views: per zone pair (each naming its rule) and per rule.
  for (const auto& f : a.extra) {
    ASSERT_EQ(f.rules.size(), 1u);
    EXPECT_EQ(f.rules[0].line, 5);
  }
  auto json = audit_json(a);
  EXPECT_NE(json.find("\"extra_by_rule\""), std::string::npos);
}

TEST(AuditFindings, IcmpIsNamedByTypeAndEachRuleOnce) {
  auto site = six_zones();
  auto a = audit_nft(site, R"(table inet fw {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    icmp type timestamp-request accept
    ip saddr 198.18.1.0/24 ip daddr 198.18.2.0/24 accept
  }
}
)");
  ASSERT_EQ(a.extra_by_rule.size(), 2u) << audit_text(a);
  const auto& echo = a.extra_by_rule[0].rule.line == 5 ? a.extra_by_rule[0] : a.extra_by_rule[1];
  const auto& all = a.extra_by_rule[0].rule.line == 5 ? a.extra_by_rule[1] : a.extra_by_rule[0];
  for (const auto& o : echo.opens) {
    EXPECT_EQ(o.transport, "icmp");
    EXPECT_EQ(o.icmp_types, std::vector<std::string>{"timestamp-request"});
  }
  ASSERT_EQ(all.opens.size(), 1u) << audit_text(a);
  EXPECT_EQ(all.opens[0].transport, "any");
  auto text = audit_text(a);
  EXPECT_NE(text.find("icmp timestamp-request"), std::string::npos) << text;
  EXPECT_EQ(count_of(text, "z1 -> z2"), 2) << text;  // once under each rule, never twice under one
  // The plan's own ICMP (the LDAP client's ping towards dc1) is blocked: said by its type.
  bool named = false;
  for (const auto& b : a.blocked)
    if (b.transport == "icmp") {
      ASSERT_EQ(b.icmp_types.size(), 1u);
      EXPECT_EQ(b.icmp_types[0], "echo-request");
      named = true;
    }
  EXPECT_TRUE(named) << text;
}

TEST(AuditFindings, RepliesNameTheRuleThatDropsThem) {
  auto site = six_zones();
  auto a = audit_nft(site, R"(table inet fw {
  chain forward {
    type filter hook forward priority filter; policy accept;
    ct state established drop
  }
}
)");
  ASSERT_FALSE(a.replies.empty());
  for (const auto& r : a.replies) {
    ASSERT_EQ(r.rules.size(), 1u);
    EXPECT_EQ(r.rules[0].line, 4);
  }
  EXPECT_NE(audit_text(a).find("fw.nft:4"), std::string::npos);
}

// iptables-save of a host that loaded winports' restore file but not the jump from FORWARD.
TEST(AuditFindings, ASiteChainNothingReachesIsOneFindingWithTheJumpToAdd) {
  auto site = six_zones();
  emit::Input in{site.plan, site.env, catalog::builtin_catalog(), {Lang::en, ""}};
  auto restore = emit::emit_iptables(in);
  ASSERT_TRUE(restore.ok());
  std::string saved = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
  std::istringstream lines(*restore);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != '#' && line != "*filter") saved += line + "\n";
  auto r = read_iptables_save("saved", saved, Path::forward);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto a = audit::audit(site.env, catalog::builtin_catalog(), site.plan, *r, "");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->unreached.size(), 1u) << audit_text(*a);
  EXPECT_EQ(a->unreached[0].run, "iptables -w -I FORWARD 1 -j wp-six");
  EXPECT_TRUE(a->extra.empty()) << audit_text(*a);  // not 40 lines of "any" as its consequence
  EXPECT_TRUE(a->blocked.empty());
  EXPECT_FALSE(a->clean());
  // With the jump, the same file is exactly the plan.
  auto jumped = saved;
  jumped.insert(jumped.rfind("COMMIT"), "-A FORWARD -j wp-six\n");
  auto with_jump = read_iptables_save("saved", jumped, Path::forward);
  ASSERT_TRUE(with_jump.ok()) << with_jump.error().to_string();
  auto clean = audit::audit(site.env, catalog::builtin_catalog(), site.plan, *with_jump, "");
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->unreached.empty());
}

}  // namespace

namespace {

// A field list of one CSV line (quotes as RFC 4180 has them).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

// The predefined inbound rules of a real domain controller (../shared/corpus/windows, from the
// active-directory-firewall project), as the reg export of that DC would hold them: each rule with
// its program (App=), service (Svc=) and group (EmbedCtxt=).
std::string dc_predefined_reg(const std::string& csv_path, int& rules) {
  std::ifstream in(csv_path);
  std::string line, out =
                        "Windows Registry Editor Version 5.00\n\n"
                        "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\"
                        "FirewallPolicy\\FirewallRules]\n";
  std::getline(in, line);  // Name,Group,Protocol,Port,IcmpType,Program,Service,…
  rules = 0;
  while (std::getline(in, line)) {
    auto f = csv_fields(line);
    if (f.size() < 7) continue;
    const auto &name = f[0], &group = f[1], &protocol = f[2], &port = f[3], &icmp = f[4], &program = f[5],
               &service = f[6];
    std::string s = "v2.31|Action=Allow|Active=TRUE|Dir=In|";
    if (protocol == "TCP") s += "Protocol=6|";
    if (protocol == "UDP") s += "Protocol=17|";
    if (protocol == "ICMPv4") s += "Protocol=1|ICMP4=" + icmp.substr(0, icmp.find(':')) + ":*|";
    if (protocol == "ICMPv6") s += "Protocol=58|ICMP6=" + icmp + ":*|";
    if (!port.empty() && port != "Any") s += "LPort=" + (port == "RPCEPMap" ? std::string("RPC-EPMap") : port) + "|";
    std::string app;
    for (char c : program) app += c == '\\' ? std::string("\\\\") : std::string(1, c);
    if (!program.empty()) s += "App=" + app + "|";
    if (!service.empty()) s += "Svc=" + service + "|";
    s += "Name=" + name + "|EmbedCtxt=" + group + "|";
    out += "\"rule" + std::to_string(++rules) + "\"=\"" + s + "\"\n";
  }
  return out;
}

}  // namespace

TEST(AuditFindings, WindowsRulesOfDifferentProgramsNeverCoverEachOtherAndAPortlessOneIsItsProgram) {
  auto csv = std::string(WINPORTS_SOURCE_DIR) + "/../shared/corpus/windows/dc-inbound-builtin-rules.csv";
  ASSERT_TRUE(std::ifstream(csv).good()) << csv << " (../shared beside the clone, as CI has it)";
  int count = 0;
  auto reg = dc_predefined_reg(csv, count);
  ASSERT_GT(count, 40);
  const auto& c = catalog::builtin_catalog();
  auto path = std::string(WINPORTS_EXAMPLES) + "/branch-office.yaml";
  std::ifstream site_in(path);
  std::stringstream site_text;
  site_text << site_in.rdbuf();
  auto env = plan::load_environment({path, site_text.str()}, c);
  ASSERT_TRUE(env.ok());
  auto plan = plan::make_plan(*env, c);
  auto context = host_context(*env, c, "dc1", "domain");
  ASSERT_TRUE(context.ok());
  auto r = read_windows_reg("dc1.reg", reg, *context);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto a = audit::audit(*env, c, plan, *r, "dc1");
  ASSERT_TRUE(a.ok());
  auto text = audit_text(*a);
  // Every "never matches" names rules of the same program (or of every program): a rule for
  // lsass.exe cannot cover one for dns.exe, and the order of Allow rules means nothing.
  std::map<std::string, std::string> scope_at;
  for (const auto& [name, chain] : r->chains)
    for (const auto& rule : chain.rules) scope_at[rule.location.to_string()] = rule.scope;
  for (const auto& s : a->shadowed)
    for (const auto& by : s.by) {
      auto theirs = scope_at[by.to_string()];
      EXPECT_TRUE(theirs.empty() || theirs == scope_at[s.rule.to_string()]) << text;
    }
  EXPECT_EQ(a->shadowed.size(), 0u) << text;  // 14 before programs were told apart (commit 4f4e6a0)
  // Performance Logs and Alerts (plasrv.exe, no port): its program's opening, one line per pair.
  bool plasrv = false;
  for (const auto& e : a->extra)
    if (e.program == "plasrv.exe") {
      plasrv = true;
      EXPECT_TRUE(e.ports.empty());
      EXPECT_EQ(e.transport, "tcp");
    }
  EXPECT_TRUE(plasrv) << text;
  EXPECT_NE(text.find("tcp, the ports plasrv.exe listens on"), std::string::npos) << text;
  EXPECT_NE(text.find("[Performance Logs and Alerts]"), std::string::npos) << text;
  EXPECT_EQ(text.find("0-52,54-87"), std::string::npos) << text;  // not thousands of ports
}
