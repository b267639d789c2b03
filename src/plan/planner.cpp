#include "winports/plan/planner.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "winports/catalog/export.hpp"
#include "winports/catalog/messages.hpp"
#include "winports/catalog/rules.hpp"
#include "winports/core/memo.hpp"
#include "winports/plan/messages.hpp"

namespace winports::plan {
namespace {

using catalog::Catalog;
using catalog::Condition;
using catalog::Requirement;
using catalog::Service;

struct Side {
  Endpoint endpoint;
  std::vector<std::string> os;  // every OS version among its hosts ("" unknown)
  const Host* host = nullptr;   // set when the side is a single host
  const Zone* zone = nullptr;
};

// Settings resolved host → zone → site, and what the access entry asks for.
struct Effective {
  std::optional<PortSet> rpc;
  std::optional<bool> netbios;
  std::optional<std::string> winrm;
  std::optional<PortSet> ftp_passive;
  std::map<std::string, std::uint16_t> ports;  // port settings, nearest level first
  std::set<std::string> features;
  std::set<std::string> scenarios;
  std::string profile;  // the entry's `as:` ("" when it names services)
  bool named = false;   // the entry names its services one by one
};

Effective effective(const Environment& env, const Side& side, const Access& access) {
  Effective e;
  std::vector<const Settings*> levels;
  if (side.host) levels.push_back(&side.host->settings);
  if (side.zone) levels.push_back(&side.zone->settings);
  levels.push_back(&env.settings);
  for (const auto* s : levels) {
    if (!e.rpc && s->rpc_dynamic_ports) e.rpc = s->rpc_dynamic_ports;
    if (!e.netbios && s->netbios) e.netbios = s->netbios;
    if (!e.winrm && s->winrm_version) e.winrm = s->winrm_version;
    if (!e.ftp_passive && s->ftp_passive_ports) e.ftp_passive = s->ftp_passive_ports;
    e.ports.insert(s->ports.begin(), s->ports.end());  // insert keeps the nearer level's value
    e.features.insert(s->features.begin(), s->features.end());
    e.scenarios.insert(s->scenarios.begin(), s->scenarios.end());
  }
  e.scenarios.insert(access.scenarios.begin(), access.scenarios.end());
  e.profile = access.as;
  e.named = !access.services.empty();
  return e;
}

// Every OS the site runs ("" where a zone or host does not say; Windows XP for legacy_clients):
// network_os conditions and the KB's literal "a mixed network needs both ranges" read it.
std::vector<std::string> network_os(const Environment& env) {
  std::vector<std::string> out;
  auto legacy = [&](const Settings& s) {
    if (s.legacy_clients.value_or(false)) out.emplace_back("windows-xp");
  };
  for (const auto& z : env.zones) out.push_back(z.os), legacy(z.settings);
  for (const auto& h : env.hosts) out.push_back(env.os_of(h)), legacy(h.settings);
  legacy(env.settings);
  return out;
}

bool mixes_eras(const Catalog& c, const std::vector<std::string>& os_list) {
  bool legacy = false, modern = false;
  for (const auto& os : os_list)
    if (const auto* v = c.os(os)) (v->era == catalog::RpcEra::legacy ? legacy : modern) = true;
  return legacy && modern;
}

bool shares_family(const std::vector<Network>& a, const std::vector<Network>& b) {
  return std::any_of(a.begin(), a.end(), [&](const Network& x) {
    return std::any_of(b.begin(), b.end(), [&](const Network& y) { return x.family == y.family; });
  });
}

// The side is a host of the role or of its family: an RODC serves the rows whose listener is a
// domain controller, and meets `server_role: domain-controller`.
bool has_role(const Catalog& c, const Side& side, const std::string& role) {
  return side.host && std::any_of(side.host->roles.begin(), side.host->roles.end(),
                                  [&](const std::string& r) { return c.role_is(r, role); });
}

// Pre-Vista clients that the file does not list host by host (settings.legacy_clients, nearest
// level first): the side then counts as having a legacy OS.
bool legacy_clients(const Environment& env, const Host* host, const Zone* zone) {
  for (const Settings* s : {host ? &host->settings : nullptr, zone ? &zone->settings : nullptr, &env.settings})
    if (s && s->legacy_clients) return *s->legacy_clients;
  return false;
}

// A port setting (ntds_port, rdp_port …) that applies to this service, if the file gives it.
std::optional<std::pair<const catalog::PortSetting*, std::uint16_t>> port_setting(const Catalog& c, const Effective& e,
                                                                                  const std::string& service) {
  for (const auto& ps : c.port_settings)
    if (ps.service == service)
      if (auto it = e.ports.find(std::string(ps.key)); it != e.ports.end()) return std::pair{&ps, it->second};
  return std::nullopt;
}

// Keeps the networks of a family the other side also has.
void shared_families_only(std::vector<Network>& mine, const std::vector<Network>& theirs) {
  mine.erase(std::remove_if(mine.begin(), mine.end(),
                            [&](const Network& n) {
                              return std::none_of(theirs.begin(), theirs.end(),
                                                  [&](const Network& t) { return t.family == n.family; });
                            }),
             mine.end());
}

// The profile of the external time source: only the PDC emulator uses it when the site names one.
constexpr std::string_view kTimeSourceProfile = "time-source";

Side host_side(const Environment& env, const Host& h) {
  return {{h.name, "", {h.name}, h.addresses}, {env.os_of(h)}, &h, env.zone(h.zone)};
}

std::vector<Side> expand(const Environment& env, const Catalog& c, const std::string& name) {
  std::vector<Side> out;
  if (name.rfind("role:", 0) == 0) {
    for (const auto& h : env.hosts)
      if (std::find(h.roles.begin(), h.roles.end(), name.substr(5)) != h.roles.end()) out.push_back(host_side(env, h));
    (void)c;
    return out;
  }
  if (const auto* h = env.host(name)) return {host_side(env, *h)};
  const auto* z = env.zone(name);
  Side side{{z->name, z->name, {}, z->networks}, {z->os}, nullptr, z};
  for (const auto& h : env.hosts)
    if (h.zone == z->name && !h.os.empty()) side.os.push_back(h.os);
  out.push_back(side);
  return out;
}

// As a destination, a zone means each of its hosts (their roles say what they serve).
std::vector<Side> destinations(const Environment& env, const Catalog& c, const std::string& name) {
  if (const auto* z = env.zone(name); z && !z->outside) {
    std::vector<Side> out;
    for (const auto& h : env.hosts)
      if (h.zone == name) out.push_back(host_side(env, h));
    return out;
  }
  return expand(env, c, name);
}

enum class Answer { yes, no, undecided };  // does a condition hold here?

// Why a requirement was left out, in both languages, made once per distinct cause and shared: a large
// site leaves the same rows out millions of times, and a decision passes its reason by pointer.
class Phrases {
 public:
  explicit Phrases(const Catalog& c) : c_(c) {}

