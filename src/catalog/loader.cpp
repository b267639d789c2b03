#include "winports/catalog/loader.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "winports/catalog/messages.hpp"
#include "winports/core/file.hpp"
#include "winports/core/messages.hpp"
#include "winports/core/yaml_reader.hpp"

namespace winports::catalog {
namespace {

using yaml::closest;
using yaml::guarded;
using yaml::LoadFailure;
using yaml::parse_yaml;
using yaml::Reader;

// 8-4-4-4-12 lower-case hex. By hand, not <regex>: GCC 12 warns inside <regex> under sanitizers.
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-'
             : !std::isxdigit(static_cast<unsigned char>(s[i])) || std::isupper(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

bool vocabulary_has(const std::vector<VocabularyEntry>& entries, const std::string& id) {
  return std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return e.id == id; });
}

std::vector<Condition> parse_conditions(const Reader& r, const yaml::Node& node, const std::string& path,
                                        const Catalog& context) {
  std::vector<Condition> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) r.fail(node, path, msg::cat_expected_conditions());
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto item_path = Reader::index(path, i);
    const auto& item = node[i];
    r.check_keys(item, item_path,
                 {"feature", "scenario", "server_os", "client_os", "network_os", "server_role", "profile"});
    if (item.size() != 1) r.fail(item, item_path, msg::cat_one_kind());
    Condition c;
    c.kind = item.begin()->first.as<std::string>();
    auto value = item.begin()->second;
    auto value_path = Reader::join(item_path, c.kind);
    c.values =
        value.IsSequence() ? r.strings(value, value_path) : std::vector<std::string>{r.nonempty(value, value_path)};
    if (c.values.empty()) r.fail(value, value_path, msg::cat_at_least_one_value());
    for (const auto& v : c.values) {
      std::vector<std::string> known;
      bool found = false;
      if (c.kind == "feature" || c.kind == "scenario") {
        const auto& entries = c.kind == "feature" ? context.features : context.scenarios;
        found = vocabulary_has(entries, v);
        for (const auto& e : entries) known.push_back(e.id);
      } else if (c.kind == "server_role") {
        found = context.role(v) != nullptr;
        for (const auto& role : context.roles) known.push_back(role.id);
      } else if (c.kind == "profile") {
        found = context.profile(v) != nullptr;
        for (const auto& profile : context.profiles) known.push_back(profile.id);
      } else {
        std::string id = v;
        if (id.rfind(">=", 0) == 0)
          id = id.substr(2);
        else if (id.rfind('<', 0) == 0)
          id = id.substr(1);
        found = context.os(id) != nullptr;
        for (const auto& os : context.os_versions) known.push_back(os.id);
        if (!found) {
          r.fail(value, value_path, msg::cat_unknown_os_version(id) + closest(id, known));
        }
      }
      if (!found) r.fail(value, value_path, msg::cat_unknown_value(c.kind, v) + closest(v, known));
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<Obsolete> parse_obsolete(const Reader& r, const yaml::Node& node, const std::string& path,
                                       const Catalog& context) {
  if (!node.IsDefined()) return std::nullopt;
  r.check_keys(node, path, {"why", "source", "unless"});
  return Obsolete{r.text(r.required(node, path, "why"), Reader::join(path, "why")),
                  r.nonempty(r.required(node, path, "source"), Reader::join(path, "source")),
                  parse_conditions(r, node["unless"], Reader::join(path, "unless"), context)};
}

AdRelation parse_ad_relation(const Reader& r, const yaml::Node& node, const std::string& path) {
  AdRelation rel;
  if (!node.IsDefined()) return rel;
  rel.present = true;
  if (node.IsNull()) return rel;
  r.check_keys(node, path, {"when"});
  if (node["when"].IsDefined()) rel.when = r.text(node["when"], Reader::join(path, "when"));
  return rel;
}

// A role id that must name a role of the catalog, with the closest id when it names none.
std::string role_named(const Reader& r, const yaml::Node& node, const std::string& path, const Catalog& context) {
  auto id = r.nonempty(node, path);
  if (context.role(id)) return id;
  std::vector<std::string> known;
  for (const auto& role : context.roles) known.push_back(role.id);
  r.fail(node, path, msg::site_unknown_role(id) + closest(id, known));
}

// A requirement's corrections: where the catalog fixes the Japanese seed, recorded, not silent.
std::vector<Correction> parse_corrections(const Reader& r, const yaml::Node& corrections, const std::string& cp) {
  std::vector<Correction> out;
  if (!corrections.IsDefined()) return out;
  if (!corrections.IsSequence()) r.fail(corrections, cp, msg::yaml_expected_list());
  for (std::size_t i = 0; i < corrections.size(); ++i) {
    auto ip = Reader::index(cp, i);
    const auto& c = corrections[i];
    r.check_keys(c, ip, {"field", "seed", "corrected", "reason"});
    out.push_back(
        {r.one_of(r.required(c, ip, "field"), Reader::join(ip, "field"), {"port", "transport", "protocol", "columns"}),
         r.nonempty(r.required(c, ip, "seed"), Reader::join(ip, "seed")),
         r.nonempty(r.required(c, ip, "corrected"), Reader::join(ip, "corrected")),
         r.one_of(r.required(c, ip, "reason"), Reader::join(ip, "reason"),
                  {"footnote-mark", "typo", "swapped-columns", "shifted-columns"})});
  }
  return out;
}

// A KB source ({table, row …}) or another Microsoft document's ({document, section}).
Source parse_source(const Reader& r, const yaml::Node& s, const std::string& ip, const Service& service,
                    const Catalog& context) {
  Source src;
  if (s.IsMap() && s["document"].IsDefined()) {
    r.check_keys(s, ip, {"document", "section", "quote"});
    src.document = r.nonempty(s["document"], Reader::join(ip, "document"));
    const auto* document = context.document(src.document);
    if (!document) {
      std::vector<std::string> known;
      for (const auto& d : context.documents) known.push_back(d.id);
      r.fail(s["document"], Reader::join(ip, "document"),
             msg::cat_no_document(src.document) + closest(src.document, known));
    }
    src.title = document->title;
    src.url = document->url;
    src.section = r.nonempty(r.required(s, ip, "section"), Reader::join(ip, "section"));
    if (s["quote"].IsDefined()) src.quote = r.nonempty(s["quote"], Reader::join(ip, "quote"));
    return src;
  }
  r.check_keys(s, ip, {"table", "row", "protocol", "service", "quote"});
  src.table = r.one_of(r.required(s, ip, "table"), Reader::join(ip, "table"), {"service", "consolidated", "text"});
  if (src.table == "text") {
    src.quote = r.nonempty(r.required(s, ip, "quote"), Reader::join(ip, "quote"));
  } else {
    src.row = r.integer(r.required(s, ip, "row"), Reader::join(ip, "row"), 1, 10000);
  }
  if (src.table == "service" && service.section.en.empty()) r.fail(s, ip, msg::cat_section_needed());
  if (src.table == "consolidated") {
    src.protocol = r.nonempty(r.required(s, ip, "protocol"), Reader::join(ip, "protocol"));
    src.service = r.nonempty(r.required(s, ip, "service"), Reader::join(ip, "service"));
  }
  return src;
}

Requirement parse_requirement(const Reader& r, const yaml::Node& node, const std::string& path, const Service& service,
                              const Catalog& context) {
  r.check_keys(node, path,
               {"protocol", "transport", "ports", "dynamic", "direction", "reply", "icmp_type", "derived_from",
                "optional", "listener", "obsolete", "by_name", "conditions", "notes", "corrections", "sources"});
  Requirement q;
  q.protocol = r.text(r.required(node, path, "protocol"), Reader::join(path, "protocol"));
  auto transport_node = r.required(node, path, "transport");
  auto transport = parse_transport(r.scalar(transport_node, Reader::join(path, "transport")));
  if (!transport) r.fail(transport_node, Reader::join(path, "transport"), msg::cat_not_transport());
  q.transport = *transport;
  auto ports_path = Reader::join(path, "ports");
  q.ports = r.ports(node["ports"], ports_path);
  if (has_ports(q.transport) && q.ports.empty()) r.fail(node, ports_path, msg::cat_ports_needed());
  if (!has_ports(q.transport) && !q.ports.empty()) r.fail(node["ports"], ports_path, msg::cat_no_ports());
  if (node["dynamic"].IsDefined())
    q.dynamic = r.one_of(node["dynamic"], Reader::join(path, "dynamic"), {"rpc", "ftp-passive"});
  if (node["direction"].IsDefined())
    q.direction =
        r.one_of(node["direction"], Reader::join(path, "direction"), {"inbound", "outbound", "outbound-from", "both"});
  if (node["reply"].IsDefined())
    q.reply = r.one_of(node["reply"], Reader::join(path, "reply"), {"same-flow", "any-port"});
  if (node["icmp_type"].IsDefined())
    q.icmp_type = r.one_of(node["icmp_type"], Reader::join(path, "icmp_type"), {"echo"});
  if (auto d = node["derived_from"]; d.IsDefined()) {
    auto dp = Reader::join(path, "derived_from");
    r.check_keys(d, dp, {"port", "offset"});
    q.derived_from = std::pair{r.integer(r.required(d, dp, "port"), Reader::join(dp, "port"), 0, 65535),
                               r.integer(r.required(d, dp, "offset"), Reader::join(dp, "offset"), -65535, 65535)};
  }
  if (node["optional"].IsDefined()) q.optional = r.boolean(node["optional"], Reader::join(path, "optional"));
  if (auto l = node["listener"]; l.IsDefined()) q.listener = role_named(r, l, Reader::join(path, "listener"), context);
  q.obsolete = parse_obsolete(r, node["obsolete"], Reader::join(path, "obsolete"), context);
  if (node["by_name"].IsDefined()) q.by_name = r.boolean(node["by_name"], Reader::join(path, "by_name"));
  q.conditions = parse_conditions(r, node["conditions"], Reader::join(path, "conditions"), context);
  q.notes = r.strings(node["notes"], Reader::join(path, "notes"));
  for (std::size_t i = 0; i < q.notes.size(); ++i) {
    if (!service.notes.count(q.notes[i])) {
      std::vector<std::string> known;
      for (const auto& [id, text] : service.notes) known.push_back(id);
      r.fail(node["notes"][i], Reader::index(Reader::join(path, "notes"), i),
             msg::cat_no_note(q.notes[i]) + closest(q.notes[i], known));
    }
  }
  q.corrections = parse_corrections(r, node["corrections"], Reader::join(path, "corrections"));
  auto sources = r.required(node, path, "sources");
  auto sp = Reader::join(path, "sources");
  if (!sources.IsSequence() || sources.size() == 0) r.fail(sources, sp, msg::cat_expected_sources());
  for (std::size_t i = 0; i < sources.size(); ++i)
    q.sources.push_back(parse_source(r, sources[i], Reader::index(sp, i), service, context));
  const bool from_kb = std::any_of(q.sources.begin(), q.sources.end(), [](const Source& s) { return s.kb(); });
  q.origin = from_kb ? Origin::kb : Origin::doc;
  return q;
}

std::vector<std::filesystem::path> yaml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

void sort_services(Catalog& c) {
  std::sort(c.services.begin(), c.services.end(), [](const Service& a, const Service& b) { return a.id < b.id; });
}

}  // namespace

Result<Service> parse_service(const SourceFile& file, const Catalog& context) {
  return guarded([&]() -> Result<Service> {
    Reader r(file.name);
    auto root = parse_yaml(file);
    r.check_keys(root, "",
                 {"id", "names", "section", "aliases", "system_services", "description", "conditions", "uses",
                  "obsolete", "active_directory", "notes", "general_notes", "discrepancies", "requirements",
                  "kb_counterpart", "identifies_as"});
    Service s;
    auto id_node = r.required(root, "", "id");
    s.id = r.nonempty(id_node, "id");
    auto id_char = [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '-' || c == '.'; };
    if (!std::all_of(s.id.begin(), s.id.end(), id_char) || !std::isalnum(static_cast<unsigned char>(s.id[0])))
      r.fail(id_node, "id", msg::cat_bad_id());
    auto stem = std::filesystem::path(file.name).stem().string();
    if (std::filesystem::path(file.name).extension() == ".yaml" && stem != s.id)
      r.fail(id_node, "id", msg::cat_id_not_file(s.id, stem));
    s.names = r.text(r.required(root, "", "names"), "names");
    if (root["section"].IsDefined()) s.section = r.text(root["section"], "section");
    s.aliases = r.strings(root["aliases"], "aliases");
    s.system_services = r.strings(root["system_services"], "system_services");
    s.description = r.text(r.required(root, "", "description"), "description");
    s.conditions = parse_conditions(r, root["conditions"], "conditions", context);
    s.uses = r.strings(root["uses"], "uses");
    if (root["kb_counterpart"].IsDefined()) s.kb_counterpart = r.nonempty(root["kb_counterpart"], "kb_counterpart");
    s.identifies_as = r.strings(root["identifies_as"], "identifies_as");
    s.obsolete = parse_obsolete(r, root["obsolete"], "obsolete", context);
    if (auto ad = root["active_directory"]; ad.IsDefined()) {
      r.check_keys(ad, "active_directory", {"ad_depends_on", "depends_on_ad"});
      s.ad_depends_on = parse_ad_relation(r, ad["ad_depends_on"], "active_directory.ad_depends_on");
      s.depends_on_ad = parse_ad_relation(r, ad["depends_on_ad"], "active_directory.depends_on_ad");
    }
    if (auto notes = root["notes"]; notes.IsDefined()) {
      if (!notes.IsMap()) r.fail(notes, "notes", msg::cat_expected_notes());
      for (const auto& kv : notes) {
        auto key = kv.first.as<std::string>();
        s.notes[key] = r.text(kv.second, "notes." + key);
      }
    }
    s.general_notes = r.strings(root["general_notes"], "general_notes");
    for (std::size_t i = 0; i < s.general_notes.size(); ++i)
      if (!s.notes.count(s.general_notes[i]))
        r.fail(root["general_notes"][i], Reader::index("general_notes", i),
               msg::cat_no_general_note(s.general_notes[i]));
    if (auto d = root["discrepancies"]; d.IsDefined()) {
      if (!d.IsSequence()) r.fail(d, "discrepancies", msg::yaml_expected_list());
      for (std::size_t i = 0; i < d.size(); ++i)
        s.discrepancies.push_back(r.text(d[i], Reader::index("discrepancies", i)));
    }
    auto reqs = r.required(root, "", "requirements");
    if (!reqs.IsSequence() || reqs.size() == 0) r.fail(reqs, "requirements", msg::cat_expected_nonempty_list());
    for (std::size_t i = 0; i < reqs.size(); ++i)
      s.requirements.push_back(parse_requirement(r, reqs[i], Reader::index("requirements", i), s, context));
    s.file = file.name;
    return s;
  });
}

Result<std::vector<Role>> parse_roles(const SourceFile& file, const char* key) {
  return guarded([&]() -> Result<std::vector<Role>> {
    Reader r(file.name);
    auto root = parse_yaml(file);
    r.check_keys(root, "", {key});
    auto roles = r.required(root, "", key);
    if (!roles.IsMap()) r.fail(roles, key, msg::cat_expected_roles());
    std::vector<Role> out;
    for (const auto& kv : roles) {
      auto id = kv.first.as<std::string>();
      auto path = std::string(key) + "." + id;
      r.check_keys(kv.second, path,
                   {"names", "services", "optional_services", "base", "by_os", "kind_of", "refuses", "origin",
                    "description", "outbound", "needs_beside"});
      Role role;
      role.id = id;
      role.names = r.text(r.required(kv.second, path, "names"), path + ".names");
      role.services = r.strings(r.required(kv.second, path, "services"), path + ".services");
      role.optional_services = r.strings(kv.second["optional_services"], path + ".optional_services");
      role.defined_at = file.name + ":" + std::to_string(kv.first.Mark().line + 1);
      if (kv.second["base"].IsDefined()) role.base = r.boolean(kv.second["base"], path + ".base");
      if (kv.second["kind_of"].IsDefined()) role.kind_of = r.nonempty(kv.second["kind_of"], path + ".kind_of");
      if (auto refuses = kv.second["refuses"]; refuses.IsDefined()) {
        if (!refuses.IsMap()) r.fail(refuses, path + ".refuses", msg::cat_expected_refuses());
        for (const auto& why : refuses) {
          auto profile = why.first.as<std::string>();
          role.refuses[profile] = r.text(why.second, path + ".refuses." + profile);
        }
      }
      if (kv.second["origin"].IsDefined())
        role.origin = *parse_origin(r.one_of(kv.second["origin"], path + ".origin", {"kb", "doc", "model"}));
      if (kv.second["description"].IsDefined())
        role.description = r.text(kv.second["description"], path + ".description");
      if (kv.second["outbound"].IsDefined()) role.outbound = r.boolean(kv.second["outbound"], path + ".outbound");
      if (auto beside = kv.second["needs_beside"]; beside.IsDefined()) {
        if (!beside.IsSequence()) r.fail(beside, path + ".needs_beside", msg::yaml_expected_list());
        for (std::size_t i = 0; i < beside.size(); ++i) {
          auto ip = Reader::index(path + ".needs_beside", i);
          r.check_keys(beside[i], ip, {"role", "as", "when_as", "why"});
          Role::Beside b;
          b.role = r.nonempty(r.required(beside[i], ip, "role"), ip + ".role");
          b.as = r.nonempty(r.required(beside[i], ip, "as"), ip + ".as");
          b.when_as = r.strings(r.required(beside[i], ip, "when_as"), ip + ".when_as");
          b.why = r.text(r.required(beside[i], ip, "why"), ip + ".why");
          role.needs_beside.push_back(std::move(b));
        }
      }
      if (auto by_os = kv.second["by_os"]; by_os.IsDefined()) {
        if (!by_os.IsSequence()) r.fail(by_os, path + ".by_os", msg::cat_expected_by_os());
        for (std::size_t i = 0; i < by_os.size(); ++i) {
          auto ip = Reader::index(path + ".by_os", i);
          r.check_keys(by_os[i], ip, {"os", "kind", "services"});
          OsServices entry{r.nonempty(r.required(by_os[i], ip, "os"), ip + ".os"), "",
                           r.strings(r.required(by_os[i], ip, "services"), ip + ".services")};
          if (by_os[i]["kind"].IsDefined()) entry.kind = r.one_of(by_os[i]["kind"], ip + ".kind", {"client", "server"});
          role.by_os.push_back(std::move(entry));
        }
      }
      out.push_back(std::move(role));
    }
    return out;
  });
}

Status parse_os_table(const SourceFile& file, Catalog& into) {
  return guarded([&]() -> Status {
    Reader r(file.name);
    auto root = parse_yaml(file);
    r.check_keys(root, "", {"dynamic_rpc_ranges", "versions"});
    auto ranges = r.required(root, "", "dynamic_rpc_ranges");
    r.check_keys(ranges, "dynamic_rpc_ranges", {"legacy", "modern"});
    for (const char* era : {"legacy", "modern"}) {
      auto path = std::string("dynamic_rpc_ranges.") + era;
      auto node = r.required(ranges, "dynamic_rpc_ranges", era);
      r.check_keys(node, path, {"ports", "names"});
      auto set = r.ports(r.required(node, path, "ports"), path + ".ports");
      (std::string(era) == "legacy" ? into.legacy_rpc_range : into.modern_rpc_range) = set;
    }
    auto versions = r.required(root, "", "versions");
    if (!versions.IsSequence()) r.fail(versions, "versions", msg::yaml_expected_list());
    into.os_versions.clear();
    for (std::size_t i = 0; i < versions.size(); ++i) {
      auto path = Reader::index("versions", i);
      const auto& v = versions[i];
      r.check_keys(v, path, {"id", "names", "kind", "dynamic_rpc", "aliases", "host_firewall"});
      OsVersion os;
      os.id = r.nonempty(r.required(v, path, "id"), path + ".id");
      os.names = r.text(r.required(v, path, "names"), path + ".names");
      os.kind = r.one_of(r.required(v, path, "kind"), path + ".kind", {"client", "server", "both"});
      os.era = r.one_of(r.required(v, path, "dynamic_rpc"), path + ".dynamic_rpc", {"legacy", "modern"}) == "legacy"
                   ? RpcEra::legacy
                   : RpcEra::modern;
      os.aliases = r.strings(v["aliases"], path + ".aliases");
      os.host_firewall = r.strings(v["host_firewall"], path + ".host_firewall");
      for (std::size_t t = 0; t < os.host_firewall.size(); ++t)
        if (os.host_firewall[t] != "netsh-advfirewall" && os.host_firewall[t] != "netsecurity")
          r.fail(v["host_firewall"][t], Reader::index(path + ".host_firewall", t),
                 msg::yaml_not_one_of(os.host_firewall[t], "netsh-advfirewall, netsecurity"));
      into.os_versions.push_back(std::move(os));
    }
    return ok_status();
  });
}

Status parse_vocabulary(const SourceFile& file, Catalog& into) {
  return guarded([&]() -> Status {
    Reader r(file.name);
    auto root = parse_yaml(file);
    r.check_keys(root, "", {"features", "scenarios"});
    for (const char* key : {"features", "scenarios"}) {
      auto node = root[key];
      if (!node.IsDefined()) continue;
      if (!node.IsMap()) r.fail(node, key, msg::cat_expected_texts());
      auto& list = std::string(key) == "features" ? into.features : into.scenarios;
      for (const auto& kv : node) {
        auto id = kv.first.as<std::string>();
        auto text = r.text(kv.second, std::string(key) + "." + id);
        auto it = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.id == id; });
        if (it != list.end())
          it->text = text;
        else
          list.push_back({id, text});
      }
    }
    return ok_status();
  });
}

