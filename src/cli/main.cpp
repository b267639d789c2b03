// winports: a thin driver over libwinports. Each command lives in its own file.
#include <CLI/CLI.hpp>
#include <string_view>

#include "context.hpp"
#include "parse_errors.hpp"
#include "winports/core/messages.hpp"

int main(int argc, char** argv) {
  using namespace winports::cli;
  using winports::Msg;
  // --json and --lang before anything is built: errors, and the commands' --help, follow them.
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    json_errors = json_errors || arg == "--json";
    if (arg == "--lang" && i + 1 < argc) error_lang_option = argv[i + 1];
    if (arg.rfind("--lang=", 0) == 0) error_lang_option = std::string(arg.substr(7));
  }
  CLI::App app{help(Msg::help_winports_the_windows_service_and)};
  app.name("winports");
  localize_help(app);
  app.require_subcommand(1);
  app.fallthrough();
  Context ctx;
  int exit_code = kFound;
  app.add_option("--catalog", ctx.catalog_dirs, help(Msg::help_extra_catalog_directory_services_yaml))
      ->check(CLI::ExistingDirectory);
  app.add_option("--lang", ctx.lang_option, help(Msg::help_output_language_default_from_lang))
      ->check(CLI::IsMember({"ja", "en"}));
  app.set_version_flag("--version", "winports 0.1.0", help(Msg::help_version));
  add_lookup_commands(app, ctx, exit_code);
  add_list_commands(app, ctx, exit_code);
  add_export_command(app, ctx, exit_code);
  add_catalog_command(app, ctx, exit_code);
  add_plan_commands(app, ctx, exit_code);
  add_check_command(app, ctx, exit_code);
  add_verify_command(app, ctx, exit_code);
  add_discover_command(app, ctx, exit_code);
  add_local_command(app, ctx, exit_code);
  add_analyze_command(app, ctx, exit_code);
  add_audit_command(app, ctx, exit_code);
  add_apply_command(app, ctx, exit_code);
  localize_help_groups(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e), kFound;  // --help, --version
    report(parse_error(app, e, argc, argv));
    if (!json_errors) {
      Context context;
      context.lang_option = error_lang_option;
      std::cerr << say(winports::Msg::cli_run_help, context.lang()) << '\n';
    }
    return kUsageError;
  }
  return exit_code;
}