  // The message `id` for the things `a` and `b` (catalog or site objects, stable while planning),
  // made by `make` the first time.
  template <class Make>
  const LocalizedText* operator()(Msg id, const void* a, const void* b, Make&& make) {
    return phrases_(Key{id, a, b}, [&] { return intern(make()); });
  }
  const LocalizedText* operator()(Msg id) {
    return (*this)(id, nullptr, nullptr, [&] { return said(id); });
  }
  // A condition's own words ("server OS: < Windows Vista"), and inside a message.
  const LocalizedText* condition(const Condition& cond) {
    return (*this)(Msg{}, &cond, nullptr, [&] {
      return LocalizedText{catalog::describe(c_, cond, Lang::ja), catalog::describe(c_, cond, Lang::en)};
    });
  }
  const LocalizedText* condition(const Condition& cond, Msg id, const void* b = nullptr, std::string_view arg = {}) {
    return (*this)(id, &cond, b, [&] { return said(id, {*condition(cond), arg}); });
  }

 private:
  using Key = std::tuple<Msg, const void*, const void*>;
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      auto h = std::hash<const void*>{}(std::get<1>(k)) * 31 + std::hash<const void*>{}(std::get<2>(k));
      return h * 131 + std::hash<const void*>{}(std::get<0>(k).key());
    }
  };
  // One object per text: equal reasons from different causes still merge into one left-out entry.
  const LocalizedText* intern(LocalizedText text) {
    auto key = text.en;
    return &texts_.try_emplace(std::move(key), std::move(text)).first->second;
  }
  const Catalog& c_;
  Memo<Key, const LocalizedText*, KeyHash> phrases_;
  std::unordered_map<std::string, LocalizedText> texts_;
};

struct Decision {
  Answer answer = Answer::yes;
  const LocalizedText* why = nullptr;  // owned by the planner's Phrases
};

Decision decide(const Catalog& c, const Condition& cond, const Side& client, const Side& server, const Effective& e,
                const std::vector<std::string>& network, Phrases& phrases) {
  // The condition's words only where a decision is not "yes".
  auto text = [&] { return phrases.condition(cond); };
  auto with_text = [&](Msg id) { return phrases.condition(cond, id); };
  auto any_os = [&](const std::vector<std::string>& os_list, bool all_known_required) -> Decision {
    bool unknown = false, match = false;
    for (const auto& os : os_list) {
      if (os.empty()) {
        unknown = true;
        continue;
      }
      for (const auto& v : cond.values) match = match || catalog::os_matches(c, os, v);
    }
    if (match) return {Answer::yes, {}};
    if (unknown || (all_known_required && os_list.empty())) return {Answer::undecided, with_text(msg::cond_os_unknown)};
    return {Answer::no, text()};
  };
  if (cond.kind == "feature") {
    for (const auto& v : cond.values) {
      if (v == "netbios") {
        if (!e.netbios) return {Answer::undecided, phrases(msg::cond_netbios_unset)};
        if (*e.netbios) return {Answer::yes, {}};
        return {Answer::no, phrases(msg::cond_netbios_off)};
      }
      if (v == "winrm-1.1" || v == "winrm-2.0") {
        std::string version = e.winrm.value_or("");
        if (version.empty() && server.host) {
          auto os = server.os.empty() ? "" : server.os[0];
          if (!os.empty()) version = catalog::os_matches(c, os, ">=windows-7") ? "2.0" : "1.1";
        }
        if (version.empty()) return {Answer::undecided, phrases(msg::cond_winrm_unknown)};
        if (v == "winrm-" + version) return {Answer::yes, {}};
        continue;
      }
      if (e.features.count(v)) return {Answer::yes, {}};
    }
    return {Answer::no, with_text(msg::cond_feature_off)};
  }
  if (cond.kind == "scenario") {
    for (const auto& v : cond.values)
      if (e.scenarios.count(v)) return {Answer::yes, {}};
    return {Answer::no, with_text(msg::cond_scenario_off)};
  }
  if (cond.kind == "server_role") {
    for (const auto& v : cond.values)
      if (has_role(c, server, v)) return {Answer::yes, {}};
    return {Answer::no, text()};
  }
  if (cond.kind == "profile") {
    // An entry that names services asks for all of each; one that names a profile, for its rows.
    if (e.profile.empty() || std::find(cond.values.begin(), cond.values.end(), e.profile) != cond.values.end())
      return {Answer::yes, {}};
    return {Answer::no, phrases.condition(cond, msg::cond_profile_other, c.profile(e.profile), e.profile)};
  }
  if (cond.kind == "server_os") return any_os(server.os, true);
  if (cond.kind == "client_os") return any_os(client.os, true);
  if (cond.kind == "network_os") return any_os(network, true);
  return {Answer::undecided, text()};
}

