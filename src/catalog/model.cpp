#include "winports/catalog/model.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace winports::catalog {

const Service* Catalog::service(std::string_view id) const {
  auto it = std::lower_bound(services.begin(), services.end(), id,
                             [](const Service& s, std::string_view v) { return s.id < v; });
  return it != services.end() && it->id == id ? &*it : nullptr;
}

const Role* Catalog::role(std::string_view id) const {
  auto it = std::find_if(roles.begin(), roles.end(), [&](const Role& r) { return r.id == id; });
  return it != roles.end() ? &*it : nullptr;
}

const Role* Catalog::profile(std::string_view id) const {
  auto it = std::find_if(profiles.begin(), profiles.end(), [&](const Role& r) { return r.id == id; });
  return it != profiles.end() ? &*it : nullptr;
}

const OsVersion* Catalog::os(std::string_view id_or_alias) const {
  for (const auto& os : os_versions) {
    if (os.id == id_or_alias) return &os;
    if (std::find(os.aliases.begin(), os.aliases.end(), id_or_alias) != os.aliases.end()) return &os;
  }
  return nullptr;
}

const RoleProduct* Catalog::product(std::string_view role_id) const {
  auto it = std::find_if(products.begin(), products.end(), [&](const RoleProduct& p) { return p.role == role_id; });
  return it != products.end() ? &*it : nullptr;
}

const RpcInterface* Catalog::rpc_interface(std::string_view uuid) const {
  auto same = [&](const RpcInterface& i) {
    return std::equal(i.uuid.begin(), i.uuid.end(), uuid.begin(), uuid.end(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
  };
  auto it = std::find_if(rpc_interfaces.begin(), rpc_interfaces.end(), same);
  return it != rpc_interfaces.end() ? &*it : nullptr;
}

const Document* Catalog::document(std::string_view id) const {
  auto it = std::find_if(documents.begin(), documents.end(), [&](const Document& d) { return d.id == id; });
  return it != documents.end() ? &*it : nullptr;
}

const PredefinedRule* Catalog::predefined_rule(std::string_view name) const {
  auto it = std::find_if(predefined_rules.begin(), predefined_rules.end(),
                         [&](const PredefinedRule& r) { return r.name == name; });
  return it != predefined_rules.end() ? &*it : nullptr;
}

std::vector<const PredefinedRule*> Catalog::predefined_enabled(const std::vector<std::string>& host_roles,
                                                               std::string_view os_kind) const {
  std::vector<const PredefinedRule*> out;
  for (const auto& rule : predefined_rules) {
    bool on = std::any_of(rule.enabled_on.begin(), rule.enabled_on.end(), [&](const std::string& where) {
      if (where == "any" || where == os_kind) return true;
      return std::any_of(host_roles.begin(), host_roles.end(), [&](const auto& r) { return role_is(r, where); });
    });
    if (on) out.push_back(&rule);
  }
  return out;
}

bool Catalog::role_is(std::string_view role_id, std::string_view wanted) const {
  if (role_id == wanted) return true;
  const auto* r = role(role_id);
  return r && !r->kind_of.empty() && r->kind_of == wanted;
}

namespace {
constexpr std::array<std::pair<Origin, std::string_view>, 4> kOrigins{
    {{Origin::kb, "kb"}, {Origin::doc, "doc"}, {Origin::model, "model"}, {Origin::user, "user"}}};
}  // namespace

std::string_view to_string(Origin origin) {
  for (auto [o, name] : kOrigins)
    if (o == origin) return name;
  return "kb";
}

std::optional<Origin> parse_origin(std::string_view text) {
  for (auto [o, name] : kOrigins)
    if (name == text) return o;
  return std::nullopt;
}

}  // namespace winports::catalog
