#include "winports/core/message.hpp"

#include <regex>

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

std::optional<LocalizedText> resaid(const std::string& english, const std::vector<EnglishShape>& shapes,
                                    std::string* field, std::vector<std::string>* groups) {
  for (const auto& shape : shapes) {
    std::smatch m;
    if (!std::regex_match(english, m, std::regex(shape.english))) continue;
    auto group = [&](int n) { return n > 0 && static_cast<std::size_t>(n) < m.size() ? m[n].str() : std::string(); };
    if (field) *field = group(shape.field);
    if (groups)
      for (std::size_t i = 0; i < m.size(); ++i) groups->push_back(m[i].str());
    return said(shape.message, {group(shape.args[0]), group(shape.args[1]), group(shape.args[2])});
  }
  return std::nullopt;
}

}  // namespace winports
