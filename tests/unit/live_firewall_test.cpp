// The outputs loaded into a running firewall decide only the site's traffic: nftables' base chain
// accepts by default and jumps to the site's chain only for both ends in the site; iptables'
// chains are the site's own, for --noflush, and never touch FORWARD's or INPUT's policy. (The
// netns test deploy_safety_test.sh loads them into a real router holding other rules.)
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "../../src/emit/common.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"

using namespace winports;
using namespace winports::plan;

namespace {

constexpr const char* kSite = R"(
site: "scope test with a rather long name"
zones:
  lan: { networks: [198.18.10.0/24, "2001:db8:10::/64"], os: windows-11 }
  srv: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.20.10, zone: srv, roles: [domain-controller] }
  fs1: { address: 198.18.20.20, zone: srv, roles: [file-server] }
access:
  - { from: lan, to: dc1, as: domain-member }
  - { from: lan, to: fs1, as: file-client }
settings: { netbios: false }
)";

struct Fixture {
  Environment env;
  Plan plan;
};

Fixture load() {
  const auto& c = catalog::builtin_catalog();
  auto env = load_environment({"scope.yaml", kSite}, c);
  EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().to_string());
  auto plan = make_plan(*env, c);
  return {*env, plan};
}

std::vector<std::string> strings(const std::vector<Network>& nets) {
  std::vector<std::string> out;
  for (const auto& n : nets) out.push_back(n.to_string());
  return out;
}

std::vector<std::string> matches(const std::string& text, const std::string& pattern) {
  std::vector<std::string> out;
  std::regex re(pattern);
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

}  // namespace

TEST(LiveFirewall, SiteNetworksAreZonesAndHostsWithoutOverlap) {
  auto f = load();
  // The hosts lie inside srv's network: one element each for the zones, no overlapping hosts.
  EXPECT_EQ(strings(emit::detail::site_networks(f.env, 4)),
            (std::vector<std::string>{"198.18.10.0/24", "198.18.20.0/24"}));
  EXPECT_EQ(strings(emit::detail::site_networks(f.env, 6)), (std::vector<std::string>{"2001:db8:10::/64"}));
}

TEST(LiveFirewall, NftablesBaseChainAcceptsAndJumpsOnlyForTheSite) {
  auto f = load();
  const auto& c = catalog::builtin_catalog();
  for (std::string host : {"", "dc1"}) {
    auto text = emit::emit_nftables({f.plan, f.env, c, {Lang::en, host, true}});
    ASSERT_TRUE(text.ok());
    std::string hook = host.empty() ? "forward" : "input";
    EXPECT_NE(text->find("type filter hook " + hook + " priority filter; policy accept;"), std::string::npos);
    EXPECT_EQ(text->find("policy drop"), std::string::npos) << "a base chain's drop would drop other traffic";
    // The base chain holds nothing but the jumps for the site's traffic.
    auto base = text->substr(text->find("chain " + hook + " {"));
    base = base.substr(0, base.find("\n\t}"));
    auto jumps = matches(base, R"(\n\t\t(ip6? saddr[^\n]*))");
    if (host.empty())
      EXPECT_EQ(jumps, (std::vector<std::string>{"ip saddr @site_v4 ip daddr @site_v4 jump site",
                                                 "ip6 saddr @site_v6 ip6 daddr @site_v6 jump site"}));
    else
      EXPECT_EQ(jumps, (std::vector<std::string>{"ip saddr @site_v4 jump site", "ip6 saddr @site_v6 jump site"}));
    EXPECT_EQ(matches(*text, R"(set site_v4 \{[^}]*elements = \{ ([^}]*) \})"),
              (std::vector<std::string>{"198.18.10.0/24, 198.18.20.0/24"}));
    // The site chain ends with a rate-limited log (its own rule: an exceeded limit must not skip
    // the drop) and the counted drop.
    auto tail = text->substr(text->rfind("# Not in the plan"));
    EXPECT_NE(tail.find("limit rate 10/second burst 20 packets log prefix \"winports scopetestwitharat: \"\n"
                        "\t\tcounter name unplanned drop\n\t}\n}\n"),
              std::string::npos)
        << tail;
    // Replacing is one transaction on the site's table only.
    EXPECT_NE(text->find("table inet winports_scope_test_with_a_rather_long_name\n"
                         "delete table inet winports_scope_test_with_a_rather_long_name\n"),
              std::string::npos);
    EXPECT_EQ(matches(*text, R"(\n(table|delete table|flush ruleset)[^\n]*)").size(), 3u);
  }
}

