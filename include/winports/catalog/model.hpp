#pragma once
// The catalog model: what KB 832017 says, as plain value types. Built from data/*.yaml.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "winports/core/port.hpp"
#include "winports/core/text.hpp"

namespace winports::catalog {

// One condition a requirement (or a whole service) needs; see data/vocabulary.yaml.
// kind: feature | scenario | server_os | client_os | network_os | server_role | profile (the access
// entry asks through one of these consumer profiles).
// values: ids; for *_os kinds an entry may be "<id" or ">=id".
struct Condition {
  std::string kind;
  std::vector<std::string> values;
  auto members() { return std::tie(kind, values); }
  bool operator==(const Condition&) const = default;
};

// Where a requirement comes from: the KB, or another Microsoft document (data/documents.yaml).
// KB: table is "service" (the section's own table), "consolidated" (the port-ordered summary table)
// or "text" (the section's prose). row is 1-based within that table; 0 for text.
// protocol/service: the consolidated row as written; quote: the prose sentence.
// Another document: table is empty, document names it (its title and url copied from
// documents.yaml, so a row tells its source without the catalog) and section the part that says so.
struct Source {
  std::string table;
  int row = 0;
  std::string protocol;
  std::string service;
  std::string quote;
  std::string document;
  std::string section;
  std::string title;
  std::string url;
  [[nodiscard]] bool kb() const { return document.empty(); }
  auto members() { return std::tie(table, row, protocol, service, quote, document, section, title, url); }
  bool operator==(const Source&) const = default;
};

// Whose answer a row or role is: KB 832017's, another Microsoft document's, winports' own model
// (the base role every Windows host has), or a user's --catalog directory. Every output says it.
enum class Origin : std::uint8_t { kb, doc, model, user };
std::string_view to_string(Origin origin);
std::optional<Origin> parse_origin(std::string_view text);

// A Microsoft document other than the KB that catalog rows cite.
struct Document {
  std::string id;
  std::string title;
  std::string url;
  auto members() { return std::tie(id, title, url); }
};

// A fix of the Japanese seed text, recorded rather than applied silently.
struct Correction {
  std::string field;      // port | transport | protocol | columns
  std::string seed;       // as the KB writes it
  std::string corrected;  // what the catalog holds
  std::string reason;     // footnote-mark | typo | swapped-columns | shifted-columns
  auto members() { return std::tie(field, seed, corrected, reason); }
  bool operator==(const Correction&) const = default;
};

// A row the KB prints that current Windows does not use (connectionless RPC, UDP 636 …): the plan
// leaves it out, saying why, unless the site asks for the KB's literal answer (settings.kb_literal).
struct Obsolete {
  LocalizedText why;
  std::string source;             // the document that says so
  std::vector<Condition> unless;  // the row still applies where all of these hold (both ends pre-Vista)
  auto members() { return std::tie(why, source, unless); }
  bool operator==(const Obsolete&) const = default;
};

struct Requirement {
  LocalizedText protocol;  // application protocol
  Transport transport = Transport::tcp;
  PortSet ports;                                    // as the KB prints them; empty for port-less transports
  std::string dynamic;                              // "" | "rpc" (OS-dependent RPC range) | "ftp-passive"
  std::string direction = "inbound";                // inbound | outbound | outbound-from | both
  std::string reply = "same-flow";                  // same-flow | any-port (TFTP)
  std::string icmp_type;                            // "echo" or ""
  std::optional<std::pair<int, int>> derived_from;  // (port, offset): FTP active data = control - 1
  bool optional = false;
  // The role whose hosts listen on these ports, when not the host running the service: Offline
  // Files' LDAP and GC rows are a domain controller's ports, not the file server's.
  std::string listener;
  std::optional<Obsolete> obsolete;
  // Opened only when an access entry names the service (services: [rpc]), never through a profile
  // or a role: RPC over HTTP and the consolidated table's 1024-65535 are no host's default needs.
  bool by_name = false;
  std::vector<Condition> conditions;
  std::vector<std::string> notes;  // ids into Service::notes
  std::vector<Correction> corrections;
  std::vector<Source> sources;
  Origin origin = Origin::kb;  // kb when a KB table or text is among its sources

