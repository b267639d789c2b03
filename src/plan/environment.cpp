#include "winports/plan/environment.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "winports/catalog/messages.hpp"
#include "winports/catalog/rules.hpp"
#include "winports/core/address_set.hpp"
#include "winports/core/messages.hpp"
#include "winports/core/yaml_reader.hpp"
#include "winports/plan/messages.hpp"

namespace winports::plan {
namespace {

using yaml::closest;
using yaml::Reader;

std::vector<std::string> names_of(const auto& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.name);
  return out;
}

// A list of ids that must each name something known; unknown ones fail with a suggestion. The
// list of known ids is built only for an error: a large site names services thousands of times.
template <class Items, class IdOf>
std::vector<std::string> known_ids(const Reader& r, const yaml::Node& node, const std::string& path, Msg unknown,
                                   const Items& items, IdOf id_of) {
  auto values = r.strings(node, path);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::any_of(items.begin(), items.end(), [&](const auto& item) { return id_of(item) == values[i]; })) continue;
    std::vector<std::string> known;
    for (const auto& item : items) known.push_back(id_of(item));
    r.fail(node[i], Reader::index(path, i), said(unknown, {values[i]}) + closest(values[i], known));
  }
  return values;
}

auto by_id = [](const auto& item) -> const std::string& { return item.id; };

// Static RPC ports must differ from each other on one machine (Netlogon event 5809, KB 224196).
void check_distinct_rpc_ports(const Reader& r, const yaml::Node& node, const std::string& path, const Settings& s,
                              const catalog::Catalog& c) {
  std::map<std::uint16_t, std::string> seen;
  for (const auto& ps : c.port_settings) {
    if (ps.kind != catalog::PortSettingKind::static_rpc) continue;
    auto it = s.ports.find(std::string(ps.key));
    if (it == s.ports.end()) continue;
    auto [other, fresh] = seen.emplace(it->second, std::string(ps.key));
    if (!fresh)
      r.fail(node[std::string(ps.key)], Reader::join(path, std::string(ps.key)),
             msg::site_static_rpc_clash(std::to_string(it->second), other->second));
  }
}

// Each side an access entry's name stands for, as the planner expands it: a zone (as a source) or
// its hosts (as a destination), a host, or role:NAME's hosts.
struct AccessSide {
  std::string name;
  std::vector<Network> networks;
  const Host* host = nullptr;
};
std::vector<AccessSide> access_sides(const Environment& env, const std::string& name, bool destination) {
  std::vector<AccessSide> out;
  auto role = name.rfind("role:", 0) == 0 ? name.substr(5) : "";
  if (const auto* h = env.host(name)) return {{h->name, h->addresses, h}};
  // The outside zone has no hosts: as a destination it is its addresses.
  if (const auto* z = env.zone(name); z && (!destination || z->outside)) return {{z->name, z->networks, nullptr}};
  for (const auto& h : env.hosts)
    if (role.empty() ? h.zone == name : std::find(h.roles.begin(), h.roles.end(), role) != h.roles.end())
      out.push_back({h.name, h.addresses, &h});
  return out;
}

std::set<int> families(const std::vector<Network>& networks) {
  std::set<int> out;
  for (const auto& n : networks) out.insert(n.family);
  return out;
}

bool shares_family(const std::set<int>& a, const std::set<int>& b) {
  return std::any_of(a.begin(), a.end(), [&](int f) { return b.count(f) > 0; });
}

std::string family_names(const std::set<int>& f) {
  return join(f, " and ", [](int family) { return "IPv" + std::to_string(family); });
}

// A client that shares no address family with any host of the destination gets no rule in any
// format: refuse the entry rather than plan flows every emitter would drop. (Single hosts of a zone
// or role it cannot reach beside others it can are the planner's warning.)
void check_families(const Reader& r, const yaml::Node& node, const std::string& path, const Environment& env,
                    const Access& entry) {
  auto servers = access_sides(env, entry.to, true);
  for (const auto& from : access_sides(env, entry.from, false)) {
    auto a = families(from.networks);
    std::set<int> theirs;
    bool reachable = false;
    for (const auto& to : servers) {
      if (from.name == to.name) continue;
      auto b = families(to.networks);
      theirs.insert(b.begin(), b.end());
      reachable |= shares_family(a, b);
    }
    if (!reachable && !theirs.empty())
      r.fail(node, path, msg::site_no_family(from.name, family_names(a), entry.to, family_names(theirs)));
  }
}

