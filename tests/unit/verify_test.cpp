// verify as a library, with a fake prober: which flows become requests from a vantage, how
// outcomes and mapped endpoints are tied back to flows, what a blocked flow breaks; explain's
// reasons; and catalog::describe, the one answer to "what does this port mean".
#include "winports/verify/verify.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "sites.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/catalog/query.hpp"
#include "winports/probe/messages.hpp"
#include "winports/verify/check.hpp"
#include "winports/verify/explain.hpp"
#include "winports/verify/merge.hpp"
#include "winports/verify/powershell_probe.hpp"

using namespace winports;

namespace {

const char* kSite = R"(site: lab
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  ws1: { address: 198.18.10.5, zone: clients }
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
access:
  - { from: clients, to: dc1, as: domain-member }
)";

plan::Environment site() {
  auto env = plan::load_environment({"site.yaml", kSite}, catalog::builtin_catalog());
  EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().to_string());
  return env.ok() ? *env : plan::Environment{};
}

// Answers every request with a fixed status per port (listening by default), and has the endpoint
// mapper on 135 hand out `mapped` afterwards, as probe::run does.
struct FakeProber {
  std::map<std::uint16_t, probe::PortState> status;
  std::vector<probe::RpcEndpoint> mapped;
  std::size_t asked = 0;
  Result<std::vector<probe::Outcome>> operator()(const std::vector<probe::Request>& requests) {
    asked += requests.size();
    std::vector<probe::Outcome> out;
    for (const auto& r : requests) {
      auto it = status.find(r.port);
      out.push_back({r,
                     it == status.end() ? probe::PortState::listening : it->second,
                     LocalizedText{"偽の応答", "fake"},
                     {},
                     std::nullopt});
    }
    for (const auto& e : mapped) {
      probe::Request r{*parse_network("198.18.20.10"), Transport::tcp, e.port};
      out.push_back({r, probe::PortState::listening, LocalizedText{{}, "mapped"}, {}, e});
    }
    return out;
  }
};

const char* kDrsuapi = "e3514235-4b06-11d1-ab04-00c04fc2dcd2";

}  // namespace

TEST(Verify, RequestsCoverTheVantagesFlowsToSingleAddressesOnly) {
  auto env = site();
  const auto& c = catalog::builtin_catalog();
  auto plan = plan::make_plan(env, c);
  auto place = plan::resolve_place(env, c, "ws1", "--from");
  ASSERT_TRUE(place.ok());
  auto probes = verify::probes_for(plan, *place, env.file);
  ASSERT_TRUE(probes.ok());
  ASSERT_EQ(probes->requests.size(), probes->flow_of.size());
  for (std::size_t k = 0; k < probes->requests.size(); ++k) {
    const auto& f = plan.flows[probes->flow_of[k]];
    EXPECT_TRUE(f.ports.contains(probes->requests[k].port));
    EXPECT_FALSE(f.rpc_only.contains(probes->requests[k].port)) << "dynamic RPC ports are mapped, not swept";
    EXPECT_EQ(probes->requests[k].address.to_string(), "198.18.20.10");
  }
  bool kerberos = false;
  for (const auto& r : probes->requests) kerberos |= r.port == 88;
  EXPECT_TRUE(kerberos);
  // From the server zone nothing is planned: an error naming --from.
  auto servers = plan::resolve_place(env, c, "servers", "--from");
  ASSERT_TRUE(servers.ok());
  auto none = verify::probes_for(plan, *servers, env.file);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().field, "--from");
  EXPECT_EQ(none.error().message_in(Lang::ja), "ゾーン servers からホストへの TCP/UDP フローがありません");
  // What cannot be probed says why, in either language: ICMP has no port.
  auto icmp = std::find_if(probes->not_probed.begin(), probes->not_probed.end(),
                           [](const LocalizedText& t) { return t.en.find(" icmp: not a port") != std::string::npos; });
  ASSERT_NE(icmp, probes->not_probed.end()) << ::testing::PrintToString(in_language(probes->not_probed, Lang::en));
  EXPECT_NE(icmp->in(Lang::ja).find(" icmp: ポートではありません"), std::string::npos) << icmp->in(Lang::ja);
}

TEST(Verify, ABlockedPortBlocksItsFlowAndNamesWhatItBreaks) {
  auto env = site();
  const auto& c = catalog::builtin_catalog();
  FakeProber fake;
  fake.status[88] = probe::PortState::filtered;
  auto v = verify::verify(env, c, "clients", std::ref(fake));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(fake.asked, v->probes.requests.size());
  ASSERT_GT(v->blocked, 0u);
  EXPECT_TRUE(v->findings.front().blocked) << "blocked findings come first";
  EXPECT_NE(std::find(v->broken.begin(), v->broken.end(), "kdc"), v->broken.end()) << verify::summary(*v);
  EXPECT_TRUE(std::is_sorted(v->broken.begin(), v->broken.end()));
  std::size_t blocked_flows = 0;
  for (auto s : v->flow_state) blocked_flows += s == verify::FlowState::blocked;
  EXPECT_GE(blocked_flows, 1u);
  auto lines = verify::verify_lines(c, *v);
  ASSERT_EQ(lines.size(), v->findings.size());
  EXPECT_TRUE(lines.front().failed);
  EXPECT_EQ(lines.front().cells.at(3).rfind("BLOCKED ", 0), 0u);
  EXPECT_EQ(lines.front().json["blocked"], true);
  EXPECT_EQ(lines.front().row.verdict, report::Verdict::blocked);
  EXPECT_EQ(verify::summary_json(*v)["blocked"], v->blocked);
  // Nothing blocked: no finding fails.
  FakeProber open;
  auto clean = verify::verify(env, c, "clients", std::ref(open));
  ASSERT_TRUE(clean.ok());
  EXPECT_EQ(clean->blocked, 0u);
  EXPECT_TRUE(clean->broken.empty());
}

