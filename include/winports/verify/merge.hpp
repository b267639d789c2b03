#pragma once
// verify --merge: the --json results of several vantage runs of one site, held against its plan —
// every planned flow with the vantage hosts that probed it and their verdicts, and the flows no
// vantage could probe, by the zone that has no vantage host.
#include <string>
#include <vector>

#include "winports/core/result.hpp"
#include "winports/plan/environment.hpp"
#include "winports/plan/planner.hpp"
#include "winports/verify/verdicts.hpp"

namespace winports::verify {

// One vantage run's --json output, as read from its file, or the record of a vantage that did not
// run (kind "verify-failed": {"host", "from", "reason"}, as the Ansible playbook writes it for a
// host it could not reach or whose run failed).
struct VantageResult {
  std::string file;
  std::string text;
};

struct MergedFlow {
  std::size_t flow = 0;  // index into the plan's flows
  struct Probe {
    std::string vantage;  // the vantage host (its --from when the result names no host)
    report::Verdict verdict = report::Verdict::passed;
    LocalizedText detail;  // the worst probe's address, port and detail
  };
  std::vector<Probe> probes;  // one per vantage that probed it
};

struct Merged {
  std::string site, plan_id;
  std::vector<MergedFlow> flows;  // probed flows, blocked first
  // Flows no vantage probed, by the zone of their source: zones without a vantage host first, then
  // those whose vantage could not test them (ICMP, a port a probe cannot reach).
  struct Unprobed {
    std::string zone;
    bool has_vantage = false;
    std::vector<std::size_t> flows;
  };
  std::vector<Unprobed> unprobed;
  struct Run {
    std::string file, host, from, started;
    double seconds = 0;
    std::string failed;  // why the vantage did not run; empty when it did
  };
  std::vector<Run> runs;
};

// Refuses a result of another site or plan (naming its file), or one that is not verify's JSON.
Result<Merged> merge(const plan::Plan& plan, const plan::Environment& env, const std::vector<VantageResult>& results);

extern const std::vector<Msg> kMergeColumns;
std::vector<Line> merge_lines(const plan::Plan& plan, const Merged& merged, Lang lang = Lang::en);
std::string merge_summary(const Merged& merged, Lang lang);
std::vector<std::string> unprobed_lines(const plan::Plan& plan, const Merged& merged, Lang lang);
// The zone diagram of the whole plan, each arrow painted by what the vantages saw on its flows
// (blocked from any vantage: red; probed and not blocked: green; probed by none: the default).
Result<std::string> merged_diagram(const plan::Plan& plan, const plan::Environment& env, const Merged& merged);

}  // namespace winports::verify
