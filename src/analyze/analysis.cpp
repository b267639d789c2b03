#include "winports/analyze/analysis.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "winports/analyze/messages.hpp"
#include "winports/catalog/query.hpp"
#include "winports/core/text.hpp"
#include "winports/plan/messages.hpp"
#include "winports/render/json.hpp"

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

// One flow, as the stream writes it (the stream, not a tree: a capture holds thousands of flows).
void write_flow(render::JsonStream& w, const ObservedFlow& f) {
  auto list = [&](std::string_view name, const std::vector<std::string>& values) {
    w.key(name).array();
    for (const auto& v : values) w.text(v);
    w.end();
  };
  w.key("client").text(f.client.to_string());
  w.key("server").text(f.server.to_string());
  w.key("transport").text(to_string(f.transport));
  w.key("port").number(f.port);
  list("services", f.services);
  w.key("rpc_interface").text_or_null(f.rpc_interface);
  if (!f.rpc_via.empty()) w.key("rpc_via").text(f.rpc_via);
  if (!f.dynamic_range.empty()) w.key("dynamic_range").text(f.dynamic_range);
  if (!f.wide.empty()) list("wide_range_services", f.wide);
  w.key("connections").number(f.connections);
  w.key("packets").number(f.packets);
  w.key("bytes").number(f.bytes);
  if (f.dropped) w.key("dropped").number(f.dropped);
  w.key("first").real(f.first);
  w.key("last").real(f.last);
  w.key("decided_by").text(analyze::to_string(f.decided_by));
}

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
    skipped[reason] = {{"count", count}, {"first", summary.first_skipped.at(reason).en}};
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
  std::string out;
  out.reserve(flows.size() * 400);
  render::JsonStream w(out);
  w.object().key("flows").array();
  for (std::size_t i = 0; i < flows.size(); ++i) {
    w.object();
    write_flow(w, flows[i]);
    if (cmp) {
      for (auto [side, where] : {std::pair{"client", &cmp->client[i]}, std::pair{"server", &cmp->server[i]}}) {
        w.key(std::string(side) + "_zone").text_or_null(where->zone);
        w.key(std::string(side) + "_host").text_or_null(where->host);
      }
      w.key("allowed_by").text_or_null(cmp->allowed_by[i] ? plan::flow_label(plan->flows[*cmp->allowed_by[i]]) : "");
      w.key("allowed").boolean(cmp->allowed_by[i].has_value());
    }
    w.end();
  }
  w.end().key("summary").tree(totals).end();
  out += "\n";
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
                                            summary.first_skipped.at(reason).in(lang)));
  return lines;
}

}  // namespace winports::analyze
