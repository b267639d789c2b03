#include "winports/catalog/model.hpp"

#include <algorithm>
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

const RpcInterface* Catalog::rpc_interface(std::string_view uuid) const {
  auto same = [&](const RpcInterface& i) {
    return std::equal(i.uuid.begin(), i.uuid.end(), uuid.begin(), uuid.end(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
  };
  auto it = std::find_if(rpc_interfaces.begin(), rpc_interfaces.end(), same);
  return it != rpc_interfaces.end() ? &*it : nullptr;
}

}  // namespace winports::catalog
