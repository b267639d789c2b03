#include "winports/catalog/rules.hpp"

#include <algorithm>

#include "winports/catalog/messages.hpp"

namespace winports::catalog {
namespace {

std::ptrdiff_t release_index(const Catalog& c, const std::string& id_or_alias) {
  const auto* os = c.os(id_or_alias);
  if (!os) return -1;
  return os - c.os_versions.data();
}

}  // namespace

DynamicRange dynamic_rpc_range(const Catalog& catalog, std::span<const std::string> os_ids,
                               const std::optional<PortSet>& restricted) {
  DynamicRange out;
  if (restricted) {
    out.ports = *restricted;
    return out;
  }
  bool legacy = false;
  bool modern = false;
  for (const auto& id : os_ids) {
    const auto* os = catalog.os(id);
    if (!os) {
      out.unknown.push_back(id);
      continue;
    }
    (os->era == RpcEra::legacy ? legacy : modern) = true;
  }
  if (os_ids.empty() || !out.unknown.empty()) {
    out.assumed_both = true;
    legacy = modern = true;
  }
  if (legacy) out.ports = out.ports.unite(catalog.legacy_rpc_range);
  if (modern) out.ports = out.ports.unite(catalog.modern_rpc_range);
  return out;
}

bool os_matches(const Catalog& catalog, const std::string& os_id, const std::string& value) {
  auto index = release_index(catalog, os_id);
  if (index < 0) return false;
  if (value.rfind(">=", 0) == 0) {
    auto bound = release_index(catalog, value.substr(2));
    return bound >= 0 && index >= bound;
  }
  if (value.rfind('<', 0) == 0) {
    auto bound = release_index(catalog, value.substr(1));
    return bound >= 0 && index < bound;
  }
  return index == release_index(catalog, value);
}

std::string describe(const Catalog& catalog, const Condition& condition, Lang lang) {
  auto os_name = [&](std::string v) {
    std::string prefix;
    if (v.rfind(">=", 0) == 0)
      prefix = ">= ", v = v.substr(2);
    else if (v.rfind('<', 0) == 0)
      prefix = "< ", v = v.substr(1);
    const auto* os = catalog.os(v);
    return prefix + (os ? os->names.in(lang) : v);
  };
  auto vocabulary_text = [&](const std::vector<VocabularyEntry>& entries, const std::string& id) {
    auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.id == id; });
    return it != entries.end() ? it->text.in(lang) : id;
  };
  static constexpr std::pair<std::string_view, Msg> kLabels[] = {
      {"feature", msg::cond_label_feature},       {"scenario", msg::cond_label_scenario},
      {"server_os", msg::cond_label_server_os},   {"client_os", msg::cond_label_client_os},
      {"network_os", msg::cond_label_network_os}, {"profile", msg::cond_label_profile}};
  Msg label_message = msg::cond_label_server_role;
  for (const auto& [kind, message] : kLabels)
    if (condition.kind == kind) label_message = message;
  const std::string label = say(label_message, lang);
  std::string values;
  for (const auto& v : condition.values) {
    if (!values.empty()) values += msg::list_separator.in(lang);
    if (condition.kind == "feature")
      values += vocabulary_text(catalog.features, v);
    else if (condition.kind == "scenario")
      values += vocabulary_text(catalog.scenarios, v);
    else if (condition.kind == "server_role") {
      const auto* role = catalog.role(v);
      values += role ? role->names.in(lang) : v;
    } else if (condition.kind == "profile") {
      values += v;
    } else
      values += os_name(v);
  }
  return label + ": " + values;
}

}  // namespace winports::catalog
