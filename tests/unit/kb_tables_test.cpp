// Every row of both KB tables is in the catalog with its transport and ports. The expected rows
// are test data (tests/data/*.tsv), written from the KB once and checked by hand; the KB text
// itself is not read here.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "winports/catalog/embedded.hpp"

using namespace winports;
using namespace winports::catalog;

namespace {

std::vector<std::vector<std::string>> read_tsv(const std::string& name) {
  std::ifstream in(std::string(WINPORTS_TEST_DATA) + "/" + name);
  EXPECT_TRUE(in) << name;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

std::string key(const Requirement& q) { return std::string(to_string(q.transport)) + ":" + q.ports.to_string(); }

std::multiset<std::string> split(const std::string& s) {
  std::multiset<std::string> out;
  std::stringstream ss(s);
  std::string w;
  while (ss >> w) out.insert(w);
  return out;
}

}  // namespace

TEST(KbTables, EveryServiceTableRowIsInTheCatalog) {
  const auto& c = builtin_catalog();
  auto rows = read_tsv("kb-service-tables.tsv");
  ASSERT_EQ(rows.size(), 201u) << "the Japanese KB has 201 rows in 58 per-service tables";
  std::set<std::pair<std::string, int>> expected_rows;
  for (const auto& r : rows) {
    ASSERT_EQ(r.size(), 6u);
    const auto* s = c.service(r[0]);
    ASSERT_NE(s, nullptr) << r[0];
    int row = std::stoi(r[1]);
    expected_rows.insert({r[0], row});
    std::multiset<std::string> got;
    for (const auto& q : s->requirements)
      for (const auto& src : q.sources)
        if (src.table == "service" && src.row == row) got.insert(key(q));
    EXPECT_EQ(got, split(r[5])) << r[0] << " row " << row << ": " << r[2] << " | " << r[3] << " | " << r[4];
  }
  // And nothing in the catalog claims a service-table row the KB does not have.
  for (const auto& s : c.services)
    for (const auto& q : s.requirements)
      for (const auto& src : q.sources)
        if (src.table == "service") {
          EXPECT_TRUE(expected_rows.count({s.id, src.row})) << s.id << " row " << src.row;
        }
}

TEST(KbTables, EveryConsolidatedRowIsInTheCatalog) {
  const auto& c = builtin_catalog();
  auto rows = read_tsv("kb-consolidated-table.tsv");
  ASSERT_EQ(rows.size(), 183u) << "the Japanese KB's consolidated table has 183 rows";
  std::map<int, std::vector<std::pair<const Service*, const Requirement*>>> by_row;
  for (const auto& s : c.services)
    for (const auto& q : s.requirements)
      for (const auto& src : q.sources)
        if (src.table == "consolidated") by_row[src.row].push_back({&s, &q});
  EXPECT_EQ(by_row.size(), rows.size()) << "each consolidated row belongs to exactly one requirement";
  for (const auto& r : rows) {
    ASSERT_EQ(r.size(), 7u);
    int row = std::stoi(r[0]);
    const auto& found = by_row[row];
    ASSERT_EQ(found.size(), 1u) << "consolidated row " << row;
    EXPECT_EQ(found[0].first->id, r[5]) << "consolidated row " << row << " (" << r[4] << ")";
    EXPECT_EQ(key(*found[0].second), r[6]) << "consolidated row " << row;
    const auto& src = *std::find_if(found[0].second->sources.begin(), found[0].second->sources.end(),
                                    [&](const Source& s) { return s.table == "consolidated" && s.row == row; });
    EXPECT_EQ(src.protocol, r[3]) << "row " << row << " keeps the application protocol as written";
    EXPECT_EQ(src.service, r[4]) << "row " << row << " keeps the system service name as written";
  }
}

TEST(KbTables, SeedErrorsAreCorrectedAndRecorded) {
  const auto& c = builtin_catalog();
  struct Case {
    const char* service;
    const char* seed;
    Transport transport;
    std::uint16_t port;
  };
  for (auto k : {Case{"netlogon", "1382", Transport::udp, 138}, Case{"netlogon", "1372", Transport::udp, 137},
                 Case{"netlogon", "1392", Transport::tcp, 139}, Case{"dfs-namespaces", "1382", Transport::udp, 138},
                 Case{"dfs-namespaces", "1392", Transport::tcp, 139}, Case{"dfsr", "57222", Transport::tcp, 5722},
                 Case{"sms-remote-control", "UPD", Transport::udp, 2703}}) {
    const auto* s = c.service(k.service);
    ASSERT_NE(s, nullptr);
    bool found = false;
    for (const auto& q : s->requirements)
      for (const auto& corr : q.corrections)
        if (corr.seed == k.seed) {
          found = true;
          EXPECT_EQ(q.transport, k.transport) << k.service << " " << k.seed;
          EXPECT_EQ(q.ports, (PortSet{{k.port, k.port}})) << k.service << " " << k.seed;
        }
    EXPECT_TRUE(found) << k.service << ": correction of '" << k.seed << "' recorded";
  }
  // No single port that the seed's footnote marks produced survives anywhere.
  for (const auto& s : c.services)
    for (const auto& q : s.requirements)
      for (std::uint16_t bogus : {1382, 1372, 1392}) EXPECT_FALSE(q.ports == (PortSet{{bogus, bogus}})) << s.id;
}

TEST(KbTables, EveryRequirementRecordsItsSource) {
  for (const auto& s : builtin_catalog().services) {
    EXPECT_FALSE(s.names.ja.empty());
    EXPECT_FALSE(s.names.en.empty());
    EXPECT_FALSE(s.description.en.empty());
    for (const auto& q : s.requirements) EXPECT_FALSE(q.sources.empty()) << s.id;
  }
}

// A service the KB's consolidated table names in Japanese (「ライセンス ログ サービス」) carries that
// name in Japanese, even where the KB's section heading is English ("License Logging Service"):
// a Japanese reader's tables and headings then say what the KB's own table says.
TEST(KbTables, AServiceTheKbNamesInJapaneseIsNamedSo) {
  const auto& c = builtin_catalog();
  auto japanese = [](const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; });
  };
  std::map<std::string, std::set<std::string>> kb_names;  // service id → the table's Japanese names
  for (const auto& r : read_tsv("kb-consolidated-table.tsv"))
    if (japanese(r[4])) kb_names[r[5]].insert(r[4]);
  ASSERT_FALSE(kb_names.empty());
  int checked = 0;
  for (const auto& [id, names] : kb_names) {
    const auto* s = c.service(id);
    ASSERT_NE(s, nullptr) << id;
    if (japanese(s->names.ja)) continue;  // a Japanese name of its own (the KB's section title)
    ++checked;
    EXPECT_TRUE(names.count(s->names.ja))
        << id << ": named '" << s->names.ja << "', the KB's table says '" << *names.begin() << "'";
  }
  EXPECT_EQ(checked, 0) << "every such service has a Japanese name";
}