TEST(LiveFirewall, IptablesDeclaresOnlyTheSitesChainsAndRoutesOnlyTheSite) {
  auto f = load();
  const auto& c = catalog::builtin_catalog();
  auto text = emit::emit_iptables({f.plan, f.env, c, {Lang::en, "", false}});
  ASSERT_TRUE(text.ok());
  // Chain names fit iptables' 28 characters; the long site name is cut and hashed.
  auto declared = matches(*text, R"(\n:(\S+) )");
  ASSERT_EQ(declared.size(), 3u);
  for (const auto& name : declared) {
    EXPECT_LE(name.size(), 28u) << name;
    EXPECT_EQ(name.rfind("wp-scope_test_", 0), 0u) << name;
  }
  EXPECT_EQ(matches(*text, R"(\n:(FORWARD|INPUT|OUTPUT) )").size(), 0u) << "a built-in chain's policy is not ours";
  EXPECT_EQ(matches(*text, R"(\n-A (FORWARD|INPUT|OUTPUT) )").size(), 0u);
  EXPECT_EQ(matches(*text, "\\n-A " + declared[0] + " -s (\\S+) -g " + declared[1]),
            (std::vector<std::string>{"198.18.10.0/24", "198.18.20.0/24"}));
  EXPECT_EQ(matches(*text, "\\n-A " + declared[1] + " -d (\\S+) -g " + declared[2]).size(), 2u);
  EXPECT_NE(text->find("--noflush"), std::string::npos) << "the header says how to load it";
  EXPECT_NE(text->rfind("-A " + declared[2] + " -m comment --comment \"not in the plan\" -j DROP\nCOMMIT\n"),
            std::string::npos);

  // Another site's chains never collide with these, even with the same cut prefix.
  auto other = f.env;
  other.site = "scope test with a rather long name, too";
  auto other_text = emit::emit_iptables({f.plan, other, c, {Lang::en, "", false}});
  ASSERT_TRUE(other_text.ok());
  EXPECT_NE(matches(*other_text, R"(\n:(\S+) )")[0], declared[0]);
}

TEST(LiveFirewall, LogPrefixFitsTheLogTargetAndQuotesNothing) {
  // The LOG target takes 28 characters; quotes or spaces from the site name must not break out.
  auto prefix = emit::detail::log_prefix("a \"quoted\" site; drop");
  EXPECT_EQ(prefix, "winports aquotedsitedrop: ");
  EXPECT_EQ(emit::detail::log_prefix(std::string(100, 'x')).size(), 28u);
}

TEST(LiveFirewall, IptablesScriptAddsTheJumpOnlyIfMissing) {
  auto f = load();
  const auto& c = catalog::builtin_catalog();
  for (std::string host : {"", "dc1"}) {
    auto text = emit::emit_iptables_script({f.plan, f.env, c, {Lang::en, host, false}});
    ASSERT_TRUE(text.ok());
    std::string hook = host.empty() ? "FORWARD" : "INPUT";
    EXPECT_EQ(text->rfind("#!/bin/sh\n", 0), 0u);
    EXPECT_NE(text->find("\nset -eu\n"), std::string::npos);
    for (std::string tool : {"iptables", "ip6tables"}) {
      auto restore = text->find("\n" + tool + "-restore -w --noflush <<'WINPORTS_RULES'\n");
      ASSERT_NE(restore, std::string::npos) << tool;
      auto jump = matches(*text, "\\n(" + tool + " -w -C " + hook + " -j \\S+ 2>/dev/null \\|\\| " + tool + " -w -I " +
                                     hook + " 1 -j \\S+)\\n");
      ASSERT_EQ(jump.size(), 1u) << tool << "\n" << *text;
      EXPECT_GT(text->find(jump[0]), restore) << "the jump comes after its chain exists";
    }
  }
}

namespace {

constexpr const char* kWindowsSite = R"(
site: win
zones:
  lan: { networks: [198.18.10.0/24], os: windows-11 }
  srv: { networks: [198.18.20.0/24] }
hosts:
  dc1: { address: 198.18.20.10, zone: srv, os: windows-server-2022, roles: [domain-controller] }
  dc08: { address: 198.18.20.11, zone: srv, os: windows-server-2008-r2, roles: [domain-controller] }
  dc03: { address: 198.18.20.12, zone: srv, os: windows-server-2003, roles: [domain-controller] }
access:
  - { from: lan, to: role:domain-controller, as: domain-member }
settings: { netbios: false }
)";

struct Emitted {
  std::string text;
  std::vector<std::string> warnings;
};