TEST(Verify, APortNamesItsOwnServicesAndStrictCountsRefusedPorts) {
  auto env = site();
  const auto& c = catalog::builtin_catalog();
  FakeProber fake;
  fake.status[88] = probe::PortState::filtered;
  fake.status[135] = probe::PortState::not_listening;
  auto v = verify::verify(env, c, "clients", std::ref(fake));
  ASSERT_TRUE(v.ok());
  // tcp/88 is Kerberos's: not the whole flow's DNS, LDAP, SMB …
  auto lines = verify::verify_lines(c, *v);
  const verify::Line* kerberos = nullptr;
  for (const auto& l : lines)
    if (l.json["port"] == 88 && l.json["transport"] == "tcp") kerberos = &l;
  ASSERT_NE(kerberos, nullptr);
  auto required = kerberos->json["required_by"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(required.begin(), required.end(), "kdc"), required.end());
  EXPECT_EQ(std::find(required.begin(), required.end(), "dns-server"), required.end()) << kerberos->json.dump();
  EXPECT_EQ(std::find(v->broken.begin(), v->broken.end(), "dns-server"), v->broken.end()) << verify::summary(*v);
  // The endpoint mapper refused: the DC's dynamic range went unchecked, and the summary says so.
  EXPECT_EQ(v->rpc_unchecked, std::vector<std::string>{"198.18.20.10"});
  EXPECT_NE(verify::summary(*v).find("dynamic RPC range not checked on 198.18.20.10"), std::string::npos)
      << verify::summary(*v);
  // The same summary in Japanese, from the message table.
  auto ja = verify::summary(*v, Lang::ja);
  EXPECT_NE(ja.find("拒否 1"), std::string::npos) << ja;
  EXPECT_NE(ja.find("198.18.20.10 の RPC の動的ポートの範囲は未検査"), std::string::npos) << ja;
  EXPECT_EQ(v->refused, 1u);
  auto blocked_plain = v->blocked;
  // --strict: the refused port is a failure too.
  FakeProber again = fake;
  auto strict = verify::verify(env, c, "clients", std::ref(again), true);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->blocked, blocked_plain + 1);
  EXPECT_EQ(verify::summary_json(*strict)["strict"], true);
}

TEST(Verify, MappedEndpointsJoinTheFlowThatOpensThemOrSayThePlanDoesNot) {
  auto env = site();
  const auto& c = catalog::builtin_catalog();
  FakeProber fake;
  fake.mapped = {{49668, kDrsuapi, 4, ""}, {40000, kDrsuapi, 4, ""}};
  auto v = verify::verify(env, c, "clients", std::ref(fake));
  ASSERT_TRUE(v.ok());
  auto lines = verify::verify_lines(c, *v);
  std::map<std::uint16_t, const verify::Finding*> by_port;
  for (const auto& f : v->findings)
    if (v->outcomes[f.outcome].rpc) by_port[v->outcomes[f.outcome].request.port] = &f;
  ASSERT_EQ(by_port.size(), 2u);
  ASSERT_TRUE(by_port[49668]->flow.has_value());
  EXPECT_TRUE(by_port[49668]->opened) << "49152-65535 is Server 2022's dynamic range";
  ASSERT_TRUE(by_port[40000]->flow.has_value()) << "tied to the flow carrying 135";
  EXPECT_FALSE(by_port[40000]->opened);
  bool said = false;
  for (const auto& l : lines)
    if (l.cells.at(2).find("40000") != std::string::npos) {
      said = l.cells.at(5).find("the plan does not open it") != std::string::npos;
      EXPECT_NE(l.cells.at(2).find("(RPC drsuapi)"), std::string::npos);
    }
  EXPECT_TRUE(said);
  said = false;  // and in Japanese under --lang ja
  for (const auto& l : verify::verify_lines(c, *v, Lang::ja))
    if (l.cells.at(2).find("40000") != std::string::npos)
      said = l.cells.at(5).find("計画はこのポートを開けていません") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(Verify, AnUnknownVantageIsAnErrorNamingTheFlagAndTheClosestName) {
  auto env = site();
  FakeProber fake;
  auto v = verify::verify(env, catalog::builtin_catalog(), "client", std::ref(fake));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().field, "--from");
  EXPECT_NE(v.error().message.find("did you mean 'clients'?"), std::string::npos) << v.error().message;
  EXPECT_EQ(fake.asked, 0u) << "nothing probed on bad input";
}

