// Build step: validate each module's messages (data/messages/<module>.yaml) and write them as
// winports/<module>/messages.hpp, one constexpr message per id in namespace winports::msg whose type
// carries its number of arguments (core/message.hpp), so a call with a missing or an extra argument
// does not compile. It links no winports library: core itself uses the headers it writes.
// A data error stops the build with file:line:column: id: message.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Message {
  std::string id, en, ja;
  int arity = 0;
};

struct Failure {
  std::string text;
};

[[noreturn]] void fail(const std::string& file, const YAML::Mark& mark, const std::string& what) {
  throw Failure{file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": " + what};
}

// The argument numbers a text uses, in order: "{1}".."{9}". A "{" followed by two digits would
// silently read as "{1" and a digit: refused.
std::vector<int> arguments(const std::string& text, const std::string& file, const YAML::Mark& mark,
                           const std::string& id) {
  std::vector<int> out;
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] != '{' || text[i + 1] < '0' || text[i + 1] > '9') continue;
    if (text[i + 1] == '0' || text[i + 2] != '}') fail(file, mark, id + ": arguments are {1} to {9}");
    out.push_back(text[i + 1] - '0');
  }
  return out;
}

const std::set<std::string>& cpp_keywords() {
  static const std::set<std::string> words{
      "alignas", "alignof", "and",      "asm",     "auto",     "bool",      "break",     "case",     "catch",
      "char",    "class",   "concept",  "const",   "continue", "default",   "delete",    "do",       "double",
      "else",    "enum",    "explicit", "export",  "extern",   "false",     "float",     "for",      "friend",
      "goto",    "if",      "inline",   "int",     "long",     "mutable",   "namespace", "new",      "noexcept",
      "not",     "nullptr", "operator", "or",      "private",  "protected", "public",    "register", "requires",
      "return",  "short",   "signed",   "sizeof",  "static",   "struct",    "switch",    "template", "this",
      "throw",   "true",    "try",      "typedef", "typeid",   "typename",  "union",     "unsigned", "using",
      "virtual", "void",    "volatile", "while",   "xor"};
  return words;
}

// lower_snake_case: a letter, then letters, digits and underscores (no <regex>: GCC 12 warns falsely
// inside it under -fsanitize, bug 105562).
bool snake_case(const std::string& id, bool underscores) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (underscores && ((c >= '0' && c <= '9') || c == '_'));
  });
}

std::vector<Message> read_module(const std::string& file, const std::string& module, std::set<std::string>& seen) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    fail(file, e.mark, e.msg);
  }
  if (!root.IsMap()) fail(file, root.Mark(), "expected a mapping of message ids");
  std::vector<Message> out;
  for (const auto& entry : root) {
    const auto& key = entry.first;
    const auto& value = entry.second;
    if (!key.IsScalar()) fail(file, key.Mark(), "expected a message id");
    Message m{key.Scalar(), "", "", 0};
    if (!snake_case(m.id, true) || cpp_keywords().count(m.id) || m.id == module + "_messages")
      fail(file, key.Mark(), m.id + ": an id is lower_snake_case and not a C++ keyword");
    if (!seen.insert(m.id).second) fail(file, key.Mark(), m.id + ": the id is used twice");
    if (!value.IsMap()) fail(file, value.Mark(), m.id + ": expected en: and ja:");
    for (const auto& field : value) {
      auto name = field.first.Scalar();
      if (name != "en" && name != "ja") fail(file, field.first.Mark(), m.id + ": unknown key '" + name + "'");
      if (!field.second.IsScalar() || field.second.Scalar().empty())
        fail(file, field.second.Mark(), m.id + "." + name + ": expected a text");
      (name == "en" ? m.en : m.ja) = field.second.Scalar();
    }
    if (m.en.empty() || m.ja.empty()) fail(file, value.Mark(), m.id + ": needs both en: and ja:");
    auto en = arguments(m.en, file, value.Mark(), m.id);
    auto ja = arguments(m.ja, file, value.Mark(), m.id);
    std::set<int> en_set(en.begin(), en.end()), ja_set(ja.begin(), ja.end());
    if (en_set != ja_set) fail(file, value.Mark(), m.id + ": en and ja use different arguments");
    m.arity = en_set.empty() ? 0 : *en_set.rbegin();
    if (static_cast<int>(en_set.size()) != m.arity)
      fail(file, value.Mark(), m.id + ": arguments are numbered from {1} without a gap");
    out.push_back(std::move(m));
  }
  return out;
}

std::string literal(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string header(const std::string& module, const std::vector<Message>& messages) {
  std::ostringstream out;
  out << "// Generated by winports-messagec from data/messages/" << module << ".yaml. Do not edit.\n"
      << "#pragma once\n#include <array>\n\n#include \"winports/core/message.hpp\"\n\nnamespace winports::msg {\n\n";
  for (const auto& m : messages)
    out << "inline constexpr Message<" << m.arity << "> " << m.id << "{{" << literal(m.id) << ",\n    " << literal(m.en)
        << ",\n    " << literal(m.ja) << "}};\n";
  out << "\n// Every message of " << module << ", for the tests that read them all.\n"
      << "inline constexpr std::array<const MessageText*, " << messages.size() << "> " << module << "_messages{";
  for (std::size_t i = 0; i < messages.size(); ++i)
    out << (i ? ", " : "") << (i % 4 ? "" : "\n    ") << '&' << messages[i].id;
  out << "};\n\n}  // namespace winports::msg\n";
  return out.str();
}

// Rewritten only when it changed, so a message edit recompiles the files that use that module only.
void write_if_changed(const std::filesystem::path& path, const std::string& text) {
  std::ifstream in(path, std::ios::binary);
  std::string old((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.is_open() && old == text) return;
  std::filesystem::create_directories(path.parent_path());
  auto temporary = path;
  temporary += ".tmp";
  std::ofstream(temporary, std::ios::binary) << text;
  std::filesystem::rename(temporary, path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: winports-messagec OUT_INCLUDE_DIR MODULE.yaml...\n";
    return 2;
  }
  try {
    std::set<std::string> seen;
    std::size_t total = 0;
    std::map<std::string, std::vector<Message>> modules;
    for (int i = 2; i < argc; ++i) {
      std::filesystem::path file(argv[i]);
      auto module = file.stem().string();
      if (!snake_case(module, false)) throw Failure{file.string() + ": a message file is named after its module"};
      modules[module] = read_module(file.string(), module, seen);
      total += modules[module].size();
    }
    for (const auto& [module, messages] : modules)
      write_if_changed(std::filesystem::path(argv[1]) / "winports" / module / "messages.hpp", header(module, messages));
    std::cout << "messages: " << total << " in " << modules.size() << " modules\n";
  } catch (const Failure& f) {
    std::cerr << "error: " << f.text << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