namespace {

// A catalog file of one top-level mapping (interfaces:, port_settings:): each entry to `entry`.
template <class Entry>
Status parse_mapping_file(const SourceFile& file, const char* key, Msg expected, Entry&& entry) {
  return guarded([&]() -> Status {
    Reader r(file.name);
    auto root = parse_yaml(file);
    r.check_keys(root, "", {key});
    auto node = root[key];
    if (!node.IsMap()) r.fail(node, key, said(expected));
    for (const auto& kv : node) entry(r, kv);
    return ok_status();
  });
}

// A later file's entry replaces the one of the same key (a user's directory overrides the KB's).
template <class T, class Key>
void put(std::vector<T>& items, T item, Key key) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return key(x) == key(item); });
  if (it != items.end())
    *it = std::move(item);
  else
    items.push_back(std::move(item));
}

// A `service:` value naming a service of the catalog, with the closest id when it names none.
const Service& service_named(const Reader& r, const yaml::Node& node, const std::string& path, const Catalog& c) {
  auto id = r.nonempty(node, path);
  if (const auto* s = c.service(id)) return *s;
  std::vector<std::string> ids;
  for (const auto& s : c.services) ids.push_back(s.id);
  r.fail(node, path, msg::site_unknown_service(id) + closest(id, ids));
}

}  // namespace

