// The outputs loaded into a running firewall decide only the site's traffic: nftables' base chain
// accepts by default and jumps to the site's chain only for both ends in the site; iptables'
// chains are the site's own, for --noflush, and never touch FORWARD's or INPUT's policy. (The
// netns test deploy_safety_test.sh loads them into a real router holding other rules.)
#include <gtest/gtest.h>

#include <regex>
#include <set>
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
