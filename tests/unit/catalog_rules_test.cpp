// The KB's rules as behaviour: dynamic RPC ranges by OS, version-only ports, scenarios.
#include <gtest/gtest.h>

#include "winports/catalog/embedded.hpp"
#include "winports/catalog/rules.hpp"

using namespace winports;
using namespace winports::catalog;

namespace {
const Requirement* find(const Service& s, Transport t, std::uint16_t port) {
  for (const auto& q : s.requirements)
    if (q.transport == t && q.ports.contains(port)) return &q;
  return nullptr;
}
bool has_condition(const std::vector<Condition>& cs, const std::string& kind, const std::string& value) {
  for (const auto& c : cs)
    if (c.kind == kind && std::find(c.values.begin(), c.values.end(), value) != c.values.end()) return true;
  return false;
}
}  // namespace

TEST(DynamicRpc, NewOsOnlyUsesHighRange) {
  const auto& c = builtin_catalog();
  std::vector<std::string> os{"windows-server-2022", "windows-11"};
  auto r = dynamic_rpc_range(c, os);
  EXPECT_EQ(r.ports.to_string(), "49152-65535");
  EXPECT_FALSE(r.assumed_both);
}

TEST(DynamicRpc, OldOsOnlyUsesLowRange) {
  const auto& c = builtin_catalog();
  std::vector<std::string> os{"windows-server-2003", "windows-xp"};
  EXPECT_EQ(dynamic_rpc_range(c, os).ports.to_string(), "1025-5000");
}

TEST(DynamicRpc, MixedNetworkNeedsBothRanges) {
  const auto& c = builtin_catalog();
  std::vector<std::string> os{"windows-server-2012", "windows-xp"};
  auto r = dynamic_rpc_range(c, os);
  EXPECT_EQ(r.ports.to_string(), "1025-5000,49152-65535");
  EXPECT_FALSE(r.assumed_both);
}

TEST(DynamicRpc, VistaAnd2008AreTheTurningPoint) {
  const auto& c = builtin_catalog();
  for (const char* os : {"windows-vista", "windows-server-2008", "windows-7", "windows-server-2008-r2"}) {
    std::vector<std::string> one{os};
    EXPECT_EQ(dynamic_rpc_range(c, one).ports.to_string(), "49152-65535") << os;
  }
  for (const char* os : {"windows-2000", "windows-server-2003-r2", "windows-xp-sp2"}) {
    std::vector<std::string> one{os};
    EXPECT_EQ(dynamic_rpc_range(c, one).ports.to_string(), "1025-5000") << os;
  }
}

TEST(DynamicRpc, UnknownOsGivesBothRangesAndSaysSo) {
  const auto& c = builtin_catalog();
  std::vector<std::string> os{"windows-server-2022", "os/2-warp"};
  auto r = dynamic_rpc_range(c, os);
  EXPECT_EQ(r.ports.to_string(), "1025-5000,49152-65535");
  EXPECT_TRUE(r.assumed_both);
  EXPECT_EQ(r.unknown, std::vector<std::string>{"os/2-warp"});
  EXPECT_TRUE(dynamic_rpc_range(c, {}).assumed_both);
}

TEST(DynamicRpc, RestrictedRangeReplacesTheDefault) {
  const auto& c = builtin_catalog();
  std::vector<std::string> os{"windows-server-2003", "windows-server-2022"};
  auto r = dynamic_rpc_range(c, os, PortSet{{50000, 50999}});
  EXPECT_EQ(r.ports.to_string(), "50000-50999");
}

TEST(DynamicRpc, AliasesResolve) {
  const auto& c = builtin_catalog();
  std::vector<std::string> os{"ws2003"};
  EXPECT_EQ(dynamic_rpc_range(c, os).ports.to_string(), "1025-5000");
}

TEST(OsConditions, ReleaseOrderComparisons) {
  const auto& c = builtin_catalog();
  EXPECT_TRUE(os_matches(c, "windows-xp", "<windows-vista"));
  EXPECT_TRUE(os_matches(c, "windows-server-2003", "<windows-vista"));
  EXPECT_FALSE(os_matches(c, "windows-7", "<windows-vista"));
  EXPECT_TRUE(os_matches(c, "windows-xp-sp2", ">=windows-xp-sp2"));
  EXPECT_FALSE(os_matches(c, "windows-xp", ">=windows-xp-sp2"));
  EXPECT_TRUE(os_matches(c, "win11", ">=windows-xp-sp2"));
  EXPECT_TRUE(os_matches(c, "windows-server-2008", "windows-server-2008"));
  EXPECT_FALSE(os_matches(c, "unknown-os", "<windows-vista"));
}

TEST(VersionOnlyPorts, Dfsr5722OnlyOn2008And2008R2DomainControllers) {
  const auto& c = builtin_catalog();
  const auto* q = find(*c.service("dfsr"), Transport::tcp, 5722);
  ASSERT_NE(q, nullptr);
  EXPECT_TRUE(has_condition(q->conditions, "server_os", "windows-server-2008"));
  EXPECT_TRUE(has_condition(q->conditions, "server_os", "windows-server-2008-r2"));
  EXPECT_FALSE(has_condition(q->conditions, "server_os", "windows-server-2012"));
  EXPECT_TRUE(has_condition(q->conditions, "server_role", "domain-controller"));
}