Status parse_rpc_interfaces(const SourceFile& file, Catalog& into) {
  return parse_mapping_file(file, "interfaces", msg::cat_expected_interfaces, [&](const Reader& r, const auto& kv) {
    RpcInterface i;
    i.uuid = kv.first.template as<std::string>();
    auto path = "interfaces." + i.uuid;
    if (!is_uuid(i.uuid)) r.fail(kv.first, path, msg::cat_expected_uuid());
    r.check_keys(kv.second, path, {"name", "version", "service", "ept_map", "names"});
    i.name = r.nonempty(r.required(kv.second, path, "name"), path + ".name");
    i.version = r.integer(r.required(kv.second, path, "version"), path + ".version", 0, 65535);
    if (kv.second["service"].IsDefined())
      i.service = service_named(r, kv.second["service"], path + ".service", into).id;
    if (kv.second["ept_map"].IsDefined()) i.ept_map = r.boolean(kv.second["ept_map"], path + ".ept_map");
    i.names = r.text(r.required(kv.second, path, "names"), path + ".names");
    put(into.rpc_interfaces, std::move(i), [](const RpcInterface& x) { return x.uuid; });
  });
}

Status parse_port_settings(const SourceFile& file, Catalog& into) {
  return parse_mapping_file(file, "port_settings", msg::cat_expected_settings, [&](const Reader& r, const auto& kv) {
    PortSetting ps;
    ps.key = kv.first.template as<std::string>();
    auto path = "port_settings." + ps.key;
    r.check_keys(kv.second, path, {"service", "kind", "replaces", "where"});
    const auto& service = service_named(r, r.required(kv.second, path, "service"), path + ".service", into);
    ps.service = service.id;
    auto kind = r.one_of(r.required(kv.second, path, "kind"), path + ".kind", {"static-rpc", "replace"});
    ps.kind = kind == "replace" ? PortSettingKind::replace : PortSettingKind::static_rpc;
    if (ps.kind == PortSettingKind::replace) {
      ps.replaces = r.integer(r.required(kv.second, path, "replaces"), path + ".replaces", 1, 65535);
      bool printed = std::any_of(service.requirements.begin(), service.requirements.end(), [&](const Requirement& q) {
        return q.ports.contains(static_cast<std::uint16_t>(ps.replaces));
      });
      if (!printed)
        r.fail(kv.second["replaces"], path + ".replaces",
               msg::cat_no_row_with_port(ps.service, std::to_string(ps.replaces)));
    } else if (kv.second["replaces"].IsDefined()) {
      r.fail(kv.second["replaces"], path + ".replaces", msg::cat_only_replace());
    }
    ps.where = r.nonempty(r.required(kv.second, path, "where"), path + ".where");
    put(into.port_settings, std::move(ps), [](const PortSetting& x) { return x.key; });
  });
}

