#include "context.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "winports/catalog/embedded.hpp"
#include "winports/catalog/loader.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/text.hpp"

namespace winports::cli {

Lang Context::lang() const {
  if (lang_option == "ja") return Lang::ja;
  if (lang_option == "en") return Lang::en;
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(var);
    if (value && *value) return lang_from_locale(value);
  }
  return Lang::en;
}

const catalog::Catalog* Context::load() {
  const auto& builtin = catalog::builtin_catalog();
  if (catalog_dirs.empty()) return &builtin;
  merged_ = builtin;
  for (const auto& dir : catalog_dirs) {
    if (auto st = catalog::merge_directory(merged_, dir); !st) {
      report(st.error());
      return nullptr;
    }
  }
  return &merged_;
}

// Kept for the process's life, as the whole built-in catalog is (embedded.cpp says why): held by a
// pointer of external linkage, which the compiler cannot drop, so leak checkers see it reachable.
const catalog::Catalog* partial_catalog = nullptr;

const catalog::Catalog* Context::load(const catalog::Decode& only) {
  if (!catalog_dirs.empty()) return load();
  partial_catalog = new catalog::Catalog(catalog::builtin_catalog_only(only));
  return partial_catalog;
}

bool json_errors = false;
std::string error_lang_option;

nlohmann::json error_json(const Error& error, Lang lang) {
  auto one = [&](const Error& e) {
    return nlohmann::json{
        {"file", e.file}, {"line", e.line}, {"column", e.column}, {"field", e.field}, {"message", e.message_in(lang)}};
  };
  auto j = one(error);
  if (!error.also.empty()) {
    j["also"] = nlohmann::json::array();
    for (const auto& more : error.also) j["also"].push_back(one(more));
  }
  return {{"error", j}};
}

int report(const Error& error) {
  // In the language of the run: the library's errors carry both where the message table made them.
  Context context;
  context.lang_option = error_lang_option;
  if (json_errors) {
    std::cerr << error_json(error, context.lang()).dump(2) << '\n';
    return kUsageError;
  }
  auto prefix = "winports: " + msg::error_prefix.in(context.lang()) + ": ";
  std::cerr << prefix << error.to_string(context.lang()) << '\n';
  for (const auto& more : error.also) std::cerr << prefix << more.to_string(context.lang()) << '\n';
  return kUsageError;
}

namespace {
Lang run_lang() {
  Context context;
  context.lang_option = error_lang_option;
  return context.lang();
}
}  // namespace

void print_table(const render::Table& table) {
  render::print(table, std::cout, {render::terminal_width(STDOUT_FILENO)});
}

std::string help(Msg id) { return say(id, run_lang()); }

namespace {

// CLI11's type names in an option's column (TEXT, INT, TEXT:DIR, TEXT:{a,b}, INT:INT in [a - b]) in
// the run's language. CLI11 composes them from the option's type and its validators' descriptions
// and offers no hook per name, so its text is rewritten here; in English the words are its own.
std::string type_words(const std::string& opts) {
  const Lang lang = run_lang();
  std::string out;
  std::size_t i = 0;
  auto at = [&](std::string_view s) { return opts.compare(i, s.size(), s) == 0; };
  auto word_ends = [&](std::size_t n) { return i + n == opts.size() || opts[i + n] == ' ' || opts[i + n] == '='; };
  while (i < opts.size()) {
    if (i > 0 && opts[i - 1] != ' ') {
      out += opts[i++];
      continue;
    }
    constexpr std::string_view kRange = "INT:INT in [";
    auto dash = opts.find(" - ", i), close = opts.find(']', i);
    if (at(kRange) && dash != std::string::npos && close != std::string::npos && dash < close) {
      out += msg::help_type_int_range.in(lang, opts.substr(i + kRange.size(), dash - i - kRange.size()),
                                         opts.substr(dash + 3, close - dash - 3));
      i = close + 1;
    } else if (auto brace = opts.find('}', i); at("TEXT:{") && brace != std::string::npos) {
      out += msg::help_type_choice.in(lang, opts.substr(i + 5, brace - i - 4));
      i = brace + 1;
    } else if (at("TEXT:DIR")) {
      out += msg::help_type_dir.in(lang);
      i += 8;
    } else if (at("TEXT") && word_ends(4)) {
      out += msg::help_type_text.in(lang);
      i += 4;
    } else if (at("INT") && word_ends(3)) {
      out += msg::help_type_int.in(lang);
      i += 3;
    } else {
      out += opts[i++];
    }
  }
  return out;
}

// CLI11 pads its help columns by bytes: a Japanese character is three bytes and two columns, so a
// description after 「必須」 started two columns left of the others. The same layout, by display width.
class DisplayWidthFormatter : public CLI::Formatter {
 public:
  std::string make_option(const CLI::Option* opt, bool positional) const override {
    return line(make_option_name(opt, positional) + make_option_opts(opt), make_option_desc(opt));
  }
  std::string make_option_opts(const CLI::Option* opt) const override {
    return type_words(CLI::Formatter::make_option_opts(opt));
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    return line(sub->get_display_name(true), sub->get_description());
  }