TEST(Verify, CheckLinesFailWhatDoesNotAnswer) {
  const auto& c = catalog::builtin_catalog();
  auto address = *parse_network("198.18.20.10");
  std::vector<probe::Outcome> outcomes = {
      {{address, Transport::tcp, 88}, probe::PortState::listening, {}, {}, std::nullopt},
      {{address, Transport::udp, 389}, probe::PortState::listening_or_filtered, {}, {}, std::nullopt},
      {{address, Transport::tcp, 445}, probe::PortState::not_listening, {}, {}, std::nullopt}};
  auto lines = verify::check_lines(c, outcomes);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(lines[0].failed);
  EXPECT_FALSE(lines[1].failed) << "UDP silence is not a failure";
  EXPECT_TRUE(lines[2].failed);
  EXPECT_EQ(lines[2].junit.failure_type, "not-listening");
  EXPECT_EQ(lines[2].row.verdict, report::Verdict::refused);
  EXPECT_EQ(lines[0].json["services"], nlohmann::json::array({"kdc"}))
      << "an array of service ids, as local and analyze give";
  // The evidence in the run's language; the JSON keeps English in `detail`, Japanese beside it.
  outcomes[0].detail = msg::ev_tcp_handshake();
  EXPECT_EQ(verify::check_lines(c, outcomes)[0].cells.back(), "TCP handshake completed");
  auto ja = verify::check_lines(c, outcomes, {}, Lang::ja)[0];
  EXPECT_EQ(ja.cells.back(), "TCP ハンドシェイクが完了しました");
  EXPECT_EQ(ja.json["detail"], "TCP handshake completed");
  EXPECT_EQ(ja.json["detail_ja"], "TCP ハンドシェイクが完了しました");
}

TEST(Verify, PortSpecsNameTheFlagOfWhatIsUnknown) {
  const auto& c = catalog::builtin_catalog();
  auto spec = verify::port_spec(c, "", {}, {"domain-controller"});
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->tcp.contains(88));
  EXPECT_FALSE(spec->tcp.contains(50000)) << "dynamic RPC ranges are left to the endpoint mapper";
  auto bad_role = verify::port_spec(c, "", {}, {"no-such-role"});
  ASSERT_FALSE(bad_role.ok());
  EXPECT_EQ(bad_role.error().field, "--role");
  auto nothing = verify::port_spec(c, "", {}, {});
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().field, "--ports");
  auto requests = verify::requests_for({*parse_network("198.18.20.10"), *parse_network("198.18.20.11")}, *spec);
  EXPECT_EQ(requests.size(), 2 * (spec->tcp.count() + spec->udp.count()));
}

TEST(Explain, AllowedWithItsKbRowsOrNotAllowedWithAReason) {
  auto env = site();
  const auto& c = catalog::builtin_catalog();
  auto plan = plan::make_plan(env, c);
  auto from = plan::resolve_place(env, c, "clients", "--from");
  auto to = plan::resolve_place(env, c, "dc1", "--to");
  ASSERT_TRUE(from.ok() && to.ok());
  auto kerberos = verify::explain(plan, env, c, *from, *to, *catalog::parse_port_query("88/tcp"), "88/tcp", Lang::en);
  EXPECT_TRUE(kerberos.allowed);
  ASSERT_GE(kerberos.lines.size(), 2u);
  EXPECT_EQ(kerberos.lines[0].rfind("ALLOWED clients -> dc1 tcp", 0), 0u) << kerberos.lines[0];
  bool kb_row = false;
  for (const auto& l : kerberos.lines) kb_row |= l.find("[kdc]") != std::string::npos;
  EXPECT_TRUE(kb_row);
  auto back = verify::explain(plan, env, c, *to, *from, *catalog::parse_port_query("88/tcp"), "88/tcp", Lang::en);
  EXPECT_FALSE(back.allowed);
  ASSERT_EQ(back.lines.size(), 2u);
  EXPECT_NE(back.lines[1].find("no access entry from dc1 to zone clients grants anything"), std::string::npos)
      << back.lines[1];
  auto odd = verify::explain(plan, env, c, *from, *to, *catalog::parse_port_query("8080/tcp"), "8080/tcp", Lang::en);
  EXPECT_FALSE(odd.allowed);
  ASSERT_EQ(odd.lines.size(), 2u);
  EXPECT_NE(odd.lines[1].find("none of these uses 8080/tcp"), std::string::npos) << odd.lines[1];
}

