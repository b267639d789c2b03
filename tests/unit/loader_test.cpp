// The loader: the shipped data loads and round-trips through the embedded form; bad files give
// file:line: field errors; user directories extend and override.
#include "winports/catalog/loader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "test_util.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/catalog/query.hpp"
#include "winports/catalog/serialize.hpp"

using namespace winports;
using namespace winports::catalog;
using winports::test::TempDir;

namespace {

const char* kGood = R"(id: contoso-agent
names: {ja: "Contoso エージェント", en: "Contoso agent"}
aliases: [contoso]
system_services: [ContosoSvc]
description: {ja: "社内エージェント", en: "In-house agent"}
notes:
  nb: {ja: "注", en: "note"}
requirements:
  - protocol: {ja: "Contoso", en: "Contoso"}
    transport: tcp
    ports: [7777, "8000-8010"]
    conditions: [{feature: netbios}, {server_os: ">=windows-server-2016"}]
    notes: [nb]
    sources:
      - {table: text, quote: "site policy"}
)";

Result<Service> parse(const std::string& text, const std::string& name = "contoso-agent.yaml") {
  return parse_service({name, text}, builtin_catalog());
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST(Loader, ShippedDataLoadsAndMatchesTheEmbeddedCatalog) {
  auto loaded = load_directory(WINPORTS_SOURCE_DATA);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  auto blob = to_blob(*loaded);
  EXPECT_TRUE(std::equal(blob.begin(), blob.end(), builtin_blob().begin(), builtin_blob().end()))
      << "embedded blob is stale";
  auto again = from_blob(to_blob(*loaded));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(to_blob(*again), to_blob(*loaded)) << "blob round trip";
  EXPECT_GE(loaded->services.size(), 70u);
}

TEST(Loader, ParsesAGoodServiceFile) {
  auto s = parse(kGood);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->id, "contoso-agent");
  ASSERT_EQ(s->requirements.size(), 1u);
  EXPECT_EQ(s->requirements[0].ports.to_string(), "7777,8000-8010");
  EXPECT_EQ(s->requirements[0].conditions[1].values, std::vector<std::string>{">=windows-server-2016"});
}

struct BadCase {
  const char* name;
  std::string text;
  int line;
  const char* field;
  const char* message_part;
};

TEST(Loader, BadFilesNameFileLineAndField) {
  std::vector<BadCase> cases = {
      {"typo key", replace(kGood, "aliases:", "alias:"), 3, "alias", "did you mean 'aliases'"},
      {"bad transport", replace(kGood, "transport: tcp", "transport: tpc"), 10, "requirements[0].transport",
       "not one of"},
      {"bad port", replace(kGood, "7777", "77777"), 11, "requirements[0].ports[0]", "not a port"},
      {"reversed range", replace(kGood, "8000-8010", "8010-8000"), 11, "requirements[0].ports[1]", "lo <= hi"},
      {"unknown feature", replace(kGood, "feature: netbios", "feature: netbois"), 12,
       "requirements[0].conditions[0].feature", "did you mean 'netbios'"},
      {"unknown os", replace(kGood, ">=windows-server-2016", ">=windows-server-2061"), 12,
       "requirements[0].conditions[1].server_os", "unknown OS version"},
      {"missing note", replace(kGood, "notes: [nb]", "notes: [nx]"), 13, "requirements[0].notes[0]", "no note 'nx'"},
      {"no sources", replace(kGood, "    sources:\n      - {table: text, quote: \"site policy\"}\n", ""), 9,
       "requirements[0].sources", "missing required key"},
      {"id vs file", replace(kGood, "id: contoso-agent", "id: contoso"), 1, "id", "does not match the file name"},
      {"yaml syntax", replace(kGood, "names: {ja:", "names: {ja: [:"), 2, "", "YAML syntax"},
      {"udp without ports",
       replace(replace(kGood, "transport: tcp", "transport: udp"), "ports: [7777, \"8000-8010\"]", "ports: []"),
       9 /* said at the requirement that needs them */, "requirements[0].ports", "need at least one port"},
      {"gre with ports", replace(kGood, "transport: tcp", "transport: gre"), 11, "requirements[0].ports", "no ports"},
      {"unknown listener", replace(kGood, "    notes: [nb]\n", "    notes: [nb]\n    listener: domain-controler\n"), 14,
       "requirements[0].listener", "did you mean 'domain-controller'"},
      {"unknown profile", replace(kGood, "{feature: netbios}", "{profile: domain-membr}"), 12,
       "requirements[0].conditions[0].profile", "did you mean 'domain-member'"},
      {"obsolete without a reason",
       replace(kGood, "    notes: [nb]\n", "    notes: [nb]\n    obsolete: {source: \"MS-RPCE\"}\n"), 14,
       "requirements[0].obsolete.why", "missing required key"},
  };
  for (const auto& c : cases) {
    auto s = parse(c.text);
    ASSERT_FALSE(s.ok()) << c.name;
    const auto& e = s.error();
    EXPECT_EQ(e.file, "contoso-agent.yaml") << c.name;
    EXPECT_EQ(e.line, c.line) << c.name << ": " << e.to_string();
    EXPECT_EQ(e.field, c.field) << c.name << ": " << e.to_string();
    EXPECT_NE(e.message.find(c.message_part), std::string::npos) << c.name << ": " << e.to_string();
  }
}

