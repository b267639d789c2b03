// apply for the nftables output: the site's table is everything the plan replaces.
#include <sstream>

#include "steps.hpp"
#include "winports/apply/apply.hpp"
#include "winports/apply/messages.hpp"
#include "winports/core/file.hpp"

namespace winports::apply {

Result<std::string> nft_table_of(const std::string& plan_text) {
  std::istringstream in(plan_text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("table inet ", 0) != 0) continue;
    auto name = line.substr(11);
    if (name.find_first_of(" {") != std::string::npos) continue;
    return "inet " + name;
  }
  return Error{"", 0, 0, "apply", msg::apply_no_table()};
}

Result<std::string> nft_revert_script(const std::string& table) {
  auto listed = run({"nft", "list", "table", table.substr(0, table.find(' ')), table.substr(table.find(' ') + 1)});
  if (!listed) return listed.error();
  // "table T" then "delete table T" removes it whether or not it exists, in the same transaction
  // that puts the old one back.
  std::string script = "table " + table + "\ndelete table " + table + "\n";
  if (listed->status == 0) script += listed->output;
  return script;
}

Result<std::string> nft_revert(const std::string& plan_text) {
  auto table = nft_table_of(plan_text);
  if (!table) return table.error();
  auto input = nft_revert_script(*table);
  if (!input) return input.error();
  // A revert that cannot load is no revert: checked before anything changes.
  auto file = run_dir() + "/revert.nft";
  if (auto st = write_output(file, *input); !st) return st.error();
  auto check = run({"nft", "-c", "-f", file});
  if (!check) return check.error();
  if (check->status != 0) return Error{file, 0, 0, "nft", msg::apply_nft_failed(check->output)};
  return "#!/bin/sh\n# winports apply: the site's nftables table back as it was, in one transaction.\nexec nft -f '" +
         file + "'\n";
}

}  // namespace winports::apply
