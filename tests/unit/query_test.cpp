#include "winports/catalog/query.hpp"

#include <gtest/gtest.h>

#include <set>

#include "winports/catalog/embedded.hpp"
#include "winports/catalog/export.hpp"

using namespace winports;
using namespace winports::catalog;

namespace {
std::vector<std::string> ids(const std::vector<const Service*>& v) {
  std::vector<std::string> out;
  for (const auto* s : v) out.push_back(s->id);
  return out;
}
bool has_service(const std::vector<PortHit>& hits, const std::string& id) {
  return std::any_of(hits.begin(), hits.end(), [&](const PortHit& h) { return h.service->id == id; });
}
}  // namespace

TEST(FindServices, AnyNameTheKbUses) {
  const auto& c = builtin_catalog();
  EXPECT_EQ(ids(find_services(c, "netlogon")), std::vector<std::string>{"netlogon"});
  EXPECT_EQ(ids(find_services(c, "Net Logon")), std::vector<std::string>{"netlogon"});
  EXPECT_EQ(ids(find_services(c, "ライセンス ログ サービス")), std::vector<std::string>{"license-logging"});
  EXPECT_EQ(ids(find_services(c, "WinRM 2.0")), std::vector<std::string>{"winrm"});
  EXPECT_EQ(ids(find_services(c, "Exchange Server 2003")), std::vector<std::string>{"exchange-server"});
  EXPECT_EQ(ids(find_services(c, "LSASS")), std::vector<std::string>{"active-directory"});
  EXPECT_EQ(ids(find_services(c, "ローカル セキュリティ機関")), std::vector<std::string>{"active-directory"});
  EXPECT_EQ(ids(find_services(c, "ＤＮＳサーバー")), std::vector<std::string>{"dns-server"});
  EXPECT_TRUE(find_services(c, "no such thing").empty());
}

TEST(FindServices, EveryConsolidatedTableServiceNameResolves) {
  // The names in the consolidated table's last column, as the KB writes them.
  const auto& c = builtin_catalog();
  for (const char* name : {"ルーティングとリモート アクセス",
                           "簡易 TCP/IP サービス",
                           "Application Layer Gateway Service",
                           "Windows インターネット ネーム サービス",
                           "インターネット接続ファイアウォール/インターネット接続の共有",
                           "Trivial FTP Daemon Service",
                           "WinRM 1.1 以前",
                           "Microsoft Exchange MTA Stacks",
                           "分散ファイル システム レプリケーション サービス",
                           "Microsoft Exchange Server",
                           "ファイル レプリケーション サービス",
                           "Systems Management Server 2.0",
                           "RDSL",
                           "分散ファイル システム",
                           "リモート プロシージャ コール ロケーター",
                           "Active Directory Management Gateway Service",
                           "DHCP フェールオーバー",
                           "MSSQL$UDDI",
                           "SQL Server: Downlevel OLAP Client Support",
                           "Microsoft Operations Manager 2000",
                           "Installation Bootstrap protocol client",
                           "SMS リモート コントロール エージェント",
                           "Hyper-V サービス"}) {
    EXPECT_FALSE(find_services(c, name).empty()) << name;
  }
}

TEST(FindServices, SuggestsCloseNames) {
  auto s = suggest_names(builtin_catalog(), "netlogn");
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s[0], "netlogon");
}

// A name nothing matches is answered by meaning: the rare pieces it shares with a service's names
// outweigh common ones (「サービス」), whatever sorts first by spelling or id.
TEST(FindServices, SuggestionsRankByMeaningThenSpelling) {
  const auto& c = builtin_catalog();
  auto first = [&](std::string_view name) {
    auto s = suggest_names(c, name);
    return s.empty() ? std::string("(none)") : s[0];
  };
  EXPECT_EQ(first("タイムサービス"), "w32time");
  EXPECT_EQ(first("time service"), "w32time");
  EXPECT_EQ(first("DCロケータ"), "netlogon");
  EXPECT_EQ(first("ケルベロ"), "kdc");
  EXPECT_EQ(first("kerberso"), "kdc");
  EXPECT_EQ(first("ファイル共有"), "server");
  EXPECT_EQ(first("印刷"), "print-spooler");
  EXPECT_TRUE(suggest_names(c, "xyzzy").empty());
  EXPECT_TRUE(suggest_names(c, "").empty());
  EXPECT_LE(suggest_names(c, "サービス", 3).size(), 3u);
}