  [[nodiscard]] bool dynamic_rpc() const { return dynamic == "rpc"; }
  auto members() {
    return std::tie(protocol, transport, ports, dynamic, direction, reply, icmp_type, derived_from, optional, listener,
                    obsolete, by_name, conditions, notes, corrections, sources, origin);
  }
};

struct AdRelation {
  bool present = false;
  LocalizedText when;  // the KB's qualification, if any
  auto members() { return std::tie(present, when); }
};

struct Service {
  std::string id;
  LocalizedText names;
  LocalizedText section;  // KB section title; empty for consolidated-table-only products
  std::vector<std::string> aliases;
  std::vector<std::string> system_services;
  LocalizedText description;
  std::vector<Condition> conditions;  // apply to every requirement
  std::vector<std::string> uses;      // other services it needs (ids)
  std::optional<Obsolete> obsolete;   // the whole service is gone from current Windows (unless: where it runs)
  AdRelation ad_depends_on;           // "Active Directory が依存するサービス"
  AdRelation depends_on_ad;           // "Active Directory サービスを必要とするサービス"
  std::map<std::string, LocalizedText> notes;
  std::vector<std::string> general_notes;
  std::vector<LocalizedText> discrepancies;  // disagreements inside the KB, told in words
  std::vector<Requirement> requirements;
  std::string file;  // file it was loaded from ("builtin:..." when embedded)
  // The KB service of the same product an earlier version of which the KB describes (Exchange
  // 2016/2019 beside the KB's Exchange 2003): `catalog discrepancies` lists where their ports differ.
  std::string kb_counterpart;
  // A use of other services' ports rather than a listener of its own (an RODC's clients writing to
  // a writable DC speak DNS, LDAP and Kerberos): traffic on its ports is named as those services.
  std::vector<std::string> identifies_as;

  auto members() {
    return std::tie(id, names, section, aliases, system_services, description, conditions, uses, obsolete,
                    ad_depends_on, depends_on_ad, notes, general_notes, discrepancies, requirements, file,
                    kb_counterpart, identifies_as);
  }
};

// Services a role adds on hosts of some OS versions only (WinRM listens by default on servers from
// Windows Server 2012, not on client editions).
struct OsServices {
  std::string os;    // an os condition value: id, "<id" or ">=id"
  std::string kind;  // client | server | "" (either)
  std::vector<std::string> services;
  auto members() { return std::tie(os, kind, services); }
  bool operator==(const OsServices&) const = default;
};

struct Role {
  std::string id;
  LocalizedText names;
  std::vector<std::string> services;
  std::vector<std::string> optional_services;
  std::string defined_at;  // file:line, for errors
  bool base = false;       // every Windows host has it (the endpoint mapper, the Server service …)
  std::vector<OsServices> by_os;
  // The role family it belongs to: an RODC is a domain controller, so it serves the rows whose
  // listener is a domain controller, while `role:domain-controller` in a site still names only
  // writable DCs.
  std::string kind_of;
  // Profiles its hosts never serve, and why: an RODC replicates inbound only, so writable DCs never
  // pull from it (dc-replication towards it opens nothing).
  std::map<std::string, LocalizedText> refuses;
  Origin origin = Origin::kb;
  LocalizedText description;
  // A profile whose services the outside (`any`) answers: the time source, DNS forwarders,
  // Microsoft Update, CRL and OCSP publishers. Only these may be asked for towards `any`.
  bool outbound = false;
  // What the clients of this role also need towards hosts of another role, when they reach it with
  // one of `when_as`: an RODC's branch clients send their writes to a writable DC. An entry to such
  // a host from a side with no entry of profile `as` towards `role` is a warning saying so.
  struct Beside {
    std::string role;
    std::string as;
    std::vector<std::string> when_as;
    LocalizedText why;
    auto members() { return std::tie(role, as, when_as, why); }
    bool operator==(const Beside&) const = default;
  };
  std::vector<Beside> needs_beside;
  auto members() {
    return std::tie(id, names, services, optional_services, defined_at, base, by_os, kind_of, refuses, origin,
                    description, outbound, needs_beside);
  }
};

enum class RpcEra : std::uint8_t { legacy, modern };

struct OsVersion {
  std::string id;
  LocalizedText names;
  std::string kind;  // client | server | both
  RpcEra era = RpcEra::modern;
  std::vector<std::string> aliases;
  // What configures its firewall from a script: "netsh-advfirewall" (Vista/2008 on),
  // "netsecurity" (the PowerShell module, Windows 8/Server 2012 on); none before Vista.
  std::vector<std::string> host_firewall;
  [[nodiscard]] bool has_host_firewall(std::string_view tool) const {
    for (const auto& t : host_firewall)
      if (t == tool) return true;
    return false;
  }
  auto members() { return std::tie(id, names, kind, era, aliases, host_firewall); }
};

struct VocabularyEntry {
  std::string id;
  LocalizedText text;
  auto members() { return std::tie(id, text); }
};

// A DCE/RPC interface by the UUID clients bind to; data/rpc-interfaces.yaml.
struct RpcInterface {
  std::string uuid;      // lower-case, 8-4-4-4-12
  std::string name;      // short name as the IDL spells it: drsuapi, netlogon …
  int version = 0;       // major version
  std::string service;   // catalog service whose RPC ports it uses, or ""
  bool ept_map = false;  // ask an endpoint mapper for it by name (ept_map), not only by enumeration
  LocalizedText names;
  auto members() { return std::tie(uuid, name, version, service, ept_map, names); }
};

// A port customisation the KB points to (registry values, netsh, IIS, DFSR tools): a site file's
// key moves the service's port; data/port-settings.yaml lists them.
enum class PortSettingKind {
  static_rpc,  // the service's RPC interface listens on this port instead of the dynamic range
  replace,     // the service's default port `replaces` moves to this port (and ports derived from it)
};
struct PortSetting {
  std::string key;      // the key in a site file's settings
  std::string service;  // the catalog service it applies to
  PortSettingKind kind = PortSettingKind::static_rpc;
  int replaces = 0;   // the default port (kind replace)
  std::string where;  // where Windows sets it
  auto members() { return std::tie(key, service, kind, replaces, where); }
};

// One of Windows Firewall's predefined inbound rules (data/windows-rules.yaml), by its stable Name.
enum class PortKeyword : std::uint8_t { none, rpc, rpc_epmap };
struct PredefinedRule {
  std::string name;                   // "ADDS-LDAP-TCP-In": Get-NetFirewallRule -Name, the registry value name
  std::string group, display;         // English, as wf.msc shows them
  int protocol = 0;                   // IP protocol number
  PortSet local_ports, remote_ports;  // empty: any (or the keyword)
  PortKeyword keyword = PortKeyword::none;
  std::vector<std::string> icmp;        // "8", "3:4"
  std::string program, service;         // App=, Svc=
  std::vector<std::string> remote;      // RemoteAddress as Windows writes it; empty: Any
  std::vector<std::string> profiles;    // domain, private, public; empty: every one
  std::vector<std::string> enabled_on;  // role ids, "server", "client", "any"
  std::vector<std::string> carries;     // catalog service ids
  LocalizedText base;                   // why every host needs it; empty when it is not a base rule
  std::string source_title, source_url;
  auto members() {
    return std::tie(name, group, display, protocol, local_ports, remote_ports, keyword, icmp, program, service, remote,
                    profiles, enabled_on, carries, base, source_title, source_url);
  }
};

// Which Windows a role's product versions run on (data/products.yaml): a role bound to a product
// version (Exchange 2003, Exchange 2016/2019 …) on a Windows none of its versions runs on is an
// error naming the role of the same family that does.
struct ProductVersion {
  std::string product;               // "Exchange Server 2019"
  std::vector<std::string> runs_on;  // os ids
  auto members() { return std::tie(product, runs_on); }
};
struct RoleProduct {
  std::string role;
  std::string family;  // roles serving one product line
  std::vector<ProductVersion> versions;
  Source source;
  auto members() { return std::tie(role, family, versions, source); }
};

struct Catalog {
  std::vector<Service> services;  // sorted by id
  std::vector<Role> roles;
  std::vector<Role> profiles;          // consumer profiles: same shape as roles
  std::vector<OsVersion> os_versions;  // release order
  PortSet legacy_rpc_range;
  PortSet modern_rpc_range;
  std::vector<VocabularyEntry> features;
  std::vector<VocabularyEntry> scenarios;
  std::vector<RpcInterface> rpc_interfaces;
  std::vector<PortSetting> port_settings;
  std::vector<Document> documents;
  std::vector<PredefinedRule> predefined_rules;
  std::vector<RoleProduct> products;

