// The Windows host a PowerShell plan leaves behind, built from the tables read back out of the
// generated script and Windows' predefined rules (data/windows-rules.yaml), then audited: in the
// local store the only openings beyond the plan are the predefined rules the script says it leaves;
// with -Exclusive (a GPO, local rules off) the host is exactly the plan. No PowerShell runs here: what
// the cmdlets do on a real Windows is the part only a Windows host proves (see docs/site-file.md).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "test_util.hpp"
#include "winports/audit/audit.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/environment.hpp"
#include "winports/plan/planner.hpp"

namespace winports {
namespace {

using Entry = std::map<std::string, std::vector<std::string>>;

// One `@{ Key = 'value'; Key = @('a','b'); Key = 3 }` line of a table, as the script holds it.
Entry table_entry(const std::string& line) {
  Entry out;
  std::size_t at = line.find("@{") + 2;
  auto quoted = [&]() {
    std::string v;
    for (++at; at < line.size(); ++at) {
      if (line[at] == '\'' && at + 1 < line.size() && line[at + 1] == '\'') {
        v += '\'';
        ++at;
      } else if (line[at] == '\'') {
        ++at;
        break;
      } else {
        v += line[at];
      }
    }
    return v;
  };
  while (at < line.size()) {
    while (at < line.size() && (line[at] == ' ' || line[at] == ';')) ++at;
    if (at >= line.size() || line[at] == '}') break;
    auto eq = line.find(" = ", at);
    auto key = line.substr(at, eq - at);
    at = eq + 3;
    auto& values = out[key];
    if (line.compare(at, 2, "@(") == 0) {
      at += 2;
      while (at < line.size() && line[at] != ')') {
        if (line[at] == '\'')
          values.push_back(quoted());
        else
          ++at;
      }
      ++at;
    } else if (line[at] == '\'') {
      values.push_back(quoted());
    } else {
      auto end = line.find_first_of(";}", at);
      values.push_back(line.substr(at, end - at - (line[end - 1] == ' ' ? 1 : 0)));
      at = end;
    }
  }
  return out;
}

std::vector<Entry> script_table(const std::string& script, const std::string& variable) {
  std::vector<Entry> out;
  auto start = script.find("\n" + variable + " = @(\n");
  EXPECT_NE(start, std::string::npos) << variable;
  if (start == std::string::npos) return out;
  std::istringstream lines(script.substr(start + variable.size() + 7));
  for (std::string line; std::getline(lines, line) && line != ")";) out.push_back(table_entry(line));
  return out;
}

std::string one(const Entry& e, const std::string& key) {
  auto it = e.find(key);
  return it == e.end() || it->second.empty() ? "" : it->second[0];
}

std::string protocol_number(const std::string& name) {
  if (name == "TCP") return "6";
  if (name == "UDP") return "17";
  if (name == "ICMPv4") return "1";
  if (name == "ICMPv6") return "58";
  return name;
}

std::string reg_escaped(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\\' ? std::string("\\\\") : std::string(1, c);
  return out;
}

// A rule string of the MS-GPFAS grammar, as the registry holds what New-NetFirewallRule made of a
// table entry of the script.
std::string reg_rule(const Entry& e, bool active, bool scoped_to_address) {
  auto protocol = protocol_number(one(e, "Protocol"));
  std::string s =
      std::string("v2.31|Action=Allow|Active=") + (active ? "TRUE" : "FALSE") + "|Dir=In|Protocol=" + protocol + "|";
  if (auto it = e.find("LocalPort"); it != e.end())
    for (const auto& p : it->second) s += "LPort=" + (p == "RPCEPMap" ? std::string("RPC-EPMap") : p) + "|";
  if (auto it = e.find("RemotePort"); it != e.end())
    for (const auto& p : it->second) s += "RPort=" + p + "|";
  if (auto it = e.find("IcmpType"); it != e.end())
    for (const auto& t : it->second)
      s +=
          std::string(protocol == "1" ? "ICMP4=" : "ICMP6=") + t + (t.find(':') == std::string::npos ? ":*" : "") + "|";
  if (auto it = e.find("RemoteAddress"); it != e.end())
    for (const auto& a : it->second) {
      if (a == "LocalSubnet6")
        s += "RA6=LocalSubnet|";
      else
        s += std::string(a.find(':') != std::string::npos ? "RA6=" : "RA4=") + a + "|";
    }
  if (scoped_to_address)  // a dual-stack host's rules name both of its addresses
    for (const auto& a : e.at("Address"))
      s += std::string(a.find(':') != std::string::npos ? "LA6=" : "LA4=") + a + "|";
  if (auto p = one(e, "Program"); !p.empty()) s += "App=" + reg_escaped(p) + "|";
  if (auto v = one(e, "Service"); !v.empty()) s += "Svc=" + v + "|";
  return s + "Name=" + one(e, "DisplayName") + "|EmbedCtxt=" + one(e, "Group") + "|";
}

// The same for a predefined rule of the data, as Windows installs it.
std::string reg_predefined(const catalog::PredefinedRule& p, bool active) {
  Entry e;
  e["Protocol"] = {std::to_string(p.protocol)};
  if (p.keyword == catalog::PortKeyword::rpc) e["LocalPort"] = {"RPC"};
  if (p.keyword == catalog::PortKeyword::rpc_epmap) e["LocalPort"] = {"RPCEPMap"};
  for (auto r : p.local_ports.ranges()) e["LocalPort"].push_back(r.to_string());
  for (auto r : p.remote_ports.ranges()) e["RemotePort"].push_back(r.to_string());
  if (!p.icmp.empty()) e["IcmpType"] = p.icmp;
  if (!p.remote.empty()) e["RemoteAddress"] = p.remote;
  if (!p.program.empty()) e["Program"] = {p.program};
  if (!p.service.empty()) e["Service"] = {p.service};
  e["DisplayName"] = {p.display};
  e["Group"] = {p.group};
  auto s = reg_rule(e, active, false);
  std::string profiles;
  for (const auto& profile : p.profiles)
    profiles += "Profile=" + std::string(1, static_cast<char>(std::toupper(profile[0]))) + profile.substr(1) + "|";
  return s.insert(s.find("|Dir=In|") + 8, profiles);
}

constexpr const char* kRegHeader = "Windows Registry Editor Version 5.00\n\n";
constexpr const char* kLocalRules =
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\"
    "FirewallRules]\n";
constexpr const char* kPolicy = "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall";

struct Site {
  plan::Environment env;
  plan::Plan plan;
  std::string script;
};

Site load(const std::string& path, const std::string& text) {
  const auto& c = catalog::builtin_catalog();
  auto env = plan::load_environment({path, text}, c);
  EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().to_string());
  auto plan = plan::make_plan(*env, c);
  emit::Input in{plan, *env, c, {Lang::en, ""}};
  auto script = emit::emit_powershell(in);
  EXPECT_TRUE(script.ok());
  return {*env, plan, script.ok() ? *script : ""};
}

Site load_file(const std::string& path) { return load(path, test::slurp(path)); }

std::vector<const catalog::PredefinedRule*> enabled_on(const Site& s, const plan::Host& h) {
  const auto& c = catalog::builtin_catalog();
  const auto* os = c.os(s.env.os_of(h));
  return c.predefined_enabled(h.roles, os && os->kind != "both" ? os->kind : "");
}

std::set<std::string> names_of(const std::vector<Entry>& table, const std::string& host) {
  std::set<std::string> out;
  for (const auto& e : table)
    if (one(e, "Host") == host) out.insert(one(e, "Name"));
  return out;
}

// The rule names an audit reports as opening more than the plan (the registry value names).
std::set<std::string> extra_rules(const audit::Audit& a) {
  std::set<std::string> out;
  for (const auto& r : a.extra_by_rule) {
    auto name = r.text.substr(0, r.text.find('='));  // "[Group] Name=v2.31|…"
    out.insert(name.substr(name.find("] ") == std::string::npos ? 0 : name.find("] ") + 2));
  }
  return out;
}

audit::Audit audit_host(const Site& s, const std::string& host, const std::string& reg) {
  const auto& c = catalog::builtin_catalog();
  auto context = audit::host_context(s.env, c, host, "domain");
  EXPECT_TRUE(context.ok());
  auto ruleset = audit::read_windows_reg(host + ".reg", reg, *context);
  EXPECT_TRUE(ruleset.ok()) << (ruleset.ok() ? "" : ruleset.error().to_string());
  auto a = audit::audit(s.env, c, s.plan, *ruleset, host);
  EXPECT_TRUE(a.ok());
  return *a;
}

// Every host the script has rules for, in the local store: Windows' predefined rules as Windows
// enables them, the ones in $supersede disabled, the host's rules of $rules added.
void local_store_is_the_plan_and_what_is_left(const Site& s, int& hosts_checked) {
  auto rules = script_table(s.script, "$rules");
  auto supersede = script_table(s.script, "$supersede");
  auto left = script_table(s.script, "$left");
  std::set<std::string> hosts;
  for (const auto& r : rules) hosts.insert(one(r, "Host"));
  for (const auto& host : hosts) {
    const auto* h = s.env.host(host);
    ASSERT_NE(h, nullptr) << host;
    auto disabled = names_of(supersede, host);
    std::string reg = std::string(kRegHeader) + kLocalRules;
    std::set<std::string> expected;
    for (const auto* p : enabled_on(s, *h)) {
      reg += "\"" + p->name + "\"=\"" + reg_predefined(*p, !disabled.contains(p->name)) + "\"\n";
      // The audit is of the domain profile: a left rule of the public profile only is not in it.
      bool in_profile =
          p->profiles.empty() || std::find(p->profiles.begin(), p->profiles.end(), "domain") != p->profiles.end();
      if (names_of(left, host).contains(p->name) && in_profile) expected.insert(p->name);
    }
    int n = 0;
    for (const auto& r : rules)
      if (one(r, "Host") == host)
        reg += "\"winports:" + s.env.site + ":" + host + ":" + std::to_string(++n) + ":0\"=\"" +
               reg_rule(r, true, false) + "\"\n";
    auto a = audit_host(s, host, reg);
    EXPECT_TRUE(a.blocked.empty()) << s.env.site << " " << host << ": " << audit::audit_text(a);
    EXPECT_EQ(extra_rules(a), expected) << s.env.site << " " << host << ": " << audit::audit_text(a);
    for (const auto& name : disabled) EXPECT_FALSE(names_of(left, host).contains(name)) << name;
    ++hosts_checked;
  }
}

// The same hosts under the -Exclusive GPO: the plan's rules of every host (each scoped to its host's
// address), the base rules, the profile blocking inbound with local rules off; the local store as
// Windows has it, plus an administrator's own rule that opens RDP to everyone.
void exclusive_gpo_is_exactly_the_plan(const Site& s, int& hosts_checked) {
  auto rules = script_table(s.script, "$rules");
  auto base = script_table(s.script, "$base");
  ASSERT_FALSE(base.empty());
  std::string policy = std::string(kPolicy) + "\\FirewallRules]\n";
  int n = 0;
  for (const auto& r : rules)
    policy += "\"winports:" + s.env.site + ":" + one(r, "Host") + ":" + std::to_string(++n) + ":0\"=\"" +
              reg_rule(r, true, true) + "\"\n";
  for (const auto& b : base)
    policy += "\"winports:" + s.env.site + ":base:" + one(b, "Name") + ":0\"=\"" + reg_rule(b, true, false) + "\"\n";
  for (const char* profile : {"DomainProfile", "PrivateProfile", "PublicProfile"})
    policy += std::string("\n") + kPolicy + "\\" + profile +
              "]\n\"EnableFirewall\"=dword:00000001\n\"DefaultInboundAction\"=dword:00000001\n"
              "\"AllowLocalPolicyMerge\"=dword:00000000\n";
  std::set<std::string> hosts;
  for (const auto& r : rules) hosts.insert(one(r, "Host"));
  for (const auto& host : hosts) {
    const auto* h = s.env.host(host);
    std::string local = kLocalRules;
    for (const auto* p : enabled_on(s, *h)) local += "\"" + p->name + "\"=\"" + reg_predefined(*p, true) + "\"\n";
    local += "\"admin-rdp\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|Name=RDP for all|\"\n";
    auto a = audit_host(s, host, std::string(kRegHeader) + local + "\n" + policy);
    EXPECT_TRUE(a.blocked.empty()) << s.env.site << " " << host << ": " << audit::audit_text(a);
    EXPECT_TRUE(a.extra.empty()) << s.env.site << " " << host << ": " << audit::audit_text(a);
    EXPECT_TRUE(a.unreached.empty()) << s.env.site << " " << host << ": " << audit::audit_text(a);
    ++hosts_checked;
  }
}

TEST(WindowsHost, EveryExampleInTheLocalStoreOpensOnlyThePlanAndWhatTheScriptSaysItLeaves) {
  int hosts = 0;
  for (const char* name : {"branch-office", "dmz", "mixed-domain", "modern-company"})
    local_store_is_the_plan_and_what_is_left(load_file(std::string(WINPORTS_EXAMPLES) + "/" + name + ".yaml"), hosts);
  EXPECT_GT(hosts, 15);
}

TEST(WindowsHost, EveryExampleUnderTheExclusiveGpoIsExactlyThePlan) {
  int hosts = 0;
  for (const char* name : {"branch-office", "dmz", "mixed-domain", "modern-company"})
    exclusive_gpo_is_exactly_the_plan(load_file(std::string(WINPORTS_EXAMPLES) + "/" + name + ".yaml"), hosts);
  EXPECT_GT(hosts, 15);
}

// A domain controller, a file and print server and a Windows 11 client, each in both modes, with
// what the script disables and leaves on each checked by name.
constexpr const char* kThreeHosts = R"(site: three
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
  admin: { networks: [198.18.30.0/24], os: windows-11 }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
  fs1: { address: 198.18.20.20, zone: servers, roles: [file-server, print-server] }
  pc1: { address: 198.18.10.50, zone: clients }
access:
  - { from: clients, to: dc1, as: domain-member }
  - { from: clients, to: fs1, as: file-client }
  - { from: clients, to: fs1, as: print-client }
  - { from: fs1, to: dc1, as: domain-member }
  - { from: admin, to: pc1, as: remote-admin }
settings:
  netbios: false
)";