// A port lookup decodes only the services that can answer it, and of them only what their rows
// are told with: every port the catalog prints (each range's ends and neighbours), both eras'
// dynamic ranges and every transport must give the same hits, words and JSON as the whole catalog.
TEST(LookupPort, TheCatalogDecodedForALookupAnswersAsTheWholeOne) {
  const auto& whole = builtin_catalog();
  std::set<std::string> texts{"icmp", "gre", "esp", "1025", "5000", "5001", "49152", "65535", "1"};
  for (const auto& s : whole.services)
    for (const auto& q : s.requirements) {
      for (auto r : q.ports.ranges())
        for (int p : {r.lo - 1, int(r.lo), int(r.hi), r.hi + 1})
          if (p > 0 && p < 65536) texts.insert(std::to_string(p)), texts.insert("udp/" + std::to_string(p));
      for (const auto& corr : q.corrections)
        if (corr.field == "port") texts.insert(corr.seed);
    }
  ASSERT_GT(texts.size(), 200u);
  auto said = [](const Catalog& c, const std::vector<PortHit>& hits) {
    std::string out;
    for (const auto& h : hits)
      for (auto lang : {Lang::en, Lang::ja})
        out += h.service->id + "|" + h.service->names.in(lang) + "|" +
               conditions_text(c, *h.service, *h.requirement, lang) + "|" +
               source_text(*h.service, *h.requirement, lang) + "\n";
    return out + port_hits_json(c, hits).dump();
  };
  std::size_t fewer = 0;
  for (const auto& text : texts) {
    auto query = parse_port_query(text);
    ASSERT_TRUE(query.ok()) << text;
    auto part = builtin_catalog_only(port_lookup_parts({*query}));
    fewer += part.services.size() < whole.services.size();
    EXPECT_EQ(said(part, lookup_port(part, *query)), said(whole, lookup_port(whole, *query))) << text;
    // The KB's footnote-mark digits ("1382") keep the service that corrected them.
    for (const auto& s : whole.services)
      for (const auto& q : s.requirements)
        for (const auto& corr : q.corrections)
          if (corr.field == "port" && corr.seed == text) {
            EXPECT_NE(part.service(s.id), nullptr) << text;
          }
  }
  EXPECT_GT(fewer, texts.size() / 2) << "a lookup should decode fewer services than the whole catalog";
  auto some = builtin_catalog_only(port_lookup_parts({*parse_port_query("445")}));
  EXPECT_TRUE(some.predefined_rules.empty());
  EXPECT_TRUE(some.documents.empty());
  EXPECT_FALSE(some.roles.empty());
  ASSERT_NE(some.service("server"), nullptr);
  EXPECT_TRUE(some.service("server")->description.en.empty()) << "texts the rows do not show stay undecoded";
  EXPECT_FALSE(whole.service("server")->description.en.empty());
}

TEST(PortQuery, Parses) {
  auto q = parse_port_query("445/tcp");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q->port, 445);
  EXPECT_EQ(*q->transport, Transport::tcp);
  EXPECT_EQ(*parse_port_query("udp/389")->transport, Transport::udp);
  EXPECT_FALSE(parse_port_query("389")->transport.has_value());
  EXPECT_EQ(*parse_port_query("gre")->transport, Transport::gre);
  EXPECT_FALSE(parse_port_query("70000").ok());
  EXPECT_FALSE(parse_port_query("445/xyz").ok());
  EXPECT_FALSE(parse_port_query("gre/47").ok());
  EXPECT_FALSE(parse_port_query("tcp").ok());
}

