#include "winports/core/text.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

namespace winports {
namespace {

std::vector<utf8proc_int32_t> code_points(std::string_view text) {
  std::vector<utf8proc_int32_t> out;
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // invalid byte: keep it as its own unit so nothing is lost
      cp = *p;
      n = 1;
    }
    out.push_back(cp);
    p += n;
    left -= n;
  }
  return out;
}

}  // namespace

Lang lang_from_locale(std::string_view locale) { return locale.substr(0, 2) == "ja" ? Lang::ja : Lang::en; }

std::string fold_for_match(std::string_view text) {
  std::string input(text);
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> folded(
      utf8proc_NFKC_Casefold(reinterpret_cast<const utf8proc_uint8_t*>(input.c_str())), &std::free);
  std::string_view source = folded ? std::string_view(reinterpret_cast<const char*>(folded.get())) : text;
  std::string out;
  out.reserve(source.size());
  for (auto cp : code_points(source)) {
    auto category = utf8proc_category(cp);
    bool drop = category == UTF8PROC_CATEGORY_ZS ||
                (category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO) || cp == ' ' || cp == '\t' ||
                cp == 0x30FB /* katakana middle dot */;
    if (drop) continue;
    utf8proc_uint8_t buf[4];
    auto n = utf8proc_encode_char(cp, buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
  }
  if (!folded) {
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  }
  return out;
}

std::vector<std::string> code_point_pairs(std::string_view text) {
  std::vector<std::size_t> starts;  // byte offset of each code point (an invalid byte is one), then the end
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  for (std::size_t at = 0; at < text.size();) {
    starts.push_back(at);
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(p + at, static_cast<utf8proc_ssize_t>(text.size() - at), &cp);
    at += n > 0 ? static_cast<std::size_t>(n) : 1;
  }
  starts.push_back(text.size());
  std::vector<std::string> out;
  if (starts.size() == 2) out.emplace_back(text);
  for (std::size_t i = 0; i + 2 < starts.size(); ++i)
    out.emplace_back(text.substr(starts[i], starts[i + 2] - starts[i]));
  return out;
}

std::size_t display_width(std::string_view text) {
  // Printable ASCII is one column each: the common case, without decoding (a table's widths were a
  // sixth of a lookup's run).
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F; })) return text.size();
  std::size_t width = 0;
  for (auto cp : code_points(text)) width += static_cast<std::size_t>(std::max(0, utf8proc_charwidth(cp)));
  return width;
}

namespace {

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char ch : text) {
    if (ch == '-' || ch == '_' || ch == '.' || ch == ' ') {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

}  // namespace

std::string closest_name(std::string_view word, const std::vector<std::string>& candidates) {
  auto mine = words_of(word);
  if (mine.empty()) return "";
  // Initials: "dc" for domain-controller, "wsus" never for anything shorter.
  if (mine.size() == 1 && mine[0].size() >= 2)
    for (const auto& c : candidates) {
      auto theirs = words_of(c);
      std::string initials;
      for (const auto& w : theirs) initials += w[0];
      if (theirs.size() >= 2 && initials == mine[0]) return c;
    }
  // Every word of the name is a word of one candidate: the one with the fewest other words, when
  // no other candidate has as few.
  std::string best;
  std::size_t fewest = SIZE_MAX;
  bool tie = false;
  for (const auto& c : candidates) {
    auto theirs = words_of(c);
    bool all = std::all_of(mine.begin(), mine.end(), [&](const std::string& w) {
      return std::find(theirs.begin(), theirs.end(), w) != theirs.end();
    });
    if (!all || theirs.size() < mine.size()) continue;
    auto extra = theirs.size() - mine.size();
    if (extra < fewest)
      fewest = extra, best = c, tie = false;
    else if (extra == fewest)
      tie = true;
  }
  if (!best.empty() && !tie) return best;
  best.clear();
  std::size_t best_distance = std::max<std::size_t>(3, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    auto d = edit_distance(word, c);
    if (d < best_distance) best_distance = d, best = c;
  }
  return best;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto x = code_points(a);
  auto y = code_points(b);
  std::vector<std::size_t> row(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= x.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string md_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\r' || c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string markup_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r') out += ch;
    }
  }
  return out;
}

std::string identifier(std::string_view text, std::string_view also, char replacement) {
  std::string out;
  for (char ch : text) {
    bool kept = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                also.find(ch) != std::string_view::npos;
    if (kept)
      out += ch;
    else if (replacement)
      out += replacement;
  }
  return out;
}

std::string abbreviated(const std::string& list) {
  std::size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    at = list.find(',', at);
    if (at == std::string::npos) return list;
    ++at;
  }
  auto more = std::count(list.begin() + static_cast<std::ptrdiff_t>(at), list.end(), ',') + 1;
  return list.substr(0, at - 1) + " +" + std::to_string(more);
}

namespace {
// PowerShell ends a single-quoted string at any of four quotes: ' and U+2018-U+201B (‘ ’ ‚ ‛, UTF-8
// E2 80 98-9B); each is written twice to stand for itself.
void append_powershell_escaped(std::string& out, std::string_view text) {
  std::size_t copied = 0;  // text before this is in out
  for (std::size_t at = 0; at < text.size(); ++at) {
    std::size_t width = 0;
    if (text[at] == '\'')
      width = 1;
    else if (text[at] == '\xE2' && at + 2 < text.size() && text[at + 1] == '\x80' &&
             static_cast<unsigned char>(text[at + 2]) >= 0x98 && static_cast<unsigned char>(text[at + 2]) <= 0x9B)
      width = 3;
    if (width == 0) continue;
    out.append(text.substr(copied, at + width - copied)).append(text.substr(at, width));
    copied = at + width;
    at += width - 1;
  }
  out.append(text.substr(copied));
}
}  // namespace

void append_powershell_literal(std::string& out, std::string_view text) {
  out += '\'';
  append_powershell_escaped(out, text);
  out += '\'';
}

void append_powershell_literal(std::string& out, std::span<const std::string_view> parts) {
  out += '\'';
  for (auto part : parts) append_powershell_escaped(out, part);
  out += '\'';
}

std::string powershell_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_powershell_literal(out, text);
  return out;
}

std::string commented(std::string_view text, std::string_view prefix, std::string_view eol) {
  std::string out;
  for (std::size_t start = 0; start <= text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.append(prefix).append(text.substr(start, end - start)).append(eol);
    start = end + 1;
  }
  return out;
}

std::string with_comments(std::string script, const std::vector<std::pair<std::string_view, std::string>>& texts) {
  for (const auto& [key, text] : texts) {
    const std::string marker = "@@" + std::string(key) + "@@";
    for (auto at = script.find(marker); at != std::string::npos; at = script.find(marker, at)) {
      auto line = script.rfind('\n', at) + 1;  // npos + 1 == 0: the first line
      auto end = script.find('\n', at);
      end = end == std::string::npos ? script.size() : end + 1;
      auto lines = commented(text, script.substr(line, at - line));
      script.replace(line, end - line, lines);
      at = line + lines.size();
    }
  }
  return script;
}

std::string hex_bytes(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) out += {kDigits[b >> 4], kDigits[b & 15]};
  return out;
}

}  // namespace winports
