#include "winports/verify/verdicts.hpp"

#include <algorithm>
#include <map>

#include "winports/catalog/query.hpp"
#include "winports/core/text.hpp"
#include "winports/plan/messages.hpp"
#include "winports/verify/messages.hpp"

namespace winports::verify {
const catalog::Meaning& Meanings::of(const probe::Outcome& o) {
  std::string key = std::to_string(static_cast<int>(o.request.transport)) + "/" + std::to_string(o.request.port);
  if (o.rpc) key.append("\n").append(o.rpc->uuid).append("\n").append(o.rpc->annotation);
  return meanings_(key, [&] {
    if (!o.rpc) return catalog::describe(catalog_, o.request.transport, o.request.port);
    return catalog::describe(catalog_, o.request.transport, o.request.port,
                             catalog::InterfaceRef{o.rpc->uuid, o.rpc->annotation});
  });
}

report::Verdict verdict_of(probe::PortState status) {
  switch (status) {
    case probe::PortState::filtered:
      return report::Verdict::blocked;
    case probe::PortState::not_listening:
      return report::Verdict::refused;
    case probe::PortState::listening_or_filtered:
      return report::Verdict::unproven;
    case probe::PortState::listening:
      return report::Verdict::passed;
  }
  return report::Verdict::blocked;
}

bool answers(probe::PortState s) {
  return s == probe::PortState::listening || s == probe::PortState::listening_or_filtered;
}

std::string services_of(Meanings& meanings, const probe::Outcome& o) {
  auto m = meanings.of(o);
  // A probed port is named by every row that holds it, a wide range's too: the prober asked for it.
  m.services.insert(m.services.end(), m.wide.begin(), m.wide.end());
  return join(m.services, ",");
}

std::string probe_name(Meanings& meanings, const probe::Outcome& o) {
  return std::string(to_string(o.request.transport)) + "/" + std::to_string(o.request.port) +
         (o.rpc ? " (RPC " + meanings.of(o).interface + ")" : "");
}

nlohmann::json outcome_json(Meanings& meanings, const probe::Outcome& o) {
  const auto& m = meanings.of(o);
  nlohmann::json row = {{"address", o.request.address.to_string()},
                        {"transport", std::string(to_string(o.request.transport))},
                        {"port", o.request.port},
                        {"status", std::string(probe::to_string(o.status))},
                        {"services", m.services},
                        {"detail", o.detail.en},
                        {"detail_ja", o.detail.in(Lang::ja)}};
  if (o.request.source) row["source"] = o.request.source->to_string();
  // Where no row prints the port: what range holds it, as analyze says it.
  if (m.services.empty()) {
    if (!m.dynamic_range.empty()) row["dynamic_range"] = m.dynamic_range;
    if (!m.wide.empty()) row["wide_range_services"] = m.wide;
  }
  if (o.rpc)
    row["rpc"] = {{"interface", m.interface},
                  {"uuid", o.rpc->uuid},
                  {"version", o.rpc->version},
                  {"annotation", o.rpc->annotation}};
  return row;
}

const std::vector<Msg> kCheckColumns = {msg::col_address, msg::col_port, msg::col_status, msg::col_service,
                                        msg::col_detail};

std::vector<Line> check_lines(const catalog::Catalog& c, const std::vector<probe::Outcome>& outcomes,
                              const std::map<std::string, std::string>& names, Lang lang) {
  std::vector<Line> lines;
  lines.reserve(outcomes.size());
  Meanings meanings(c);
  for (const auto& o : outcomes) {
    auto address = o.request.address.to_string(), port = probe_name(meanings, o), services = services_of(meanings, o);
    auto named = names.find(address);
    auto json = outcome_json(meanings, o);
    if (named != names.end()) {
      json["target"] = named->second;
      address = named->second + " (" + address + ")";  // the name the user gave, beside what it resolved to
    }
    std::string status(probe::to_string(o.status));
    bool failed = !answers(o.status);
    const auto& detail = o.detail.in(lang);
    lines.push_back(
        {failed,
         {address, port, status, abbreviated(services), detail},
         {address, port + " " + services, static_cast<double>(o.elapsed.count()) / 1e6, failed ? status : "", detail},
         {"", address, port, status, verdict_of(o.status), services, detail},
         std::move(json)});
  }
  return lines;
}

}  // namespace winports::verify
