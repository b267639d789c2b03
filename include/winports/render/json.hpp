#pragma once
// JSON written as it is made, for the outputs whose size follows the input (a capture's flows):
// building a nlohmann::json tree first cost a quarter of a 64 MiB analysis. The layout is
// nlohmann's dump(2), so a stream and a tree print alike; small parts can still be built as a tree
// (`tree`) and are indented in place. Everything else in winports writes JSON through nlohmann.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace winports::render {

class JsonStream {
 public:
  explicit JsonStream(std::string& out) : out_(out) {}

  // Containers: opened as a value (after a key, in an array, or at the top), closed by end().
  JsonStream& object();
  JsonStream& array();
  JsonStream& end();
  JsonStream& key(std::string_view name);

  JsonStream& text(std::string_view value);
  JsonStream& number(std::uint64_t value);
  JsonStream& real(double value);  // the shortest text that reads back as `value`
  JsonStream& boolean(bool value);
  JsonStream& null();
  JsonStream& text_or_null(std::string_view value) { return value.empty() ? null() : text(value); }
  JsonStream& tree(const nlohmann::json& value);

 private:
  void value_starts();
  void indent(std::size_t depth);
  void quoted(std::string_view value);
  void escape(char c);

  struct Level {
    bool array = false;
    bool empty = true;
  };
  std::string& out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

}  // namespace winports::render