// What `legacy_clients: true` stands for: the oldest client the catalog's legacy RPC era covers.
constexpr std::string_view kLegacyClientOs = "windows-xp";

// A merged flow's identity by interned side names: millions of rows are merged on a large site, and
// comparing names there dominated planning.
struct FlowKey {
  std::uint32_t src, dst;
  Transport transport;
  std::int32_t sport;  // -1 for none
  bool echo;
  bool operator==(const FlowKey&) const = default;
};
struct FlowKeyHash {
  std::size_t operator()(const FlowKey& k) const {
    std::uint64_t h = (std::uint64_t{k.src} << 32) ^ k.dst;
    h = h * 0x9e3779b97f4a7c15ULL ^ (static_cast<std::uint64_t>(k.transport) << 20) ^
        static_cast<std::uint64_t>(k.sport + 1) ^ (k.echo ? 1ULL << 40 : 0);
    return std::hash<std::uint64_t>{}(h);
  }
};

// make_plan's steps over one site: every access entry's (client, server) pairs, the services the
// entry grants there, each requirement decided by its conditions, its ports after the site's
// settings, its flows by direction; then flows merged per (source, destination, transport) and
// destinations grouped.
class Planner {
 public:
  Planner(const Environment& env, const Catalog& c)
      : env_(env),
        c_(c),
        kb_literal_(env.settings.kb_literal.value_or(false)),
        network_os_(network_os(env)),
        mixed_eras_(mixes_eras(c, network_os_)) {
    plan_.site = env.site;
  }

  Plan run() {
    for (const auto& access : env_.access) add_access(access);
    warn_unreached_listeners();
    fold_echo_into_all_icmp();
    group_destinations();
    warn_unplanned_networks();
    for (const auto& access : env_.access) warn_needs_beside(access);
    return std::move(plan_);
  }

 private:
  void warn(LocalizedText w) {
    if (warned_.insert(w.en).second) plan_.warnings.push_back(std::move(w));
  }

  void add_access(const Access& access) {
    const auto& clients = sources(access.from);
    const auto& servers = servers_of(access.to);
    if (clients.empty() || servers.empty())
      warn(msg::plan_no_hosts(std::to_string(access.line), clients.empty() ? access.from : access.to));
    for (const auto& client : clients) {
      // Only the PDC emulator takes its time from outside; the other DCs follow the domain hierarchy.
      if (access.as == kTimeSourceProfile && !env_.settings.pdc_emulator.empty() && client.host &&
          client.host->name != env_.settings.pdc_emulator) {
        warn(msg::plan_not_pdc_emulator(std::to_string(access.line), env_.settings.pdc_emulator, client.endpoint.name));
        continue;
      }
      const auto client_e = effective(env_, client, access);  // the listener's settings for rows towards it
      for (const auto& server : servers) {
        if (client.endpoint.name == server.endpoint.name) continue;
        if (!shares_family(client.endpoint.networks, server.endpoint.networks)) {
          warn(msg::plan_no_family(std::to_string(access.line), client.endpoint.name, server.endpoint.name));
          continue;
        }
        auto e = effective(env_, server, access);
        auto granted = services_granted(access, server);
        if (!granted.empty() && server.host)
          for (const auto& role : server.host->roles) {
            reached_.insert({zone_name(client), role});
            if (const auto* r = c_.role(role); r && !r->kind_of.empty())
              reached_.insert({zone_name(client), r->kind_of});
          }
        for (const auto& id : granted) add_service(*c_.service(id), access, client, server, e, client_e);
      }
    }
  }

  // Each name expanded once: a site names the same zones in thousands of entries, and expanding a
  // zone walks every host.
  const std::vector<Side>& sources(const std::string& name) {
    auto [it, fresh] = sources_.try_emplace(name);
    if (fresh) {
      it->second = expand(env_, c_, name);
      for (auto& client : it->second)
        if (legacy_clients(env_, client.host, client.zone)) client.os.push_back(std::string(kLegacyClientOs));
    }
    return it->second;
  }
  const std::vector<Side>& servers_of(const std::string& name) {
    auto [it, fresh] = servers_.try_emplace(name);
    if (fresh) it->second = destinations(env_, c_, name);
    return it->second;
  }

  static std::string zone_name(const Side& side) { return side.zone ? side.zone->name : side.endpoint.name; }