// A zone whose hosts get different answers is not "allowed": explain names the hosts of each kind
// and why the first refused one is refused; and the reasons given are the rows of the port asked,
// not every dynamic RPC row of the flow.
TEST(Explain, AZoneWhoseHostsDifferNamesBothKindsAndReasonsAreThePorts) {
  const auto& c = catalog::builtin_catalog();
  auto env = plan::load_environment({"dmz.yaml", R"(site: t
zones:
  dmz: { networks: [198.18.40.0/24], os: windows-server-2022 }
  core: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  rdgw01: { address: 198.18.40.5, zone: dmz, roles: [rd-gateway] }
  web01: { address: 198.18.40.10, zone: dmz, roles: [iis-web] }
  dc1: { address: 198.18.20.10, zone: core, roles: [domain-controller] }
access:
  - { from: rdgw01, to: dc1, as: domain-member }
)"},
                                    c);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto plan = plan::make_plan(*env, c);
  auto dmz = plan::resolve_place(*env, c, "dmz", "--from");
  auto dc1 = plan::resolve_place(*env, c, "dc1", "--to");
  ASSERT_TRUE(dmz.ok() && dc1.ok());
  auto e = verify::explain(plan, *env, c, *dmz, *dc1, *catalog::parse_port_query("88/tcp"), "88/tcp", Lang::en);
  EXPECT_FALSE(e.allowed);
  ASSERT_GE(e.lines.size(), 3u);
  EXPECT_EQ(e.lines[0],
            "ALLOWED FOR SOME zone dmz -> dc1 88/tcp: allowed rdgw01; not allowed web01, the other addresses of zone "
            "dmz");
  auto text = join(e.lines, "\n");
  EXPECT_NE(text.find("why web01 is not allowed:"), std::string::npos) << text;
  EXPECT_NE(text.find("no access entry from web01 to dc1"), std::string::npos) << text;
  // The host alone is allowed, with the port's own rows only: DNS for 53, no dynamic RPC row.
  auto rdgw = plan::resolve_place(*env, c, "rdgw01", "--from");
  ASSERT_TRUE(rdgw.ok());
  auto dns = verify::explain(plan, *env, c, *rdgw, *dc1, *catalog::parse_port_query("53/tcp"), "53/tcp", Lang::en);
  EXPECT_TRUE(dns.allowed);
  auto dns_text = join(dns.lines, "\n");
  EXPECT_NE(dns_text.find("[dns-server]"), std::string::npos) << dns_text;
  for (const char* other : {"[active-directory]", "[dfs-namespaces]", "[group-policy]", "[netlogon]"})
    EXPECT_EQ(dns_text.find(other), std::string::npos) << other << "\n" << dns_text;
  // A port of the listener's dynamic range names the dynamic rows (and whose range it is).
  auto rpc =
      verify::explain(plan, *env, c, *rdgw, *dc1, *catalog::parse_port_query("50000/tcp"), "50000/tcp", Lang::en);
  EXPECT_TRUE(rpc.allowed);
  auto rpc_text = join(rpc.lines, "\n");
  EXPECT_NE(rpc_text.find("[active-directory]"), std::string::npos) << rpc_text;
  EXPECT_EQ(rpc_text.find("[dns-server]"), std::string::npos) << rpc_text;
}

// verify --from a dual-stack host probes each planned destination in both families.
TEST(Verify, ADualStackVantageProbesBothFamilies) {
  const auto& c = catalog::builtin_catalog();
  auto env = plan::load_environment({"ds.yaml", R"(site: t
zones:
  lan: { networks: [198.18.10.0/24, "2001:db8:10::/64"], os: windows-11 }
  srv: { networks: [198.18.20.0/24, "2001:db8:20::/64"], os: windows-server-2022 }
hosts:
  ws1: { address: [198.18.10.5, "2001:db8:10::5"], zone: lan }
  dc1: { address: [198.18.20.10, "2001:db8:20::10"], zone: srv, roles: [domain-controller] }
access:
  - { from: lan, to: dc1, as: domain-member }
)"},
                                    c);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto plan = plan::make_plan(*env, c);
  auto ws1 = plan::resolve_place(*env, c, "ws1", "--from");
  ASSERT_TRUE(ws1.ok());
  auto probes = verify::probes_for(plan, *ws1, "ds.yaml");
  ASSERT_TRUE(probes.ok());
  std::set<std::string> kerberos;
  for (const auto& r : probes->requests)
    if (r.port == 88 && r.transport == Transport::tcp) kerberos.insert(r.address.to_string());
  EXPECT_EQ(kerberos, (std::set<std::string>{"198.18.20.10", "2001:db8:20::10"}));
}

// Where this machine stands: --from auto is every zone of its addresses, each probed from its own
// address; an explicit --from must hold one of them (or --anywhere), since a probe from elsewhere
// proves nothing about that zone's path.
TEST(Verify, TheVantageIsWhereThisMachineStands) {
  const auto& c = catalog::builtin_catalog();
  auto env = site();
  auto at = [](const char* a) { return std::vector<Network>{*parse_network(a)}; };
  auto automatic = verify::vantages_for(env, c, "auto", at("198.18.10.5"), false);
  ASSERT_TRUE(automatic.ok()) << automatic.error().to_string();
  ASSERT_EQ(automatic->size(), 1u);
  EXPECT_EQ(automatic->front().from, "clients");
  EXPECT_EQ(automatic->front().sources, at("198.18.10.5"));
  auto nowhere = verify::vantages_for(env, c, "auto", at("192.0.2.2"), false);
  ASSERT_FALSE(nowhere.ok());
  EXPECT_EQ(nowhere.error().field, "--from");
  EXPECT_NE(
      nowhere.error().message.find("none of this machine's addresses (192.0.2.2) is in a zone of the site: clients "
                                   "198.18.10.0/24"),
      std::string::npos)
      << nowhere.error().message;
  auto both = verify::vantages_for(
      env, c, "auto", {*parse_network("192.0.2.2"), *parse_network("198.18.10.5"), *parse_network("198.18.20.9")},
      false);
  ASSERT_TRUE(both.ok()) << both.error().to_string();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0].from, "clients");
  EXPECT_EQ((*both)[0].sources, at("198.18.10.5"));
  EXPECT_EQ((*both)[1].from, "servers");
  EXPECT_EQ((*both)[1].sources, at("198.18.20.9"));
  auto outside = verify::vantages_for(env, c, "clients", at("192.0.2.2"), false);
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("add --anywhere"), std::string::npos);
  auto anywhere = verify::vantages_for(env, c, "clients", at("192.0.2.2"), true);
  ASSERT_TRUE(anywhere.ok());
  EXPECT_TRUE(anywhere->front().sources.empty()) << "from outside the zone, the kernel picks the source";
  auto inside = verify::vantages_for(env, c, "clients", at("198.18.10.77"), false);
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(inside->front().sources, at("198.18.10.77"));
}

