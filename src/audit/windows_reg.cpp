// Windows Firewall from a `reg export`: the FirewallRules key of the local store
// (SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy) or of a GPO
// (SOFTWARE\Policies\Microsoft\WindowsFirewall), or the whole key with each profile's
// EnableFirewall, DefaultInboundAction and AllowLocalPolicyMerge. reg.exe writes UTF-16LE with a
// BOM and CRLF; a UTF-8 file is read too. Each rule is a string of the MS-GPFAS rule grammar
// ("v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=445|RA4=…|"). Written by hand because
// no packaged library reads .reg files or that grammar.
#include <algorithm>
#include <sstream>

#include "rule_builder.hpp"
#include "windows_model.hpp"
#include "winports/audit/messages.hpp"

namespace winports::audit {
namespace {

enum class KeyKind { other, local_rules, policy_rules, local_profile, policy_profile };

KeyKind kind_of(const std::string& key, int& profile) {
  auto k = lower(key);
  bool policy = k.find("\\policies\\microsoft\\windowsfirewall") != std::string::npos;
  bool local = k.find("\\sharedaccess\\parameters\\firewallpolicy") != std::string::npos;
  if (!policy && !local) return KeyKind::other;
  auto last = k.substr(k.rfind('\\') + 1);
  if (last == "firewallrules") return policy ? KeyKind::policy_rules : KeyKind::local_rules;
  static const std::pair<const char*, int> kProfiles[] = {
      {"domainprofile", 0}, {"standardprofile", 1}, {"privateprofile", 1}, {"publicprofile", 2}};
  for (auto [name, index] : kProfiles)
    if (last == name) {
      profile = index;
      return policy ? KeyKind::policy_profile : KeyKind::local_profile;
    }
  return KeyKind::other;
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Result<windows::Model> read(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    int number = 0;
    bool header = false;
    KeyKind kind = KeyKind::other;
    int profile = -1;
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      int first = number;
      // A value continued on the next lines (reg.exe wraps hex data at a trailing backslash).
      while (!line.empty() && line.back() == '\\' && line.find("=hex") != std::string::npos) {
        std::string next;
        if (!std::getline(in, next)) break;
        ++number;
        if (!next.empty() && next.back() == '\r') next.pop_back();
        line.pop_back();
        line += next.substr(next.find_first_not_of(" \t") == std::string::npos ? next.size()
                                                                               : next.find_first_not_of(" \t"));
      }
      if (line.empty() || line[0] == ';') continue;
      if (!header) {
        if (line != "Windows Registry Editor Version 5.00" && line != "REGEDIT4")
          return Error{file_, first, 1, "header", msg::reg_header()};
        header = true;
        continue;
      }
      if (line[0] == '[') {
        if (line.back() != ']') return Error{file_, first, 1, "key", msg::reg_key_line()};
        kind = kind_of(line.substr(1, line.size() - 2), profile);
        continue;
      }
      auto status = value(line, first, kind, profile);
      if (!status) return status.error();
    }
    if (!header) return Error{file_, 1, 1, "header", msg::reg_empty()};
    return std::move(model_);
  }

 private:
  // "name"="string" | "name"=dword:0000001 | "name"=hex(…):… | "name"=- | @=…
  Status value(const std::string& line, int number, KeyKind kind, int profile) {
    std::size_t at = 0;
    std::string name;
    if (line[0] == '@') {
      at = 1;
    } else if (line[0] == '"') {
      auto parsed = quoted(line, at, number, "name");
      if (!parsed) return parsed.error();
      name = *parsed;
    } else {
      return Error{file_, number, 1, "value", msg::reg_expected_value()};
    }
    if (at >= line.size() || line[at] != '=')
      return Error{file_, number, static_cast<int>(at) + 1, name, msg::reg_expected_eq()};
    ++at;
    if (kind == KeyKind::local_rules || kind == KeyKind::policy_rules) {
      if (at >= line.size() || line[at] != '"') return ok_status();  // not a rule string (a deletion, hex data)
      auto data = quoted(line, at, number, name);
      if (!data) return data.error();
      auto rule = parse_rule(name, *data, number);
      if (!rule) return rule.error();
      (kind == KeyKind::policy_rules ? model_.policy_rules : model_.local_rules).push_back(std::move(*rule));
      return ok_status();
    }
    if ((kind == KeyKind::local_profile || kind == KeyKind::policy_profile) && profile >= 0) {
      auto rest = lower(line.substr(at));
      if (rest.rfind("dword:", 0) != 0) return ok_status();
      auto digits = rest.substr(6);
      if (digits.empty() || digits.size() > 8 || digits.find_first_not_of("0123456789abcdef") != std::string::npos)
        return Error{file_, number, static_cast<int>(at) + 7, name, msg::value_is_not(digits, said(msg::noun_dword))};
      bool on = std::stoul(digits, nullptr, 16) != 0;
      auto& p = (kind == KeyKind::policy_profile ? model_.policy : model_.local)[profile];
      auto n = lower(name);
      if (n == "enablefirewall") p.enabled = on;
      if (n == "defaultinboundaction") p.block_inbound = on;
      if (n == "allowlocalpolicymerge") p.allow_local_rules = on;
    }
    return ok_status();
  }

