#include "winports/render/table.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <string_view>

#include "winports/core/text.hpp"

namespace winports::render {
namespace {

constexpr std::size_t kGap = 2;  // spaces between columns

// The UTF-8 sequence starting at `text[at]`, whole (a lead byte tells its length).
std::size_t sequence_length(std::string_view text, std::size_t at) {
  auto lead = static_cast<unsigned char>(text[at]);
  std::size_t n = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  return std::min(n, text.size() - at);
}

// `word` cut into pieces of at most `width` columns (a piece holds at least one character).
void cut(std::string_view word, std::size_t width, std::vector<std::string>& lines) {
  std::string piece;
  std::size_t used = 0;
  for (std::size_t at = 0; at < word.size();) {
    auto n = sequence_length(word, at);
    auto ch = word.substr(at, n);
    auto w = display_width(ch);
    if (used + w > width && !piece.empty()) {
      lines.push_back(std::move(piece));
      piece.clear();
      used = 0;
    }
    piece += ch;
    used += w;
    at += n;
  }
  if (!piece.empty()) lines.push_back(std::move(piece));
}

// `text` wrapped at spaces into lines of at most `width` columns; a word wider than that is cut.
std::vector<std::string> wrapped(std::string_view text, std::size_t width) {
  if (display_width(text) <= width) return {std::string(text)};
  std::vector<std::string> lines;
  std::string line;
  std::size_t used = 0;
  for (std::size_t at = 0; at <= text.size();) {
    auto end = std::min(text.find(' ', at), text.size());
    auto word = text.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    auto w = display_width(word);
    if (!line.empty() && used + 1 + w <= width) {
      line += ' ';
      line += word;
      used += 1 + w;
      continue;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    line.clear();
    used = 0;
    if (w > width) {
      cut(word, width, lines);
      line = std::move(lines.back());
      lines.pop_back();
      used = display_width(line);
    } else {
      line = std::string(word);
      used = w;
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::size_t longest_word(std::string_view text) {
  std::size_t most = 0;
  for (std::size_t at = 0; at <= text.size();) {
    auto end = std::min(text.find(' ', at), text.size());
    most = std::max(most, display_width(text.substr(at, end - at)));
    at = end + 1;
  }
  return most;
}

// Each column's width within `limit` columns in all: every column keeps its natural width up to a
// cap, the cap as high as fits (so the narrow columns stay whole and the widest ones share the
// rest), and no column narrower than its longest word while the limit allows it.
std::vector<std::size_t> fitted(const std::vector<std::size_t>& natural, const std::vector<std::size_t>& floor,
                                std::size_t limit) {
  const std::size_t gaps = natural.empty() ? 0 : kGap * (natural.size() - 1);
  auto total = [&](std::size_t cap, bool with_floor) {
    std::size_t sum = gaps;
    for (std::size_t i = 0; i < natural.size(); ++i)
      sum += std::max(with_floor ? floor[i] : 1, std::min(natural[i], cap));
    return sum;
  };
  const std::size_t widest = natural.empty() ? 0 : *std::max_element(natural.begin(), natural.end());
  if (total(widest, false) <= limit) return natural;
  const bool with_floor = total(0, true) <= limit;  // else words are cut too
  std::size_t low = 0, high = widest;               // total(low) fits, total(high) does not
  while (low + 1 < high) {
    auto mid = (low + high) / 2;
    (total(mid, with_floor) <= limit ? low : high) = mid;
  }
  std::vector<std::size_t> out(natural.size());
  for (std::size_t i = 0; i < natural.size(); ++i)
    out[i] = std::max(with_floor ? floor[i] : 1, std::min(natural[i], low));
  return out;
}

}  // namespace

void print(const Table& table, std::ostream& out, Fit fit) {
  // The columns that hold something: an empty column says nothing and takes a terminal's width.
  std::vector<std::size_t> shown;
  for (std::size_t c = 0; c < table.header().size(); ++c) {
    const bool any = std::any_of(table.rows().begin(), table.rows().end(),
                                 [&](const auto& row) { return c < row.size() && !row[c].empty(); });
    if (any || table.rows().empty()) shown.push_back(c);
  }
  auto cell = [&](const std::vector<std::string>& row, std::size_t c) -> std::string_view {
    return c < row.size() ? std::string_view(row[c]) : std::string_view();
  };
  std::vector<std::size_t> natural(shown.size(), 0), floor(shown.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < shown.size(); ++i) {
      natural[i] = std::max(natural[i], display_width(cell(row, shown[i])));
      if (fit.width) floor[i] = std::max(floor[i], longest_word(cell(row, shown[i])));
    }
  };
  measure(table.header());
  for (const auto& row : table.rows()) measure(row);
  const auto width = fit.width ? fitted(natural, floor, fit.width) : natural;

  auto emit = [&](const std::vector<std::string>& row) {
    std::vector<std::vector<std::string>> lines(shown.size());
    std::size_t height = 1;
    for (std::size_t i = 0; i < shown.size(); ++i) {
      auto text = cell(row, shown[i]);
      lines[i] = fit.width ? wrapped(text, width[i]) : std::vector<std::string>{std::string(text)};
      height = std::max(height, lines[i].size());
    }
    for (std::size_t h = 0; h < height; ++h) {
      std::string line;
      for (std::size_t i = 0; i < shown.size(); ++i) {
        const std::string piece = h < lines[i].size() ? lines[i][h] : std::string();
        line += piece;
        if (i + 1 < shown.size()) line += std::string(width[i] - std::min(width[i], display_width(piece)) + kGap, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << '\n';
    }
  };
  emit(table.header());
  for (const auto& row : table.rows()) emit(row);
}

std::size_t terminal_width(int fd) {
  if (!isatty(fd)) return 0;
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    auto n = std::strtoul(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0) return n;
  }
  winsize size{};
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;  // a terminal that does not say its size: the classic width
}

}  // namespace winports::render
