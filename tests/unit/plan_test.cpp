// Site files and the planner: errors with file:line, the listener's OS-dependent RPC range, decided and undecided
// conditions, scenarios, direction, grouping.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"

using namespace winports;
using namespace winports::plan;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Environment load_example(const std::string& name) {
  auto path = std::string(WINPORTS_EXAMPLES) + "/" + name;
  auto env = load_environment({path, read(path)}, catalog::builtin_catalog());
  EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().to_string());
  return env.ok() ? *env : Environment{};
}

Result<Environment> load_text(const std::string& text) {
  return load_environment({"site.yaml", text}, catalog::builtin_catalog());
}

const Flow* find_flow(const Plan& p, const std::string& from, const std::string& to_contains, Transport t) {
  for (const auto& f : p.flows)
    if (f.source.name == from && f.destination.name.find(to_contains) != std::string::npos && f.transport == t)
      return &f;
  return nullptr;
}

const char* kSmall = R"(site: t
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
access:
  - { from: clients, to: dc1, as: domain-member }
)";

}  // namespace

TEST(Environment, ExamplesLoad) {
  for (const char* name : {"branch-office.yaml", "dmz.yaml", "mixed-domain.yaml"}) {
    auto env = load_example(name);
    EXPECT_FALSE(env.zones.empty()) << name;
  }
}

TEST(Environment, ErrorsNameLineFieldAndSuggest) {
  struct Case {
    std::string from, to;
    int line;
    std::string field, message;
  };
  std::vector<Case> cases = {
      {"hosts:", "host:", 5, "host", "did you mean 'hosts'"},
      {"198.18.20.10", "198.18.30.10", 6, "hosts.dc1.address", "outside zone 'servers'"},
      {"198.18.20.0/24], os", "198.18.10.128/25], os", 4, "zones.servers.networks[0]", "overlaps 198.18.10.0/24"},
      {"roles: [domain-controller]", "roles: [domain-controler]", 6, "hosts.dc1.roles[0]",
       "did you mean 'domain-controller'"},
      {"as: domain-member", "as: domain-membr", 8, "access[0].as", "did you mean 'domain-member'"},
      {"to: dc1", "to: dc2", 8, "access[0].to", "no zone, host or role named 'dc2'"},
      {"os: windows-11", "os: windows-12", 3, "zones.clients.os", "unknown OS"},
      {"198.18.10.0/24", "198.18.10.1/24", 3, "zones.clients.networks[0]", "host bits zero"},
      {"roles: [domain-controller] }", "roles: [domain-controller], settings: { ntds_prot: 50010 } }", 6,
       "hosts.dc1.settings.ntds_prot", "did you mean 'ntds_port'"},
      {"roles: [domain-controller] }",
       "roles: [domain-controller],\n         settings: { ntds_port: 50010, netlogon_port: 50010 } }", 7,
       "hosts.dc1.settings.netlogon_port", "static RPC ports must differ"},
      {"roles: [domain-controller] }", "roles: [domain-controller], settings: { rdp_port: 70000 } }", 6,
       "hosts.dc1.settings.rdp_port", "one port number"},
      {"  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }",
       "  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }\n  servers: { networks: [198.18.30.0/24] }",
       5, "zones.servers", "zone defined twice (line 4)"},
      {"os: windows-11 }", "os: windows-11, asa_interface: \"in side\" }", 3, "zones.clients.asa_interface",
       "not an ASA interface name"},
      {"os: windows-11 }", "os: windows-11, asa_intreface: inside }", 3, "zones.clients.asa_intreface",
       "did you mean 'asa_interface'"},
      {"address: 198.18.20.10", "address: [198.18.20.10, 198.18.20.10]", 6, "hosts.dc1.address[1]",
       "198.18.20.10 is listed twice"},
      {"address: 198.18.20.10", "address: [198.18.20.10, \"2001:db8:99::1\"]", 6, "hosts.dc1.address[1]",
       "2001:db8:99::1 is outside zone 'servers'"},
      {"address: 198.18.20.10", "address: [198.18.20.10, 198.18.20.0/24]", 6, "hosts.dc1.address[1]",
       "or a list of them"},
      {"address: 198.18.20.10", "address: []", 6, "hosts.dc1.address", "IPv4 or IPv6 address"},
      // A role bound to a product version that cannot run on the host's Windows (data/products.yaml).
      {"roles: [domain-controller] }", "roles: [domain-controller, exchange] }", 6, "hosts.dc1.roles[1]",
       "role 'exchange' (Exchange 2000 Server / Exchange Server 2003) does not run on Windows Server 2022; there, "
       "use role 'exchange-2016' (Exchange Server 2019 runs on Windows Server 2022)"},
      {"roles: [domain-controller] }", "roles: [windows-admin-center], os: windows-server-2012 }", 6,
       "hosts.dc1.roles[0]", "does not run on Windows Server 2012, and no role of its product line does"},
  };
  for (const auto& c : cases) {
    std::string text = kSmall;
    auto at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    auto env = load_text(text);
    ASSERT_FALSE(env.ok()) << c.to;
    EXPECT_EQ(env.error().file, "site.yaml");
    EXPECT_EQ(env.error().line, c.line) << env.error().to_string();
    EXPECT_EQ(env.error().field, c.field) << env.error().to_string();
    EXPECT_NE(env.error().message.find(c.message), std::string::npos) << env.error().to_string();
  }
}