Status parse_documents(const SourceFile& file, Catalog& into) {
  return parse_mapping_file(file, "documents", msg::cat_expected_documents, [&](const Reader& r, const auto& kv) {
    Document d;
    d.id = kv.first.template as<std::string>();
    auto path = "documents." + d.id;
    r.check_keys(kv.second, path, {"title", "url"});
    d.title = r.nonempty(r.required(kv.second, path, "title"), path + ".title");
    d.url = r.nonempty(r.required(kv.second, path, "url"), path + ".url");
    if (d.url.rfind("https://", 0) != 0) r.fail(kv.second["url"], path + ".url", msg::cat_expected_https());
    put(into.documents, std::move(d), [](const Document& x) { return x.id; });
  });
}

Status parse_products(const SourceFile& file, Catalog& into) {
  return parse_mapping_file(file, "products", msg::cat_expected_products, [&](const Reader& r, const auto& kv) {
    RoleProduct p;
    p.role = kv.first.template as<std::string>();
    auto path = "products." + p.role;
    if (!into.role(p.role)) r.fail(kv.first, path, msg::site_unknown_role(p.role));
    r.check_keys(kv.second, path, {"family", "versions", "source"});
    p.family = r.nonempty(r.required(kv.second, path, "family"), path + ".family");
    auto versions = r.required(kv.second, path, "versions");
    auto versions_path = path + ".versions";
    if (!versions.IsSequence() || versions.size() == 0) r.fail(versions, versions_path, msg::yaml_expected_list());
    for (std::size_t i = 0; i < versions.size(); ++i) {
      auto at = Reader::index(versions_path, i);
      ProductVersion v;
      r.check_keys(versions[i], at, {"product", "runs_on"});
      v.product = r.nonempty(r.required(versions[i], at, "product"), at + ".product");
      auto runs_on = r.required(versions[i], at, "runs_on");
      v.runs_on = r.strings(runs_on, at + ".runs_on");
      for (std::size_t j = 0; j < v.runs_on.size(); ++j) {
        const auto* os = into.os(v.runs_on[j]);
        if (!os || os->id != v.runs_on[j])
          r.fail(runs_on[j], Reader::index(at + ".runs_on", j), msg::site_unknown_os(v.runs_on[j]));
      }
      p.versions.push_back(std::move(v));
    }
    auto source = r.required(kv.second, path, "source");
    r.check_keys(source, path + ".source", {"document", "section"});
    p.source.document = r.nonempty(r.required(source, path + ".source", "document"), path + ".source.document");
    const auto* document = into.document(p.source.document);
    if (!document) r.fail(source["document"], path + ".source.document", msg::cat_no_document(p.source.document));
    p.source.title = document->title;
    p.source.url = document->url;
    p.source.section = r.nonempty(r.required(source, path + ".source", "section"), path + ".source.section");
    put(into.products, std::move(p), [](const RoleProduct& x) { return x.role; });
  });
}

