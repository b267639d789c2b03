#pragma once
// A firewall's real ruleset held against the site's plan: the planned flows it blocks (and the
// services that break), what it accepts between the site's zones beyond the plan (and what the
// catalog says those ports mean), the replies it drops, the rules that never match, and what it
// could not decide. Router rulesets are read on the forward path; with a host, that host's input path.
#include <string>
#include <vector>

#include "winports/audit/evaluate.hpp"
#include "winports/audit/ruleset.hpp"
#include "winports/plan/planner.hpp"

namespace winports::audit {

// Ports (or a port-less protocol) between two places of the site.
struct PortFinding {
  // Zone or host names of the site, as the plan names them (Japanese only where words join them:
  // "servers except dc1"; the JSON gives the English).
  LocalizedText from;
  LocalizedText to;
  std::string transport;              // "tcp", "udp", "icmp", "gre" … (icmp: the family's ICMP)
  PortSet ports;                      // empty for a port-less protocol
  std::vector<std::string> services;  // what the plan needs them for, or what the catalog says they mean
  LocalizedText kb;                   // KB rows, for blocked flows (the JSON gives the English)
  // Set only where the finding holds for part of its sides' addresses.
  std::string source_addresses;
  std::string destination_addresses;
  std::vector<Location> rules;          // the rules that drop (blocked) or accept (extra) it; policies are not rules
  std::vector<std::string> rule_texts;  // extra: each rule's text, parallel to rules ("" for a policy)
  std::vector<std::string> icmp_types;  // ICMP: the types it is about ("echo-request"), empty for every type
  bool icmp_types_left_out = false;     // icmp_types are the few it is not about (most types are)
  // Extra: opened by a Windows rule for one program with no port of its own ("plasrv.exe"): the ports
  // that program listens on, which no ruleset says — `ports` is then empty.
  std::string program;
};

// What one rule opens beyond the plan: every zone pair and port set, once.
struct RuleFinding {
  Location rule;  // where = "policy" when no rule accepts, the path's policy does
  std::string text;
  std::vector<PortFinding> opens;
};

struct ShadowFinding {
  Location rule;
  std::string text;
  std::vector<Location> by;
};

// Why the rules on the path do not apply at all — the site's chains that nothing jumps to, no chain
// on the path, a profile whose firewall is off — once, with what to run; its consequences (every
// flow "beyond the plan") are not listed flow by flow.
struct ReachFinding {
  Location where;
  LocalizedText what;
  std::string run;  // the command that makes the rules apply ("" when there is none to give)
};

struct UnsupportedFinding {
  Location where;                  // empty file: not a rule (a family no file covers)
  LocalizedText construct;         // the JSON keeps its English
  std::vector<std::string> flows;  // the planned flows it leaves undecided ("clients -> dc1 tcp 445")
};

// A host's Allow rule that stops applying when the PowerShell output's -Exclusive GPO turns local
// rules off: whether the plan carries what it opens, or that stops working.
struct StopsApplying {
  Location rule;
  std::string text;
  bool beyond_plan = false;
};

struct Audit {
  std::string site;
  LocalizedText path;                   // "forward (router)" or "input of HOST"
  std::vector<ReachFinding> unreached;  // first: when the plan's rules do not apply at all
  std::vector<PortFinding> blocked;
  std::vector<PortFinding> replies;  // replies of planned flows the ruleset drops
  std::vector<PortFinding> extra;
  std::vector<RuleFinding> extra_by_rule;  // the same openings, by the rule that causes them
  std::vector<ShadowFinding> shadowed;
  std::vector<UnsupportedFinding> unsupported;
  std::size_t flows = 0;
  std::size_t rules = 0;
  std::vector<LocalizedText> assumptions;     // the JSON keeps their English
  std::vector<StopsApplying> stops_applying;  // filled by exclusive_preflight
  std::string host;
  [[nodiscard]] bool clean() const {
    return unreached.empty() && blocked.empty() && replies.empty() && extra.empty() && shadowed.empty() &&
           unsupported.empty();
  }
};

// What a host firewall's keywords stand for on `host` (its dynamic RPC range: restricted by the
// site's rpc_dynamic_ports, else its OS's; its zone's networks; its address), for `profile`.
Result<HostContext> host_context(const plan::Environment& env, const catalog::Catalog& catalog, const std::string& host,
                                 const std::string& profile);

// Which catalog services each program serves, from Windows' predefined rules (data/windows-rules.yaml,
// `carries`), by rule scope ("lsass.exe", "service dns"); "*" among them: every service.
std::map<std::string, std::vector<ProgramPorts>> program_services(const catalog::Catalog& catalog);

// The networks behind each ASA interface the site's zones name (asa_interface).
AsaInterfaces asa_interfaces(const plan::Environment& env);
// The zones each Azure NSG guards (their azure_nsg) and the site's zones as VirtualNetwork.
AzureSite azure_site(const plan::Environment& env);

// `host` empty: a router between the zones; else that host's own firewall.
Result<Audit> audit(const plan::Environment& env, const catalog::Catalog& catalog, const plan::Plan& plan,
                    const Ruleset& ruleset, const std::string& host);

// The pre-flight of -Exclusive: every Allow rule of a host's ruleset (a collector JSON or reg export
// of its local store), save the site's own group's and the base rules, stops applying; the ones
// the audit found opening beyond the plan are what stops working.
void exclusive_preflight(Audit& audit, const Ruleset& host_ruleset, const std::string& site_group);

// The `--json` payload: {"blocked","replies","extra","shadowed","unsupported","summary"}.
std::string audit_json(const Audit& audit);
// The table: findings grouped by zone pair, blocked first.
std::string audit_text(const Audit& audit, Lang lang = Lang::en);
std::string audit_summary(const Audit& audit, Lang lang = Lang::en);

}  // namespace winports::audit
