// nft's text: what `nft list ruleset` prints and what `nft -f` loads — table blocks with chains,
// sets and other objects, and the commands a load file uses (delete/flush table, flush ruleset,
// add/insert rule, add element), with `define`d variables resolved as nft resolves them. Written by
// hand because no packaged library parses nft syntax (libnftables parses only into the kernel); the
// grammar read here is the subset those files use.
#include <algorithm>
#include <set>

#include "nft_model.hpp"
#include "rule_builder.hpp"
#include "winports/audit/messages.hpp"

namespace winports::audit {
namespace {

struct Token {
  enum class Kind { word, string, open, close, semicolon, comma, newline, end } kind;
  std::string text;
  int line;
  int column;
};

std::vector<Token> tokenize(const std::string& text) {
  std::vector<Token> out;
  int line = 1, column = 1;
  std::size_t i = 0;
  auto push = [&](Token::Kind k, std::string t, int c) { out.push_back({k, std::move(t), line, c}); };
  while (i < text.size()) {
    char ch = text[i];
    int start = column;
    if (ch == '\n') {
      push(Token::Kind::newline, "", start);
      ++line, column = 1, ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(ch))) {  // \n was handled above
      ++i, ++column;
      continue;
    }
    if (ch == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {  // line continuation
      i += 2, ++line, column = 1;
      continue;
    }
    if (ch == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (ch == '{' || ch == '}' || ch == ';' || ch == ',') {
      push(ch == '{'   ? Token::Kind::open
           : ch == '}' ? Token::Kind::close
           : ch == ';' ? Token::Kind::semicolon
                       : Token::Kind::comma,
           std::string(1, ch), start);
      ++i, ++column;
      continue;
    }
    if (ch == '"') {
      std::string s;
      ++i, ++column;
      while (i < text.size() && text[i] != '"' && text[i] != '\n') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i, ++column;
        s += text[i++];
        ++column;
      }
      if (i < text.size() && text[i] == '"') ++i, ++column;
      push(Token::Kind::string, s, start);
      continue;
    }
    std::string w;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) &&
           std::string_view("{};,\"#").find(text[i]) == std::string_view::npos) {
      w += text[i++];
      ++column;
    }
    if (w.empty()) {  // a character no token starts with ('"' unmatched handled above): a word of its own
      w = std::string(1, text[i++]);
      ++column;
    }
    push(Token::Kind::word, w, start);
  }
  out.push_back({Token::Kind::end, "", line, column});
  return out;
}

const std::set<std::string>& families() {
  static const std::set<std::string> names{"ip", "ip6", "inet", "arp", "bridge", "netdev"};
  return names;
}

class Parser {
 public:
  Parser(std::string file, const std::string& text) : file_(std::move(file)), text_(text), tokens_(tokenize(text)) {}

  Result<nft::Model> parse() {
    if (auto expanded = variables(); !expanded) return expanded.error();
    while (peek().kind != Token::Kind::end) {
      if (separator()) continue;
      auto status = command();
      if (!status) return status.error();
    }
    return std::move(model_);
  }