  // The entry's services: its list, else what the server's roles serve, narrowed to its profile.
  std::set<std::string> services_granted(const Access& access, const Side& server) {
    if (!access.services.empty()) {
      if (server.host) warn_unserved(access, *server.host);
      return {access.services.begin(), access.services.end()};
    }
    // The outside runs no roles: an outbound profile (the loader allows no other) is what it answers.
    if (!server.host) {
      const auto& wanted = c_.profile(access.as)->services;
      return {wanted.begin(), wanted.end()};
    }
    // A role that never serves the profile (writable DCs never replicate from an RODC) opens nothing.
    for (const auto& id : server.host->roles)
      if (const auto* role = c_.role(id))
        if (auto it = role->refuses.find(access.as); it != role->refuses.end()) {
          warn(msg::plan_role_refuses(std::to_string(access.line), server.endpoint.name, role->names, it->second,
                                      access.as));
          return {};
        }
    const auto& offered = served_(*server.host, !access.as.empty());
    std::set<std::string> services;
    if (access.as.empty())
      services = offered;
    else
      for (const auto& s : c_.profile(access.as)->services)
        if (offered.count(s)) services.insert(s);
    if (services.empty())
      warn(access.as.empty()
               ? msg::plan_serves_nothing_of_roles(std::to_string(access.line), server.endpoint.name)
               : msg::plan_serves_nothing_of_profile(std::to_string(access.line), server.endpoint.name, access.as));
    return services;
  }

  // services: opens what it names whatever the host runs; a service none of the host's roles (nor
  // its own services:) serves is most often a wrong destination: say which roles serve it.
  void warn_unserved(const Access& access, const Host& host) {
    auto offered = served_(host, true);
    for (const auto& id : host.roles)
      if (const auto* role = c_.role(id))
        offered.insert(role->optional_services.begin(), role->optional_services.end());
    for (const auto& id : access.services) {
      if (offered.count(id)) continue;
      std::vector<std::string> serving;
      for (const auto& role : c_.roles)
        if (!role.base && (std::count(role.services.begin(), role.services.end(), id) ||
                           std::count(role.optional_services.begin(), role.optional_services.end(), id)))
          serving.push_back(role.id);
      warn(msg::plan_service_not_served(std::to_string(access.line), host.name, id,
                                        serving.empty() ? "-" : join(serving, ", ")));
    }
  }

  void add_service(const Service& s, const Access& access, const Side& client, const Side& server, const Effective& e,
                   const Effective& client_e) {
    // A scenario that replaces the port list (the encapsulated VPN case) applies per service.
    bool scenario_rows_active = false;
    for (const auto& q : s.requirements)
      for (const auto& cond : q.conditions)
        if (cond.kind == "scenario" && std::any_of(cond.values.begin(), cond.values.end(),
                                                   [&](const auto& v) { return e.scenarios.count(v) > 0; }))
          scenario_rows_active = true;
    for (std::size_t i = 0; i < s.requirements.size(); ++i) {
      const auto& q = s.requirements[i];
      Reason reason{s.id, i};
      auto skip = [&](const LocalizedText* why, bool undecided) {
        record_skip(s, reason, why, undecided, client, server);
      };
      // A row another role listens for (Offline Files' LDAP is a DC's) never opens on this host.
      if (!q.listener.empty() && !has_role(c_, listener_of(q, client, server), q.listener)) {
        const auto& listener = listener_of(q, client, server);
        skip(phrases_(msg::skip_listener_role, &q, &listener,
                      [&] { return msg::skip_listener_role(q.listener, listener.endpoint.name); }),
             false);
        auto& missing = unreached_[{zone_name(client), q.listener}];
        if (missing.line == 0) missing.line = access.line;
        missing.services.insert(s.id);
        continue;
      }
      if (q.by_name && !e.named) {
        skip(phrases_(msg::skip_named_only, &s, nullptr, [&] { return msg::skip_named_only(s.id); }), false);
        continue;
      }
      bool has_scenario = std::any_of(q.conditions.begin(), q.conditions.end(),
                                      [](const Condition& x) { return x.kind == "scenario"; });
      if (scenario_rows_active && !has_scenario) {
        skip(phrases_(msg::skip_encapsulated), false);
        continue;
      }
      auto decision = decide_requirement(s, q, client, server, e);
      if (decision.answer != Answer::yes) {
        skip(decision.why, decision.answer == Answer::undecided);
        continue;
      }
      if (auto unused = still_used(s, q, client, server, e); unused.answer != Answer::yes) {
        skip(unused.why, unused.answer == Answer::undecided);
        continue;
      }
      add_flows(s, q, reason, client, server, e, client_e);
      if (q.reply == "any-port") warn(msg::plan_reply_any_port(s.id, q.protocol));
    }
  }

  void record_skip(const Service& s, const Reason& reason, const LocalizedText* why, bool undecided, const Side& from,
                   const Side& to) {
    // Phrases gives one object per text: its address stands for the text. The service by its
    // catalog entry's id (stable while planning): a key of names was compared millions of times.
    auto [it, fresh] =
        skip_index_.try_emplace(SkipKey{&s.id, reason.requirement, why, undecided}, plan_.skipped.size());
    if (fresh) plan_.skipped.push_back({reason, *why, undecided, {}});
    auto pair = std::pair{side_index(from), side_index(to)};
    auto& pairs = plan_.skipped[it->second].pairs;
    if (pairs.empty() || pairs.back() != pair) pairs.push_back(pair);
  }

  std::uint32_t side_index(const Side& side) {
    // By the side's address first (the planner's sides stay where they are), then by its name:
    // the same endpoint is met as a client and as a server, in different Side objects.
    if (auto known = side_by_address_.find(&side); known != side_by_address_.end()) return known->second;
    auto [it, fresh] = side_index_.try_emplace(side.endpoint.name, static_cast<std::uint32_t>(plan_.sides.size()));
    if (fresh) plan_.sides.push_back(side.endpoint);
    side_by_address_.emplace(&side, it->second);
    return it->second;
  }

  // The host that listens for a row: the server for inbound rows, the client for rows the server
  // opens towards it.
  static const Side& listener_of(const Requirement& q, const Side& client, const Side& server) {
    return q.direction == "inbound" || q.direction == "both" ? server : client;
  }

