#include "winports/core/text.hpp"

#include <gtest/gtest.h>

#include <set>

#include "winports/core/messages.hpp"

using namespace winports;

TEST(Text, FoldIgnoresCaseWidthSpacesAndPunctuation) {
  EXPECT_EQ(fold_for_match("ＬＤＡＰ サーバー"), fold_for_match("ldapサーバー"));
  EXPECT_EQ(fold_for_match("Net Logon"), fold_for_match("netlogon"));
  EXPECT_EQ(fold_for_match("DNS-Server"), fold_for_match("dns server"));
  EXPECT_NE(fold_for_match("RPC over HTTP"), fold_for_match("RPC over HTTPS"));
  auto invalid =
      fold_for_match(std::string("\xff\xfe"
                                 "ABC",
                                 5));
  EXPECT_NE(invalid.find("abc"), std::string::npos) << "invalid UTF-8 does not lose the rest";
  EXPECT_GT(invalid.size(), 3u) << "invalid bytes are kept, not dropped";
}

TEST(Text, DisplayWidthCountsWideCharactersTwice) {
  EXPECT_EQ(display_width("SMB"), 3u);
  EXPECT_EQ(display_width("サーバー"), 8u);
  EXPECT_EQ(display_width("LDAP サーバー"), 13u);
}

TEST(Text, EditDistanceWorksOnCodePoints) {
  EXPECT_EQ(edit_distance("netlogon", "netlogn"), 1u);
  EXPECT_EQ(edit_distance("サーバー", "サーバ"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Text, LangFromLocale) {
  EXPECT_EQ(lang_from_locale("ja_JP.UTF-8"), Lang::ja);
  EXPECT_EQ(lang_from_locale("C.UTF-8"), Lang::en);
  LocalizedText t{"名前", "name"};
  EXPECT_EQ(t.in(Lang::ja), "名前");
  EXPECT_EQ(t.in(Lang::en), "name");
}

TEST(Text, SuggestionsMatchWordsAndInitialsBeforeSpelling) {
  std::vector<std::string> os{"windows-2000", "windows-xp", "windows-server-2003", "windows-server-2022", "windows-11"};
  // By spelling alone windows-2022 is one letter from windows-2000: its words say 2022.
  EXPECT_EQ(closest_name("windows-2022", os), "windows-server-2022");
  EXPECT_EQ(closest_name("2022", os), "windows-server-2022");
  EXPECT_EQ(closest_name("windows", os), "windows-xp") << "a word many share falls back to spelling";
  std::vector<std::string> roles{"domain-controller", "dhcp-server", "ftp", "file-server", "wins"};
  EXPECT_EQ(closest_name("dc", roles), "domain-controller");
  EXPECT_EQ(closest_name("domain-controler", roles), "domain-controller");
  EXPECT_EQ(closest_name("file_server", roles), "file-server");
  EXPECT_EQ(closest_name("zzzzzzzz", roles), "");
}

TEST(Messages, EveryMessageHasBothLanguagesWithTheSamePlaceholders) {
  auto placeholders = [](std::string_view text) {
    std::multiset<char> out;
    for (std::size_t i = 0; i + 2 < text.size(); ++i)
      if (text[i] == '{' && text[i + 2] == '}') out.insert(text[i + 1]);
    return out;
  };
  std::set<int> ids;
  for (const auto& m : message_table()) {
    EXPECT_TRUE(ids.insert(static_cast<int>(m.id)).second) << "id listed twice: " << m.en;
    EXPECT_FALSE(m.en.empty());
    EXPECT_FALSE(m.ja.empty()) << m.en;
    EXPECT_EQ(placeholders(m.en), placeholders(m.ja)) << m.en;
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(Msg::port_none) + 1) << "every Msg has a row";
  EXPECT_EQ(say(Msg::explain_not_allowed, Lang::en, {"clients", "dc1", "445"}), "NOT ALLOWED clients -> dc1 445");
  EXPECT_EQ(say(Msg::explain_not_allowed, Lang::ja, {"clients", "dc1", "445"}), "不許可 clients -> dc1 445");
  // Each language orders the arguments its own way.
  EXPECT_EQ(say(Msg::did_you_mean, Lang::ja, {"dc1"}), " (dc1 のことですか?)");
}
