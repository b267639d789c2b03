#pragma once
// Probe outcomes as verdicts a reader acts on: PortQry's statuses mapped to the report's verdicts,
// each outcome named from the catalog (its port, and the RPC interface an endpoint mapper handed
// out), and the lines check and verify print, write as JSON, as JUnit and as a page.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/catalog/query.hpp"
#include "winports/core/memo.hpp"
#include "winports/core/messages.hpp"
#include "winports/probe/prober.hpp"
#include "winports/render/junit.hpp"
#include "winports/report/verdicts.hpp"

namespace winports::verify {

// blocked: no answer to TCP or an ICMP prohibition (filtered); refused: not listening; unproven:
// UDP silence (listening or filtered); passed: listening.
report::Verdict verdict_of(probe::PortState status);
bool answers(probe::PortState status);  // listening, or listening-or-filtered

// What the catalog says of each probed port, or of a mapped endpoint's interface (catalog::describe),
// worked out once per (transport, port, interface): a sweep probes a few ports on hundreds of
// addresses, and describing each outcome again was a tenth of a 3,072-probe check's CPU time.
class Meanings {
 public:
  explicit Meanings(const catalog::Catalog& catalog) : catalog_(catalog) {}
  const catalog::Meaning& of(const probe::Outcome& outcome);

 private:
  const catalog::Catalog& catalog_;
  Memo<std::string, catalog::Meaning> meanings_;
};

// The outcome's services as one text: "kdc,kpasswd".
std::string services_of(Meanings& meanings, const probe::Outcome& outcome);
// "tcp/135", and for a mapped endpoint "tcp/49667 (RPC drsuapi)".
std::string probe_name(Meanings& meanings, const probe::Outcome& outcome);
// address, transport, port, status, service, detail, and rpc for a mapped endpoint.
nlohmann::json outcome_json(Meanings& meanings, const probe::Outcome& outcome);

// One result as every output shows it: the table's cells, a JUnit case, a row of the page, JSON.
struct Line {
  bool failed = false;  // counts against the exit code
  std::vector<std::string> cells;
  render::JunitCase junit;
  report::VerdictRow row;
  nlohmann::json json;
};

// check's lines: one per outcome, in probe order; a port that does not answer fails.
extern const std::vector<Msg> kCheckColumns;  // the table's headings, from the message table
// `names`: address → the host name the user gave for it ("localhost"), shown beside the address.
// `lang`: the evidence's language (the JSON keeps English in `detail`, and `detail_ja`).
std::vector<Line> check_lines(const catalog::Catalog& catalog, const std::vector<probe::Outcome>& outcomes,
                              const std::map<std::string, std::string>& names = {}, Lang lang = Lang::en);

}  // namespace winports::verify
