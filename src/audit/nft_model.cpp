#include "nft_model.hpp"

#include <algorithm>
#include <set>

#include "rule_builder.hpp"
#include "winports/audit/messages.hpp"

namespace winports::audit::nft {

void Model::remove_table(const std::string& family, const std::string& table) {
  auto prefix = family + " " + table + " ";
  std::erase_if(chains, [&](const auto& c) { return c.first.rfind(prefix, 0) == 0; });
  std::erase_if(sets, [&](const auto& s) { return s.first.rfind(prefix, 0) == 0; });
}

void Model::flush_table(const std::string& family, const std::string& table) {
  auto prefix = family + " " + table + " ";
  for (auto& [key, chain] : chains)
    if (key.rfind(prefix, 0) == 0) chain.rules.clear();
}

namespace {

const std::set<std::string>& port_carriers() {
  static const std::set<std::string> names{"tcp", "udp", "sctp", "dccp", "udplite", "th"};
  return names;
}

class Translator {
 public:
  Translator(const Model& model, const Chain& chain) : model_(model), chain_(chain) {}

  // One rule of the model as the audit's rules: a vmap becomes one rule per entry (its keys are
  // disjoint, so their order does not matter).
  std::vector<audit::Rule> rules(const nft::Rule& rule) {
    std::vector<audit::Rule> out;
    RuleBuilder base;
    if (chain_.family == "ip") base.family(4);
    if (chain_.family == "ip6") base.family(6);
    const Statement* vmap = nullptr;
    const Statement* concatenated = nullptr;  // a match of a concatenation: one rule per element
    for (const auto& s : rule.statements) {
      switch (s.kind) {
        case Statement::Kind::match:
          if (s.match.left.find(" . ") == std::string::npos)
            match(base, s.match);
          else if (!concatenated && s.match.op == "==")
            concatenated = &s;
          else
            base.unsupported(s.match.left + " " + s.match.op + " …");
          break;
        case Statement::Kind::verdict:
          verdict(base, s.verdict, s.target);
          break;
        case Statement::Kind::vmap:
          if (!vmap && !base.has_verdict()) vmap = &s;
          break;
        case Statement::Kind::unsupported:
          base.unsupported(s.what);
          break;
        case Statement::Kind::rewrite:
          base.rewrites(s.what);
          if (!base.has_verdict()) base.verdict(Verdict::accept);
          break;
        case Statement::Kind::other:
          break;
      }
    }
    if (concatenated && vmap) base.unsupported(msg::audit_construct_vmap(concatenated->match.left));
    if (concatenated && !vmap) {
      // Each element is a conjunction of its parts: the union of the elements is one rule each,
      // all with the rule's verdict (the order of rules with one verdict does not matter).
      auto elements = values(concatenated->match);
      if (!missing_set_.empty()) {
        base.unsupported(missing_set_);
        missing_set_ = {};
        elements = {};
        out.push_back(base.finish(rule.location, rule.text));
      }
      for (const auto& element : elements) {
        RuleBuilder entry = base;
        parts(entry, concatenated->match.left, element);
        out.push_back(entry.finish(rule.location, rule.text));
      }
      return out;
    }
    if (!vmap) {
      out.push_back(base.finish(rule.location, rule.text));
      return out;
    }
    for (const auto& [key, v] : vmap->entries) {
      RuleBuilder entry = base;
      if (vmap->match.left.find(" . ") != std::string::npos) {
        parts(entry, vmap->match.left, key);
      } else {
        Match m = vmap->match;
        m.values = {key};
        match(entry, m);
      }
      verdict(entry, v.first, v.second);
      out.push_back(entry.finish(rule.location, rule.text));
    }
    return out;
  }

 private:
  void verdict(RuleBuilder& b, const std::string& v, const std::string& target) {
    if (v == "accept")
      b.verdict(Verdict::accept);
    else if (v == "drop" || v == "reject")
      b.verdict(Verdict::drop);
    else if (v == "return")
      b.verdict(Verdict::return_);
    else if (v == "jump" || v == "goto")
      b.verdict(v == "jump" ? Verdict::jump : Verdict::go_to, Model::key(chain_.family, chain_.table, target));
    else if (v == "queue") {
      b.unsupported(msg::audit_construct_userspace("queue"));
      b.verdict(Verdict::drop);
    }
    // continue: no verdict
  }