Emitted emit_windows(emit::EmitFunction f, Lang lang = Lang::en) {
  const auto& c = catalog::builtin_catalog();
  auto env = load_environment({"win.yaml", kWindowsSite}, c);
  EXPECT_TRUE(env.ok());
  auto plan = make_plan(*env, c);
  Emitted out;
  auto text = f({plan, *env, c, {lang, ""}, &out.warnings});
  EXPECT_TRUE(text.ok());
  out.text = *text;
  return out;
}

std::size_t at(const std::string& text, const std::string& what) {
  auto p = text.find(what);
  EXPECT_NE(p, std::string::npos) << what;
  return p;
}

}  // namespace

TEST(LiveFirewall, PowerShellCreatesFirstThenRemovesAndRollsBack) {
  auto ps = emit_windows(emit::emit_powershell);
  const auto& t = ps.text;
  EXPECT_EQ(t.rfind("\xEF\xBB\xBF# winports plan", 0), 0u) << "UTF-8 with a BOM, for Windows PowerShell 5.1";
  // Parameters: the store (local or a GPO), the profiles, -WhatIf through ShouldProcess.
  EXPECT_LT(at(t, "[CmdletBinding(SupportsShouldProcess = $true)]\nparam("), at(t, "#Requires -Modules NetSecurity"));
  at(t, "[string] $PolicyStore = 'PersistentStore'");
  at(t, "[Alias('Profile')] [ValidateSet('Any', 'Domain', 'Private', 'Public')] [string[]] $FirewallProfile");
  at(t, "Profile = $FirewallProfile");
  at(t, "$store = @{ GPOSession = (Open-NetGPO -PolicyStore $PolicyStore) }");
  at(t, "if ($gpo -and $r.ContainsKey('Address')) { $rule['LocalAddress'] = $r.Address }");
  at(t, "if ($gpo -and -not $WhatIfPreference) { Save-NetGPO -GPOSession $store.GPOSession }");
  EXPECT_EQ(t.find("Profile Any"), std::string::npos) << "the profile is a parameter, not fixed";
  // Order on the path that loads a plan (-Undo and -Commit return before it): the previous rules are
  // read, the new ones created under a fresh name, and only then are the previous ones removed; a
  // failed creation removes this run's rules and rethrows.
  const std::string whole = t;
  const std::string loading = whole.substr(at(whole, "if ($gpo) { $selected = @($rules) }"));
  {
    const auto& t = loading;
    auto read_previous = at(t, "$previous = @(Get-NetFirewallRule @store -Group $group");
    auto create = at(t, "New-NetFirewallRule @store @rule");
    auto rollback = at(t, "} catch {");
    auto remove_created = at(t, "foreach ($name in $created) { Remove-NetFirewallRule @store -Name $name");
    auto rethrow = t.find("throw", remove_created);
    auto remove_previous = at(t, "Remove-NetFirewallRule @store -Name $old.Name");
    auto save = at(t, "Save-NetGPO");
    EXPECT_LT(read_previous, create);
    EXPECT_LT(create, rollback);
    EXPECT_LT(rollback, remove_created);
    EXPECT_LT(remove_created, rethrow);
    EXPECT_LT(rethrow, remove_previous);
    EXPECT_LT(remove_previous, save);
    EXPECT_GT(t.find("Remove-NetFirewallRule"), create) << "nothing is removed before the new rules exist";
    // -WhatIf: each change goes through ShouldProcess.
    auto guard = t.rfind("$PSCmdlet.ShouldProcess", create);
    EXPECT_NE(guard, std::string::npos);
    EXPECT_GT(guard, read_previous);
    EXPECT_NE(t.rfind("$PSCmdlet.ShouldProcess", remove_previous), guard);
  }
}

TEST(LiveFirewall, PowerShellDisplayNamesSayWhatTheRuleIsFor) {
  auto en = emit_windows(emit::emit_powershell);
  at(en.text, "DisplayName = 'win: lan \u2192 dc1 \u2014 DNS, Kerberos, ");
  at(en.text, "DisplayName = 'win: lan \u2192 dc1 \u2014 RPC (TCP RPCEPMap)'");
  auto ja = emit_windows(emit::emit_powershell, Lang::ja);
  at(ja.text, "DisplayName = 'win: lan \u2192 dc1 \u2014 DNS, Kerberos, LDAP, LDAP \u30b5\u30fc\u30d0\u30fc");
}

