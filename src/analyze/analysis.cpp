#include "winports/analyze/analysis.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "winports/analyze/messages.hpp"
#include "winports/catalog/query.hpp"
#include "winports/core/text.hpp"
#include "winports/plan/messages.hpp"

namespace winports::analyze {
namespace {

std::string port_text(const ObservedFlow& f) {
  return std::string(to_string(f.transport)) + (has_ports(f.transport) ? "/" + std::to_string(f.port) : "");
}

// What a flow is, in a table's group heading.
std::string meaning_text(const ObservedFlow& f, Lang lang) {
  return catalog::Meaning{f.services, f.wide, f.dynamic_range, ""}.text(lang);
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
  void flow(const ObservedFlow& f, bool last, Extra&& extra) {
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

Analysis analyze(const FlowTable& table, const catalog::Catalog& c, const plan::Environment* env) {
  Analysis a;
  a.flows = table.flows(c);
  a.summary = table.summary();
  a.breaks.assign(a.flows.size(), false);
  if (!env) return a;
  a.plan = plan::make_plan(*env, c);
  a.comparison = compare(a.flows, *a.plan, *env);
  const auto& cmp = *a.comparison;
  for (std::size_t i = 0; i < a.flows.size(); ++i)
    if (!cmp.allowed_by[i] && cmp.site_traffic[i]) a.breaks[i] = true, ++a.breaking;
  return a;
}

std::string analysis_json(const Analysis& a, const std::vector<std::string>& inputs, const std::string& site) {
  const auto& flows = a.flows;
  const auto& summary = a.summary;
  const auto& cmp = a.comparison;
  const auto& plan = a.plan;
  std::map<std::string, std::size_t> by_service;
  for (const auto& f : flows)
    for (const auto& s : f.services) ++by_service[s];
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
      unobserved.push_back({{"flow", plan::flow_label(f)},
                            {"transport", std::string(to_string(f.transport))},
                            {"ports", u.ports.to_string()},
                            {"services", plan::services_of(f)}});
    }
    totals["site"] = site;
    totals["not_allowed"] = a.breaking;
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
      w.optional_text("allowed_by", cmp->allowed_by[i] ? plan::flow_label(plan->flows[*cmp->allowed_by[i]]) : "");
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
  return out;
}

render::Table flow_table(const Analysis& a, Lang lang) {
  const auto& flows = a.flows;
  const auto& cmp = a.comparison;
  // Each flow's group texts, built once rather than in every comparison of the sort.
  std::vector<std::size_t> order(flows.size());
  std::vector<std::string> meanings(flows.size()), pairs(flows.size());
  auto zone_name = [&](const std::string& zone) { return zone.empty() ? msg::analyze_outside_zone.in(lang) : zone; };
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    meanings[i] = meaning_text(flows[i], lang);
    if (cmp) pairs[i] = zone_name(cmp->client[i].zone) + " -> " + zone_name(cmp->server[i].zone);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    using Rank = std::tuple<bool, const std::string&, const std::string&>;
    return Rank{flows[x].services.empty(), meanings[x], pairs[x]} <
           Rank{flows[y].services.empty(), meanings[y], pairs[y]};
  });
  std::vector<std::string> header;
  for (auto column : {msg::col_services, msg::col_server, msg::col_port, msg::col_rpc, msg::col_client, msg::col_conn,
                      msg::col_packets, msg::col_bytes})
    header.push_back(say(column, lang));
  if (cmp) header.insert(header.begin() + 1, msg::col_zones.in(lang)), header.push_back(msg::col_plan.in(lang));
  render::Table t(std::move(header));
  for (auto i : order) {
    const auto& f = flows[i];
    const auto& meaning = meanings[i];
    const auto& pair = pairs[i];
    std::vector<std::string> row = {
        abbreviated(meaning),  // said on every row: a blank read as "none", and grep finds every row
        f.server.to_string() + (cmp && !cmp->server[i].host.empty() ? " (" + cmp->server[i].host + ")" : ""),
        port_text(f),
        f.rpc_interface.empty() ? "" : f.rpc_interface + " (" + f.rpc_via + ")",
        f.client.to_string() + (cmp && !cmp->client[i].host.empty() ? " (" + cmp->client[i].host + ")" : ""),
        std::to_string(f.connections),
        std::to_string(f.packets),
        size_text(f.bytes)};
    if (cmp) {
      row.insert(row.begin() + 1, pair);
      row.push_back(say(cmp->allowed_by[i] ? msg::analyze_allowed
                        : a.breaks[i]      ? msg::analyze_not_allowed
                                           : msg::analyze_outside,
                        lang));
    }
    t.add(std::move(row));
  }
  return t;
}

render::Table unobserved_table(const Analysis& a, Lang lang) {
  render::Table u(lang, {msg::col_flow, msg::col_protocol, msg::col_ports, msg::col_services});
  if (!a.comparison) return u;
  for (const auto& x : a.comparison->unobserved) {
    const auto& f = a.plan->flows[x.flow];
    u.add({plan::flow_label(f), std::string(to_string(f.transport)), x.ports.to_string(),
           abbreviated(join(plan::services_of(f), ","))});
  }
  return u;
}

std::vector<std::string> summary_lines(const Analysis& a, Lang lang) {
  const auto& summary = a.summary;
  auto n = [](auto count) { return std::to_string(count); };
  std::string first = msg::analyze_counts.in(lang, n(summary.packets), n(summary.connections), n(a.flows.size()));
  std::uint64_t skipped = 0;
  for (const auto& [reason, count] : summary.skipped) skipped += count;
  if (skipped) first += msg::analyze_skipped_count.in(lang, n(skipped));
  if (a.comparison) first += msg::analyze_against_plan.in(lang, n(a.breaking), n(a.comparison->unobserved.size()));
  std::vector<std::string> lines = {first};
  for (const auto& [reason, count] : summary.skipped)
    lines.push_back(msg::analyze_skipped.in(lang, n(count), summary.skip_words.at(reason).in(lang),
                                            summary.first_skipped.at(reason)));
  return lines;
}

}  // namespace winports::analyze
