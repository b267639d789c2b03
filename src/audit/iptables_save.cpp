// iptables-save / ip6tables-save: the tables a packet crosses on the path (raw, mangle, nat, filter,
// security), their built-in chains' policies and the user chains, every rule read option by option.
// Matches the audit cannot evaluate (ipset, mark, limit, addrtype, interfaces other than lo …) make the
// rule's verdict undecided for what the rest of the rule selects; an option the reader does not know
// at all is an error, since its arguments cannot be told from the next option.
#include <map>
#include <set>
#include <sstream>

#include "rule_builder.hpp"
#include "winports/audit/messages.hpp"
#include "winports/core/text.hpp"

namespace winports::audit {
namespace {

// Words of a rule line, with iptables-save's double quotes ("a b", \" inside) kept as one word.
Result<std::vector<std::string>> words_of(const std::string& line, const std::string& file, int number) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    // A word ends at a blank outside quotes; a quoted part ("a b", \" inside) may start it or
    // follow an option's = (--log-prefix="[INPUT] "), as iptables-restore reads them.
    std::string word;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
      if (line[i] != '"') {
        word += line[i++];
        continue;
      }
      ++i;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        word += line[i++];
      }
      if (i >= line.size()) return Error{file, number, 0, "rule", msg::unterminated_string()};
      ++i;
    }
    out.push_back(std::move(word));
  }
  return out;
}

struct Path_ {
  // (table, built-in chain) in the order a packet crosses them; nat chains may rewrite.
  std::vector<std::pair<std::string, std::string>> order;
};
Path_ path_of(Path path) {
  std::string last = path == Path::forward ? "FORWARD" : "INPUT";
  return {{{"raw", "PREROUTING"},
           {"mangle", "PREROUTING"},
           {"nat", "PREROUTING"},
           {"mangle", last},
           {"filter", last},
           {"security", last}}};
}