TEST(Loader, UserDirectoryAddsAndOverridesServices) {
  TempDir dir;
  dir.write("services/contoso-agent.yaml", kGood);
  dir.write("netlogon.yaml", R"yaml(id: netlogon
names: {ja: "Net Logon (社内)", en: "Net Logon (site)"}
description: {ja: "上書き", en: "override"}
requirements:
  - protocol: {ja: "RPC", en: "RPC"}
    transport: tcp
    ports: [50100]
    sources: [{table: text, quote: "DCTcpipPort = 50100"}]
)yaml");
  dir.write("roles.yaml",
            "roles:\n  contoso-server:\n    names: {ja: 社内, en: site}\n    services: [contoso-agent, netlogon]\n");
  Catalog c = builtin_catalog();
  auto before = c.services.size();
  auto st = merge_directory(c, dir.path());
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(c.services.size(), before + 1);
  ASSERT_NE(c.service("contoso-agent"), nullptr);
  EXPECT_EQ(c.service("netlogon")->requirements.size(), 1u);
  EXPECT_EQ(c.service("netlogon")->names.en, "Net Logon (site)");
  ASSERT_NE(c.role("contoso-server"), nullptr);
  // A user's directory holds the user's rows and roles, whatever they cite.
  for (const auto& q : c.service("netlogon")->requirements) EXPECT_EQ(q.origin, Origin::user);
  EXPECT_EQ(c.role("contoso-server")->origin, Origin::user);
  EXPECT_EQ(builtin_catalog().service("netlogon")->requirements[0].origin, Origin::kb);
}

TEST(Loader, UserDirectoryErrorsNameTheUsersFile) {
  TempDir dir;
  auto path = dir.write("services/contoso-agent.yaml", replace(kGood, "transport: tcp", "transport: tcpx"));
  Catalog c = builtin_catalog();
  auto st = merge_directory(c, dir.path());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().file, path.string());
  EXPECT_EQ(st.error().line, 10);
  TempDir roles;
  roles.write("roles.yaml", "roles:\n  x:\n    names: {ja: x, en: x}\n    services: [netlogn]\n");
  Catalog c2 = builtin_catalog();
  auto st2 = merge_directory(c2, roles.path());
  ASSERT_FALSE(st2.ok());
  EXPECT_NE(st2.error().message.find("did you mean 'netlogon'"), std::string::npos) << st2.error().to_string();
  EXPECT_EQ(st2.error().file, (roles.path() / "roles.yaml").string());
  EXPECT_EQ(st2.error().line, 2);
  EXPECT_EQ(st2.error().field, "roles.x");
}