  // The service's and the row's conditions: the first "no" decides; else any "undecided" does.
  // The conditions are the catalog's own (never copies): Phrases keys its texts by their address.
  Decision decide_all(std::initializer_list<const std::vector<Condition>*> lists, const Side& client,
                      const Side& server, const Effective& e) const {
    Decision overall;
    for (const auto* conditions : lists)
      for (const auto& cond : *conditions) {
        auto d = decide(c_, cond, client, server, e, network_os_, phrases_);
        if (d.answer == Answer::no) return d;
        if (d.answer == Answer::undecided) overall = d;
      }
    return overall;
  }

  Decision decide_requirement(const Service& s, const Requirement& q, const Side& client, const Side& server,
                              const Effective& e) const {
    auto overall = decide_all({&s.conditions, &q.conditions}, client, server, e);
    if (overall.answer == Answer::yes && q.optional && q.conditions.empty())
      overall = {Answer::undecided, phrases_(msg::skip_optional)};
    return overall;
  }

  // A row current Windows no longer uses opens only where its `unless` holds (both ends pre-Vista
  // for connectionless RPC), or when the site asks for the KB's literal answer.
  Decision still_used(const Service& s, const Requirement& q, const Side& client, const Side& server,
                      const Effective& e) const {
    if (kb_literal_) return {};
    for (const auto* obsolete : {s.obsolete ? &*s.obsolete : nullptr, q.obsolete ? &*q.obsolete : nullptr}) {
      if (!obsolete) continue;
      const auto* why = phrases_(msg::skip_obsolete, obsolete, nullptr,
                                 [&] { return msg::skip_obsolete(obsolete->why, obsolete->source); });
      if (obsolete->unless.empty()) return {Answer::no, why};
      auto d = decide_all({&obsolete->unless}, client, server, e);
      if (d.answer != Answer::yes)
        return {d.answer, phrases_(msg::skip_obsolete_unless, why, d.why,
                                   [&] { return msg::skip_obsolete_unless(*why, *d.why); })};
    }
    return {};
  }

  // One direction of a row: who sends, who receives, and who listens (the receiver, except for
  // FTP active data where the server connects back from its data port).
  struct Leg {
    const Side* from;
    const Side* to;
    bool data_back = false;  // outbound-from: from the server's data port to any client port
  };

  void add_flows(const Service& s, const Requirement& q, const Reason& reason, const Side& client, const Side& server,
                 const Effective& server_e, const Effective& client_e) {
    std::vector<Leg> legs;
    if (q.direction == "inbound" || q.direction == "both") legs.push_back({&client, &server});
    if (q.direction == "outbound" || q.direction == "both") legs.push_back({&server, &client});
    if (q.direction == "outbound-from") legs.push_back({&server, &client, true});
    for (const auto& leg : legs) {
      // The listener's settings and OS decide its ports; the data port is the server's own.
      const Side& owner = leg.data_back ? *leg.from : *leg.to;
      Ports ports = ports_for(s, q, owner, &owner == &server ? server_e : client_e);
      if (leg.data_back) {
        auto port = ports.set.ranges().empty() ? std::uint16_t{20} : ports.set.ranges().front().lo;
        add(q, reason, *leg.from, *leg.to, port, {PortSet{{1024, 65535}}, false, {}});
      } else {
        add(q, reason, *leg.from, *leg.to, std::nullopt, ports);
      }
    }
  }

  struct Ports {
    PortSet set;
    bool rpc_range = false;  // the listener's dynamic RPC range (not a fixed or pinned port)
    LocalizedText basis;     // whose range it is
  };

  // The row's ports on its listener after the site's settings: a moved port, a static RPC port, the
  // listener's dynamic RPC range, a restricted FTP passive range.
  Ports ports_for(const Service& s, const Requirement& q, const Side& listener, const Effective& e) {
    PortSet ports = q.ports;
    auto setting = port_setting(c_, e, s.id);
    if (setting && setting->first->kind == catalog::PortSettingKind::replace) {
      // The default port moves; a port derived from it (FTP data = control - 1) moves with it.
      auto moved = setting->second;
      if (q.derived_from && q.derived_from->first == setting->first->replaces)
        ports = PortSet{{static_cast<std::uint16_t>(moved + q.derived_from->second),
                         static_cast<std::uint16_t>(moved + q.derived_from->second)}};
      else if (auto old = static_cast<std::uint16_t>(setting->first->replaces); ports.contains(old))
        ports = ports.subtract(PortSet{{old, old}}).unite(PortSet{{moved, moved}});
    }
    if (q.dynamic == "rpc" && setting && setting->first->kind == catalog::PortSettingKind::static_rpc &&
        q.transport == Transport::tcp)
      return {PortSet{{setting->second, setting->second}}, false, {}};
    if (q.dynamic == "rpc") {
      // Per listener: its range and its words depend on it alone (its OS and settings), and every
      // RPC row of every entry towards it asks again.
      return rpc_ranges_(&listener, [&] { return rpc_range_of(listener, e); });
    }
    if (q.dynamic == "ftp-passive" && e.ftp_passive) return {*e.ftp_passive, false, {}};
    return {ports, false, {}};
  }