const std::set<std::string>& builtins() {
  static const std::set<std::string> names{"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
  return names;
}

// The built-in chains each table has in the kernel: a restore file may add rules to one without
// declaring it (iptables-restore takes the chain that exists).
bool builtin_of(const std::string& table, const std::string& chain) {
  static const std::map<std::string, std::set<std::string>> chains{
      {"filter", {"INPUT", "FORWARD", "OUTPUT"}},
      {"nat", {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}},
      {"mangle", {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}},
      {"raw", {"PREROUTING", "OUTPUT"}},
      {"security", {"INPUT", "FORWARD", "OUTPUT"}}};
  auto it = chains.find(table);
  return it != chains.end() && it->second.count(chain) > 0;
}

// "-A" or "--append" and the rest, after iptables-save -c's packet and byte counters ("[0:0] -A …").
std::string without_counters(const std::string& line) {
  if (line.empty() || line[0] != '[') return line;
  auto close = line.find(']');
  if (close == std::string::npos || line.find_first_not_of("0123456789:", 1) != close) return line;
  auto rest = line.find_first_not_of(" \t", close + 1);
  return rest == std::string::npos ? line : line.substr(rest);
}

// A host name where an address goes (-s pxe.example.org): iptables-restore resolves it when the
// rules load, so what it means cannot be read from the file.
bool host_name(const std::string& text) {
  return !text.empty() &&
         text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
             std::string::npos &&
         text.find_first_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos;
}

// The words of one rule, read option by option; `!` before or after an option negates it.
struct Cursor {
  const std::vector<std::string>& words;
  std::size_t at;
  bool negate;
  const std::string& file;
  int line;
  std::string option;

  Result<std::string> value() {
    if (at + 1 < words.size() && words[at + 1] == "!") {
      negate = !negate;
      ++at;
    }
    if (at + 1 >= words.size()) return Error{file, line, 0, option, msg::option_needs_value(option)};
    return words[++at];
  }
  // The values of an option the reader does not model (--match-set NAME src): the words up to the
  // next option.
  void skip_values() {
    while (at + 1 < words.size() && words[at + 1].rfind("-", 0) != 0 && words[at + 1] != "!") ++at;
  }
};

class Reader {
 public:
  Reader(std::string file, Path path) : file_(std::move(file)), path_(path) {}

  Result<Ruleset> read(const std::string& text) {
    family_ = detect_family(text);
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto status = read_line(line, number);
      if (!status) return status.error();
    }
    if (!table_.empty()) return Error{file_, number, 0, "COMMIT", msg::ipt_no_commit(table_)};
    return finish();
  }

 private:
  static int detect_family(const std::string& text) {
    if (text.find("ip6tables-save") != std::string::npos) return 6;
    if (text.find("iptables-save") != std::string::npos) return 4;
    // No header: the addresses tell (an IPv6 address has colons; a line of IPv4 rules never does).
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("-A ", 0) != 0) continue;
      for (auto key : {" -s ", " -d ", " --src-range ", " --dst-range "})
        if (auto at = line.find(key); at != std::string::npos) {
          auto value = line.substr(at + std::string(key).size());
          value = value.substr(0, value.find(' '));
          return value.find(':') != std::string::npos ? 6 : 4;
        }
      if (line.find("ipv6-icmp") != std::string::npos || line.find("icmpv6") != std::string::npos) return 6;
    }
    return 4;
  }

  Status read_line(const std::string& dumped, int number) {
    const std::string line = without_counters(dumped);
    if (line.empty() || line[0] == '#') return ok_status();
    if (line[0] == '*') {
      if (!table_.empty()) return Error{file_, number, 0, "table", msg::ipt_no_commit(table_)};
      table_ = line.substr(1);
      ++tables_;
      return ok_status();
    }
    if (line == "COMMIT") {
      if (table_.empty()) return Error{file_, number, 0, "COMMIT", msg::ipt_commit_outside()};
      table_.clear();
      return ok_status();
    }
    if (table_.empty()) return Error{file_, number, 0, "table", msg::ipt_line_before_table()};
    if (line[0] == ':') return declare(line, number);
    if (line.rfind("-A ", 0) == 0 || line.rfind("-I ", 0) == 0) return add_rule(line, number);
    return Error{file_, number, 0, "line", msg::ipt_unexpected_line(shortened(line, 40))};
  }

  Status declare(const std::string& line, int number) {
    std::istringstream in(line.substr(1));
    std::string name, policy;
    in >> name >> policy;
    if (name.empty() || policy.empty()) return Error{file_, number, 0, "chain", msg::ipt_expected_chain()};
    bool builtin = builtins().count(name) > 0;
    if (builtin && policy != "ACCEPT" && policy != "DROP")
      return Error{file_, number, 2 + static_cast<int>(name.size()), "policy", msg::not_one_of(policy, "ACCEPT, DROP")};
    auto key = key_of(table_, name);
    out_.chains[key].name = key;
    policies_[key] = policy == "ACCEPT";
    return ok_status();
  }

  static std::string key_of(const std::string& table, const std::string& chain) { return table + " " + chain; }

  Status add_rule(const std::string& line, int number) {
    auto words = words_of(line, file_, number);
    if (!words) return words.error();
    auto& w = *words;
    if (w.size() < 2) return Error{file_, number, 0, "-A", msg::rule_needs("chain")};
    auto key = key_of(table_, w[1]);
    if (!out_.chains.count(key)) {
      if (!builtin_of(table_, w[1])) return Error{file_, number, 4, "chain", msg::ipt_chain_not_declared(w[1], table_)};
      // The chain exists in the kernel with the policy it has there: ACCEPT unless someone changed it.
      out_.chains[key].name = key;
      policies_[key] = true;
      out_.notes.push_back({Location{file_, number, ""}, msg::ipt_builtin_undeclared(w[1], table_)});
    }
    RuleBuilder b;
    b.family(family_);
    protocol_ = -1;
    module_.clear();
    std::string module;
    Cursor c{w, 1, false, file_, number, ""};
    while (++c.at < w.size()) {
      const std::string& opt = w[c.at];
      if (opt == "!") {
        c.negate = true;
        continue;
      }
      c.option = opt;
      auto status = option(b, opt, c, module, number);
      if (!status) return status.error();
      c.negate = false;
    }
    Rule r = b.finish(Location{file_, number, ""}, line);
    // User chains are the table's own: a jump names one of this table.
    if (r.verdict == Verdict::jump || r.verdict == Verdict::go_to) r.target = key_of(table_, r.target);
    out_.chains[key].rules.push_back(std::move(r));
    return ok_status();
  }

  Status option(RuleBuilder& b, const std::string& opt, Cursor& c, std::string& module, int number) {
    auto value = [&] { return c.value(); };
    auto bad = [&](const std::string& v, Msg what) -> Status {
      return Error{file_, number, 0, opt, msg::value_is_not(v, said(what))};
    };
    if (opt == "-s" || opt == "--source" || opt == "-d" || opt == "--destination") {
      auto v = value();
      if (!v) return v.error();
      AddressSet set;
      for (const auto& item : split_list(*v, ',')) {
        auto a = parse_address_value(item);
        if (!a && host_name(item)) {
          b.unsupported(opt + " " + item);
          continue;
        }
        if (!a) return bad(item, msg::noun_address);
        set = set.unite(*a);
      }
      b.addresses(opt == "-s" || opt == "--source", set, c.negate);
      return ok_status();
    }
    if (opt == "-p" || opt == "--protocol") {
      auto v = value();
      if (!v) return v.error();
      if (*v == "all") return ok_status();
      int p = protocol_number_or_name(*v);
      if (p < 0) return bad(*v, msg::noun_protocol);
      ProtocolSet set;
      set.set(static_cast<std::size_t>(p));
      b.protocols(set, c.negate);
      protocol_ = p;
      return ok_status();
    }
    if (opt == "-i" || opt == "--in-interface" || opt == "-o" || opt == "--out-interface") {
      auto v = value();
      if (!v) return v.error();
      b.interface(*v, c.negate);
      return ok_status();
    }
    if (opt == "-m" || opt == "--match") {
      auto v = value();
      if (!v) return v.error();
      module = *v;
      static const std::set<std::string> read{"tcp",   "udp",     "multiport", "conntrack", "state", "iprange", "icmp",
                                              "icmp6", "comment", "sctp",      "udplite",   "hl",    "ttl"};
      if (!read.count(module)) b.unsupported("-m " + module);
      return ok_status();
    }
    if (opt == "-j" || opt == "--jump" || opt == "-g" || opt == "--goto") return target(b, opt, c, number);
    if (opt == "-f" || opt == "--fragment") {
      b.unsupported(msg::audit_construct_fragments());
      return ok_status();
    }
    if (opt == "-c" || opt == "--set-counters") {
      auto packets = value();  // "-c packets bytes" (iptables-save -c) has two values
      auto bytes = value();
      return packets && bytes ? ok_status() : Status(Error{file_, number, 0, opt, msg::ipt_counters()});
    }
    if (opt.rfind("--", 0) == 0) return module_option(b, opt, c, module, number);
    return Error{file_, number, 0, opt, msg::ipt_unknown_option(opt)};
  }

  Status target(RuleBuilder& b, const std::string& opt, Cursor& c, int number) {
    auto v = c.value();
    if (!v) return v.error();
    const std::string& t = *v;
    module_ = "target:" + t;
    if (t == "ACCEPT")
      b.verdict(Verdict::accept);
    else if (t == "DROP" || t == "REJECT")
      b.verdict(Verdict::drop);
    else if (t == "RETURN")
      b.verdict(Verdict::return_);
    else if (t == "DNAT" || t == "REDIRECT" || t == "TPROXY" || t == "NETMAP") {
      b.rewrites(msg::audit_construct_rewrites("-j " + t));
      b.verdict(Verdict::accept);
    } else if (t == "NFQUEUE" || t == "QUEUE") {
      b.unsupported(msg::audit_construct_userspace("-j " + t));
      b.verdict(Verdict::drop);
    } else if (out_.chains.count(key_of(table_, t)))
      b.verdict(opt == "-g" || opt == "--goto" ? Verdict::go_to : Verdict::jump, t);
    else if (t == "LOG" || t == "NFLOG" || t == "MARK" || t == "CONNMARK" || t == "CT" || t == "NOTRACK" ||
             t == "TRACE" || t == "SNAT" || t == "MASQUERADE" || t == "TCPMSS" || t == "DSCP" || t == "TOS" ||
             t == "CLASSIFY" || t == "AUDIT" || t == "CHECKSUM" || t == "TTL" || t == "HL" || t == "ULOG")
      ;  // non-terminating: the packet goes on to the next rule
    else
      return Error{file_, number, 0, opt, msg::ipt_unknown_target(t)};
    return ok_status();
  }

  Status module_option(RuleBuilder& b, const std::string& opt, Cursor& c, const std::string& module, int number) {
    auto value = [&] { return c.value(); };
    auto bad = [&](const std::string& v, Msg what) -> Status {
      return Error{file_, number, 0, opt, msg::value_is_not(v, said(what))};
    };
    auto carriers = [&] {
      ProtocolSet p;
      if (protocol_ >= 0) p.set(static_cast<std::size_t>(protocol_));
      return protocol_ >= 0 ? p : port_protocols();
    };
    auto port_list = [&](const std::string& v) -> std::optional<PortSet> {
      PortSet set;
      // iptables resolves a name for the rule's protocol (tcp, udp); the others by any.
      const char* named_for = protocol_ == 6 ? "tcp" : protocol_ == 17 ? "udp" : nullptr;
      for (const auto& item : split_list(v, ',')) {
        auto r = parse_port_or_service(item, ':', named_for);
        if (!r) return std::nullopt;
        set.add(*r);
      }
      return set;
    };
    if (opt == "--dport" || opt == "--destination-port" || opt == "--sport" || opt == "--source-port" ||
        opt == "--dports" || opt == "--destination-ports" || opt == "--sports" || opt == "--source-ports") {
      bool multiport = opt.back() == 's';
      if (multiport ? module != "multiport" : (protocol_ < 0 && module != "tcp" && module != "udp" && module != "sctp"))
        return Error{file_, number, 0, opt,
                     msg::ipt_needs_first(opt, multiport ? "-m multiport" : "-p tcp, -p udp, -m tcp")};
      auto v = value();
      if (!v) return v.error();
      auto set = port_list(*v);
      if (!set) return bad(*v, msg::noun_ports);
      b.ports(opt.find("--s") == 0, *set, c.negate, carriers());
      return ok_status();
    }
    if (opt == "--ctstate" || opt == "--state") {
      auto v = value();
      if (!v) return v.error();
      std::uint8_t mask = 0;
      for (const auto& item : split_list(*v, ',')) {
        if (item == "SNAT" || item == "DNAT") {
          b.unsupported("--ctstate " + item);
          continue;
        }
        auto s = parse_state(item);
        if (!s) return bad(item, msg::noun_conntrack_state);
        mask |= *s;
      }
      b.states(mask, c.negate);
      return ok_status();
    }
    if (opt == "--src-range" || opt == "--dst-range") {
      auto v = value();
      if (!v) return v.error();
      auto a = parse_address_value(*v);
      if (!a) return bad(*v, msg::noun_address_range);
      b.addresses(opt == "--src-range", *a, c.negate);
      return ok_status();
    }
    if (opt == "--icmp-type" || opt == "--icmpv6-type") {
      auto v = value();
      if (!v) return v.error();
      int protocol = opt == "--icmp-type" ? 1 : 58;
      if (*v == "any") return ok_status();
      auto t = parse_icmp_type(protocol, *v);
      if (!t) return bad(*v, msg::noun_icmp_type);
      TypeSet set;
      set.set(static_cast<std::size_t>(*t));
      b.icmp_types(protocol, set, c.negate);
      return ok_status();
    }
    if (opt == "--hl-eq" || opt == "--ttl-eq") {
      auto v = value();
      if (!v) return v.error();
      auto n = parse_port_value(*v, ':');  // a number 0-255
      if (!n || n->lo != n->hi || n->lo > 255) return bad(*v, msg::noun_hop_limit);
      b.hop_limit(n->lo, c.negate);
      return ok_status();
    }
    if (opt == "--syn") {
      // The first packet of a TCP connection is its SYN; replies never are.
      b.states(static_cast<std::uint8_t>(CtState::new_), c.negate);
      return ok_status();
    }
    if (opt == "--comment") {
      auto v = value();
      return v ? ok_status() : Status(v.error());
    }
    if (opt == "--tcp-flags") {  // two values: mask and set
      auto mask = value();
      auto set = value();
      if (!mask || !set) return Error{file_, number, 0, opt, msg::ipt_tcp_flags()};
      b.unsupported("--tcp-flags");
      return ok_status();
    }
    // An option of a module the audit does not model (limit, set, mark …) or of a target (LOG's
    // --log-prefix, REJECT's --reject-with): its value, if any, is the next word not starting with
    // "--". Such a match leaves the rule undecided; a target's option changes nothing.
    if (!module.empty() || module_.rfind("target:", 0) == 0) {
      bool target_option = module_.rfind("target:", 0) == 0;
      if (!target_option) b.unsupported("-m " + module + " " + opt);
      c.skip_values();
      return ok_status();
    }
    return Error{file_, number, 0, opt, msg::ipt_needs_first(opt, "-m")};
  }

  Result<Ruleset> finish() {
    for (const auto& [table, chain] : path_of(path_).order) {
      auto key = key_of(table, chain);
      auto it = out_.chains.find(key);
      if (it == out_.chains.end()) continue;
      Stage s;
      s.chain = key;
      s.policy_accept = policies_[key];
      s.ipv4 = family_ == 4;
      s.ipv6 = family_ == 6;
      s.rewrites = table == "nat";
      out_.stages.push_back(s);
    }
    // A dump with no table (ip6tables-save where nothing is loaded prints nothing) cannot say which
    // family it is of: it speaks for none.
    out_.covers_ipv4 = tables_ > 0 && family_ == 4;
    out_.covers_ipv6 = tables_ > 0 && family_ == 6;
    if (tables_ == 0) out_.notes.push_back({Location{file_, 0, ""}, msg::audit_no_table()});
    out_.files.push_back(file_);
    return std::move(out_);
  }

  std::string file_;
  Path path_;
  int family_ = 4;
  std::string table_;
  int tables_ = 0;
  int protocol_ = -1;   // the rule's -p, for --dport's protocol
  std::string module_;  // "target:X" once -j is read
  Ruleset out_;
  std::map<std::string, bool> policies_;
};

}  // namespace

Result<Ruleset> read_iptables_save(const std::string& file, const std::string& text, Path path) {
  return Reader(file, path).read(text);
}

}  // namespace winports::audit
