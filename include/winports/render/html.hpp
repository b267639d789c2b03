#pragma once
// The HTML pages, from templates kept as data (data/templates/<name>.html, Mustache, embedded at
// build time): library code fills a page's data, and the template decides the markup. Rendered
// with kainjow's Mustache (Debian's libkainjow-mustache-dev): header-only, so a lookup loads no
// extra library, and every {{value}} is escaped unless the template asks for markup ({{{svg}}}).
#include <initializer_list>
#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>

#include "winports/core/message.hpp"
#include "winports/core/text.hpp"

namespace winports::render {

using HtmlData = kainjow::mustache::data;

// A list for a template's section, and a flag for a section that shows or not.
inline HtmlData html_list() { return HtmlData(HtmlData::type::list); }
inline HtmlData html_flag(bool on) { return HtmlData(on ? HtmlData::type::bool_true : HtmlData::type::bool_false); }

// Moved in rather than copied: kainjow's set() and push_back() copy their argument (deeply), and
// a 5,000-host plan page holds tens of thousands of matrix cells. Both reach the container through
// its own accessors, which hand out const references to elements it owns as non-const.
inline void put(HtmlData& object, const std::string& key, HtmlData&& value) {
  object.set(key, HtmlData(false));
  *const_cast<HtmlData*>(object.get(key)) = std::move(value);  // NOLINT: see above
}
inline void append(HtmlData& list, HtmlData&& value) {
  const_cast<kainjow::mustache::basic_list<std::string>&>(list.list_value()).push_back(std::move(value));  // NOLINT
}

// The words a template shows as {{words.<key>}}: each message in the page's language.
struct Word {
  const char* key;
  Msg message;
};
inline HtmlData html_words(Lang lang, std::initializer_list<Word> words) {
  HtmlData out;
  for (const auto& w : words) out.set(w.key, say(w.message, lang));
  return out;
}

// The body template `name` filled with `data`, inside the layout every page shares (its title,
// language, style sheet and row filter).
std::string html_page(std::string_view name, const std::string& title, Lang lang, const HtmlData& data);

// The text of the template `name` as embedded (empty when there is none), for the tests.
std::string_view template_text(std::string_view name);

}  // namespace winports::render
