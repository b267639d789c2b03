#pragma once
// Windows Firewall as both of its exports describe it (a registry rule string, a collector JSON
// rule): one rule's fields as text, and the profiles' state. windows_reg.cpp and windows_json.cpp
// fill it; to_ruleset gives it Windows' meaning: on the inbound path, an active rule of the profile
// applies, Block wins over Allow, and what no Allow rule admits meets the profile's default action.
#include <optional>
#include <string>
#include <vector>

#include "winports/audit/ruleset.hpp"

namespace winports::audit::windows {

struct Rule {
  Location location;
  std::string name;  // the rule's id (registry value name) or display name
  std::string text;  // as the export has it
  bool active = true;
  std::string action = "Allow";                        // Allow, Block, ByPass
  std::string direction = "In";                        // In, Out
  std::vector<std::string> profiles;                   // domain, private, public (lower case); empty: every profile
  std::optional<int> protocol;                         // IP protocol; none: any
  std::vector<std::string> local_ports, remote_ports;  // "445", "1024-65535", "RPC", "RPC-EPMap" …
  std::vector<std::string> local_addresses, remote_addresses;  // "198.18.10.0/255.255.255.0", "LocalSubnet" …
  std::vector<std::string> icmp;                               // "8:*", "8", "any"
  bool scoped_to_program = false;                              // App= or Svc=: the listener is taken to be that program
  std::string program;   // App=, as written ("%systemroot%\System32\lsass.exe"); "" for any
  std::string service;   // Svc= ("dns"); "" for any
  std::string group;     // EmbedCtxt= (the predefined rule's group), "" for a rule of one's own
  std::string security;  // "" or the Security= value: an IPsec requirement
};

struct Profile {
  std::optional<bool> enabled;
  std::optional<bool> block_inbound;      // DefaultInboundAction: 1 block, 0 allow
  std::optional<bool> allow_local_rules;  // AllowLocalPolicyMerge (GPO)
};

struct Model {
  std::vector<Rule> local_rules;   // the local store (SYSTEM\…\FirewallPolicy)
  std::vector<Rule> policy_rules;  // a GPO's (SOFTWARE\Policies\…\WindowsFirewall)
  Profile local[3], policy[3];     // domain, private, public
};

int profile_index(const std::string& lower_name);  // -1 when not a profile
// What a rule is scoped to, as findings name it: "lsass.exe" for App=%systemroot%\System32\lsass.exe,
// "service dns" for Svc=dns (with both, the service: several share svchost.exe); "" for every program.
std::string scope_of(std::string_view program, std::string_view service);
// Windows' exports as UTF-8: UTF-16LE with its BOM (reg.exe, PowerShell 5's redirection), or UTF-8
// with or without one.
Result<std::string> decode_text(const std::string& file, const std::string& bytes);

Result<Ruleset> to_ruleset(const Model& model, const std::string& file, const HostContext& host);

}  // namespace winports::audit::windows
