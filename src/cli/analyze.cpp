// winports analyze INPUT…: what the network recorded — captures, Zeek conn.log, the Windows
// Firewall log — as flows named from the catalog, with dynamic RPC ports named by the interface
// the capture's own binds and endpoint-mapper replies show; with --env, held against the site's
// plan. Exit 0 when flows were found (and, with --env, every one between the site's zones is
// allowed), 1 when none were or one would break, 2 on unreadable input.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "context.hpp"
#include "probing.hpp"
#include "site.hpp"
#include "table.hpp"
#include "winports/analyze/compare.hpp"
#include "winports/analyze/inputs.hpp"

namespace winports::cli {
namespace {

std::string joined(const std::vector<std::string>& items, const char* separator = ",") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

std::string port_text(const analyze::Flow& f) {
  return std::string(to_string(f.transport)) + (has_ports(f.transport) ? "/" + std::to_string(f.port) : "");
}

// What a flow is, in a table's group heading.
std::string meaning_text(const analyze::Flow& f) {
  if (!f.services.empty()) return joined(f.services);
  if (!f.dynamic_range.empty()) return "(dynamic RPC range: " + f.dynamic_range + ")";
  if (!f.wide.empty()) return "(a high port: " + joined(f.wide) + ")";
  return "(not in the catalog)";
}

std::string size_text(std::uint64_t bytes) {
  char out[32];
  if (bytes < 10 * 1024) return std::to_string(bytes) + " B";
  if (bytes < 10 * 1024 * 1024) return std::snprintf(out, sizeof out, "%.1f KiB", bytes / 1024.0), out;
  std::snprintf(out, sizeof out, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return out;
}

// The flows written straight to text, not built as a nlohmann::json tree first: a capture holds
// thousands of flows, and the tree cost a quarter of a 64 MiB analysis (bench/analyze_vs_tshark.sh).
// Same layout as nlohmann's dump(2).
class FlowWriter {
 public:
  explicit FlowWriter(std::string& out) : out_(out) {}

  template <class Extra>
  void flow(const analyze::Flow& f, bool last, Extra&& extra) {
    out_ += "    {\n";
    first_ = true;
    text("client", f.client.to_string());
    text("server", f.server.to_string());
    text("transport", to_string(f.transport));
    number("port", f.port);
    list("services", f.services);
    if (f.rpc_interface.empty())
      key("rpc_interface"), out_ += "null";
    else
      text("rpc_interface", f.rpc_interface);
    if (!f.rpc_via.empty()) text("rpc_via", f.rpc_via);
    if (!f.dynamic_range.empty()) text("dynamic_range", f.dynamic_range);
    if (!f.wide.empty()) list("wide_range_services", f.wide);
    number("connections", f.connections);
    number("packets", f.packets);
    number("bytes", f.bytes);
    if (f.dropped) number("dropped", f.dropped);
    real("first", f.first);
    real("last", f.last);
    text("decided_by", analyze::to_string(f.decided_by));
    extra(*this);
    out_ += last ? "\n    }\n" : "\n    },\n";
  }

  void optional_text(std::string_view name, std::string_view value) {
    key(name);
    if (value.empty())
      out_ += "null";
    else
      quoted(value);
  }
  void boolean(std::string_view name, bool value) { key(name), out_ += value ? "true" : "false"; }

 private:
  void key(std::string_view name) {
    out_ += first_ ? "      \"" : ",\n      \"";
    first_ = false;
    out_ += name;
    out_ += "\": ";
  }
  void quoted(std::string_view value) {
    out_ += '"';
    for (char c : value) {
      if (c == '"' || c == '\\')
        out_ += '\\', out_ += c;
      else if (static_cast<unsigned char>(c) < 0x20) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\u%04x", c);
        out_ += escape;
      } else
        out_ += c;
    }
    out_ += '"';
  }
  void text(std::string_view name, std::string_view value) { key(name), quoted(value); }
  void number(std::string_view name, std::uint64_t value) {
    key(name);
    char digits[24];
    out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  }
  void real(std::string_view name, double value) {
    key(name);
    char digits[32];
    out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  }
  void list(std::string_view name, const std::vector<std::string>& values) {
    key(name);
    if (values.empty()) {
      out_ += "[]";
      return;
    }
    out_ += "[\n";
    for (std::size_t i = 0; i < values.size(); ++i) {
      out_ += "        ";
      quoted(values[i]);
      out_ += i + 1 < values.size() ? ",\n" : "\n";
    }
    out_ += "      ]";
  }

  std::string& out_;
  bool first_ = true;
};

}  // namespace

void add_analyze_command(CLI::App& app, Context& ctx, int& exit_code) {
  static std::vector<std::string> inputs;
  static std::string site;
  static bool learn = false;
  auto* cmd = app.add_subcommand(
      "analyze",
      "Flows in captures (pcap, pcapng), Zeek conn.log and the Windows Firewall log, named from the catalog");
  cmd->add_option("INPUT", inputs, "Capture or log file (format detected from its content)")->required();
  cmd->add_option("--env", site, "Site file: place flows in zones and hosts, and hold them against its plan");
  cmd->add_flag("--learn", learn, "Write a draft access: list for the site file from what was observed (needs --env)");
  cmd->add_flag("--json", ctx.json, "JSON output");
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    if (learn && site.empty()) return void(exit_code = report(Error{"", 0, 0, "--learn", "needs --env SITE.yaml"}));
    std::optional<plan::Environment> env;
    if (!site.empty()) {
      auto loaded = read_environment(site, *c);
      if (!loaded) return void(exit_code = report(loaded.error()));
      env = std::move(*loaded);
    }
    analyze::FlowTable table;
    for (const auto& path : inputs) {
      if (auto st = analyze::read_input(path, table); !st) return void(exit_code = report(st.error()));
    }
    auto flows = table.flows(*c);
    const auto& summary = table.summary();
    std::optional<plan::Plan> plan;
    std::optional<analyze::Comparison> cmp;
    if (env) plan = plan::make_plan(*env, *c), cmp = analyze::compare(flows, *plan, *env);
    if (learn) {
      std::cout << analyze::learned_access(flows, *cmp);
      return void(exit_code = flows.empty() ? kNotFound : kFound);
    }
    // With a site: observed flows between its zones that its plan does not allow would break.
    std::vector<bool> breaks(flows.size(), false);
    std::size_t breaking = 0;
    if (cmp)
      for (std::size_t i = 0; i < flows.size(); ++i)
        if (!cmp->allowed_by[i] && !cmp->client[i].zone.empty() && !cmp->server[i].zone.empty())
          breaks[i] = true, ++breaking;
    auto plan_flow_name = [&](std::size_t i) {
      return plan->flows[i].source.name + " -> " + plan->flows[i].destination.name;
    };
    std::map<std::string, std::size_t> by_service;
    for (const auto& f : flows)
      for (const auto& s : f.services) ++by_service[s];
    if (ctx.json) {
      nlohmann::json skipped = nlohmann::json::object();
      for (const auto& [reason, count] : summary.skipped)
        skipped[reason] = {{"count", count}, {"first", summary.first_skipped.at(reason)}};
      nlohmann::json totals = {{"inputs", inputs},
                               {"packets", summary.packets},
                               {"bytes", summary.bytes},
                               {"connections", summary.connections},
                               {"flows", flows.size()},
                               {"services", by_service},
                               {"rpc_binds", summary.rpc_binds},
                               {"rpc_endpoints_mapped", summary.rpc_endpoints_mapped},
                               {"skipped", skipped}};
      if (cmp) {
        nlohmann::json unobserved = nlohmann::json::array();
        for (const auto& u : cmp->unobserved) {
          const auto& f = plan->flows[u.flow];
          unobserved.push_back({{"flow", plan_flow_name(u.flow)},
                                {"transport", std::string(to_string(f.transport))},
                                {"ports", u.ports.to_string()},
                                {"services", plan::services_of(f)}});
        }
        totals["site"] = site;
        totals["not_allowed"] = breaking;
        totals["unobserved"] = std::move(unobserved);
      }
      std::string out = "{\n  \"flows\": [";
      out += flows.empty() ? "],\n" : "\n";
      out.reserve(flows.size() * 400);
      FlowWriter writer(out);
      for (std::size_t i = 0; i < flows.size(); ++i) {
        writer.flow(flows[i], i + 1 == flows.size(), [&](FlowWriter& w) {
          if (!cmp) return;
          for (auto [side, where] : {std::pair{"client", &cmp->client[i]}, std::pair{"server", &cmp->server[i]}}) {
            w.optional_text(std::string(side) + "_zone", where->zone);
            w.optional_text(std::string(side) + "_host", where->host);
          }
          w.optional_text("allowed_by", cmp->allowed_by[i] ? plan_flow_name(*cmp->allowed_by[i]) : "");
          w.boolean("allowed", cmp->allowed_by[i].has_value());
        });
      }
      if (!flows.empty()) out += "  ],\n";
      // The summary nested one level deeper than dump(2) puts it.
      auto summary_text = totals.dump(2);
      out += "  \"summary\": ";
      for (char ch : summary_text) {
        out += ch;
        if (ch == '\n') out += "  ";
      }
      out += "\n}\n";
      std::cout << out;
    } else {
      // Grouped by what the flows mean (the services, else the dynamic range they fall in), then,
      // with a site, by zone pair.
      // Each flow's group texts, built once rather than in every comparison of the sort.
      std::vector<std::size_t> order(flows.size());
      std::vector<std::string> meanings(flows.size()), pairs(flows.size());
      auto zone_name = [](const std::string& zone) { return zone.empty() ? std::string("(outside)") : zone; };
      for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
        meanings[i] = meaning_text(flows[i]);
        if (cmp) pairs[i] = zone_name(cmp->client[i].zone) + " -> " + zone_name(cmp->server[i].zone);
      }
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        using Rank = std::tuple<bool, const std::string&, const std::string&>;
        return Rank{flows[a].services.empty(), meanings[a], pairs[a]} <
               Rank{flows[b].services.empty(), meanings[b], pairs[b]};
      });
      std::vector<std::string> header = {"SERVICES", "SERVER", "PORT", "RPC", "CLIENT", "CONN", "PACKETS", "BYTES"};
      if (cmp) header.insert(header.begin() + 1, "ZONES"), header.push_back("PLAN");
      Table t(header);
      std::string group, zones;
      for (auto i : order) {
        const auto& f = flows[i];
        const auto& meaning = meanings[i];
        const auto& pair = pairs[i];
        std::vector<std::string> row = {
            meaning == group ? "" : abbreviated(meaning),
            f.server.to_string() + (cmp && !cmp->server[i].host.empty() ? " (" + cmp->server[i].host + ")" : ""),
            port_text(f),
            f.rpc_interface.empty() ? "" : f.rpc_interface + " (" + f.rpc_via + ")",
            f.client.to_string() + (cmp && !cmp->client[i].host.empty() ? " (" + cmp->client[i].host + ")" : ""),
            std::to_string(f.connections),
            std::to_string(f.packets),
            size_text(f.bytes)};
        if (cmp) {
          row.insert(row.begin() + 1, meaning == group && pair == zones ? "" : pair);
          row.push_back(cmp->allowed_by[i] ? "allowed" : breaks[i] ? "NOT ALLOWED" : "outside the site");
        }
        t.add(std::move(row));
        group = meaning, zones = pair;
      }
      t.print(std::cout);
      if (cmp && !cmp->unobserved.empty()) {
        std::cout << "\nPlanned but never observed (candidates to close):\n";
        Table u({"FLOW", "PROTOCOL", "PORTS", "SERVICES"});
        for (const auto& x : cmp->unobserved) {
          const auto& f = plan->flows[x.flow];
          u.add({plan_flow_name(x.flow), std::string(to_string(f.transport)), x.ports.to_string(),
                 abbreviated(joined(plan::services_of(f)))});
        }
        u.print(std::cout);
      }
      std::cout.flush();  // the tables before the summary on a shared terminal
      std::cerr << "winports: " << summary.packets << " packets, " << summary.connections << " connections, "
                << flows.size() << " flows";
      std::uint64_t skipped = 0;
      for (const auto& [reason, count] : summary.skipped) skipped += count;
      if (skipped) std::cerr << ", " << skipped << " skipped";
      if (cmp)
        std::cerr << "; " << breaking << " not allowed by the plan, " << cmp->unobserved.size()
                  << " planned never observed";
      std::cerr << '\n';
      for (const auto& [reason, count] : summary.skipped)
        std::cerr << "winports: skipped " << count << " × " << reason << " (first: " << summary.first_skipped.at(reason)
                  << ")\n";
    }
    exit_code = flows.empty() || breaking ? kNotFound : kFound;
  });
}

}  // namespace winports::cli