TEST(WindowsHost, ADomainControllerAFileServerAndAWindows11Client) {
  auto s = load("three.yaml", kThreeHosts);
  int hosts = 0;
  local_store_is_the_plan_and_what_is_left(s, hosts);
  exclusive_gpo_is_exactly_the_plan(s, hosts);
  EXPECT_EQ(hosts, 6);
  auto supersede = script_table(s.script, "$supersede");
  auto left = script_table(s.script, "$left");
  // The DC: LDAP, Kerberos, DNS and RPC are the plan's now; SAM/LSA over UDP is not (the KB has no
  // such row), nor is ADWS without an AD administration entry.
  for (const char* name : {"ADDS-LDAP-TCP-In", "ADDS-Kerberos-UDP-In", "DNSSrv-DNS-UDP-In", "ADDS-RPC-TCP-In"})
    EXPECT_TRUE(names_of(supersede, "dc1").contains(name)) << name;
  for (const char* name : {"ADDS-NP-UDP-In", "ADWS-TCP-In"}) EXPECT_TRUE(names_of(left, "dc1").contains(name)) << name;
  // The file server's SMB and spooler RPC are the plan's; the client's Delivery Optimization is not.
  for (const char* name : {"FPS-SMB-In-TCP", "FPS-SpoolSvc-In-TCP"})
    EXPECT_TRUE(names_of(supersede, "fs1").contains(name)) << name;
  EXPECT_TRUE(names_of(left, "pc1").contains("DeliveryOptimization-TCP-In"));
  // Base rules are neither disabled nor listed: every host keeps them.
  for (const auto& e : supersede) EXPECT_EQ(one(e, "Name").rfind("CoreNet-DHCP", 0), std::string::npos);
  for (const auto& e : left) EXPECT_NE(one(e, "Name"), "CoreNet-ICMP6-NDS-In");
}

}  // namespace
}  // namespace winports

