#pragma once
// The one text table of winports: what a command prints as columns. Library code returns a Table
// (a value: headings and rows); the CLI prints it fitted to where it goes — on a terminal to its
// width (long cells wrap), elsewhere whole, so a pipe or a file keeps every cell on one line.
// Widths count East Asian characters as two columns.
#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "winports/core/message.hpp"

namespace winports::render {

class Table {
 public:
  Table() = default;
  explicit Table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows = {})
      : header_(std::move(header)), rows_(std::move(rows)) {}
  // Headings from the message data, in the reader's language.
  Table(Lang lang, std::initializer_list<Msg> columns) {
    for (auto column : columns) header_.push_back(say(column, lang));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] bool empty() const { return rows_.empty(); }
  [[nodiscard]] const std::vector<std::string>& header() const { return header_; }
  [[nodiscard]] const std::vector<std::vector<std::string>>& rows() const { return rows_; }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Where a table goes: `width` columns of a terminal, or 0 for no limit (not a terminal).
struct Fit {
  std::size_t width = 0;
};

// The table as aligned lines. A column whose every cell is empty is left out; with a width, the
// widest columns are narrowed until the table fits (never below their longest word, when the
// width allows) and their cells wrap at spaces onto more lines.
void print(const Table& table, std::ostream& out, Fit fit = {});

// The width of the terminal `fd` writes to (COLUMNS, when set, overrides its size); 0 when `fd` is
// not a terminal.
std::size_t terminal_width(int fd);

}  // namespace winports::render