// A machine in two zones probes both zones' flows in one run, each request bound to the address in
// the zone whose flow it probes; a zone with nothing to probe is no error when another has flows.
TEST(Verify, SeveralZonesProbeEachFlowFromItsZonesAddress) {
  const char* two_zones = R"(site: lab
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  branch: { networks: [198.18.11.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
  web: { address: 198.18.20.20, zone: servers }
access:
  - { from: clients, to: dc1, as: domain-member }
  - { from: branch, to: web, services: [ftp] }
)";
  const auto& c = catalog::builtin_catalog();
  auto env = plan::load_environment({"site.yaml", two_zones}, c);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  std::vector<Network> mine = {*parse_network("198.18.10.5"), *parse_network("198.18.11.5"),
                               *parse_network("198.18.20.5")};
  auto vantages = verify::vantages_for(*env, c, "auto", mine, false);
  ASSERT_TRUE(vantages.ok()) << vantages.error().to_string();
  ASSERT_EQ(vantages->size(), 3u);
  FakeProber fake;
  auto v = verify::verify(*env, c, *vantages, std::ref(fake));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->zones, (std::vector<std::string>{"clients", "branch", "servers"}));
  std::set<std::string> to_web, to_dc;
  for (const auto& r : v->probes.requests) {
    ASSERT_TRUE(r.source.has_value());
    (r.address.to_string() == "198.18.20.20" ? to_web : to_dc).insert(r.source->to_string());
  }
  EXPECT_EQ(to_web, std::set<std::string>{"198.18.11.5"});
  EXPECT_EQ(to_dc, std::set<std::string>{"198.18.10.5"});
  auto json = verify::summary_json(*v);
  EXPECT_EQ(json["from"], "clients, branch, servers");
  // Nothing to probe from any of the vantages is still an error naming --from.
  auto idle = verify::vantages_for(*env, c, "auto", {*parse_network("198.18.20.5")}, false);
  ASSERT_TRUE(idle.ok());
  auto none = verify::verify(*env, c, *idle, std::ref(fake));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().field, "--from");
}

// The --json envelope verify prints for a run (as the CLI builds it from the library's parts).
std::string run_json(const catalog::Catalog& c, const verify::Verification& v, const std::string& host) {
  auto summary = verify::summary_json(v);
  summary["vantage"]["host"] = host;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& l : verify::verify_lines(c, v)) results.push_back(l.json);
  return nlohmann::json{{"kind", "verify"}, {"version", 2}, {"payload", {{"results", results}, {"summary", summary}}}}
      .dump();
}

