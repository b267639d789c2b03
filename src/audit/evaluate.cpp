#include "winports/audit/evaluate.hpp"

#include <unordered_map>

#include "cube_index.hpp"
#include "winports/audit/messages.hpp"

namespace winports::audit {

struct Evaluator::Indexes {
  std::unordered_map<std::string, CubeIndex> by_chain;
};

namespace {

CubeIndex index_of(const Chain& chain) {
  std::vector<const Cube*> matches;
  matches.reserve(chain.rules.size());
  for (const auto& r : chain.rules) matches.push_back(&r.match);
  return CubeIndex(matches);
}

// iptables allows 50 nested jumps before the kernel refuses a ruleset, nft's limit is similar; a
// deeper path here means a loop the file itself could not load.
constexpr int kMaxDepth = 64;

// Packets accepted so far, each with the rule that accepted it (null: a policy).
struct Accepted {
  std::vector<Cube> cubes;
  std::vector<const Rule*> by;
  void add(Cube c, const Rule* rule) {
    cubes.push_back(std::move(c));
    by.push_back(rule);
  }
};

struct ChainResult {
  std::vector<Cube> fall_through;  // returned, or ran off the end: the caller goes on
};

class Walk {
 public:
  Walk(const Ruleset& ruleset, const std::unordered_map<std::string, CubeIndex>& indexes, Outcome& out)
      : ruleset_(ruleset), indexes_(indexes), out_(out) {}

  // Runs `packets` through `chain`; accepted, dropped and undecided parts go to the outcome (accepted
  // into `accepted`, which the stage hands on), what the chain does not decide is returned.
  std::vector<Cube> run(const std::string& chain_name, std::vector<Cube> packets, Accepted& accepted, int depth) {
    auto it = ruleset_.chains.find(chain_name);
    if (it == ruleset_.chains.end() || depth > kMaxDepth) {
      for (auto& p : packets)
        out_.undecided.push_back({std::move(p), nullptr,
                                  depth > kMaxDepth ? msg::audit_jumps_too_deep(std::to_string(kMaxDepth))
                                                    : msg::audit_chain_missing(chain_name)});
      return {};
    }
    std::vector<Cube> returned;
    const auto& index = indexes_.at(chain_name);
    for (auto& start : packets) {
      auto candidates = index.candidates(start.destination);  // before `start` is moved from
      run_one(it->second, candidates, std::move(start), accepted, returned, depth);
    }
    return returned;
  }

 private:
  // One packet space through the rules that may meet it, in rule order.
  void run_one(const Chain& chain, const std::vector<std::uint32_t>& candidates, Cube start, Accepted& accepted,
               std::vector<Cube>& returned, int depth) {
    std::vector<Cube> packets;
    packets.push_back(std::move(start));  // (a braced list would copy it)
    std::vector<Cube> inside, outside;    // kept across rules: their buffers are reused
    for (std::uint32_t position : candidates) {
      const Rule& rule = chain.rules[position];
      if (packets.empty()) break;
      if (rule.verdict == Verdict::none && rule.unsupported.empty()) continue;
      inside.clear();
      outside.clear();
      for (auto& p : packets) {
        if (!overlaps(p, rule.match)) {
          outside.push_back(std::move(p));
          continue;
        }
        inside.push_back(intersect(p, rule.match));
        for (auto& rest : subtract(p, rule.match)) outside.push_back(std::move(rest));
      }
      packets.swap(outside);
      if (inside.empty()) continue;
      if (!rule.unsupported.empty()) {
        for (auto& p : inside) out_.undecided.push_back({std::move(p), &rule, rule.unsupported});
        continue;
      }
      switch (rule.verdict) {
        case Verdict::accept:
          for (auto& p : inside) accepted.add(std::move(p), &rule);
          break;
        case Verdict::drop:
          for (auto& p : inside) {
            out_.dropped.push_back(std::move(p));
            out_.dropped_by.push_back(&rule);
          }
          break;
        case Verdict::return_:
          for (auto& p : inside) returned.push_back(std::move(p));
          break;
        case Verdict::jump:
          // What the called chain does not decide comes back and goes on with the next rule.
          for (auto& p : run(rule.target, std::move(inside), accepted, depth + 1)) packets.push_back(std::move(p));
          break;
        case Verdict::go_to:
          // A goto never comes back here: what the called chain leaves returns to our caller.
          for (auto& p : run(rule.target, std::move(inside), accepted, depth + 1)) returned.push_back(std::move(p));
          break;
        case Verdict::none:
          break;
      }
    }
    for (auto& p : packets) returned.push_back(std::move(p));
  }

