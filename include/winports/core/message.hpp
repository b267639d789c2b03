#pragma once
// The words a user reads, in both languages. Each module's messages are data
// (data/messages/<module>.yaml), compiled by tools/messagec.cpp into winports/<module>/messages.hpp:
// one constant per message in namespace winports::msg, named by its id, filled with its arguments
// ({1}, {2} …) so each language orders them as it needs. Calling one with the wrong number of
// arguments does not compile. Texts that come from data (service names, KB rows, conditions) have
// their own ja/en.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "winports/core/text.hpp"

namespace winports {

// One message's texts, as the message data gives them.
struct MessageText {
  std::string_view id, en, ja;
  constexpr std::string_view in(Lang lang) const { return lang == Lang::ja ? ja : en; }
};

// An argument of a message said in both languages: one text for both (a name, a number), or a
// text with its own Japanese (a role's name, another message).
struct MsgArg {
  MsgArg(std::string_view same) : en(same), ja(same) {}                      // NOLINT: implicit by design
  MsgArg(const std::string& same) : en(same), ja(same) {}                    // NOLINT: implicit by design
  MsgArg(const char* same) : en(same), ja(same) {}                           // NOLINT: implicit by design
  MsgArg(const LocalizedText& text) : en(text.en), ja(text.in(Lang::ja)) {}  // NOLINT: implicit by design
  std::string_view in(Lang lang) const { return lang == Lang::ja ? ja : en; }
  std::string_view en, ja;
};

// A message passed as a value (a table's headings, the message a reader says for an unknown name):
// any msg:: constant converts to it. Empty only as a "no message" marker.
class Msg {
 public:
  constexpr Msg() = default;
  constexpr Msg(const MessageText& text) : text_(&text) {}  // NOLINT: implicit by design
  constexpr const MessageText& text() const { return *text_; }
  constexpr explicit operator bool() const { return text_ != nullptr; }
  // Which message it is, for a hash.
  constexpr const void* key() const { return text_; }
  constexpr auto operator<=>(const Msg&) const = default;

 private:
  const MessageText* text_ = nullptr;
};

// The message in `lang`, its {n} replaced by args[n-1].
std::string say(Msg message, Lang lang, std::initializer_list<MsgArg> args = {});
// The message in both languages, for library code that does not know the reader's language: errors,
// a plan's warnings and reasons; the CLI and the reports pick one with LocalizedText::in.
LocalizedText said(Msg message, std::initializer_list<MsgArg> args = {});

// A message of the data, taking exactly its `Arity` arguments: msg::x(a, b) says it in both
// languages, msg::x.in(lang, a, b) in one.
template <std::size_t Arity>
struct Message : MessageText {
  template <class... Args>
  requires(sizeof...(Args) == Arity) LocalizedText operator()(const Args&... args) const {
    return said(*this, {MsgArg(args)...});
  }
  template <class... Args>
  requires(sizeof...(Args) == Arity) std::string in(Lang lang, const Args&... args)
  const { return say(*this, lang, {MsgArg(args)...}); }
};

// " (did you mean 'x'?)" in both languages, or nothing when `best` is empty.
LocalizedText suggestion(const std::string& best);
// The same for the candidate closest to `word`, if one is close enough.
LocalizedText closest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace winports
