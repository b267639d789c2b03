#pragma once
// nftables as both of its syntaxes describe it (the text `nft list ruleset` prints and the JSON
// `nft -j list ruleset` prints): tables, base chains with hook, priority and policy, named sets,
// and rules as statements. nft_text.cpp and nft_json.cpp fill it; to_ruleset gives it one meaning.
#include <map>
#include <string>
#include <vector>

#include "winports/audit/messages.hpp"
#include "winports/audit/ruleset.hpp"

namespace winports::audit::nft {

// "ip saddr != { 198.18.10.0/24, 198.18.20.10 }", "ct state established,related",
// "tcp dport @ports": a selector, an operator and values (or a named set).
struct Match {
  std::string left;  // "ip saddr", "tcp dport", "meta l4proto", "ct state", "iifname" …
  std::string op = "==";
  std::vector<std::string> values;  // as text: "198.18.10.0/24", "49152-65535", "established"
  std::string set;                  // a named set ("ports" for @ports)
};

struct Statement {
  enum class Kind { match, verdict, vmap, unsupported, rewrite, other } kind = Kind::other;
  Match match;          // match; for vmap the key (left) only
  std::string verdict;  // accept, drop, reject, return, continue, jump, goto, queue
  std::string target;   // jump/goto
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> entries;  // vmap: key -> (verdict, target)
  LocalizedText what;  // unsupported / rewrite: what it is (the ruleset's syntax, and winports' words)
};

struct Rule {
  Location location;
  std::string text;
  std::vector<Statement> statements;
};

struct Chain {
  std::string family, table, name;
  bool base = false;
  std::string type, hook;
  int priority = 0;
  bool policy_accept = true;
  std::vector<Rule> rules;
};

struct Set {
  std::vector<std::string> elements;
  // Filled as packets pass (`flags dynamic`, or `add @set`/`update @set` in a rule): what it holds
  // when a packet arrives is not in the file.
  bool dynamic = false;
};

struct Model {
  std::map<std::string, Chain> chains;  // "inet filter forward"
  std::map<std::string, Set> sets;      // "inet filter site_v4"
  std::vector<std::pair<Location, LocalizedText>> notes;

  static std::string key(const std::string& family, const std::string& table, const std::string& name) {
    return family + " " + table + " " + name;
  }
  void remove_table(const std::string& family, const std::string& table);
  void flush_table(const std::string& family, const std::string& table);
};

// Gives the model its meaning on `path`; a jump to a chain the model lacks is an error at its rule.
Result<Ruleset> to_ruleset(const Model& model, const std::string& file, Path path);

}  // namespace winports::audit::nft
