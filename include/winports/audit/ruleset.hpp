#pragma once
// A firewall's ruleset as the audit evaluates it, whatever format it was read from: chains of rules,
// each a match (a Cube) and a verdict, and the stages a packet crosses in order (base chains by hook
// and priority, or iptables' built-in chains table by table), each with its policy. Readers (one file
// per format) build it; the evaluator (evaluate.hpp) never sees syntax.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "winports/audit/space.hpp"
#include "winports/core/result.hpp"
#include "winports/core/text.hpp"

namespace winports::audit {

enum class Verdict : std::uint8_t { none, accept, drop, jump, go_to, return_ };

// Where a rule was read: "fw.nft:42", or for nft's JSON (one line) the chain and handle.
struct Location {
  std::string file;
  int line = 0;
  std::string where;  // "inet filter forward handle 12" when the line says nothing
  [[nodiscard]] std::string to_string() const;
};

struct Rule {
  Location location;
  std::string text;  // the rule as the file has it, for the reader of a finding
  Cube match;
  Verdict verdict = Verdict::none;
  std::string target;  // the chain of a jump or goto (its key in Ruleset::chains)
  // A condition the audit cannot evaluate (an interface other than loopback, a rate limit, a mark,
  // a NAT, a set it cannot see): the packets the rest of the match selects are undecided. The
  // ruleset's own syntax stays as written; winports' words about it are in both languages.
  LocalizedText unsupported;
  bool local_only = false;  // matches loopback traffic only: none of the site's, and no finding either
  // Windows Firewall: the program or service the rule is for ("lsass.exe", "service dns"), "" for
  // every one. A packet space cannot say which program listens, so two rules of different scopes
  // never cover each other, and a scoped rule with no port opens that program's ports only.
  std::string scope;
  std::string group;  // the predefined rule's group, as the export names it
  // Not reported as never matching: a security group's permission is read once per interface that
  // carries the group (covered on one interface by another group, needed on the next), and a rule
  // that stands for how the format works (no group allows it: dropped) is no rule a user wrote.
  bool per_holder = false;
};

struct Chain {
  std::string name;  // key in Ruleset::chains ("inet filter forward", "filter FORWARD")
  std::vector<Rule> rules;
  // Windows Firewall: the order of rules means nothing (any Allow admits, any Block wins), so a rule
  // never matches only when the others of its verdict and scope allow all it allows.
  bool order_free = false;
};

// One step every packet of the path crosses: a base chain, and what happens to what it leaves undecided.
struct Stage {
  std::string chain;
  bool policy_accept = true;
  // Only packets of these families cross it (an `ip` table sees IPv4 only; iptables-save IPv4).
  bool ipv4 = true;
  bool ipv6 = true;
  // A chain that may rewrite the destination (DNAT in prerouting): whatever it matches is undecided.
  bool rewrites = false;
};

// The path a packet takes through this firewall: a router's forward path, or a host's input path.
enum class Path : std::uint8_t { forward, input };

struct Ruleset {
  std::map<std::string, Chain> chains;
  std::vector<Stage> stages;  // in the order a packet crosses them
  // Families this ruleset speaks for: an iptables-save dump says nothing of IPv6.
  bool covers_ipv4 = false;
  bool covers_ipv6 = false;
  std::vector<std::string> files;
  // Constructs read but not modelled, with their location, even where no rule of the path uses them.
  std::vector<std::pair<Location, LocalizedText>> notes;
  // What keeps every rule of the path from applying (a Windows profile whose firewall is off): the
  // audit says each once, before any flow.
  std::vector<std::pair<Location, LocalizedText>> inactive;
};

// What a host firewall's rules leave to the host: Windows Firewall's `RPC` keyword is the host's own
// dynamic RPC range, `LocalSubnet` the networks it is attached to (its zone's, as the site knows
// them), and only the rules of its active profile apply.
struct HostContext {
  std::string profile = "domain";  // domain, private or public
  PortSet rpc_ports;               // what LPort=RPC stands for on this host
  AddressSet local_subnet;         // what RA4/RA6=LocalSubnet stands for
  std::vector<Network> addresses;  // the host's own addresses (LA4/LA6 = Me)
  // Windows' base rules (data/windows-rules.yaml), by Name: what every host needs whatever the plan
  // says, so neither an EXTRA nor the plan's. A rule is one by its Name, or by the name winports'
  // -Exclusive GPO gives its copy ("winports:SITE:base:CoreNet-DHCP-In:…").
  std::vector<std::string> base_rules;
  // What each program's rules carry, by the scope findings name ("lsass.exe", "service dns"):
  // audit::program_services. A scope not in it is taken to serve every service.
  std::map<std::string, std::vector<struct ProgramPorts>> program_services;
};

// One predefined rule's part of what its program serves: the services on its ports.
struct ProgramPorts {
  int protocol = 0;
  PortSet ports;                   // empty: every port (or the dynamic range, with rpc)
  bool rpc = false;                // the dynamic RPC range
  std::set<std::string> services;  // "*": every service
};

// Readers, one per format (their files: nft_json.cpp, nft_text.cpp, iptables_save.cpp,
// windows_reg.cpp, windows_json.cpp). `path` picks the hooks or built-in chains the audit follows.
// Bad syntax: an error with file, line and field.
enum class Format : std::uint8_t {
  automatic,
  nft_json,
  nft,
  iptables_save,
  windows_reg,
  windows_json,
  asa,
  azure_nsg,
  aws_sg
};
std::optional<Format> parse_format(std::string_view name);
Result<Ruleset> read_nft_json(const std::string& file, const std::string& text, Path path);
Result<Ruleset> read_nft_text(const std::string& file, const std::string& text, Path path);
Result<Ruleset> read_iptables_save(const std::string& file, const std::string& text, Path path);
// Windows Firewall, a host's inbound path only: a `reg export` of the FirewallRules key (or of the
// whole FirewallPolicy key, with each profile's state; the GPO's Policies key alike), as reg.exe
// writes it (UTF-16LE with BOM, CRLF) or as UTF-8; and the JSON the collector script writes.
Result<Ruleset> read_windows_reg(const std::string& file, const std::string& bytes, const HostContext& host);
Result<Ruleset> read_windows_json(const std::string& file, const std::string& text, const HostContext& host);
// The PowerShell script that writes the JSON read_windows_json reads (`winports audit --collector`).
std::string windows_collector_script(Lang lang);
// What the site says of an ASA's interfaces: the networks behind each nameif (its zones'
// asa_interface). Empty: no zone names one.
struct AsaInterfaces {
  std::map<std::string, AddressSet> networks;
};
namespace asa {
struct Config;
}
// Cisco ASA `show running-config` (asa.cpp; the configuration model is asa_config.hpp), on the forward
// path: the ingress interface's list, the global list, the implicit deny, the egress interface's list.
Result<Ruleset> read_asa(const std::string& file, const std::string& text, const AsaInterfaces& interfaces);
Result<Ruleset> read_asa_config(const asa::Config& config, const AsaInterfaces& interfaces);

// What the site says of its Azure network security groups: the zones each NSG guards (their
// azure_nsg), what the tag VirtualNetwork stands for (the site's zones), and from `az network nic
// list` the addresses each network interface's own NSG guards and each application security group
// holds (by the group's name in lower case: Azure's names are case-insensitive).
struct AzureSite {
  std::map<std::string, AddressSet> zones_of_nsg;
  std::map<std::string, std::string> nsg_of_zone;  // every zone of the site: its NSG, or ""
  AddressSet virtual_network;
  std::map<std::string, AddressSet> nics_of_nsg;
  std::map<std::string, AddressSet> asg_members;
  std::vector<std::string> nic_files;
};
// `az network nsg list -o json` (or `show`) on the forward path (azure_nsg.cpp).
Result<Ruleset> read_azure_nsg(const std::string& file, const std::string& text, const AzureSite& site);
// `az network nic list -o json`: each interface's NSG and private addresses, into `site`.
bool is_azure_nic_list(std::string_view text);
Status add_azure_nics(AzureSite& site, const std::string& file, std::string_view text);

// AWS: the network interfaces of `aws ec2 describe-network-interfaces`, each with its addresses and
// the security groups it carries; a group reference means the addresses of the interfaces that
// carry the group.
struct AwsInterfaces {
  struct Interface {
    std::string id;
    AddressSet addresses;
    std::vector<std::string> groups;
  };
  std::vector<Interface> interfaces;
  std::vector<std::string> files;
};
bool is_aws_interfaces(std::string_view text);
Status add_aws_interfaces(AwsInterfaces& site, const std::string& file, std::string_view text);
// `aws ec2 describe-security-groups` on the forward path, through `interfaces` (aws_sg.cpp).
Result<Ruleset> read_aws_sg(const std::string& file, const std::string& text, const AwsInterfaces& interfaces);

// Detects the format from the content unless `format` names one; `host` is for host firewalls,
// `interfaces` for the ASA, `azure` for Azure's NSGs, `aws` for AWS's security groups.
Result<Ruleset> read_ruleset(const std::string& file, const std::string& text, Path path,
                             Format format = Format::automatic, const HostContext* host = nullptr,
                             const AsaInterfaces* interfaces = nullptr, const AzureSite* azure = nullptr,
                             const AwsInterfaces* aws = nullptr);
// Several files as one firewall (iptables-save and ip6tables-save): the stages of each in turn.
Ruleset merge(std::vector<Ruleset> parts);

}  // namespace winports::audit