namespace {

// What a predefined rule's protocol is called in data/windows-rules.yaml.
constexpr std::pair<const char*, int> kRuleProtocols[] = {{"tcp", 6},  {"udp", 17},  {"icmpv4", 1}, {"icmpv6", 58},
                                                          {"igmp", 2}, {"ipv6", 41}, {"gre", 47}};

// A predefined rule that says it carries a service's traffic must open a port of one of its rows:
// the data cannot claim a rule for LDAP carries Kerberos.
bool service_has_row(const Service& service, const PredefinedRule& rule) {
  return std::any_of(service.requirements.begin(), service.requirements.end(), [&](const Requirement& q) {
    if (ip_protocol_number(q.transport) != rule.protocol && !(rule.protocol == 58 && q.transport == Transport::icmp))
      return false;
    if (rule.keyword != PortKeyword::none || rule.local_ports.empty() || !has_ports(q.transport)) return true;
    return !rule.local_ports.intersect(q.ports).empty();
  });
}

}  // namespace

Status parse_predefined_rules(const SourceFile& file, Catalog& into) {
  return guarded([&]() -> Status {
    Reader r(file.name);
    auto root = parse_yaml(file);
    r.check_keys(root, "", {"sources", "rules"});
    auto sources = r.required(root, "", "sources");
    auto rules = r.required(root, "", "rules");
    if (!rules.IsMap()) r.fail(rules, "rules", msg::cat_expected_predefined());
    for (const auto& kv : rules) {
      PredefinedRule p;
      p.name = kv.first.template as<std::string>();
      auto path = "rules." + p.name;
      const auto& n = kv.second;
      r.check_keys(n, path,
                   {"group", "display", "protocol", "local_ports", "remote_ports", "icmp", "program", "service",
                    "remote", "profiles", "enabled_on", "carries", "base", "source"});
      p.group = r.nonempty(r.required(n, path, "group"), path + ".group");
      p.display = r.nonempty(r.required(n, path, "display"), path + ".display");
      auto protocol = r.one_of(r.required(n, path, "protocol"), path + ".protocol",
                               {"tcp", "udp", "icmpv4", "icmpv6", "igmp", "ipv6", "gre"});
      for (auto [name, number] : kRuleProtocols)
        if (protocol == name) p.protocol = number;
      if (auto ports = n["local_ports"]; ports.IsDefined() && ports.IsScalar()) {
        auto keyword = r.one_of(ports, path + ".local_ports", {"RPC", "RPCEPMap"});
        p.keyword = keyword == "RPC" ? PortKeyword::rpc : PortKeyword::rpc_epmap;
      } else {
        p.local_ports = r.ports(ports, path + ".local_ports");
      }
      p.remote_ports = r.ports(n["remote_ports"], path + ".remote_ports");
      p.icmp = r.strings(n["icmp"], path + ".icmp");
      if (n["program"].IsDefined()) p.program = r.nonempty(n["program"], path + ".program");
      if (n["service"].IsDefined()) p.service = r.nonempty(n["service"], path + ".service");
      p.remote = r.strings(n["remote"], path + ".remote");
      p.profiles = r.strings(n["profiles"], path + ".profiles");
      for (std::size_t i = 0; i < p.profiles.size(); ++i)
        if (p.profiles[i] != "domain" && p.profiles[i] != "private" && p.profiles[i] != "public")
          r.fail(n["profiles"][i], path + ".profiles", msg::audit_not_a_profile(p.profiles[i]));
      p.enabled_on = r.strings(r.required(n, path, "enabled_on"), path + ".enabled_on");
      for (std::size_t i = 0; i < p.enabled_on.size(); ++i) {
        const auto& where = p.enabled_on[i];
        if (where != "any" && where != "server" && where != "client" && !into.role(where))
          r.fail(n["enabled_on"][i], path + ".enabled_on", msg::cat_not_where_enabled(where));
      }
      auto carries = r.required(n, path, "carries");
      p.carries = r.strings(carries, path + ".carries");
      for (std::size_t i = 0; i < p.carries.size(); ++i) {
        if (p.carries[i] == "*") continue;  // every service on the rule's ports
        const auto& service = service_named(r, carries[i], path + ".carries", into);
        if (!service_has_row(service, p))
          r.fail(carries[i], path + ".carries",
                 msg::cat_carries_no_row(service.id, protocol, p.local_ports.to_string()));
      }
      if (n["base"].IsDefined()) p.base = r.text(n["base"], path + ".base");
      auto source = r.nonempty(r.required(n, path, "source"), path + ".source");
      auto cited = sources[source];
      if (!cited.IsDefined() || !cited.IsMap()) r.fail(n["source"], path + ".source", msg::cat_unknown_source(source));
      r.check_keys(cited, "sources." + source, {"title", "url"});
      p.source_title = r.nonempty(r.required(cited, "sources." + source, "title"), "sources." + source + ".title");
      p.source_url = r.nonempty(r.required(cited, "sources." + source, "url"), "sources." + source + ".url");
      put(into.predefined_rules, std::move(p), [](const PredefinedRule& x) { return x.name; });
    }
    return ok_status();
  });
}

