// Captures through libpcap, which reads pcap and pcapng in every variant (both byte orders, micro-
// and nanosecond timestamps, old versions); classic pcap files in this machine's byte order are read
// in place first (pcap_file.cpp). Loaded on first use like the report libraries: Debian's libpcap pulls
// in D-Bus and systemd, which no other command needs.
#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "capture_file.hpp"
#include "winports/analyze/inputs.hpp"
#include "winports/analyze/messages.hpp"
#include "winports/core/messages.hpp"
#include "winports/core/shared_library.hpp"

namespace winports::analyze {
namespace {

// The functions used, bound at run time (clang-format does not settle on macro bodies).
// clang-format off
#define PCAP_FUNCTIONS(X)                                                                          \
  X(pcap_fopen_offline) X(pcap_next_ex) X(pcap_datalink) X(pcap_close) X(pcap_geterr)
// clang-format on

WINPORTS_SHARED_API(Pcap, PCAP_FUNCTIONS, WINPORTS_PCAP_SONAME, "pcap")

Status through_libpcap(const std::string& path, FlowTable& table, MappedFile& mapped) {
  static const auto loaded = load_Pcap();
  if (!loaded) return loaded.error();
  const Pcap& pcap = *loaded;
  char error[PCAP_ERRBUF_SIZE] = "";
  // The file mapped and read through a memory stream: libpcap reads record by record through
  // stdio, and from a file that costs a system call per buffer as well. Files that cannot be mapped
  // (pipes) are read as files.
  FILE* file = mapped ? fmemopen(mapped.data(), mapped.size(), "rb") : std::fopen(path.c_str(), "rb");
  if (!file) return Error{path, 0, 0, "capture", msg::file_cannot_read(std::strerror(errno))};
  std::setvbuf(file, nullptr, _IOFBF, 1 << 20);
  pcap_t* handle = pcap.pcap_fopen_offline(file, error);  // closes the file with the handle
  if (!handle) {
    std::fclose(file);
    return Error{path, 0, 0, "capture", error};
  }
  const int link = pcap.pcap_datalink(handle);
  if (!link_supported(link)) {
    pcap.pcap_close(handle);
    return Error{path, 0, 0, "link type", msg::analyze_link_type(std::to_string(link))};
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  Packet packet;
  Inner inner;
  std::uint64_t number = 0;
  for (;;) {
    int got = pcap.pcap_next_ex(handle, &header, &data);
    if (got == PCAP_ERROR_BREAK) break;  // the end of the file
    ++number;
    if (got != 1) {
      // libpcap stops at a truncated or corrupt record: what came before still counts.
      table.skip(msg::skip_unreadable(pcap.pcap_geterr(handle)),
                 [&] { return msg::skip_where_packet(path, std::to_string(number)); });
      break;
    }
    if (number % 4096 == 0) {
      if (long at = std::ftell(file); at > 0) mapped.release_before(static_cast<std::size_t>(at));
    }
    add_frame(table, link, {data, header->caplen},
              static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6, path, number,
              packet, inner);
  }
  pcap.pcap_close(handle);
  return ok_status();
}

}  // namespace

Status read_pcap(const std::string& path, FlowTable& table) {
  MappedFile mapped(path);
  if (auto read = read_pcap_in_place(mapped, path, table)) return *read;
  return through_libpcap(path, table, mapped);
}

Status read_pcap_through_libpcap(const std::string& path, FlowTable& table) {
  MappedFile mapped(path);
  return through_libpcap(path, table, mapped);
}

}  // namespace winports::analyze