// A dual-stack host (address: a list) is one host on both families: its flows carry both of its
// addresses, a command-line name stands for both, and a zone network of a family nothing is
// planned in is named.
TEST(Planner, DualStackHostGetsBothFamiliesAndUnplannedNetworksWarn) {
  const auto& c = catalog::builtin_catalog();
  auto env = load_text(R"(site: t
zones:
  clients: { networks: [198.18.10.0/24, "2001:db8:10::/64"], os: windows-11 }
  servers: { networks: [198.18.20.0/24, "2001:db8:20::/64"], os: windows-server-2022 }
  web: { networks: [198.18.40.0/24, "2001:db8:40::/64"], os: windows-server-2022 }
hosts:
  dc1: { address: [198.18.20.10, "2001:db8:20::10"], zone: servers, roles: [domain-controller] }
  web1: { address: 198.18.40.10, zone: web, roles: [iis-web] }
access:
  - { from: clients, to: dc1, as: domain-member }
  - { from: clients, to: web1, as: web-client }
)");
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  ASSERT_EQ(env->host("dc1")->addresses.size(), 2u);
  auto place = resolve_place(*env, c, "dc1", "--to");
  ASSERT_TRUE(place.ok());
  EXPECT_EQ(place->networks, env->host("dc1")->addresses);
  EXPECT_EQ(env->host_at(*parse_network("2001:db8:20::10")), env->host("dc1"));
  auto p = make_plan(*env, c);
  const auto* kerberos = find_flow(p, "clients", "dc1", Transport::udp);
  ASSERT_NE(kerberos, nullptr);
  std::set<int> families;
  for (const auto& n : kerberos->destination.networks) families.insert(n.family);
  EXPECT_EQ(families, (std::set<int>{4, 6}));
  // web's IPv6 network: web1 has only an IPv4 address, so nothing is planned in IPv6 there;
  // servers' and clients' IPv6 networks carry dc1's flows.
  std::vector<std::string> unplanned;
  for (const auto& w : p.warnings)
    if (w.en.find("nothing is planned") != std::string::npos) unplanned.push_back(w.en);
  ASSERT_EQ(unplanned.size(), 1u) << (unplanned.empty() ? "" : unplanned.front());
  EXPECT_NE(unplanned.front().find("zone web: nothing is planned in IPv6 for its network 2001:db8:40::/64"),
            std::string::npos)
      << unplanned.front();
}

// services: opens what it names on any host, but a service no role of the host serves is named.
TEST(Planner, ServicesTheDestinationDoesNotRunWarnNamingTheRolesThatDo) {
  const auto& c = catalog::builtin_catalog();
  auto env = load_text(R"(site: t
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  fs1: { address: 198.18.20.20, zone: servers, roles: [file-server] }
  sql1: { address: 198.18.20.30, zone: servers, roles: [sql-server] }
access:
  - { from: clients, to: fs1, services: [sql-server] }
  - { from: clients, to: sql1, services: [sql-server] }
)");
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, c);
  std::vector<std::string> unserved;
  for (const auto& w : p.warnings)
    if (w.en.find("runs no role that serves") != std::string::npos) unserved.push_back(w.en);
  ASSERT_EQ(unserved.size(), 1u);
  EXPECT_EQ(unserved[0].rfind("access line 9: fs1 runs no role that serves sql-server (roles that do: ", 0), 0u)
      << unserved[0];
  EXPECT_NE(unserved[0].find("sql-server, sql-always-on"), std::string::npos) << unserved[0];
  ASSERT_NE(find_flow(p, "clients", "fs1", Transport::tcp), nullptr) << "the entry still opens what it names";
}

// An RODC's branch clients write to a writable DC: only through rodc-branch-writes, and an entry to
// the RODC without it is a warning naming the entry to add.
TEST(Planner, RodcBranchWritesNeedTheirOwnEntryAndWarnWithout) {
  const auto& c = catalog::builtin_catalog();
  const std::string base = R"(site: t
zones:
  hq: { networks: [198.18.20.0/24], os: windows-server-2022 }
  branch: { networks: [198.18.30.0/24], os: windows-11 }
hosts:
  hub1: { address: 198.18.20.10, zone: hq, roles: [domain-controller] }
  rodc1: { address: 198.18.30.10, zone: branch, os: windows-server-2022, roles: [rodc] }
access:
  - { from: branch, to: rodc1, as: branch-member }
)";
  auto without = load_text(base);
  ASSERT_TRUE(without.ok()) << without.error().to_string();
  auto p = make_plan(*without, c);
  EXPECT_EQ(find_flow(p, "branch", "hub1", Transport::udp), nullptr) << "no flow no entry names";
  bool warned = false;
  for (const auto& w : p.warnings)
    warned |=
        w.en.find("access line 9: branch reaches rodc1, but an RODC's clients send DNS dynamic updates") == 0 &&
        w.en.find("add { from: branch, to: role:domain-controller, as: rodc-branch-writes }") != std::string::npos;
  EXPECT_TRUE(warned);
  auto with = load_text(base + "  - { from: branch, to: role:domain-controller, as: rodc-branch-writes }\n");
  ASSERT_TRUE(with.ok()) << with.error().to_string();
  auto q = make_plan(*with, c);
  for (const auto& w : q.warnings) EXPECT_EQ(w.en.find("branch reaches rodc1"), std::string::npos) << w.en;
  const auto* dns = find_flow(q, "branch", "hub1", Transport::udp);
  ASSERT_NE(dns, nullptr);
  EXPECT_TRUE(dns->ports.contains(53));
  EXPECT_EQ(services_of(*dns), std::vector<std::string>{"rodc-writable-dc"});
  const auto* tcp = find_flow(q, "branch", "hub1", Transport::tcp);
  ASSERT_NE(tcp, nullptr);
  EXPECT_TRUE(tcp->ports.contains(53) && tcp->ports.contains(389) && tcp->ports.contains(445));
  EXPECT_FALSE(tcp->ports.contains(3268)) << "the global catalog is the RODC's to answer";
}

// Enrollment at a CA is DCOM: the endpoint mapper and the CA's own range, no SMB; the CRL comes from
// its publisher over HTTP.
TEST(Planner, CertificateEnrollmentIsTheEndpointMapperAndTheCasRangeNotSmb) {
  const auto& c = catalog::builtin_catalog();
  auto env = load_text(R"(site: t
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  ca1: { address: 198.18.20.20, zone: servers, roles: [certificate-authority], settings: { rpc_dynamic_ports: 50000-50099 } }
  web1: { address: 198.18.20.30, zone: servers, roles: [crl-publisher] }
access:
  - { from: clients, to: ca1, as: certificate-enrollment }
)");
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, c);
  const auto* f = find_flow(p, "clients", "ca1", Transport::tcp);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->ports.to_string(), "135,50000-50099");
  bool crl_warned = false;
  for (const auto& w : p.warnings)
    crl_warned |=
        w.en.find("add { from: clients, to: role:crl-publisher, as: certificate-enrollment }") != std::string::npos;
  EXPECT_TRUE(crl_warned);
}

