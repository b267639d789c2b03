// apply for the iptables-script output: the site's chains (declared in the script, in each family)
// and the jump from the built-in chain to the top one are everything the plan replaces. The revert
// removes the jump and the chains as the plan left them, then restores the chains' previous rules
// (iptables-restore --noflush: nothing else is flushed) and the jump at its previous position.
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "steps.hpp"
#include "winports/apply/messages.hpp"

namespace winports::apply {
namespace {

struct Family {
  std::string tool;  // "iptables" or "ip6tables"
  std::vector<std::string> chains;
  std::string hook;  // FORWARD or INPUT
  std::string top;   // the chain the hook jumps to
};

// The families, chains and jumps the script touches, read from the script itself.
std::vector<Family> families_of(const std::string& script) {
  std::map<std::string, Family> by_tool;
  std::istringstream in(script);
  std::string current;
  static const std::regex kRestore(R"(^(ip6?tables)-restore .*<<)");
  static const std::regex kChain(R"(^:(\S+) - )");
  static const std::regex kJump(R"(^(ip6?tables) -w -C (\S+) -j (\S+))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kRestore)) {
      current = m[1];
      by_tool[current].tool = current;
    } else if (!current.empty() && std::regex_search(line, m, kChain)) {
      by_tool[current].chains.push_back(m[1]);
    } else if (std::regex_search(line, m, kJump)) {
      auto& f = by_tool[m[1]];
      f.tool = m[1];
      f.hook = m[2];
      f.top = m[3];
    }
  }
  std::vector<Family> out;
  for (auto& [tool, f] : by_tool)
    if (!f.chains.empty() && !f.top.empty()) out.push_back(std::move(f));
  return out;
}

}  // namespace

Result<std::string> iptables_revert(const std::string& plan_text) {
  auto families = families_of(plan_text);
  if (families.empty()) return Error{"", 0, 0, "apply", msg::apply_no_table()};
  std::string script =
      "#!/bin/sh\n# winports apply: the site's iptables chains and the jump to them back as they were.\nset -u\n";
  for (const auto& f : families) {
    auto saved = run({f.tool + "-save", "-t", "filter"});
    if (!saved) return saved.error();
    if (saved->status != 0) return Error{f.tool + "-save", 0, 0, "apply", msg::apply_nft_failed(saved->output)};
    std::set<std::string> ours(f.chains.begin(), f.chains.end());
    std::vector<std::string> declared, rules;
    std::vector<int> jumps;  // positions of the jump in the hook chain, 1-based
    int position = 0;
    std::istringstream in(saved->output);
    for (std::string line; std::getline(in, line);) {
      if (line.size() > 1 && line[0] == ':') {
        auto name = line.substr(1, line.find(' ') - 1);
        if (ours.count(name)) declared.push_back(":" + name + " - [0:0]");
      } else if (line.rfind("-A ", 0) == 0) {
        auto chain = line.substr(3, line.find(' ', 3) - 3);
        if (ours.count(chain)) rules.push_back(line);
        if (chain == f.hook) {
          ++position;
          if (line == "-A " + f.hook + " -j " + f.top) jumps.push_back(position);
        }
      }
    }
    // Out with what the plan leaves: the jump, then every chain flushed before any is deleted
    // (they jump to each other).
    script += "while " + f.tool + " -w -D " + f.hook + " -j " + f.top + " 2>/dev/null; do :; done\n";
    for (const auto& c : f.chains) script += f.tool + " -w -F " + c + " 2>/dev/null\n";
    for (const auto& c : f.chains) script += f.tool + " -w -X " + c + " 2>/dev/null\n";
    if (!declared.empty()) {
      script += f.tool + "-restore -w --noflush <<'WINPORTS_PREVIOUS'\n*filter\n";
      for (const auto& d : declared) script += d + "\n";
      for (const auto& r : rules) script += r + "\n";
      script += "COMMIT\nWINPORTS_PREVIOUS\n";
    }
    for (int at : jumps) script += f.tool + " -w -I " + f.hook + " " + std::to_string(at) + " -j " + f.top + "\n";
  }
  return script;
}

}  // namespace winports::apply