  // A server allocates its RPC endpoints from its own dynamic range: the listener's OS (or its
  // restricted range) decides, whatever the client runs.
  Ports rpc_range_of(const Side& listener, const Effective& e) {
    const auto& name = listener.endpoint.name;
    if (e.rpc) return {*e.rpc, true, msg::rpc_range_restricted(name)};
    if (kb_literal_ && mixed_eras_) {
      auto both = c_.legacy_rpc_range.unite(c_.modern_rpc_range);
      return {both, true, msg::rpc_range_both_eras()};
    }
    std::vector<std::string> os;
    bool unknown = listener.os.empty();
    for (const auto& o : listener.os) {
      if (o.empty())
        unknown = true;
      else
        os.push_back(o);
    }
    auto range = catalog::dynamic_rpc_range(c_, unknown ? std::vector<std::string>{} : os);
    if (range.assumed_both) {
      warn(msg::plan_os_unknown(name));
      return {range.ports, true, msg::rpc_range_os_unknown(name)};
    }
    std::vector<const LocalizedText*> names;
    for (const auto& o : os)
      if (const auto* n = &c_.os(o)->names;
          std::find_if(names.begin(), names.end(), [&](const auto* seen) { return *seen == *n; }) == names.end())
        names.push_back(n);
    auto listed = [&](Lang lang) { return join(names, ", ", [&](const auto* n) { return n->in(lang); }); };
    return {range.ports, true, msg::rpc_range_of(name, LocalizedText{listed(Lang::ja), listed(Lang::en)})};
  }

  // One flow of a row, merged per (source, destination, transport, source port).
  void add(const Requirement& q, const Reason& reason, const Side& from, const Side& to,
           std::optional<std::uint16_t> sport, const Ports& dports) {
    FlowKey key{name_id(from.endpoint.name), name_id(to.endpoint.name), q.transport, sport ? *sport : -1,
                !q.icmp_type.empty()};
    auto [it, fresh] = merged_.try_emplace(key);
    auto& f = it->second.flow;
    if (fresh) {
      f = Flow{from.endpoint, to.endpoint, q.transport, {}, sport, q.icmp_type, {}, {}, {}};
      // A dual-stack side towards a single-stack one: only the families both have carry the flow.
      shared_families_only(f.source.networks, to.endpoint.networks);
      shared_families_only(f.destination.networks, from.endpoint.networks);
    }
    f.ports = f.ports.unite(dports.set);
    if (dports.rpc_range)
      f.rpc_only = f.rpc_only.unite(dports.set);
    else
      it->second.fixed = it->second.fixed.unite(dports.set);
    if (!dports.basis.en.empty() &&
        std::find(f.rpc_ranges.begin(), f.rpc_ranges.end(), dports.basis) == f.rpc_ranges.end())
      f.rpc_ranges.push_back(dports.basis);
    if (std::find(f.reasons.begin(), f.reasons.end(), reason) == f.reasons.end()) f.reasons.push_back(reason);
  }

  // A client whose rows another role listens for, with no access entry from its zone to any host of
  // that role: it will not work, and the plan cannot invent the flow. Said once per (zone, role).
  // What a role's clients also need towards another role (data: needs_beside): an RODC's branch
  // clients write to a writable DC. An entry to such a host, from a side with no entry of that
  // profile towards a host of that role, is named with the entry to add.
  void warn_needs_beside(const Access& access) {
    if (access.as.empty()) return;
    for (const auto& server : servers_of(access.to)) {
      if (!server.host) continue;
      for (const auto& role_id : server.host->roles) {
        const auto* role = c_.role(role_id);
        if (!role) continue;
        for (const auto& beside : role->needs_beside) {
          if (std::find(beside.when_as.begin(), beside.when_as.end(), access.as) == beside.when_as.end()) continue;
          auto has_role = [&](const Host& h) {
            return std::find(h.roles.begin(), h.roles.end(), beside.role) != h.roles.end();
          };
          if (std::none_of(env_.hosts.begin(), env_.hosts.end(), has_role)) continue;
          if (reaches_with(access.from, beside, has_role)) continue;
          warn(msg::plan_needs_beside(std::to_string(access.line), access.from, server.endpoint.name, beside.why,
                                      beside.role, beside.as));
        }
      }
    }
  }
  template <class HasRole>
  bool reaches_with(const std::string& from, const catalog::Role::Beside& beside, HasRole has_role) {
    const auto& wanted = c_.profile(beside.as)->services;
    for (const auto& other : env_.access) {
      if (other.from != from) continue;
      bool grants =
          other.as == beside.as || std::any_of(other.services.begin(), other.services.end(), [&](const auto& s) {
            return std::find(wanted.begin(), wanted.end(), s) != wanted.end();
          });
      if (!grants) continue;
      for (const auto& side : servers_of(other.to))
        if (side.host && has_role(*side.host)) return true;
    }
    return false;
  }

  // A zone network of a family in which no flow is planned still gets that family's chain and drop
  // in every output: an IPv6 network whose hosts were given only IPv4 addresses is almost always a
  // forgotten address (a dual-stack host lists both).
  void warn_unplanned_networks() {
    auto of_family = [](const std::vector<Network>& nets, int family) {
      return std::any_of(nets.begin(), nets.end(), [&](const Network& m) { return m.family == family; });
    };
    for (const auto& z : env_.zones) {
      if (z.outside) continue;
      for (const auto& n : z.networks) {
        auto touches = [&](const std::vector<Network>& nets) {
          return std::any_of(nets.begin(), nets.end(), [&](const Network& m) { return m.overlaps(n); });
        };
        bool planned = std::any_of(plan_.flows.begin(), plan_.flows.end(), [&](const Flow& f) {
          if (n.family == 4 && f.transport == Transport::icmpv6) return false;
          return (touches(f.source.networks) || touches(f.destination.networks)) &&
                 of_family(f.source.networks, n.family) && of_family(f.destination.networks, n.family);
        });
        if (!planned) warn(msg::plan_network_unplanned(z.name, n.to_string(), "IPv" + std::to_string(n.family)));
      }
    }
  }

