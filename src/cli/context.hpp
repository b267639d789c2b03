#pragma once
// What every command shares: the catalog (built-in plus --catalog directories), the language,
// and the exit codes (0 found, 1 nothing found, 2 usage or data error).
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/catalog/serialize.hpp"
#include "winports/core/messages.hpp"
#include "winports/core/result.hpp"
#include "winports/render/table.hpp"

namespace CLI {
class App;
}

namespace winports::cli {

enum Exit : int { kFound = 0, kNotFound = 1, kUsageError = 2 };

struct Context {
  std::vector<std::string> catalog_dirs;
  std::string lang_option;  // "", "ja" or "en"
  bool json = false;

  [[nodiscard]] Lang lang() const;
  // The built-in catalog, or a copy with the user's directories merged; prints the error itself.
  const catalog::Catalog* load();
  // The same, holding only the built-in parts `only` asks for when no directory is merged (a
  // lookup need not decode the rest); with directories, load()'s whole catalog.
  const catalog::Catalog* load(const catalog::Decode& only);

 private:
  catalog::Catalog merged_;
};

// What the last Context::load(only) decoded (never freed: see context.cpp).
extern const catalog::Catalog* partial_catalog;

// Prints "winports: error: …" (under --json the error object of docs/json.md) and returns kUsageError.
int report(const Error& error);

// Whether the command line asked for --json: errors then go to stderr as {"error":{…}}. Set by
// main from the arguments, before parsing, so that a parse error is JSON too.
extern bool json_errors;
// The --lang of the command line, read the same way: a parse error is in the run's language too.
extern std::string error_lang_option;

// A command's or option's description for --help, in the run's language: main reads --lang from
// the command line before it builds the commands.
std::string help(Msg id);
// CLI11's own words in --help (Usage, OPTIONS, REQUIRED …) and its help and version flags, in the
// run's language; before the commands are added, which inherit them.
void localize_help(CLI::App& app);
// Then, once the commands are added: their help flags' group.
void localize_help_groups(CLI::App& app);

// Every command's --json output, one envelope (docs/json.md): {"kind", "version", "payload"}.
constexpr int kJsonVersion = 2;  // 2: the audit payload (docs/json.md)
// A table to standard output: fitted to the terminal's width when it is one, whole otherwise.
void print_table(const render::Table& table);

void print_json(std::string_view kind, const nlohmann::json& payload);
// The same around a payload already written as JSON text (analyze and audit write theirs directly,
// for speed): the text is indented one level, as dump(2) would nest it.
void print_json_text(std::string_view kind, std::string_view payload);
nlohmann::json error_json(const Error& error, Lang lang);

void add_lookup_commands(CLI::App& app, Context& ctx, int& exit_code);
void add_list_commands(CLI::App& app, Context& ctx, int& exit_code);
void add_export_command(CLI::App& app, Context& ctx, int& exit_code);
void add_catalog_command(CLI::App& app, Context& ctx, int& exit_code);
void add_plan_commands(CLI::App& app, Context& ctx, int& exit_code);
void add_check_command(CLI::App& app, Context& ctx, int& exit_code);
void add_verify_command(CLI::App& app, Context& ctx, int& exit_code);
void add_discover_command(CLI::App& app, Context& ctx, int& exit_code);
void add_local_command(CLI::App& app, Context& ctx, int& exit_code);
void add_analyze_command(CLI::App& app, Context& ctx, int& exit_code);
void add_audit_command(CLI::App& app, Context& ctx, int& exit_code);
void add_apply_command(CLI::App& app, Context& ctx, int& exit_code);
// Needs every other command built first: it describes them.
void add_completion_command(CLI::App& app, Context& ctx, int& exit_code);

}  // namespace winports::cli