  // "ip protocol . th dport" matched against "tcp . 22": each selector with its part.
  void parts(RuleBuilder& b, const std::string& selectors, const std::string& element) {
    auto lefts = split_on(selectors, " . "), rights = split_on(element, " . ");
    if (lefts.size() != rights.size()) return b.unsupported(selectors + " (" + element + ")");
    for (std::size_t i = 0; i < lefts.size(); ++i) match(b, Match{lefts[i], "==", {rights[i]}, ""});
  }
  static std::vector<std::string> split_on(const std::string& text, const std::string& separator) {
    std::vector<std::string> out;
    for (std::size_t at = 0;;) {
      auto next = text.find(separator, at);
      out.push_back(text.substr(at, next == std::string::npos ? std::string::npos : next - at));
      if (next == std::string::npos) return out;
      at = next + separator.size();
    }
  }

  std::vector<std::string> values(const Match& m) {
    if (m.set.empty()) return m.values;
    auto it = model_.sets.find(Model::key(chain_.family, chain_.table, m.set));
    if (it == model_.sets.end()) {
      missing_set_ = msg::audit_construct_set_missing(m.set);
      return {};
    }
    if (it->second.dynamic) {
      missing_set_ = msg::audit_construct_set_dynamic(m.set, m.set);
      return {};
    }
    return it->second.elements;
  }

  void match(RuleBuilder& b, const Match& m) {
    bool negate = m.op == "!=";
    std::string op = m.op == "in" ? "==" : m.op;
    auto vals = values(m);
    if (!missing_set_.empty()) {
      b.unsupported(missing_set_);
      missing_set_ = {};
      return;
    }
    auto unsupported = [&] { b.unsupported(m.left + " " + m.op + " " + (m.set.empty() ? "…" : "@" + m.set)); };
    for (const auto& v : vals)
      if (v.find(" . ") != std::string::npos) return unsupported();  // concatenations
    const std::string& left = m.left;
    auto space = left.find(' ');
    std::string proto = left.substr(0, space), field = space == std::string::npos ? "" : left.substr(space + 1);
    if ((proto == "ip" || proto == "ip6") && (field == "saddr" || field == "daddr")) {
      if (op != "==" && op != "!=") return unsupported();
      AddressSet set;
      for (const auto& v : vals) {
        auto a = parse_address_value(v);
        if (!a) return unsupported();
        set = set.unite(*a);
      }
      b.family(proto == "ip" ? 4 : 6);
      b.addresses(field == "saddr", set, negate);
      return;
    }
    if (left == "ip protocol" || left == "ip6 nexthdr" || left == "meta l4proto" || left == "l4proto") {
      ProtocolSet set;
      for (const auto& v : vals) {
        int p = protocol_number_or_name(v);
        if (p < 0) return unsupported();
        set.set(static_cast<std::size_t>(p));
      }
      if (op != "==" && op != "!=") return unsupported();
      if (left == "ip protocol") b.family(4);
      if (left == "ip6 nexthdr") b.family(6);
      b.protocols(set, negate);
      return;
    }
    if (left == "meta nfproto" || left == "nfproto") {
      if (vals.size() != 1 || (vals[0] != "ipv4" && vals[0] != "ipv6") || op != "==") return unsupported();
      b.family(vals[0] == "ipv4" ? 4 : 6);
      return;
    }
    if (port_carriers().count(proto) && (field == "dport" || field == "sport")) {
      PortSet set;
      const char* named_for = proto == "tcp" || proto == "udp" ? proto.c_str() : nullptr;
      for (const auto& v : vals) {
        auto r = parse_port_or_service(v, '-', named_for);
        if (!r) return unsupported();
        set.add(*r);
      }
      if (op == "<" || op == "<=" || op == ">" || op == ">=") {
        if (vals.size() != 1) return unsupported();
        auto p = set.ranges().front().lo;
        if (op == "<" && p == 0) return b.states(0, false);
        if (op == ">" && p == 65535) return b.states(0, false);
        set = op == "<"    ? PortSet{{0, static_cast<std::uint16_t>(p - 1)}}
              : op == "<=" ? PortSet{{0, p}}
              : op == ">"  ? PortSet{{static_cast<std::uint16_t>(p + 1), 65535}}
                           : PortSet{{p, 65535}};
      } else if (op != "==" && op != "!=") {
        return unsupported();
      }
      ProtocolSet carriers = port_protocols();
      if (proto != "th") {
        carriers.reset();
        carriers.set(static_cast<std::size_t>(protocol_number(proto)));
      }
      b.ports(field == "sport", set, negate, carriers);
      return;
    }
    if ((proto == "icmp" || proto == "icmpv6") && field == "type") {
      int p = proto == "icmp" ? 1 : 58;
      TypeSet set;
      for (const auto& v : vals) {
        auto t = parse_icmp_type(p, v);
        if (!t) return unsupported();
        set.set(static_cast<std::size_t>(*t));
      }
      if (op != "==" && op != "!=") return unsupported();
      b.icmp_types(p, set, negate);
      return;
    }
    if (left == "ct state") {
      std::uint8_t mask = 0;
      for (const auto& v : vals)
        for (const auto& item : split_list(v, ',')) {
          auto s = parse_state(item);
          if (!s) return unsupported();
          mask |= *s;
        }
      if (op != "==" && op != "!=") return unsupported();
      b.states(mask, negate);
      return;
    }
    if (left == "ip6 hoplimit" || left == "ip ttl") {
      auto n = vals.size() == 1 ? parse_port_value(vals[0], '-') : std::nullopt;
      if (!n || n->lo != n->hi || n->lo > 255 || (op != "==" && op != "!=")) return unsupported();
      b.hop_limit(n->lo, negate);
      return;
    }
    if (left == "iifname" || left == "oifname" || left == "iif" || left == "oif" || left == "meta iifname" ||
        left == "meta oifname" || left == "meta iif" || left == "meta oif") {
      if (vals.size() != 1 || (op != "==" && op != "!=")) return unsupported();
      b.interface(vals[0], negate);
      return;
    }
    unsupported();
  }

