#include "winports/render/html.hpp"

namespace winports::render {
namespace {

// What the layout's {{{body}}} holds while it renders: the handler below writes the body there,
// rendered straight into the page (a plan page is megabytes: no copy of it through the data). Its
// "<" cannot come out of an escaped value, so a title that spells it is no mark.
constexpr const char* kBodyMark = "<winports-body/>";

kainjow::mustache::mustache parsed(std::string_view name) {
  kainjow::mustache::mustache page{std::string(template_text(name))};
  // winports' own escaping, as every other markup it writes (control characters dropped too).
  page.set_custom_escape([](const std::string& text) { return markup_escaped(text); });
  return page;
}

// A template whose text does not parse is a build's mistake (the tests parse every one): the page
// says so rather than rendering half of it.
bool usable(kainjow::mustache::mustache& page, std::string_view name, std::string& out) {
  if (page.is_valid()) return true;
  out += "<p>template " + std::string(name) + ": " + markup_escaped(page.error_message()) + "</p>";
  return false;
}

}  // namespace

std::string html_page(std::string_view name, const std::string& title, Lang lang, const HtmlData& data) {
  HtmlData layout;
  layout.set("title", title);
  layout.set("lang", lang_code(lang));
  layout.set("body", kBodyMark);
  auto page = parsed("page");
  auto body = parsed(name);
  std::string out;
  out.reserve(1 << 16);
  if (!usable(page, "page", out) || !usable(body, name, out)) return out;
  const std::string_view mark = kBodyMark;
  page.render(layout, [&](const std::string& chunk) {
    // The renderer hands over a line at a time: the mark sits inside its line.
    const auto at = chunk.find(mark);
    if (at == std::string::npos) {
      out += chunk;
      return;
    }
    out.append(chunk, 0, at);
    body.render(data, [&](const std::string& part) { out += part; });
    out.append(chunk, at + mark.size());
  });
  out += '\n';
  return out;
}

}  // namespace winports::render
