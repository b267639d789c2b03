// The Windows Firewall log (pfirewall.log): W3C extended format, space-separated, with a
// "#Fields:" header naming the columns. Each ALLOW line is a connection the firewall let through
// (logged once, as it opens), each DROP line a packet it dropped; both name the packet's source
// first, which is the side that opened the connection. Times are the machine's local time, read
// as UTC: the log does not say its zone.
#include <string>
#include <vector>

#include "log_record.hpp"
#include "winports/analyze/inputs.hpp"
#include "winports/analyze/messages.hpp"

namespace winports::analyze {
namespace {

enum Column {
  kDate,
  kTime,
  kAction,
  kProtocol,
  kSourceIp,
  kDestinationIp,
  kSourcePort,
  kDestinationPort,
  kSize,
  kIcmpType,
  kColumns
};
constexpr const char* kNames[kColumns] = {"date",   "time",     "action",   "protocol", "src-ip",
                                          "dst-ip", "src-port", "dst-port", "size",     "icmptype"};
constexpr bool kRequired[kColumns] = {true, true, true, true, true, true, true, true, false, false};

void split(std::string_view text, std::vector<std::string_view>& cells) {
  cells.clear();
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && text[at] == ' ') ++at;
    if (at >= text.size()) break;
    auto end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    cells.push_back(text.substr(at, end - at));
    at = end;
  }
}

}  // namespace

Status read_pfirewall(const std::string& path, std::istream& in, FlowTable& table) {
  std::vector<int> column(kColumns, -1);
  std::vector<std::string_view> cells;
  std::string line;
  std::size_t number = 0, width = 0;
  bool have_fields = false;
  Packet p;
  auto where = [&] { return path + ":" + std::to_string(number); };  // asked only for a first skip
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("#Fields:", 0) == 0) {
        split(std::string_view(line).substr(8), cells);
        std::fill(column.begin(), column.end(), -1);
        for (std::size_t i = 0; i < cells.size(); ++i)
          for (int k = 0; k < kColumns; ++k)
            if (cells[i] == kNames[k]) column[k] = static_cast<int>(i);
        for (int k = 0; k < kColumns; ++k)
          if (kRequired[k] && column[k] < 0)
            return Error{path, static_cast<int>(number), 0, "#Fields", msg::analyze_no_column(kNames[k])};
        width = cells.size();
        have_fields = true;
      }
      continue;
    }
    if (!have_fields)
      return Error{path, static_cast<int>(number), 0, "#Fields", msg::analyze_record_before_header("#Fields")};
    split(line, cells);
    if (cells.size() != width) {
      table.skip(msg::skip_pfirewall_width(std::to_string(cells.size()), std::to_string(width)), where);
      continue;
    }
    auto cell = [&](Column k) { return column[k] < 0 ? std::string_view("-") : cells[column[k]]; };
    auto action = cell(kAction);
    if (action != "ALLOW" && action != "DROP") {
      // INFO-EVENTS-LOST and the like: no connection.
      table.skip(msg::skip_pfirewall_action(action), where);
      continue;
    }
    auto bad = [&](Column k) { table.skip(msg::skip_pfirewall_bad(kNames[k]), where); };
    p = Packet{};
    std::array<std::uint8_t, 16> destination{};
    int destination_family = 0;
    if (!log::address(cell(kSourceIp), p.family, p.source)) {
      bad(kSourceIp);
      continue;
    }
    if (!log::address(cell(kDestinationIp), destination_family, destination) || destination_family != p.family) {
      bad(kDestinationIp);
      continue;
    }
    p.destination = destination;
    auto protocol = log::protocol(cell(kProtocol), p.family);
    if (!protocol) {
      bad(kProtocol);
      continue;
    }
    p.protocol = *protocol;
    if (p.protocol == 6 || p.protocol == 17) {
      auto sp = log::number<std::uint16_t>(cell(kSourcePort)), dp = log::number<std::uint16_t>(cell(kDestinationPort));
      if (!sp) {
        bad(kSourcePort);
        continue;
      }
      if (!dp) {
        bad(kDestinationPort);
        continue;
      }
      p.source_port = *sp, p.destination_port = *dp;
    } else if (auto type = log::number<std::uint8_t>(cell(kIcmpType))) {
      p.icmp_type = *type;
    }
    auto time = log::timestamp(cell(kDate), cell(kTime));
    if (!time) {
      bad(kTime);
      continue;
    }
    p.time = *time;
    p.bytes = log::number<std::uint64_t>(cell(kSize)).value_or(0);
    p.source_is_client = true;
    p.dropped = action == "DROP";
    table.add(p);
  }
  if (!have_fields) return Error{path, 0, 0, "#Fields", msg::analyze_no_pfirewall_header()};
  return ok_status();
}

}  // namespace winports::analyze
