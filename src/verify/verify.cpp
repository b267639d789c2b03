#include "winports/verify/verify.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>

#include "winports/plan/messages.hpp"
#include "winports/report/zones.hpp"
#include "winports/verify/messages.hpp"

namespace winports::verify {
namespace {

bool single_address(const Network& n) { return n.prefix == (n.family == 4 ? 32 : 128); }

bool overlaps(const std::vector<Network>& side, const std::vector<Network>& place) {
  return std::any_of(side.begin(), side.end(), [&](const Network& a) {
    return std::any_of(place.begin(), place.end(), [&](const Network& b) { return a.overlaps(b); });
  });
}

// The requests of one flow, or why (parts of) it cannot be probed.
void add_flow(const plan::Flow& f, std::size_t index, Probes& out) {
  auto label = plan::flow_label(f);
  auto transport = std::string(to_string(f.transport));
  if (f.transport != Transport::tcp && f.transport != Transport::udp)
    return out.not_probed.push_back(msg::verify_no_port(label + " " + transport));
  if (f.source_port) return out.not_probed.push_back(msg::verify_source_port(label, std::to_string(*f.source_port)));
  const auto swept = f.ports.subtract(f.rpc_only);
  for (auto r : swept.ranges()) {
    if (std::uint32_t{r.hi} - r.lo + 1 > kLargestSweptRange) {
      out.not_probed.push_back(msg::verify_range_not_swept(label + " " + transport + "/" + std::to_string(r.lo) + "-" +
                                                           std::to_string(r.hi)));
      continue;
    }
    for (const auto& n : f.destination.networks) {
      if (!single_address(n)) continue;
      for (std::uint32_t p = r.lo; p <= r.hi; ++p) {
        out.requests.push_back({n, f.transport, static_cast<std::uint16_t>(p)});
        out.flow_of.push_back(index);
      }
    }
  }
  for (const auto& n : f.destination.networks)
    if (!single_address(n)) out.not_probed.push_back(msg::verify_network(label, n.to_string()));
}

// The flow from the vantage that an endpoint the endpoint mapper handed out belongs to: the TCP
// flow to that address opening the port, else (the plan does not open it) the one carrying 135.
std::optional<std::size_t> endpoint_flow(const Verification& v, const probe::Outcome& o, bool& opened) {
  std::optional<std::size_t> via_mapper;
  for (std::size_t i = 0; i < v.plan.flows.size(); ++i) {
    const auto& f = v.plan.flows[i];
    if (!v.probes.from_vantage[i] || f.transport != Transport::tcp) continue;
    bool to_address = std::any_of(f.destination.networks.begin(), f.destination.networks.end(),
                                  [&](const Network& n) { return n.contains(o.request.address); });
    if (!to_address) continue;
    if (f.ports.contains(o.request.port)) return opened = true, i;
    if (f.ports.contains(135)) via_mapper = i;
  }
  opened = false;
  return via_mapper;
}

}  // namespace

Result<Probes> probes_for(const plan::Plan& plan, const plan::Place& vantage, const std::string& file) {
  Probes out;
  out.from_vantage.resize(plan.flows.size());
  for (std::size_t i = 0; i < plan.flows.size(); ++i) {
    if (!(out.from_vantage[i] = overlaps(plan.flows[i].source.networks, vantage.networks))) continue;
    add_flow(plan.flows[i], i, out);
  }
  if (out.requests.empty()) return Error{file, 0, 0, "--from", msg::verify_no_flow_from(vantage.label)};
  return out;
}

void judge(Verification& v, const catalog::Catalog& c) {
  std::set<std::string> broken, unchecked;
  v.refused = 0;
  v.flow_state.assign(v.plan.flows.size(), FlowState::unprobed);
  v.findings.clear();
  for (std::size_t k = 0; k < v.outcomes.size(); ++k) {
    const auto& o = v.outcomes[k];
    Finding finding{k, std::nullopt, true, o.status == probe::PortState::filtered};
    if (o.status == probe::PortState::not_listening) {
      ++v.refused;
      if (v.strict) finding.blocked = true;
    }
    finding.flow =
        k < v.probes.flow_of.size() ? std::optional(v.probes.flow_of[k]) : endpoint_flow(v, o, finding.opened);
    // An endpoint mapper that did not answer hands out no endpoint: the host's dynamic range is unchecked.
    if (finding.flow && o.request.transport == Transport::tcp && o.request.port == 135 &&
        (o.status == probe::PortState::not_listening || o.status == probe::PortState::filtered) &&
        !v.plan.flows[*finding.flow].rpc_only.empty())
      unchecked.insert(o.request.address.to_string());
    if (finding.flow) {
      auto& state = v.flow_state[*finding.flow];
      if (finding.blocked)
        state = FlowState::blocked;
      else if (state == FlowState::unprobed)
        state = FlowState::passed;
      if (finding.blocked)
        for (const auto& s : plan::services_of(
                 plan::narrowed_to(v.plan.flows[*finding.flow], c, PortSet{{o.request.port, o.request.port}})))
          broken.insert(s);
    }
    v.findings.push_back(finding);
  }
  std::stable_partition(v.findings.begin(), v.findings.end(), [](const Finding& f) { return f.blocked; });
  v.blocked = static_cast<std::size_t>(
      std::count_if(v.findings.begin(), v.findings.end(), [](const Finding& f) { return f.blocked; }));
  v.unproven =
      static_cast<std::size_t>(std::count_if(v.outcomes.begin(), v.outcomes.end(), [](const probe::Outcome& o) {
        return o.status == probe::PortState::listening_or_filtered;
      }));
  v.broken.assign(broken.begin(), broken.end());
  v.rpc_unchecked.assign(unchecked.begin(), unchecked.end());
}

namespace {

std::string iso_utc(std::chrono::system_clock::time_point t) {
  auto seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

Result<std::vector<Vantage>> vantages_for(const plan::Environment& env, const catalog::Catalog& catalog,
                                          const std::string& from, const std::vector<Network>& mine, bool anywhere) {
  auto addresses = mine.empty() ? std::string("-") : join(mine, ", ", [](const Network& n) { return n.to_string(); });
  auto fail = [&](const LocalizedText& message) { return Error{env.file, 0, 0, "--from", message}; };
  if (from == "auto") {
    std::vector<Vantage> zones;
    for (const auto& a : mine) {
      const auto* z = env.zone_of(a);
      if (!z || z->outside) continue;
      auto it = std::find_if(zones.begin(), zones.end(), [&](const Vantage& v) { return v.from == z->name; });
      if (it == zones.end()) it = zones.insert(zones.end(), Vantage{z->name, {}});
      it->sources.push_back(a);
    }
    if (!zones.empty()) return zones;
    std::vector<std::string> networks;
    for (const auto& z : env.zones)
      if (!z.outside)
        networks.push_back(z.name + " " + join(z.networks, ",", [](const Network& n) { return n.to_string(); }));
    return fail(msg::verify_auto_no_zone(addresses, join(networks, "; ")));
  }
  if (anywhere) return std::vector<Vantage>{{from, {}}};
  auto place = plan::resolve_place(env, catalog, from, "--from");
  if (!place) return place.error();
  Vantage here{from, {}};
  for (const auto& a : mine)
    if (std::any_of(place->networks.begin(), place->networks.end(), [&](const Network& n) { return n.contains(a); }))
      here.sources.push_back(a);
  if (here.sources.empty()) return fail(msg::verify_not_in_from(addresses, place->label));
  return std::vector<Vantage>{here};
}

Result<Verification> prepare(const plan::Environment& env, const catalog::Catalog& catalog,
                             const std::vector<Vantage>& vantages, bool strict) {
  Verification v;
  v.strict = strict;
  v.site = env.site;
  v.plan = plan::make_plan(env, catalog);
  v.plan_id = plan::plan_id(v.plan);
  v.probes.from_vantage.assign(v.plan.flows.size(), false);
  std::optional<Error> nothing_to_probe;
  for (const auto& vantage : vantages) {
    auto place = plan::resolve_place(env, catalog, vantage.from, "--from");
    if (!place) return place.error();
    v.vantage += (v.vantage.empty() ? "" : ", ") + vantage.from;
    for (const auto& n : place->networks)
      if (const auto* z = env.zone_of(n); z && std::find(v.zones.begin(), v.zones.end(), z->name) == v.zones.end())
        v.zones.push_back(z->name);
    auto probes = probes_for(v.plan, *place, env.file);
    // Of several zones, one with nothing to probe is no error; all of them is.
    if (!probes) {
      nothing_to_probe = probes.error();
      continue;
    }
    for (auto& r : probes->requests)
      for (const auto& s : vantage.sources)
        if (s.family == r.address.family) {
          r.source = s;
          break;
        }
    auto& all = v.probes;
    all.requests.insert(all.requests.end(), probes->requests.begin(), probes->requests.end());
    all.flow_of.insert(all.flow_of.end(), probes->flow_of.begin(), probes->flow_of.end());
    for (std::size_t i = 0; i < all.from_vantage.size(); ++i)
      all.from_vantage[i] = all.from_vantage[i] || probes->from_vantage[i];
    for (auto& n : probes->not_probed)
      if (std::none_of(all.not_probed.begin(), all.not_probed.end(),
                       [&](const LocalizedText& t) { return t.en == n.en; }))
        all.not_probed.push_back(std::move(n));
  }
  if (v.probes.requests.empty()) {
    if (nothing_to_probe) return *nothing_to_probe;
    return Error{env.file, 0, 0, "--from", msg::verify_no_flow_from("--from")};
  }
  return v;
}

Result<Verification> verify(const plan::Environment& env, const catalog::Catalog& catalog,
                            const std::vector<Vantage>& vantages, const Prober& prober, bool strict) {
  auto prepared = prepare(env, catalog, vantages, strict);
  if (!prepared) return prepared.error();
  auto& v = *prepared;
  auto start = std::chrono::system_clock::now();
  v.started = iso_utc(start);
  auto outcomes = prober(v.probes.requests);
  if (!outcomes) return outcomes.error();
  v.seconds = std::chrono::duration<double>(std::chrono::system_clock::now() - start).count();
  v.outcomes = std::move(*outcomes);
  judge(v, catalog);
  return prepared;
}

std::string summary(const Verification& v, Lang lang) {
  auto n = [](std::size_t count) { return std::to_string(count); };
  auto text = msg::verify_summary.in(lang, n(v.findings.size()), v.vantage, n(v.blocked),
                                     v.strict ? say(msg::verify_strict, lang) : "",
                                     v.broken.empty() ? "" : say(msg::verify_breaks, lang, {join(v.broken, ",")}),
                                     n(v.refused), n(v.unproven), n(v.probes.not_probed.size()));
  if (!v.rpc_unchecked.empty()) text += msg::verify_rpc_unchecked.in(lang, join(v.rpc_unchecked, ", "));
  return text;
}

const std::vector<Msg> kVerifyColumns = {msg::col_flow,   msg::col_address,  msg::col_port,
                                         msg::col_status, msg::col_services, msg::col_detail};

std::vector<Line> verify_lines(const catalog::Catalog& c, const Verification& v, Lang lang) {
  std::vector<Line> lines;
  lines.reserve(v.findings.size());
  Meanings meanings(c);
  for (const auto& f : v.findings) {
    const auto& o = v.outcomes[f.outcome];
    const plan::Flow* flow = f.flow ? &v.plan.flows[*f.flow] : nullptr;
    auto label = flow ? plan::flow_label(*flow) : std::string("?");
    // The services the plan opens this port for (not the whole flow's: tcp/88 is Kerberos).
    auto required_by = flow ? plan::services_of(plan::narrowed_to(*flow, c, PortSet{{o.request.port, o.request.port}}))
                            : std::vector<std::string>{};
    // A mapped endpoint means its interface; a planned port the services the plan opens it for.
    auto services = o.rpc || !flow ? services_of(meanings, o) : join(required_by, ",");
    auto note = f.opened ? o.detail.in(lang) : msg::verify_endpoint_not_opened.in(lang, o.detail);
    auto address = o.request.address.to_string(), port = probe_name(meanings, o);
    std::string status(probe::to_string(o.status));
    auto json = outcome_json(meanings, o);
    json["flow"] = label;
    json["required_by"] = required_by;
    json["opened_by_plan"] = f.opened;
    json["blocked"] = f.blocked;
    lines.push_back(
        {f.blocked,
         {label, address, port, (f.blocked ? "BLOCKED " : "") + status, abbreviated(services), note},
         {label, address + " " + port, static_cast<double>(o.elapsed.count()) / 1e6, f.blocked ? status : "",
          services + ": " + note},
         {label, address, port, status, f.blocked ? report::Verdict::blocked : verdict_of(o.status), services, note},
         std::move(json)});
  }
  return lines;
}

nlohmann::json summary_json(const Verification& v) {
  return {{"from", v.vantage},
          {"site", v.site},
          {"plan_id", v.plan_id},
          {"vantage", {{"host", v.host}, {"addresses", v.addresses}, {"zones", v.zones}}},
          {"started", v.started},
          {"seconds", v.seconds},
          {"probed", v.findings.size()},
          {"blocked", v.blocked},
          {"refused", v.refused},
          {"strict", v.strict},
          {"unproven", v.unproven},
          {"broken_services", v.broken},
          {"rpc_range_unchecked", v.rpc_unchecked},
          {"not_probed", in_language(v.probes.not_probed, Lang::en)}};
}

Result<std::string> verdict_diagram(const Verification& v, const plan::Environment& env) {
  plan::Plan crossing;
  std::vector<FlowState> crossing_state;
  for (std::size_t i = 0; i < v.plan.flows.size(); ++i)
    if (v.probes.from_vantage[i]) crossing.flows.push_back(v.plan.flows[i]), crossing_state.push_back(v.flow_state[i]);
  auto links = report::zone_links(crossing, env);
  for (auto& l : links) {
    auto any = [&](FlowState s) {
      return std::any_of(l.flows.begin(), l.flows.end(), [&](std::size_t i) { return crossing_state[i] == s; });
    };
    l.color = any(FlowState::blocked) ? report::kBlockedColor : any(FlowState::passed) ? report::kPassedColor : "";
  }
  return report::render_svg(report::zone_dot(links, env));
}

}  // namespace winports::verify