// An entry that grants nothing on every host of its destination is a mistake, not a rule: say
// what the destination serves. (Hosts that get nothing beside others that do are the planner's
// warning; a destination without hosts keeps its warning too.)
void check_grants(const Reader& r, const yaml::Node& node, const std::string& path, const Environment& env,
                  const catalog::Catalog& c, const Access& entry, ServedServices& services_served) {
  if (!entry.services.empty()) return;
  if (const auto* z = env.zone(entry.to); z && z->outside) {
    // The outside runs no roles: only a profile of what it answers (time, DNS, updates, CRLs).
    const auto* profile = entry.as.empty() ? nullptr : c.profile(entry.as);
    if (profile && profile->outbound) return;
    std::vector<std::string> outbound;
    for (const auto& p : c.profiles)
      if (p.outbound) outbound.push_back(p.id);
    r.fail(node, path, msg::site_any_has_no_roles(join(outbound, ", ")));
  }
  auto hosts = access_sides(env, entry.to, true);
  if (entry.as.empty()) {
    // Without as: or services: an entry would open every service of the destination's roles (RPC
    // over HTTP included): never what an administrator means. Name the profiles that fit it.
    std::set<std::string> served;
    for (const auto& side : hosts) {
      const auto& offered = services_served(*side.host, true);
      served.insert(offered.begin(), offered.end());
    }
    std::vector<std::string> fit;
    for (const auto& p : c.profiles)
      if (std::any_of(p.services.begin(), p.services.end(), [&](const std::string& s) { return served.count(s); }))
        fit.push_back(p.id);
    r.fail(node, path,
           msg::site_no_as_or_services(entry.to) +
               (fit.empty() ? LocalizedText{} : msg::site_profiles_that_fit(entry.to, join(fit, ", "))));
  }
  // A role that never serves the profile (no writable DC replicates from an RODC): when every
  // destination host refuses it, the entry is a mistake the role's own words explain.
  const catalog::Role* refusing = nullptr;
  for (const auto& side : hosts) {
    const catalog::Role* refused = nullptr;
    for (const auto& id : side.host->roles)
      if (const auto* role = c.role(id); role && role->refuses.count(entry.as)) refused = role;
    if (!refused) {
      refusing = nullptr;
      break;
    }
    refusing = refused;
  }
  if (refusing)
    r.fail(node, path, msg::site_role_refuses(entry.to, refusing->names, entry.as, refusing->refuses.at(entry.as)));
  std::set<std::string> served;
  for (const auto& side : hosts) {
    const auto& offered = services_served(*side.host, !entry.as.empty());
    if (entry.as.empty() && !offered.empty()) return;
    if (!entry.as.empty())
      for (const auto& s : c.profile(entry.as)->services)
        if (offered.count(s)) return;
    served.insert(offered.begin(), offered.end());
  }
  if (hosts.empty()) return;
  auto what = served.empty() ? msg::site_serves_nothing() : LocalizedText{{}, join(served, ", ")};
  r.fail(node, path, msg::site_grants_nothing(entry.as, join(c.profile(entry.as)->services, ", "), entry.to, what));
}

