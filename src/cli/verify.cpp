// winports verify SITE --from ZONE: every flow the plan requires from that zone (or host), probed
// from here, and each verdict tied back to the flow and the services it serves (src/verify). Exit 0
// when no required flow is blocked, 1 when any is (filtered: no answer to TCP, or ICMP
// administratively prohibited), 2 on bad input.
#include "winports/verify/verify.hpp"

#include <CLI/CLI.hpp>

#include "context.hpp"
#include "probing.hpp"
#include "site.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/file.hpp"
#include "winports/probe/local.hpp"
#include "winports/verify/merge.hpp"
#include "winports/verify/powershell_probe.hpp"

namespace winports::cli {

namespace {

// verify SITE --merge RESULT…: the vantage runs' results held against the site's plan.
int print_merged(const Context& ctx, const ProbeFlags& flags, const plan::Environment& env, const catalog::Catalog& c,
                 const std::vector<std::string>& files) {
  std::vector<verify::VantageResult> results;
  for (const auto& f : files) {
    auto text = read_file(f);
    if (!text) return report(text.error());
    results.push_back({f, std::move(*text)});
  }
  auto plan = plan::make_plan(env, c);
  auto merged = verify::merge(plan, env, results);
  if (!merged) return report(merged.error());
  auto summary = verify::merge_summary(*merged, ctx.lang());
  auto notes = verify::unprobed_lines(plan, *merged, ctx.lang());
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : merged->runs) {
    runs.push_back(
        {{"file", r.file}, {"host", r.host}, {"from", r.from}, {"started", r.started}, {"seconds", r.seconds}});
    if (!r.failed.empty()) runs.back()["failed"] = r.failed;
  }
  nlohmann::json unprobed = nlohmann::json::array();
  for (const auto& u : merged->unprobed) {
    nlohmann::json flows = nlohmann::json::array();
    for (auto i : u.flows)
      flows.push_back(plan::flow_label(plan.flows[i]) + " " + std::string(to_string(plan.flows[i].transport)));
    unprobed.push_back({{"zone", u.zone}, {"has_vantage", u.has_vantage}, {"flows", flows}});
  }
  auto suite = "winports verify " + env.site + " merged";  // JUnit's suite name: a key, English
  Printout printout{
      suite,
      {{"site", env.file}, {"plan_id", merged->plan_id}},
      msg::merge_page_title.in(ctx.lang(), env.site, std::to_string(merged->runs.size())),
      summary,
      notes,
      [&] { return verify::merged_diagram(plan, env, *merged); },
      {{"summary", {{"site", env.site}, {"plan_id", merged->plan_id}, {"runs", runs}, {"unprobed", unprobed}}}},
      "verify-merge"};
  auto code = print_lines(ctx, flags, verify::kMergeColumns, verify::merge_lines(plan, *merged, ctx.lang()),
                          std::move(printout));
  if (!ctx.json)
    for (const auto& n : notes) std::cerr << "winports: " << n << '\n';
  std::cerr << "winports: " << summary << '\n';
  return code;
}

// verify SITE --from ZONE --emit powershell: the probes as a script for a Windows vantage host there.
int write_script(Lang lang, const ProbeFlags& flags, const plan::Environment& env, const catalog::Catalog& c,
                 const std::string& from, bool strict, const std::string& output) {
  if (from == "auto") return report(Error{env.file, 0, 0, "--from", msg::verify_emit_needs_from()});
  auto v = verify::prepare(env, c, {{from, {}}}, strict);
  if (!v) return report(v.error());
  std::ofstream no_trace;
  auto options = flags.options(c, no_trace);
  if (!options) return report(options.error());
  auto script =
      verify::powershell_probe_script(c, *v, {options->hints, options->timeout, options->retries, kJsonVersion, lang});
  if (output.empty() || output == "-")
    std::cout << script;
  else if (auto st = write_output(output, script); !st)
    return report(st.error());
  return kFound;
}

}  // namespace

void add_verify_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string file, from, emit, output;
  static std::vector<std::string> merge_files;
  static ProbeFlags flags;
  static bool kb_literal = false, strict = false, anywhere = false;
  auto* cmd = app.add_subcommand("verify", help(msg::help_probe_every_flow_the_plan));
  cmd->add_option("FILE", file, help(msg::help_site_description_yaml))->required();
  auto* from_option = cmd->add_option("--from", from, help(msg::help_the_zone_or_host_this));
  auto* merge_option = cmd->add_option("--merge", merge_files, help(msg::help_merge_results))->expected(1, -1);
  from_option->excludes(merge_option);
  cmd->add_flag("--json", ctx.json, help(msg::help_json_output));
  flags.add_to(cmd);
  add_kb_literal_flag(cmd, kb_literal);
  cmd->add_flag("--strict", strict, help(msg::help_a_planned_port_nothing_listens));
  cmd->add_flag("--anywhere", anywhere, help(msg::help_verify_anywhere));
  cmd->add_option("--emit", emit, help(msg::help_verify_emit))
      ->check(CLI::IsMember({"powershell"}))
      ->excludes(merge_option);
  cmd->add_option("-o,--output", output, help(msg::help_verify_output));
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto env = read_site(file, *c, kb_literal);
    if (!env) return void(exit_code = report(env.error()));
    if (!merge_files.empty()) return void(exit_code = print_merged(ctx, flags, *env, *c, merge_files));
    if (from.empty()) return void(exit_code = report(Error{file, 0, 0, "--from", msg::verify_from_or_merge()}));
    if (!emit.empty()) return void(exit_code = write_script(ctx.lang(), flags, *env, *c, from, strict, output));
    auto me = probe::local_identity();
    auto vantages = verify::vantages_for(*env, *c, from, me.addresses, anywhere);
    if (!vantages) return void(exit_code = report(vantages.error()));
    std::ofstream trace;  // opened only once the site and --from are known good: nothing written before
    auto v = verify::verify(
        *env, *c, *vantages,
        [&](const std::vector<probe::Request>& requests) -> Result<std::vector<probe::Outcome>> {
          auto options = flags.options(*c, trace);
          if (!options) return options.error();
          return probe::run(requests, *options);
        },
        strict);
    if (!v) return void(exit_code = report(v.error()));
    v->host = me.host;
    for (const auto& a : me.addresses) v->addresses.push_back(a.to_string());
    auto suite = "winports verify " + env->site + " from " + from;  // JUnit's suite name: a key, English
    auto summary = verify::summary(*v, ctx.lang());
    Printout printout{suite,
                      {{"site", file}, {"from", from}},
                      msg::verify_page_title.in(ctx.lang(), env->site, v->vantage),
                      summary,
                      in_language(v->probes.not_probed, ctx.lang()),
                      [&] { return verify::verdict_diagram(*v, *env); },
                      {{"summary", verify::summary_json(*v)}},
                      "verify"};
    exit_code =
        print_lines(ctx, flags, verify::kVerifyColumns, verify::verify_lines(*c, *v, ctx.lang()), std::move(printout));
    if (!ctx.json)
      for (const auto& n : v->probes.not_probed)
        std::cerr << "winports: " << msg::verify_not_probed.in(ctx.lang(), n.in(ctx.lang())) << '\n';
    std::cerr << "winports: " << summary << '\n';
  });
}

}  // namespace winports::cli
