#include "parse_errors.hpp"

#include <array>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "winports/audit/messages.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/text.hpp"

namespace winports::cli {
namespace {

// A CLI11 message by its English shape: the regex, the message that says it again, which groups
// fill {1}..{3} (group 0: nothing), and the group naming the option it is about.
struct EnglishShape {
  const char* english;  // an ECMAScript regex
  Msg message;
  std::array<int, 3> args = {0, 0, 0};
  int field = 0;
};

// CLI11 2.1's messages (Error.hpp, Validators.hpp) by shape; the option each is about is the field.
const std::vector<EnglishShape>& shapes() {
  static const std::vector<EnglishShape> table = {
      {R"(The following arguments? (?:was|were) not expected: (.*))", msg::cli_not_expected, {1, 0, 0}},
      {R"((\S+): Value (.*) not in range (\S+) to (\S+))", msg::cli_not_in_range, {2, 3, 4}, 1},
      {R"((\S+): (.*) not in (\{.*\}))", msg::not_one_of, {2, 3, 0}, 1},
      {R"((\S+): Directory does not exist: (.*))", msg::cli_no_directory, {2, 0, 0}, 1},
      {R"((\S+): Directory is actually a file: (.*))", msg::cli_not_a_directory, {2, 0, 0}, 1},
      {R"((\S+): \d+ required (.*) missing)", msg::cli_value_missing, {2, 0, 0}, 1},
      {R"(Could not convert: (\S+) = (.*))", msg::cli_could_not_convert, {2, 0, 0}, 1},
      {R"((\S+) requires (.*))", msg::cli_requires, {2, 0, 0}, 1},
      {R"((\S+) excludes (.*))", msg::cli_excludes, {2, 0, 0}, 1},
      {R"(A subcommand is required|Requires at least \d+ subcommands)", msg::cli_no_command},
      {R"((\S+) is required)", msg::cli_required, {0, 0, 0}, 1},
  };
  return table;
}

// The message of the first shape matching the whole text, the field and the groups it matched.
std::optional<LocalizedText> resaid(const std::string& english, std::string& field, std::vector<std::string>& groups) {
  for (const auto& shape : shapes()) {
    std::smatch m;
    if (!std::regex_match(english, m, std::regex(shape.english))) continue;
    auto group = [&](int n) { return n > 0 && static_cast<std::size_t>(n) < m.size() ? m[n].str() : std::string(); };
    field = group(shape.field);
    for (std::size_t i = 0; i < m.size(); ++i) groups.push_back(m[i].str());
    return said(shape.message, {group(shape.args[0]), group(shape.args[1]), group(shape.args[2])});
  }
  return std::nullopt;
}

// "{nftables,iptables}" → its members, for "did you mean".
std::vector<std::string> members(const std::string& set) {
  std::vector<std::string> out;
  std::string item;
  for (char ch : set.substr(1, set.size() - 2)) {
    if (ch == ',') {
      out.push_back(item), item.clear();
    } else {
      item += ch;
    }
  }
  out.push_back(item);
  return out;
}

// The first word of the command line that is no option and no value of a global option: the
// command the user meant, when CLI11 found none.
std::string stray_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg(argv[i]);
    if (arg == "--catalog" || arg == "--lang") {
      ++i;
      continue;
    }
    if (!arg.empty() && arg[0] != '-') return arg;
  }
  return "";
}

}  // namespace

Error parse_error(CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  const std::string english = e.what();
  if (app.get_subcommands().empty()) {
    if (auto word = stray_command(argc, argv); !word.empty()) {
      std::vector<std::string> names;
      for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        names.push_back(sub->get_name());
      return Error{"", 0, 0, "", msg::cli_unknown_command(word) + closest(word, names)};
    }
  }
  std::string field;
  std::vector<std::string> groups;
  if (auto text = resaid(english, field, groups)) {
    // A value outside a fixed set: the member it is closest to.
    if (groups.size() == 4 && groups[3].size() > 1 && groups[3].front() == '{')
      *text += closest(groups[2], members(groups[3]));
    return Error{"", 0, 0, field, *text};
  }
  return Error{"", 0, 0, "", english};
}

}  // namespace winports::cli
