// The report's zone view: endpoints placed in zones, links between zones with the services that
// cross them, the Graphviz graph and its SVG layout; and the verdict page of check and verify.
#include <gtest/gtest.h>

#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"
#include "winports/report/verdicts.hpp"
#include "winports/report/zones.hpp"
#include "winports/verify/verdicts.hpp"

using namespace winports;

namespace {

plan::Environment site(const std::string& text) {
  auto env = plan::load_environment({"site.yaml", text}, catalog::builtin_catalog());
  EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().to_string());
  return env.ok() ? *env : plan::Environment{};
}

constexpr const char* kSite = R"(
site: t
zones:
  clients: { networks: [198.18.10.0/24], os: windows-11 }
  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }
  "dmz \"edge\"": { networks: [198.18.30.0/24], os: windows-server-2022 }
hosts:
  dc1: { address: 198.18.20.10, zone: servers, roles: [domain-controller] }
  dc2: { address: 198.18.20.11, zone: servers, roles: [domain-controller] }
  web: { address: 198.18.30.5, zone: "dmz \"edge\"", roles: [iis-web] }
access:
  - { from: clients, to: role:domain-controller, as: domain-member }
  - { from: dc1, to: dc2, as: dc-replication }
  - { from: clients, to: web, services: [iis-www] }
)";

}  // namespace

TEST(ReportZones, EndpointsFallInTheirZones) {
  auto env = site(kSite);
  EXPECT_EQ(report::zones_of({"clients", "clients", {}, {}}, env), std::vector<std::string>{"clients"});
  EXPECT_EQ(report::zones_of({"dc1", "", {"dc1"}, {}}, env), std::vector<std::string>{"servers"});
  auto a = *parse_network("198.18.20.11"), b = *parse_network("198.18.30.5"), c = *parse_network("203.0.113.9");
  EXPECT_EQ(report::zones_of({"dc2,web,x", "", {"dc2", "web", "x"}, {a, b, c}}, env),
            (std::vector<std::string>{"servers", "dmz \"edge\"", "(outside)"}));
}

TEST(ReportZones, LinksCarryTheServicesThatCross) {
  auto env = site(kSite);
  auto p = plan::make_plan(env, catalog::builtin_catalog());
  auto links = report::zone_links(p, env);
  ASSERT_EQ(links.size(), 3u);
  // In the file's zone order: clients→servers, clients→dmz, servers→servers (replication).
  EXPECT_EQ(links[0].from, "clients");
  EXPECT_EQ(links[0].to, "servers");
  EXPECT_EQ(links[1].to, "dmz \"edge\"");
  EXPECT_EQ(links[2].from, "servers");
  EXPECT_EQ(links[2].to, "servers");
  auto has = [](const report::ZoneLink& l, const char* s) {
    return std::find(l.services.begin(), l.services.end(), s) != l.services.end();
  };
  EXPECT_TRUE(has(links[0], "kdc"));
  EXPECT_TRUE(has(links[0], "netlogon"));
  EXPECT_FALSE(has(links[0], "iis-www"));
  EXPECT_TRUE(has(links[1], "iis-www"));
  EXPECT_TRUE(std::is_sorted(links[0].services.begin(), links[0].services.end()));
  std::size_t flows = 0;
  for (const auto& l : links) flows += l.flows.size();
  EXPECT_EQ(flows, p.flows.size()) << "every flow lies on exactly one link here";
}