// Outbound profiles towards any: each opens only its own service, from the entry's source; the time
// source only from the PDC emulator when the site names it; a profile the outside does not answer
// is an error naming those it does.
TEST(Planner, OutboundProfilesTowardsAny) {
  const auto& c = catalog::builtin_catalog();
  const std::string base = R"(site: t
zones:
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
  dc2: { address: 198.18.20.11, zone: servers, roles: [domain-controller] }
  wsus1: { address: 198.18.20.30, zone: servers, roles: [wsus] }
settings: { pdc_emulator: dc1 }
access:
)";
  struct Case {
    std::string entry, from;
    Transport transport;
    std::string ports;
  };
  for (const auto& k :
       std::vector<Case>{{"{ from: role:domain-controller, to: any, as: time-source }", "dc1", Transport::udp, "123"},
                         {"{ from: dc1, to: any, as: dns-forwarding }", "dc1", Transport::udp, "53"},
                         {"{ from: wsus1, to: internet, as: windows-update }", "wsus1", Transport::tcp, "80,443"},
                         {"{ from: dc2, to: any, as: revocation-check }", "dc2", Transport::tcp, "80"}}) {
    auto env = load_text(base + "  - " + k.entry + "\n");
    ASSERT_TRUE(env.ok()) << k.entry << ": " << env.error().to_string();
    auto p = make_plan(*env, c);
    const auto* f = find_flow(p, k.from, "any", k.transport);
    ASSERT_NE(f, nullptr) << k.entry;
    EXPECT_EQ(f->ports.to_string(), k.ports) << k.entry;
    EXPECT_EQ(p.flows.size(), k.transport == Transport::udp && k.ports == "53" ? 2u : 1u) << k.entry;
  }
  auto time = load_text(base + "  - { from: role:domain-controller, to: any, as: time-source }\n");
  auto p = make_plan(*time, c);
  EXPECT_EQ(find_flow(p, "dc2", "any", Transport::udp), nullptr) << "dc2 follows the domain hierarchy";
  auto wrong = load_text(base + "  - { from: dc1, to: any, as: domain-member }\n");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("time-source, dns-forwarding, windows-update, revocation-check"),
            std::string::npos)
      << wrong.error().to_string();
  auto not_dc = load_text(std::string(base).replace(base.find("pdc_emulator: dc1"), 17, "pdc_emulator: wsus1") +
                          "  - { from: dc1, to: any, as: time-source }\n");
  ASSERT_FALSE(not_dc.ok());
  EXPECT_EQ(not_dc.error().field, "settings.pdc_emulator");
}

TEST(Planner, RpcRangeIsTheListenersAndSoIsItsRestriction) {
  auto env = load_example("mixed-domain.yaml");
  auto p = make_plan(env, catalog::builtin_catalog());
  const auto* legacy_old = find_flow(p, "legacy", "dc-old", Transport::tcp);
  ASSERT_NE(legacy_old, nullptr);
  EXPECT_TRUE(legacy_old->ports.contains(1025) && legacy_old->ports.contains(5000)) << "XP to 2003: low range";
  EXPECT_FALSE(legacy_old->ports.contains(49152)) << "the 2003 DC never listens in the modern range";
  const auto* modern_old = find_flow(p, "modern", "dc-old", Transport::tcp);
  ASSERT_NE(modern_old, nullptr);
  EXPECT_TRUE(modern_old->ports.contains(3000)) << "Windows 10 to 2003: the 2003 DC's range";
  EXPECT_FALSE(modern_old->ports.contains(60000)) << "the client's OS does not move the server's endpoints";
  ASSERT_EQ(modern_old->rpc_ranges.size(), 1u);
  EXPECT_EQ(modern_old->rpc_ranges.at(0).en, "dynamic RPC range of dc-old (Windows Server 2003)");
  const auto* to_restricted = find_flow(p, "modern", "dc-new", Transport::tcp);
  ASSERT_NE(to_restricted, nullptr);
  EXPECT_TRUE(to_restricted->ports.contains(50000));
  EXPECT_FALSE(to_restricted->ports.contains(49152)) << "restricted range replaces the default";
  EXPECT_FALSE(to_restricted->ports.contains(60000));
  // Replication both ways: each DC opens its own range, whichever DC calls.
  const auto* to_old = find_flow(p, "dc-new", "dc-old", Transport::tcp);
  const auto* to_new = find_flow(p, "dc-old", "dc-new", Transport::tcp);
  ASSERT_TRUE(to_old && to_new);
  EXPECT_TRUE(to_old->ports.contains(1025) && !to_old->ports.contains(50000) && !to_old->ports.contains(49152));
  EXPECT_TRUE(to_new->ports.contains(50000) && !to_new->ports.contains(1025));

  // The KB's literal reading: a network that mixes eras opens both ranges everywhere (unless
  // restricted, which stays the listener's).
  env.settings.kb_literal = true;
  auto literal = make_plan(env, catalog::builtin_catalog());
  const auto* both = find_flow(literal, "modern", "dc-old", Transport::tcp);
  ASSERT_NE(both, nullptr);
  EXPECT_TRUE(both->ports.contains(3000) && both->ports.contains(60000));
  const auto* still_restricted = find_flow(literal, "modern", "dc-new", Transport::tcp);
  ASSERT_NE(still_restricted, nullptr);
  EXPECT_FALSE(still_restricted->ports.contains(60000));
}

