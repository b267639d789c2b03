// winports export --format json|csv|md [-o FILE]
#include "winports/catalog/export.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "context.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/file.hpp"

namespace winports::cli {

void add_export_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string format = "json", output;
  auto* cmd = app.add_subcommand("export", help(msg::help_write_the_whole_catalog_as));
  cmd->add_option("--format,-f", format, help(msg::help_json_csv_or_md))->check(CLI::IsMember({"json", "csv", "md"}));
  cmd->add_option("--output,-o", output, help(msg::help_write_to_file_instead_of));
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    std::ostringstream out;
    if (format == "json")
      out << catalog::catalog_json(*c).dump(2) << '\n';
    else if (format == "csv")
      catalog::write_csv(*c, out, ctx.lang());
    else
      catalog::write_markdown(*c, out, ctx.lang());
    if (output.empty() || output == "-") {
      std::cout << out.str();
    } else if (auto st = write_output(output, out.str()); !st) {
      return void(exit_code = report(st.error()));
    }
    exit_code = kFound;
  });
}

}  // namespace winports::cli