TEST(LookupPort, FindsPrintedAndDynamicPorts) {
  const auto& c = builtin_catalog();
  auto smb = lookup_port(c, *parse_port_query("445/tcp"));
  EXPECT_TRUE(has_service(smb, "server"));
  EXPECT_TRUE(has_service(smb, "netlogon"));
  EXPECT_FALSE(has_service(lookup_port(c, *parse_port_query("445/udp")), "server"));
  auto ldap_udp = lookup_port(c, *parse_port_query("389/udp"));
  EXPECT_TRUE(has_service(ldap_udp, "kdc")) << "DC locator";
  EXPECT_TRUE(has_service(ldap_udp, "active-directory"));
  auto legacy = lookup_port(c, *parse_port_query("3000/tcp"));
  bool via_legacy = std::any_of(legacy.begin(), legacy.end(), [](const PortHit& h) {
    return h.service->id == "netlogon" && h.via_dynamic_range == "legacy";
  });
  EXPECT_TRUE(via_legacy) << "3000 is in the pre-Vista dynamic RPC range";
  auto gre = lookup_port(c, *parse_port_query("gre"));
  ASSERT_EQ(gre.size(), 1u);
  EXPECT_EQ(gre[0].service->id, "rras");
  EXPECT_TRUE(lookup_port(c, *parse_port_query("1000/udp")).empty());
}

TEST(Search, RanksNamesFirst) {
  auto hits = search(builtin_catalog(), "kerberos");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].service->id, "kdc");
  EXPECT_TRUE(search(builtin_catalog(), "zzzz-nothing").empty());
}

TEST(Discrepancies, TheKnownOnesAreListed) {
  auto all = discrepancies(builtin_catalog());
  auto has = [&](const std::string& kind, const std::string& service, Transport t, std::uint16_t port) {
    return std::any_of(all.begin(), all.end(), [&](const Discrepancy& d) {
      return d.kind == kind && d.service->id == service && d.requirement && d.requirement->transport == t &&
             d.requirement->ports.contains(port);
    });
  };
  EXPECT_TRUE(has("name-differs", "active-directory", Transport::udp, 389)) << "LDAP server vs DC locator";
  EXPECT_TRUE(has("name-differs", "rpc", Transport::tcp, 593)) << "RPC over HTTPS vs endpoint mapper";
  EXPECT_TRUE(has("consolidated-only", "active-directory", Transport::udp, 636));
  EXPECT_TRUE(has("consolidated-only", "dfsr", Transport::tcp, 389));
  EXPECT_TRUE(has("consolidated-only", "dfsr", Transport::tcp, 445));
  EXPECT_FALSE(has("name-differs", "active-directory", Transport::tcp, 389)) << "same name, longer spelling";
  EXPECT_TRUE(std::any_of(all.begin(), all.end(),
                          [](const Discrepancy& d) { return d.kind == "stated" && d.service->id == "dfsr"; }));
  // Exchange 2016/2019's document beside the KB's Exchange 2003 rows: where their ports differ.
  EXPECT_TRUE(has("doc-vs-kb", "exchange-2016", Transport::tcp, 587)) << "submission: the document's only";
  EXPECT_TRUE(has("doc-vs-kb", "exchange-2016", Transport::tcp, 6004)) << "DSProxy: the KB's (2003) only";
  EXPECT_FALSE(has("doc-vs-kb", "exchange-2016", Transport::tcp, 443)) << "both print HTTPS";
  EXPECT_EQ(std::count_if(all.begin(), all.end(),
                          [](const Discrepancy& d) {
                            return d.kind == "doc-vs-kb" && d.requirement->transport == Transport::tcp &&
                                   d.requirement->ports.contains(135);
                          }),
            1)
      << "the KB's two RPC 135 rows are one difference";
}

