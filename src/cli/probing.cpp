#include "probing.hpp"

#include <algorithm>

#include "context.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/file.hpp"
#include "winports/render/junit.hpp"
#include "winports/render/table.hpp"
#include "winports/report/verdicts.hpp"
#include "winports/verify/check.hpp"

namespace winports::cli {
void ProbeFlags::add_to(CLI::App* cmd) {
  cmd->add_option("--timeout", timeout_ms, help(msg::help_milliseconds_to_wait_per_attempt))
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd->add_option("--min-timeout", min_timeout_ms, help(msg::help_once_a_host_has_answered))
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd->add_option("--retries", retries, help(msg::help_extra_attempts_after_silence))->check(CLI::Range(0, 5));
  cmd->add_option("--concurrency", concurrency, help(msg::help_probes_in_flight))->check(CLI::Range(1, 65536));
  cmd->add_option("--rate", rate, help(msg::help_new_probes_per_second_0))->check(CLI::Range(0, 10000000));
  cmd->add_option("--domain", domain, help(msg::help_dns_domain_for_the_cldap));
  cmd->add_option("--community", community, help(msg::help_snmp_v2c_community))->capture_default_str();
  cmd->add_flag("--no-protocol", no_protocol, help(msg::help_handshake_and_empty_datagrams_only));
  cmd->add_option("--trace", trace_path, help(msg::help_write_every_protocol_request_and));
  cmd->add_option("--junit", junit_path, help(msg::help_also_write_the_verdicts_as_2));
  cmd->add_option("--html", html_path, help(msg::help_also_write_the_verdicts_as));
}

Result<probe::Options> ProbeFlags::options(const catalog::Catalog& c, std::ofstream& trace) const {
  probe::Options o;
  o.timeout = std::chrono::milliseconds(timeout_ms);
  o.min_timeout = std::chrono::milliseconds(std::min(min_timeout_ms, timeout_ms));
  o.retries = retries;
  o.concurrency = concurrency;
  o.rate = rate;
  o.protocols = !no_protocol;
  o.hints.domain = domain;
  o.hints.community = community;
  o.hints.rpc_map = verify::interfaces_to_map(c);
  if (!trace_path.empty()) {
    trace.open(trace_path);
    if (!trace) return Error{trace_path, 0, 0, "--trace", msg::cli_cannot_write()};
    o.trace = [&trace](const probe::Request& r, bool sent, std::uint16_t id, std::span<const std::uint8_t> bytes) {
      trace << r.address.to_string() << ' ' << to_string(r.transport) << '/' << r.port << " id " << id
            << (sent ? " send " : " recv ") << hex_bytes(bytes) << '\n';
    };
  }
  return o;
}

int print_lines(const Context& ctx, const ProbeFlags& flags, const std::vector<Msg>& columns,
                const std::vector<verify::Line>& lines, Printout printout) {
  if (!flags.junit_path.empty()) {
    std::vector<render::JunitCase> cases;
    for (const auto& l : lines) cases.push_back(l.junit);
    auto xml = render::junit_xml(printout.suite, printout.properties, cases, printout.summary);
    if (auto st = write_output(flags.junit_path, xml); !st) return report(st.error());
  }
  if (!flags.html_path.empty()) {
    report::VerdictPage page{printout.page_title, printout.summary, {}, printout.not_probed, {}};
    for (const auto& l : lines) page.rows.push_back(l.row);
    if (printout.diagram) {
      auto svg = printout.diagram();
      if (!svg) return report(svg.error());
      page.diagram_svg = std::move(*svg);
    }
    if (auto st = write_output(flags.html_path, report::verdicts_html(std::move(page), ctx.lang())); !st)
      return report(st.error());
  }
  if (ctx.json) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& l : lines) results.push_back(l.json);
    printout.json["results"] = std::move(results);
    print_json(printout.kind, printout.json);
  } else {
    std::vector<std::string> header;
    for (auto column : columns) header.push_back(say(column, ctx.lang()));
    render::Table table(header);
    for (const auto& l : lines) table.add(l.cells);
    print_table(table);
  }
  return std::any_of(lines.begin(), lines.end(), [](const verify::Line& l) { return l.failed; }) ? kNotFound : kFound;
}

}  // namespace winports::cli
