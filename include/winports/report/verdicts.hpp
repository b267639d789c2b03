#pragma once
// check's and verify's verdicts as one self-contained HTML page: what is blocked first, then what
// refused, what stayed unproven (UDP silence) and what answered; a search box; for verify, the
// zone diagram with each crossing painted by its verdict.
#include <string>
#include <vector>

#include "winports/core/text.hpp"

namespace winports::report {

// The order the page lists them in: what breaks Windows first.
enum class Verdict { blocked, refused, unproven, passed };

const char* to_string(Verdict v);

struct VerdictRow {
  std::string flow;  // "clients -> dc1" for verify; "" for check
  std::string address, port, status;
  Verdict verdict = Verdict::passed;
  std::string services, detail;
};

struct VerdictPage {
  std::string title;  // "winports verify lab from clients"
  std::string summary;
  std::vector<VerdictRow> rows;         // any order: the page sorts them
  std::vector<std::string> not_probed;  // flows the probe could not test, with why
  std::string diagram_svg;              // inline SVG, or "" for none
};

// Colours for a zone arrow: any blocked flow makes it red, all passed green.
inline constexpr const char* kBlockedColor = "#c62828";
inline constexpr const char* kPassedColor = "#2e7d32";

std::string verdicts_html(VerdictPage page, Lang lang);

}  // namespace winports::report
