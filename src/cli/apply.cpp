// winports apply SITE --confirm-within SECONDS [--host NAME]: the site's nftables plan loaded on this
// machine, reverted by a detached process unless confirmed in time (src/apply). On a terminal it
// asks; otherwise, or from another session, `winports apply --confirm`.
#include "winports/apply/apply.hpp"

#include <poll.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "context.hpp"
#include "site.hpp"
#include "winports/cli/messages.hpp"
#include "winports/emit/emitter.hpp"

namespace winports::cli {

namespace {

// A "y" typed on the terminal before the deadline.
bool confirmed_on_terminal(long deadline, Lang lang) {
  std::cerr << msg::apply_prompt.in(lang) << std::flush;
  for (;;) {
    auto left =
        deadline -
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (left <= 0) return false;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::min<long>(left, 3600) * 1000));
    if (ready <= 0) continue;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
  }
}

}  // namespace

void add_apply_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string file, host, format = "nftables";
  static int seconds = 0;
  static bool confirm = false, kb_literal = false;
  auto* cmd = app.add_subcommand("apply", help(msg::help_apply));
  cmd->add_option("FILE", file, help(msg::help_site_description_yaml));
  cmd->add_option("--host", host, help(msg::help_host_firewall_variant_for_this));
  cmd->add_option("--format", format, help(msg::help_output_format))
      ->check(CLI::IsMember({"nftables", "iptables-script"}));
  cmd->add_option("--confirm-within", seconds, help(msg::help_confirm_within))->check(CLI::Range(5, 86400));
  cmd->add_flag("--confirm", confirm, help(msg::help_confirm));
  add_kb_literal_flag(cmd, kb_literal);
  cmd->callback([&] {
    if (confirm) {
      auto st = apply::confirm();
      if (!st) return void(exit_code = report(st.error()));
      std::cerr << "winports: " << msg::apply_confirmed.in(ctx.lang()) << '\n';
      return void(exit_code = kFound);
    }
    if (file.empty() || seconds == 0)
      return void(exit_code = report(Error{"", 0, 0, "apply", msg::apply_needs_site()}));
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto env = read_site(file, *c, kb_literal);
    if (!env) return void(exit_code = report(env.error()));
    auto plan = plan::make_plan(*env, *c);
    std::vector<std::string> refusals;
    auto text = emit::find_emitter(format)->emit({plan, *env, *c, {ctx.lang(), host}, &refusals});
    if (!text) return void(exit_code = report(text.error()));
    auto warning = "winports: " + msg::warning_prefix.in(ctx.lang()) + ": ";
    for (const auto& w : plan.warnings) std::cerr << warning << w.in(ctx.lang()) << '\n';
    for (const auto& w : refusals) std::cerr << warning << w << '\n';
    auto pending = apply::apply_plan(
        env->site, format == "nftables" ? apply::Format::nftables : apply::Format::iptables_script, *text, seconds);
    if (!pending) return void(exit_code = report(pending.error()));
    std::cerr << "winports: " << msg::apply_loaded.in(ctx.lang(), env->site, std::to_string(seconds)) << '\n';
    exit_code = kFound;
    if (!isatty(STDIN_FILENO)) return;
    if (confirmed_on_terminal(pending->deadline, ctx.lang())) {
      auto st = apply::confirm();
      if (!st) return void(exit_code = report(st.error()));
      std::cerr << "winports: " << msg::apply_confirmed.in(ctx.lang()) << '\n';
    } else {
      std::cerr << "winports: " << msg::apply_not_kept.in(ctx.lang()) << '\n';
      exit_code = kNotFound;
    }
  });
}

}  // namespace winports::cli
