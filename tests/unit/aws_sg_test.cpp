// plan --format aws-sg beyond its golden files: AWS's quotas as data, and the refusals that name them.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "winports/catalog/embedded.hpp"
#include "winports/emit/emitter.hpp"
#include "winports/plan/planner.hpp"
#include "winports/render/html.hpp"

using namespace winports;

TEST(AwsSg, QuotasAreData) {
  auto y = YAML::Load(std::string(render::template_text("aws-sg")));
  EXPECT_EQ(y["inbound_rules_per_group"].as<int>(), 60);
  EXPECT_EQ(y["groups_per_interface"].as<int>(), 5);
  EXPECT_EQ(y["description_length"].as<int>(), 255);
  EXPECT_EQ(y["description_extra"].as<std::string>().find(' '), std::string::npos) << "spaces are allowed apart";
}

// 61 single hosts reaching one server's WinRM need 61 IPv4 rules on the server's group: refused,
// naming the group and the quota, nothing written.
TEST(AwsSg, AGroupOverTheRuleQuotaIsRefusedByName) {
  std::string site =
      "site: many\nzones:\n  clients: { networks: [198.18.64.0/18], os: windows-11 }\n"
      "  servers: { networks: [198.18.20.0/24], os: windows-server-2022 }\nhosts:\n"
      "  srv1: { address: 198.18.20.10, zone: servers, roles: [managed-server] }\n";
  std::string access = "access:\n";
  for (int i = 1; i <= 61; ++i) {
    auto name = "ws" + std::to_string(i);
    site += "  " + name + ": { address: 198.18.64." + std::to_string(i) + ", zone: clients }\n";
    access += "  - { from: " + name + ", to: srv1, services: [winrm] }\n";
  }
  const auto& c = catalog::builtin_catalog();
  auto env = plan::load_environment({"many.yaml", site + access}, c);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  auto plan = plan::make_plan(*env, c);
  auto out = emit::emit_aws_sg({plan, *env, c, {}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("would hold 61 inbound IPv4 rules, over AWS's quota of 60"), std::string::npos)
      << out.error().message;
  // Sixty fit.
  auto fewer = site + access.substr(0, access.rfind("  - {"));
  auto env60 = plan::load_environment({"many.yaml", fewer}, c);
  ASSERT_TRUE(env60.ok()) << env60.error().to_string();
  auto plan60 = plan::make_plan(*env60, c);
  EXPECT_TRUE(emit::emit_aws_sg({plan60, *env60, c, {}}).ok());
}
