#pragma once
// Bilingual text and the Unicode handling the CLI needs (matching names typed in either
// script or width, and aligning columns that mix Japanese and Latin text).
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace winports {

// The items, `separator` between them; `show` turns an item into text (identity by default).
template <class Range, class Show>
std::string join(const Range& items, std::string_view separator, Show&& show) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += separator;
    first = false;
    out += show(item);
  }
  return out;
}
template <class Range>
std::string join(const Range& items, std::string_view separator) {
  return join(items, separator, [](const auto& item) -> decltype(auto) { return item; });
}

enum class Lang { ja, en };

struct LocalizedText {
  std::string ja;
  std::string en;
  [[nodiscard]] const std::string& in(Lang lang) const { return lang == Lang::ja && !ja.empty() ? ja : en; }
  [[nodiscard]] bool empty() const { return en.empty() && ja.empty(); }
  bool operator==(const LocalizedText&) const = default;
  // Messages are built from parts (a message, then its "did you mean"): each language joins its own.
  LocalizedText& operator+=(const LocalizedText& more) {
    ja = in(Lang::ja) + more.in(Lang::ja);
    en += more.en;
    return *this;
  }
  friend LocalizedText operator+(LocalizedText a, const LocalizedText& b) { return a += b; }
};

// Each text in `lang`: lists the JSON keeps in English and people read in theirs.
inline std::vector<std::string> in_language(const std::vector<LocalizedText>& texts, Lang lang) {
  std::vector<std::string> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(t.in(lang));
  return out;
}

// The language's code, as HTML's lang attribute and BCP 47 write it.
constexpr const char* lang_code(Lang lang) {
  constexpr const char* kCodes[] = {"ja", "en"};  // in the order of Lang
  return kCodes[static_cast<int>(lang)];
}

// Lang from a locale string such as "ja_JP.UTF-8" (ja) or anything else (en).
Lang lang_from_locale(std::string_view locale);

// NFKC + case folding, then spaces and punctuation removed: "ＬＤＡＰ サーバー" and
// "ldapサーバー" compare equal. Invalid UTF-8 is folded byte-wise.
std::string fold_for_match(std::string_view text);

// The overlapping pairs of code points of a text (the text itself when it has one), for ranking
// names by what they share: Japanese names have no spaces to split words at.
std::vector<std::string> code_point_pairs(std::string_view text);

// Terminal column width (East Asian wide characters count 2).
std::size_t display_width(std::string_view text);

// Levenshtein distance over code points, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate a mistyped name most likely meant, or "": by its words first ("windows-2022" means
// windows-server-2022, "2022" too; "dc" is domain-controller's initials), then by spelling (edit
// distance within a third of the word). Ids are words joined by '-', '_', '.' or spaces.
std::string closest_name(std::string_view word, const std::vector<std::string>& candidates);

// A name as an identifier the target allows: ASCII letters and digits and the characters of
// `also`; any other byte becomes `replacement`, or is dropped when it is '\0'. One function for
// nftables sets, iptables chains, ASA object names, log prefixes and the DOT/SVG/CSS ids.
std::string identifier(std::string_view text, std::string_view also = "", char replacement = '_');

// "a,b,c +4": a comma-separated list cut to three items for a table cell.
std::string abbreviated(const std::string& list);

// A CSV field per RFC 4180 (quoted only where needed) and a Markdown table cell ('|' escaped,
// line breaks flattened): shared by the catalog export and the plan emitters.
std::string csv_field(std::string_view text);
std::string md_cell(std::string_view text);
// Text safe in XML and HTML, in content and in quoted attributes; the control characters XML 1.0
// cannot carry are dropped. Shared by the JUnit report and the HTML report.
std::string markup_escaped(std::string_view text);
// A PowerShell single-quoted string: nothing inside is expanded, a quote is doubled (PowerShell's
// typographic single quotes too). Shared by the PowerShell plan and verify's probe script.
std::string powershell_literal(std::string_view text);
void append_powershell_literal(std::string& out, std::string_view text);
// The parts put together as one literal, without putting them together first.
void append_powershell_literal(std::string& out, std::span<const std::string_view> parts);
// A text's lines as comment lines of a script: each after `prefix` ("# ", "rem ", "! "), ended by
// `eol`. Messages break their lines where the English wraps; a translation where it reads well.
std::string commented(std::string_view text, std::string_view prefix, std::string_view eol = "\n");
// A script whose lines holding "@@key@@" become the comment `text` of that key, each of its lines
// after what precedes the marker there (the indentation and the comment mark).
std::string with_comments(std::string script, const std::vector<std::pair<std::string_view, std::string>>& texts);
// Bytes as lowercase hex digits ("0a1b"): traces, and the payloads a probe script carries.
std::string hex_bytes(std::span<const std::uint8_t> bytes);

}  // namespace winports