TEST(Loader, BlobRejectsTruncatedInput) {
  auto blob = to_blob(builtin_catalog());
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, blob.size() / 2, blob.size() - 1}) {
    auto r = from_blob(std::span(blob.data(), cut));
    EXPECT_FALSE(r.ok()) << cut;
  }
}

TEST(Loader, RpcInterfacesMergeAndRefuseBadUuidsAndServices) {
  Catalog c = builtin_catalog();
  ASSERT_NE(c.rpc_interface("E3514235-4B06-11D1-AB04-00C04FC2DCD2"), nullptr) << "lookup ignores case";
  EXPECT_EQ(c.rpc_interface("e3514235-4b06-11d1-ab04-00c04fc2dcd2")->service, "active-directory");
  TempDir good;
  good.write("rpc-interfaces.yaml",
             "interfaces:\n  0a74ef1c-41a4-4e06-83ae-dc74fb1cdd53: {name: idletrigger, version: 1, service: rpc, "
             "names: {ja: a, en: b}}\n");
  ASSERT_TRUE(merge_directory(c, good.path()).ok());
  EXPECT_EQ(c.rpc_interface("0a74ef1c-41a4-4e06-83ae-dc74fb1cdd53")->name, "idletrigger");
  TempDir upper;
  upper.write("rpc-interfaces.yaml",
              "interfaces:\n  E1AF8308-5d1f-11c9-91a4-08002b14a0fa: {name: x, version: 1, names: {ja: a, en: b}}\n");
  auto st = merge_directory(c, upper.path());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().line, 2);
  EXPECT_NE(st.error().message.find("lower-case UUID"), std::string::npos) << st.error().message;
  TempDir service;
  service.write("rpc-interfaces.yaml",
                "interfaces:\n  e1af8308-5d1f-11c9-91a4-08002b14a0fa: {name: x, version: 1, service: rpcc, "
                "names: {ja: a, en: b}}\n");
  st = merge_directory(c, service.path());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("unknown service 'rpcc'"), std::string::npos) << st.error().message;
}

TEST(Loader, OsVersionsSayWhatCanScriptTheirFirewall) {
  const auto& c = builtin_catalog();
  auto tools = [&](const char* id) { return c.os(id)->host_firewall; };
  EXPECT_TRUE(tools("windows-server-2003-r2").empty());
  EXPECT_TRUE(tools("windows-xp-sp2").empty());
  EXPECT_EQ(tools("windows-vista"), (std::vector<std::string>{"netsh-advfirewall"}));
  EXPECT_EQ(tools("windows-server-2008-r2"), (std::vector<std::string>{"netsh-advfirewall"}));
  EXPECT_EQ(tools("windows-8"), (std::vector<std::string>{"netsh-advfirewall", "netsecurity"}));
  EXPECT_EQ(tools("windows-server-2012"), (std::vector<std::string>{"netsh-advfirewall", "netsecurity"}));
  // Every version from Windows 8 on, in release order, has both.
  bool from_8 = false;
  for (const auto& os : c.os_versions) {
    from_8 = from_8 || os.id == "windows-8";
    if (from_8) {
      EXPECT_TRUE(os.has_host_firewall("netsecurity")) << os.id;
    }
  }
}

TEST(Loader, AnUnknownHostFirewallToolIsAnErrorWithItsLine) {
  const char* os = R"(dynamic_rpc_ranges:
  legacy: {ports: ["1025-5000"], names: {ja: "a", en: "a"}}
  modern: {ports: ["49152-65535"], names: {ja: "b", en: "b"}}
versions:
  - {id: windows-x, names: {ja: "X", en: "X"}, kind: server, dynamic_rpc: modern, host_firewall: [netsh]}
)";
  Catalog c;
  auto st = parse_os_table({"os.yaml", os}, c);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().line, 5) << st.error().to_string();
  EXPECT_EQ(st.error().field, "versions[0].host_firewall[0]");
  EXPECT_NE(st.error().message.find("not one of: netsh-advfirewall, netsecurity"), std::string::npos);
}