namespace {

template <class T>
Result<T> with_file(Result<T> result, const std::string& file) {
  if (!result.ok() && result.error().file.empty()) {
    Error e = result.error();
    e.file = file;
    return e;
  }
  return result;
}

Status add_roles(Catalog& into, const std::filesystem::path& path, const char* key = "roles", bool user = false) {
  if (!std::filesystem::exists(path)) return ok_status();
  auto file = read_source_file(path);
  if (!file) return file.error();
  auto roles = with_file(parse_roles(*file, key), path.string());
  if (!roles) return roles.error();
  auto& list = std::string(key) == "roles" ? into.roles : into.profiles;
  for (auto& role : *roles) {
    if (user) role.origin = Origin::user;
    auto it = std::find_if(list.begin(), list.end(), [&](const Role& x) { return x.id == role.id; });
    if (it != list.end())
      *it = std::move(role);
    else
      list.push_back(std::move(role));
  }
  return ok_status();
}

Status add_rpc_interfaces(Catalog& into, const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return ok_status();
  auto file = read_source_file(path);
  if (!file) return file.error();
  return with_file(parse_rpc_interfaces(*file, into), path.string());
}

Status add_port_settings(Catalog& into, const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return ok_status();
  auto file = read_source_file(path);
  if (!file) return file.error();
  return with_file(parse_port_settings(*file, into), path.string());
}

Status add_predefined_rules(Catalog& into, const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return ok_status();
  auto file = read_source_file(path);
  if (!file) return file.error();
  return with_file(parse_predefined_rules(*file, into), path.string());
}

Status add_products(Catalog& into, const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return ok_status();
  auto file = read_source_file(path);
  if (!file) return file.error();
  return with_file(parse_products(*file, into), path.string());
}

Status add_documents(Catalog& into, const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return ok_status();
  auto file = read_source_file(path);
  if (!file) return file.error();
  return with_file(parse_documents(*file, into), path.string());
}

// A user's directory (allow_replace) holds the user's rows, whatever they cite.
Status add_services(Catalog& into, const std::vector<std::filesystem::path>& files, bool allow_replace) {
  for (const auto& path : files) {
    auto file = read_source_file(path);
    if (!file) return file.error();
    auto service = with_file(parse_service(*file, into), path.string());
    if (!service) return service.error();
    if (allow_replace)
      for (auto& q : service->requirements) q.origin = Origin::user;
    auto it =
        std::find_if(into.services.begin(), into.services.end(), [&](const Service& s) { return s.id == service->id; });
    if (it != into.services.end()) {
      if (!allow_replace) return Error{path.string(), 1, 0, "id", msg::cat_already_defined(service->id, it->file)};
      *it = std::move(*service);
    } else {
      into.services.push_back(std::move(*service));
    }
  }
  sort_services(into);
  return ok_status();
}

}  // namespace