namespace winports {
namespace {

// netsh cannot disable a rule by Name: its header names, per host, every predefined rule that stays
// on, which is what the PowerShell output disables and what it leaves.
TEST(WindowsHost, TheNetshOutputNamesThePredefinedRulesItCannotTurnOff) {
  auto s = load("three.yaml", kThreeHosts);
  const auto& c = catalog::builtin_catalog();
  emit::Input in{s.plan, s.env, c, {Lang::en, ""}};
  auto netsh = emit::emit_netsh(in);
  ASSERT_TRUE(netsh.ok());
  for (const char* host : {"dc1", "fs1", "pc1"}) {
    auto at = netsh->find(std::string("rem ") + host + ": predefined rules that stay on:");
    ASSERT_NE(at, std::string::npos) << host;
    std::istringstream words(netsh->substr(at, netsh->find("\r\n", at) - at));
    std::set<std::string> named;
    for (std::string w; words >> w;) named.insert(w);
    auto expected = names_of(script_table(s.script, "$supersede"), host);
    for (const auto& n : names_of(script_table(s.script, "$left"), host)) expected.insert(n);
    for (const auto& n : expected) EXPECT_TRUE(named.contains(n)) << host << " " << n;
  }
  EXPECT_NE(netsh->find("set allprofiles settings localfirewallrules disable"), std::string::npos);
}

}  // namespace
}  // namespace winports

