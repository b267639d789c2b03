#include "winports/core/message.hpp"

#include "winports/core/messages.hpp"

namespace winports {

namespace {

std::string filled(std::string_view text, std::initializer_list<MsgArg> args, Lang lang) {
  std::string out;
  out.reserve(text.size() + 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    // {n}: the n-th argument (1-based; messagec checks that each message is called with all of its
    // own); anything else is copied as it stands.
    if (text[i] == '{' && i + 2 < text.size() && text[i + 1] >= '1' && text[i + 1] <= '9' && text[i + 2] == '}') {
      auto n = static_cast<std::size_t>(text[i + 1] - '1');
      if (n < args.size()) out.append((args.begin() + n)->in(lang));
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

}  // namespace

std::string say(Msg message, Lang lang, std::initializer_list<MsgArg> args) {
  return filled(message.text().in(lang), args, lang);
}

LocalizedText said(Msg message, std::initializer_list<MsgArg> args) {
  return {filled(message.text().ja, args, Lang::ja), filled(message.text().en, args, Lang::en)};
}

LocalizedText suggestion(const std::string& best) {
  return best.empty() ? LocalizedText{} : msg::did_you_mean("'" + best + "'");
}

LocalizedText closest(const std::string& word, const std::vector<std::string>& candidates) {
  return suggestion(closest_name(word, candidates));
}

}  // namespace winports