TEST(Planner, OldClientsDoNotWidenAModernServersRange) {
  const char* site = R"(site: t
zones:
  old: { networks: [198.18.10.0/24], os: windows-server-2003 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  old2003: { address: 198.18.10.5, zone: old }
  dc01: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
access:
  - { from: old2003, to: dc01, as: domain-member }
settings: { netbios: false }
)";
  auto env = load_text(site);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  const auto& c = catalog::builtin_catalog();
  auto p = make_plan(*env, c);
  const auto* tcp = find_flow(p, "old2003", "dc01", Transport::tcp);
  ASSERT_NE(tcp, nullptr);
  EXPECT_FALSE(tcp->ports.contains(3000)) << "a 2022 DC's endpoints are never in 1025-5000";
  EXPECT_TRUE(tcp->ports.contains(49152));
  ASSERT_EQ(tcp->rpc_ranges.size(), 1u);
  EXPECT_EQ(tcp->rpc_ranges.at(0).en, "dynamic RPC range of dc01 (Windows Server 2022)");
  // Connectionless RPC needs both ends pre-Vista: a 2022 listener leaves the UDP row out, saying why.
  const auto* udp = find_flow(p, "old2003", "dc01", Transport::udp);
  ASSERT_NE(udp, nullptr);
  EXPECT_FALSE(udp->ports.contains(49152));
  bool said = std::any_of(p.skipped.begin(), p.skipped.end(), [](const Skipped& s) {
    return s.reason.service == "group-policy" && s.why.en.find("ncadg_ip_udp") != std::string::npos;
  });
  EXPECT_TRUE(said);
}

TEST(Planner, NetbiosDecidedByTheFileOrReportedUndecided) {
  auto env = load_example("branch-office.yaml");  // netbios: false
  auto p = make_plan(env, catalog::builtin_catalog());
  for (const auto& f : p.flows) EXPECT_FALSE(f.transport == Transport::tcp && f.ports.contains(139)) << f.source.name;
  auto small = load_text(kSmall);  // netbios not set
  ASSERT_TRUE(small.ok());
  auto q = make_plan(*small, catalog::builtin_catalog());
  bool undecided = std::any_of(q.skipped.begin(), q.skipped.end(), [](const Skipped& s) {
    return s.undecided && s.reason.service == "netlogon" && s.why.en.find("settings.netbios") != std::string::npos;
  });
  EXPECT_TRUE(undecided);
  for (const auto& f : q.flows)
    EXPECT_FALSE(f.ports.contains(139)) << "undecided is left out and reported, not guessed";
}

TEST(Planner, EncapsulatedScenarioOpensOnlyEspAnd500And4500ForAd) {
  std::string text = kSmall;
  text.replace(text.find("as: domain-member }"), 19,
               "services: [active-directory], scenarios: [l2tp-ipsec-encapsulated] }");
  auto env = load_text(text);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, catalog::builtin_catalog());
  std::vector<std::string> got;
  for (const auto& f : p.flows) got.push_back(std::string(to_string(f.transport)) + ":" + f.ports.to_string());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"esp:", "udp:500,4500"}));
}

TEST(Planner, TrapsGoToTheHostRunningTheTrapService) {
  // The SNMP Trap service receives traps (KB: 「トラップ メッセージを受信します」): its host listens
  // on 162 and the agents send to it.
  std::string text = kSmall;
  text.replace(text.find("as: domain-member }"), 19, "services: [snmp-trap] }");
  auto env = load_text(text);
  ASSERT_TRUE(env.ok());
  auto p = make_plan(*env, catalog::builtin_catalog());
  ASSERT_EQ(p.flows.size(), 1u);
  EXPECT_EQ(p.flows[0].source.name, "clients") << "agents send to the manager";
  EXPECT_EQ(p.flows[0].destination.name, "dc1");
  EXPECT_EQ(p.flows[0].ports.to_string(), "162");
}

TEST(Planner, DestinationsWithTheSamePortsShareOneFlow) {
  auto env = load_example("branch-office.yaml");
  auto p = make_plan(env, catalog::builtin_catalog());
  const auto* f = find_flow(p, "clients", "dc1", Transport::tcp);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->destination.name, "dc1,dc2");
  EXPECT_EQ(f->destination.networks.size(), 2u);
  for (const auto& flow : p.flows) EXPECT_FALSE(flow.reasons.empty());
}

TEST(Planner, EveryFlowPortComesFromARequirement) {
  // No port added: each port of a flow is printed in one of its reasons' requirements or lies in
  // that requirement's dynamic range.
  const auto& c = catalog::builtin_catalog();
  for (const char* name : {"branch-office.yaml", "dmz.yaml", "mixed-domain.yaml"}) {
    auto p = make_plan(load_example(name), c);
    for (const auto& f : p.flows) {
      PortSet covered;
      for (const auto& r : f.reasons) {
        const auto& q = c.service(r.service)->requirements[r.requirement];
        covered = covered.unite(q.ports);
        if (!q.dynamic.empty())
          covered = covered.unite(c.legacy_rpc_range).unite(c.modern_rpc_range).unite(PortSet{{50000, 50999}});
        if (q.direction == "outbound-from") covered.add({1024, 65535});
      }
      EXPECT_TRUE(covered.includes(f.ports))
          << name << " " << f.source.name << "->" << f.destination.name << " " << f.ports.to_string();
    }
  }
}

// Ports that Windows lets an administrator move (registry, netsh, IIS, DFSR tools).
TEST(Planner, PortSettingsMoveTheKbDefaults) {
  const char* site = R"(site: t
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller],
         settings: { ntds_port: 50010, netlogon_port: 50011 } }
  ts1: { address: 198.18.20.30, zone: servers, roles: [rds-session-host], settings: { rdp_port: 3390 } }
  ftp1: { address: 198.18.20.40, zone: servers, roles: [ftp],
          settings: { ftp_control_port: 2121, features: [ftp-active] } }
access:
  - { from: clients, to: dc1, services: [active-directory, netlogon] }
  - { from: clients, to: ts1, as: rdp-client }
  - { from: clients, to: ftp1, services: [ftp] }