namespace winports {
namespace {

// The pre-flight of -Exclusive on a DC already loaded in local mode, where an administrator also
// opened a backup agent's port: every Allow rule outside the site's group stops applying, and the
// ones opening beyond the plan (what was left, and the agent) are said to stop working.
TEST(WindowsHost, ThePreflightOfExclusiveListsTheLocalRulesThatStopApplying) {
  auto s = load("three.yaml", kThreeHosts);
  const auto* h = s.env.host("dc1");
  auto rules = script_table(s.script, "$rules");
  auto disabled = names_of(script_table(s.script, "$supersede"), "dc1");
  std::string reg = std::string(kRegHeader) + kLocalRules;
  for (const auto* p : enabled_on(s, *h))
    reg += "\"" + p->name + "\"=\"" + reg_predefined(*p, !disabled.contains(p->name)) + "\"\n";
  int n = 0;
  for (const auto& r : rules)
    if (one(r, "Host") == "dc1") {
      auto e = r;
      e["Group"] = {"winports:three"};
      reg += "\"winports:three:dc1:" + std::to_string(++n) + ":0\"=\"" + reg_rule(e, true, false) + "\"\n";
    }
  reg += "\"backup-agent\"=\"v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=10000|Name=Backup agent|\"\n";
  const auto& c = catalog::builtin_catalog();
  auto context = audit::host_context(s.env, c, "dc1", "domain");
  ASSERT_TRUE(context.ok());
  auto ruleset = audit::read_windows_reg("dc1.reg", reg, *context);
  ASSERT_TRUE(ruleset.ok());
  auto a = audit::audit(s.env, c, s.plan, *ruleset, "dc1");
  ASSERT_TRUE(a.ok());
  audit::exclusive_preflight(*a, *ruleset, "winports:three");
  auto beyond = extra_rules(*a);
  ASSERT_TRUE(beyond.contains("backup-agent"));
  std::set<std::string> stopping;
  for (const auto& r : a->stops_applying) {
    auto name = r.text.substr(0, r.text.find('='));
    name = name.substr(name.find("] ") == std::string::npos ? 0 : name.find("] ") + 2);
    stopping.insert(name);
    EXPECT_EQ(r.beyond_plan, beyond.contains(name)) << name;
    EXPECT_EQ(name.rfind("winports:three:", 0), std::string::npos) << "the site's own rules come with the GPO";
  }
  for (const auto& name : beyond) EXPECT_TRUE(stopping.contains(name)) << name;
  auto text = audit::audit_text(*a);
  EXPECT_NE(text.find("local rule(s) stop applying on dc1"), std::string::npos) << text;
  EXPECT_NE(text.find("backup-agent"), std::string::npos);
}

}  // namespace
}  // namespace winports