 private:
  [[nodiscard]] std::string line(const std::string& left, const std::string& description) const {
    std::string out = "  " + left;
    auto width = display_width(out);
    const std::string indent(column_width_, ' ');
    if (!description.empty()) {
      out += width >= column_width_ ? "\n" + indent : std::string(column_width_ - width, ' ');
      for (char c : description) {
        out += c;
        if (c == '\n') out += indent;
      }
    }
    return out + "\n";
  }
};

}  // namespace

void localize_help(CLI::App& app) {
  app.formatter(std::make_shared<DisplayWidthFormatter>());
  auto formatter = app.get_formatter();
  for (auto [label, id] : {std::pair{"Usage", msg::help_label_usage},
                           {"OPTIONS", msg::help_label_options_badge},
                           {"SUBCOMMAND", msg::help_label_subcommand},
                           {"SUBCOMMANDS", msg::help_label_subcommands},
                           {"Positionals", msg::help_label_positionals},
                           {"REQUIRED", msg::help_label_required},
                           {"Needs", msg::help_label_needs},
                           {"Excludes", msg::help_label_excludes}})
    formatter->label(label, help(id));
  app.option_defaults()->group(help(msg::help_group_options));
  app.group(help(msg::help_group_subcommands));
  app.set_help_flag("-h,--help", help(msg::help_flag));
}

void localize_help_groups(CLI::App& app) {
  // A command's help flag is made before it inherits the option group's name.
  for (auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (auto* flag = sub->get_help_ptr()) flag->group(help(msg::help_group_options));
    localize_help_groups(*sub);
  }
}

void print_json(std::string_view kind, const nlohmann::json& payload) {
  std::cout << nlohmann::json{{"kind", kind}, {"version", kJsonVersion}, {"payload", payload}}.dump(2) << '\n';
}

void print_json_text(std::string_view kind, std::string_view payload) {
  while (!payload.empty() && (payload.back() == '\n' || payload.back() == ' ')) payload.remove_suffix(1);
  std::string out = "{\n  \"kind\": " + nlohmann::json(kind).dump() + ",\n  \"payload\": ";
  out.reserve(out.size() + payload.size() + payload.size() / 16 + 32);
  // JSON strings escape their newlines: every raw one is layout, indented one level more. Copied a
  // line at a time (a character at a time was a tenth of analyzing a 64 MiB capture).
  for (std::size_t at = 0; at < payload.size();) {
    auto line_end = payload.find('\n', at);
    if (line_end == std::string_view::npos) {
      out.append(payload.substr(at));
      break;
    }
    out.append(payload.substr(at, line_end + 1 - at)).append("  ");
    at = line_end + 1;
  }
  out += ",\n  \"version\": " + std::to_string(kJsonVersion) + "\n}\n";
  std::cout << out;
}

}  // namespace winports::cli
