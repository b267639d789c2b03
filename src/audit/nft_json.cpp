// nft's JSON (`nft -j list ruleset`, libnftables-json(5)): read with nlohmann::json into the same
// model as the text, so both syntaxes mean the same. The dump is one line: a rule's place is its
// table, chain and handle.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "nft_model.hpp"
#include "winports/audit/messages.hpp"

namespace winports::audit {
namespace {

using nlohmann::json;

// A value of the JSON grammar as nft's text writes it: "198.18.10.0/24", "49152-65535", "established".
std::vector<std::string> texts(const json& v) {
  if (v.is_string()) return {v.get<std::string>()};
  if (v.is_number_integer()) return {std::to_string(v.get<long long>())};
  if (v.is_array()) {  // a list of flags: ["established", "related"]
    std::vector<std::string> out;
    for (const auto& item : v)
      for (auto& t : texts(item)) out.push_back(std::move(t));
    return out;
  }
  if (!v.is_object()) return {"?"};
  if (v.contains("prefix")) {
    const auto& p = v["prefix"];
    auto addr = texts(p.value("addr", json()));
    return {(addr.empty() ? "?" : addr[0]) + "/" + std::to_string(p.value("len", 0))};
  }
  if (v.contains("range") && v["range"].is_array() && v["range"].size() == 2) {
    auto lo = texts(v["range"][0]), hi = texts(v["range"][1]);
    return {(lo.empty() ? "?" : lo[0]) + "-" + (hi.empty() ? "?" : hi[0])};
  }
  if (v.contains("set")) return texts(v["set"]);
  if (v.contains("elem")) return texts(v["elem"].value("val", json()));
  if (v.contains("concat")) return {"? . ?"};
  return {"?"};
}

// The left side of a match as the text names it ("ip saddr", "ct state", "meta l4proto").
std::string left_of(const json& l) {
  if (!l.is_object()) return "?";
  if (l.contains("payload")) {
    const auto& p = l["payload"];
    return p.value("protocol", "?") + " " + p.value("field", "?");
  }
  if (l.contains("meta")) {
    auto key = l["meta"].value("key", "?");
    return (key == "iifname" || key == "oifname" || key == "iif" || key == "oif") ? key : "meta " + key;
  }
  if (l.contains("ct")) return "ct " + l["ct"].value("key", "?");
  return "?";
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  // Each item of the "nftables" array is read as the parser finishes it and then dropped, so a dump
  // of tens of thousands of rules never stands whole in memory as a tree; a rule whose chain comes
  // later in the file (a hand-made one) waits for the end.
  Result<nft::Model> read(const std::string& text) {
    std::optional<Error> failed;
    std::vector<std::pair<json, std::size_t>> waiting;  // rules before their chain, with their index
    std::size_t index = 0;
    bool top_ok = false;
    auto item_done = [&](json& item) {
      const std::size_t at = index++;
      if (failed) return;
      if (!item.is_object()) {
        failed = Error{file_, 0, 0, "nftables[" + std::to_string(at) + "]", msg::not_an_object()};
        return;
      }
      if (item.contains("chain")) {
        const auto& c = item["chain"];
        for (const char* key : {"family", "table", "name"})
          if (!c.is_object() || !c.contains(key) || !c[key].is_string()) {
            failed =
                Error{file_, 0, 0, "nftables[" + std::to_string(at) + "].chain." + key, msg::nft_json_chain_needs(key)};
            return;
          }
        chain(c);
      }
      if (item.contains("set")) set(item["set"]);
      if (item.contains("element")) set(item["element"]);
      if (item.contains("rule")) {
        const auto& r = item["rule"];
        if (r.is_object() && model_.chains.count(nft::Model::key(str(r, "family"), str(r, "table"), str(r, "chain")))) {
          if (auto status = rule(r, at); !status) failed = status.error();
        } else {
          waiting.emplace_back(std::move(item), at);
        }
      }
    };
    // depth 1: the top object's members; depth 2: the items of its "nftables" array.
    json doc = json::parse(
        text,
        [&](int depth, json::parse_event_t event, json& parsed) {
          if (depth == 1 && event == json::parse_event_t::key) top_ok = parsed == "nftables";
          if (depth == 2 && (event == json::parse_event_t::object_end || event == json::parse_event_t::value) &&
              top_ok) {
            item_done(parsed);
            return false;
          }
          return true;
        },
        false);
    if (doc.is_discarded()) return Error{file_, 0, 0, "json", msg::not_json()};
    if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array())
      return Error{file_, 0, 0, "nftables", msg::nft_json_top()};
    if (failed) return *failed;
    // Rules after every chain and set are known.
    for (const auto& [item, at] : waiting)
      if (auto status = rule(item["rule"], at); !status) return status.error();
    return std::move(model_);
  }

 private:
  static std::string str(const json& o, const char* key) {
    return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : "";
  }

  void chain(const json& c) {
    auto& ch = model_.chains[nft::Model::key(str(c, "family"), str(c, "table"), str(c, "name"))];
    ch.family = str(c, "family");
    ch.table = str(c, "table");
    ch.name = str(c, "name");
    if (c.contains("hook")) {
      ch.base = true;
      ch.type = str(c, "type");
      ch.hook = str(c, "hook");
      if (c.contains("prio") && c["prio"].is_number_integer()) ch.priority = c["prio"].get<int>();
      ch.policy_accept = str(c, "policy") != "drop";
    }
  }