namespace winports {
namespace {

// The state file, as a model: a host's predefined rules (Name → enabled) and the names the state
// records. The script's steps, in the order the next test holds them to: read the state, keep the
// names of $supersede that are enabled now, record the union, then disable them; -Undo enables
// every recorded name and forgets the state.
struct HostModel {
  std::map<std::string, bool> enabled;
  std::set<std::string> recorded;
  void load(const std::set<std::string>& supersede) {
    std::set<std::string> now;
    for (const auto& name : supersede)
      if (enabled.contains(name) && enabled[name]) now.insert(name);
    recorded.insert(now.begin(), now.end());  // written before anything is disabled
    for (const auto& name : now) enabled[name] = false;
  }
  void undo() {
    for (const auto& name : recorded) enabled[name] = true;
    recorded.clear();
  }
};

TEST(WindowsHost, UndoRestoresWhatWasEnabledBeforeEvenAfterReplansAndAnAdministratorsChanges) {
  auto s = load("three.yaml", kThreeHosts);
  auto supersede = names_of(script_table(s.script, "$supersede"), "dc1");
  ASSERT_FALSE(supersede.empty());
  HostModel dc;
  for (const auto* p : enabled_on(s, *s.env.host("dc1"))) dc.enabled[p->name] = true;
  dc.enabled["ADDS-LDAPGC-TCP-In"] = false;  // an administrator had turned the GC rule off
  auto before = dc.enabled;
  dc.load(supersede);
  for (const auto& name : supersede) EXPECT_FALSE(dc.enabled[name]) << name;
  EXPECT_FALSE(dc.recorded.contains("ADDS-LDAPGC-TCP-In")) << "off before: -Undo must not turn it on";
  dc.load(supersede);  // a re-plan finds them off already: the record keeps what the first run found
  dc.undo();
  EXPECT_EQ(dc.enabled, before);
  // The script does those steps in that order.
  const auto& t = s.script;
  auto read = t.find("$state = Read-WinportsState\n  $disabledNow = @()");
  auto keep = t.find("if ($existing -and $existing.Enabled -eq 'True'", read);
  auto merge = t.find("$state.Disabled = @(@($state.Disabled) + $disabledNow | Select-Object -Unique)", keep);
  auto write = t.find("Write-WinportsState $state", merge);
  auto disable = t.find("foreach ($name in $disabledNow) { Disable-NetFirewallRule", write);
  for (auto at : {read, keep, merge, write, disable}) EXPECT_NE(at, std::string::npos);
  EXPECT_LT(read, keep);
  EXPECT_LT(keep, merge);
  EXPECT_LT(merge, write);
  EXPECT_LT(write, disable);
  auto undo = t.find("if ($Undo) {");
  auto enable = t.find("foreach ($name in @($state.Disabled)) {", undo);
  EXPECT_NE(enable, std::string::npos);
  EXPECT_LT(enable, t.find("Enable-NetFirewallRule @store -Name $name", undo));
  // -ConfirmWithin needs the local store; -Exclusive needs a GPO.
  EXPECT_NE(t.find("if ($ConfirmWithin -gt 0 -and $gpo) {\n  throw"), std::string::npos);
  EXPECT_NE(t.find("if ($Exclusive -and -not $gpo) {\n  throw"), std::string::npos);
}

}  // namespace
}  // namespace winports