Settings parse_settings(const Reader& r, const yaml::Node& node, const std::string& path, const catalog::Catalog& c) {
  Settings s;
  if (!node.IsDefined() || node.IsNull()) return s;
  std::vector<std::string_view> keys{"rpc_dynamic_ports", "netbios",  "winrm_version", "ftp_passive_ports",
                                     "legacy_clients",    "features", "scenarios"};
  for (const auto& ps : c.port_settings) keys.push_back(ps.key);
  if (path == "settings") {  // network-wide choices, not a host's
    keys.push_back("kb_literal");
    keys.push_back("pdc_emulator");
    keys.push_back("azure_asgs");
  }
  r.check_keys(node, path, keys);
  auto ranges = [&](const char* key) -> std::optional<PortSet> {
    auto n = node[key];
    if (!n.IsDefined()) return std::nullopt;
    auto p = Reader::join(path, key);
    PortSet set;
    if (n.IsScalar()) {
      auto range = parse_port_range(n.as<std::string>());
      if (!range) r.fail(n, p, msg::site_expected_port_range());
      set.add(*range);
    } else {
      set = r.ports(n, p);
    }
    if (set.empty()) r.fail(n, p, msg::yaml_must_not_be_empty());
    return set;
  };
  s.rpc_dynamic_ports = ranges("rpc_dynamic_ports");
  s.ftp_passive_ports = ranges("ftp_passive_ports");
  if (node["netbios"].IsDefined()) s.netbios = r.boolean(node["netbios"], Reader::join(path, "netbios"));
  if (node["winrm_version"].IsDefined())
    s.winrm_version = r.one_of(node["winrm_version"], Reader::join(path, "winrm_version"), {"1.1", "2.0"});
  if (node["legacy_clients"].IsDefined())
    s.legacy_clients = r.boolean(node["legacy_clients"], Reader::join(path, "legacy_clients"));
  if (node["kb_literal"].IsDefined()) s.kb_literal = r.boolean(node["kb_literal"], Reader::join(path, "kb_literal"));
  if (node["pdc_emulator"].IsDefined())
    s.pdc_emulator = r.nonempty(node["pdc_emulator"], Reader::join(path, "pdc_emulator"));
  for (const auto& ps : c.port_settings) {
    auto n = node[std::string(ps.key)];
    if (!n.IsDefined()) continue;
    auto p = Reader::join(path, std::string(ps.key));
    auto range = parse_port_range(r.scalar(n, p));
    if (!range || range->lo != range->hi || range->lo == 0) r.fail(n, p, msg::site_expected_one_port());
    s.ports[std::string(ps.key)] = range->lo;
  }
  check_distinct_rpc_ports(r, node, path, s, c);
  s.azure_asgs =
      known_ids(r, node["azure_asgs"], Reader::join(path, "azure_asgs"), msg::site_unknown_role, c.roles, by_id);
  s.features =
      known_ids(r, node["features"], Reader::join(path, "features"), msg::site_unknown_feature, c.features, by_id);
  s.scenarios =
      known_ids(r, node["scenarios"], Reader::join(path, "scenarios"), msg::site_unknown_scenario, c.scenarios, by_id);
  return s;
}

std::string parse_os(const Reader& r, const yaml::Node& node, const std::string& path, const catalog::Catalog& c) {
  if (!node.IsDefined()) return "";
  auto os = r.nonempty(node, path);
  if (!c.os(os)) {
    std::vector<std::string> known;
    for (const auto& v : c.os_versions) known.push_back(v.id);
    r.fail(node, path, msg::site_unknown_os(os) + closest(os, known));
  }
  return c.os(os)->id;
}

}  // namespace

const Zone* Environment::zone(std::string_view name) const {
  auto it = zone_index.find(std::string(name));
  return it == zone_index.end() ? nullptr : &zones[it->second];
}
const Host* Environment::host(std::string_view name) const {
  auto it = host_index.find(std::string(name));
  return it == host_index.end() ? nullptr : &hosts[it->second];
}
const Zone* Environment::zone_of(const Network& address) const {
  for (const auto& z : zones)
    if (std::any_of(z.networks.begin(), z.networks.end(), [&](const Network& n) { return n.contains(address); }))
      return &z;
  return nullptr;
}
const Host* Environment::host_at(const Network& address) const {
  for (const auto& h : hosts)
    for (const auto& a : h.addresses)
      if (a.contains(address) && address.contains(a)) return &h;
  return nullptr;
}
std::string Environment::os_of(const Host& h) const {
  if (!h.os.empty()) return h.os;
  const auto* z = zone(h.zone);
  return z ? z->os : "";
}

bool valid_azure_nsg_name(std::string_view name) {
  auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  return !name.empty() && name.size() <= 80 && std::isalnum(static_cast<unsigned char>(name.front())) &&
         word(name.back()) &&
         std::all_of(name.begin(), name.end(), [&](char ch) { return word(ch) || ch == '.' || ch == '-'; });
}

