#pragma once
// A site description: zones, hosts, roles, OS versions, who may reach what, and the port
// customisations the KB points to. Loaded from YAML with file:line errors.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "winports/catalog/loader.hpp"
#include "winports/catalog/model.hpp"
#include "winports/core/memo.hpp"
#include "winports/core/network.hpp"
#include "winports/core/result.hpp"

namespace winports::plan {

// Customisations; unset fields fall back to the next level (host → zone → site → KB default).
struct Settings {
  std::optional<PortSet> rpc_dynamic_ports;  // restricted RPC range (registry or netsh)
  std::optional<bool> netbios;               // NetBIOS over TCP/IP in use
  std::optional<std::string> winrm_version;  // "1.1" or "2.0"; default from the host OS
  std::optional<PortSet> ftp_passive_ports;
  std::map<std::string, std::uint16_t> ports;  // a catalog port setting's key → port (ntds_port: 50010 …)
  std::optional<bool> legacy_clients;          // pre-Vista clients present beyond the listed hosts
  std::vector<std::string> features;           // vocabulary features in use
  std::vector<std::string> scenarios;          // e.g. l2tp-ipsec-encapsulated
  // The KB's literal answer (site level only): rows current Windows does not use, and both dynamic
  // RPC ranges everywhere in a network that mixes eras.
  std::optional<bool> kb_literal;
  // The PDC emulator (site level only): the one DC that syncs time from an outside source (profile
  // time-source); without it every DC an entry names does.
  std::string pdc_emulator;
  // The roles whose hosts the azure-nsg output names by an Azure application security group (site
  // level only): rules to or from exactly those hosts name the group instead of their addresses.
  std::vector<std::string> azure_asgs;
};

struct Zone {
  std::string name;
  std::vector<Network> networks;
  std::string os;             // default OS of hosts in the zone ("" unknown)
  std::string asa_interface;  // the Cisco ASA interface (nameif) its traffic arrives on, if named
  std::string azure_nsg;      // the Azure network security group guarding its subnet, if named
  Settings settings;
  int line = 0;
  // The `any` zone (alias `internet`): every address in no zone of the site, in the families the
  // site uses. The loader adds it when an access entry names it; it has no hosts, and its traffic
  // is the site's only between the pairs an access entry names (emitters scope it so).
  bool outside = false;
};

// The name of the outside zone, and the alias an access entry may use for it (unless the site has
// a zone of that name: it then means that zone, as it always did).
inline constexpr std::string_view kAnyZone = "any";
inline constexpr std::string_view kInternetAlias = "internet";

struct Host {
  std::string name;
  // One or more addresses of either family (a dual-stack host has an IPv4 and an IPv6 one): every
  // rule, probe and audit of the host covers each.
  std::vector<Network> addresses;
  std::string zone;
  std::string os;  // "" → the zone's
  std::vector<std::string> roles;
  std::vector<std::string> services;  // extra services beyond its roles
  Settings settings;
  int line = 0;
};

struct Access {
  std::string from;                   // zone, host or role:NAME
  std::string to;                     // zone, host or role:NAME
  std::string as;                     // profile id; one of as: and services: is required
  std::vector<std::string> services;  // explicit list instead of a profile
  std::vector<std::string> scenarios;
  int line = 0;
};

struct Environment {
  std::string file;
  std::string site;
  std::vector<Zone> zones;
  std::vector<Host> hosts;
  std::vector<Access> access;
  Settings settings;

  [[nodiscard]] const Zone* zone(std::string_view name) const;
  [[nodiscard]] const Host* host(std::string_view name) const;
  [[nodiscard]] std::string os_of(const Host& host) const;
  // The zone whose networks hold `address` (an address or a prefix), and the host at an address;
  // null where none does.
  [[nodiscard]] const Zone* zone_of(const Network& address) const;
  [[nodiscard]] const Host* host_at(const Network& address) const;

  // Name → position in zones/hosts; kept by the loader (sites have thousands of hosts).
  std::unordered_map<std::string, std::size_t> zone_index;
  std::unordered_map<std::string, std::size_t> host_index;
};

// Loads and checks a site: besides its syntax, every access entry must grant something on some host
// of its destination, and each of its (client, server) pairs must share an address family.
Result<Environment> load_environment(const SourceFile& file, const catalog::Catalog& catalog);

// Whether `name` is a valid Azure resource name for a network security group or one of its rules:
// 1-80 letters, digits, '_', '.' and '-', beginning with a letter or digit, ending with a letter,
// digit or '_'.
bool valid_azure_nsg_name(std::string_view name);

// What a host serves: its roles' services and its own; with `base`, also what every Windows host
// of its OS runs (the base roles: endpoint mapper, Server, Event Log, WinRM on servers from 2012).
std::set<std::string> services_served(const catalog::Catalog& catalog, const Environment& env, const Host& host,
                                      bool base);

// services_served, each (host, base) worked out once: a site names the same hosts in thousands of
// access entries, and the loader's checks and the planner ask for every one (8% of a 5,000-host
// plan). The environment's hosts must not move while it is in use.
class ServedServices {
 public:
  ServedServices(const catalog::Catalog& catalog, const Environment& env) : catalog_(catalog), env_(env) {}
  const std::set<std::string>& operator()(const Host& host, bool base) {
    return served_({&host, base}, [&] { return services_served(catalog_, env_, host, base); });
  }

 private:
  const catalog::Catalog& catalog_;
  const Environment& env_;
  Memo<std::pair<const Host*, bool>, std::set<std::string>, PairHash> served_;
};

// What a name given on the command line (explain --from/--to) stands for: a zone (its networks), a
// host (its address), role:NAME (its hosts' addresses) or an address or prefix inside a zone of
// the site (itself). An unknown name, or an address in no zone, is an error naming `field`, with
// the closest name.
struct Place {
  LocalizedText label;  // "dc1", "zone clients", "198.18.10.5 (zone clients)"
  std::vector<Network> networks;
  // What may get different answers inside it: a zone's hosts and the rest of its addresses, a
  // role's hosts; empty for a single host or address.
  struct Member {
    LocalizedText name;
    std::vector<Network> networks;
    bool rest = false;  // the zone's addresses beyond its hosts (no flow goes to those)
  };
  std::vector<Member> members;
};
Result<Place> resolve_place(const Environment& env, const catalog::Catalog& catalog, std::string_view name,
                            std::string_view field);

}  // namespace winports::plan
