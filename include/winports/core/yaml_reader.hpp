#pragma once
// Shared by every YAML input (catalog files, site files): field checks that fail with file, line,
// column and the dotted path of the key. Internal to the library.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "winports/core/file.hpp"
#include "winports/core/messages.hpp"
#include "winports/core/port.hpp"
#include "winports/core/result.hpp"
#include "winports/core/text.hpp"
#include "winports/core/yaml_tree.hpp"

namespace winports::yaml {

// An entry that names one already reported bad: skipped without a derived error.
struct SkipEntry {};

// The one "did you mean" (messages.hpp), as the readers have always named it.
using winports::closest;
using winports::suggestion;

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const Node& at, const std::string& field, const std::string& message) const {
    fail(at, field, LocalizedText{message, message});
  }
  [[noreturn]] void fail(const Node& at, const std::string& field, const LocalizedText& message) const {
    Error e{file_, 0, 0, field, message};
    if (at.IsDefined()) {
      e.line = at.Mark().line + 1;
      e.column = at.Mark().column + 1;
    }
    throw LoadFailure{e};
  }

  // Every key of `map` must be one of `allowed`; the closest name is suggested otherwise.
  void check_keys(const Node& map, const std::string& path, std::initializer_list<std::string_view> allowed) const {
    check_keys(map, path, std::vector<std::string_view>(allowed));
  }
  void check_keys(const Node& map, const std::string& path, const std::vector<std::string_view>& allowed) const {
    if (!map.IsMap()) fail(map, path, msg::yaml_expected_mapping());
    for (const auto& kv : map) {
      auto key = kv.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string best;
      std::size_t best_distance = 4;
      for (auto a : allowed) {
        auto d = edit_distance(key, a);
        if (d < best_distance) best_distance = d, best = a;
      }
      fail(kv.first, join(path, key), msg::yaml_unknown_key() + suggestion(best));
    }
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

  Node required(const Node& map, const std::string& path, const char* key) const {
    auto node = map[key];
    if (!node.IsDefined() || node.IsNull()) fail(map, join(path, key), msg::yaml_missing_key());
    return node;
  }

  std::string scalar(const Node& node, const std::string& path) const {
    if (!node.IsScalar()) fail(node, path, msg::yaml_expected_text());
    return node.as<std::string>();
  }

  std::string nonempty(const Node& node, const std::string& path) const {
    auto s = scalar(node, path);
    if (s.empty()) fail(node, path, msg::yaml_must_not_be_empty());
    return s;
  }

  std::string one_of(const Node& node, const std::string& path, std::initializer_list<const char*> values) const {
    auto s = scalar(node, path);
    for (const char* v : values)
      if (s == v) return s;
    fail(node, path, msg::yaml_not_one_of(s, winports::join(values, ", ", [](const char* v) { return v; })));
  }

  bool boolean(const Node& node, const std::string& path) const {
    auto s = scalar(node, path);
    if (s == "true") return true;
    if (s == "false") return false;
    fail(node, path, msg::yaml_expected_bool());
  }

  int integer(const Node& node, const std::string& path, int lo, int hi) const {
    auto s = scalar(node, path);
    auto digits = std::string_view(s).substr(!s.empty() && s[0] == '-' ? 1 : 0);
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }))
      fail(node, path, msg::yaml_expected_number());
    int v = std::stoi(s);
    if (v < lo || v > hi) fail(node, path, msg::yaml_out_of_range(std::to_string(lo), std::to_string(hi)));
    return v;
  }

  std::vector<std::string> strings(const Node& node, const std::string& path) const {
    std::vector<std::string> out;
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsSequence()) fail(node, path, msg::yaml_expected_list());
    for (std::size_t i = 0; i < node.size(); ++i) out.push_back(nonempty(node[i], index(path, i)));
    return out;
  }

  LocalizedText text(const Node& node, const std::string& path) const {
    check_keys(node, path, {"ja", "en"});
    return {nonempty(required(node, path, "ja"), join(path, "ja")),
            nonempty(required(node, path, "en"), join(path, "en"))};
  }

  PortSet ports(const Node& node, const std::string& path) const {
    PortSet set;
    if (!node.IsDefined() || node.IsNull()) return set;
    if (!node.IsSequence()) fail(node, path, msg::yaml_expected_ports());
    for (std::size_t i = 0; i < node.size(); ++i) {
      auto range = parse_port_range(scalar(node[i], index(path, i)));
      if (!range) fail(node[i], index(path, i), msg::yaml_not_a_port_range());
      set.add(*range);
    }
    return set;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// Hostile input nested thousands deep is refused before parsing, with a message that says so: no
// catalog or site file needs more than a few levels, and a reader's checks must not meet it.
inline constexpr int kMaxNesting = 64;

inline void check_nesting(const SourceFile& file) {
  int depth = 0, line = 1;
  for (char ch : file.text) {
    if (ch == '\n') ++line;
    if (ch == '[' || ch == '{')
      ++depth;
    else if ((ch == ']' || ch == '}') && depth > 0)
      --depth;
    if (depth > kMaxNesting) throw LoadFailure{Error{file.name, line, 0, "", msg::yaml_nesting()}};
  }
  std::size_t indent = 0;
  line = 1;
  bool at_line_start = true;
  for (char ch : file.text) {
    if (ch == '\n') {
      ++line, indent = 0, at_line_start = true;
    } else if (at_line_start && (ch == ' ' || ch == '-')) {
      if (++indent > 2 * kMaxNesting) throw LoadFailure{Error{file.name, line, 0, "", msg::yaml_indentation()}};
    } else {
      at_line_start = false;
    }
  }
}

// A file's aliases may expand it to at most this many nodes per byte of the file, and this many
// more: a file without aliases has fewer nodes than bytes, and anchors reused a few times stay far
// below. Past it, the file is refused naming the alias, before any reader walks the tree.
constexpr std::uint64_t kExpansionPerByte = 4, kExpansionFloor = 100000;

inline Document parse_yaml(const SourceFile& file) {
  check_nesting(file);
  auto parsed = parse_document(file.name, file.text, kExpansionPerByte * file.text.size() + kExpansionFloor);
  if (!parsed) throw LoadFailure{parsed.error()};
  auto root = std::move(parsed).value();
  if (!root.IsMap()) {
    Error e{file.name, root.IsDefined() ? root.Mark().line + 1 : 1, 0, "", msg::yaml_top_level()};
    if (e.line <= 0) e.line = 1;
    throw LoadFailure{e};
  }
  return root;
}

template <class F>
auto guarded(F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const LoadFailure& failure) {
    return failure.error;
  }
}

