#include "winports/render/json.hpp"

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace winports::render {

void JsonStream::indent(std::size_t depth) { out_.append(2 * depth, ' '); }

// Where a value goes: right after its key, or on its own line as the next element of an array.
void JsonStream::value_starts() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  out_ += levels_.back().empty ? "\n" : ",\n";
  levels_.back().empty = false;
  indent(levels_.size());
}

JsonStream& JsonStream::object() {
  value_starts();
  out_ += '{';
  levels_.push_back({false, true});
  return *this;
}

JsonStream& JsonStream::array() {
  value_starts();
  out_ += '[';
  levels_.push_back({true, true});
  return *this;
}

JsonStream& JsonStream::end() {
  const auto closed = levels_.back();
  levels_.pop_back();
  // An empty container is "[]" or "{}", as dump(2) writes it.
  if (!closed.empty) {
    out_ += '\n';
    indent(levels_.size());
  }
  out_ += closed.array ? ']' : '}';
  return *this;
}

JsonStream& JsonStream::key(std::string_view name) {
  out_ += levels_.back().empty ? "\n" : ",\n";
  levels_.back().empty = false;
  indent(levels_.size());
  quoted(name);
  out_ += ": ";
  after_key_ = true;
  return *this;
}

JsonStream& JsonStream::text(std::string_view value) {
  value_starts();
  quoted(value);
  return *this;
}

JsonStream& JsonStream::number(std::uint64_t value) {
  value_starts();
  char digits[24];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

JsonStream& JsonStream::real(double value) {
  value_starts();
  char digits[32];
  out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  return *this;
}

JsonStream& JsonStream::boolean(bool value) {
  value_starts();
  out_ += value ? "true" : "false";
  return *this;
}

JsonStream& JsonStream::null() {
  value_starts();
  out_ += "null";
  return *this;
}

JsonStream& JsonStream::tree(const nlohmann::json& value) {
  value_starts();
  // dump(2) indents from column 0: each of its lines moves to this depth.
  const auto text = value.dump(2);
  for (char ch : text) {
    out_ += ch;
    if (ch == '\n') indent(levels_.size());
  }
  return *this;
}

// nlohmann's escaping: quote and backslash, the short forms of \b \f \n \r \t, other control
// characters as \u00xx; everything else, UTF-8 included, as it stands.
void JsonStream::quoted(std::string_view value) {
  out_ += '"';
  // Runs that need no escape (nearly all of a string) are appended whole: a character at a time was
  // a tenth of analyzing a 64 MiB capture.
  auto plain = [](char c) { return c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20; };
  for (std::size_t at = 0; at < value.size();) {
    auto run = at;
    while (run < value.size() && plain(value[run])) ++run;
    out_.append(value.substr(at, run - at));
    if (run == value.size()) break;
    escape(value[run]);
    at = run + 1;
  }
  out_ += '"';
}

// One character a JSON string cannot hold as it is, as nlohmann writes it.
void JsonStream::escape(char c) {
  switch (c) {
    case '"':
      out_ += "\\\"";
      break;
    case '\\':
      out_ += "\\\\";
      break;
    case '\b':
      out_ += "\\b";
      break;
    case '\f':
      out_ += "\\f";
      break;
    case '\n':
      out_ += "\\n";
      break;
    case '\r':
      out_ += "\\r";
      break;
    case '\t':
      out_ += "\\t";
      break;
    default: {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out_ += escape;
    }
  }
}

}  // namespace winports::render