  void set(const json& s) {
    auto& set = model_.sets[nft::Model::key(str(s, "family"), str(s, "table"), str(s, "name"))];
    if (auto flags = s.find("flags"); flags != s.end())
      set.dynamic = set.dynamic || *flags == "dynamic" ||
                    (flags->is_array() && std::find(flags->begin(), flags->end(), "dynamic") != flags->end());
    if (s.contains("type") && s["type"].is_array()) return;  // a concatenated type: used, it is unsupported
    if (s.contains("map")) return;
    if (!s.contains("elem") || !s["elem"].is_array()) return;
    for (const auto& e : s["elem"])
      for (auto& t : texts(e)) set.elements.push_back(std::move(t));
  }

  Status rule(const json& r, std::size_t index) {
    auto where = "nftables[" + std::to_string(index) + "]";
    if (!r.is_object()) return Error{file_, 0, 0, where + ".rule", msg::not_an_object()};
    auto key = nft::Model::key(str(r, "family"), str(r, "table"), str(r, "chain"));
    auto it = model_.chains.find(key);
    if (it == model_.chains.end()) return Error{file_, 0, 0, where + ".rule.chain", msg::audit_no_chain(key)};
    nft::Rule rule;
    std::string handle =
        r.contains("handle") && r["handle"].is_number_integer() ? std::to_string(r["handle"].get<long long>()) : "?";
    rule.location = Location{file_, 0, key + " handle " + handle};
    rule.text = r.dump();
    if (!r.contains("expr") || !r["expr"].is_array())
      return Error{file_, 0, 0, where + ".rule.expr", msg::rule_needs("expr")};
    for (const auto& e : r["expr"]) {
      rule.statements.push_back(statement(e));
      // {"set": {"op": "add", "set": "@knock", …}}: the rule fills the set as packets pass.
      if (auto filled = e.is_object() ? e.find("set") : e.end(); filled != e.end() && filled->is_object()) {
        auto name = str(*filled, "set");
        if (name.size() > 1 && name[0] == '@')
          model_.sets[nft::Model::key(str(r, "family"), str(r, "table"), name.substr(1))].dynamic = true;
      }
    }
    it->second.rules.push_back(std::move(rule));
    return ok_status();
  }

  static nft::Statement statement(const json& e) {
    using K = nft::Statement::Kind;
    nft::Statement s;
    if (!e.is_object() || e.empty()) return s;
    const std::string name = e.begin().key();
    const json& body = e.begin().value();
    static const std::set<std::string> verdicts{"accept", "drop", "reject", "return", "continue", "queue"};
    if (verdicts.count(name)) {
      s.kind = K::verdict;
      s.verdict = name;
    } else if (name == "jump" || name == "goto") {
      s.kind = K::verdict;
      s.verdict = name;
      s.target = body.is_object() ? str(body, "target") : "";
    } else if (name == "match" && body.is_object()) {
      s.kind = K::match;
      s.match.left = left_of(body.value("left", json()));
      auto op = str(body, "op");
      s.match.op = op.empty() ? "==" : op;
      const auto& right = body.value("right", json());
      if (right.is_string() && right.get<std::string>().rfind('@', 0) == 0)
        s.match.set = right.get<std::string>().substr(1);
      else
        s.match.values = texts(right);
    } else if (name == "vmap" && body.is_object()) {
      s.kind = K::vmap;
      s.match.left = left_of(body.value("key", json()));
      const auto& data = body.value("data", json());
      if (!data.is_object() || !data.contains("set") || !data["set"].is_array()) {
        s.kind = K::unsupported;
        s.what = LocalizedText{{}, s.match.left + " vmap @…"};
        return s;
      }
      for (const auto& entry : data["set"]) {
        if (!entry.is_array() || entry.size() != 2 || !entry[1].is_object() || entry[1].empty()) continue;
        auto keys = texts(entry[0]);
        const std::string verdict = entry[1].begin().key();
        const json& target = entry[1].begin().value();
        for (const auto& k : keys) s.entries.push_back({k, {verdict, target.is_object() ? str(target, "target") : ""}});
      }
    } else if (name == "limit" || name == "quota") {
      s.kind = K::unsupported;
      s.what = msg::audit_construct_rate(name);
    } else if (name == "dnat" || name == "redirect" || name == "tproxy") {
      s.kind = K::rewrite;
      s.what = msg::audit_construct_rewrites(name);
    } else if (name == "xt") {
      s.kind = K::unsupported;
      s.what = msg::audit_construct_xt();
    }
    return s;  // counter, log, comment, mangle, snat, masquerade, notrack: nothing decided
  }

  std::string file_;
  nft::Model model_;
};

}  // namespace

Result<Ruleset> read_nft_json(const std::string& file, const std::string& text, Path path) {
  Result<nft::Model> model = Error{};
  try {
    model = Reader(file).read(text);
  } catch (const nlohmann::json::exception& e) {
    // A value of the wrong JSON type where libnftables-json(5) names another.
    return Error{file, 0, 0, "nftables", msg::nft_json_shape(e.what())};
  }
  if (!model) return model.error();
  return nft::to_ruleset(*model, file, path);
}

}  // namespace winports::audit
