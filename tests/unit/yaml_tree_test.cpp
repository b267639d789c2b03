#include "winports/core/yaml_tree.hpp"

#include <gtest/gtest.h>

using namespace winports;
using winports::yaml::parse_document;

namespace {
yaml::Document parsed(std::string_view text, std::uint64_t budget = 1000) {
  auto doc = parse_document("t.yaml", text, budget);
  EXPECT_TRUE(doc) << doc.error().to_string();
  return doc ? std::move(doc).value() : yaml::Document{};
}
}  // namespace

// The kinds the readers tell apart, as yaml-cpp told them: a plain null word or an empty value is
// null, the same words quoted are text; keys are looked up by their text, the first of a repeated key.
TEST(YamlTree, NullsTextsListsAndMappingsAsTheReadersSawThem) {
  auto doc = parsed("a: ~\nb:\nc: 'null'\nd: \"\"\ne: [x, {f: 1}]\ng: text\ng: again\nNULL: n\n");
  ASSERT_TRUE(doc.IsMap());
  EXPECT_EQ(doc.size(), 8u);
  EXPECT_TRUE(doc["a"].IsNull());
  EXPECT_TRUE(doc["b"].IsNull() && doc["b"].IsDefined());
  EXPECT_TRUE(doc["c"].IsScalar());
  EXPECT_EQ(doc["c"].as<std::string>(), "null");
  EXPECT_TRUE(doc["d"].IsScalar());
  EXPECT_EQ(doc["d"].as<std::string>(), "");
  EXPECT_FALSE(doc["missing"].IsDefined());
  EXPECT_FALSE(doc["missing"]["deeper"].IsDefined());
  EXPECT_FALSE(doc["g"][std::size_t{0}].IsDefined());
  EXPECT_EQ(doc["g"].as<std::string>(), "text");
  EXPECT_EQ(doc["NULL"].as<std::string>(), "n");
  auto e = doc["e"];
  ASSERT_TRUE(e.IsSequence());
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[std::size_t{0}].as<std::string>(), "x");
  EXPECT_EQ(e[1]["f"].as<std::string>(), "1");
  EXPECT_FALSE(e[2].IsDefined());
  std::vector<std::string> keys, items;
  for (const auto& kv : doc) keys.push_back(kv.first.as<std::string>());
  // A null key reads as "null" whatever its spelling (yaml-cpp's conversion), and is found by it.
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c", "d", "e", "g", "g", "null"}));
  for (const auto& item : e) items.push_back(item.IsScalar() ? item.as<std::string>() : "map");
  EXPECT_EQ(items, (std::vector<std::string>{"x", "map"}));
  // A mapping where text is due fails naming the file and the mapping's place.
  try {
    (void)e[1].as<std::string>();
    ADD_FAILURE() << "a mapping converted to text";
  } catch (const yaml::LoadFailure& failure) {
    EXPECT_EQ(failure.error.file, "t.yaml");
    EXPECT_EQ(failure.error.line, 5);
    EXPECT_EQ(failure.error.column, 8);
  }
}

// Marks count from 0 like yaml-cpp's: a block mapping at its first key, a flow one at its brace, a
// scalar at its first character.
TEST(YamlTree, MarksWhereEachNodeStarts) {
  auto doc = parsed("site: s\nzones:\n  lan: { networks: [198.18.0.0/24] }\n");
  EXPECT_EQ(doc.Mark().line, 0);
  EXPECT_EQ(doc["zones"].Mark().line, 2);
  EXPECT_EQ(doc["zones"].Mark().column, 2);
  EXPECT_EQ(doc["zones"]["lan"].Mark().column, 7);
  EXPECT_EQ(doc["zones"]["lan"]["networks"][0].Mark().column, 20);
}

// An alias is its anchor's node, not a copy; an alias to no anchor (or to a collection still open,
// which would make a cycle) is a syntax error at the alias; the first document is the file.
TEST(YamlTree, AliasesShareTheirAnchorAndNameNoOther) {
  auto doc = parsed("a: &x [1, 2]\nb: *x\n---\nc: 3\n");
  ASSERT_EQ(doc["b"].size(), 2u);
  EXPECT_EQ(doc["b"][1].as<std::string>(), "2");
  EXPECT_EQ(doc["b"].Mark().line, 0) << "the alias is the anchored node itself";
  EXPECT_FALSE(doc["c"].IsDefined());
  for (auto text : {"a: *nothing\n", "a: &x [*x]\n"}) {
    auto refused = parse_document("t.yaml", text, 1000);
    ASSERT_FALSE(refused) << text;
    EXPECT_EQ(refused.error().line, 1);
    EXPECT_NE(refused.error().message.find("YAML syntax: no anchor &"), std::string::npos) << refused.error().message;
  }
}

// Syntax errors name libyaml's problem and its place; aliases past the budget name the alias.
TEST(YamlTree, SyntaxErrorsAndExpansionsPastTheBudgetAreRefusedWithTheirPlace) {
  auto bad = parse_document("t.yaml", "a: [1, 2\nb: c\n", 1000);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().file, "t.yaml");
  EXPECT_GE(bad.error().line, 2);
  EXPECT_NE(bad.error().message.find("YAML syntax: "), std::string::npos);
  std::string many = "list: &l [a, b, c, d]\nuses: [";
  for (int i = 0; i < 50; ++i) many += i ? ", *l" : "*l";
  many += "]\n";
  EXPECT_TRUE(parse_document("t.yaml", many, 1000));
  auto refused = parse_document("t.yaml", many, 100);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().line, 2);
  EXPECT_NE(refused.error().message.find("the alias *l expands the file beyond 100 nodes"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("5 nodes"), std::string::npos) << refused.error().message;
  // An empty file has no root.
  auto empty = parse_document("t.yaml", "# nothing\n", 1000);
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->IsDefined());
}