Result<Catalog> load_directory(const std::filesystem::path& dir) {
  Catalog c;
  for (const char* required : {"os.yaml", "vocabulary.yaml", "roles.yaml"})
    if (!std::filesystem::exists(dir / required))
      return Error{(dir / required).string(), 0, 0, "", msg::cat_missing_file()};
  auto os_path = (dir / "os.yaml").string();
  auto os_file = read_source_file(os_path);
  if (!os_file) return os_file.error();
  if (auto st = with_file(parse_os_table(*os_file, c), os_path); !st) return st.error();
  auto vocab_path = (dir / "vocabulary.yaml").string();
  auto vocab_file = read_source_file(vocab_path);
  if (!vocab_file) return vocab_file.error();
  if (auto st = with_file(parse_vocabulary(*vocab_file, c), vocab_path); !st) return st.error();
  if (auto st = add_roles(c, dir / "roles.yaml"); !st) return st.error();
  if (auto st = add_roles(c, dir / "profiles.yaml", "profiles"); !st) return st.error();
  if (auto st = add_documents(c, dir / "documents.yaml"); !st) return st.error();
  auto files = yaml_files(dir / "services");
  if (files.empty()) return Error{(dir / "services").string(), 0, 0, "", msg::cat_no_service_files()};
  if (auto st = add_services(c, files, false); !st) return st.error();
  if (auto st = add_rpc_interfaces(c, dir / "rpc-interfaces.yaml"); !st) return st.error();
  if (auto st = add_port_settings(c, dir / "port-settings.yaml"); !st) return st.error();
  if (auto st = add_predefined_rules(c, dir / "windows-rules.yaml"); !st) return st.error();
  if (auto st = add_products(c, dir / "products.yaml"); !st) return st.error();
  if (auto st = validate(c); !st) return st.error();
  return c;
}

