#include "windows_model.hpp"

#include <algorithm>

#include "rule_builder.hpp"
#include "winports/audit/messages.hpp"
#include "winports/catalog/messages.hpp"

namespace winports::audit::windows {
namespace {

// "198.18.10.0/255.255.255.0" (the mask form Windows writes), "198.18.10.0/24", a range or an address.
std::optional<AddressSet> address(const std::string& text) {
  if (auto slash = text.find('/'); slash != std::string::npos && text.find('.', slash) != std::string::npos) {
    auto base = parse_network(text.substr(0, slash));
    auto mask = parse_network(text.substr(slash + 1));
    if (!base || !mask || base->family != 4 || mask->family != 4) return std::nullopt;
    int prefix = 0;
    bool ended = false;
    for (auto byte : std::vector<std::uint8_t>(mask->bytes.begin(), mask->bytes.begin() + 4))
      for (int bit = 7; bit >= 0; --bit) {
        bool one = (byte >> bit) & 1;
        if (one && ended) return std::nullopt;  // not a contiguous mask
        if (one)
          ++prefix;
        else
          ended = true;
      }
    return parse_address_value(text.substr(0, slash) + "/" + std::to_string(prefix));
  }
  return parse_address_value(text);
}

// The base rule a rule is, by its Name or by the name of winports' copy of it; "" for none.
std::string base_rule_of(const Rule& r, const HostContext& host) {
  std::string_view name = r.name;
  if (auto at = name.find(":base:"); at != std::string_view::npos) {
    name.remove_prefix(at + 6);
    name = name.substr(0, name.find(':'));
  }
  auto it = std::find(host.base_rules.begin(), host.base_rules.end(), name);
  return it != host.base_rules.end() ? *it : std::string();
}

class Translator {
 public:
  explicit Translator(const HostContext& host) : host_(host) {}

  // One rule, or nullopt when it does not apply to the host's inbound path in its profile.
  std::optional<audit::Rule> rule(const Rule& r) {
    if (!r.active || r.direction != "In") return std::nullopt;
    if (!r.profiles.empty() && std::find(r.profiles.begin(), r.profiles.end(), host_.profile) == r.profiles.end())
      return std::nullopt;
    RuleBuilder b;
    if (r.protocol) {
      ProtocolSet p;
      p.set(static_cast<std::size_t>(*r.protocol));
      b.protocols(p, false);
    }
    ports(b, r, r.local_ports, false);
    ports(b, r, r.remote_ports, true);
    addresses(b, r.remote_addresses, true);
    addresses(b, r.local_addresses, false);
    icmp(b, r);
    if (!r.security.empty() && lower(r.security) != "notrequired")
      b.unsupported(msg::audit_construct_ipsec(r.security));
    if (r.action == "Allow")
      b.verdict(Verdict::accept);
    else if (r.action == "Block")
      b.verdict(Verdict::drop);
    else {
      b.unsupported("Action=" + r.action);
      b.verdict(Verdict::accept);
    }
    if (r.scoped_to_program) {
      auto scope = scope_of(r.program, r.service);
      if (host_.program_services.contains(scope))
        known_.insert(scope);
      else
        ++scoped_;
    }
    auto out = b.finish(r.location, r.text);
    out.scope = scope_of(r.program, r.service);
    out.group = r.group;
    return out;
  }

  int scoped() const { return scoped_; }
  const std::set<std::string>& known() const { return known_; }
  int local_subnet() const { return local_subnet_; }

 private:
  void ports(RuleBuilder& b, const Rule& r, const std::vector<std::string>& items, bool remote) {
    if (items.empty()) return;
    PortSet set;
    ProtocolSet carriers;
    carriers.set(r.protocol ? static_cast<std::size_t>(*r.protocol) : 6);
    for (const auto& item : items) {
      auto l = lower(item);
      if (l == "any" || l == "*") return;
      if (!remote && l == "rpc") {
        set = set.unite(host_.rpc_ports);
        continue;
      }
      if (!remote && (l == "rpc-epmap" || l == "rpcepmap")) {
        set.add({135, 135});
        continue;
      }
      auto range = parse_port_value(item, '-');
      if (!range) {
        b.unsupported(std::string(remote ? "RPort=" : "LPort=") + item);
        return;
      }
      set.add(*range);
    }
    b.ports(remote, set, false, carriers);
  }

  void addresses(RuleBuilder& b, const std::vector<std::string>& items, bool remote) {
    if (items.empty()) return;
    AddressSet set;
    for (const auto& item : items) {
      auto l = lower(item);
      if (l == "any" || l == "*") return;
      if (l == "localsubnet" || l == "localsubnet4" || l == "localsubnet6") {
        ++local_subnet_;
        set = set.unite(host_.local_subnet);
        continue;
      }
      if (!remote && (l == "me")) {
        for (const auto& a : host_.addresses) set.add(a);
        continue;
      }
      auto a = address(item);
      if (!a) {
        // DNS, DHCP, WINS, DefaultGateway, Intranet …: what the host is configured with, not the site file.
        b.unsupported(std::string(remote ? "RA=" : "LA=") + item + " (the host's own configuration decides)");
        return;
      }
      set = set.unite(*a);
    }
    b.addresses(remote, set, false);  // remote is the source on the inbound path
  }

