#pragma once
// What check, discover and verify share: the probe flags, and printing their lines as a table or
// JSON on stdout, as JUnit (--junit) and as a page (--html).
#include <CLI/CLI.hpp>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "context.hpp"
#include "winports/catalog/model.hpp"
#include "winports/cli/messages.hpp"
#include "winports/probe/prober.hpp"
#include "winports/verify/verdicts.hpp"

namespace winports::cli {

struct ProbeFlags {
  int timeout_ms = 1000, min_timeout_ms = 100, concurrency = 1024, rate = 0, retries = 1;
  std::string domain, community = "public", trace_path, junit_path, html_path;
  bool no_protocol = false;

  void add_to(CLI::App* cmd);
  // The engine's options; opens the trace file if one was asked for (kept open in `trace`).
  Result<probe::Options> options(const catalog::Catalog& c, std::ofstream& trace) const;
};

struct Printout {
  std::string suite;  // "winports check", "winports verify lab from clients"
  std::vector<std::pair<std::string, std::string>> properties;
  std::string page_title, summary;
  std::vector<std::string> not_probed;
  std::function<Result<std::string>()> diagram;    // the page's SVG, drawn only when --html asks
  nlohmann::json json = nlohmann::json::object();  // --json: these members, and "results"
  std::string kind = "check";                      // the --json envelope's kind
};

// check's and discover's: the suite, what was probed, "N port(s) probed".
inline Printout check_printout(Lang lang, const std::string& suite, const std::string& targets, std::size_t probed,
                               nlohmann::json json = nlohmann::json::object()) {
  auto summary = msg::check_probed.in(lang, std::to_string(probed));
  // The envelope's kind is the command: "winports discover" → discover.
  return {suite, {{"targets", targets}}, suite + " " + targets, summary, {}, {}, std::move(json), suite.substr(9)};
}

// Prints the lines; returns 0 when none failed, 1 if any did, 2 on a write error.
int print_lines(const Context& ctx, const ProbeFlags& flags, const std::vector<Msg>& columns,
                const std::vector<verify::Line>& lines, Printout printout);

}  // namespace winports::cli
