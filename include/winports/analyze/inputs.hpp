#pragma once
// The inputs analyze reads, told apart by their first bytes, not their names: pcap and pcapng
// (libpcap, and classic pcap read in place), Zeek conn.log (TSV or JSON lines) and the Windows Firewall log
// (pfirewall.log). One reader per format under src/analyze/; each feeds a FlowTable, skips and counts what it cannot
// use, and fails with file, line and field on what it cannot read at all.
#include <istream>
#include <string>
#include <string_view>

#include "winports/analyze/flows.hpp"
#include "winports/core/result.hpp"

namespace winports::analyze {

enum class Format { pcap, pcapng, zeek_tsv, zeek_json, pfirewall, unknown };
const char* to_string(Format f);
Format detect_format(std::string_view head);

// `path` names the input in errors and skip counts.
Status read_pcap(const std::string& path, FlowTable& table);  // pcap (in place where it can) and pcapng
// Every pcap and pcapng variant through libpcap: what read_pcap falls back to, and the reference its
// in-place reading is tested against.
Status read_pcap_through_libpcap(const std::string& path, FlowTable& table);
Status read_zeek(const std::string& path, std::istream& in, FlowTable& table);  // TSV or JSON lines
Status read_pfirewall(const std::string& path, std::istream& in, FlowTable& table);

// Detects the format and reads the file.
Status read_input(const std::string& path, FlowTable& table);

}  // namespace winports::analyze