  auto members() {
    // The RPC ranges before the services: a reader choosing services by port needs them (serialize.hpp).
    return std::tie(legacy_rpc_range, modern_rpc_range, services, roles, profiles, os_versions, features, scenarios,
                    rpc_interfaces, port_settings, documents, predefined_rules, products);
  }
  [[nodiscard]] const Service* service(std::string_view id) const;
  [[nodiscard]] const Role* role(std::string_view id) const;
  [[nodiscard]] const Role* profile(std::string_view id) const;
  [[nodiscard]] const OsVersion* os(std::string_view id_or_alias) const;
  [[nodiscard]] const RpcInterface* rpc_interface(std::string_view uuid) const;  // case-insensitive
  [[nodiscard]] const Document* document(std::string_view id) const;
  [[nodiscard]] const PredefinedRule* predefined_rule(std::string_view name) const;
  [[nodiscard]] const RoleProduct* product(std::string_view role_id) const;
  // The predefined rules Windows turns on by itself on a host of these roles and OS kind.
  [[nodiscard]] std::vector<const PredefinedRule*> predefined_enabled(const std::vector<std::string>& roles,
                                                                      std::string_view os_kind) const;
  // The role is `wanted` or of its family (an RODC is a domain controller).
  [[nodiscard]] bool role_is(std::string_view role_id, std::string_view wanted) const;
};

}  // namespace winports::catalog