TEST(LiveFirewall, HostsWhoseWindowsCannotRunTheScriptAreRefusedByName) {
  auto ps = emit_windows(emit::emit_powershell);
  EXPECT_EQ(ps.text.find("Host = 'dc08'"), std::string::npos);
  EXPECT_EQ(ps.text.find("Host = 'dc03'"), std::string::npos);
  EXPECT_NE(ps.text.find("Host = 'dc1'"), std::string::npos);
  ASSERT_EQ(ps.warnings.size(), 2u);
  EXPECT_NE(ps.warnings[0].find("no rules for dc08 (Windows Server 2008 R2)"), std::string::npos);
  EXPECT_NE(ps.warnings[0].find("use --format netsh"), std::string::npos);
  EXPECT_NE(ps.warnings[1].find("no rules for dc03 (Windows Server 2003)"), std::string::npos);
  EXPECT_NE(ps.warnings[1].find("no host-firewall output exists"), std::string::npos);

  auto netsh = emit_windows(emit::emit_netsh);
  EXPECT_NE(netsh.text.find("\"dc08\" goto"), std::string::npos) << "netsh serves 2008 R2";
  EXPECT_EQ(netsh.text.find("\"dc03\""), std::string::npos);
  ASSERT_EQ(netsh.warnings.size(), 1u);
  EXPECT_NE(netsh.warnings[0].find("no rules for dc03 (Windows Server 2003)"), std::string::npos);
}

TEST(LiveFirewall, NetshAddsUnderTheUnusedNameThenDeletesTheOther) {
  auto netsh = emit_windows(emit::emit_netsh);
  const auto& t = netsh.text;
  // The name in use decides the new one.
  auto probe = at(t,
                  "netsh advfirewall firewall show rule name=\"winports:win:a\" >nul 2>&1\r\n"
                  "if not errorlevel 1 (\r\n  set \"WP_NEW=winports:win:b\"\r\n  set \"WP_OLD=winports:win:a\"\r\n)");
  auto add = at(t, "firewall add rule name=\"%WP_NEW%\"");
  auto delete_old = at(t, ":replaced\r\nnetsh advfirewall firewall delete rule name=\"%WP_OLD%\" >nul 2>&1");
  EXPECT_LT(probe, add);
  EXPECT_LT(add, delete_old);
  EXPECT_GT(t.find("delete rule"), t.rfind("add rule")) << "nothing is deleted before the new rules exist";
  // netsh reports errors on standard output: it is kept, and shown when a command fails.
  EXPECT_EQ(t.find(">nul || goto failed"), std::string::npos);
  at(t, " >\"%WP_LOG%\" 2>&1 || goto failed\r\n");
  auto failed = at(t, ":failed\r\ntype \"%WP_LOG%\" 1>&2\r\n");
  EXPECT_LT(failed, at(t, "netsh advfirewall firewall delete rule name=\"%WP_NEW%\""));
  EXPECT_NE(t.find("exit /b 1\r\n", failed), std::string::npos);
  at(t, "profile=%WP_PROFILE% ");
}

namespace {

constexpr const char* kAsaSite = R"(
site: asa
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11, asa_interface: inside }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022, asa_interface: servers }
  branch: { networks: [198.18.30.0/24], os: windows-11, asa_interface: branch }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
  fs1: { address: 198.18.20.20, zone: servers, roles: [file-server] }
access:
  - { from: clients, to: dc1, as: domain-member }
  - { from: clients, to: fs1, as: file-client }
  - { from: fs1, to: dc1, as: domain-member }
settings: { netbios: false }
)";

Emitted emit_asa_text(const std::string& site, std::vector<std::string> replace = {}) {
  const auto& c = catalog::builtin_catalog();
  auto env = load_environment({"asa.yaml", site}, c);
  EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().to_string());
  auto plan = make_plan(*env, c);
  Emitted out;
  emit::Options options{Lang::en, "", false, std::move(replace)};
  auto text = emit::emit_asa({plan, *env, c, options, &out.warnings});
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error().to_string());
  if (text.ok()) out.text = *text;
  return out;
}

std::vector<std::string> config_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '!') out.push_back(line);
  return out;
}

}  // namespace

