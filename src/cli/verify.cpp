// winports verify SITE --from ZONE: every flow the plan requires from that zone (or host), probed
// from here, and each verdict tied back to the flow and the services it serves. Dynamic RPC ranges
// are not swept: the endpoint mapper on 135 says which ports the server really uses, and each of
// those is probed and held against the plan. Exit 0 when no required flow is blocked, 1 when any
// is (filtered: no answer to TCP, or ICMP administratively prohibited), 2 on bad input.
#include <CLI/CLI.hpp>
#include <set>

#include "context.hpp"
#include "probing.hpp"
#include "site.hpp"
#include "table.hpp"
#include "winports/core/file.hpp"
#include "winports/probe/junit.hpp"
#include "winports/report/verdicts.hpp"
#include "winports/report/zones.hpp"

namespace winports::cli {
namespace {

constexpr std::uint32_t kLargestSweptRange = 64;  // wider ranges (RPC, FTP passive) are not swept

bool single_address(const plan::Network& n) { return n.prefix == (n.family == 4 ? 32 : 128); }

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

// The flow from the zone that an endpoint the endpoint mapper handed out belongs to: the TCP flow
// to that address opening the port, else (the plan does not open it) the one carrying 135.
std::optional<std::size_t> endpoint_flow(const plan::Plan& plan, const std::vector<bool>& from_zone,
                                         const probe::Outcome& o, bool& opened) {
  std::optional<std::size_t> via_mapper;
  for (std::size_t i = 0; i < plan.flows.size(); ++i) {
    const auto& f = plan.flows[i];
    if (!from_zone[i] || f.transport != Transport::tcp) continue;
    bool to_address = std::any_of(f.destination.networks.begin(), f.destination.networks.end(),
                                  [&](const plan::Network& n) { return n.contains(o.request.address); });
    if (!to_address) continue;
    if (f.ports.contains(o.request.port)) return opened = true, i;
    if (f.ports.contains(135)) via_mapper = i;
  }
  opened = false;
  return via_mapper;
}

enum class FlowState { unprobed, passed, blocked };

// The zone diagram of the flows from this zone, each arrow painted by its flows' verdicts.
Result<std::string> verdict_diagram(const plan::Plan& plan, const plan::Environment& env,
                                    const std::vector<bool>& from_zone, const std::vector<FlowState>& state) {
  plan::Plan crossing;
  std::vector<FlowState> crossing_state;
  for (std::size_t i = 0; i < plan.flows.size(); ++i)
    if (from_zone[i]) crossing.flows.push_back(plan.flows[i]), crossing_state.push_back(state[i]);
  auto links = report::zone_links(crossing, env);
  for (auto& l : links) {
    auto any = [&](FlowState s) {
      return std::any_of(l.flows.begin(), l.flows.end(), [&](std::size_t i) { return crossing_state[i] == s; });
    };
    l.color = any(FlowState::blocked) ? report::kBlockedColor : any(FlowState::passed) ? report::kPassedColor : "";
  }
  return report::render_svg(report::zone_dot(links, env));
}

}  // namespace

void add_verify_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::string file, from;
  static ProbeFlags flags;
  auto* cmd = app.add_subcommand("verify", "Probe every flow the plan requires from a zone; exit 1 if any is blocked");
  cmd->add_option("FILE", file, "Site description (YAML)")->required();
  cmd->add_option("--from", from, "The zone (or host) this machine stands in")->required();
  cmd->add_flag("--json", ctx.json, "JSON output");
  flags.add_to(cmd);
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto env = read_environment(file, *c);
    if (!env) return void(exit_code = report(env.error()));
    if (!env->zone(from) && !env->host(from))
      return void(exit_code = report(Error{file, 0, 0, "--from", "no zone or host '" + from + "' in the site"}));
    auto plan = plan::make_plan(*env, *c);
    std::vector<bool> from_zone(plan.flows.size());
    std::vector<probe::Request> requests;
    std::vector<std::size_t> flow_of;
    std::vector<std::string> not_probed;
    for (std::size_t i = 0; i < plan.flows.size(); ++i) {
      const auto& f = plan.flows[i];
      if (!(from_zone[i] = side_matches(f.source, from, *env))) continue;
      auto flow_name = f.source.name + " -> " + f.destination.name;
      if (f.transport != Transport::tcp && f.transport != Transport::udp) {
        not_probed.push_back(flow_name + " " + std::string(to_string(f.transport)) + ": not a port");
        continue;
      }
      if (f.source_port) {
        not_probed.push_back(flow_name + ": needs source port " + std::to_string(*f.source_port));
        continue;
      }
      std::vector<std::pair<plan::Network, std::uint16_t>> ports;
      const auto swept = f.ports.subtract(f.rpc_only);
      for (auto r : swept.ranges()) {
        if (std::uint32_t{r.hi} - r.lo + 1 > kLargestSweptRange) {
          not_probed.push_back(flow_name + " " + std::string(to_string(f.transport)) + "/" + std::to_string(r.lo) +
                               "-" + std::to_string(r.hi) + ": a range, not swept");
          continue;
        }
        for (const auto& n : f.destination.networks) {
          if (!single_address(n)) continue;
          for (std::uint32_t p = r.lo; p <= r.hi; ++p) {
            requests.push_back({n, f.transport, static_cast<std::uint16_t>(p)});
            flow_of.push_back(i);
          }
        }
      }
      for (const auto& n : f.destination.networks)
        if (!single_address(n))
          not_probed.push_back(flow_name + ": " + n.to_string() + " is a network; name its hosts");
    }
    if (requests.empty())
      return void(exit_code = report(Error{file, 0, 0, "--from", "no TCP or UDP flow from '" + from + "' to a host"}));
    std::ofstream trace;
    auto options = flags.options(*c, trace);
    if (!options) return void(exit_code = report(options.error()));
    auto outcomes = probe::run(requests, *options);
    if (!outcomes) return void(exit_code = report(outcomes.error()));

