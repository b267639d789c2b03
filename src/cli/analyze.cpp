// winports analyze INPUT…: what the network recorded — captures, Zeek conn.log, the Windows
// Firewall log — as flows named from the catalog, with dynamic RPC ports named by the interface
// the capture's own binds and endpoint-mapper replies show. Exit 0 when flows were found, 1 when
// none, 2 on unreadable input.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "context.hpp"
#include "probing.hpp"
#include "table.hpp"
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

  void flow(const analyze::Flow& f, bool last) {
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
    out_ += last ? "\n    }\n" : "\n    },\n";
  }

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
  auto* cmd = app.add_subcommand(
      "analyze",
      "Flows in captures (pcap, pcapng), Zeek conn.log and the Windows Firewall log, named from the catalog");
  cmd->add_option("INPUT", inputs, "Capture or log file (format detected from its content)")->required();
  cmd->add_flag("--json", ctx.json, "JSON output");
  cmd->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    analyze::FlowTable table;
    for (const auto& path : inputs) {
      if (auto st = analyze::read_input(path, table); !st) return void(exit_code = report(st.error()));
    }
    auto flows = table.flows(*c);
    const auto& summary = table.summary();
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
      std::string out = "{\n  \"flows\": [";
      out += flows.empty() ? "],\n" : "\n";
      out.reserve(flows.size() * 400);
      FlowWriter writer(out);
      for (std::size_t i = 0; i < flows.size(); ++i) writer.flow(flows[i], i + 1 == flows.size());
      if (!flows.empty()) out += "  ],\n";
      // The summary nested one level deeper than dump(2) puts it.
      auto summary_text = totals.dump(2);
      out += "  \"summary\": ";
      for (char c : summary_text) {
        out += c;
        if (c == '\n') out += "  ";
      }
      out += "\n}\n";
      std::cout << out;
    } else {
      // Grouped by what the flows mean: the services, else the dynamic range they fall in.
      std::vector<const analyze::Flow*> order;
      for (const auto& f : flows) order.push_back(&f);
      std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
        return std::pair{a->services.empty(), meaning_text(*a)} < std::pair{b->services.empty(), meaning_text(*b)};
      });
      Table t({"SERVICES", "SERVER", "PORT", "RPC", "CLIENT", "CONN", "PACKETS", "BYTES"});
      std::string group;
      for (const auto* f : order) {
        auto meaning = meaning_text(*f);
        t.add({meaning == group ? "" : abbreviated(meaning), f->server.to_string(), port_text(*f),
               f->rpc_interface.empty() ? "" : f->rpc_interface + " (" + f->rpc_via + ")", f->client.to_string(),
               std::to_string(f->connections), std::to_string(f->packets), size_text(f->bytes)});
        group = meaning;
      }
      t.print(std::cout);
      std::cout.flush();  // the table before the summary on a shared terminal
      std::cerr << "winports: " << summary.packets << " packets, " << summary.connections << " connections, "
                << flows.size() << " flows";
      std::uint64_t skipped = 0;
      for (const auto& [reason, count] : summary.skipped) skipped += count;
      if (skipped) std::cerr << ", " << skipped << " skipped";
      std::cerr << '\n';
      for (const auto& [reason, count] : summary.skipped)
        std::cerr << "winports: skipped " << count << " × " << reason << " (first: " << summary.first_skipped.at(reason)
                  << ")\n";
    }
    exit_code = flows.empty() ? kNotFound : kFound;
  });
}

}  // namespace winports::cli
