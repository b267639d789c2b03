// plan --format azure-nsg beyond its golden cases: Azure's limits as data, the refusals that name
// the option or the limit, and the zone key's validation in the site file.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <set>

#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"
#include "winports/render/html.hpp"

using namespace winports;

namespace {

const char* kSite = R"(site: cloud
zones:
  clients: { networks: [198.18.70.0/24], os: windows-11, azure_nsg: nsg-clients }
  servers: { networks: [198.18.60.0/24], os: windows-server-2022, azure_nsg: nsg-servers }
hosts:
  dc1: { address: 198.18.60.10, zone: servers, roles: [domain-controller] }
access:
  - { from: clients, to: dc1, as: domain-member }
)";

Result<std::string> nsg_template(const std::string& site, emit::Options options) {
  const auto& c = catalog::builtin_catalog();
  auto env = plan::load_environment({"cloud.yaml", site}, c);
  EXPECT_TRUE(env.ok()) << env.error().to_string();
  static plan::Environment keep_env;
  static plan::Plan keep_plan;
  keep_env = *env;
  keep_plan = plan::make_plan(keep_env, c);
  return emit::emit_azure_nsg({keep_plan, keep_env, c, std::move(options)});
}

}  // namespace

TEST(AzureNsg, LimitsAreDataWithinWhatAzureDocuments) {
  auto y = YAML::Load(std::string(render::template_text("azure-nsg")));
  EXPECT_EQ(y["priority"][0].as<int>(), 100);
  EXPECT_EQ(y["priority"][1].as<int>(), 4096);
  EXPECT_EQ(y["rules_per_nsg"].as<int>(), 1000);
  EXPECT_EQ(y["description_length"].as<int>(), 140);
  auto lo = y["default_band"][0].as<int>(), hi = y["default_band"][1].as<int>();
  EXPECT_TRUE(100 <= lo && lo < hi && hi <= 4096);
  EXPECT_EQ(y["protocols"]["tcp"].as<std::string>(), "Tcp");
  EXPECT_FALSE(y["protocols"]["gre"].IsDefined()) << "an NSG rule cannot name GRE";
}

TEST(AzureNsg, EveryRuleIsWithinAzuresRulesForNamesPrioritiesAndDescriptions) {
  auto text = nsg_template(kSite, {});
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  auto doc = nlohmann::json::parse(*text);
  std::set<int> priorities;
  for (const auto& r : doc["resources"]) {
    auto name = r["name"].get<std::string>();
    auto rule = name.substr(name.find('/') + 1);
    EXPECT_TRUE(plan::valid_azure_nsg_name(rule)) << rule;
    int p = r["properties"]["priority"];
    EXPECT_TRUE(1000 <= p && p <= 1999) << p;
    EXPECT_TRUE(priorities.insert(p).second) << "priority " << p << " twice";
    EXPECT_LE(r["properties"]["description"].get<std::string>().size(), 140u);
  }
  EXPECT_EQ(doc["resources"].back()["properties"]["access"], "Deny");
  EXPECT_EQ(doc["resources"].back()["properties"]["priority"], 1999);
  // The same plan, the same template: names and priorities come from content.
  EXPECT_EQ(*nsg_template(kSite, {}), *text);
}

TEST(AzureNsg, RefusalsNameTheOptionOrTheLimit) {
  emit::Options narrow;
  narrow.priority_band = "200-202";  // room for the deny and two allows; the plan has more
  auto full = nsg_template(kSite, narrow);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().field, "--priority-band");
  EXPECT_NE(full.error().message.find("network security group nsg-servers needs"), std::string::npos)
      << full.error().message;
  for (const char* band : {"50-99", "200", "300-200", "4000-5000", "x-y"}) {
    emit::Options bad;
    bad.priority_band = band;
    auto refused = nsg_template(kSite, bad);
    ASSERT_FALSE(refused.ok()) << band;
    EXPECT_EQ(refused.error().field, "--priority-band") << band;
  }
  for (const char* option : {"servers", "nowhere=nsg-x", "servers=-bad", "servers=bad."}) {
    emit::Options bad;
    bad.azure_nsg = {option};
    auto refused = nsg_template(kSite, bad);
    ASSERT_FALSE(refused.ok()) << option;
    EXPECT_EQ(refused.error().field, "--azure-nsg") << option;
  }
  emit::Options running;
  running.running_nsg = "{\"not\": \"an nsg\"}";
  running.running_nsg_file = "nsgs.json";
  auto unreadable = nsg_template(kSite, running);
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.error().file, "nsgs.json");
}

TEST(AzureNsg, TheZoneKeyIsAValidNsgName) {
  const auto& c = catalog::builtin_catalog();
  std::string site = kSite;
  site.replace(site.find("nsg-clients"), 11, "nsg clients");
  auto env = plan::load_environment({"cloud.yaml", site}, c);
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.error().field, "zones.clients.azure_nsg");
  EXPECT_EQ(env.error().line, 3);
  EXPECT_TRUE(plan::valid_azure_nsg_name("nsg_1.a-b_"));
  EXPECT_FALSE(plan::valid_azure_nsg_name(std::string(81, 'a')));
  EXPECT_FALSE(plan::valid_azure_nsg_name("_nsg"));
}
