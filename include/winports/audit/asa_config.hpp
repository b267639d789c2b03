#pragma once
// A Cisco ASA's configuration as `show running-config` prints it, held as the parts the audit and
// the ASA output need — objects and object-groups, access lists with their entries in order, the
// access-group bindings and each interface's nameif and security level — and every other line kept
// as read. Configuration-mode commands apply to it as the ASA applies them (`access-list NAME line N
// …` inserts, `no access-list …` removes the first entry it names, `clear configure access-list`,
// `access-group`, object-groups entered or removed), so a test can build the firewall an output makes
// from the firewall it was given, and the ASA output can place its entries in the list in use.
#include <optional>
#include <string>
#include <vector>

#include "winports/core/result.hpp"

namespace winports::audit::asa {

struct Line {
  int number = 0;  // line in the file it was read from; 0 for one a command added
  std::string text;
};

// An object or object-group: its header ("object-group service wp-x tcp") and indented members.
struct Object {
  Line head;
  std::string kind;  // "object network", "object-group service" …
  std::string name;
  std::vector<Line> members;  // trimmed ("port-object eq 445")
};

struct AccessList {
  std::string name;
  // Each entry's text after "access-list NAME " ("extended permit tcp any host 198.18.1.1 eq 445",
  // "remark …"), one per ASA line number (remarks count).
  std::vector<Line> entries;
};

struct AccessGroup {
  Line line;
  std::string list;
  std::string direction;  // "in", "out" or "global"
  std::string interface;  // "" for global
};

struct Interface {
  std::string nameif;
  int security_level = 0;
  int line = 0;
};

struct Config {
  std::string file;
  std::vector<Line> other;  // every line not modelled, in order (interfaces included)
  std::vector<Interface> interfaces;
  std::vector<Object> objects;
  std::vector<AccessList> lists;  // in order of first appearance
  std::vector<AccessGroup> groups;
  bool same_security_inter = false;  // same-security-traffic permit inter-interface
  bool same_security_intra = false;  // … intra-interface

  [[nodiscard]] const Object* object(std::string_view name) const;
  [[nodiscard]] const AccessList* list(std::string_view name) const;
  // The list bound to an interface in a direction, or the global one (interface "").
  [[nodiscard]] const AccessGroup* binding(std::string_view interface, std::string_view direction) const;
  [[nodiscard]] const Interface* interface(std::string_view nameif) const;
};

// Whether the text looks like an ASA configuration (detection by content).
bool looks_like_asa(std::string_view text);
// `show running-config` (or `write terminal`, or a saved startup-config). Errors name file and line.
Result<Config> parse_config(const std::string& file, const std::string& text);
// The configuration as `show running-config` would print it: the lines not modelled, objects, access
// lists, bindings.
std::string running_config(const Config& config);
// Configuration-mode commands, applied in order as the ASA would; an error names the command's line,
// and a command the ASA would refuse or ignore (a duplicate entry, `no` of an entry that is not there,
// a line number past the end, removing a group in use) is an error, so a test sees every such mistake.
Status apply_commands(Config& config, const std::string& file, const std::string& commands);

// "a   b" → "a b": the ASA compares entries by their words.
std::string normalized(std::string_view text);

}  // namespace winports::audit::asa
