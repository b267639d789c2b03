#pragma once
// Aligned text tables for terminal output; widths count East Asian characters as two columns.
#include <ostream>
#include <string>
#include <vector>

#include "winports/core/messages.hpp"

namespace winports::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows = {})
      : header_(std::move(header)), rows_(std::move(rows)) {}
  // Column headings from the message table, in the reader's language.
  Table(Lang lang, std::initializer_list<Msg> columns) {
    for (auto column : columns) header_.push_back(say(column, lang));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] bool empty() const { return rows_.empty(); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace winports::cli