settings: { netbios: false }
)";
  auto env = load_text(site);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, catalog::builtin_catalog());
  // AD and Netlogon pinned: their RPC needs the two static ports, not the dynamic range.
  const auto* dc = find_flow(p, "clients", "dc1", Transport::tcp);
  ASSERT_NE(dc, nullptr);
  EXPECT_TRUE(dc->ports.contains(50010) && dc->ports.contains(50011) && dc->ports.contains(135));
  EXPECT_FALSE(dc->ports.contains(49152) || dc->ports.contains(50012));
  EXPECT_TRUE(dc->rpc_only.empty()) << "pinned ports are fixed ports, not the RPC keyword's";
  for (auto t : {Transport::tcp, Transport::udp}) {
    const auto* rdp = find_flow(p, "clients", "ts1", t);
    ASSERT_NE(rdp, nullptr);
    EXPECT_EQ(rdp->ports, (PortSet{{3390, 3390}}));
  }
  const auto* control = find_flow(p, "clients", "ftp1", Transport::tcp);
  ASSERT_NE(control, nullptr);
  EXPECT_TRUE(control->ports.contains(2121));
  EXPECT_FALSE(control->ports.contains(21));
  const auto* data = find_flow(p, "ftp1", "clients", Transport::tcp);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->source_port, std::optional<std::uint16_t>(2120)) << "active data comes from control - 1";

  // Only one service pinned: the others still need the dynamic range.
  std::string partial = site;
  partial.replace(partial.find(", netlogon_port: 50011"), 22, "");
  auto env2 = load_text(partial);
  ASSERT_TRUE(env2.ok());
  auto p2 = make_plan(*env2, catalog::builtin_catalog());
  const auto* dc2 = find_flow(p2, "clients", "dc1", Transport::tcp);
  ASSERT_NE(dc2, nullptr);
  EXPECT_TRUE(dc2->ports.contains(50010) && dc2->ports.contains(49152));
}

TEST(Planner, LegacyClientsOpenTheirRowsNotTheOldRange) {
  std::string text = kSmall;
  auto without = make_plan(*load_text(text), catalog::builtin_catalog());
  text.replace(text.find("os: windows-11 }"), 16, "os: windows-11, settings: { legacy_clients: true } }");
  auto env = load_text(text);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto with = make_plan(*env, catalog::builtin_catalog());
  const auto* before = find_flow(without, "clients", "dc1", Transport::tcp);
  const auto* after = find_flow(with, "clients", "dc1", Transport::tcp);
  ASSERT_TRUE(before && after);
  EXPECT_FALSE(before->ports.contains(1025));
  EXPECT_FALSE(after->ports.contains(1025)) << "old clients do not move a 2022 DC's endpoints";
  EXPECT_TRUE(after->ports.contains(49152));
  // Group Policy's ICMP row applies to clients before Vista only. Its echo joins the all-ICMP flow
  // Active Directory opens between the same sides (a separate echo rule would never match).
  auto echo = [](const Plan& p) {
    return std::any_of(p.flows.begin(), p.flows.end(), [](const Flow& f) {
      auto services = services_of(f);
      return (f.transport == Transport::icmp || f.transport == Transport::icmpv6) && f.destination.name == "dc1" &&
             std::find(services.begin(), services.end(), "group-policy") != services.end();
    });
  };
  EXPECT_FALSE(echo(without));
  EXPECT_TRUE(echo(with));
}

TEST(Environment, PlacesResolveNamesAddressesAndRolesOrSayWhy) {
  auto env = load_text(kSmall);
  ASSERT_TRUE(env.ok());
  const auto& c = catalog::builtin_catalog();
  auto zone = resolve_place(*env, c, "clients", "--from");
  ASSERT_TRUE(zone.ok());
  EXPECT_EQ(zone->label.en, "zone clients");
  EXPECT_EQ(zone->label.in(Lang::ja), "ゾーン clients");
  EXPECT_EQ(zone->networks.at(0).to_string(), "198.18.10.0/24");
  auto host = resolve_place(*env, c, "198.18.20.10", "--to");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->label.en, "198.18.20.10 (dc1)");
  auto in_zone = resolve_place(*env, c, "198.18.10.7", "--from");
  ASSERT_TRUE(in_zone.ok());
  EXPECT_EQ(in_zone->label.en, "198.18.10.7 (zone clients)");
  EXPECT_EQ(in_zone->label.in(Lang::ja), "198.18.10.7 (ゾーン clients)");
  auto role = resolve_place(*env, c, "role:domain-controller", "--to");
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(role->networks.size(), 1u);
  struct Bad {
    const char* name;
    const char* message;
  };
  for (auto [name, message] : {Bad{"dc2", "no zone, host or role named 'dc2' (did you mean 'dc1'?)"},
                               Bad{"198.18.99.1", "198.18.99.1 is in no zone of the site"},
                               Bad{"role:domain-controler", "(did you mean 'role:domain-controller'?)"},
                               Bad{"role:file-server", "no host of the site has role 'file-server'"}}) {
    auto bad = resolve_place(*env, c, name, "--to");
    ASSERT_FALSE(bad.ok()) << name;
    EXPECT_EQ(bad.error().field, "--to");
    EXPECT_NE(bad.error().message.find(message), std::string::npos) << bad.error().message;
  }
}