namespace {

// One entry of zones: its networks (no overlap with an earlier zone), OS, ASA interface, settings.
Zone parse_zone(const Reader& r, const yaml::Node& key, const yaml::Node& value, const Environment& env,
                const catalog::Catalog& c) {
  Zone z;
  z.name = key.as<std::string>();
  z.line = key.Mark().line + 1;
  auto path = "zones." + z.name;
  if (z.name == kAnyZone) r.fail(key, path, msg::site_any_reserved());
  r.check_keys(value, path, {"networks", "os", "settings", "asa_interface", "azure_nsg"});
  auto nets = r.required(value, path, "networks");
  auto net_path = path + ".networks";
  if (!nets.IsSequence() || nets.size() == 0) r.fail(nets, net_path, msg::site_expected_networks());
  for (std::size_t i = 0; i < nets.size(); ++i) {
    auto n = parse_network(r.scalar(nets[i], Reader::index(net_path, i)));
    if (!n) r.fail(nets[i], Reader::index(net_path, i), msg::site_not_a_network());
    for (const auto& other : env.zones)
      for (const auto& on : other.networks)
        if (on.overlaps(*n))
          r.fail(nets[i], Reader::index(net_path, i),
                 msg::site_network_overlaps(n->to_string(), on.to_string(), other.name, std::to_string(other.line)));
    z.networks.push_back(*n);
  }
  z.os = parse_os(r, value["os"], path + ".os", c);
  if (auto iface = value["asa_interface"]; iface.IsDefined()) {
    // An ASA nameif: letters, digits, '-', '_' and '.', at most 48 characters.
    z.asa_interface = r.nonempty(iface, path + ".asa_interface");
    bool valid =
        z.asa_interface.size() <= 48 && std::all_of(z.asa_interface.begin(), z.asa_interface.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
        });
    if (!valid) r.fail(iface, path + ".asa_interface", msg::site_not_asa_interface(z.asa_interface));
  }
  if (auto nsg = value["azure_nsg"]; nsg.IsDefined()) {
    // An Azure resource name for a network security group: 1-80 letters, digits, '_', '.' and '-',
    // beginning with a letter or digit and ending with a letter, digit or '_'.
    z.azure_nsg = r.nonempty(nsg, path + ".azure_nsg");
    if (!valid_azure_nsg_name(z.azure_nsg)) r.fail(nsg, path + ".azure_nsg", msg::site_not_azure_nsg(z.azure_nsg));
  }
  z.settings = parse_settings(r, value["settings"], path + ".settings", c);
  if (const auto* dup = env.zone(z.name)) r.fail(key, path, msg::site_zone_twice(std::to_string(dup->line)));
  return z;
}

// A role bound to a product version must run on the host's Windows (data/products.yaml): Exchange
// 2003's rows on a Server 2022 plan ports that host never opens, and leave out the ones it does.
void check_products(const Reader& r, const yaml::Node& node, const std::string& path,
                    const std::vector<std::string>& roles, const std::string& os_id, const catalog::Catalog& c) {
  const auto* os = os_id.empty() ? nullptr : c.os(os_id);
  if (!os) return;
  auto runs_here = [&](const catalog::ProductVersion& v) {
    return std::find(v.runs_on.begin(), v.runs_on.end(), os->id) != v.runs_on.end();
  };
  for (std::size_t i = 0; i < roles.size(); ++i) {
    const auto* product = c.product(roles[i]);
    if (!product || std::any_of(product->versions.begin(), product->versions.end(), runs_here)) continue;
    auto versions = join(product->versions, " / ", [](const catalog::ProductVersion& v) { return v.product; });
    auto at = Reader::index(path, i);
    for (const auto& other : c.products) {
      if (other.family != product->family || other.role == product->role) continue;
      auto fits = std::find_if(other.versions.begin(), other.versions.end(), runs_here);
      if (fits != other.versions.end())
        r.fail(node[i], at, msg::site_role_not_on_os(roles[i], versions, os->names.en, other.role, fits->product));
    }
    r.fail(node[i], at, msg::site_role_on_no_os(roles[i], versions, os->names.en));
  }
}

// A host's `address:`: one address, or a list of them (either family, each once).
std::vector<Network> parse_addresses(const Reader& r, const yaml::Node& node, const std::string& path) {
  auto one = [&](const yaml::Node& item, const std::string& at) {
    auto a = parse_network(r.scalar(item, at));
    if (!a || a->prefix != (a->family == 4 ? 32 : 128)) r.fail(item, at, msg::site_expected_address());
    return *a;
  };
  if (!node.IsSequence()) return {one(node, path)};
  if (node.size() == 0) r.fail(node, path, msg::site_expected_address());
  std::vector<Network> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto at = Reader::index(path, i);
    auto a = one(node[i], at);
    if (std::find(out.begin(), out.end(), a) != out.end()) r.fail(node[i], at, msg::site_address_twice(a.to_string()));
    out.push_back(a);
  }
  return out;
}

