// Classic pcap files read where they lie in their mapping. Hand-written because libpcap cannot hand
// over a record without copying it: it freads each record header and each frame into its own
// buffer, through stdio's (callgrind: stdio, libpcap and their copies were 31% of the instructions
// of a 64 MiB analysis). The format is a 24-byte file header and a 16-byte header per record
// (pcap-savefile(5)), so reading it in place is a few lines. Only the common case is read here:
// version 2.4, this machine's byte order, a link type whose file number libpcap reports as itself
// (or LINKTYPE_RAW, which it reports as DLT_RAW), no FCS bits. Every other capture goes to libpcap
// as before. The frames are the bytes libpcap would give, with its limits: a record longer than
// the file's snapshot length is cut to it, and one longer than any capture holds ends the file.
#include <algorithm>
#include <cstring>

#include "capture_file.hpp"

namespace winports::analyze {
namespace {

constexpr std::uint32_t kMagicMicroseconds = 0xa1b2c3d4, kMagicNanoseconds = 0xa1b23c4d;
constexpr std::size_t kFileHeader = 24, kRecordHeader = 16;
constexpr std::uint32_t kLargestCapture = 262144;  // libpcap's largest snapshot for these link types

template <class Number>
Number read_native(const std::uint8_t* at) {
  Number n;
  std::memcpy(&n, at, sizeof n);
  return n;
}

// The link type as pcap_datalink() would report it, or -1 when libpcap should read the file.
int reported_link(std::uint32_t file_link) {
  switch (file_link) {
    case kLinkNull:
    case kLinkEthernet:
    case kLinkPpp:
    case kLinkFddi:
    case kLinkLinuxSll:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkNflog:
    case kLinkLinuxSll2:
      return static_cast<int>(file_link);
    case kLinkRawLinktype:
      return kLinkRaw;
    default:
      return -1;
  }
}

}  // namespace

std::optional<Status> read_pcap_in_place(MappedFile& file, const std::string& path, FlowTable& table) {
  if (!file || file.size() < kFileHeader) return std::nullopt;
  const auto bytes = file.bytes();
  const auto* head = bytes.data();
  const auto magic = read_native<std::uint32_t>(head);
  if ((magic != kMagicMicroseconds && magic != kMagicNanoseconds) || read_native<std::uint16_t>(head + 4) != 2 ||
      read_native<std::uint16_t>(head + 6) != 4)
    return std::nullopt;
  const int link = reported_link(read_native<std::uint32_t>(head + 20));
  if (link < 0) return std::nullopt;
  auto snapshot = read_native<std::uint32_t>(head + 16);
  if (snapshot == 0 || snapshot > kLargestCapture) snapshot = kLargestCapture;  // as libpcap takes it
  const std::int32_t per_microsecond = magic == kMagicNanoseconds ? 1000 : 1;

  Packet packet;
  Inner inner;
  std::uint64_t number = 0;
  std::size_t at = kFileHeader;
  auto unreadable = [&](const LocalizedText& why) {
    // What came before still counts; the rest of the file is one skip.
    table.skip(msg::skip_unreadable(why), [&] { return msg::skip_where_packet(path, std::to_string(number)); });
  };
  while (at < bytes.size()) {
    ++number;
    if (bytes.size() - at < kRecordHeader) {
      unreadable(msg::pcap_record_header_cut(std::to_string(bytes.size() - at)));
      break;
    }
    // Seconds and fractions are signed 32-bit numbers in the format, as libpcap reads them.
    const auto seconds = read_native<std::int32_t>(head + at);
    const auto fraction = read_native<std::int32_t>(head + at + 4);
    const auto captured = read_native<std::uint32_t>(head + at + 8);
    at += kRecordHeader;
    if (captured > kLargestCapture) {
      unreadable(msg::pcap_record_too_long(std::to_string(captured), std::to_string(kLargestCapture)));
      break;
    }
    if (bytes.size() - at < captured) {
      unreadable(msg::pcap_record_data_cut(std::to_string(bytes.size() - at), std::to_string(captured)));
      break;
    }
    const auto frame = bytes.subspan(at, std::min(captured, snapshot));
    at += captured;
    add_frame(table, link, frame, static_cast<double>(seconds) + static_cast<double>(fraction / per_microsecond) / 1e6,
              path, number, packet, inner);
    if (number % 4096 == 0) file.release_before(at);
  }
  return ok_status();
}

}  // namespace winports::analyze
