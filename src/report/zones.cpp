#include "winports/report/zones.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "winports/core/shared_library.hpp"
#include "winports/report/messages.hpp"

namespace winports::report {
namespace {

// The functions used, bound at run time (clang-format does not settle on macro bodies).
// clang-format off
#define GRAPHVIZ_FUNCTIONS(X)                                                                      \
  X(gvContext) X(agseterrf) X(agmemread) X(agclose) X(gvLayout) X(gvRenderData)                    \
  X(gvFreeRenderData) X(gvFreeLayout)
// clang-format on

WINPORTS_SHARED_API(Graphviz, GRAPHVIZ_FUNCTIONS, WINPORTS_GVC_SONAME, "graphviz")

constexpr const char* kOutside = "(outside)";

// Graphviz reports errors through a callback (by default to stderr): kept for our Error instead.
std::string graphviz_errors;
int keep_error(char* message) {
  graphviz_errors += message;
  return 0;
}

// DOT's double-quoted strings escape only the quote and the backslash.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + '"';
}

// An id safe in DOT, SVG and CSS selectors.
std::string slug(const std::string& text) { return identifier(text); }

// A multi-line label: each line quoted, joined with DOT's centred line break.
std::string label(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    auto q = quoted(line);
    out += (out.empty() ? "" : "\\n") + q.substr(1, q.size() - 2);
  }
  return '"' + out + '"';
}

// Services in lines of three, so long labels wrap instead of stretching the arrow.
std::vector<std::string> wrapped(const std::vector<std::string>& services) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (i % 3 == 0) lines.emplace_back();
    lines.back() += (i % 3 == 0 ? "" : ", ") + services[i];
  }
  return lines;
}

}  // namespace

std::vector<std::string> zones_of(const plan::Endpoint& endpoint, const plan::Environment& env) {
  if (!endpoint.zone.empty()) return {endpoint.zone};
  std::vector<std::string> out;
  if (endpoint.hosts.size() == 1)
    if (const auto* h = env.host(endpoint.hosts.front())) return {h->zone};
  for (const auto& n : endpoint.networks) {
    const auto* zone = env.zone_of(n);
    std::string found = zone ? zone->name : kOutside;
    if (std::find(out.begin(), out.end(), found) == out.end()) out.push_back(found);
  }
  return out;
}

std::vector<ZoneLink> zone_links(const plan::Plan& plan, const plan::Environment& env) {
  std::map<std::pair<std::string, std::string>, ZoneLink> by_pair;
  for (std::size_t i = 0; i < plan.flows.size(); ++i) {
    const auto& f = plan.flows[i];
    for (const auto& from : zones_of(f.source, env))
      for (const auto& to : zones_of(f.destination, env)) {
        auto& link = by_pair[{from, to}];
        link.from = from, link.to = to;
        link.flows.push_back(i);
        for (const auto& s : plan::services_of(f))
          if (std::find(link.services.begin(), link.services.end(), s) == link.services.end())
            link.services.push_back(s);
      }
  }
  // Zone order is the file's, so the matrix and the diagram read as the site is written.
  auto rank = [&](const std::string& zone) {
    for (std::size_t i = 0; i < env.zones.size(); ++i)
      if (env.zones[i].name == zone) return i;
    return env.zones.size();
  };
  std::vector<ZoneLink> out;
  for (auto& [key, link] : by_pair) {
    std::sort(link.services.begin(), link.services.end());
    out.push_back(std::move(link));
  }
  std::sort(out.begin(), out.end(), [&](const ZoneLink& a, const ZoneLink& b) {
    return std::pair{rank(a.from), rank(a.to)} < std::pair{rank(b.from), rank(b.to)};
  });
  return out;
}

std::string zone_dot(const std::vector<ZoneLink>& links, const plan::Environment& env) {
  std::string dot =
      "digraph zones {\n  graph [rankdir=LR, nodesep=0.6, ranksep=1.4, fontname=\"sans-serif\"];\n"
      "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", color=\"#3b6db3\", "
      "fontname=\"sans-serif\", fontsize=11];\n  edge [color=\"#555555\", fontname=\"sans-serif\", "
      "fontsize=9];\n";
  std::vector<std::string> zones;
  for (const auto& z : env.zones) zones.push_back(z.name);
  for (const auto& l : links)
    for (const auto& z : {l.from, l.to})
      if (std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  for (const auto& name : zones) {
    std::vector<std::string> lines = {name};
    if (const auto* z = env.zone(name)) {
      // The outside zone is dozens of prefixes: say what it is instead.
      if (z->outside) lines.push_back("(every address in no zone)");
      for (const auto& n : z->networks)
        if (!z->outside) lines.push_back(n.to_string());
      std::vector<std::string> names;
      for (const auto& h : env.hosts)
        if (h.zone == name) names.push_back(h.name);
      auto hosts = join(names, ", ");
      if (!hosts.empty()) lines.push_back("[" + hosts + "]");
    }
    dot += "  " + quoted(name) + " [id=" + quoted("zone-" + slug(name)) + ", label=" + label(lines) + "];\n";
  }
  for (const auto& l : links) {
    dot += "  " + quoted(l.from) + " -> " + quoted(l.to) + " [id=" + quoted("link-" + slug(l.from) + "-" + slug(l.to)) +
           ", label=" + label(wrapped(l.services)) + ", tooltip=" + quoted(l.from + " → " + l.to) +
           (l.color.empty() ? "" : ", color=" + quoted(l.color) + ", fontcolor=" + quoted(l.color) + ", penwidth=2") +
           "];\n";
  }
  return dot + "}\n";
}

Result<std::string> render_svg(const std::string& dot) {
  // Graphviz keeps global state: one context for the process, used by one caller at a time.
  static std::mutex lock;
  std::lock_guard guard(lock);
  static const auto gv = load_Graphviz();
  if (!gv) return gv.error();
  static GVC_t* context = gv->gvContext();
  if (!context) return Error{"", 0, 0, "graphviz", msg::graphviz_no_context()};
  graphviz_errors.clear();
  gv->agseterrf(keep_error);
  Agraph_t* graph = gv->agmemread(dot.c_str());
  if (!graph) {
    while (!graphviz_errors.empty() && graphviz_errors.back() == '\n') graphviz_errors.pop_back();
    return Error{"", 0, 0, "graphviz", msg::graphviz_parse(graphviz_errors)};
  }
  if (gv->gvLayout(context, graph, "dot") != 0) {
    gv->agclose(graph);
    return Error{"", 0, 0, "graphviz", msg::graphviz_layout()};
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rendered = gv->gvRenderData(context, graph, "svg", &data, &length);
  std::string svg = rendered == 0 && data ? std::string(data, length) : std::string();
  gv->gvFreeRenderData(data);
  gv->gvFreeLayout(context, graph);
  gv->agclose(graph);
  if (svg.empty()) return Error{"", 0, 0, "graphviz", msg::graphviz_svg()};
  auto start = svg.find("<svg");
  return start == std::string::npos ? svg : svg.substr(start);
}

}  // namespace winports::report
