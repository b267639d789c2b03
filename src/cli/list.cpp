// winports list [--roles] | role ROLE
#include <CLI/CLI.hpp>
#include <iostream>

#include "context.hpp"
#include "winports/analyze/messages.hpp"
#include "winports/catalog/export.hpp"
#include "winports/cli/messages.hpp"
#include "winports/core/text.hpp"
#include "winports/plan/messages.hpp"
#include "winports/render/table.hpp"
#include "winports/verify/messages.hpp"

namespace winports::cli {
namespace {

std::string port_summary(const catalog::Service& s) {
  std::string tcp, udp, other;
  for (const auto& q : s.requirements) {
    auto& into = q.transport == Transport::tcp ? tcp : q.transport == Transport::udp ? udp : other;
    auto text = has_ports(q.transport) ? q.ports.to_string() : std::string(to_string(q.transport));
    if (("," + into + ",").find("," + text + ",") == std::string::npos) into += (into.empty() ? "" : ",") + text;
  }
  std::string out;
  if (!tcp.empty()) out += "tcp:" + tcp;
  if (!udp.empty()) out += (out.empty() ? "" : " ") + std::string("udp:") + udp;
  if (!other.empty()) out += (out.empty() ? "" : " ") + other;
  return out;
}

// What a site file may name beside roles: profiles (as:), OS versions (os:), features and
// scenarios (settings): one table or JSON array each, from the catalog's data.
struct Named {
  std::string key;  // "profiles", "os", "features", "scenarios"
  std::vector<Msg> columns;
  std::vector<std::vector<std::string>> rows;
  nlohmann::json items = nlohmann::json::array();
};

Named named_list(const catalog::Catalog& c, const std::string& kind, Lang lang) {
  Named n{kind, {}, {}, nlohmann::json::array()};
  if (kind == "profiles") {
    n.columns = {msg::col_profile, msg::col_name, msg::col_services};
    for (const auto& p : c.profiles) {
      n.rows.push_back({p.id, p.names.in(lang), join(p.services, ", ")});
      n.items.push_back(catalog::role_json(p));
    }
  } else if (kind == "os") {
    n.columns = {msg::col_os, msg::col_name, msg::col_kind, msg::col_rpc_range, msg::col_aliases};
    for (const auto& o : c.os_versions) {
      auto range = (o.era == catalog::RpcEra::legacy ? c.legacy_rpc_range : c.modern_rpc_range).to_string();
      n.rows.push_back({o.id, o.names.in(lang), catalog::os_kind_words(o.kind).in(lang), range, join(o.aliases, ", ")});
      n.items.push_back({{"id", o.id},
                         {"names", {{"ja", o.names.ja}, {"en", o.names.en}}},
                         {"kind", o.kind},
                         {"dynamic_rpc_range", range},
                         {"aliases", o.aliases}});
    }
  } else {
    n.columns = {kind == "features" ? msg::col_feature : msg::col_scenario, msg::col_meaning};
    for (const auto& v : kind == "features" ? c.features : c.scenarios) {
      n.rows.push_back({v.id, v.text.in(lang)});
      n.items.push_back({{"id", v.id}, {"text", {{"ja", v.text.ja}, {"en", v.text.en}}}});
    }
  }
  return n;
}

}  // namespace

void add_list_commands(CLI::App& app, Context& ctx, int& exit_code) {
  static bool roles = false, profiles = false, os = false, features = false, scenarios = false;
  static std::string role_name;
  auto* list = app.add_subcommand("list", help(msg::help_list_every_service_or_role));
  list->add_flag("--roles", roles, help(msg::help_list_roles_instead_of_services));
  list->add_flag("--profiles", profiles, help(msg::help_list_consumer_profiles_a_site));
  list->add_flag("--os", os, help(msg::help_list_windows_versions_a_site));
  list->add_flag("--features", features, help(msg::help_list_features_a_site_s));
  list->add_flag("--scenarios", scenarios, help(msg::help_list_scenarios_a_site_s));
  list->add_flag("--json", ctx.json, help(msg::help_json_output));
  list->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    if (profiles || os || features || scenarios) {
      auto n = named_list(*c, profiles ? "profiles" : os ? "os" : features ? "features" : "scenarios", lang);
      if (ctx.json) {
        print_json("list", {{n.key, n.items}});
      } else {
        std::vector<std::string> header;
        for (auto column : n.columns) header.push_back(say(column, lang));
        render::Table t(header);
        for (auto& row : n.rows) t.add(std::move(row));
        print_table(t);
      }
      return void(exit_code = kFound);
    }
    if (roles) {
      if (ctx.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : c->roles) out.push_back(catalog::role_json(r));
        print_json("list", {{"roles", out}});
      } else {
        render::Table t(lang, {msg::col_role, msg::col_name, msg::col_services});
        for (const auto& r : c->roles) {
          auto services = r.services;  // the optional ones marked "?"
          for (const auto& s : r.optional_services) services.push_back(s + "?");
          t.add({r.id, r.names.in(lang), join(services, ", ")});
        }
        print_table(t);
      }
    } else if (ctx.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& s : c->services)
        out.push_back({{"id", s.id},
                       {"names", {{"ja", s.names.ja}, {"en", s.names.en}}},
                       {"system_service_names", s.system_services}});
      print_json("list", {{"services", out}});
    } else {
      render::Table t(lang, {msg::col_id, msg::col_service, msg::col_system_service, msg::col_ports});
      for (const auto& s : c->services) {
        t.add({s.id, s.names.in(lang), join(s.system_services, ", "), port_summary(s)});
      }
      print_table(t);
    }
    exit_code = kFound;
  });

  auto* role = app.add_subcommand("role", help(msg::help_show_the_services_and_ports));
  role->add_option("ROLE", role_name, help(msg::help_role_id_e_g_domain))->required();
  role->add_flag("--json", ctx.json, help(msg::help_json_output));
  role->callback([&] {
    const auto* c = ctx.load();
    if (!c) return void(exit_code = kUsageError);
    auto lang = ctx.lang();
    const auto* r = c->role(role_name);
    if (!r) {
      std::vector<std::string> ids;
      for (const auto& x : c->roles) ids.push_back(x.id);
      auto best = closest_name(role_name, ids);
      std::cerr << "winports: " << msg::role_no_role.in(lang, role_name)
                << (best.empty() ? "" : msg::lookup_candidates.in(lang, best)) << '\n';
      if (ctx.json) print_json("role", nullptr);  // found nothing, like grep: still one document
      return void(exit_code = kNotFound);
    }
    if (ctx.json) {
      auto j = catalog::role_json(*r);
      nlohmann::json services = nlohmann::json::array();
      for (const auto* list : {&r->services, &r->optional_services})
        for (const auto& id : *list) {
          auto sj = catalog::service_json(*c, *c->service(id));
          sj["optional_in_role"] = list == &r->optional_services;
          services.push_back(std::move(sj));
        }
      j["service_details"] = services;
      print_json("role", j);
    } else {
      std::cout << r->names.in(lang) << "  [" << r->id << "]\n";
      std::cout << msg::role_origin.in(lang, catalog::origin_words(r->origin));
      if (!r->kind_of.empty()) std::cout << msg::role_kind_of.in(lang, r->kind_of);
      std::cout << '\n';
      if (!r->description.en.empty()) std::cout << "  " << r->description.in(lang) << '\n';
      for (const auto& [profile, why] : r->refuses)
        std::cout << msg::role_never_serves.in(lang, profile, why.in(lang)) << '\n';
      std::cout << '\n';
      render::Table t(
          lang, {msg::col_service, msg::col_app_protocol, msg::col_transport, msg::col_ports, msg::col_conditions});
      for (const auto* list : {&r->services, &r->optional_services})
        for (const auto& id : *list) {
          const auto* s = c->service(id);
          for (const auto& q : s->requirements) {
            auto cond = catalog::conditions_text(*c, *s, q, lang);
            if (list == &r->optional_services) cond = msg::role_optional.in(lang) + (cond.empty() ? "" : "; " + cond);
            t.add({s->id, q.protocol.in(lang), std::string(to_string(q.transport)),
                   q.ports.empty() ? "-" : q.ports.to_string(), cond});
          }
        }
      print_table(t);
    }
    exit_code = kFound;
  });
}

}  // namespace winports::cli
