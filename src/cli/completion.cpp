// winports completion bash|zsh: a completion script made from the commands as they are built here,
// so it lists exactly the commands, options and fixed values --help shows; and `winports completion
// words KIND [SITE]`, which the script calls for the names a site file or the catalog gives (zones
// and hosts after --from, hosts after --host, services after --service, roles after --role).
// CLI11 writes no completion scripts, and neither bash-completion nor zsh reads CLI11's --help.
#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "context.hpp"
#include "site.hpp"
#include "winports/cli/messages.hpp"

namespace winports::cli {
namespace {

// Options whose value is a name: what `completion words` lists for each.
constexpr std::pair<std::string_view, std::string_view> kNamedValues[] = {
    {"--host", "hosts"}, {"--from", "places"}, {"--to", "places"}, {"--service", "services"}, {"--role", "roles"}};

// Commands whose first argument is a name of the catalog.
constexpr std::pair<std::string_view, std::string_view> kNamedArguments[] = {{"service", "services"},
                                                                             {"role", "roles"}};

// An option's fixed values, from its IsMember check ("{nftables,iptables,…}" is how CLI11 describes it).
std::vector<std::string> fixed_values(CLI::Option* option) {
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    CLI::Validator* v = nullptr;
    try {
      v = option->get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      break;
    }
    if (!v) break;
    auto d = v->get_description();
    if (d.size() < 2 || d.front() != '{' || d.back() != '}') continue;
    std::stringstream items(d.substr(1, d.size() - 2));
    for (std::string item; std::getline(items, item, ',');) out.push_back(item);
  }
  return out;
}

std::string words(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& w : list) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The case arms of one command (or of the line before any command): the values an option takes,
// then its options.
void command_case(std::ostream& out, CLI::App& app, const std::string& pattern) {
  std::vector<std::string> options;
  std::ostringstream values;
  for (auto* option : app.get_options()) {
    if (option->get_positional() || option->get_lnames().empty()) continue;
    for (const auto& l : option->get_lnames()) options.push_back("--" + l);
    auto name = "--" + option->get_lnames().front();
    auto fixed = fixed_values(option);
    if (!fixed.empty()) {
      values << "        " << name << ") COMPREPLY=($(compgen -W '" << words(fixed) << "' -- \"$cur\")); return ;;\n";
      continue;
    }
    for (auto [option_name, kind] : kNamedValues)
      if (option_name == name)
        values << "        " << name << ") COMPREPLY=($(compgen -W \"$(winports completion words " << kind
               << " \"$site\" 2>/dev/null)\" -- \"$cur\")); return ;;\n";
  }
  out << "    " << pattern << ")\n      case $prev in\n" << values.str() << "      esac\n";
  out << "      [[ $cur == -* ]] && COMPREPLY=($(compgen -W '" << words(options) << "' -- \"$cur\"))\n";
  for (auto [command, kind] : kNamedArguments)
    if (command == pattern)
      out << "      [[ $cur != -* ]] && COMPREPLY=($(compgen -W \"$(winports completion words " << kind
          << " 2>/dev/null)\" -- \"$cur\"))\n";
  out << "      ;;\n";
}

std::string bash_script(CLI::App& app) {
  std::ostringstream out;
  out << "# winports completion for bash (winports completion bash): commands, options, fixed values,\n";
  out << "# and the zones, hosts, services and roles of the site file on the line.\n";
  out << "_winports() {\n";
  out << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd='' site='' i\n";
  out << "  COMPREPLY=()\n";
  out << "  for ((i = 1; i < COMP_CWORD; i++)); do\n";
  out << "    case ${COMP_WORDS[i]} in\n";
  out << "      --catalog|--lang) ((i++)) ;;\n";
  out << "      -*) ;;\n";
  out << "      *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}\n";
  out << "         elif [[ -z $site && ${COMP_WORDS[i]} == *.y*ml ]]; then site=${COMP_WORDS[i]}; fi ;;\n";
  out << "    esac\n";
  out << "  done\n";
  std::vector<std::string> commands;
  for (auto* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
  out << "  case $cmd in\n";
  out << "    '')\n      case $prev in\n        --lang) COMPREPLY=($(compgen -W 'ja en' -- \"$cur\")); return ;;\n";
  out << "        --catalog) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n      esac\n";
  out << "      COMPREPLY=($(compgen -W '" << words(commands) << " --catalog --lang --help --version' -- \"$cur\"))\n";
  out << "      ;;\n";
  for (auto* sub : app.get_subcommands({})) command_case(out, *sub, sub->get_name());
  out << "  esac\n";
  out << "}\n";
  // -o default: a site file, a capture or a ruleset is completed as a file name where nothing else fits.
  out << "complete -o default -F _winports winports\n";
  return out.str();
}

// zsh runs the same function through its bash compatibility layer: one script to keep right.
std::string zsh_script(CLI::App& app) {
  return "#compdef winports\n# winports completion for zsh (winports completion zsh > ~/.zfunc/_winports, or source "
         "it).\n"
         "autoload -U +X bashcompinit && bashcompinit\n" +
         bash_script(app);
}

}  // namespace

void add_completion_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string shell, kind, site;
  auto* cmd = app.add_subcommand("completion", help(msg::help_completion));
  cmd->add_option("SHELL", shell, help(msg::help_completion_shell))->check(CLI::IsMember({"bash", "zsh", "words"}));
  cmd->add_option("KIND", kind, help(msg::help_completion_kind))
      ->check(CLI::IsMember({"hosts", "places", "services", "roles", "commands"}));
  cmd->add_option("SITE", site, help(msg::help_site_description_yaml));
  cmd->callback([&app, &ctx, &exit_code] {
    if (shell == "bash") return void(std::cout << bash_script(app));
    if (shell == "zsh") return void(std::cout << zsh_script(app));
    if (shell != "words" || kind.empty())
      return void(exit_code = report(Error{"", 0, 0, "completion", msg::cli_completion_args()}));
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    if (kind == "commands") {  // each with its description, for the man pages (scripts/manpages.sh)
      for (auto* sub : app.get_subcommands({})) std::cout << sub->get_name() << ' ' << sub->get_description() << '\n';
      return;
    }
    if (kind == "services")
      for (const auto& s : c->services) std::cout << s.id << '\n';
    if (kind == "roles")
      for (const auto& r : c->roles) std::cout << r.id << '\n';
    if (kind != "hosts" && kind != "places") return;
    if (site.empty()) return;  // nothing on the line yet: no names
    auto env = read_site(site, *c);
    if (!env) return void(exit_code = kNotFound);  // a completion prints nothing rather than an error
    if (kind == "places")
      for (const auto& z : env->zones) std::cout << z.name << '\n';
    for (const auto& h : env->hosts) std::cout << h.name << '\n';
    if (kind == "places")
      for (const auto& r : c->roles) std::cout << "role:" << r.id << '\n';
  });
}

}  // namespace winports::cli