TEST(LiveFirewall, AsaNamesStayWhenAnUnrelatedPartOfTheSiteChanges) {
  auto before = emit_asa_text(kAsaSite);
  std::string changed = kAsaSite;
  changed.replace(changed.find("access:"), 7,
                  "  br1: { address: 198.18.30.5, zone: branch, roles: [file-server] }\naccess:\n"
                  "  - { from: branch, to: dc1, as: domain-member }");
  auto after = emit_asa_text(changed);
  auto after_lines = config_lines(after.text);
  std::set<std::string> now(after_lines.begin(), after_lines.end());
  // Every line of the first output — each group, each list of the unaffected interfaces — is in the
  // second unchanged; what is new is only the branch interface's list and what it needs.
  for (const auto& line : config_lines(before.text)) EXPECT_TRUE(now.count(line)) << "changed or gone: " << line;
  auto before_lines = config_lines(before.text);
  std::set<std::string> then(before_lines.begin(), before_lines.end());
  EXPECT_GT(after_lines.size(), before_lines.size());
  for (const auto& line : after_lines)
    if (line.rfind("access-list ", 0) == 0 && !then.count(line)) {
      EXPECT_NE(line.find("wp-asa-branch-"), std::string::npos) << "a new rule outside the branch list: " << line;
    }
  EXPECT_NE(after.text.find("access-group wp-asa-branch-"), std::string::npos);
}

TEST(LiveFirewall, AsaBindsTheNewListBeforeRemovingTheOld) {
  // Without --replace-acl the lists are defined but not bound: binding would replace whatever list
  // each interface has, with other people's entries (give --running-config for that case).
  auto first = emit_asa_text(kAsaSite);
  EXPECT_EQ(matches(first.text, R"(\naccess-group (\S+) in interface (\S+)\n)").size(), 0u);
  EXPECT_FALSE(first.warnings.empty());
  auto inside = matches(first.text, R"(\n! access-group (\S+) in interface inside\n)");
  ASSERT_EQ(inside.size(), 1u);
  EXPECT_EQ(matches(first.text, R"(\nclear configure access-list (\S+))").size(), 0u)
      << "without --replace-acl nothing is removed";
  auto swapped = emit_asa_text(kAsaSite, {"inside=wp-old-inside", "servers=wp-old-servers"});
  const auto& t = swapped.text;
  for (std::string iface : {"inside", "servers"}) {
    auto bind = matches(t, "\\naccess-group (\\S+) in interface " + iface + "\\n");
    ASSERT_EQ(bind.size(), 1u) << iface;
    auto defined = t.rfind("\naccess-list " + bind[0] + " extended");
    auto bound = t.find("\naccess-group " + bind[0] + " in interface " + iface);
    auto cleared = t.find("\nclear configure access-list wp-old-" + iface + "\n");
    ASSERT_NE(cleared, std::string::npos) << iface;
    EXPECT_LT(defined, bound) << "the list is complete before it is bound";
    EXPECT_LT(bound, cleared) << "the old list goes only once the new one is bound";
  }
  EXPECT_EQ(t.find("clear configure access-list " + inside[0]), std::string::npos);
  // Re-run with the list in use named: nothing to replace on that interface.
  auto again = emit_asa_text(kAsaSite, {"inside=" + inside[0]});
  EXPECT_NE(again.text.find("! " + inside[0] + " is the list in use and has not changed"), std::string::npos);
  EXPECT_EQ(again.text.find("access-group " + inside[0]), std::string::npos);
  EXPECT_EQ(again.text.find("access-list " + inside[0] + " "), std::string::npos);
}

TEST(LiveFirewall, AsaWithoutInterfacesWarnsAndLeavesBindingToTheUser) {
  std::string plain = kAsaSite;
  for (std::string iface : {", asa_interface: inside", ", asa_interface: servers", ", asa_interface: branch"})
    plain.erase(plain.find(iface), iface.size());
  auto out = emit_asa_text(plain);
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_NE(out.warnings[0].find("no zone names its asa_interface"), std::string::npos);
  EXPECT_EQ(matches(out.text, R"(\n(access-group) )").size(), 0u);
  EXPECT_NE(out.text.find("\n! access-group wp-asa-"), std::string::npos);
  // A zone without an interface among zones with one: its flows are refused by name.
  std::string partial = kAsaSite;
  partial.erase(partial.find(", asa_interface: servers"), 24);
  auto refused = emit_asa_text(partial);
  std::vector<std::string> flows;  // besides the lists not bound (no --replace-acl): the refused flows
  for (const auto& w : refused.warnings)
    if (w.find("is not bound") == std::string::npos) flows.push_back(w);
  ASSERT_EQ(flows.size(), 3u) << "fs1 -> dc1: TCP, UDP and ICMP";
  for (const auto& w : flows) EXPECT_NE(w.find("asa: fs1 -> dc1 "), std::string::npos) << w;
  EXPECT_EQ(refused.text.find("remark fs1 -> dc1"), std::string::npos);
}