  const Model& model_;
  const Chain& chain_;
  LocalizedText missing_set_;  // why the set a match names cannot be decided, when it cannot
};

// Hooks a packet crosses on the path, in order.
std::vector<std::string> hooks_of(Path path) {
  return path == Path::forward ? std::vector<std::string>{"prerouting", "forward"}
                               : std::vector<std::string>{"prerouting", "input"};
}

}  // namespace

Result<Ruleset> to_ruleset(const Model& model, const std::string& file, Path path) {
  Ruleset out;
  out.covers_ipv4 = out.covers_ipv6 = true;  // the kernel's whole ruleset: what no chain sees passes
  out.files.push_back(file);
  out.notes = model.notes;
  for (const auto& [key, chain] : model.chains) {
    Translator t(model, chain);
    auto& c = out.chains[key];
    c.name = key;
    for (const auto& r : chain.rules)
      for (auto& rule : t.rules(r)) {
        if ((rule.verdict == Verdict::jump || rule.verdict == Verdict::go_to) && !model.chains.count(rule.target))
          return Error{r.location.file, r.location.line, 0, "jump", msg::audit_no_chain(rule.target)};
        c.rules.push_back(std::move(rule));
      }
  }
  std::vector<std::tuple<std::size_t, int, std::string>> order;
  auto hooks = hooks_of(path);
  for (const auto& [key, chain] : model.chains) {
    if (!chain.base) continue;
    auto h = std::find(hooks.begin(), hooks.end(), chain.hook);
    if (h == hooks.end()) continue;
    if (chain.family != "ip" && chain.family != "ip6" && chain.family != "inet") continue;
    order.emplace_back(static_cast<std::size_t>(h - hooks.begin()), chain.priority, key);
  }
  std::sort(order.begin(), order.end());
  for (const auto& [hook, priority, key] : order) {  // already in crossing order
    const auto& chain = model.chains.at(key);
    Stage s;
    s.chain = key;
    s.policy_accept = chain.policy_accept;
    s.ipv4 = chain.family != "ip6";
    s.ipv6 = chain.family != "ip";
    s.rewrites = chain.type == "nat";
    out.stages.push_back(std::move(s));
  }
  return out;
}

}  // namespace winports::audit::nft
