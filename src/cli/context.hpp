#pragma once
// What every command shares: the catalog (built-in plus --catalog directories), the language,
// and the exit codes (0 found, 1 nothing found, 2 usage or data error).
#include <iostream>
#include <string>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/core/result.hpp"

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

 private:
  catalog::Catalog merged_;
};

int report(const Error& error);  // prints "winports: error: …" and returns kUsageError

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

}  // namespace winports::cli
