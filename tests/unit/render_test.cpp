#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "winports/core/text.hpp"
#include "winports/render/html.hpp"
#include "winports/render/json.hpp"
#include "winports/render/table.hpp"

using namespace winports;

namespace {

std::vector<std::string> lines_of(const render::Table& t, std::size_t width) {
  std::ostringstream out;
  render::print(t, out, {width});
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The words of a text, in order: what wrapping must keep.
std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

TEST(RenderTable, WholeWhenNotATerminalAndEmptyColumnsLeftOut) {
  render::Table t({"ID", "EMPTY", "NAME"});
  t.add({"a", "", "a long name that stays on one line however long it is"});
  t.add({"bb", "", "x"});
  auto lines = lines_of(t, 0);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "ID  NAME");
  EXPECT_EQ(lines[1], "a   a long name that stays on one line however long it is");
  EXPECT_EQ(lines[2], "bb  x");
  // Without rows, the headings are all there is: kept.
  EXPECT_EQ(lines_of(render::Table({"A", "B"}), 0), std::vector<std::string>{"A  B"});
}

TEST(RenderTable, FitsATerminalByWrappingTheWidestColumns) {
  render::Table t({"PROTO", "PORT", "SERVICE", "SOURCE"});
  t.add({"tcp", "445", "Active Directory (Local Security Authority) [active-directory]",
         "§Active Directory (Local Security Authority) table row 13"});
  t.add({"udp", "137-138", "NetBIOS [netbios]", "consolidated row 3"});
  auto lines = lines_of(t, 60);
  for (const auto& line : lines) EXPECT_LE(display_width(line), 60u) << line;
  // The narrow columns stay whole on the row's first line; the wide ones continue below.
  EXPECT_EQ(lines[1].rfind("tcp    445", 0), 0u) << lines[1];
  EXPECT_GT(lines.size(), 3u);
  // Every word of a wrapped cell is kept, in order: the SERVICE column's pieces read back whole.
  const auto service_at = lines[0].find("SERVICE");
  const auto source_at = lines[0].find("SOURCE");
  std::string service;
  for (std::size_t i = 1; i < lines.size() && (i == 1 || lines[i].rfind("udp", 0) != 0); ++i)
    service += " " + lines[i].substr(service_at, source_at - service_at);
  EXPECT_EQ(words(service), words(t.rows()[0][2]));
}

TEST(RenderTable, CountsWideCharactersAndCutsWordsWiderThanTheColumn) {
  render::Table t({"名前", "説明"});
  t.add({"ドメイン コントローラー",
         "読み取り専用ドメインコントローラーが書き込み可能なドメインコントローラーへ複製する"});
  for (const auto& line : lines_of(t, 30)) EXPECT_LE(display_width(line), 30u) << line;
  // A width below the longest words: the words are cut rather than overflow.
  render::Table narrow({"A"});
  narrow.add({"abcdefghijklmnopqrstuvwxyz"});
  auto lines = lines_of(narrow, 10);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1], "abcdefghij");
  EXPECT_EQ(lines[3], "uvwxyz");
}

// Property: for random tables and widths, no line is wider than the width (whenever the width can
// hold one character per column and the gaps), and each cell's words come back in order.
TEST(RenderTable, RandomTablesFitAndKeepEveryWord) {
  std::mt19937 random(832017);
  const std::vector<std::string> vocabulary = {"a",         "tcp",    "445",      "サーバー",   "Active",
                                               "Directory", "(Local", "Security", "Authority)", "consolidated",
                                               "row",       "§Net",   "Logon"};
  for (int round = 0; round < 300; ++round) {
    const std::size_t columns = 1 + random() % 5;
    std::vector<std::string> header;
    for (std::size_t c = 0; c < columns; ++c) header.push_back("H" + std::to_string(c));
    render::Table t(header);
    const std::size_t rows = 1 + random() % 4;
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<std::string> row;
      for (std::size_t c = 0; c < columns; ++c) {
        std::string cell;
        for (std::size_t w = random() % 9; w > 0; --w) cell += (cell.empty() ? "" : " ") + vocabulary[random() % 13];
        row.push_back(cell);
      }
      t.add(row);
    }
    const std::size_t width = 3 * columns + 2 * (columns - 1) + random() % 80;
    auto lines = lines_of(t, width);
    for (const auto& line : lines) ASSERT_LE(display_width(line), width) << "round " << round << ": " << line;
    std::string all;
    for (const auto& line : lines) all += " " + line;
    std::string expected;
    for (const auto& row : t.rows())
      for (const auto& cell : row) expected += " " + cell;
    // Cut words aside, every word appears; the total of characters is the same.
    std::string a, b;
    for (char ch : all)
      if (ch != ' ') a += ch;
    // A column empty in every row is left out, its heading with it.
    for (std::size_t c = 0; c < columns; ++c)
      if (std::any_of(t.rows().begin(), t.rows().end(), [&](const auto& row) { return !row[c].empty(); }))
        b += header[c];
    for (char ch : expected)
      if (ch != ' ') b += ch;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    ASSERT_EQ(a, b) << "round " << round;
  }
}