namespace {

// "tcp:53,88,…" per transport of the flows from `from` to `to`.
std::vector<std::string> opened(const Plan& p, const std::string& from, const std::string& to) {
  std::vector<std::string> out;
  for (const auto& f : p.flows)
    if (f.source.name == from && f.destination.name == to)
      out.push_back(std::string(to_string(f.transport)) + ":" + f.ports.to_string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(Planner, AModernMemberOpensExactlyTheDcPortsItUses) {
  auto env = load_text(kSmall);
  ASSERT_TRUE(env.ok());
  env->settings.netbios = false;
  auto p = make_plan(*env, catalog::builtin_catalog());
  EXPECT_EQ(opened(p, "clients", "dc1"),
            (std::vector<std::string>{"icmp:", "tcp:53,88,135,389,445,464,636,3268-3269,49152-65535",
                                      "udp:53,88,123,389,464"}));
  const auto* tcp = find_flow(p, "clients", "dc1", Transport::tcp);
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ(tcp->rpc_only.to_string(), "49152-65535") << "host firewalls say RPC for the range";
  env->settings.netbios = true;
  auto with_netbios = make_plan(*env, catalog::builtin_catalog());
  EXPECT_EQ(opened(with_netbios, "clients", "dc1"),
            (std::vector<std::string>{"icmp:", "tcp:53,88,135,139,389,445,464,636,3268-3269,49152-65535",
                                      "udp:53,88,123,137-138,389,464"}));
}

TEST(Planner, UnusedRowsComeBackOnlyWithKbLiteral) {
  auto env = load_text(kSmall);
  ASSERT_TRUE(env.ok());
  env->settings.netbios = false;
  env->settings.kb_literal = true;
  auto p = make_plan(*env, catalog::builtin_catalog());
  const auto* udp = find_flow(p, "clients", "dc1", Transport::udp);
  ASSERT_NE(udp, nullptr);
  EXPECT_TRUE(udp->ports.contains(636)) << "the consolidated table's UDP 636";
  EXPECT_TRUE(udp->ports.contains(49152)) << "Group Policy's DCOM over UDP";
}

TEST(Planner, ARowOpensOnlyOnTheRoleThatListensForIt) {
  const char* site = R"(site: t
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
  fs1: { address: 198.18.20.20, zone: servers, roles: [file-server] }
access:
  - { from: clients, to: fs1, as: file-client }
settings: { netbios: false }
)";
  auto env = load_text(site);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, catalog::builtin_catalog());
  EXPECT_EQ(opened(p, "clients", "fs1"), (std::vector<std::string>{"tcp:445"}))
      << "no file server listens on LDAP or the global catalog";
  auto warned = [&](const Plan& plan) {
    return std::count_if(plan.warnings.begin(), plan.warnings.end(), [](const LocalizedText& w) {
      return w.en.find("access line 9: clients also needs a host of role domain-controller for") != std::string::npos &&
             w.en.find("offline-files") != std::string::npos;
    });
  };
  EXPECT_EQ(warned(p), 1) << "said once per (zone, role)";
  // With an entry from the zone to a DC, the rows are the DC's and nothing is missing.
  std::string reached = site;
  reached.insert(reached.find("settings:"), "  - { from: clients, to: dc1, as: domain-member }\n");
  auto env2 = load_text(reached);
  ASSERT_TRUE(env2.ok()) << env2.error().to_string();
  EXPECT_EQ(warned(make_plan(*env2, catalog::builtin_catalog())), 0);
}

TEST(Planner, AdwsIsForAdministrationToolsNotForMembers) {
  auto env = load_text(kSmall);
  ASSERT_TRUE(env.ok());
  auto member = make_plan(*env, catalog::builtin_catalog());
  for (const auto& f : member.flows) EXPECT_FALSE(f.ports.contains(9389)) << "a member's logon needs no ADWS";
  env->access[0].as = "ad-admin";
  auto admin = make_plan(*env, catalog::builtin_catalog());
  EXPECT_EQ(opened(admin, "clients", "dc1"), (std::vector<std::string>{"tcp:9389"}));
}

TEST(Planner, ServicesGoneFromTheListenersWindowsAreLeftOutWithTheReason) {
  const char* site = R"(site: t
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24] }
hosts:
  new: { address: 198.18.20.10, zone: servers, os: windows-server-2022, services: [computer-browser, frs] }
  old: { address: 198.18.20.11, zone: servers, os: windows-server-2003, services: [computer-browser, frs] }
access:
  - { from: clients, to: new, services: [computer-browser, frs] }
  - { from: clients, to: old, services: [computer-browser, frs] }
settings: { netbios: true }
)";
  auto env = load_text(site);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, catalog::builtin_catalog());
  EXPECT_TRUE(opened(p, "clients", "new").empty()) << "no browser and no FRS on Windows Server 2022";
  EXPECT_FALSE(opened(p, "clients", "old").empty()) << "a 2003 server still runs both";
  auto said = std::count_if(p.skipped.begin(), p.skipped.end(), [&p](const Skipped& s) {
    return s.reason.service == "computer-browser" && s.why.en.find("SMBv1") != std::string::npos &&
           skipped_pairs(p, s, "new").size() == 1;
  });
  EXPECT_GT(said, 0);
  env->settings.kb_literal = true;
  auto literal = make_plan(*env, catalog::builtin_catalog());
  const auto* browser = find_flow(literal, "clients", "new", Transport::udp);  // grouped with old: same ports
  ASSERT_NE(browser, nullptr) << "the KB's answer";
  EXPECT_TRUE(browser->ports.contains(138));
}

TEST(Planner, EveryWindowsHostServesTheEndpointMapperServerEventLogAndOnServersWinrm) {
  const char* site = R"(site: t
zones:
  admins: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
  desks: { networks: [198.18.30.0/24], os: windows-11 }
hosts:
  web1: { address: 198.18.20.30, zone: servers, roles: [iis-web] }
  pc1: { address: 198.18.30.5, zone: desks }
access:
  - { from: admins, to: web1, as: remote-admin }
  - { from: admins, to: pc1, as: remote-admin }
settings: { netbios: false }
)";
  auto env = load_text(site);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, catalog::builtin_catalog());
  EXPECT_EQ(opened(p, "admins", "web1"), (std::vector<std::string>{"tcp:135,445,5985,49152-65535"}))
      << "endpoint mapper and the listener's range, SMB, event log over RPC, WinRM; no 593";
  EXPECT_EQ(opened(p, "admins", "pc1"), (std::vector<std::string>{"tcp:135,445,49152-65535"}))
      << "client editions do not listen for WinRM by default";
  // Named one by one, RPC over HTTP comes back.
  env->access[0].as.clear();
  env->access[0].services = {"rpc"};
  auto named = make_plan(*env, catalog::builtin_catalog());
  const auto* tcp = find_flow(named, "admins", "web1", Transport::tcp);
  ASSERT_NE(tcp, nullptr);
  EXPECT_TRUE(tcp->ports.contains(593));
}

