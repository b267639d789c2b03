// winports: a thin driver over libwinports. Each command lives in its own file.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string_view>
#include <vector>

#include "context.hpp"
#include "parse_errors.hpp"
#include "winports/catalog/embedded.hpp"
#include "winports/cli/messages.hpp"

int main(int argc, char** argv) {
  using namespace winports::cli;
  namespace msg = winports::msg;
  // --json and --lang before anything is built: errors, and the commands' --help, follow them.
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    json_errors = json_errors || arg == "--json";
    if (arg == "--lang" && i + 1 < argc) error_lang_option = argv[i + 1];
    if (arg.rfind("--lang=", 0) == 0) error_lang_option = std::string(arg.substr(7));
  }
  CLI::App app{help(msg::help_winports_the_windows_service_and)};
  app.name("winports");
  localize_help(app);
  app.require_subcommand(1);
  app.fallthrough();
  Context ctx;
  int exit_code = kFound;
  app.add_option("--catalog", ctx.catalog_dirs, help(msg::help_extra_catalog_directory_services_yaml))
      ->check(CLI::ExistingDirectory);
  app.add_option("--lang", ctx.lang_option, help(msg::help_output_language_default_from_lang))
      ->check(CLI::IsMember({"ja", "en"}));
  // The catalog's own version too: which data this binary carries (a digest of the embedded blob,
  // FNV-1a: it names a version, it does not guard anything), decoded only when asked.
  app.set_version_flag(
      "--version",
      [] {
        const auto& c = winports::catalog::builtin_catalog();
        std::size_t rows = 0;
        for (const auto& s : c.services) rows += s.requirements.size();
        std::uint64_t digest = 1469598103934665603ULL;
        for (auto byte : winports::catalog::builtin_blob()) digest = (digest ^ byte) * 1099511628211ULL;
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(digest));
        return "winports 0.1.0\ncatalog " + std::string(hex, 12) + ": " + std::to_string(c.services.size()) +
               " services, " + std::to_string(rows) + " requirements, " + std::to_string(c.roles.size()) + " roles, " +
               std::to_string(c.predefined_rules.size()) + " predefined Windows Firewall rules (KB 832017 and data/)";
      },
      help(msg::help_version));
  // Each group of commands and the names it adds. Only the group of the command named is built when
  // the name is certain: constructing every command's options and help was a third of a lookup's
  // run (callgrind); --help, an unknown or misspelt command and anything unclear build them all.
  using Adder = void (*)(CLI::App&, Context&, int&);
  static const std::vector<std::pair<std::vector<std::string_view>, Adder>> kCommands{
      {{"service", "port", "search"}, add_lookup_commands},
      {{"list", "role"}, add_list_commands},
      {{"export"}, add_export_command},
      {{"catalog"}, add_catalog_command},
      {{"plan", "explain"}, add_plan_commands},
      {{"check"}, add_check_command},
      {{"verify"}, add_verify_command},
      {{"discover"}, add_discover_command},
      {{"local"}, add_local_command},
      {{"analyze"}, add_analyze_command},
      {{"audit"}, add_audit_command},
      {{"apply"}, add_apply_command},
  };
  Adder only = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (arg == "--catalog" || arg == "--lang") {
      ++i;  // their value
      continue;
    }
    if (arg.rfind("-", 0) == 0) {
      if (arg == "--help" || arg == "-h" || arg == "--version") break;
      continue;
    }
    for (const auto& [names, adder] : kCommands)
      if (std::find(names.begin(), names.end(), arg) != names.end()) only = adder;
    break;
  }
  for (const auto& [names, adder] : kCommands)
    if (!only || adder == only) adder(app, ctx, exit_code);
  if (!only) add_completion_command(app, ctx, exit_code);
  localize_help_groups(app);
  // `winports --json service x` as `winports service x --json`: --json is each command's option (a
  // command without JSON output refuses it), and CLI11 passes a parent's options down but not up.
  std::vector<char*> args(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (arg == "--catalog" || arg == "--lang") {
      ++i;
      continue;
    }
    if (arg != "--json") {
      if (arg.rfind("-", 0) == 0) continue;
      break;  // the command: --json already follows it
    }
    int command = i + 1;
    while (command < argc && args[command][0] == '-') {
      std::string_view option(args[command]);
      command += option == "--catalog" || option == "--lang" ? 2 : 1;
    }
    if (command >= argc) break;
    std::rotate(args.begin() + i, args.begin() + i + 1, args.begin() + command + 1);  // --json after the command
    break;
  }
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e), kFound;  // --help, --version
    report(parse_error(app, e, argc, argv));
    if (!json_errors) {
      Context context;
      context.lang_option = error_lang_option;
      std::cerr << say(msg::cli_run_help, context.lang()) << '\n';
    }
    return kUsageError;
  }
  return exit_code;
}
