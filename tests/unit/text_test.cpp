#include "winports/core/text.hpp"

#include <gtest/gtest.h>

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
