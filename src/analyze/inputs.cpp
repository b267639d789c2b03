#include "winports/analyze/inputs.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "winports/analyze/messages.hpp"
#include "winports/core/messages.hpp"

namespace winports::analyze {

const char* to_string(Format f) {
  switch (f) {
    case Format::pcap:
      return "pcap";
    case Format::pcapng:
      return "pcapng";
    case Format::zeek_tsv:
      return "zeek-tsv";
    case Format::zeek_json:
      return "zeek-json";
    case Format::pfirewall:
      return "pfirewall";
    case Format::unknown:
      break;
  }
  return "unknown";
}

Format detect_format(std::string_view head) {
  auto magic = [&](std::initializer_list<unsigned char> bytes) {
    if (head.size() < bytes.size()) return false;
    std::size_t i = 0;
    for (auto b : bytes)
      if (static_cast<unsigned char>(head[i++]) != b) return false;
    return true;
  };
  // pcap in either byte order, micro- or nanosecond; pcapng's section header block.
  if (magic({0xd4, 0xc3, 0xb2, 0xa1}) || magic({0xa1, 0xb2, 0xc3, 0xd4}) || magic({0x4d, 0x3c, 0xb2, 0xa1}) ||
      magic({0xa1, 0xb2, 0x3c, 0x4d}))
    return Format::pcap;
  if (magic({0x0a, 0x0d, 0x0d, 0x0a})) return Format::pcapng;
  auto text = head.substr(
      head.find_first_not_of(" \t\r\n") == std::string_view::npos ? head.size() : head.find_first_not_of(" \t\r\n"));
  if (text.rfind("#separator", 0) == 0 || text.rfind("#fields", 0) == 0) return Format::zeek_tsv;
  if (text.rfind("{", 0) == 0 && text.find("\"id.orig_h\"") != std::string_view::npos) return Format::zeek_json;
  if (text.rfind("#Version:", 0) == 0 || text.rfind("#Software: Microsoft Windows Firewall", 0) == 0 ||
      text.rfind("#Fields: date time action", 0) == 0)
    return Format::pfirewall;
  return Format::unknown;
}

Status read_input(const std::string& path, FlowTable& table) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "INPUT", msg::file_cannot_read(std::strerror(errno))};
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  in.clear();
  in.seekg(0);
  switch (detect_format(head)) {
    case Format::pcap:
    case Format::pcapng:
      return read_pcap(path, table);
    case Format::zeek_tsv:
    case Format::zeek_json:
      return read_zeek(path, in, table);
    case Format::pfirewall:
      return read_pfirewall(path, in, table);
    case Format::unknown:
      break;
  }
  return Error{path, 0, 0, "INPUT", msg::analyze_unknown_input()};
}

}  // namespace winports::analyze