    struct Row {
      const probe::Outcome* outcome;
      const plan::Flow* flow;  // nullptr: an endpoint outside every flow from the zone
      bool opened;             // the plan opens this port
      bool blocked;
    };
    std::vector<Row> rows;
    std::set<std::string> broken;
    std::vector<FlowState> flow_state(plan.flows.size());
    for (std::size_t k = 0; k < outcomes->size(); ++k) {
      const auto& o = (*outcomes)[k];
      bool opened = true;
      std::optional<std::size_t> flow =
          k < flow_of.size() ? std::optional(flow_of[k]) : endpoint_flow(plan, from_zone, o, opened);
      bool blocked = o.status == probe::Status::filtered;
      rows.push_back({&o, flow ? &plan.flows[*flow] : nullptr, opened, blocked});
      if (flow) {
        auto& state = flow_state[*flow];
        if (blocked)
          state = FlowState::blocked;
        else if (state == FlowState::unprobed)
          state = FlowState::passed;
      }
      if (blocked && flow)
        for (const auto& s : plan::services_of(plan.flows[*flow])) broken.insert(s);
    }
    std::stable_partition(rows.begin(), rows.end(), [](const Row& r) { return r.blocked; });
    std::size_t blocked = std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.blocked; });
    std::size_t unproven = std::count_if(rows.begin(), rows.end(), [](const Row& r) {
      return r.outcome->status == probe::Status::listening_or_filtered;
    });
    auto flow_name = [](const Row& r) {
      return r.flow ? r.flow->source.name + " -> " + r.flow->destination.name : std::string("?");
    };
    auto services = [&](const Row& r) {
      return r.outcome->rpc || !r.flow ? service_of(*c, *r.outcome) : joined(plan::services_of(*r.flow));
    };
    auto note = [](const Row& r) {
      return r.opened ? r.outcome->detail
                      : "the endpoint mapper hands out this port but the plan does not open it; " + r.outcome->detail;
    };
    std::string summary =
        std::to_string(rows.size()) + " probed from " + from + ", " + std::to_string(blocked) + " blocked" +
        (broken.empty() ? "" : " (breaks " + joined({broken.begin(), broken.end()}) + ")") + ", " +
        std::to_string(unproven) + " unproven (UDP silence), " + std::to_string(not_probed.size()) + " not probed";
    if (!flags.junit_path.empty()) {
      std::vector<probe::JunitCase> cases;
      for (const auto& r : rows)
        cases.push_back({flow_name(r), r.outcome->request.address.to_string() + " " + probe_name(*c, *r.outcome),
                         static_cast<double>(r.outcome->elapsed.count()) / 1e6,
                         r.blocked ? std::string(probe::to_string(r.outcome->status)) : "",
                         services(r) + ": " + note(r)});
      auto xml = probe::junit_xml("winports verify " + env->site + " from " + from, {{"site", file}, {"from", from}},
                                  cases, summary);
      if (auto st = write_output(flags.junit_path, xml); !st) return void(exit_code = report(st.error()));
    }
    if (!flags.html_path.empty()) {
      report::VerdictPage page{"winports verify " + env->site + " from " + from, summary, {}, not_probed, {}};
      for (const auto& r : rows)
        page.rows.push_back({flow_name(r), r.outcome->request.address.to_string(), probe_name(*c, *r.outcome),
                             std::string(probe::to_string(r.outcome->status)),
                             r.blocked ? report::Verdict::blocked : report::verdict_of(r.outcome->status), services(r),
                             note(r)});
      auto svg = verdict_diagram(plan, *env, from_zone, flow_state);
      if (!svg) return void(exit_code = report(svg.error()));
      page.diagram_svg = std::move(*svg);
      if (auto st = write_output(flags.html_path, report::verdicts_html(std::move(page), ctx.lang())); !st)
        return void(exit_code = report(st.error()));
    }
    if (ctx.json) {
      nlohmann::json results = nlohmann::json::array();
      for (const auto& r : rows) {
        auto row = outcome_json(*c, *r.outcome);
        row["flow"] = flow_name(r);
        row["required_by"] = r.flow ? plan::services_of(*r.flow) : std::vector<std::string>{};
        row["opened_by_plan"] = r.opened;
        row["blocked"] = r.blocked;
        results.push_back(std::move(row));
      }
      std::cout << nlohmann::json{{"results", results},
                                  {"summary",
                                   {{"from", from},
                                    {"probed", rows.size()},
                                    {"blocked", blocked},
                                    {"unproven", unproven},
                                    {"broken_services", broken},
                                    {"not_probed", not_probed}}}}
                       .dump(2)
                << '\n';
    } else {
      Table table({"FLOW", "ADDRESS", "PORT", "STATUS", "SERVICES", "DETAIL"});
      for (const auto& r : rows)
        table.add({flow_name(r), r.outcome->request.address.to_string(), probe_name(*c, *r.outcome),
                   std::string(r.blocked ? "BLOCKED " : "") + std::string(probe::to_string(r.outcome->status)),
                   abbreviated(services(r)), note(r)});
      table.print(std::cout);
      for (const auto& n : not_probed) std::cerr << "winports: not probed: " << n << '\n';
    }
    std::cerr << "winports: " << summary << '\n';
    exit_code = blocked ? kNotFound : kFound;
  });
}

}  // namespace winports::cli