// One entry of hosts: an address inside its zone, OS, roles, extra services, settings.
Host parse_host(const Reader& r, const yaml::Node& key, const yaml::Node& value, const Environment& env,
                const catalog::Catalog& c, const yaml::Errors& errors) {
  Host h;
  h.name = key.as<std::string>();
  h.line = key.Mark().line + 1;
  auto path = "hosts." + h.name;
  if (env.zone(h.name)) r.fail(key, path, msg::site_host_named_like_zone());
  r.check_keys(value, path, {"address", "zone", "os", "roles", "services", "settings"});
  auto addr_node = r.required(value, path, "address");
  h.addresses = parse_addresses(r, addr_node, path + ".address");
  auto zone_node = r.required(value, path, "zone");
  h.zone = r.nonempty(zone_node, path + ".zone");
  if (errors.skipped(h.zone)) {
    // Its zone's own error says the rest; what the host says of itself is still checked.
    h.os = parse_os(r, value["os"], path + ".os", c);
    known_ids(r, value["roles"], path + ".roles", msg::site_unknown_role, c.roles, by_id);
    known_ids(r, value["services"], path + ".services", msg::site_unknown_service, c.services, by_id);
    parse_settings(r, value["settings"], path + ".settings", c);
    throw yaml::SkipEntry{};
  }
  const auto* z = env.zone(h.zone);
  if (!z) r.fail(zone_node, path + ".zone", msg::site_unknown_zone(h.zone) + closest(h.zone, names_of(env.zones)));
  for (std::size_t i = 0; i < h.addresses.size(); ++i) {
    const auto& a = h.addresses[i];
    bool inside = std::any_of(z->networks.begin(), z->networks.end(), [&](const Network& n) { return n.contains(a); });
    auto node = addr_node.IsSequence() ? addr_node[i] : addr_node;
    auto at = addr_node.IsSequence() ? Reader::index(path + ".address", i) : path + ".address";
    if (!inside) r.fail(node, at, msg::site_outside_zone(a.to_string(), h.zone));
  }
  h.os = parse_os(r, value["os"], path + ".os", c);
  h.roles = known_ids(r, value["roles"], path + ".roles", msg::site_unknown_role, c.roles, by_id);
  check_products(r, value["roles"], path + ".roles", h.roles, h.os.empty() ? z->os : h.os, c);
  h.services = known_ids(r, value["services"], path + ".services", msg::site_unknown_service, c.services, by_id);
  h.settings = parse_settings(r, value["settings"], path + ".settings", c);
  if (const auto* dup = env.host(h.name)) r.fail(key, path, msg::site_host_twice(std::to_string(dup->line)));
  return h;
}

// The outside zone (`any`), added once, after every zone is known: the addresses in no zone, in
// each family the site uses.
void add_outside_zone(Environment& env) {
  if (env.zone(kAnyZone)) return;
  Zone z;
  z.name = std::string(kAnyZone);
  z.outside = true;
  AddressSet inside;
  std::set<int> used;
  for (const auto& zone : env.zones)
    for (const auto& n : zone.networks) inside.add(n), used.insert(n.family);
  for (int family : used) {
    auto rest = AddressSet::all_of(family).subtract(inside).prefixes();
    z.networks.insert(z.networks.end(), rest.begin(), rest.end());
  }
  env.zone_index.emplace(z.name, env.zones.size());
  env.zones.push_back(std::move(z));
}