TEST(ReportZones, GraphvizLaysOutEveryZoneAndLink) {
  auto env = site(kSite);
  auto p = plan::make_plan(env, catalog::builtin_catalog());
  auto dot = report::zone_dot(report::zone_links(p, env), env);
  EXPECT_NE(dot.find(R"("dmz \"edge\"")"), std::string::npos) << "quotes in names escaped";
  EXPECT_NE(dot.find("[dc1, dc2]"), std::string::npos) << "hosts listed in their zone";
  auto svg = report::render_svg(dot);
  ASSERT_TRUE(svg) << svg.error().to_string();
  // Graphviz writes "-" in ids as the entity &#45;, which the browser reads back as "-".
  for (std::size_t at; (at = svg->find("&#45;")) != std::string::npos;) svg->replace(at, 5, "-");
  EXPECT_EQ(svg->rfind("<svg", 0), 0u) << "no XML prolog: ready to inline";
  for (const char* id : {"zone-clients", "zone-servers", "zone-dmz__edge_", "link-clients-servers",
                         "link-servers-servers", "link-clients-dmz__edge_"})
    EXPECT_NE(svg->find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(svg->find("netlogon"), std::string::npos) << "edge labels drawn";
  auto bad = report::render_svg("digraph { a -> ");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;
}

TEST(ReportZones, APaintedLinkIsDrawnInItsColour) {
  auto env = site(kSite);
  auto links = report::zone_links(plan::make_plan(env, catalog::builtin_catalog()), env);
  ASSERT_GE(links.size(), 2u);
  links[0].color = report::kBlockedColor;
  auto svg = report::render_svg(report::zone_dot(links, env));
  ASSERT_TRUE(svg) << svg.error().to_string();
  EXPECT_NE(svg->find(std::string("stroke=\"") + report::kBlockedColor + "\""), std::string::npos);
  EXPECT_EQ(svg->find(report::kPassedColor), std::string::npos) << "only the painted link is coloured";
}

TEST(ReportVerdicts, StatusesMapToVerdicts) {
  EXPECT_EQ(verify::verdict_of(probe::PortState::filtered), report::Verdict::blocked);
  EXPECT_EQ(verify::verdict_of(probe::PortState::not_listening), report::Verdict::refused);
  EXPECT_EQ(verify::verdict_of(probe::PortState::listening_or_filtered), report::Verdict::unproven);
  EXPECT_EQ(verify::verdict_of(probe::PortState::listening), report::Verdict::passed);
}

TEST(ReportVerdicts, BlockedFirstCountedAndEscaped) {
  report::VerdictPage page{
      "winports verify <lab> from clients", "3 probed, 1 blocked", {}, {"a -> b gre: not a port"}, {}};
  page.rows = {
      {"clients -> dc1", "198.18.20.10", "tcp/445", "listening", report::Verdict::passed, "server", "ok"},
      {"clients -> dc1", "198.18.20.10", "udp/389", "listening-or-filtered", report::Verdict::unproven, "cldap",
       "silence"},
      {"clients -> dc1", "198.18.20.10", "tcp/88", "filtered", report::Verdict::blocked, "kdc", "no answer <& more>"},
      {"clients -> dc1", "198.18.20.10", "tcp/464", "filtered", report::Verdict::blocked, "kpasswd", "x"}};
  for (Lang lang : {Lang::en, Lang::ja}) {
    auto html = report::verdicts_html(page, lang);
    std::vector<std::string> order;
    for (std::size_t at = 0; (at = html.find("<tr class=\"verdict ", at)) != std::string::npos; ++at)
      order.push_back(html.substr(at + 19, html.find('"', at + 19) - at - 19));
    EXPECT_EQ(order, (std::vector<std::string>{"blocked", "blocked", "unproven", "passed"}));
    EXPECT_LT(html.find("tcp/88"), html.find("tcp/464")) << "the sort keeps the given order within a verdict";
    EXPECT_NE(html.find("id=\"tally-blocked\">"), std::string::npos);
    EXPECT_NE(html.find("<b>2</b>"), std::string::npos) << "two blocked counted";
    EXPECT_NE(html.find("&lt;lab&gt;"), std::string::npos);
    EXPECT_NE(html.find("no answer &lt;&amp; more&gt;"), std::string::npos);
    EXPECT_EQ(html.find("<lab>"), std::string::npos) << "nothing unescaped";
    EXPECT_NE(html.find("<ul id=\"not-probed\">"), std::string::npos);
    EXPECT_NE(html.find("<th>" + std::string(lang == Lang::ja ? "フロー" : "Flow") + "</th>"), std::string::npos);
    EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
    EXPECT_EQ(html.find("id=\"zone-diagram\""), std::string::npos) << "no diagram was given";
  }
  for (auto& r : page.rows) r.flow.clear();
  EXPECT_EQ(report::verdicts_html(page, Lang::en).find("<th>Flow</th>"), std::string::npos) << "check has no flows";
}

TEST(ReportZones, APageWithMoreZonePairsThanADiagramCanShowKeepsTheMatrix) {
  // 21 zones, each reaching a host in every other: 420 zone pairs, beyond the drawing's 400.
  std::string text = "site: t\nzones:\n";
  for (int z = 0; z < 21; ++z)
    text += "  z" + std::to_string(z) + ": { networks: [198.18." + std::to_string(z) + ".0/24], os: windows-11 }\n";
  text += "hosts:\n";
  for (int z = 0; z < 21; ++z)
    text += "  h" + std::to_string(z) + ": { address: 198.18." + std::to_string(z) + ".5, zone: z" + std::to_string(z) +
            ", roles: [iis-web] }\n";
  text += "access:\n";
  for (int a = 0; a < 21; ++a)
    for (int b = 0; b < 21; ++b)
      if (a != b) text += "  - { from: z" + std::to_string(a) + ", to: h" + std::to_string(b) + ", as: web-client }\n";
  auto env = site(text);
  auto p = plan::make_plan(env, catalog::builtin_catalog());
  ASSERT_EQ(report::zone_links(p, env).size(), 420u);
  auto page = emit::find_emitter("html")->emit({p, env, catalog::builtin_catalog(), {Lang::en, ""}});
  ASSERT_TRUE(page) << page.error().to_string();
  EXPECT_EQ(page->find("<svg"), std::string::npos) << "no drawing of 420 labelled edges";
  EXPECT_NE(page->find("420 zone pairs: more than a diagram can show legibly"), std::string::npos);
  EXPECT_NE(page->find("data-from=\"z20\" data-to=\"z19\""), std::string::npos) << "the matrix holds every pair";
}
