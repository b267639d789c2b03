#pragma once
// Result-style errors: library functions return Result<T> instead of throwing across module
// borders, and every error carries where it came from so the CLI can print it once.
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "winports/core/text.hpp"

namespace winports {

struct Error {
  // A constructor rather than an aggregate: `also` is rarely given, and braced Error{file, line,
  // column, field, message} stays the one way to make one.
  Error(std::string file = "", int line = 0, int column = 0, std::string field = "", std::string message = "")
      : file(std::move(file)), line(line), column(column), field(std::move(field)), message(std::move(message)) {}
  // A message from the message table, in both languages.
  Error(std::string file, int line, int column, std::string field, const LocalizedText& said)
      : Error(std::move(file), line, column, std::move(field), said.en) {
    if (said.ja != said.en) message_ja = said.ja;
  }

  std::string file;        // file the bad input came from ("" when none)
  int line = 0;            // 1-based; 0 when unknown
  int column = 0;          // 1-based; 0 when unknown
  std::string field;       // dotted path of the offending key, e.g. "requirements[2].ports"
  std::string message;     // English
  std::string message_ja;  // Japanese, where the message comes from the message table ("" = as English)
  // Further errors of the same input, reported in the same run (a site file's every bad entry).
  std::vector<Error> also;

  [[nodiscard]] const std::string& message_in(Lang lang) const {
    return lang == Lang::ja && !message_ja.empty() ? message_ja : message;
  }
  // "file:line:column: field: message", leaving out the parts that are unknown.
  [[nodiscard]] std::string to_string(Lang lang = Lang::en) const;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design
  [[nodiscard]] bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  [[nodiscard]] const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace winports