  void icmp(RuleBuilder& b, const Rule& r) {
    if (r.icmp.empty() || !r.protocol || (*r.protocol != 1 && *r.protocol != 58)) return;
    TypeSet types;
    for (const auto& item : r.icmp) {
      auto type = item.substr(0, item.find(':'));
      if (lower(type) == "any" || type == "*") return;
      auto t = parse_icmp_type(*r.protocol, type);
      if (!t) {
        b.unsupported("ICMP type " + item);
        return;
      }
      types.set(static_cast<std::size_t>(*t));
    }
    b.icmp_types(*r.protocol, types, false);
  }

  const HostContext& host_;
  int scoped_ = 0;               // rules of a program the data does not know
  std::set<std::string> known_;  // the programs it knows
  int local_subnet_ = 0;
};

}  // namespace

namespace {

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

Result<std::string> decode_text(const std::string& file, const std::string& bytes) {
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xFE) {
    if (bytes.size() % 2) return Error{file, 0, 0, "encoding", msg::audit_odd_utf16()};
    std::string out;
    out.reserve(bytes.size() / 2);
    for (std::size_t i = 2; i + 1 < bytes.size(); i += 2) {
      std::uint32_t unit = static_cast<unsigned char>(bytes[i]) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
      if (unit >= 0xD800 && unit < 0xDC00 && i + 3 < bytes.size()) {
        std::uint32_t low = static_cast<unsigned char>(bytes[i + 2]) | (static_cast<unsigned char>(bytes[i + 3]) << 8);
        if (low >= 0xDC00 && low < 0xE000) {
          put_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
          i += 2;
          continue;
        }
      }
      put_utf8(out, unit >= 0xD800 && unit < 0xE000 ? 0xFFFD : unit);
    }
    return out;
  }
  if (bytes.rfind("\xEF\xBB\xBF", 0) == 0) return bytes.substr(3);
  return bytes;
}

std::string scope_of(std::string_view program, std::string_view service) {
  if (!service.empty() && lower(service) != "*") return "service " + lower(service);
  if (program.empty()) return "";
  return lower(program.substr(program.find_last_of("\\/") + 1));
}

int profile_index(const std::string& lower_name) {
  if (lower_name == "domain") return 0;
  if (lower_name == "private") return 1;
  if (lower_name == "public") return 2;
  return -1;
}

Result<Ruleset> to_ruleset(const Model& model, const std::string& file, const HostContext& host) {
  Ruleset out;
  out.covers_ipv4 = out.covers_ipv6 = true;
  out.files.push_back(file);
  int p = profile_index(host.profile);
  if (p < 0) return Error{file, 0, 0, "--profile", msg::audit_not_a_profile(host.profile)};
  // The policy's settings win over the local ones; Windows' defaults where neither says.
  auto pick = [&](auto member, bool fallback, const char* what) {
    if (auto v = model.policy[p].*member) return *v;
    if (auto v = model.local[p].*member) return *v;
    out.notes.push_back({Location{file, 0, ""}, msg::audit_profile_default(host.profile, what)});
    return fallback;
  };
  bool enabled = pick(&Profile::enabled, true, "EnableFirewall");
  bool block = pick(&Profile::block_inbound, true, "DefaultInboundAction");
  bool merge = model.policy[p].allow_local_rules.value_or(true);
  Stage stage;
  stage.chain = "windows " + host.profile;
  stage.policy_accept = !enabled || !block;
  auto& chain = out.chains[stage.chain];
  chain.name = stage.chain;
  chain.order_free = true;
  if (enabled) {
    Translator t(host);
    std::vector<audit::Rule> blocks, allows;
    std::vector<std::string> base;
    auto add = [&](const std::vector<Rule>& rules) {
      for (const auto& r : rules) {
        auto rule = t.rule(r);
        if (!rule) continue;
        if (rule->verdict == Verdict::accept) {
          if (auto name = base_rule_of(r, host); !name.empty()) {
            if (std::find(base.begin(), base.end(), name) == base.end()) base.push_back(name);
            continue;
          }
        }
        (rule->verdict == Verdict::drop ? blocks : allows).push_back(std::move(*rule));
      }
    };
    add(model.policy_rules);
    if (merge)
      add(model.local_rules);
    else if (!model.local_rules.empty())
      out.notes.push_back({Location{file, 0, ""}, msg::audit_local_merge_off()});
    // Block wins over Allow whatever the order: every Block first.
    for (auto& r : blocks) chain.rules.push_back(std::move(r));
    for (auto& r : allows) chain.rules.push_back(std::move(r));
    if (t.scoped()) out.notes.push_back({Location{file, 0, ""}, msg::audit_scoped_rules(std::to_string(t.scoped()))});
    if (!t.known().empty())
      out.notes.push_back(
          {Location{file, 0, ""}, msg::audit_scoped_known(std::to_string(t.known().size()),
                                                          join(t.known(), ", ", [](const auto& s) { return s; }))});
    if (t.local_subnet()) out.notes.push_back({Location{file, 0, ""}, msg::audit_local_subnet()});
    if (!base.empty())
      out.notes.push_back(
          {Location{file, 0, ""},
           msg::audit_base_rules(std::to_string(base.size()), join(base, ", ", [](const auto& b) { return b; }))});
  } else {
    out.inactive.push_back({Location{file, 0, ""}, msg::audit_firewall_off(host.profile)});
  }
  out.stages.push_back(std::move(stage));
  return out;
}

}  // namespace winports::audit::windows