// verify --merge: every flow with the vantages that probed it, blocked first; a zone without a
// vantage listed as unprobed; results of another site or plan refused, naming the file.
TEST(Verify, MergeNamesEachFlowsVantagesAndTheZonesNobodyProbed) {
  const auto& c = catalog::builtin_catalog();
  const std::string text = R"(site: m
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  branch: { networks: [198.18.30.0/24], os: windows-11 }
  lab: { networks: [198.18.40.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
access:
  - { from: clients, to: dc1, as: domain-member }
  - { from: branch, to: dc1, as: domain-member }
  - { from: lab, to: dc1, as: domain-member }
)";
  auto env = plan::load_environment({"m.yaml", text}, c);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  FakeProber blocking, open;
  blocking.status[88] = probe::PortState::filtered;
  auto a = verify::verify(*env, c, "clients", std::ref(blocking));
  auto b = verify::verify(*env, c, "branch", std::ref(open));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->plan_id, b->plan_id);
  EXPECT_EQ(a->zones, std::vector<std::string>{"clients"});
  auto plan = plan::make_plan(*env, c);
  auto merged = verify::merge(plan, *env, {{"a.json", run_json(c, *a, "vm-a")}, {"b.json", run_json(c, *b, "vm-b")}});
  ASSERT_TRUE(merged.ok()) << merged.error().to_string();
  ASSERT_FALSE(merged->flows.empty());
  // Blocked first: clients -> dc1 tcp, from vm-a only.
  const auto& first = merged->flows.front();
  EXPECT_EQ(plan::flow_label(plan.flows[first.flow]), "clients -> dc1");
  ASSERT_EQ(first.probes.size(), 1u);
  EXPECT_EQ(first.probes[0].vantage, "vm-a");
  EXPECT_EQ(first.probes[0].verdict, report::Verdict::blocked);
  std::size_t blocked = 0;
  for (const auto& m : merged->flows)
    for (const auto& p : m.probes)
      if (p.verdict == report::Verdict::blocked) {
        ++blocked;
        EXPECT_EQ(p.vantage, "vm-a") << "only from the vantage whose probes were dropped";
      }
  EXPECT_EQ(blocked, 2u) << "88 over TCP and over UDP";
  // lab has no vantage host: its flows are unprobed, listed first.
  ASSERT_FALSE(merged->unprobed.empty());
  EXPECT_EQ(merged->unprobed.front().zone, "lab");
  EXPECT_FALSE(merged->unprobed.front().has_vantage);
  auto notes = verify::unprobed_lines(plan, *merged, Lang::en);
  EXPECT_EQ(notes.front().rfind("zone lab has no vantage host: lab -> dc1 tcp", 0), 0u) << notes.front();
  auto lines = verify::merge_lines(plan, *merged);
  EXPECT_TRUE(lines.front().failed);
  // Each run's evidence is read in both languages (detail, detail_ja) and shown in the run's.
  auto ja_lines = verify::merge_lines(plan, *merged, Lang::ja);
  EXPECT_EQ(ja_lines.front().json["detail"], lines.front().json["detail"]) << "the JSON keeps English";
  EXPECT_NE(lines.front().cells.back().find(": fake"), std::string::npos) << lines.front().cells.back();
  EXPECT_NE(ja_lines.front().cells.back().find(": 偽の応答"), std::string::npos) << ja_lines.front().cells.back();
  EXPECT_EQ(lines.front().json["vantage"], "vm-a");
  EXPECT_EQ(verify::merge_summary(*merged, Lang::en).rfind("4 flow(s) probed from 2 vantage(s): 2 blocked", 0), 0u)
      << verify::merge_summary(*merged, Lang::en);
  // A flow probed from two vantages with different verdicts shows both.
  FakeProber open_clients;
  auto a2 = verify::verify(*env, c, "clients", std::ref(open_clients));
  ASSERT_TRUE(a2.ok());
  auto both = verify::merge(plan, *env, {{"a.json", run_json(c, *a, "vm-a")}, {"c.json", run_json(c, *a2, "vm-c")}});
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->flows.front().probes.size(), 2u);
  EXPECT_NE(both->flows.front().probes[0].verdict, both->flows.front().probes[1].verdict);
  // Another site, another plan, not verify's output: refused with the file named.
  auto other = nlohmann::json::parse(run_json(c, *a, "vm-a"));
  other["payload"]["summary"]["site"] = "elsewhere";
  auto refused = verify::merge(plan, *env, {{"other.json", other.dump()}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().file, "other.json");
  EXPECT_NE(refused.error().message.find("a result of site 'elsewhere', not of 'm'"), std::string::npos);
  auto older = nlohmann::json::parse(run_json(c, *a, "vm-a"));
  older["payload"]["summary"]["plan_id"] = "0000000000000000";
  auto stale = verify::merge(plan, *env, {{"old.json", older.dump()}});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().field, "summary.plan_id");
  auto changed = plan::load_environment({"m.yaml", text + "  - { from: lab, to: dc1, services: [winrm] }\n"}, c);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(plan::plan_id(plan::make_plan(*changed, c)), a->plan_id) << "a changed plan has another identity";
  EXPECT_FALSE(verify::merge(plan, *env, {{"x.json", R"({"kind": "check", "payload": {}})"}}).ok());
}

// A vantage the playbook could not reach (or whose run failed) is one line of the merged report:
// counted apart from the runs that probed, its zone's flows left unprobed; a record naming no host
// or another site is refused by file.
TEST(Verify, MergeSaysWhichVantageDidNotRun) {
  const auto& c = catalog::builtin_catalog();
  auto env = site();
  FakeProber open;
  auto a = verify::verify(env, c, "clients", std::ref(open));
  ASSERT_TRUE(a.ok());
  auto plan = plan::make_plan(env, c);
  const std::string down =
      R"({"kind": "verify-failed", "version": 2, "payload": {"site": "lab", "host": "vm-b", "from": "auto",
          "reason": "unreachable: ssh: connect to host 198.19.2.2 port 22: Connection refused"}})";
  auto merged = verify::merge(plan, env, {{"a.json", run_json(c, *a, "vm-a")}, {"vm-b.failed.json", down}});
  ASSERT_TRUE(merged.ok()) << merged.error().to_string();
  ASSERT_EQ(merged->runs.size(), 2u);
  EXPECT_EQ(merged->runs[1].host, "vm-b");
  EXPECT_NE(merged->runs[1].failed.find("Connection refused"), std::string::npos);
  auto summary = verify::merge_summary(*merged, Lang::en);
  EXPECT_NE(summary.find("from 1 vantage(s)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("; 1 vantage(s) did not run"), std::string::npos) << summary;
  auto notes = verify::unprobed_lines(plan, *merged, Lang::en);
  auto line = std::find_if(notes.begin(), notes.end(), [](const std::string& n) { return n.find("vm-b") != n.npos; });
  ASSERT_NE(line, notes.end());
  EXPECT_EQ(*line,
            "vm-b.failed.json: vm-b from auto did not run: unreachable: ssh: connect to host 198.19.2.2 port 22: "
            "Connection refused");
  for (const auto& m : merged->flows)
    for (const auto& p : m.probes) EXPECT_NE(p.vantage, "vm-b");
  auto nameless = verify::merge(plan, env, {{"n.json", R"({"kind": "verify-failed", "payload": {"reason": "x"}})"}});
  ASSERT_FALSE(nameless.ok());
  EXPECT_EQ(nameless.error().file, "n.json");
  EXPECT_EQ(nameless.error().field, "payload.host");
  auto foreign = verify::merge(
      plan, env,
      {{"f.json", R"({"kind": "verify-failed", "payload": {"site": "other", "host": "h", "reason": "x"}})"}});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().field, "payload.site");
}

