// winports verify SITE --from ZONE: every flow the plan requires from that zone (or host), probed
// from here, and each verdict tied back to the flow and the services it serves (src/verify). Exit 0
// when no required flow is blocked, 1 when any is (filtered: no answer to TCP, or ICMP
// administratively prohibited), 2 on bad input.
#include "winports/verify/verify.hpp"

#include <CLI/CLI.hpp>

#include "context.hpp"
#include "probing.hpp"
#include "site.hpp"
#include "winports/core/messages.hpp"

namespace winports::cli {

void add_verify_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string file, from;
  static ProbeFlags flags;
  static bool kb_literal = false, strict = false;
  auto* cmd = app.add_subcommand("verify", help(Msg::help_probe_every_flow_the_plan));
  cmd->add_option("FILE", file, help(Msg::help_site_description_yaml))->required();
  cmd->add_option("--from", from, help(Msg::help_the_zone_or_host_this))->required();
  cmd->add_flag("--json", ctx.json, help(Msg::help_json_output));
  flags.add_to(cmd);
  add_kb_literal_flag(cmd, kb_literal);
  cmd->add_flag("--strict", strict, help(Msg::help_a_planned_port_nothing_listens));
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto env = read_site(file, *c, kb_literal);
    if (!env) return void(exit_code = report(env.error()));
    std::ofstream trace;  // opened only once the site and --from are known good: nothing written before
    auto v = verify::verify(
        *env, *c, from,
        [&](const std::vector<probe::Request>& requests) -> Result<std::vector<probe::Outcome>> {
          auto options = flags.options(*c, trace);
          if (!options) return options.error();
          return probe::run(requests, *options);
        },
        strict);
    if (!v) return void(exit_code = report(v.error()));
    auto suite = "winports verify " + env->site + " from " + from;  // JUnit's suite name: a key, English
    auto summary = verify::summary(*v, ctx.lang());
    Printout printout{suite,
                      {{"site", file}, {"from", from}},
                      say(Msg::verify_page_title, ctx.lang(), {env->site, from}),
                      summary,
                      in_language(v->probes.not_probed, ctx.lang()),
                      [&] { return verify::verdict_diagram(*v, *env); },
                      {{"summary", verify::summary_json(*v)}},
                      "verify"};
    exit_code = print_lines(ctx, flags, verify::kVerifyColumns, verify::verify_lines(*c, *v), std::move(printout));
    if (!ctx.json)
      for (const auto& n : v->probes.not_probed)
        std::cerr << "winports: " << say(Msg::verify_not_probed, ctx.lang(), {n.in(ctx.lang())}) << '\n';
    std::cerr << "winports: " << summary << '\n';
  });
}

}  // namespace winports::cli