// One access entry: from/to (a zone, host, role:NAME, any/internet), as: or services:, scenarios;
// then what it grants is checked against its destination.
Access parse_access(const Reader& r, const yaml::Node& a, const std::string& path, Environment& env,
                    const catalog::Catalog& c, const yaml::Errors& errors, const std::vector<std::string>& endpoints,
                    ServedServices& served) {
  r.check_keys(a, path, {"from", "to", "as", "services", "scenarios"});
  Access entry;
  entry.line = a.Mark().line + 1;
  bool from_skipped = false, to_skipped = false;  // a side whose own entry had the error
  for (auto [key, into] : {std::pair{"from", &entry.from}, std::pair{"to", &entry.to}}) {
    auto node = r.required(a, path, key);
    *into = r.nonempty(node, Reader::join(path, key));
    // `internet` is any's alias unless the site has a zone of that name (it then means that zone).
    if (*into == kAnyZone || (*into == kInternetAlias && !env.zone(kInternetAlias)))
      *into = std::string(kAnyZone), add_outside_zone(env);
    if (errors.skipped(*into)) {
      (std::string_view(key) == "from" ? from_skipped : to_skipped) = true;
      continue;
    }
    bool known = into->rfind("role:", 0) == 0 ? c.role(into->substr(5)) != nullptr
                                              : env.zone(*into) != nullptr || env.host(*into) != nullptr;
    if (!known) r.fail(node, Reader::join(path, key), msg::site_no_endpoint(*into) + closest(*into, endpoints));
  }
  if (a["as"].IsDefined()) {
    entry.as = r.nonempty(a["as"], path + ".as");
    if (!c.profile(entry.as)) {
      std::vector<std::string> known;
      for (const auto& p : c.profiles) known.push_back(p.id);
      r.fail(a["as"], path + ".as", msg::site_unknown_profile(entry.as) + closest(entry.as, known));
    }
  }
  entry.services = known_ids(r, a["services"], path + ".services", msg::site_unknown_service, c.services, by_id);
  if (!entry.as.empty() && !entry.services.empty()) r.fail(a, path, msg::site_as_and_services());
  entry.scenarios = r.strings(a["scenarios"], path + ".scenarios");
  // What depends on a side whose own error was said is not checked again; the rest is.
  if (!from_skipped && !to_skipped) check_families(r, a, path, env, entry);
  if (!to_skipped) check_grants(r, a, path, env, c, entry, served);
  if (from_skipped || to_skipped) throw yaml::SkipEntry{};
  return entry;
}

}  // namespace

Result<Environment> load_environment(const SourceFile& file, const catalog::Catalog& c) {
  return yaml::guarded([&]() -> Result<Environment> {
    Reader r(file.name);
    auto root = yaml::parse_yaml(file);
    r.check_keys(root, "", {"site", "zones", "hosts", "access", "settings"});
    Environment env;
    env.file = file.name;
    env.site = r.nonempty(r.required(root, "", "site"), "site");
    env.settings = parse_settings(r, root["settings"], "settings", c);
    // Each zone, host and access entry on its own: a bad one is reported with the others (up to
    // 20) and entries naming it are skipped, not reported again.
    yaml::Errors errors;
    auto zones = r.required(root, "", "zones");
    if (!zones.IsMap()) r.fail(zones, "zones", msg::site_expected_zones());
    for (const auto& kv : zones)
      errors.entry(kv.first.as<std::string>(), [&] {
        auto z = parse_zone(r, kv.first, kv.second, env, c);
        env.zone_index.emplace(z.name, env.zones.size());
        env.zones.push_back(std::move(z));
      });
    if (auto hosts = root["hosts"]; hosts.IsDefined() && !hosts.IsNull()) {
      if (!hosts.IsMap()) r.fail(hosts, "hosts", msg::site_expected_hosts());
      for (const auto& kv : hosts)
        errors.entry(kv.first.as<std::string>(), [&] {
          auto h = parse_host(r, kv.first, kv.second, env, c, errors);
          env.host_index.emplace(h.name, env.hosts.size());
          env.hosts.push_back(std::move(h));
        });
    }
    if (!env.settings.pdc_emulator.empty())
      errors.entry("", [&] {
        const auto* pdc = env.host(env.settings.pdc_emulator);
        if (!pdc || !std::any_of(pdc->roles.begin(), pdc->roles.end(),
                                 [](const std::string& role) { return role == "domain-controller"; }))
          r.fail(root["settings"]["pdc_emulator"], "settings.pdc_emulator",
                 msg::site_pdc_not_a_dc(env.settings.pdc_emulator));
      });
    // An application security group for a role no host carries would name nobody.
    for (std::size_t i = 0; i < env.settings.azure_asgs.size(); ++i)
      errors.entry("", [&] {
        const auto& role = env.settings.azure_asgs[i];
        if (std::none_of(env.hosts.begin(), env.hosts.end(), [&](const Host& h) {
              return std::find(h.roles.begin(), h.roles.end(), role) != h.roles.end();
            }))
          r.fail(root["settings"]["azure_asgs"][i], Reader::index("settings.azure_asgs", i),
                 msg::site_asg_role_unused(role));
      });
    std::vector<std::string> endpoints = names_of(env.zones);  // what a typo in from/to may have meant
    endpoints.emplace_back(kAnyZone);
    for (const auto& h : env.hosts) endpoints.push_back(h.name);
    for (const auto& role : c.roles) endpoints.push_back("role:" + role.id);
    auto access = r.required(root, "", "access");
    if (!access.IsSequence()) r.fail(access, "access", msg::site_expected_access());
    ServedServices served(c, env);  // the hosts are all read: they stay where they are
    for (std::size_t i = 0; i < access.size(); ++i)
      errors.entry("", [&] {
        env.access.push_back(parse_access(r, access[i], Reader::index("access", i), env, c, errors, endpoints, served));
      });
    errors.raise();
    return env;
  });
}