TEST(Describe, EveryServiceOfAPortOnceEvenWhenOneIdContainsAnother) {
  // Two services whose ids nest ("server" inside "dns-server") on one port: the old check naming
  // matched ids as substrings of the list built so far and dropped "server".
  catalog::Catalog c = catalog::builtin_catalog();
  auto* dns = const_cast<catalog::Service*>(c.service("dns-server"));
  auto* server = const_cast<catalog::Service*>(c.service("server"));
  ASSERT_TRUE(dns && server);
  for (auto* s : {dns, server}) {
    ASSERT_FALSE(s->requirements.empty());
    s->requirements.front().transport = Transport::tcp;
    s->requirements.front().ports = PortSet{{7777, 7777}};
    s->requirements.front().dynamic.clear();
  }
  auto m = catalog::describe(c, Transport::tcp, 7777);
  EXPECT_NE(std::find(m.services.begin(), m.services.end(), "server"), m.services.end()) << m.text();
  EXPECT_NE(std::find(m.services.begin(), m.services.end(), "dns-server"), m.services.end()) << m.text();
  EXPECT_EQ(m.text(), join(m.services, ","));
}

TEST(Describe, AnInterfaceMeansItsServiceAndTheMapperMeansThePort) {
  const auto& c = catalog::builtin_catalog();
  auto drs = catalog::describe(c, Transport::tcp, 49668, catalog::InterfaceRef{kDrsuapi, ""});
  EXPECT_EQ(drs.interface, "drsuapi");
  ASSERT_EQ(drs.services.size(), 1u);
  EXPECT_EQ(drs.services[0], "active-directory");
  auto unknown = catalog::describe(c, Transport::tcp, 49668,
                                   catalog::InterfaceRef{"12345678-0000-0000-0000-000000000000", "Vendor agent"});
  EXPECT_EQ(unknown.interface, "Vendor agent");
  EXPECT_EQ(unknown.services, std::vector<std::string>{"rpc"});
  auto high = catalog::describe(c, Transport::tcp, 50000);
  EXPECT_TRUE(high.services.empty());
  EXPECT_EQ(high.text(), "(dynamic RPC range: modern)");
  auto none = catalog::describe(c, Transport::tcp, 1);
  EXPECT_EQ(none.text(), "(not in the catalog)");
}

TEST(Verify, FromAnyProbesThePairsThePlanNamesWithTheOutside) {
  // A vantage outside every zone: the flows an entry names from any, and nothing else.
  auto env = plan::load_environment({"site.yaml", test::kEdgeWeb}, catalog::builtin_catalog());
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  FakeProber fake;
  auto v = verify::verify(*env, catalog::builtin_catalog(), "internet", std::ref(fake));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  ASSERT_FALSE(v->probes.requests.empty());
  for (const auto& r : v->probes.requests) {
    EXPECT_EQ(r.address.to_string(), "198.18.40.10") << "only web1 is paired with any";
    EXPECT_TRUE(r.port == 80 || r.port == 443) << r.port;
  }
}

TEST(Explain, SaysItInTheLanguageOfTheRun) {
  auto env = site();
  const auto& c = catalog::builtin_catalog();
  auto plan = plan::make_plan(env, c);
  auto from = plan::resolve_place(env, c, "dc1", "--from"), to = plan::resolve_place(env, c, "ws1", "--to");
  ASSERT_TRUE(from.ok() && to.ok());
  auto query = catalog::parse_port_query("445");
  ASSERT_TRUE(query.ok());
  auto en = verify::explain(plan, env, c, *from, *to, *query, "445", Lang::en);
  auto ja = verify::explain(plan, env, c, *from, *to, *query, "445", Lang::ja);
  ASSERT_EQ(en.lines.size(), ja.lines.size());
  EXPECT_EQ(en.lines[0], "NOT ALLOWED dc1 -> ws1 445");
  EXPECT_EQ(ja.lines[0], "不許可 dc1 -> ws1 445");
  EXPECT_NE(ja.lines[1].find("access エントリーがありません"), std::string::npos) << ja.lines[1];
}