Status merge_directory(Catalog& base, const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return Error{dir.string(), 0, 0, "", msg::cat_not_directory()};
  auto vocab = dir / "vocabulary.yaml";
  if (std::filesystem::exists(vocab)) {
    auto file = read_source_file(vocab);
    if (!file) return file.error();
    if (auto st = with_file(parse_vocabulary(*file, base), vocab.string()); !st) return st;
  }
  if (auto st = add_roles(base, dir / "roles.yaml", "roles", true); !st) return st;
  if (auto st = add_roles(base, dir / "profiles.yaml", "profiles", true); !st) return st;
  if (auto st = add_documents(base, dir / "documents.yaml"); !st) return st;
  std::vector<std::filesystem::path> files = yaml_files(dir / "services");
  for (const auto& p : yaml_files(dir)) {
    auto name = p.filename().string();
    if (name != "roles.yaml" && name != "profiles.yaml" && name != "vocabulary.yaml" && name != "os.yaml" &&
        name != "rpc-interfaces.yaml" && name != "port-settings.yaml" && name != "documents.yaml" &&
        name != "windows-rules.yaml" && name != "products.yaml")
      files.push_back(p);
  }
  if (files.empty() && !std::filesystem::exists(dir / "roles.yaml") && !std::filesystem::exists(vocab) &&
      !std::filesystem::exists(dir / "rpc-interfaces.yaml") && !std::filesystem::exists(dir / "port-settings.yaml") &&
      !std::filesystem::exists(dir / "windows-rules.yaml") && !std::filesystem::exists(dir / "products.yaml"))
    return Error{dir.string(), 0, 0, "", msg::cat_no_catalog_files()};
  if (auto st = add_services(base, files, true); !st) return st;
  if (auto st = add_rpc_interfaces(base, dir / "rpc-interfaces.yaml"); !st) return st;
  if (auto st = add_port_settings(base, dir / "port-settings.yaml"); !st) return st;
  if (auto st = add_predefined_rules(base, dir / "windows-rules.yaml"); !st) return st;
  if (auto st = add_products(base, dir / "products.yaml"); !st) return st;
  return validate(base);
}

Status validate(const Catalog& catalog) {
  std::set<std::string> ids;
  for (const auto& s : catalog.services) {
    if (!ids.insert(s.id).second) return Error{s.file, 0, 0, "id", msg::cat_duplicate_id(s.id)};
  }
  std::vector<std::string> known(ids.begin(), ids.end());
  for (const auto& s : catalog.services)
    for (const auto& u : s.uses)
      if (!ids.count(u)) return Error{s.file, 0, 0, "uses", msg::site_unknown_service(u) + closest(u, known)};
  for (const auto& s : catalog.services)
    for (const auto& other : s.identifies_as)
      if (!ids.count(other))
        return Error{s.file, 0, 0, "identifies_as", msg::site_unknown_service(other) + closest(other, known)};
  for (const auto& s : catalog.services)
    if (!s.kb_counterpart.empty() && !ids.count(s.kb_counterpart))
      return Error{s.file, 0, 0, "kb_counterpart",
                   msg::site_unknown_service(s.kb_counterpart) + closest(s.kb_counterpart, known)};
  auto check_bundles = [&](const std::vector<Role>& bundles, const char* kind) -> Status {
    for (const auto& bundle : bundles) {
      auto colon = bundle.defined_at.rfind(':');
      auto error = [&](const std::string& field, const LocalizedText& message) {
        return Error{bundle.defined_at.substr(0, colon),
                     colon == std::string::npos ? 0 : std::stoi(bundle.defined_at.substr(colon + 1)), 0,
                     std::string(kind) + "." + bundle.id + field, message};
      };
      std::vector<const std::vector<std::string>*> lists{&bundle.services, &bundle.optional_services};
      for (const auto& by_os : bundle.by_os) lists.push_back(&by_os.services);
      for (const auto* list : lists)
        for (const auto& id : *list)
          if (!ids.count(id)) return error("", msg::site_unknown_service(id) + closest(id, known));
      if (!bundle.kind_of.empty() && !catalog.role(bundle.kind_of))
        return error(".kind_of", msg::site_unknown_role(bundle.kind_of));
      for (const auto& [profile, why] : bundle.refuses)
        if (!catalog.profile(profile)) return error(".refuses", msg::site_unknown_profile(profile));
      for (const auto& b : bundle.needs_beside) {
        if (!catalog.role(b.role)) return error(".needs_beside", msg::site_unknown_role(b.role));
        for (const auto& as : b.when_as)
          if (!catalog.profile(as)) return error(".needs_beside", msg::site_unknown_profile(as));
        if (!catalog.profile(b.as)) return error(".needs_beside", msg::site_unknown_profile(b.as));
      }
    }
    return ok_status();
  };
  if (auto st = check_bundles(catalog.roles, "roles"); !st) return st;
  if (auto st = check_bundles(catalog.profiles, "profiles"); !st) return st;
  return ok_status();
}

}  // namespace winports::catalog