TEST(Environment, AnEntryThatGrantsNothingOrCrossesAddressFamiliesIsAnError) {
  const char* site = R"(site: t
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  v6: { networks: ["2001:db8:10::/64"], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  fs1: { address: 198.18.20.20, zone: servers, roles: [file-server] }
access:
  - { from: clients, to: fs1, as: file-client }
)";
  ASSERT_TRUE(load_text(site).ok());
  std::string nothing = site;
  nothing.replace(nothing.find("as: file-client"), 15, "as: rdp-client");
  auto e1 = load_text(nothing);
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().line, 9);
  EXPECT_NE(e1.error().message.find("profile rdp-client (rds) grants nothing on fs1, which serves"), std::string::npos)
      << e1.error().to_string();
  EXPECT_NE(e1.error().message.find("offline-files"), std::string::npos) << "says what fs1 serves";
  std::string crossed = site;
  crossed.replace(crossed.find("from: clients"), 13, "from: v6");
  auto e2 = load_text(crossed);
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().line, 9);
  EXPECT_NE(e2.error().message.find("v6 (IPv6) and fs1 (IPv4) share no address family"), std::string::npos)
      << e2.error().to_string();
  // Neither as: nor services: would open every service of fs1's roles: an error naming what fits.
  std::string bare = site;
  bare.replace(bare.find(", as: file-client"), 17, "");
  auto e3 = load_text(bare);
  ASSERT_FALSE(e3.ok());
  EXPECT_EQ(e3.error().line, 9);
  EXPECT_NE(e3.error().message.find("give as: PROFILE or services:"), std::string::npos) << e3.error().to_string();
  EXPECT_NE(e3.error().message.find("profiles that fit fs1: "), std::string::npos) << e3.error().to_string();
  EXPECT_NE(e3.error().message.find("file-client"), std::string::npos) << e3.error().to_string();
  EXPECT_EQ(e3.error().message.find("rdp-client"), std::string::npos) << "fs1 serves nothing of rdp-client";
}

TEST(Planner, LeftOutRowsAreRecordedOncePerReasonWithTheirPairs) {
  std::string site =
      "site: t\nzones:\n  clients: { networks: [198.18.10.0/24], os: windows-11 }\n"
      "  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }\nhosts:\n";
  for (int i = 0; i < 10; ++i)
    site += "  dc" + std::to_string(i) + ": { address: 198.18.20." + std::to_string(10 + i) +
            ", zone: servers, roles: [domain-controller] }\n";
  site += "access:\n  - { from: clients, to: role:domain-controller, as: domain-member }\n";  // netbios open
  auto env = load_text(site);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, catalog::builtin_catalog());
  std::set<std::tuple<std::string, std::size_t, std::string>> keys;
  for (const auto& s : p.skipped) {
    EXPECT_TRUE(keys.insert({s.reason.service, s.reason.requirement, s.why.en}).second) << "one entry per reason";
    EXPECT_EQ(s.pairs.size(), 10u) << s.reason.service << " " << s.why.en;
  }
  const auto netbios = std::find_if(p.skipped.begin(), p.skipped.end(),
                                    [](const Skipped& s) { return s.reason.service == "netlogon" && s.undecided; });
  ASSERT_NE(netbios, p.skipped.end());
  EXPECT_EQ(skipped_pairs_text(skipped_pairs(p, *netbios), Lang::en, 2), "clients -> dc0, clients -> dc1 (+8 more)");
  EXPECT_EQ(skipped_pairs_text(skipped_pairs(p, *netbios), Lang::ja, 2), "clients -> dc0, clients -> dc1 (他 8 件)");
  EXPECT_EQ(skipped_pairs(p, *netbios, "dc3").size(), 1u) << "a host's own pairs for --host";
}

TEST(Environment, EveryBadEntryOfAFileIsReportedInOneRun) {
  const char* site = R"(site: t
zones:
  c: { networks: [198.18.10.0/24], os: windows-11 }
  s: { networks: [198.18.20.0/24], os: windows-server-2022 }
  bad: { networks: [198.18.300.0/24] }
hosts:
  dc1: { address: 198.18.20.10, zone: s, roles: [dc] }
  fs1: { address: 198.18.20.20, zone: s, roles: [file-server] }
  x1: { address: 198.18.30.20, zone: bad, roles: [file-server] }
access:
  - { from: c, to: fs1, as: file-clent }
  - { from: c, to: x1, as: file-client }
  - { from: c, to: fs1 }
  - { from: c, to: fs2, as: file-client }
)";
  auto env = load_text(site);
  ASSERT_FALSE(env.ok());
  std::vector<std::pair<int, std::string>> got{{env.error().line, env.error().field}};
  for (const auto& e : env.error().also) got.emplace_back(e.line, e.field);
  // x1 (in the bad zone) and the entry naming it are skipped without errors of their own.
  std::vector<std::pair<int, std::string>> want{{5, "zones.bad.networks[0]"},
                                                {7, "hosts.dc1.roles[0]"},
                                                {11, "access[0].as"},
                                                {13, "access[2]"},
                                                {14, "access[3].to"}};
  EXPECT_EQ(got, want);
  EXPECT_NE(env.error().also.at(0).message.find("did you mean 'domain-controller'?"), std::string::npos);
}

TEST(Planner, ABranchLogsOnAgainstItsRodcWhichReplicatesInboundOnly) {
  const char* site = R"(site: t
zones:
  hq: { networks: [198.18.20.0/24], os: windows-server-2022 }
  branch: { networks: [198.18.30.0/24], os: windows-11 }
  hq-clients: { networks: [198.18.10.0/24], os: windows-11 }
hosts:
  dc1: { address: 198.18.20.10, zone: hq, roles: [domain-controller] }
  rodc1: { address: 198.18.30.10, zone: branch, os: windows-server-2022, roles: [rodc] }
  fs2: { address: 198.18.30.20, zone: branch, os: windows-server-2022, roles: [file-server] }
access:
  - { from: branch, to: rodc1, as: branch-member }
  - { from: branch, to: fs2, as: file-client }
  - { from: rodc1, to: role:domain-controller, as: dc-replication }
  - { from: hq-clients, to: role:domain-controller, as: domain-member }
settings: { netbios: false }
)";
  auto env = load_text(site);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto p = make_plan(*env, catalog::builtin_catalog());
  auto logon = opened(p, "branch", "rodc1");
  EXPECT_NE(std::find(logon.begin(), logon.end(), "tcp:53,88,135,389,445,464,636,3268-3269,49152-65535"), logon.end())
      << "a member's logon against the RODC, as against a writable DC";
  EXPECT_FALSE(opened(p, "rodc1", "dc1").empty()) << "the RODC pulls from the writable DC, which listens";
  EXPECT_TRUE(opened(p, "dc1", "rodc1").empty()) << "nothing towards the RODC for replication";
  for (const auto& f : p.flows) {
    if (f.destination.name.find("rodc1") != std::string::npos) {
      EXPECT_EQ(f.source.name, "branch") << "role:domain-controller names writable DCs only: " << f.source.name;
    }
  }
  // Offline Files' LDAP rows are a DC's: the branch reaches one (its RODC), so nothing is missing.
  for (const auto& w : p.warnings)
    EXPECT_EQ(w.en.find("needs a host of role domain-controller"), std::string::npos) << w.en;
  // The other way round is a mistake the role explains.
  std::string backwards = site;
  backwards.replace(backwards.find("{ from: rodc1, to: role:domain-controller"), 41, "{ from: dc1, to: rodc1");
  auto bad = load_text(backwards);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 13);
  EXPECT_NE(bad.error().message.find("replicates inbound only"), std::string::npos) << bad.error().to_string();
}