TEST(Loader, PortSettingsAreDataCheckedAgainstTheirService) {
  const Catalog& shipped = builtin_catalog();
  ASSERT_EQ(shipped.port_settings.size(), 12u);  // 7 the KB points to, 5 of other Microsoft documents
  auto rdp = std::find_if(shipped.port_settings.begin(), shipped.port_settings.end(),
                          [](const PortSetting& ps) { return ps.key == "rdp_port"; });
  ASSERT_NE(rdp, shipped.port_settings.end());
  EXPECT_EQ(rdp->kind, PortSettingKind::replace);
  EXPECT_EQ(rdp->replaces, 3389);
  EXPECT_NE(rdp->where.find("PortNumber"), std::string::npos);
  struct Case {
    const char* text;
    int line;
    const char* field;
    const char* message;
  };
  for (auto [text, line, field, message] : {
           Case{"port_settings:\n  x_port: {service: ntds, kind: static-rpc, where: w}\n", 2,
                "port_settings.x_port.service", "unknown service 'ntds'"},
           Case{"port_settings:\n  x_port:\n    service: rds\n    kind: move\n    where: w\n", 4,
                "port_settings.x_port.kind", "'move' is not one of: static-rpc, replace"},
           Case{"port_settings:\n  x_port: {service: rds, kind: replace, replaces: 3390, where: w}\n", 2,
                "port_settings.x_port.replaces", "no row of rds has port 3390"},
           Case{"port_settings:\n  x_port: {service: netlogon, kind: static-rpc, replaces: 135, where: w}\n", 2,
                "port_settings.x_port.replaces", "only a 'replace' setting replaces a port"},
       }) {
    Catalog c = shipped;
    auto st = parse_port_settings({"port-settings.yaml", text}, c);
    ASSERT_FALSE(st.ok()) << text;
    EXPECT_EQ(st.error().line, line) << st.error().to_string();
    EXPECT_EQ(st.error().field, field) << st.error().to_string();
    EXPECT_NE(st.error().message.find(message), std::string::npos) << st.error().to_string();
  }
  // docs/site-file.md's table lists every shipped key with its service.
  std::ifstream doc(std::string(WINPORTS_SOURCE_DIR) + "/docs/site-file.md");
  std::string docs((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  for (const auto& ps : shipped.port_settings)
    EXPECT_NE(docs.find("| `" + ps.key + "` | " + ps.service + " |"), std::string::npos) << ps.key;
  // A user's directory adds a setting a site file may then use.
  Catalog c = shipped;
  TempDir user;
  user.write("port-settings.yaml",
             "port_settings:\n  winrm_https_port: {service: rds, kind: replace, replaces: 3389, "
             "where: somewhere}\n");
  ASSERT_TRUE(merge_directory(c, user.path()).ok());
  EXPECT_EQ(c.port_settings.size(), 13u);
}

TEST(Catalog, EveryRowHasASourceAndTheOriginItsSourcesSay) {
  const Catalog& c = builtin_catalog();
  std::size_t kb = 0, doc = 0;
  for (const auto& s : c.services)
    for (const auto& q : s.requirements) {
      ASSERT_FALSE(q.sources.empty()) << s.id;
      const bool cites_kb = std::any_of(q.sources.begin(), q.sources.end(), [](const Source& x) { return x.kb(); });
      EXPECT_EQ(q.origin, cites_kb ? Origin::kb : Origin::doc) << s.id;
      (cites_kb ? kb : doc)++;
      for (const auto& src : q.sources) {
        if (src.kb()) continue;
        const auto* document = c.document(src.document);
        ASSERT_NE(document, nullptr) << s.id << ": " << src.document;
        EXPECT_EQ(src.title, document->title);
        EXPECT_EQ(src.url.rfind("https://learn.microsoft.com/", 0), 0u) << src.url;
        EXPECT_FALSE(src.section.empty()) << s.id;
      }
    }
  EXPECT_GT(kb, 250u);
  EXPECT_GE(doc, 25u);
  EXPECT_EQ(c.role("windows")->origin, Origin::model) << "the base role is winports' own model";
  EXPECT_EQ(c.role("domain-controller")->origin, Origin::kb);
  EXPECT_EQ(c.role("wsus")->origin, Origin::doc);
}

TEST(Catalog, TodaysRolesAreThereWithTheirPorts) {
  const Catalog& c = builtin_catalog();
  auto prints = [&](const char* service, Transport t, std::uint16_t port) {
    const auto* s = c.service(service);
    return s && std::any_of(s->requirements.begin(), s->requirements.end(), [&](const Requirement& q) {
             return q.transport == t && q.ports.contains(port) && q.origin == Origin::doc;
           });
  };
  EXPECT_TRUE(prints("wsus", Transport::tcp, 8530));
  EXPECT_TRUE(prints("wsus", Transport::tcp, 8531));
  EXPECT_TRUE(prints("kms", Transport::tcp, 1688));
  EXPECT_TRUE(prints("adfs", Transport::tcp, 49443));
  EXPECT_TRUE(prints("web-application-proxy", Transport::tcp, 443));
  EXPECT_TRUE(prints("rd-gateway", Transport::udp, 3391));
  EXPECT_TRUE(prints("configmgr", Transport::tcp, 10123));
  EXPECT_TRUE(prints("exchange-2016", Transport::tcp, 587));
  EXPECT_TRUE(prints("sql-always-on", Transport::tcp, 5022));
  EXPECT_TRUE(prints("windows-admin-center", Transport::tcp, 443));
  for (const char* alias : {"sccm", "MECM", "ConfigMgr"}) {
    auto found = find_services(c, alias);
    ASSERT_EQ(found.size(), 1u) << alias;
    EXPECT_EQ(found[0]->id, "configmgr");
  }
  const auto* rodc = c.role("rodc");
  ASSERT_NE(rodc, nullptr);
  EXPECT_EQ(rodc->kind_of, "domain-controller");
  EXPECT_TRUE(c.role_is("rodc", "domain-controller"));
  EXPECT_FALSE(c.role_is("domain-controller", "rodc"));
  EXPECT_TRUE(rodc->refuses.count("dc-replication"));
  for (const char* profile : {"branch-member", "wsus-client", "kms-client", "adfs-client", "rd-gateway-client",
                              "configmgr-client", "exchange-client"})
    EXPECT_NE(c.profile(profile), nullptr) << profile;
}

TEST(Loader, DocumentSourcesNameAKnownDocument) {
  auto doc = replace(kGood, "{table: text, quote: \"site policy\"}", "{document: kms-planing, section: \"x\"}");
  auto bad = parse(doc);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 15);
  EXPECT_NE(bad.error().message.find("did you mean 'kms-planning'"), std::string::npos) << bad.error().to_string();
  auto good = parse(replace(kGood, "{table: text, quote: \"site policy\"}", "{document: kms-planning, section: x}"));
  ASSERT_TRUE(good.ok()) << good.error().to_string();
  EXPECT_EQ(good->requirements[0].origin, Origin::doc);
  EXPECT_EQ(good->requirements[0].sources[0].title, "Key Management Services (KMS) activation planning");
  auto no_section = parse(replace(kGood, "{table: text, quote: \"site policy\"}", "{document: kms-planning}"));
  ASSERT_FALSE(no_section.ok());
  EXPECT_NE(no_section.error().field.find("section"), std::string::npos) << no_section.error().to_string();
}