// verify --emit powershell: the script carries each UDP request as the very bytes the Linux
// prober sends (decoded here as the script decodes them), and its JSON skeleton is verify's own
// result for request k at index k, so what it fills in lands on the right probe.
TEST(Verify, ThePowerShellProbeSendsTheLinuxProbesRequests) {
  const auto& c = catalog::builtin_catalog();
  auto env = site();
  auto v = verify::prepare(env, c, {{"clients", {}}});
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  verify::ScriptOptions options;
  options.hints.domain = "winports.test";
  auto script = verify::powershell_probe_script(c, *v, options);
  // The request table: one line per request, in order.
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(script);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  , @(", 0) != 0) continue;
    std::vector<std::string> fields;
    std::istringstream parts(line.substr(6, line.size() - 7));
    for (std::string f; std::getline(parts, f, ',');) {
      f.erase(0, f.find_first_not_of(' '));
      if (f.size() >= 2 && f.front() == '\'') f = f.substr(1, f.size() - 2);
      fields.push_back(f);
    }
    rows.push_back(fields);
  }
  ASSERT_EQ(rows.size(), v->probes.requests.size());
  std::set<std::uint16_t> protocols;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& r = v->probes.requests[k];
    ASSERT_EQ(rows[k].size(), 5u) << k;
    EXPECT_EQ(rows[k][0], r.address.to_string());
    EXPECT_EQ(rows[k][1], to_string(r.transport));
    EXPECT_EQ(rows[k][2], std::to_string(r.port));
    const auto* p = r.transport == Transport::udp ? probe::udp_protocol(r.port) : nullptr;
    if (!p) {
      EXPECT_EQ(rows[k][3], "") << "no payload where the Linux prober sends an empty datagram or speaks TCP";
      continue;
    }
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i + 1 < rows[k][3].size(); i += 2)
      bytes.push_back(static_cast<std::uint8_t>(std::stoi(rows[k][3].substr(i, 2), nullptr, 16)));
    auto sent = p->request(verify::script_request_id(k), options.hints);
    EXPECT_EQ(bytes, sent) << "udp/" << r.port;
    EXPECT_EQ(rows[k][4], p->reply_from_any_port ? "$true" : "$false");
    protocols.insert(r.port);
  }
  EXPECT_EQ(protocols, (std::set<std::uint16_t>{53, 88, 123, 389, 464})) << "DNS, Kerberos, NTP, CLDAP, kpasswd";
  // The skeleton: verify's JSON, result k for request k, the dynamic RPC range said unchecked.
  auto begin = script.find("$Skeleton = @'\n"), end = script.find("\n'@\n");
  ASSERT_NE(begin, std::string::npos);
  auto doc = nlohmann::json::parse(script.substr(begin + 15, end - begin - 15));
  EXPECT_EQ(doc["kind"], "verify");
  const auto& results = doc["payload"]["results"];
  ASSERT_EQ(results.size(), rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    EXPECT_EQ(results[k]["port"], v->probes.requests[k].port) << k;
    EXPECT_EQ(results[k]["transport"], to_string(v->probes.requests[k].transport)) << k;
    EXPECT_EQ(results[k]["flow"], "clients -> dc1");
  }
  EXPECT_EQ(doc["payload"]["summary"]["plan_id"], plan::plan_id(plan::make_plan(env, c)));
  EXPECT_EQ(doc["payload"]["summary"]["rpc_range_unchecked"], nlohmann::json::array({"198.18.20.10"}));
  // UTF-8 with a byte-order mark, as Windows PowerShell 5.1 needs to read anything but ASCII; in
  // English the rest is ASCII but the Japanese column of the evidence table (the script fills
  // `detail_ja` beside `detail` in every language), in Japanese its comments are the run's
  // language, its code the same.
  ASSERT_EQ(script.rfind("\xEF\xBB\xBF", 0), 0u);
  std::string outside_evidence = script.substr(3);
  auto table = outside_evidence.find("$Evidence = @{\n");
  ASSERT_NE(table, std::string::npos);
  EXPECT_NE(outside_evidence.find("handshake = @('TCP handshake completed', 'TCP ハンドシェイクが完了しました')"),
            std::string::npos);
  outside_evidence.erase(table, outside_evidence.find("\n}\n", table) - table);
  EXPECT_TRUE(std::all_of(outside_evidence.begin(), outside_evidence.end(),
                          [](char ch) { return static_cast<unsigned char>(ch) < 0x80; }));
  auto ja_options = options;
  ja_options.lang = Lang::ja;
  auto ja_script = verify::powershell_probe_script(c, *v, ja_options);
  ASSERT_EQ(ja_script.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_NE(ja_script.find("# clients にあるホストで実行してください"), std::string::npos);
  auto code_lines = [](const std::string& text) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.find('#') == std::string::npos) out += line + "\n";
    return out;
  };
  EXPECT_EQ(code_lines(ja_script), code_lines(script)) << "only the comments differ";
  // Filled in as the script fills it (tcp/88 dropped), the result merges like any vantage's.
  for (auto& r : doc["payload"]["results"]) {
    bool dropped = r["transport"] == "tcp" && r["port"] == 88;
    r["status"] = dropped ? "filtered" : "listening";
    r["blocked"] = dropped;
  }
  doc["payload"]["summary"]["vantage"]["host"] = "WIN-VANTAGE";
  auto merged = verify::merge(plan::make_plan(env, c), env, {{"win.json", doc.dump()}});
  ASSERT_TRUE(merged.ok()) << merged.error().to_string();
  ASSERT_FALSE(merged->flows.empty());
  EXPECT_EQ(merged->flows.front().probes.front().vantage, "WIN-VANTAGE");
  EXPECT_EQ(merged->flows.front().probes.front().verdict, report::Verdict::blocked);
}