 private:
  // `define NAME = VALUE` (and redefine, undefine) taken out of the tokens, and every `$NAME` after
  // it replaced by its value's tokens (a value may use variables defined before it), as nft does
  // before it parses; an undefined variable is nft's error too. A use keeps its own line and column.
  Status variables() {
    std::map<std::string, std::vector<Token>> defined;
    std::vector<Token> out;
    auto at_start = [&] {
      return out.empty() || out.back().kind == Token::Kind::newline || out.back().kind == Token::Kind::semicolon ||
             out.back().kind == Token::Kind::open;
    };
    auto substitute = [&](const Token& t, std::vector<Token>& into) -> Status {
      auto it = defined.find(t.text.substr(1));
      if (it == defined.end()) return error(t, t.text, msg::nft_undefined_variable(t.text.substr(1)));
      for (auto value : it->second) {
        value.line = t.line, value.column = t.column;
        into.push_back(std::move(value));
      }
      return ok_status();
    };
    auto is_variable = [](const Token& t) {
      return t.kind == Token::Kind::word && t.text.size() > 1 && t.text[0] == '$';
    };
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      const bool keyword = t.kind == Token::Kind::word && at_start();
      if (keyword && t.text == "undefine" && i + 1 < tokens_.size()) {
        defined.erase(tokens_[++i].text);
        continue;
      }
      if (keyword && (t.text == "define" || t.text == "redefine")) {
        // "NAME = VALUE" or "NAME=VALUE"
        if (i + 1 >= tokens_.size() || tokens_[i + 1].kind != Token::Kind::word)
          return error(t, "define",
                       msg::nft_expected_a("variable", describe(tokens_[std::min(i + 1, tokens_.size() - 1)])));
        std::string name = tokens_[++i].text;
        std::vector<Token> value;
        if (auto eq = name.find('='); eq != std::string::npos) {
          if (eq + 1 < name.size()) value.push_back({Token::Kind::word, name.substr(eq + 1), t.line, t.column});
          name.resize(eq);
        } else if (i + 1 < tokens_.size() && tokens_[i + 1].kind == Token::Kind::word && tokens_[i + 1].text == "=") {
          ++i;
        } else {
          return error(tokens_[std::min(i + 1, tokens_.size() - 1)], "define", msg::nft_expected_after("=", name));
        }
        int depth = 0;
        for (++i; i < tokens_.size(); ++i) {
          const Token& v = tokens_[i];
          if (v.kind == Token::Kind::end) break;
          if (depth == 0 && (v.kind == Token::Kind::newline || v.kind == Token::Kind::semicolon)) break;
          depth += v.kind == Token::Kind::open ? 1 : v.kind == Token::Kind::close ? -1 : 0;
          if (depth < 0) break;
          if (v.kind == Token::Kind::newline) continue;
          if (is_variable(v)) {
            if (auto st = substitute(v, value); !st) return st;
          } else {
            value.push_back(v);
          }
        }
        if (value.empty()) return error(t, "define", msg::nft_expected_a("value", msg::nft_end_of_line()));
        defined[name] = std::move(value);
        --i;  // the statement's end stays
        continue;
      }
      if (is_variable(t)) {
        if (auto st = substitute(t, out); !st) return st;
        continue;
      }
      out.push_back(t);
    }
    tokens_ = std::move(out);
    return ok_status();
  }

  const Token& peek(std::size_t ahead = 0) const { return tokens_[std::min(at_ + ahead, tokens_.size() - 1)]; }
  const Token& next() { return tokens_[std::min(at_++, tokens_.size() - 1)]; }
  bool separator() {
    auto k = peek().kind;
    if (k == Token::Kind::newline || k == Token::Kind::semicolon) {
      ++at_;
      return true;
    }
    return false;
  }
  bool is_word(const char* w, std::size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::word && peek(ahead).text == w;
  }
  Error error(const Token& t, const std::string& field, const LocalizedText& message) const {
    return Error{file_, t.line, t.column, field, message};
  }
  Result<std::string> word(const std::string& field) {
    const auto& t = next();
    if (t.kind != Token::Kind::word && t.kind != Token::Kind::string)
      return error(t, field, msg::nft_expected_a(field, describe(t)));
    return t.text;
  }
  static LocalizedText describe(const Token& t) {
    switch (t.kind) {
      case Token::Kind::newline:
        return msg::nft_end_of_line();
      case Token::Kind::end:
        return msg::nft_end_of_file();
      default:
        return msg::quoted(t.text);
    }
  }
  Status expect(Token::Kind k, const std::string& what) {
    const auto& t = next();
    if (t.kind != k) return error(t, what, msg::nft_expected_token(what, describe(t)));
    return ok_status();
  }
  void skip_newlines() {
    while (peek().kind == Token::Kind::newline) ++at_;
  }
  // `[family] name`: the family is optional (ip).
  Result<std::pair<std::string, std::string>> table_name() {
    auto first = word("table");
    if (!first) return first.error();
    if (families().count(*first) && (peek().kind == Token::Kind::word || peek().kind == Token::Kind::string)) {
      auto name = word("table");
      if (!name) return name.error();
      return std::make_pair(*first, *name);
    }
    return std::make_pair(std::string("ip"), *first);
  }
  // Skips a balanced { … } block (objects the audit does not model: counters, quotas, flowtables).
  Status skip_block() {
    int depth = 0;
    do {
      const auto& t = next();
      if (t.kind == Token::Kind::end) return error(t, "}", msg::nft_not_closed("{ }"));
      if (t.kind == Token::Kind::open) ++depth;
      if (t.kind == Token::Kind::close) --depth;
    } while (depth > 0);
    return ok_status();
  }
  void skip_statement() {
    while (peek().kind != Token::Kind::newline && peek().kind != Token::Kind::semicolon &&
           peek().kind != Token::Kind::end && peek().kind != Token::Kind::close) {
      if (peek().kind == Token::Kind::open) {
        (void)skip_block();
        continue;
      }
      ++at_;
    }
  }

  // The body of a `{ … }` block: `entry` reads each statement until the closing brace.
  template <class Entry>
  Status block(const std::string& what, Entry entry) {
    while (true) {
      skip_newlines();
      if (separator()) continue;
      const Token& t = peek();
      if (t.kind == Token::Kind::close) {
        ++at_;
        return ok_status();
      }
      if (t.kind == Token::Kind::end) return error(t, "}", msg::nft_not_closed(what));
      auto status = entry(t);
      if (!status) return status;
    }
  }

  Status command() {
    const Token& t = peek();
    if (t.kind != Token::Kind::word) return error(t, "command", msg::nft_expected_a("command", describe(t)));
    std::string verb = t.text;
    if (verb == "include") {  // another file's rules: not in this audit, said
      ++at_;
      auto included = word("include");
      if (!included) return included.error();
      model_.notes.push_back({Location{file_, t.line, "include"}, msg::nft_include_not_read(*included)});
      return ok_status();
    }
    if (verb == "table") {
      ++at_;
      return table();
    }
    if (verb == "add" || verb == "create" || verb == "insert") {
      ++at_;
      auto what = word("object");
      if (!what) return what.error();
      if (*what == "table") return table();
      if (*what == "chain") return add_chain();
      if (*what == "rule") return add_rule(verb == "insert");
      if (*what == "element") return add_element();
      if (*what == "set" || *what == "map") return add_set();
      skip_statement();
      return ok_status();
    }
    if (verb == "delete" || verb == "destroy" || verb == "flush") {
      ++at_;
      auto what = word("object");
      if (!what) return what.error();
      if (*what == "ruleset") {
        if (verb == "flush") model_ = nft::Model{};
        skip_statement();
        return ok_status();
      }
      if (*what == "table") {
        auto name = table_name();
        if (!name) return name.error();
        verb == "flush" ? model_.flush_table(name->first, name->second)
                        : model_.remove_table(name->first, name->second);
        return ok_status();
      }
      if (*what == "chain" && verb == "flush") {
        auto name = table_name();
        if (!name) return name.error();
        auto chain = word("chain");
        if (!chain) return chain.error();
        auto it = model_.chains.find(nft::Model::key(name->first, name->second, *chain));
        if (it != model_.chains.end()) it->second.rules.clear();
        return ok_status();
      }
      return error(t, verb, msg::nft_not_read(verb + " " + *what));
    }
    return error(t, "command", msg::nft_not_a_command(verb));
  }

  Status table() {
    auto name = table_name();
    if (!name) return name.error();
    family_ = name->first;
    table_ = name->second;
    if (peek().kind != Token::Kind::open) return ok_status();  // a declaration
    ++at_;
    return block("table " + table_, [&](const Token&) -> Status {
      auto kind = word("object");
      if (!kind) return kind.error();
      if (*kind == "chain") {
        auto chain = word("chain");
        if (!chain) return chain.error();
        return chain_body(*chain);
      }
      if (*kind == "set" || *kind == "map") {
        auto set = word("set");
        if (!set) return set.error();
        return set_body(*set, *kind == "map");
      }
      skip_statement();  // flags, comment, counter/quota/ct helper/flowtable objects …
      return ok_status();
    });
  }

  nft::Chain& chain(const std::string& name) {
    auto& c = model_.chains[nft::Model::key(family_, table_, name)];
    c.family = family_;
    c.table = table_;
    c.name = name;
    return c;
  }

  Status chain_body(const std::string& name) {
    auto& c = chain(name);
    auto open = expect(Token::Kind::open, "{");
    if (!open) return open;
    return block("chain " + name, [&](const Token& t) -> Status {
      if (is_word("type")) return chain_type(c);
      if (is_word("policy")) {
        ++at_;
        auto p = word("policy");
        if (!p) return p.error();
        if (*p != "accept" && *p != "drop") return error(t, "policy", msg::not_one_of(*p, "accept, drop"));
        c.policy_accept = *p == "accept";
        return ok_status();
      }
      if (is_word("comment") || is_word("devices") || is_word("flags")) {
        skip_statement();
        return ok_status();
      }
      auto rule = statements();
      if (!rule) return rule.error();
      c.rules.push_back(std::move(*rule));
      return ok_status();
    });
  }

  Status chain_type(nft::Chain& c) {
    const Token& at = next();  // "type"
    auto type = word("type");
    if (!type) return type.error();
    c.type = *type;
    c.base = true;
    if (!is_word("hook")) return error(peek(), "hook", msg::nft_base_chain_needs("hook"));
    ++at_;
    auto hook = word("hook");
    if (!hook) return hook.error();
    c.hook = *hook;
    if (is_word("device")) {
      ++at_;
      (void)word("device");
    }
    if (!is_word("priority")) return error(peek(), "priority", msg::nft_base_chain_needs("priority"));
    ++at_;
    std::string text;
    while (peek().kind == Token::Kind::word) text += next().text;
    auto p = parse_priority(text);
    if (!p) return error(at, "priority", msg::value_is_not(text, said(msg::noun_priority)));
    c.priority = *p;
    return ok_status();
  }

  // Elements of `{ a, b, c-d }` (newlines inside allowed) or one value; "a . b" kept whole.
  Result<std::vector<std::string>> elements() {
    std::vector<std::string> out;
    if (peek().kind != Token::Kind::open) {
      auto w = word("value");
      if (!w) return w.error();
      out.push_back(*w);
      return out;
    }
    ++at_;
    std::string current;
    while (true) {
      const Token& t = next();
      switch (t.kind) {
        case Token::Kind::close:
          if (!current.empty()) out.push_back(current);
          return out;
        case Token::Kind::comma:
          if (!current.empty()) out.push_back(current);
          current.clear();
          break;
        case Token::Kind::newline:
          break;
        case Token::Kind::word:
        case Token::Kind::string:
          // "198.18.10.5 timeout 1h": extra words after an element are its options; ". " joins.
          if (current.empty() || t.text == "." || current.back() == '.') {
            current += (current.empty() ? "" : " ") + t.text;
          } else if (current.size() >= 2 && current.substr(current.size() - 2) == " .") {
            current += " " + t.text;
          }
          break;
        case Token::Kind::open: {  // a set inside a set (a variable's value): its elements, flattened
          --at_;
          auto inner = elements();
          if (!inner) return inner.error();
          out.insert(out.end(), inner->begin(), inner->end());
          break;
        }
        default:
          return error(t, "elements", msg::nft_unexpected_in(describe(t), "set"));
      }
    }
  }

  Status set_body(const std::string& name, bool is_map) {
    auto open = expect(Token::Kind::open, "{");
    if (!open) return open;
    auto& s = model_.sets[nft::Model::key(family_, table_, name)];
    return block("set " + name, [&](const Token&) -> Status {
      if (is_word("flags")) {
        for (++at_; peek().kind == Token::Kind::word || peek().kind == Token::Kind::comma; ++at_)
          s.dynamic = s.dynamic || is_word("dynamic");
        return ok_status();
      }
      if (!is_word("elements")) {
        skip_statement();
        return ok_status();
      }
      ++at_;
      if (is_word("=")) ++at_;
      auto e = elements();
      if (!e) return e.error();
      if (!is_map) s.elements.insert(s.elements.end(), e->begin(), e->end());
      return ok_status();
    });
  }

  Status add_chain() {
    auto name = table_name();
    if (!name) return name.error();
    family_ = name->first, table_ = name->second;
    auto c = word("chain");
    if (!c) return c.error();
    if (peek().kind == Token::Kind::open) return chain_body(*c);
    chain(*c);
    return ok_status();
  }

  Status add_set() {
    auto name = table_name();
    if (!name) return name.error();
    family_ = name->first, table_ = name->second;
    auto s = word("set");
    if (!s) return s.error();
    return set_body(*s, false);
  }

  Status add_element() {
    auto name = table_name();
    if (!name) return name.error();
    auto s = word("set");
    if (!s) return s.error();
    auto e = elements();
    if (!e) return e.error();
    auto& set = model_.sets[nft::Model::key(name->first, name->second, *s)];
    set.elements.insert(set.elements.end(), e->begin(), e->end());
    return ok_status();
  }

  Status add_rule(bool insert) {
    auto name = table_name();
    if (!name) return name.error();
    family_ = name->first, table_ = name->second;
    const Token& at = peek();
    auto c = word("chain");
    if (!c) return c.error();
    auto key = nft::Model::key(family_, table_, *c);
    if (!model_.chains.count(key)) return error(at, "chain", msg::nft_chain_not_declared(key));
    if (is_word("position") || is_word("handle") || is_word("index")) {
      at_ += 2;
    }
    auto rule = statements();
    if (!rule) return rule.error();
    auto& rules = model_.chains[key].rules;
    rules.insert(insert ? rules.begin() : rules.end(), std::move(*rule));
    return ok_status();
  }

  // One rule: statements up to the end of its line.
  Result<nft::Rule> statements() {
    nft::Rule rule;
    const Token& first = peek();
    rule.location = Location{file_, first.line, ""};
    std::size_t start = at_;
    auto end_of_rule = [&] {
      auto k = peek().kind;
      return k == Token::Kind::newline || k == Token::Kind::semicolon || k == Token::Kind::end ||
             k == Token::Kind::close;
    };
    while (!end_of_rule()) {
      auto s = statement();
      if (!s) return s.error();
      rule.statements.push_back(std::move(*s));
    }
    // The rule's own text, from the file, for findings.
    rule.text = line_text(first.line);
    (void)start;
    return rule;
  }

  std::string line_text(int line) const {
    std::size_t at = 0;
    for (int l = 1; l < line && at != std::string::npos; ++l) {
      at = text_.find('\n', at);
      if (at != std::string::npos) ++at;
    }
    if (at == std::string::npos) return "";
    auto end = text_.find('\n', at);
    std::string s = text_.substr(at, end == std::string::npos ? std::string::npos : end - at);
    s.erase(0, s.find_first_not_of(" \t"));
    return s;
  }

  Result<nft::Statement> statement() {
    using K = nft::Statement::Kind;
    nft::Statement s;
    const Token& t = next();
    if (t.kind != Token::Kind::word) {
      if (t.kind == Token::Kind::string) return s;  // a stray string: nothing to decide
      return error(t, "rule", msg::nft_unexpected(describe(t)));
    }
    const std::string& w = t.text;
    static const std::set<std::string> verdicts{"accept", "drop", "reject", "return", "continue", "queue"};
    if (verdicts.count(w)) {
      s.kind = K::verdict;
      s.verdict = w;
      if (w == "reject" || w == "queue") skip_words_until_statement();
      return s;
    }
    if (w == "jump" || w == "goto") {
      auto target = word("chain");
      if (!target) return target.error();
      s.kind = K::verdict;
      s.verdict = w;
      s.target = *target;
      return s;
    }
    if (w == "counter") {
      if (is_word("packets")) {
        at_ += 4;
      } else if (is_word("name")) {
        // `counter name "c"`, or a map choosing the counter: `counter name tcp dport map { 22 : "c" }`
        ++at_;
        std::size_t ahead = 0;
        while (ahead < 4 && peek(ahead).kind == Token::Kind::word && peek(ahead).text != "map") ++ahead;
        if (peek(ahead).kind == Token::Kind::word && peek(ahead).text == "map" &&
            peek(ahead + 1).kind == Token::Kind::open) {
          at_ += ahead + 1;
          if (auto st = skip_block(); !st) return st.error();
        } else {
          ++at_;
        }
      }
      return s;
    }
    // `add @set { ip saddr }`, `update @set { … }`, `delete @set { … }` (and the older `set add …
    // @set`): the rule fills a set as packets pass, so a match on that set cannot be decided.
    if ((w == "add" || w == "update" || w == "delete") && peek().kind == Token::Kind::word && peek().text.size() > 1 &&
        peek().text[0] == '@') {
      model_.sets[nft::Model::key(family_, table_, next().text.substr(1))].dynamic = true;
      if (peek().kind == Token::Kind::open)
        if (auto st = skip_block(); !st) return st.error();
      return s;
    }
    if (w == "set" && (is_word("add") || is_word("update"))) {
      for (++at_; peek().kind == Token::Kind::word; ++at_)
        if (peek().text.size() > 1 && peek().text[0] == '@') {
          model_.sets[nft::Model::key(family_, table_, peek().text.substr(1))].dynamic = true;
          ++at_;
          break;
        }
      return s;
    }
    if (w == "comment") {
      ++at_;
      return s;
    }
    if (w == "log") {
      static const std::set<std::string> options{"prefix", "level", "flags", "group", "snaplen", "queue-threshold"};
      while (peek().kind == Token::Kind::word && options.count(peek().text)) {
        at_ += 2;
        while (peek().kind == Token::Kind::comma) at_ += 2;
      }
      return s;
    }
    if (w == "limit" || w == "quota") {
      s.kind = K::unsupported;
      s.what = msg::audit_construct_rate(w);
      skip_words_until_statement();
      return s;
    }
    if (w == "dnat" || w == "redirect" || w == "tproxy") {
      s.kind = K::rewrite;
      s.what = msg::audit_construct_rewrites(w);
      skip_words_until_statement();
      return s;
    }
    if (w == "snat" || w == "masquerade" || w == "notrack" || w == "mark" || w == "flow") {
      skip_words_until_statement();
      return s;
    }
    // A match: selector (one word, or two: "ip saddr"), optional operator, value(s) or vmap.
    static const std::set<std::string> two_word{
        "ip",    "ip6",  "tcp", "udp", "th",  "sctp", "dccp",  "udplite", "icmp",   "icmpv6", "ct",     "meta",
        "ether", "vlan", "arp", "ah",  "esp", "comp", "icmpx", "rt",      "exthdr", "fib",    "socket", "osf"};
    std::string left = w;
    if (two_word.count(w)) {
      auto field = word("field");
      if (!field) return field.error();
      left += " " + *field;
    }
    // A concatenation ("ip protocol . th dport"): its selectors joined by " . ", each element of
    // its values or map keys likewise ("tcp . 22").
    while (is_word(".")) {
      ++at_;
      auto more = word("selector");
      if (!more) return more.error();
      left += " . " + *more;
      if (two_word.count(*more)) {
        auto field = word("field");
        if (!field) return field.error();
        left += " " + *field;
      }
    }
    // A header rewritten, not matched: `meta mark set …`, `ip dscp set …`, `tcp option maxseg size set
    // rt mtu`.
    if (is_word("set") || (peek().kind == Token::Kind::word && is_word("set", 1))) {
      skip_words_until_statement();
      return s;
    }
    if (is_word("vmap")) {
      ++at_;
      s.kind = K::vmap;
      s.match.left = left;
      return vmap(s);
    }
    s.kind = K::match;
    s.match.left = left;
    static const std::set<std::string> ops{"==", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le", "ge"};
    if (peek().kind == Token::Kind::word && ops.count(peek().text)) {
      std::string op = next().text;
      static const std::map<std::string, std::string> words{{"eq", "=="}, {"ne", "!="}, {"lt", "<"},
                                                            {"gt", ">"},  {"le", "<="}, {"ge", ">="}};
      s.match.op = words.count(op) ? words.at(op) : op;
    }
    if (peek().kind == Token::Kind::word && peek().text.size() > 1 && peek().text[0] == '@') {
      s.match.set = next().text.substr(1);
      return s;
    }
    const Token& value_token = peek();
    auto values = elements();
    if (!values) return values.error();
    s.match.values = *values;
    // A service name nft cannot resolve is nft's error too (and so is no port to guess).
    if (auto space = left.find(' '); space != std::string::npos && left.find(" . ") == std::string::npos) {
      auto field = left.substr(space + 1);
      auto proto = left.substr(0, space);
      static const std::set<std::string> carriers{"tcp", "udp", "th", "sctp", "dccp", "udplite"};
      if ((field == "dport" || field == "sport") && carriers.count(proto))
        for (const auto& v : s.match.values)
          if (std::any_of(v.begin(), v.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); }) &&
              !parse_port_or_service(v, '-', proto == "tcp" || proto == "udp" ? proto.c_str() : nullptr))
            return error(value_token, left, msg::nft_unknown_service(v));
    }
    // "established,related": a flag list written with commas and no braces.
    while (peek().kind == Token::Kind::comma && peek(1).kind == Token::Kind::word) {
      at_ += 1;
      s.match.values.back() += "," + next().text;
    }
    // One concatenated value ("198.18.10.5 . 22"): its parts joined as a set's elements are.
    while (left.find(" . ") != std::string::npos && s.match.values.size() == 1 && is_word(".")) {
      ++at_;
      auto more = word("value");
      if (!more) return more.error();
      s.match.values.back() += " . " + *more;
    }
    // A bitwise expression ("ct mark & 0xff"): not modelled.
    if (peek().kind == Token::Kind::word && (peek().text == "." || peek().text == "&" || peek().text == "|")) {
      s.kind = K::unsupported;
      s.what = LocalizedText{{}, left + " " + peek().text + " …"};
      skip_words_until_verdict();
    }
    return s;
  }

  Result<nft::Statement> vmap(nft::Statement& s) {
    if (peek().kind == Token::Kind::word && peek().text[0] == '@') {
      ++at_;
      s.kind = nft::Statement::Kind::unsupported;
      s.what = LocalizedText{{}, s.match.left + " vmap @…"};
      return s;
    }
    auto open = expect(Token::Kind::open, "{");
    if (!open) return open.error();
    while (true) {
      const Token& t = next();
      if (t.kind == Token::Kind::close) return s;
      if (t.kind == Token::Kind::comma || t.kind == Token::Kind::newline) continue;
      if (t.kind != Token::Kind::word) return error(t, "vmap", msg::nft_unexpected_in(describe(t), "vmap"));
      std::string key = t.text;
      while (is_word(".")) {  // a concatenated key: "tcp . 22"
        ++at_;
        auto more = word("value");
        if (!more) return more.error();
        key += " . " + *more;
      }
      if (!is_word(":")) return error(peek(), "vmap", msg::nft_expected_after(":", key));
      ++at_;
      auto v = word("verdict");
      if (!v) return v.error();
      std::string target;
      if (*v == "jump" || *v == "goto") {
        auto tg = word("chain");
        if (!tg) return tg.error();
        target = *tg;
      }
      s.entries.push_back({key, {*v, target}});
    }
  }

  void skip_words_until_statement() {
    static const std::set<std::string> stops{"accept", "drop", "return", "jump", "goto", "counter", "comment", "log"};
    while (peek().kind == Token::Kind::word && !stops.count(peek().text)) ++at_;
  }
  void skip_words_until_verdict() {
    static const std::set<std::string> stops{"accept", "drop", "reject", "return", "jump", "goto", "queue"};
    while (!(peek().kind == Token::Kind::word && stops.count(peek().text)) && peek().kind != Token::Kind::newline &&
           peek().kind != Token::Kind::end && peek().kind != Token::Kind::semicolon)
      ++at_;
  }

  std::string file_;
  const std::string& text_;
  std::vector<Token> tokens_;
  std::size_t at_ = 0;
  std::string family_ = "ip", table_;
  nft::Model model_;
};

}  // namespace

Result<Ruleset> read_nft_text(const std::string& file, const std::string& text, Path path) {
  auto model = Parser(file, text).parse();
  if (!model) return model.error();
  return nft::to_ruleset(*model, file, path);
}

}  // namespace winports::audit
