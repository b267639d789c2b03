// Windows Firewall from the collector's JSON (windows_collector.cpp writes it; docs/audit.md lists
// its fields): the effective rules with their filters, and each profile's state.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "rule_builder.hpp"
#include "windows_model.hpp"
#include "winports/audit/messages.hpp"

namespace winports::audit {
namespace {

using nlohmann::json;

std::string text(const json& o, const char* key) {
  return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : "";
}

std::vector<std::string> texts(const json& o, const char* key) {
  std::vector<std::string> out;
  if (!o.contains(key)) return out;
  const auto& v = o[key];
  if (v.is_string()) out.push_back(v.get<std::string>());  // ConvertTo-Json writes a lone value bare
  if (v.is_array())
    for (const auto& item : v)
      if (item.is_string()) out.push_back(item.get<std::string>());
  // "Any" means no condition.
  if (out.size() == 1 && lower(out[0]) == "any") out.clear();
  return out;
}

std::optional<bool> flag(const std::string& v) {
  auto l = lower(v);
  if (l == "true") return true;
  if (l == "false") return false;
  return std::nullopt;  // NotConfigured
}

Result<windows::Model> read_model(const std::string& file, const json& doc) {
  windows::Model model;
  if (!doc.is_object() || text(doc, "format") != "winports-windows-firewall")
    return Error{file, 0, 0, "format", msg::collector_format()};
  if (!doc.contains("rules") || !doc["rules"].is_array()) return Error{file, 0, 0, "rules", msg::expected_array()};
  if (doc.contains("profiles") && doc["profiles"].is_array())
    for (const auto& p : doc["profiles"]) {
      int i = windows::profile_index(lower(text(p, "name")));
      if (i < 0) continue;
      model.local[i].enabled = flag(text(p, "enabled"));
      auto action = lower(text(p, "default_inbound_action"));
      if (action == "block" || action == "allow") model.local[i].block_inbound = action == "block";
      model.local[i].allow_local_rules = flag(text(p, "allow_local_rules"));
    }
  std::size_t index = 0;
  for (const auto& r : doc["rules"]) {
    auto where = "rules[" + std::to_string(index++) + "]";
    if (!r.is_object()) return Error{file, 0, 0, where, msg::not_an_object()};
    windows::Rule rule;
    rule.name = text(r, "id");
    rule.location = Location{file, 0, "rule " + rule.name};
    rule.text = text(r, "name").empty() ? rule.name : text(r, "name") + " (" + rule.name + ")";
    rule.active = flag(text(r, "enabled")).value_or(false);
    auto direction = text(r, "direction");
    if (direction != "Inbound" && direction != "Outbound")
      return Error{file, 0, 0, where + ".direction", msg::not_one_of(direction, "Inbound, Outbound")};
    rule.direction = direction == "Inbound" ? "In" : "Out";
    rule.action = text(r, "action");
    if (rule.action != "Allow" && rule.action != "Block")
      return Error{file, 0, 0, where + ".action", msg::not_one_of(rule.action, "Allow, Block")};
    auto profile = lower(text(r, "profile"));
    if (profile != "any" && !profile.empty())
      for (auto& p : split_list(profile, ',')) {
        p.erase(0, p.find_first_not_of(' '));
        if (windows::profile_index(p) < 0)
          return Error{file, 0, 0, where + ".profile", msg::not_one_of(p, "Domain, Private, Public")};
        rule.profiles.push_back(p);
      }
    auto protocol = lower(text(r, "protocol"));
    if (!protocol.empty() && protocol != "any") {
      int p = protocol == "icmpv4" ? 1 : protocol_number(protocol);
      if (p < 0) return Error{file, 0, 0, where + ".protocol", msg::value_is_not(protocol, said(msg::noun_protocol))};
      rule.protocol = p;
    }
    rule.local_ports = texts(r, "local_ports");
    rule.remote_ports = texts(r, "remote_ports");
    rule.icmp = texts(r, "icmp_types");
    rule.local_addresses = texts(r, "local_addresses");
    rule.remote_addresses = texts(r, "remote_addresses");
    auto program = lower(text(r, "program")), service = lower(text(r, "service"));
    rule.scoped_to_program = (!program.empty() && program != "any") || (!service.empty() && service != "any");
    if (!program.empty() && program != "any") rule.program = text(r, "program");
    if (!service.empty() && service != "any") rule.service = text(r, "service");
    rule.group = text(r, "group");
    if (lower(text(r, "authentication")) == "required" || lower(text(r, "encryption")) == "required")
      rule.security = "Authentication=" + text(r, "authentication") + ", Encryption=" + text(r, "encryption");
    if (flag(text(r, "override_block")).value_or(false)) rule.security = "OverrideBlockRules";
    model.local_rules.push_back(std::move(rule));
  }
  return model;
}

}  // namespace

Result<Ruleset> read_windows_json(const std::string& file, const std::string& bytes, const HostContext& host) {
  auto decoded = windows::decode_text(file, bytes);
  if (!decoded) return decoded.error();
  json doc = json::parse(*decoded, nullptr, false);
  if (doc.is_discarded()) return Error{file, 0, 0, "json", msg::not_json()};
  auto model = read_model(file, doc);
  if (!model) return model.error();
  return windows::to_ruleset(*model, file, host);
}

}  // namespace winports::audit
