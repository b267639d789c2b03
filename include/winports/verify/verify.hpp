#pragma once
// verify: the flows a plan requires from one vantage point, as probe requests, and the probes'
// outcomes held against them — each flow's state, the services a blocked flow breaks, and the
// endpoints an endpoint mapper hands out beyond the plan. Dynamic RPC ranges are not swept: the
// endpoint mapper on 135 says which ports the server really uses. The prober is a parameter, so all
// of it runs in unit tests without root or a network.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "winports/core/messages.hpp"
#include "winports/plan/environment.hpp"
#include "winports/plan/planner.hpp"
#include "winports/probe/prober.hpp"
#include "winports/verify/verdicts.hpp"

namespace winports::verify {

constexpr std::uint32_t kLargestSweptRange = 64;  // wider ranges (RPC, FTP passive) are not swept

struct Probes {
  std::vector<probe::Request> requests;
  std::vector<std::size_t> flow_of;       // requests[k] probes plan.flows[flow_of[k]]
  std::vector<bool> from_vantage;         // per plan flow: its source holds the vantage
  std::vector<LocalizedText> not_probed;  // what no probe from here can test, and why (JSON: English)
};
// The requests for every TCP/UDP flow whose source holds `vantage`, to each single address of its
// destination; an error naming --from when there is none.
Result<Probes> probes_for(const plan::Plan& plan, const plan::Place& vantage, const std::string& file);

enum class FlowState { unprobed, passed, blocked };

// One outcome held against the plan.
struct Finding {
  std::size_t outcome = 0;
  std::optional<std::size_t> flow;  // none: an endpoint outside every flow from the vantage
  bool opened = true;               // the plan opens this port
  bool blocked = false;             // filtered
};

struct Verification {
  std::string site, vantage;
  // Where the result came from (--json, and what --merge checks): the plan's identity, the zones
  // of the vantage, this machine's name and addresses (the CLI's), when the probes started (UTC,
  // ISO 8601) and how long they took.
  std::string plan_id;
  std::vector<std::string> zones;
  std::string host;
  std::vector<std::string> addresses;
  std::string started;
  double seconds = 0;
  plan::Plan plan;
  Probes probes;
  std::vector<probe::Outcome> outcomes;
  std::vector<Finding> findings;      // blocked first, then in probe order
  std::vector<FlowState> flow_state;  // per plan flow
  std::vector<std::string> broken;    // services of blocked ports, sorted, each once
  std::size_t blocked = 0, unproven = 0;
  std::size_t refused = 0;  // planned ports nothing listens on (not-listening): failures under --strict
  // Hosts whose endpoint mapper (tcp/135) did not answer: their dynamic RPC range went unchecked.
  std::vector<std::string> rpc_unchecked;
  bool strict = false;  // refused counts as a failure
};

// Ties outcomes (in request order, then the mapped endpoints) back to the flows they probe.
void judge(Verification& v, const catalog::Catalog& catalog);

// Where the probes leave from: what --from names (a zone, host or network), and this machine's
// addresses inside it, which the probes bind as their source (none: the kernel's choice).
struct Vantage {
  std::string from;
  std::vector<Network> sources;
};

// Where this machine stands: `--from auto` is every zone holding one of its addresses (`mine`),
// each probed from its own addresses; none is an error naming its addresses and the zones'
// networks. An explicit --from must hold one of its addresses unless `anywhere`: from outside the
// zone, the probes do not cross that zone's path (and go wherever this machine routes them).
Result<std::vector<Vantage>> vantages_for(const plan::Environment& env, const catalog::Catalog& catalog,
                                          const std::string& from, const std::vector<Network>& mine, bool anywhere);

// The prober: probe::run in the CLI, a fake in the tests.
using Prober = std::function<Result<std::vector<probe::Outcome>>(const std::vector<probe::Request>&)>;
// Plans the site and sets up the requests of every vantage, probing nothing (verify's first half,
// and what a script that probes elsewhere is written from).
Result<Verification> prepare(const plan::Environment& env, const catalog::Catalog& catalog,
                             const std::vector<Vantage>& vantages, bool strict = false);
// Plans the site, probes the flows of every vantage (each from its own sources) in one run and
// judges; errors name the file and the flag. With `strict`, a planned port nothing listens on is a
// failure too.
Result<Verification> verify(const plan::Environment& env, const catalog::Catalog& catalog,
                            const std::vector<Vantage>& vantages, const Prober& prober, bool strict = false);
inline Result<Verification> verify(const plan::Environment& env, const catalog::Catalog& catalog,
                                   const std::string& from, const Prober& prober, bool strict = false) {
  return verify(env, catalog, std::vector<Vantage>{{from, {}}}, prober, strict);
}

// "12 probed from clients, 1 blocked (breaks kdc), 2 unproven (UDP silence), 3 not probed", and
// the hosts whose dynamic RPC range went unchecked because their endpoint mapper did not answer.
std::string summary(const Verification& v, Lang lang = Lang::en);
extern const std::vector<Msg> kVerifyColumns;
std::vector<Line> verify_lines(const catalog::Catalog& catalog, const Verification& v, Lang lang = Lang::en);
// The summary object of --json.
nlohmann::json summary_json(const Verification& v);
// The zone diagram of the flows from the vantage, each arrow painted by its flows' verdicts.
Result<std::string> verdict_diagram(const Verification& v, const plan::Environment& env);

}  // namespace winports::verify