  void warn_unreached_listeners() {
    for (const auto& [key, missing] : unreached_) {
      if (reached_.count(key)) continue;
      const auto& [zone, role] = key;
      warn(msg::plan_unreached_listener(std::to_string(missing.line), zone, role, join(missing.services, ", ")));
    }
  }

  // An ICMP echo flow beside an all-ICMP flow between the same sides adds nothing a firewall could
  // tell apart: its rule would never match (the audit finds such rules). Its reasons join the wider flow.
  void fold_echo_into_all_icmp() {
    for (auto it = merged_.begin(); it != merged_.end();) {
      if (!it->first.echo) {
        ++it;
        continue;
      }
      FlowKey wider = it->first;
      wider.echo = false;
      auto all = merged_.find(wider);
      if (all == merged_.end()) {
        ++it;
        continue;
      }
      for (const auto& r : it->second.flow.reasons)
        if (std::find(all->second.flow.reasons.begin(), all->second.flow.reasons.end(), r) ==
            all->second.flow.reasons.end())
          all->second.flow.reasons.push_back(r);
      it = merged_.erase(it);
    }
  }

  // Group destinations that share source, transport and ports into one flow: rules then grow with
  // zone pairs and distinct port sets, not with hosts.
  void group_destinations() {
    std::map<std::tuple<std::string, Transport, std::optional<std::uint16_t>, std::string, std::string, std::string>,
             Flow>
        grouped;
    // In the order of the sides' names, as outputs list them.
    std::vector<Merged*> ordered;
    ordered.reserve(merged_.size());
    for (auto& [key, m] : merged_) ordered.push_back(&m);
    auto order = [](const Flow& f) {
      return std::tie(f.source.name, f.destination.name, f.transport, f.source_port, f.icmp_type);
    };
    std::sort(ordered.begin(), ordered.end(),
              [&](const Merged* a, const Merged* b) { return order(a->flow) < order(b->flow); });
    for (auto* m : ordered) {
      auto& f = m->flow;
      f.rpc_only = f.rpc_only.subtract(m->fixed);
      auto gk = std::tuple{f.source.name, f.transport,         f.source_port,
                           f.icmp_type,   f.ports.to_string(), f.rpc_only.to_string()};
      auto [it, fresh] = grouped.try_emplace(gk, f);
      if (fresh) continue;
      auto& g = it->second;
      g.destination.name += "," + f.destination.name;
      if (g.destination.zone != f.destination.zone) g.destination.zone.clear();
      g.destination.hosts.insert(g.destination.hosts.end(), f.destination.hosts.begin(), f.destination.hosts.end());
      g.destination.networks.insert(g.destination.networks.end(), f.destination.networks.begin(),
                                    f.destination.networks.end());
      // The same source, kept in each family some destination shares with it.
      for (const auto& n : f.source.networks)
        if (std::find(g.source.networks.begin(), g.source.networks.end(), n) == g.source.networks.end())
          g.source.networks.push_back(n);
      for (const auto& r : f.reasons)
        if (std::find(g.reasons.begin(), g.reasons.end(), r) == g.reasons.end()) g.reasons.push_back(r);
      for (const auto& basis : f.rpc_ranges)
        if (std::find(g.rpc_ranges.begin(), g.rpc_ranges.end(), basis) == g.rpc_ranges.end())
          g.rpc_ranges.push_back(basis);
    }
    for (auto& [k, f] : grouped) {
      std::sort(f.reasons.begin(), f.reasons.end());
      plan_.flows.push_back(std::move(f));
    }
  }

  struct Unreached {
    int line = 0;  // the first access entry that needed the role
    std::set<std::string> services;
  };

  const Environment& env_;
  const Catalog& c_;
  const bool kb_literal_;
  const std::vector<std::string> network_os_;
  const bool mixed_eras_;
  Plan plan_;
  std::unordered_map<std::string, std::vector<Side>> sources_, servers_;
  struct SkipKey {
    const std::string* service;
    std::size_t requirement;
    const LocalizedText* why;
    bool undecided;
    bool operator==(const SkipKey&) const = default;
  };
  struct SkipKeyHash {
    std::size_t operator()(const SkipKey& k) const {
      auto h = std::hash<const void*>{}(k.service) * 31 + k.requirement;
      return (h * 131 + std::hash<const void*>{}(k.why)) * 2 + k.undecided;
    }
  };
  std::unordered_map<SkipKey, std::size_t, SkipKeyHash> skip_index_;
  std::unordered_map<std::string, std::uint32_t> side_index_;
  std::unordered_map<const Side*, std::uint32_t> side_by_address_;
  std::set<std::pair<std::string, std::string>> reached_;  // (client zone, role) some entry grants
  std::map<std::pair<std::string, std::string>, Unreached> unreached_;
  struct Merged {
    Flow flow;
    PortSet fixed;  // ports some non-RPC requirement names
  };
  std::unordered_map<FlowKey, Merged, FlowKeyHash> merged_;
  std::unordered_map<std::string, std::uint32_t> name_ids_;

  std::uint32_t name_id(const std::string& name) {
    return name_ids_.try_emplace(name, static_cast<std::uint32_t>(name_ids_.size())).first->second;
  }
  std::set<std::string> warned_;
  Memo<const Side*, Ports> rpc_ranges_;  // sides live in sources_/servers_: stable
  mutable Phrases phrases_{c_};
  ServedServices served_{c_, env_};
};

}  // namespace