std::set<std::string> services_served(const catalog::Catalog& c, const Environment& env, const Host& host, bool base) {
  std::set<std::string> out(host.services.begin(), host.services.end());
  auto os = env.os_of(host);
  const auto* version = c.os(os);
  auto add = [&](const catalog::Role& role) {
    out.insert(role.services.begin(), role.services.end());
    for (const auto& entry : role.by_os)
      if (version && catalog::os_matches(c, os, entry.os) &&
          (entry.kind.empty() || version->kind == entry.kind || version->kind == "both"))
        out.insert(entry.services.begin(), entry.services.end());
  };
  for (const auto& id : host.roles)
    if (const auto* role = c.role(id)) add(*role);
  if (base)
    for (const auto& role : c.roles)
      if (role.base) add(role);
  return out;
}

Result<Place> resolve_place(const Environment& env, const catalog::Catalog& c, std::string_view name,
                            std::string_view field) {
  auto fail = [&](const LocalizedText& message) { return Error{env.file, 0, 0, std::string(field), message}; };
  std::string text(name);
  if (text == kInternetAlias && !env.zone(kInternetAlias) && env.zone(kAnyZone)) text = std::string(kAnyZone);
  if (text.rfind("role:", 0) == 0) {
    auto role = text.substr(5);
    if (!c.role(role)) {
      std::vector<std::string> roles;
      for (const auto& r : c.roles) roles.push_back("role:" + r.id);
      return fail(msg::site_no_role_named(role) + closest(text, roles));
    }
    Place place{{text, text}, {}, {}};
    for (const auto& h : env.hosts)
      if (std::find(h.roles.begin(), h.roles.end(), role) != h.roles.end()) {
        place.networks.insert(place.networks.end(), h.addresses.begin(), h.addresses.end());
        place.members.push_back({{h.name, h.name}, h.addresses, false});
      }
    if (place.members.size() == 1) place.members.clear();
    if (place.networks.empty()) return fail(msg::site_no_host_with_role(role));
    return place;
  }
  if (const auto* h = env.host(text)) return Place{{h->name, h->name}, h->addresses, {}};
  if (const auto* z = env.zone(text)) {
    Place place{msg::place_zone(z->name), z->networks, {}};
    for (const auto& h : env.hosts)
      if (h.zone == z->name) place.members.push_back({{h.name, h.name}, h.addresses, false});
    if (!place.members.empty()) place.members.push_back({msg::place_rest_of_zone(z->name), z->networks, true});
    return place;
  }
  if (auto n = parse_network(text)) {
    if (const auto* h = env.host_at(*n)) {
      auto label = text + " (" + h->name + ")";
      return Place{{label, label}, {*n}, {}};
    }
    if (const auto* z = env.zone_of(*n)) return Place{msg::place_address_in_zone(text, z->name), {*n}, {}};
    return fail(msg::site_in_no_zone(text));
  }
  std::vector<std::string> names = names_of(env.zones);
  for (const auto& h : env.hosts) names.push_back(h.name);
  return fail(msg::site_no_endpoint(text) + closest(text, names));
}

}  // namespace winports::plan