TEST(VersionOnlyPorts, WinRmVersionsHaveTheirOwnPorts) {
  const auto& s = *builtin_catalog().service("winrm");
  for (std::uint16_t p : {80, 443})
    EXPECT_TRUE(has_condition(find(s, Transport::tcp, p)->conditions, "feature", "winrm-1.1")) << p;
  for (std::uint16_t p : {5985, 5986})
    EXPECT_TRUE(has_condition(find(s, Transport::tcp, p)->conditions, "feature", "winrm-2.0")) << p;
}

TEST(VersionOnlyPorts, SsdpLegacyPortBeforeXpSp2) {
  const auto& s = *builtin_catalog().service("ssdp");
  EXPECT_TRUE(has_condition(find(s, Transport::tcp, 5000)->conditions, "server_os", "<windows-xp-sp2"));
  EXPECT_TRUE(has_condition(find(s, Transport::tcp, 2869)->conditions, "server_os", ">=windows-xp-sp2"));
}

TEST(Conditions, NetbiosPortsAreOptionalWhereTheKbSaysSo) {
  const auto& c = builtin_catalog();
  for (const char* id : {"netlogon", "dfs-namespaces", "server"}) {
    const auto* q = find(*c.service(id), Transport::tcp, 139);
    ASSERT_NE(q, nullptr) << id;
    EXPECT_TRUE(q->optional) << id;
    EXPECT_TRUE(has_condition(q->conditions, "feature", "netbios")) << id;
    EXPECT_FALSE(find(*c.service(id), Transport::tcp, 445)->optional) << id;
  }
}

TEST(Conditions, GroupPolicyIcmpOnlyForXpAnd2003Clients) {
  const auto& s = *builtin_catalog().service("group-policy");
  const Requirement* icmp = nullptr;
  for (const auto& q : s.requirements)
    if (q.transport == Transport::icmp) icmp = &q;
  ASSERT_NE(icmp, nullptr);
  EXPECT_TRUE(has_condition(icmp->conditions, "client_os", "<windows-vista"));
}

TEST(Conditions, ClusterJoinOnlyPortsAndDtls) {
  const auto& s = *builtin_catalog().service("cluster");
  EXPECT_TRUE(has_condition(find(s, Transport::tcp, 3343)->conditions, "feature", "cluster-node-join"));
  const auto* udp = find(s, Transport::udp, 3343);
  EXPECT_TRUE(udp->conditions.empty());
  EXPECT_EQ(udp->notes, std::vector<std::string>{"dtls"});
}

TEST(Conditions, FtpActiveDataIsControlMinusOneAndTftpRepliesFromAnyPort) {
  const auto& c = builtin_catalog();
  const auto* data = find(*c.service("ftp"), Transport::tcp, 20);
  ASSERT_TRUE(data->derived_from.has_value());
  EXPECT_EQ(data->derived_from->first + data->derived_from->second, 20);
  EXPECT_EQ(data->direction, "outbound-from");
  EXPECT_EQ(find(*c.service("tftp"), Transport::udp, 69)->reply, "any-port");
  EXPECT_EQ(find(*c.service("snmp-trap"), Transport::udp, 162)->direction, "inbound") << "the trap service receives";
}

TEST(Conditions, EncapsulatedVpnNeedsOnlyEspAnd500And4500) {
  const auto& s = *builtin_catalog().service("active-directory");
  std::vector<std::string> in_scenario;
  for (const auto& q : s.requirements)
    if (has_condition(q.conditions, "scenario", "l2tp-ipsec-encapsulated"))
      in_scenario.push_back(std::string(to_string(q.transport)) + ":" + q.ports.to_string());
  std::sort(in_scenario.begin(), in_scenario.end());
  EXPECT_EQ(in_scenario, (std::vector<std::string>{"esp:", "udp:4500", "udp:500"}));
}

TEST(Conditions, ProseOnlyPortsArePresent) {
  const auto& c = builtin_catalog();
  EXPECT_NE(find(*c.service("iis-www"), Transport::tcp, 8098), nullptr);
  EXPECT_NE(find(*c.service("ipam"), Transport::tcp, 48885), nullptr);
  EXPECT_NE(find(*c.service("branchcache"), Transport::udp, 3702), nullptr);
}

TEST(AdDependencies, BothListsAreRecorded) {
  const auto& c = builtin_catalog();
  int depends_on = 0, needed_by = 0;
  for (const auto& s : c.services) depends_on += s.ad_depends_on.present, needed_by += s.depends_on_ad.present;
  EXPECT_EQ(depends_on, 13) << "the KB lists 13 services Active Directory depends on";
  EXPECT_EQ(needed_by, 23) << "the KB lists 23 services that need Active Directory";
  EXPECT_FALSE(c.service("frs")->ad_depends_on.when.ja.empty()) << "FRS only when SYSVOL does not use DFSR";
}

TEST(Describe, ConditionsReadInBothLanguages) {
  const auto& c = builtin_catalog();
  Condition cond{"client_os", {"<windows-vista"}};
  EXPECT_EQ(describe(c, cond, Lang::en), "client OS: < Windows Vista");
  EXPECT_EQ(describe(c, cond, Lang::ja), "クライアント OS: < Windows Vista");
}