  const Ruleset& ruleset_;
  const std::unordered_map<std::string, CubeIndex>& indexes_;
  Outcome& out_;
};

AddressSet families(bool ipv4, bool ipv6) {
  AddressSet s;
  if (ipv4) s = s.unite(AddressSet::all_of(4));
  if (ipv6) s = s.unite(AddressSet::all_of(6));
  return s;
}

// The part of `c` whose addresses are of the families in `set` (source and destination share one).
Cube restricted(const Cube& c, const AddressSet& set) {
  Cube r = c;
  r.source = r.source.intersect(set);
  r.destination = r.destination.intersect(set);
  return r;
}

}  // namespace

Evaluator::Evaluator(const Ruleset& ruleset) : ruleset_(ruleset) {
  auto indexes = std::make_shared<Indexes>();
  for (const auto& [name, chain] : ruleset.chains) indexes->by_chain.emplace(name, index_of(chain));
  indexes_ = std::move(indexes);
}

Outcome evaluate(const Ruleset& ruleset, std::vector<Cube> packets) {
  return Evaluator(ruleset).evaluate(std::move(packets));
}

Outcome Evaluator::evaluate(std::vector<Cube> packets) const {
  const Ruleset& ruleset = ruleset_;
  Outcome out;
  // A family no file speaks for is undecided, never assumed open or closed.
  AddressSet covered = families(ruleset.covers_ipv4, ruleset.covers_ipv6);
  AddressSet uncovered = covered.complement();
  Accepted current;  // what has crossed every stage so far, and the rule that last accepted it
  for (auto& p : packets) {
    Cube in = restricted(p, covered), rest = restricted(p, uncovered);
    if (!in.empty()) current.add(std::move(in), nullptr);
    if (!rest.empty())
      out.undecided.push_back({std::move(rest), nullptr,
                               ruleset.covers_ipv4 ? msg::audit_no_ruleset_ipv6() : msg::audit_no_ruleset_ipv4()});
  }
  Walk evaluator(ruleset, indexes_->by_chain, out);
  for (const Stage& stage : ruleset.stages) {
    AddressSet seen = families(stage.ipv4, stage.ipv6);
    Accepted next;
    std::vector<Cube> crossing;
    std::vector<const Rule*> crossing_by;
    for (std::size_t i = 0; i < current.cubes.size(); ++i) {
      const auto& p = current.cubes[i];
      Cube in = restricted(p, seen), past = restricted(p, seen.complement());
      if (!past.empty()) next.add(std::move(past), current.by[i]);  // this stage's family does not see it
      if (!in.empty()) {
        crossing.push_back(std::move(in));
        crossing_by.push_back(current.by[i]);
      }
    }
    // A stage's policy accepts without a rule: what it leaves keeps the rule an earlier stage named.
    // The walk splits packets, so that rule is found again by overlap.
    std::vector<Cube> before = crossing;
    auto left = evaluator.run(stage.chain, std::move(crossing), next, 0);
    for (auto& p : left) {
      if (stage.policy_accept) {
        const Rule* earlier = nullptr;
        for (std::size_t i = 0; i < before.size() && !earlier; ++i)
          if (crossing_by[i] && overlaps(before[i], p)) earlier = crossing_by[i];
        next.add(std::move(p), earlier);
      } else {
        out.dropped.push_back(std::move(p));
        out.dropped_by.push_back(nullptr);
      }
    }
    current = std::move(next);
  }
  out.accepted = std::move(current.cubes);
  out.accepted_by = std::move(current.by);
  return out;
}

namespace {
// Past this many covering rules, naming the fewest would cost a cover test per rule per rule.
constexpr std::size_t kMinimiseUpTo = 16;

// Keeps the covering rules that take something away from what the earlier ones left of `match`.
void needed_only(const Cube& match, std::vector<const Cube*>& cover, std::vector<const Rule*>& by) {
  std::vector<Cube> rest{match}, next;
  std::size_t kept = 0;
  for (std::size_t k = 0; k < cover.size() && !rest.empty(); ++k) {
    next.clear();
    bool used = false;
    for (auto& c : rest) {
      if (!overlaps(c, *cover[k])) {
        next.push_back(std::move(c));
        continue;
      }
      used = true;
      for (auto& piece : subtract(c, *cover[k])) next.push_back(std::move(piece));
    }
    std::swap(rest, next);
    if (used) cover[kept] = cover[k], by[kept++] = by[k];
  }
  cover.resize(kept);
  by.resize(kept);
}
}  // namespace

std::vector<Shadowed> shadowed_rules(const Ruleset& ruleset) {
  std::vector<Shadowed> out;
  for (const auto& [name, chain] : ruleset.chains) {
    // Rules that end a packet's walk through this chain, and whose match is exact.
    std::vector<bool> deciding(chain.rules.size(), false);
    std::vector<bool> redundant(chain.rules.size(), false);
    // Ordered chains: the rules that may cover a later one are the deciding rules that are not
    // themselves redundant, indexed as they are found; order-free ones: any other rule.
    CubeIndex index = chain.order_free ? index_of(chain) : CubeIndex();
    GrowingCubeIndex covering;
    // A rule for one program covers nothing of another's: only a rule of the same scope, or of
    // every program, can.
    auto may_cover = [](const Rule& covering, const Rule& rule) {
      return covering.scope.empty() || covering.scope == rule.scope;
    };
    for (std::size_t i = 0; i < chain.rules.size(); ++i) {
      const Rule& rule = chain.rules[i];
      if (rule.verdict == Verdict::none || rule.local_only || rule.per_holder) continue;
      std::vector<const Cube*> cover;
      std::vector<const Rule*> by;
      const auto candidates =
          chain.order_free ? index.candidates(rule.match.destination) : covering.candidates(rule.match);
      for (std::uint32_t j : candidates) {
        const Rule& other = chain.rules[j];
        if (chain.order_free) {
          // Order means nothing: any other rule of the same verdict that is not itself redundant,
          // and any Block rule (Block wins over Allow).
          bool verdict_covers = other.verdict == rule.verdict || other.verdict == Verdict::drop;
          if (j == i || redundant[j] || !verdict_covers || !other.unsupported.empty() || other.local_only ||
              !may_cover(other, rule))
            continue;
        } else {
          if (j >= i) break;
          // A rule that never matches adds nothing to a cover: what it would match, the rules
          // before it decide. Leaving it out keeps a chain of near-copies linear, not cubic.
          if (!deciding[j] || redundant[j] || !may_cover(other, rule)) continue;
        }
        if (overlaps(rule.match, other.match)) {
          cover.push_back(&other.match);
          by.push_back(&other);
        }
      }
      if (!rule.match.empty() && !cover.empty() && covered(rule.match, cover)) {
        // Name only the rules it needs: first those that took something away from what was left
        // (one pass), then, when few remain, drop each one the others still cover without.
        needed_only(rule.match, cover, by);
        if (cover.size() <= kMinimiseUpTo)
          for (std::size_t i = cover.size(); i-- > 0;) {
            auto fewer = cover;
            fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
            if (!fewer.empty() && covered(rule.match, fewer)) {
              cover = std::move(fewer);
              by.erase(by.begin() + static_cast<std::ptrdiff_t>(i));
            }
          }
        out.push_back({&rule, std::move(by)});
        redundant[i] = true;
      }
      bool ends_walk = rule.verdict != Verdict::jump;
      deciding[i] = ends_walk && rule.unsupported.empty();
      if (deciding[i] && !redundant[i]) covering.add(static_cast<std::uint32_t>(i), rule.match);
    }
  }
  return out;
}

}  // namespace winports::audit