namespace {

// A value written through the stream, element by element, as analyze writes its flows.
void stream(render::JsonStream& w, const nlohmann::json& value) {
  if (value.is_object()) {
    w.object();
    for (const auto& [k, v] : value.items()) {
      w.key(k);
      stream(w, v);
    }
    w.end();
  } else if (value.is_array()) {
    w.array();
    for (const auto& v : value) stream(w, v);
    w.end();
  } else if (value.is_string()) {
    w.text(value.get<std::string>());
  } else if (value.is_boolean()) {
    w.boolean(value.get<bool>());
  } else if (value.is_null()) {
    w.null();
  } else {
    w.number(value.get<std::uint64_t>());
  }
}

nlohmann::json random_value(std::mt19937& random, int depth) {
  switch (random() % (depth > 3 ? 4 : 6)) {
    case 0: {
      std::string s;
      static const char* const kPieces[] = {"a", "\"", "\\", "\n", "\t", "\x01", "\x1f", "é", " ", "サ", "/"};
      for (auto n = random() % 6; n > 0; --n) s += kPieces[random() % 11];
      return s;
    }
    case 1:
      return static_cast<std::uint64_t>(random());
    case 2:
      return random() % 2 == 0;
    case 3:
      return nullptr;
    case 4: {
      auto a = nlohmann::json::array();
      for (auto n = random() % 4; n > 0; --n) a.push_back(random_value(random, depth + 1));
      return a;
    }
    default: {
      auto o = nlohmann::json::object();
      for (auto n = random() % 4; n > 0; --n) o["k" + std::to_string(random() % 10)] = random_value(random, depth + 1);
      return o;
    }
  }
}

}  // namespace

// Property: whatever a stream writes reads as nlohmann's own dump(2) of the same value, byte for
// byte, so the streamed outputs and the tree outputs of winports look alike.
TEST(RenderJson, AStreamWritesWhatDumpWrites) {
  std::mt19937 random(832017);
  for (int round = 0; round < 500; ++round) {
    auto value = random_value(random, 0);
    std::string out;
    render::JsonStream w(out);
    stream(w, value);
    ASSERT_EQ(out, value.dump(2)) << "round " << round;
  }
}

TEST(RenderJson, TreesNestInPlaceAndRealsAreShortest) {
  std::string out;
  render::JsonStream w(out);
  w.object().key("first").real(1234.5).key("zero").real(0.1).key("summary").tree({{"a", {1, 2}}}).end();
  EXPECT_EQ(
      out,
      "{\n  \"first\": 1234.5,\n  \"zero\": 0.1,\n  \"summary\": {\n    \"a\": [\n      1,\n      2\n    ]\n  }\n}");
}

// Every embedded page template parses (a mistake in data/templates/ fails here, not on a page), and
// what a page fills in is escaped unless the template asks for markup.
TEST(RenderHtml, EveryTemplateParsesAndValuesAreEscaped) {
  for (const char* name : {"page", "plan", "verdicts"}) {
    const auto text = render::template_text(name);
    ASSERT_FALSE(text.empty()) << name;
    kainjow::mustache::mustache parsed{std::string(text)};
    EXPECT_TRUE(parsed.is_valid()) << name << ": " << parsed.error_message();
    EXPECT_NE(text.back(), '\n') << name << ": the file's last line break is not the page's";
  }
  EXPECT_TRUE(render::template_text("no-such-page").empty());
  render::HtmlData data;
  data.set("summary", "<script>alert('x')</script> & \x01");
  data.set("svg", "<svg id=\"d\"></svg>");
  auto page = render::html_page("verdicts", "a <b> title <winports-body/>", Lang::ja, data);
  EXPECT_NE(page.find("<html lang=\"ja\">"), std::string::npos);
  EXPECT_NE(page.find("<title>a &lt;b&gt; title &lt;winports-body/&gt;</title>"), std::string::npos);
  EXPECT_EQ(page.find("<winports-body/>"), std::string::npos) << "the body's mark is replaced, a title's is not one";
  EXPECT_EQ(page.find("<h2>"), page.rfind("<h2>", page.find("id=\"summary\""))) << "the body once, after the title";
  EXPECT_NE(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; </p>"), std::string::npos) << page;
  EXPECT_NE(page.find("<div id=\"zone-diagram\"><svg id=\"d\"></svg></div>"), std::string::npos);
  EXPECT_EQ(page.substr(page.size() - 8), "</html>\n");
}