TEST(Environment, AnyIsEveryAddressInNoZoneAndInternetItsAlias) {
  const char* site = R"(site: t
zones:
  dmz: { networks: [198.18.40.0/24, "2001:db8:40::/64"], os: windows-server-2022 }
  lan: { networks: [198.18.10.0/24], os: windows-11 }
hosts:
  web1: { address: 198.18.40.10, zone: dmz, roles: [iis-web] }
  dns1: { address: 198.18.40.53, zone: dmz, roles: [dns-server] }
access:
  - { from: internet, to: web1, as: web-client }
  - { from: dns1, to: any, services: [dns-server] }
)";
  auto env = load_text(site);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  const auto* any = env->zone("any");
  ASSERT_NE(any, nullptr);
  EXPECT_TRUE(any->outside);
  EXPECT_EQ(env->access[0].from, "any") << "internet is any's alias";
  auto in_any = [&](const char* text) {
    auto n = *parse_network(text);
    return std::any_of(any->networks.begin(), any->networks.end(), [&](const Network& x) { return x.contains(n); });
  };
  EXPECT_TRUE(in_any("198.19.200.7"));
  EXPECT_TRUE(in_any("2001:db8:99::1")) << "in every family the site uses";
  EXPECT_FALSE(in_any("198.18.10.5")) << "a zone's address is never any's";
  EXPECT_FALSE(in_any("2001:db8:40::10"));
  EXPECT_EQ(env->zone_of(*parse_network("198.19.200.7")), any);
  auto p = make_plan(*env, catalog::builtin_catalog());
  EXPECT_FALSE(opened(p, "any", "web1").empty());
  EXPECT_EQ(opened(p, "dns1", "any"), (std::vector<std::string>{"tcp:53", "udp:53"}));
  // any is reserved as a zone name; to: any serves no roles, so a profile cannot name what it opens.
  std::string reserved = site;
  reserved.replace(reserved.find("  lan:"), 6, "  any:");
  auto e1 = load_text(reserved);
  ASSERT_FALSE(e1.ok());
  EXPECT_NE(e1.error().message.find("'any' is reserved"), std::string::npos) << e1.error().to_string();
  std::string profile = site;
  profile.replace(profile.find("services: [dns-server]"), 22, "as: dns-client");
  auto e2 = load_text(profile);
  ASSERT_FALSE(e2.ok());
  EXPECT_NE(e2.error().message.find("name the services it serves"), std::string::npos) << e2.error().to_string();
  // A site's own zone named internet keeps its meaning.
  std::string own = site;
  own.replace(own.find("  lan:"), 6, "  internet:");
  auto env2 = load_text(own);
  ASSERT_TRUE(env2.ok()) << env2.error().to_string();
  EXPECT_EQ(env2->access[0].from, "internet");
  EXPECT_FALSE(env2->zone("internet")->outside);
}

// Aliases: a few uses of an anchor load as written; a file whose aliases would expand it far
// beyond its own size is refused at the alias, before any reader walks the tree (the shape that
// once took 24 GB: one long list, referenced by thousands of entries).
TEST(Environment, AliasesExpandWithinABudgetOrAreRefusedByName) {
  std::string reused = std::string(kSmall) + "  - { from: servers, to: dc1, services: &core [dns-server, kdc] }\n" +
                       "  - { from: clients, to: dc1, services: *core }\n";
  auto env = load_text(reused);
  ASSERT_TRUE(env) << env.error().to_string();
  EXPECT_EQ(env->access.back().services, (std::vector<std::string>{"dns-server", "kdc"}));
  // An ampersand in a text is no anchor: the file loads as before.
  EXPECT_TRUE(load_text(std::string(kSmall) + "settings: { netbios: false }\n# R&D\n"));

  std::string hostile = std::string(kSmall) + "  - { from: clients, to: dc1, services: &many [";
  for (int i = 0; i < 20000; ++i) hostile += (i ? ", s" : "s") + std::to_string(i);
  hostile += "] }\n";
  for (int i = 0; i < 2000; ++i) hostile += "  - { from: clients, to: dc1, services: *many }\n";
  auto refused = load_text(hostile);
  ASSERT_FALSE(refused);
  EXPECT_GT(refused.error().line, 9) << "an alias's line (the anchor is on line 9)";
  EXPECT_NE(refused.error().to_string().find("the alias *many expands the file beyond"), std::string::npos)
      << refused.error().to_string();
  EXPECT_NE(refused.error().to_string().find("20001 nodes"), std::string::npos) << refused.error().to_string();
  EXPECT_NE(refused.error().to_string(Lang::ja).find("エイリアス *many"), std::string::npos);
  // A document that opens with a stray ',' (found by fuzz_environment when yaml-cpp read the files:
  // its parser reported document after document without consuming one): refused at once (a hang
  // fails by timeout).
  EXPECT_FALSE(load_text("# an anchor sign: &\n, zone: dcs, roles: [a] }\n"));
}
