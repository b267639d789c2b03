// pcap and pcapng through libpcap, which reads both (and both byte orders, micro- and
// nanosecond timestamps). Loaded on first use like the report libraries: Debian's libpcap pulls
// in D-Bus and systemd, which no other command needs.
#include <pcap/pcap.h>

#include <string>

#include "../core/shared_library.hpp"
#include "decode.hpp"
#include "winports/analyze/inputs.hpp"

namespace winports::analyze {
namespace {

// The functions used, bound at run time (clang-format does not settle on macro bodies).
// clang-format off
#define PCAP_FUNCTIONS(X)                                                                          \
  X(pcap_open_offline) X(pcap_next_ex) X(pcap_datalink) X(pcap_close) X(pcap_geterr)
// clang-format on

WINPORTS_SHARED_API(Pcap, PCAP_FUNCTIONS, WINPORTS_PCAP_SONAME, "pcap")

}  // namespace

Status read_pcap(const std::string& path, FlowTable& table) {
  static const auto loaded = load_Pcap();
  if (!loaded) return loaded.error();
  const Pcap& pcap = *loaded;
  char error[PCAP_ERRBUF_SIZE] = "";
  pcap_t* handle = pcap.pcap_open_offline(path.c_str(), error);
  if (!handle) return Error{path, 0, 0, "capture", error};
  const int link = pcap.pcap_datalink(handle);
  if (!link_supported(link)) {
    pcap.pcap_close(handle);
    return Error{path, 0, 0, "link type", std::to_string(link) + " is not Ethernet, Linux cooked, raw IP or loopback"};
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  Packet packet;
  std::uint64_t number = 0;
  for (;;) {
    int got = pcap.pcap_next_ex(handle, &header, &data);
    if (got == PCAP_ERROR_BREAK) break;  // the end of the file
    ++number;
    if (got != 1) {
      // libpcap stops at a truncated or corrupt record: what came before still counts.
      table.skip(std::string("unreadable record, the rest of the file: ") + pcap.pcap_geterr(handle),
                 path + " packet " + std::to_string(number));
      break;
    }
    packet.time = static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
    if (const char* why = decode_frame(link, {data, header->caplen}, packet))
      table.skip(why, path + " packet " + std::to_string(number));
    else
      table.add(packet);
  }
  pcap.pcap_close(handle);
  return ok_status();
}

}  // namespace winports::analyze