TEST(LookupPort, RanksTheExactPortFirstAndWideRangesLast) {
  const auto& c = builtin_catalog();
  for (const char* port : {"3389/tcp", "1688/tcp", "8530/tcp", "3000/tcp", "49443"}) {
    auto hits = lookup_port(c, *parse_port_query(port));
    ASSERT_FALSE(hits.empty()) << port;
    EXPECT_TRUE(std::is_sorted(hits.begin(), hits.end(), [](const PortHit& a, const PortHit& b) {
      return a.match < b.match;
    })) << port;
  }
  auto rdp = lookup_port(c, *parse_port_query("3389/tcp"));
  EXPECT_EQ(rdp.front().service->id, "rds") << "before ISA/TMG's 1025-65535";
  EXPECT_EQ(rdp.front().match, PortMatch::exact);
  auto isa = std::find_if(rdp.begin(), rdp.end(), [](const PortHit& h) { return h.service->id == "isa-tmg"; });
  ASSERT_NE(isa, rdp.end());
  EXPECT_EQ(isa->match, PortMatch::wide_range);
  EXPECT_TRUE(isa->wide());
  auto kms = lookup_port(c, *parse_port_query("1688"));
  EXPECT_EQ(kms.front().service->id, "kms");
  EXPECT_EQ(std::count_if(kms.begin(), kms.end(), [](const PortHit& h) { return !h.wide(); }), 1)
      << "only KMS prints 1688; every other hit is a wide or dynamic range";
  // The range that matched, not the row's printed one: 3000 is in the legacy range 1025-5000.
  auto legacy = lookup_port(c, *parse_port_query("3000/tcp"));
  auto netlogon = std::find_if(legacy.begin(), legacy.end(), [](const PortHit& h) {
    return h.service->id == "netlogon" && h.match == PortMatch::dynamic_range;
  });
  ASSERT_NE(netlogon, legacy.end());
  ASSERT_TRUE(netlogon->matched.has_value());
  EXPECT_EQ(netlogon->matched->to_string(), "1025-5000");
}

TEST(LookupPort, ANarrowRangeRanksBetweenTheExactPortAndWideRanges) {
  Catalog c = builtin_catalog();
  auto add = [&](const std::string& id, PortSet ports) {
    Service s;
    s.id = id;
    Requirement q;
    q.transport = Transport::tcp;
    q.ports = std::move(ports);
    q.origin = Origin::user;
    s.requirements.push_back(q);
    c.services.push_back(s);
  };
  add("zz-exact", PortSet::from_ranges({{8765, 8765}}));
  add("aa-narrow", PortSet::from_ranges({{8700, 8800}}));
  auto hits = lookup_port(c, *parse_port_query("8765/tcp"));
  ASSERT_GE(hits.size(), 2u);
  EXPECT_EQ(hits[0].service->id, "zz-exact") << "a user's exact row comes first, whatever its id";
  EXPECT_EQ(hits[1].service->id, "aa-narrow");
  EXPECT_EQ(hits[1].match, PortMatch::range);
  // A port's one-line meaning is its best one: the exact row, not the range around it.
  EXPECT_EQ(port_meaning(c, Transport::tcp, 8765).services, std::vector<std::string>{"zz-exact"});
  EXPECT_EQ(port_meaning(c, Transport::tcp, 8750).services, std::vector<std::string>{"aa-narrow"});
}

TEST(Describe, SaysWhatAPortMeansInEitherLanguage) {
  const auto& c = builtin_catalog();
  auto unknown = describe(c, Transport::udp, 1000);
  EXPECT_TRUE(unknown.services.empty());
  EXPECT_EQ(unknown.text(), "(not in the catalog)");
  EXPECT_EQ(unknown.text(Lang::ja), "(カタログにありません)");
  Meaning dynamic{{}, {}, "modern", ""};
  EXPECT_EQ(dynamic.text(Lang::ja), "(RPC の動的ポートの範囲: Vista/2008 以降の範囲)");
  Meaning high{{}, {"isa-tmg", "rpc"}, "", ""};
  EXPECT_EQ(high.text(), "(a high port: isa-tmg,rpc)");
  EXPECT_EQ(high.text(Lang::ja), "(高位ポート: isa-tmg,rpc)");
  // Service ids are the catalog's, the same in both.
  EXPECT_EQ(describe(c, Transport::tcp, 88).text(Lang::ja), describe(c, Transport::tcp, 88).text(Lang::en));
}
