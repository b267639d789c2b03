#include "winports/core/text.hpp"

#include <gtest/gtest.h>

#include <set>

#include "winports/cli/messages.hpp"
#include "winports/core/messages.hpp"
#include "winports/core/result.hpp"
#include "winports/plan/messages.hpp"
#include "winports/verify/messages.hpp"

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

TEST(Text, CodePointPairsOverlapAndKeepCharactersWhole) {
  EXPECT_EQ(code_point_pairs("タイム"), (std::vector<std::string>{"タイ", "イム"}));
  EXPECT_EQ(code_point_pairs("ntp"), (std::vector<std::string>{"nt", "tp"}));
  EXPECT_EQ(code_point_pairs("時"), (std::vector<std::string>{"時"}));
  EXPECT_TRUE(code_point_pairs("").empty());
  // An invalid byte is a unit of its own rather than swallowing the next character.
  EXPECT_EQ(code_point_pairs("\xff"
                             "a"),
            (std::vector<std::string>{"\xff"
                                      "a"}));
  EXPECT_EQ(code_point_pairs("\xff時a").size(), 2u);
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

TEST(Messages, EachLanguageFillsTheArgumentsWhereItNeedsThem) {
  EXPECT_EQ(msg::explain_not_allowed.in(Lang::en, "clients", "dc1", "445"), "NOT ALLOWED clients -> dc1 445");
  EXPECT_EQ(msg::explain_not_allowed.in(Lang::ja, "clients", "dc1", "445"), "不許可 clients -> dc1 445");
  // Each language orders the arguments its own way.
  EXPECT_EQ(msg::did_you_mean.in(Lang::ja, "dc1"), " (dc1 のことですか?)");
}

TEST(Messages, LibraryTextCarriesBothLanguagesUntilTheReaderPicksOne) {
  // A role's name is an argument with its own Japanese; a plain name is the same in both.
  LocalizedText role{"読み取り専用ドメイン コントローラー", "read-only domain controller"};
  auto text = msg::site_role_refuses("rodc1", role, "dc-replication", LocalizedText{"受信のみ", "inbound only"});
  EXPECT_EQ(text.en, "rodc1 is read-only domain controller, which never serves dc-replication: inbound only");
  EXPECT_EQ(text.ja, "rodc1 は 読み取り専用ドメイン コントローラー で、dc-replication を提供しません: 受信のみ");
  // Parts join per language; an English-only part (ja empty) joins as its English.
  auto joined = msg::site_unknown_zone("server") + msg::did_you_mean("'servers'");
  EXPECT_EQ(joined.ja, "不明なゾーン 'server' ('servers' のことですか?)");
  EXPECT_EQ((LocalizedText{"", "a"} + LocalizedText{"い", "b"}).ja, "aい");
  Error e{"site.yaml", 6, 39, "hosts.dc1.zone", joined};
  EXPECT_EQ(e.to_string(), "site.yaml:6:39: hosts.dc1.zone: unknown zone 'server' (did you mean 'servers'?)");
  EXPECT_EQ(e.to_string(Lang::ja), "site.yaml:6:39: hosts.dc1.zone: 不明なゾーン 'server' ('servers' のことですか?)");
  // A message built by hand has no Japanese: both languages read it.
  EXPECT_EQ(Error("f", 1, 0, "", "plain").to_string(Lang::ja), "f:1: plain");
}

TEST(Text, PowershellLiteralDoublesEveryQuotePowershellEndsAStringAt) {
  EXPECT_EQ(powershell_literal(""), "''");
  EXPECT_EQ(powershell_literal("dc1 $env:x `n"), "'dc1 $env:x `n'");
  EXPECT_EQ(powershell_literal("O'Brien"), "'O''Brien'");
  // ‘ ’ ‚ ‛ (U+2018-U+201B) end a single-quoted string in PowerShell as ' does.
  EXPECT_EQ(powershell_literal("Windows\u2019 rule \u2018x\u201B \u201A"),
            "'Windows\u2019\u2019 rule \u2018\u2018x\u201B\u201B \u201A\u201A'");
  // Other characters led by E2 80 stay single: “ ” (U+201C, U+201D), — (U+2014), → (U+2192).
  EXPECT_EQ(powershell_literal("\u201Cx\u201D \u2014 \u2192"), "'\u201Cx\u201D \u2014 \u2192'");
  EXPECT_EQ(powershell_literal("end \xE2\x80"), "'end \xE2\x80'");  // a cut sequence is copied as it is
  std::string out = "x = ";
  append_powershell_literal(out, "a'b");
  EXPECT_EQ(out, "x = 'a''b'");
}