namespace winports {
namespace {

// #28: a program's rule allows only its own services. LDAP to a DC whose only rule for TCP 389 is
// the DNS server's is blocked, and the finding names LDAP's services, not DNS's; the same port for
// lsass.exe is the plan. A program the data does not know is still taken to be the listener, and said.
TEST(WindowsHost, AProgramsRuleAllowsOnlyTheServicesThatProgramServes) {
  auto s = load("three.yaml", kThreeHosts);
  const auto& c = catalog::builtin_catalog();
  auto context = audit::host_context(s.env, c, "dc1", "domain");
  ASSERT_TRUE(context.ok());
  auto run = [&](const std::string& app) {
    std::string reg = std::string(kRegHeader) + kLocalRules;
    int n = 0;
    for (const auto& r : script_table(s.script, "$rules"))
      if (one(r, "Host") == "dc1") {
        auto e = r;
        auto& ports = e["LocalPort"];
        if (std::find(ports.begin(), ports.end(), "389") != ports.end() && one(e, "Protocol") == "TCP") {
          // TCP 389 moves to a rule of its own, for `app`.
          std::erase(ports, "389");
          Entry ldap = r;
          ldap["LocalPort"] = {"389"};
          ldap["Program"] = {app};
          reg += "\"ldap\"=\"" + reg_rule(ldap, true, false) + "\"\n";
        }
        reg += "\"r" + std::to_string(++n) + "\"=\"" + reg_rule(e, true, false) + "\"\n";
      }
    auto ruleset = audit::read_windows_reg("dc1.reg", reg, *context);
    EXPECT_TRUE(ruleset.ok());
    auto a = audit::audit(s.env, c, s.plan, *ruleset, "dc1");
    EXPECT_TRUE(a.ok());
    return *a;
  };
  auto dns = run("%systemroot%\\System32\\dns.exe");
  ASSERT_FALSE(dns.blocked.empty()) << audit::audit_text(dns) << "\n" << dns.rules;
  for (const auto& b : dns.blocked) {
    EXPECT_EQ(b.ports.to_string(), "389") << audit::audit_text(dns);
    EXPECT_NE(std::find(b.services.begin(), b.services.end(), "active-directory"), b.services.end());
    EXPECT_EQ(std::find(b.services.begin(), b.services.end(), "dns-server"), b.services.end());
  }
  auto lsass = run("%systemroot%\\System32\\lsass.exe");
  EXPECT_TRUE(lsass.blocked.empty()) << audit::audit_text(lsass);
  auto unknown = run("C:\\Program Files\\Directory\\ldapd.exe");
  EXPECT_TRUE(unknown.blocked.empty()) << audit::audit_text(unknown);
  bool said = false;
  for (const auto& note : unknown.assumptions)
    said = said || note.en.find(
                       "rules name a program or service (App=/Svc=): the listener of their ports is "
                       "taken to be that program") != std::string::npos;
  EXPECT_TRUE(said) << audit::audit_text(unknown);
}

}  // namespace
}  // namespace winports
