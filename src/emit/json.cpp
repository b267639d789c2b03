// JSON: the plan as data for other tools — flows with their services and KB sources, the
// requirements left out (and whether the file ruled them out or did not say), and warnings.
// Written as it is made (render::JsonStream): a 5,000-host plan is 15 MB of JSON, and building it
// as a nlohmann tree first was a quarter of the whole run. Members in nlohmann's order (sorted by
// name), so the output is what dumping the tree printed.
#include "winports/render/json.hpp"

#include "winports/catalog/export.hpp"
#include "winports/emit/emitter.hpp"

namespace winports::emit {
namespace {

void networks(render::JsonStream& j, const std::vector<Network>& list) {
  j.array();
  for (const auto& n : list) j.text(n.to_string());
  j.end();
}

void ranges(render::JsonStream& j, const PortSet& ports) {
  j.array();
  for (auto r : ports.ranges()) j.array().number(r.lo).number(r.hi).end();
  j.end();
}

// A requirement's members, shared by flows' reasons and the rows left out (`more` adds the
// left-out row's own members in their places).
template <class More>
void reason_members(render::JsonStream& j, const catalog::Catalog& c, const plan::Reason& r, More&& more) {
  const auto* s = c.service(r.service);
  const auto& q = s->requirements[r.requirement];
  j.key("application_protocol").object().key("en").text(q.protocol.en).key("ja").text(q.protocol.ja).end();
  more("count");
  j.key("origin").text(catalog::to_string(q.origin));
  more("pairs");
  j.key("service").text(s->id);
  j.key("source").text(catalog::source_text(*s, q, Lang::en));
  more("undecided");
}

}  // namespace

Result<std::string> emit_json(const Input& in) {
  const auto& c = in.catalog;
  std::string out;
  render::JsonStream j(out);
  j.object().key("flows").array();
  for (const auto& f : in.plan.flows) {
    j.object();
    j.key("from").text(f.source.name);
    j.key("from_networks");
    networks(j, f.source.networks);
    if (!f.icmp_type.empty()) j.key("icmp_type").text(f.icmp_type);
    j.key("ports");
    ranges(j, f.ports);
    j.key("reasons").array();
    for (const auto& r : f.reasons) {
      j.object();
      reason_members(j, c, r, [](const char*) {});
      j.end();
    }
    j.end();
    if (!f.rpc_only.empty()) {
      j.key("rpc_dynamic_ports");
      ranges(j, f.rpc_only);
    }
    j.key("services").array();
    for (const auto& s : plan::services_of(f)) j.text(s);
    j.end();
    if (f.source_port) j.key("source_port").number(*f.source_port);
    j.key("to").text(f.destination.name);
    j.key("to_networks");
    networks(j, f.destination.networks);
    j.key("transport").text(to_string(f.transport));
    j.end();
  }
  j.end();
  j.key("site").text(in.plan.site);
  j.key("skipped").array();
  for (const auto& s : in.plan.skipped) {
    j.object();
    reason_members(j, c, s.reason, [&](std::string_view member) {
      if (member == "count") {
        j.key("count").number(s.pairs.size());
      } else if (member == "pairs") {
        j.key("pairs").array();
        for (auto [from, to] : s.pairs) j.array().text(in.plan.sides[from].name).text(in.plan.sides[to].name).end();
        j.end();
      } else {
        j.key("undecided").boolean(s.undecided);
        j.key("why").text(s.why.in(in.options.lang));
      }
    });
    j.end();
  }
  j.end();
  // "version": the format's, raised only when a member changes meaning or goes (docs/json.md).
  j.key("version").number(1);
  j.key("warnings").array();
  for (const auto& w : in.plan.warnings) j.text(w.in(in.options.lang));
  j.end();
  j.end();
  out += "\n";
  return out;
}

}  // namespace winports::emit
