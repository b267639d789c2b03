// Zeek's conn.log, in its TSV form (the "#fields" header names the columns) or as JSON lines
// (LogAscii::use_json). One record is one connection: its originator is the client.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "log_record.hpp"
#include "winports/analyze/inputs.hpp"
#include "winports/analyze/messages.hpp"

namespace winports::analyze {
namespace {

constexpr const char* kRequired[] = {"ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto"};

struct Record {
  std::string_view ts, orig_h, orig_p, resp_h, resp_p, proto, duration, orig_pkts, resp_pkts, orig_bytes, resp_bytes;
};

// A record into a packet; the field that is wrong otherwise.
const char* to_packet(const Record& r, Packet& p) {
  p = Packet{};
  std::array<std::uint8_t, 16> resp{};
  int resp_family = 0;
  if (!log::address(r.orig_h, p.family, p.source)) return "id.orig_h";
  if (!log::address(r.resp_h, resp_family, resp) || resp_family != p.family) return "id.resp_h";
  p.destination = resp;
  auto protocol = log::protocol(r.proto, p.family);
  if (!protocol) return "proto";
  p.protocol = *protocol;
  auto orig_port = log::number<std::uint16_t>(r.orig_p), resp_port = log::number<std::uint16_t>(r.resp_p);
  if (!orig_port) return "id.orig_p";
  if (!resp_port) return "id.resp_p";
  if (p.protocol == 6 || p.protocol == 17) {
    p.source_port = *orig_port, p.destination_port = *resp_port;
  } else if (p.protocol == 1 || p.protocol == 58) {
    p.icmp_type = static_cast<std::uint8_t>(*orig_port);  // Zeek puts the ICMP type in orig_p
  }
  auto ts = log::number<double>(r.ts);
  if (!ts) {
    // JSON logs may carry ISO 8601 times.
    auto t = r.ts.find('T');
    ts = t == std::string_view::npos ? std::nullopt : log::timestamp(r.ts.substr(0, t), r.ts.substr(t + 1));
  }
  if (!ts) return "ts";
  p.time = *ts;
  // Unset fields ("-" or absent) count as zero: Zeek leaves them unset for connections it saw
  // only partly.
  auto count = [](std::string_view text) { return log::number<std::uint64_t>(text).value_or(0); };
  if (auto d = log::number<double>(r.duration); d && *d > 0) p.until = p.time + *d;
  p.packets = std::max<std::uint64_t>(1, count(r.orig_pkts) + count(r.resp_pkts));
  p.bytes = count(r.orig_bytes) + count(r.resp_bytes);
  p.source_is_client = true;
  return nullptr;
}

std::string where(const std::string& path, std::size_t line) { return path + ":" + std::to_string(line); }

Status read_tsv(const std::string& path, std::istream& in, FlowTable& table) {
  std::vector<std::string_view> cells;
  std::vector<int> column(std::size(kRequired) + 5, -1);
  constexpr const char* kOptional[] = {"duration", "orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes"};
  bool have_fields = false;
  std::string line, separator = "\t";
  std::size_t number = 0, width = 0;
  auto split = [&](std::string_view text) {
    cells.clear();
    for (std::size_t at = 0;;) {
      auto next = text.find(separator, at);
      cells.push_back(text.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
      if (next == std::string_view::npos) break;
      at = next + separator.size();
    }
  };
  Packet packet;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("#separator ", 0) == 0) {
        // "#separator \x09": the separator written as an escape.
        auto spec = line.substr(11);
        unsigned code = 0;
        if (spec.size() == 4 && spec[0] == '\\' && spec[1] == 'x' &&
            std::from_chars(spec.data() + 2, spec.data() + 4, code, 16).ptr == spec.data() + 4 && code != 0) {
          separator = std::string(1, static_cast<char>(code));
        } else if (!spec.empty()) {
          separator = spec;
        }
      } else if (line.rfind("#fields", 0) == 0) {
        split(std::string_view(line).substr(std::min(line.size(), std::size_t{8})));
        std::fill(column.begin(), column.end(), -1);
        for (std::size_t i = 0; i < cells.size(); ++i) {
          for (std::size_t k = 0; k < std::size(kRequired); ++k)
            if (cells[i] == kRequired[k]) column[k] = static_cast<int>(i);
          for (std::size_t k = 0; k < std::size(kOptional); ++k)
            if (cells[i] == kOptional[k]) column[std::size(kRequired) + k] = static_cast<int>(i);
        }
        for (std::size_t k = 0; k < std::size(kRequired); ++k)
          if (column[k] < 0)
            return Error{path, static_cast<int>(number), 0, "#fields", msg::analyze_no_column(kRequired[k])};
        have_fields = true;
        width = cells.size();
      }
      continue;
    }
    if (!have_fields)
      return Error{path, static_cast<int>(number), 0, "#fields", msg::analyze_record_before_header("#fields")};
    split(line);
    if (cells.size() != width) {
      table.skip(msg::skip_zeek_width(std::to_string(cells.size()), std::to_string(width)),
                 [&] { return where(path, number); });
      continue;
    }
    auto cell = [&](int k) { return column[k] < 0 ? std::string_view() : cells[column[k]]; };
    Record r{cell(0), cell(1), cell(2), cell(3), cell(4), cell(5), cell(6), cell(7), cell(8), cell(9), cell(10)};
    if (const char* bad = to_packet(r, packet))
      table.skip(msg::skip_zeek_bad(bad), [&] { return where(path, number); });
    else
      table.add(packet);
  }
  if (!have_fields) return Error{path, 0, 0, "#fields", msg::analyze_no_zeek_header()};
  return ok_status();
}

Status read_json(const std::string& path, std::istream& in, FlowTable& table) {
  std::string line;
  std::size_t number = 0;
  Packet packet;
  std::vector<std::string> held(11);
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line == "\r") continue;
    auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object()) {
      table.skip(msg::skip_zeek_not_object, [&] { return where(path, number); });
      continue;
    }
    // Every field as text, as the TSV form has it.
    static constexpr const char* kKeys[] = {"ts",        "id.orig_h",     "id.orig_p",    "id.resp_h",
                                            "id.resp_p", "proto",         "duration",     "orig_pkts",
                                            "resp_pkts", "orig_ip_bytes", "resp_ip_bytes"};
    for (std::size_t k = 0; k < std::size(kKeys); ++k) {
      auto it = record.find(kKeys[k]);
      if (it == record.end() || it->is_null())
        held[k].clear();
      else if (it->is_string())
        held[k] = it->get<std::string>();
      else if (it->is_number_unsigned())
        held[k] = std::to_string(it->get<std::uint64_t>());
      else if (it->is_number())
        held[k] = std::to_string(it->get<double>());
      else
        held[k].clear();
    }
    Record r{held[0], held[1], held[2], held[3], held[4], held[5], held[6], held[7], held[8], held[9], held[10]};
    if (const char* bad = to_packet(r, packet))
      table.skip(msg::skip_zeek_bad(bad), [&] { return where(path, number); });
    else
      table.add(packet);
  }
  return ok_status();
}

}  // namespace

Status read_zeek(const std::string& path, std::istream& in, FlowTable& table) {
  // JSON lines start with '{'; TSV logs with their '#' header.
  int first = in.peek();
  while (first == ' ' || first == '\n' || first == '\r' || first == '\t') {
    in.get();
    first = in.peek();
  }
  return first == '{' ? read_json(path, in, table) : read_tsv(path, in, table);
}

}  // namespace winports::analyze