// Every bad entry of a file in one run: each entry's checks run under entry(); a failure is
// recorded and the entry skipped, and raise() throws the first with the others attached (at most
// kMaxErrors, and how many more). Names of skipped entries are kept so that entries naming them are
// skipped without a second, derived error.
class Errors {
 public:
  static constexpr std::size_t kMaxErrors = 20;
  template <class Check>
  bool entry(const std::string& name, Check&& check) {
    try {
      check();
      return true;
    } catch (const SkipEntry&) {
      if (!name.empty()) skipped_.push_back(name);
      return false;
    } catch (const LoadFailure& failure) {
      if (list_.size() < kMaxErrors)
        list_.push_back(failure.error);
      else
        ++more_;
      if (!name.empty()) skipped_.push_back(name);
      return false;
    }
  }
  [[nodiscard]] bool skipped(const std::string& name) const {
    return std::find(skipped_.begin(), skipped_.end(), name) != skipped_.end();
  }
  void raise() const {
    if (list_.empty()) return;
    Error first = list_.front();
    first.also.assign(list_.begin() + 1, list_.end());
    if (more_) first.also.push_back(Error{first.file, 0, 0, "", msg::yaml_more_errors(std::to_string(more_))});
    throw LoadFailure{first};
  }

 private:
  std::vector<Error> list_;
  std::vector<std::string> skipped_;
  std::size_t more_ = 0;
};

}  // namespace winports::yaml
