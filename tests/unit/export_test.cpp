#include "winports/catalog/export.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "winports/catalog/embedded.hpp"

using namespace winports;
using namespace winports::catalog;

TEST(ExportJson, HasTheStableShape) {
  const auto& c = builtin_catalog();
  auto j = catalog_json(c);
  ASSERT_TRUE(j["services"].is_array());
  ASSERT_EQ(j["services"].size(), c.services.size());
  std::size_t requirements = 0;
  for (const auto& s : j["services"]) {
    for (const char* key : {"id", "names", "aliases", "system_service_names", "requirements"})
      ASSERT_TRUE(s.contains(key)) << key;
    ASSERT_TRUE(s["names"]["ja"].is_string());
    ASSERT_TRUE(s["names"]["en"].is_string());
    for (const auto& q : s["requirements"]) {
      ++requirements;
      for (const char* key :
           {"application_protocol", "transport", "ports", "dynamic_rpc", "optional", "conditions", "notes", "source"})
        ASSERT_TRUE(q.contains(key)) << s["id"] << " " << key;
      ASSERT_TRUE(q["ports"].is_array());
      for (const auto& r : q["ports"]) {
        ASSERT_EQ(r.size(), 2u);
        ASSERT_LE(r[0].get<int>(), r[1].get<int>());
      }
    }
  }
  std::size_t expected = 0;
  for (const auto& s : c.services) expected += s.requirements.size();
  EXPECT_EQ(requirements, expected);
  auto netlogon = service_json(c, *c.service("netlogon"));
  EXPECT_EQ(netlogon["requirements"][0]["ports"], nlohmann::json::parse("[[138,138]]"));
  EXPECT_EQ(netlogon["requirements"][0]["transport"], "udp");
  EXPECT_EQ(netlogon["requirements"][0]["corrections"][0]["seed"], "1382");
  auto rras = service_json(c, *c.service("rras"));
  EXPECT_EQ(rras["requirements"][0]["ports"], nlohmann::json::array()) << "port-less rows have \"ports\":[]";
}

TEST(ExportCsv, OneRowPerRequirementQuotedPerRfc4180) {
  const auto& c = builtin_catalog();
  std::ostringstream out;
  write_csv(c, out, Lang::en);
  auto text = out.str();
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = text.find("\r\n", at)) != std::string::npos; at += 2) ++lines;
  std::size_t expected = 1;
  for (const auto& s : c.services) expected += s.requirements.size();
  EXPECT_EQ(lines, expected);
  EXPECT_NE(text.find("\"Offline Files, User Profile Service, Folder Redirection, and Primary Computer\""),
            std::string::npos);
  EXPECT_EQ(text.rfind("service,service_name,", 0), 0u);
  EXPECT_NE(text.find(",source,origin\r\n"), std::string::npos) << "the header names the origin column";
  EXPECT_NE(text.find("kms,Key Management Service (KMS),KMS activation (RPC over TCP),tcp,1688,"), std::string::npos);
  EXPECT_NE(text.find("\" §KMS host: clients connect on TCP port 1688 by default\",doc\r\n"), std::string::npos)
      << "a row from another Microsoft document says so";
}

TEST(ExportMarkdown, EscapesPipes) {
  std::ostringstream out;
  write_markdown(builtin_catalog(), out, Lang::ja);
  auto text = out.str();
  EXPECT_NE(text.find("## Net Logon (`netlogon`)"), std::string::npos);
  EXPECT_NE(text.find("| NetBIOS データグラム サービス | udp | 138 |"), std::string::npos);
}