  Result<std::string> quoted(const std::string& line, std::size_t& at, int number, const std::string& field) {
    std::string out;
    ++at;  // the opening quote
    while (at < line.size() && line[at] != '"') {
      if (line[at] == '\\' && at + 1 < line.size()) ++at;
      out += line[at++];
    }
    if (at >= line.size()) return Error{file_, number, static_cast<int>(at) + 1, field, msg::unterminated_string()};
    ++at;
    return out;
  }

  // The MS-GPFAS rule grammar: "v" VERSION "|" 1*(TYPE "=" VALUE "|").
  Result<windows::Rule> parse_rule(const std::string& name, const std::string& data, int number) {
    windows::Rule r;
    r.location = Location{file_, number, ""};
    r.name = name;
    r.text = name + "=" + data;
    if (data.size() < 2 || data[0] != 'v' || data.find('|') == std::string::npos)
      return Error{file_, number, 0, name, msg::reg_not_a_rule()};
    bool has_action = false, has_dir = false;
    for (const auto& field : split_list(data.substr(data.find('|') + 1), '|')) {
      auto eq = field.find('=');
      if (eq == std::string::npos) return Error{file_, number, 0, name, msg::reg_field_no_eq(field)};
      auto type = field.substr(0, eq), v = field.substr(eq + 1);
      if (type == "Action") {
        if (v != "Allow" && v != "Block" && v != "ByPass")
          return Error{file_, number, 0, name + ".Action", msg::not_one_of(v, "Allow, Block, ByPass")};
        r.action = v, has_action = true;
      } else if (type == "Active") {
        r.active = lower(v) == "true";
      } else if (type == "Dir") {
        if (v != "In" && v != "Out") return Error{file_, number, 0, name + ".Dir", msg::not_one_of(v, "In, Out")};
        r.direction = v, has_dir = true;
      } else if (type == "Protocol") {
        int p = protocol_number(v);
        if (p < 0) return Error{file_, number, 0, name + ".Protocol", msg::value_is_not(v, said(msg::noun_protocol))};
        r.protocol = p;
      } else if (type == "Profile") {
        if (windows::profile_index(lower(v)) < 0)
          return Error{file_, number, 0, name + ".Profile", msg::not_one_of(v, "Domain, Private, Public")};
        r.profiles.push_back(lower(v));
      } else if (type == "LPort" || type == "LPort2_10") {
        r.local_ports.push_back(v);
      } else if (type == "RPort" || type == "RPort2_10") {
        r.remote_ports.push_back(v);
      } else if (type == "LA4" || type == "LA6" || type == "LA42" || type == "LA62") {
        r.local_addresses.push_back(v);
      } else if (type == "RA4" || type == "RA6" || type == "RA42" || type == "RA62") {
        r.remote_addresses.push_back(v);
      } else if (type == "ICMP4" || type == "ICMP6") {
        r.icmp.push_back(v);
      } else if (type == "App" || type == "Svc") {
        r.scoped_to_program = true;
        (type == "App" ? r.program : r.service) = v;
      } else if (type == "EmbedCtxt") {
        r.group = v;
      } else if (type == "Security" || type == "Security2" || type == "Security2_9") {
        r.security = v;
      }
      // Name, Desc, Edge, Defer, IF, IFType, LUAuth, RUAuth, PFN …: nothing the path decides.
    }
    if (!has_action || !has_dir) return Error{file_, number, 0, name, msg::rule_needs("Action=, Dir=")};
    return r;
  }

  std::string file_;
  windows::Model model_;
};

}  // namespace

Result<Ruleset> read_windows_reg(const std::string& file, const std::string& bytes, const HostContext& host) {
  auto text = windows::decode_text(file, bytes);
  if (!text) return text.error();
  auto model = Reader(file).read(*text);
  if (!model) return model.error();
  return windows::to_ruleset(*model, file, host);
}

}  // namespace winports::audit
