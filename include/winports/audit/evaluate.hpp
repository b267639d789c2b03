#pragma once
// A ruleset evaluated over packet spaces: which part of a space it accepts, drops, or leaves
// undecided (a rule the audit cannot read, a chain that rewrites addresses, a family the files do
// not cover), and which rules never match because the rules before them decide all they select.
#include <memory>
#include <string>
#include <vector>

#include "winports/audit/ruleset.hpp"

namespace winports::audit {

struct Undecided {
  Cube packets;
  const Rule* rule = nullptr;  // the rule that could not be read; null when `why` is about the files
  LocalizedText why;
};

struct Outcome {
  std::vector<Cube> accepted;
  std::vector<const Rule*> accepted_by;  // parallel to accepted: the rule that accepted it, or null for a policy
  std::vector<Cube> dropped;
  std::vector<const Rule*> dropped_by;  // parallel to dropped: the rule, or null for a policy
  std::vector<Undecided> undecided;
};

// What happens to packets on a ruleset's path, stage by stage. Built once per ruleset: it indexes
// each chain's rules by destination, so a site of thousands of hosts asks each rule only about the
// packets that can meet it.
class Evaluator {
 public:
  explicit Evaluator(const Ruleset& ruleset);
  [[nodiscard]] Outcome evaluate(std::vector<Cube> packets) const;

 private:
  struct Indexes;
  const Ruleset& ruleset_;
  std::shared_ptr<const Indexes> indexes_;
};

// One question, without keeping the index.
Outcome evaluate(const Ruleset& ruleset, std::vector<Cube> packets);

struct Shadowed {
  const Rule* rule = nullptr;
  std::vector<const Rule*> by;  // the earlier rules of its chain that decide what it selects
};
// Rules (with a verdict) whose whole match the earlier rules of their chain already decide.
std::vector<Shadowed> shadowed_rules(const Ruleset& ruleset);

}  // namespace winports::audit