Plan make_plan(const Environment& env, const Catalog& c) { return Planner(env, c).run(); }

Flow narrowed_to(const Flow& f, const Catalog& c, const PortSet& ports) {
  Flow out = f;
  if (!has_ports(f.transport)) return out;
  out.reasons.clear();
  PortSet dynamic = f.rpc_only.intersect(ports);
  for (const auto& r : f.reasons) {
    const auto* s = c.service(r.service);
    if (!s || r.requirement >= s->requirements.size()) continue;
    const auto& q = s->requirements[r.requirement];
    if (!q.ports.intersect(ports).empty() || (q.dynamic_rpc() && !dynamic.empty())) out.reasons.push_back(r);
  }
  if (out.reasons.empty()) out.reasons = f.reasons;
  return out;
}

std::vector<std::string> services_of(const Flow& flow) {
  std::vector<std::string> out;
  for (const auto& r : flow.reasons)
    if (std::find(out.begin(), out.end(), r.service) == out.end()) out.push_back(r.service);
  return out;
}

std::string reasons_text(const Flow& flow, const Catalog& c, Lang lang) {
  // Compact: one entry per service, naming the rows of its own KB table ("§DNS Server #1,2");
  // consolidated-table or prose rows only where the service table has none.
  std::string out;
  for (const auto& id : services_of(flow)) {
    const auto* s = c.service(id);
    std::vector<int> rows, consolidated;
    std::vector<std::string> documents;  // titles of the other Microsoft documents its rows cite
    bool text = false;
    bool user = false;
    for (const auto& r : flow.reasons) {
      if (r.service != id) continue;
      const auto& q = s->requirements[r.requirement];
      user = user || q.origin == catalog::Origin::user;
      for (const auto& src : q.sources)
        if (!src.kb() && std::find(documents.begin(), documents.end(), src.title) == documents.end())
          documents.push_back(src.title);
      bool own = false;
      for (const auto& src : q.sources)
        if (src.table == "service" && std::find(rows.begin(), rows.end(), src.row) == rows.end())
          rows.push_back(src.row), own = true;
      for (const auto& src : q.sources)
        if (!own && src.table == "consolidated")
          consolidated.push_back(src.row);
        else if (!own && src.table == "text")
          text = true;
    }
    std::sort(rows.begin(), rows.end());
    std::sort(consolidated.begin(), consolidated.end());
    auto list = [](const std::vector<int>& v) {
      std::string l;
      for (int x : v) l += (l.empty() ? "" : ",") + std::to_string(x);
      return l;
    };
    std::string entry;
    if (user) entry = msg::source_user_catalog.in(lang);
    const bool kb = !rows.empty() || !consolidated.empty() || text;
    if (kb) {
      entry += "§" + (s->section.en.empty() ? s->names.in(lang) : s->section.in(lang));
      if (!rows.empty()) entry += " #" + list(rows);
      if (!consolidated.empty()) entry += msg::plan_source_consolidated.in(lang, list(consolidated));
      if (text) entry += msg::plan_source_text.in(lang);
    }
    // Rows from beyond the KB name their document, so a reader tells them from the KB's.
    if (!documents.empty()) entry += (kb ? ", " : "") + msg::plan_source_documents.in(lang, join(documents, "\", \""));
    if (entry.empty()) entry = "§" + s->names.in(lang);
    out += (out.empty() ? "" : "; ") + entry;
  }
  return out;
}

std::size_t undecided_count(const Plan& plan) {
  return static_cast<std::size_t>(
      std::count_if(plan.skipped.begin(), plan.skipped.end(), [](const Skipped& s) { return s.undecided; }));
}

std::vector<std::pair<const Endpoint*, const Endpoint*>> skipped_pairs(const Plan& plan, const Skipped& skipped,
                                                                       const std::string& to_host) {
  std::vector<std::pair<const Endpoint*, const Endpoint*>> out;
  for (auto [from, to] : skipped.pairs) {
    const auto& destination = plan.sides[to];
    if (!to_host.empty() &&
        std::find(destination.hosts.begin(), destination.hosts.end(), to_host) == destination.hosts.end())
      continue;
    out.emplace_back(&plan.sides[from], &destination);
  }
  return out;
}

std::string skipped_pairs_text(const std::vector<std::pair<const Endpoint*, const Endpoint*>>& pairs, Lang lang,
                               std::size_t shown) {
  auto out = join(std::vector(pairs.begin(), pairs.begin() + std::min(pairs.size(), shown)), ", ",
                  [](const auto& pair) { return pair.first->name + " -> " + pair.second->name; });
  if (pairs.size() > shown) out += " " + msg::pairs_more.in(lang, std::to_string(pairs.size() - shown));
  return out;
}

std::string flow_label(const Flow& f) { return f.source.name + " -> " + f.destination.name; }

std::string plan_id(const Plan& plan) {
  // FNV-1a: an identity, not a defence against forgery; results are compared, not trusted.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto add = [&](std::string_view text) {
    for (unsigned char ch : text) h = (h ^ ch) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL;  // a separator no text holds
  };
  for (const auto& f : plan.flows) {
    add(flow_label(f));
    add(to_string(f.transport));
    add(f.ports.to_string());
    add(f.source_port ? std::to_string(*f.source_port) : "");
    add(f.icmp_type);
    for (const auto* side : {&f.source.networks, &f.destination.networks})
      for (const auto& n : *side) add(n.to_string());
  }
  static const char* kHex = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
  return out;
}

}  // namespace winports::plan
